"""The positions of the smallest draws, smallest first, as a stable sort lists them: compiled, for the
passes that let people take places in the order of their draws (an intake's, progression's). A heap of
its own, since numba's sorts and partitions cost seconds of a first run's compiling each."""

import numpy as np

from . import compiled


@compiled()
def smallest_first(draws, wanted):
    """The positions of the ``wanted`` smallest draws, smallest first, ties in order: what a stable sort of
    them would list first. A heap of the smallest so far, the one a stable sort lists last on top, in time
    n log ``wanted`` (numba's sorts and partitions cost seconds to compile)."""
    k = min(wanted, draws.shape[0])
    heap = np.empty(k, dtype=np.int64)
    for i in range(draws.shape[0]):
        if i < k:  # filling: up from the bottom
            heap[i], j = i, i
            while j > 0 and _after(draws, heap[j], heap[(j - 1) // 2]):
                heap[j], heap[(j - 1) // 2] = heap[(j - 1) // 2], heap[j]
                j = (j - 1) // 2
        elif _after(draws, heap[0], i):  # before the last of the smallest: in its place
            heap[0] = i
            _sift_down(draws, heap, k)
    for end in range(k - 1, 0, -1):  # the last listed to the back, one by one
        heap[0], heap[end] = heap[end], heap[0]
        _sift_down(draws, heap, end)
    return heap


@compiled()
def _after(draws, a, b):
    """Whether a stable sort lists position ``a`` after ``b``."""
    return draws[a] > draws[b] or (draws[a] == draws[b] and a > b)


@compiled()
def _sift_down(draws, heap, size):
    """The heap's top moved down to its place among the first ``size``."""
    j = 0
    while True:
        top = j
        for child in (2 * j + 1, 2 * j + 2):
            if child < size and _after(draws, heap[child], heap[top]):
                top = child
        if top == j:
            return
        heap[j], heap[top] = heap[top], heap[j]
        j = top

"""Products summed the same way on every machine.

numpy's ``@`` hands float64 products to OpenBLAS, whose kernels, chosen for the machine's CPU, add
a row's terms in different orders: a run's figures (the demand index's need, the groups' FTE in
post) would differ in their last bits from one machine to another. ``matmul`` adds them in
numpy's own order, which no CPU changes (``tests/test_determinism.py`` runs under another
OpenBLAS kernel and without numpy's wider vector instructions, and compares the bits).
"""

from __future__ import annotations

import numpy as np


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a matrix ``a`` and a vector or matrix ``b``, each result's terms added by numpy
    (not BLAS) in the order of ``a``'s columns."""
    if b.ndim == 1:
        return (a * b).sum(axis=-1)
    return (a[:, :, None] * b[None, :, :]).sum(axis=1)

import numpy as np
import pytest

import tiny_scenario
from sim import WorkforceModel
from sim.people import COUNTED, People, Status
from sim.stocks import Stocks, exact

N_STAGES = 5


def count_everyone(p: People) -> tuple[np.ndarray, np.ndarray]:
    """Headcount and FTE by cell from a scan of every row, person by person in id order."""
    rows = np.arange(p.count)
    counted = rows[p.active[rows] & np.isin(p.status[rows], [int(s) for s in COUNTED])]
    cell = p.stage[counted] * 2 + p.welsh[counted]
    return (np.bincount(cell, minlength=2 * N_STAGES),
            np.bincount(cell, weights=p.fte[counted], minlength=2 * N_STAGES))


def shuffle(p: People, rng, ids: np.ndarray) -> None:
    """A random change of status (through set_status), stage and hours for ``ids``."""
    p.stage[ids] = rng.integers(0, N_STAGES, len(ids))
    p.fte[ids] = rng.choice([0.2, 0.5, 0.6, 0.8, 1.0], len(ids)).astype(np.float32)
    p.set_status(ids, rng.integers(0, len(Status), len(ids)).astype(np.int8), rng.random(len(ids)) < 0.8)


def test_exact_only_when_every_partial_sum_is_a_multiple_below_2_to_the_53_of_the_smallest_last_place():
    assert exact(0.3, 1.0, 3) and exact(0.01, 1.0, 5_000_000)
    assert not exact(0.0, 1.0, 2)
    assert not exact(np.nan, 1.0, 2)
    assert not exact(2**-10, 1.0, 2**20 + 1)  # too many for the smallest's last place
    assert not exact(0.1, 0.3, 3, dtype=np.float64)  # float64 FTEs: (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)


def test_marked_changes_keep_the_stocks_equal_to_a_count_of_everyone_bit_for_bit():
    rng = np.random.default_rng(5)
    p = People(capacity=16)
    ids = p.add(500, welsh=rng.random(500) < 0.3)
    shuffle(p, rng, ids)
    stocks = Stocks(p, N_STAGES)
    for month in range(30):
        changed = rng.choice(p.count, size=rng.integers(0, 60), replace=True)  # repeats: marked twice
        shuffle(p, rng, changed)
        hours = rng.choice(p.count, size=10, replace=False)
        p.fte[hours] = np.float32(0.4)
        p.mark(hours)
        if month % 3 == 0:
            p.set_status(slice(0, 5), int(Status.IN_POST))  # a run of ids as a slice
        new = p.add(int(rng.integers(0, 20)), welsh=True)
        shuffle(p, rng, new)
        if month % 2:  # settled every other month: marks pile up in between
            headcount, fte = count_everyone(p)
            stocks.settle()
            assert np.array_equal(stocks.headcount, headcount)
            assert stocks.fte.tobytes() == fte.tobytes()
    assert not p.marked


def test_a_change_not_marked_is_not_seen():
    p = People()
    ids = p.add(3, welsh=False, stage=1, fte=np.float32(1.0))
    p.set_status(ids, int(Status.IN_POST))
    stocks = Stocks(p, N_STAGES).settle()
    p.fte[0] = 0.5
    assert stocks.settle().fte[2] == 3.0
    p.mark(np.array([0]))
    assert stocks.settle().fte[2] == 2.5


def test_ftes_whose_sums_depend_on_the_order_are_counted_afresh_in_id_order():
    p = People()
    ids = p.add(4, welsh=False, stage=0, fte=np.array([1.0, 1e-9, 1e-9, 0.5], dtype=np.float32))
    p.set_status(ids, int(Status.TRAINING))
    stocks = Stocks(p, N_STAGES).settle()
    assert not exact(stocks.low, stocks.high, p.count)
    assert stocks.fte[0] == ((1.0 + float(np.float32(1e-9))) + float(np.float32(1e-9))) + 0.5
    p.set_status(ids[1:3], int(Status.LEFT), active=False)
    assert stocks.settle().fte[0] == 1.5 and stocks.headcount[0] == 2


def test_stocks_of_a_population_built_from_fte_only_stocks_agree_with_a_count(tmp_path):
    """FTE-only stocks draw spare people and forget them while building: the stocks never count them."""
    path = tiny_scenario.write(tmp_path, {
        "stocks.course/worker": {"fte": 12.3, "age": [[30, 50, 1.0]]},
        "stocks.course/student": {"headcount": 7, "age": [[18, 20, 1.0]]},
        "groups.staff.participation.part_time_share": 0.5,
    })
    model = WorkforceModel(scenario=path, rng=2, until=2022, check=True).run()  # checks the stocks each month
    assert model.history[0]["stage_fte"].sum() == pytest.approx(12.3 + 7, abs=0.5)

"""Determinism: the same scenario and seed give bit-identical tables across runs, processes,
worker counts and executors, and a committed golden baseline catches any change in results.

The baseline (``tests/golden/``) is the tidy table of the default scenario, uncalibrated, seeds
1 and 2, to March 2023, written with exact floats. A change in results that is intended is
committed with a regenerated baseline: ``python tests/golden/regenerate.py``. An engine meant to be
equivalent (drawing differently, with the same distributions) is held instead to the twelve-seed
reference of ``tests/golden/equivalence.py``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from golden import regenerate as golden
from sim import experiment
from sim.results import run


@pytest.fixture(scope="module")
def tables():
    return {seed: golden.table(seed) for seed in golden.SEEDS}


def _differences(expected: str, actual: str, limit: int = 8) -> str:
    exp, act = expected.splitlines(), actual.splitlines()
    diffs = [f"  line {i + 1}: expected {a!r}\n           found    {b!r}" for i, (a, b) in enumerate(zip(exp, act))
             if a != b]
    if len(exp) != len(act):
        diffs.append(f"  {len(exp)} lines expected, {len(act)} found")
    return "\n".join(diffs[:limit]) + (f"\n  ... {len(diffs) - limit} more" if len(diffs) > limit else "")


@pytest.mark.parametrize("seed", golden.SEEDS)
def test_results_match_the_golden_baseline_exactly(tables, seed):
    expected = golden.path(seed).read_text(encoding="utf-8")
    actual = golden.as_text(tables[seed])
    assert actual == expected, (
        f"results differ from {golden.path(seed).name}:\n{_differences(expected, actual)}\n"
        "if the change is intended, regenerate the baseline: python tests/golden/regenerate.py")


def test_the_golden_text_is_exact_and_the_comparison_can_fail(tables):
    table = tables[golden.SEEDS[0]]
    text = golden.as_text(table)
    back = pd.read_csv(pd.io.common.StringIO(text), keep_default_na=False)
    assert (back.value.to_numpy() == table.value.to_numpy()).all()  # repr round-trips every float bit for bit
    nudged = table.copy()
    i = int((nudged.measure == "fte").to_numpy().argmax())
    nudged.loc[nudged.index[i], "value"] = float(np.nextafter(nudged.value.iloc[i], np.inf))  # one ulp
    assert golden.as_text(nudged) != text
    assert golden.SEEDS[0] != golden.SEEDS[1] and golden.as_text(tables[golden.SEEDS[1]]) != text


def test_the_same_seed_gives_bit_identical_tables_and_event_logs_in_one_process(tables):
    seed = golden.SEEDS[0]
    again = run(golden.SCENARIO, seed=seed, until=golden.UNTIL, overrides=dict(golden.OVERRIDES))
    pd.testing.assert_frame_equal(again.tidy(), tables[seed], check_exact=True)
    first = run(golden.SCENARIO, seed=seed, until=2022, overrides=dict(golden.OVERRIDES))
    pd.testing.assert_frame_equal(first.events(), run(golden.SCENARIO, seed=seed, until=2022,
                                                      overrides=dict(golden.OVERRIDES)).events(), check_exact=True)


def test_other_processes_with_other_hash_seeds_give_the_same_bits(tmp_path, tables):
    """Python salts str hashes per process: nothing random may depend on them."""
    seed = golden.SEEDS[0]
    code = ("import sys; sys.path.insert(0, 'tests'); from golden import regenerate as g; "
            f"open(sys.argv[1], 'w').write(g.as_text(g.table({seed})))")
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
        out = tmp_path / f"hash{hash_seed}.csv"
        subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, env=env, check=True, timeout=300)
        assert out.read_text() == golden.as_text(tables[seed])


# the default scenario as shipped (calibrated) to 2031: its demand index and establishments sum products each year
MACHINE_CODE = ("import sys; sys.path.insert(0, 'tests'); from golden import regenerate as g; from sim.results import "
                "run; open(sys.argv[1], 'w').write(g.as_text(run('wales-mh-2021', seed=0, until=2031).tidy()))")


def test_the_same_bits_whichever_kernels_the_machine_picks(tmp_path):
    """Another machine's CPU is imitated: OpenBLAS's kernels of an older CPU (``OPENBLAS_CORETYPE``),
    and numpy without its wider vector instructions (``NPY_DISABLE_CPU_FEATURES``). numpy's ``@``
    summed the demand index's products with OpenBLAS, and the need in 2026 to 2030 moved in its
    last bits (``sim.sums``)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("the kernels imitated are x86-64's (OpenBLAS's core types, numpy's X86_V3)")
    texts = {}
    for name, extra in (("as found", {}), ("Nehalem's BLAS", {"OPENBLAS_CORETYPE": "Nehalem"}),
                        ("numpy without AVX2", {"NPY_DISABLE_CPU_FEATURES": "X86_V3"})):
        env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}
        env.update(PYTHONPATH=str(REPO), MPLBACKEND="Agg", **extra)
        out = tmp_path / f"{len(texts)}.csv"
        subprocess.run([sys.executable, "-c", MACHINE_CODE, str(out)], cwd=REPO, env=env, check=True, timeout=300)
        texts[name] = out.read_text()
    assert "need_fte" in texts["as found"]
    for name, text in texts.items():
        assert text == texts["as found"], f"{name}: {_differences(texts['as found'], text)}"


def test_one_worker_and_a_pool_of_two_give_the_golden_bits(tables):
    """The batch machinery (jobs pickled to worker processes) runs the same model as ``run``."""
    path = str((REPO / "sim" / "data" / "scenarios" / f"{golden.SCENARIO}.yaml").resolve())
    jobs = [experiment.Job(policy="baseline", parameter_set=0, replication=i, seed=seed, scenario=path,
                           overrides=dict(golden.OVERRIDES), until=golden.UNTIL, levers=())
            for i, seed in enumerate(golden.SEEDS)]
    for workers in (1, 2):
        done = list(experiment.execute(experiment.simulate, jobs, workers=workers, quiet=True))
        assert sorted(job.seed for job, _ in done) == sorted(golden.SEEDS)
        for job, result in done:
            table = result.drop(columns=["policy", "parameter_set", "replication", "seed"])
            assert golden.as_text(table) == golden.as_text(tables[job.seed]), f"{workers} workers, seed {job.seed}"


# ---- interruption: a batch killed at random moments resumes to the uninterrupted results -------------------
def test_a_batch_killed_at_random_moments_resumes_to_exactly_the_uninterrupted_results(tmp_path):
    """SIGKILL (no clean-up possible) at seeded random moments: after a few files, or right in the
    middle of writing one; after every kill each result file there is whole and the manifest is
    valid; the resumed batch equals an uninterrupted one, bit for bit, with no temporary file left."""
    import json
    import random
    import signal
    import time

    import yaml

    from test_experiment import assert_same_results
    from test_fuzz import EXPERIMENT, FILES, dump

    for name, data in FILES.items():
        (tmp_path / name).write_text(dump(data))
    spec = {**EXPERIMENT, "years": 8, "replications": 10, "parameter_sets": 2}  # runs enough to be killed midway
    (tmp_path / "e.yaml").write_text(yaml.safe_dump(spec))
    loaded = experiment.load(tmp_path / "e.yaml")
    total = len(loaded.jobs())
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    rng = random.Random(6)
    written = lambda: sorted(out.glob("runs/*/*.parquet"))  # noqa: E731
    kills = 0
    for attempt in range(3):
        before = len(written())
        if before == total:
            break
        target = min(before + rng.randint(1, 3), total - 1)
        workers = rng.choice(["1", "2"])
        process = subprocess.Popen([sys.executable, "-m", "sim", "batch", str(tmp_path / "e.yaml"), "--workers",
                                    workers, "--quiet", "--out", str(out)], env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(written()) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.2))  # anywhere: between runs, mid-run, mid-write
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        assert process.returncode in (0, -signal.SIGKILL), process.stderr.read().decode()
        for path in written():  # whatever has its final name is whole
            pd.read_parquet(path)
        if (out / "manifest.json").exists():
            json.loads((out / "manifest.json").read_text())
    assert kills >= 2, "the batch finished before it could be killed: make the runs longer"
    summary = experiment.batch(loaded, out=out, workers=2, quiet=True)
    assert summary.skipped + summary.written == total
    experiment.batch(loaded, out=tmp_path / "whole", workers=1, quiet=True)
    assert_same_results(out, tmp_path / "whole")
    assert [p.name for p in out.rglob(".*")] == []  # no temporary or partial file left behind


def test_twelve_seeds_agree_with_the_engines_reference_within_their_standard_errors():
    """What an engine that draws differently is held to (``tests/golden/equivalence.py``): every
    mean of twelve seeds within four standard errors of the reference's."""
    from golden import equivalence

    reference = pd.read_csv(equivalence.FILE, keep_default_na=False)
    now = equivalence.statistics()
    both = reference.merge(now, on=equivalence.KEYS, how="outer", suffixes=("_ref", "_now")).fillna(0.0)
    assert len(both) == len(reference), "outcomes found now that the reference does not have, or the reverse"
    tolerance = 4 * np.sqrt(both.se_ref ** 2 + both.se_now ** 2) + 1e-6 * np.maximum(both.mean_ref.abs(), 1.0)
    off = both[(both.mean_now - both.mean_ref).abs() > tolerance]
    assert off.empty, off.to_string()

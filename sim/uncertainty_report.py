"""The report's calibration and back-test sections, for the calibration its runs used.

The calibration section shows, per fitted parameter, the prior against the posterior and
whether the history identifies it, with the pairs figure ``workforce calibrate`` drew; the
back-test section shows the shipped back-test of that posterior (``<back-test>.csv`` and
``.png`` beside its file, written by ``workforce backtest --out``), if there is one. The
calibration is the file the runs read, as their manifest's input files record it (its path and
SHA-256), as ``sim.folders`` finds a results folder's scenario: there, or, moved or gone, the
shipped one of its name with that content (a folder written under another installation); by name
where the manifest records no input files. One found nowhere is said to be missing, and one changed since
the runs is said to be so, rather than shown as what they drew from.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import pages
from .calibration_report import IDENTIFIED
from .errors import InputError, read_yaml
from .layering import CALIBRATION_DIR, sha256
from .posterior import KINDS, fitted_section, recorded_numbers


def sections(calibration: str | None, contents: str, inputs: dict | None = None) -> tuple[str | None, str | None]:
    """HTML for the back-test and calibration blocks (None where there is nothing to show); ``inputs``: the
    input files of the runs with their SHA-256 (their manifest's ``input_files``), the calibration file among
    them. A shipped calibration of the same name was shown in its place, and a file edited since as it is now."""
    if not calibration:
        return None, None
    macros = pages.environment().get_template("uncertainty_sections.html").module
    name = Path(str(calibration)).name  # as the scenario named it: a shipped name, or a path relative to it
    shipped = CALIBRATION_DIR / f"{Path(name).stem}.yaml"
    read = next(((Path(f), digest) for f, digest in (inputs or {}).items() if Path(f).name in (name, f"{name}.yaml")),
                None)
    if read is None:  # a manifest recording no input files: the shipped one of its name, as it is
        path = shipped if not inputs and shipped.is_file() else None
    else:
        path = next((p for p in (read[0], shipped) if sha256(p) == read[1]), None)
        if path is None and read[0].is_file():
            return None, str(macros.calibration_changed(str(calibration), str(read[0])))
    if path is None:
        return None, str(macros.calibration_missing(str(calibration)))
    try:
        document = read_yaml(path)
    except InputError:
        return None, str(macros.calibration_missing(str(calibration)))
    if not document.get("posterior"):
        return None, None
    backtest = _backtest(macros, path.stem) if sha256(path) == sha256(shipped) else None  # of the shipped posterior
    return backtest, str(macros.calibration_section(_calibration(document, path, contents)))


def _calibration(document: dict, path: Path, contents: str) -> dict:
    rows = []
    for key, f in fitted_section(path, document.get("fitted")).items():
        prior, median, interval = (_recorded(path, key, f, name, size) for name, size in
                                   (("prior_interval_90", 2), ("median", 1), ("interval_90", 2)))
        width = prior[1] - prior[0]
        narrowing = (interval[1] - interval[0]) / width if width else float("nan")
        rows.append({"key": key, "kind": f.get("kind", KINDS[0]), "prior": f"{prior[0]:.3g} to {prior[1]:.3g}",
                     "median": f"{median[0]:.3g}", "interval": f"{interval[0]:.3g} to {interval[1]:.3g}",
                     "narrowing": f"{narrowing:.0%}", "identified": "yes" if narrowing < IDENTIFIED else "no"})
    return {"name": path.stem, "sets": f"{document.get('parameter_sets', 0):,}", "history": document.get("scenario"),
            "contents": contents, "identified": f"{IDENTIFIED:.0%}", "parameters": rows,
            "figure": _png(path.with_name(f"{path.stem}-pairs.png"))}


def _recorded(path: Path, key: str, fitted: dict, name: str, size: int) -> list[float]:
    """What a parameter file with a posterior records of a fitted key (its median, or the ends of an interval), as
    numbers: the section shows them, and a file whose record was removed or edited to text (the posterior it
    names still read, as loading checks only the quantiles recorded) was a KeyError or a TypeError there."""
    values = recorded_numbers(fitted, name, size)
    if values is None:
        raise InputError.one(path, f"fitted.{key}.{name}", "a finite number" if size == 1 else
                             f"a list of {size} finite numbers (low, high)", fitted.get(name))
    return values


def _backtest(macros, name: str) -> str | None:
    from .backtest import load, percent
    from .calibration_report import fmt

    for config in sorted(CALIBRATION_DIR.glob("backtest-*.yaml")):
        table = config.with_suffix(".csv")
        if not table.is_file():
            continue
        try:
            loaded = load(config)  # read once: the posterior it projects and its targets
        except InputError:
            continue
        if loaded.posterior != name:
            continue
        frame = pd.read_csv(table)
        rows = [{"target": r.target, "published": fmt(r.published, loaded.targets[r.target]),
                 "mean": fmt(r.mean, loaded.targets[r.target]),
                 "interval": f"{fmt(r.low, loaded.targets[r.target])} to {fmt(r.high, loaded.targets[r.target])}",
                 "inside": "yes" if r.inside else "no", "ape": percent(r.ape)} for r in frame.itertuples()]
        return str(macros.backtest_section({
            "description": loaded.description or loaded.name, "replications": loaded.replications, "rows": rows,
            "mape": percent(frame.ape.mean()), "figure": _png(config.with_suffix(".png"))}))
    return None


def _png(path: Path) -> str | None:
    return pages.png(path) if path.is_file() else None

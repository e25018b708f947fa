"""A run as a pure function, and its results as tidy tables, a chart and a manifest.

``run(scenario, seed)`` builds a ``WorkforceModel``, steps it to the end and returns
``Results``: a tidy table with one row per year x group (x stage) x measure, the event log,
and the model itself for looking people up. ``Results.write`` saves CSV and Parquet tables,
a PNG chart of FTE by staff group and a manifest saying exactly what produced them.
"""

from __future__ import annotations

import json
import operator
import os
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar, feedbacks, flows, folders, layering, unused
from .errors import InputError, Problem, is_plain_name, is_whole
from .folders import GROUP_MEASURES, STAGE_MEASURES
from .model import WorkforceModel
from .rng import check_seed
from . import scenario as scenario_module
from .scenario import DEFAULT, input_files

COLUMNS = ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]


PARAMETERS = ("posterior", "fixed")


def run(scenario=DEFAULT, seed: int = 0, until: int | None = None, overrides: dict | None = None,
        check: bool = False, parameters: str = "posterior", *, share: bool = False) -> "Results":
    """Run one replication: no global state, the same inputs always give the same results.

    ``parameters``: ``"posterior"`` runs the parameter set the seed draws from the posterior of
    the scenario's calibration, if it has one (``sim.posterior``: a policy and its baseline with
    the same seed share it); ``"fixed"`` runs the scenario as given (a calibration's central set).
    A scenario given compiled is recompiled from its file for the draw. ``share``: the model runs on
    the compiled scenario as given, not a copy (``WorkforceModel(copy=False)``), for a caller that reads
    the results and changes neither (a calibration's candidates)."""
    if parameters not in PARAMETERS:
        raise InputError.one("run", "parameters", f"one of {', '.join(PARAMETERS)}", parameters)
    if not isinstance(share, bool):  # "no" is true, and would share
        raise InputError.one("run", "share", "True or False", share)
    seed = check_seed(seed, "run")
    if parameters == "posterior":
        base = scenario if isinstance(scenario, scenario_module.Scenario) else scenario_module.compiled(scenario,
                                                                                                      overrides)
        if base.posterior is not None and base.parameter_set is None:
            scenario, overrides = scenario_module.for_replication(base, seed), None
    model = WorkforceModel(scenario=scenario, until=until, overrides=overrides, check=check, collect="yearly",
                           rng=int(seed), copy=not share)
    problem = untabled_months(model.inputs, model.end)
    if problem is not None:
        raise InputError([problem])
    model.run()
    # the overrides the run was loaded with: those given, where a posterior's draw took them into its scenario
    return Results(model=model, seed=int(seed), overrides=dict(model.inputs.overrides))


def untabled_months(s, end: int) -> Problem | None:
    """What is wrong with a run of scenario ``s`` to month ``end`` whose results are tabled (``Results.tidy``:
    a snapshot at each anniversary of the start), if anything: an end that is not an anniversary would
    leave the months after the last one out of every table, in silence."""
    if (end - s.start) % 12 == 0:
        return None
    return Problem(str(s.file), "end", f"a month a whole number of years after start ({s.spec.start}), as results "
                                       f"are tabled at each anniversary of the start", calendar.label(end))


# recruitment from outside the pipeline (sim.processes.joiners): what vacancies would take at the group's
# speed, the joiners available, and the smaller of the two month by month (the joiners expected)
RECRUITMENT = ("recruits_sought", "recruits_available", "recruits_expected")


# the files a run's folder holds whatever else it is given (``Results.write``)
OWN_FILES = {"csv": "supply.csv", "parquet": "supply.parquet", "events": "events.parquet", "people": "people.parquet",
             "manifest": "manifest.json"}  # by the key ``Results.write`` gives each path


TEXT = ("date", "group", "stage", "measure", "reason", "unit")  # the tidy table's columns of text


class _Words:
    """The text of one column of the tidy table, as codes into its own list of words: a column of
    a few dozen words repeated over thousands of rows is made into Arrow strings by one ``take``,
    not by converting a Python string a row."""

    def __init__(self):
        self.codes: dict[str, int] = {}

    def code(self, word: str) -> int:
        return self.codes.setdefault(word, len(self.codes))

    def codes_of(self, words) -> np.ndarray:
        codes = self.codes
        return np.array([codes.setdefault(w, len(codes)) for w in words], dtype=np.int32)

    def strings(self, codes: np.ndarray):
        import pyarrow as pa

        return pa.array(list(self.codes), type=pa.large_string()).take(pa.array(codes))


def _ranks(names: np.ndarray) -> np.ndarray:
    """Each name's place in the names sorted."""
    ranks = np.empty(len(names), dtype=np.int64)
    ranks[np.argsort(names, kind="stable")] = np.arange(len(names))
    return ranks


@dataclass
class Results:
    model: WorkforceModel
    seed: int
    overrides: dict = field(default_factory=dict)

    @property
    def scenario(self):
        return self.model.inputs

    # ---- tables ---------------------------------------------------------------------------
    def yearly_records(self) -> list[tuple[dict, list[dict]]]:
        """(snapshot at the anniversary month, the records since the previous one) per year.

        The records' flows together cover the year whether the model collected monthly or yearly.
        """
        history, start = self.model.history, self.scenario.start
        out, previous = [], None
        for i, record in enumerate(history):
            if (record["month"] - start) % 12 == 0:
                out.append((record, history[previous + 1: i + 1] if previous is not None else []))
                previous = i
        return out

    def tidy(self) -> pd.DataFrame:
        """One row per year x group (x stage) x measure; flows summed over the year to the snapshot."""
        return pd.DataFrame({name: pd.array(column, dtype="str") if name in TEXT else column
                             for name, column in self.tidy_columns().items()})

    def tidy_columns(self) -> dict:
        """The columns of ``tidy`` (``COLUMNS``): year and value as arrays, the text as Arrow strings."""
        columns, words = self._tidy_codes()
        return {name: words[name].strings(column) if name in TEXT else column for name, column in columns.items()}

    def group_values(self) -> dict[tuple[str, str, int, str], float]:
        """The values of the tidy table's rows of the staff groups (stage ``all``) by (group, measure, year,
        reason): calibration's statistics and experiments' outcomes read a run by key, not by filtering the table."""
        columns, words = self._tidy_codes()
        keep = columns["stage"] == words["stage"].code("all")
        named = [np.array(list(words[name].codes), dtype=object)[columns[name][keep]].tolist()
                 for name in ("group", "measure", "reason")]
        out: dict = {}
        for key, value in zip(zip(named[0], named[1], columns["year"][keep].tolist(), named[2]),
                              columns["value"][keep].tolist()):
            out[key] = out.get(key, 0.0) + value
        return out

    def _tidy_codes(self) -> tuple[dict, dict]:
        """The columns of ``tidy``, the text as codes into each column's words (``_Words``), and the words.
        Built a block of rows at a time (each year's group measures, stage measures, recruitment,
        flows), column by column, the text as codes: a batch builds one for every run."""
        s, m = self.scenario, self.model
        groups, stages = np.array(s.groups, dtype=object), np.array(s.stages, dtype=object)
        n_groups, n_stages = len(groups), len(stages)
        words = {name: _Words() for name in TEXT}
        date, group, stage, measure, reason, unit = (words[name] for name in TEXT)
        blocks = []  # (year, date, group, stage, measure, reason, unit, value): codes or arrays of codes

        def block(year, day, *rest):
            blocks.append((year, day, *rest[:-1], np.asarray(rest[-1], dtype=np.float64)))

        group_codes, stage_codes = group.codes_of(s.groups), stage.codes_of(s.stages)
        by_group = (np.repeat(group_codes, len(GROUP_MEASURES)), stage.code("all"),
                    np.tile(measure.codes_of([name for name, _ in GROUP_MEASURES]), n_groups), reason.code(""),
                    np.tile(unit.codes_of([name for _, name in GROUP_MEASURES]), n_groups))
        by_stage = (np.repeat(group_codes[s.stage_group], 2), np.repeat(stage_codes, 2),
                    np.tile(measure.codes_of([name for name, _ in STAGE_MEASURES]), n_stages), reason.code(""),
                    np.tile(unit.codes_of([name for _, name in STAGE_MEASURES]), n_stages))
        recruiting = (np.repeat(group_codes, len(RECRUITMENT)), stage.code("all"),
                      np.tile(measure.codes_of(RECRUITMENT), n_groups), reason.code(""), unit.code("people_per_year"))
        kinds = [(k, measure.code(kind)) for k, kind in enumerate(flows.KINDS)]
        group_rank = _ranks(groups)
        yearly = self.yearly_records()
        by_group_values, by_stage_values = self._snapshot_values([snapshot for snapshot, _ in yearly])
        for (snapshot, months), values, stage_values in zip(yearly, by_group_values, by_stage_values):
            year, day = calendar.year_of(snapshot["month"]), date.code(calendar.label(snapshot["month"]))
            block(year, day, *by_group, values)
            block(year, day, *by_stage, stage_values)
            if months:
                recruitment = np.sum([record["recruitment"] for record in months], axis=0)
                block(year, day, *recruiting, recruitment.T.ravel())
                summed = flows.total([m.flows(record) for record in months])
                counts, reasons = summed.counts, np.array(summed.reasons, dtype=object)
                reason_rank, reason_codes = _ranks(reasons), reason.codes_of(summed.reasons)
                for k, kind in kinds:  # by group and reason name
                    g, r = np.nonzero(counts[k])
                    order = np.lexsort((reason_rank[r], group_rank[g]))
                    g, r = g[order], r[order]
                    block(year, day, group_codes[g], stage.code("all"), kind, reason_codes[r],
                          unit.code("people_per_year"), counts[k, g, r])
        # measures of the feedbacks in force, if any (sim.feedbacks); what caps left unused, if anything (sim.unused)
        rows = feedbacks.tidy_rows(self) + unused.tidy_rows(self)
        if rows:
            columns = list(zip(*rows))
            text = (words[name].codes_of(column) for name, column in zip(TEXT, columns[1:7]))
            blocks.append((np.array(columns[0]), *text, np.array(columns[7], dtype=np.float64)))
        sizes = [len(b[-1]) for b in blocks]
        out = {}
        for i, name in enumerate(COLUMNS):  # a column's blocks: arrays, or one value for the block's rows
            parts = [b[i] for b in blocks]
            arrays = [isinstance(part, np.ndarray) for part in parts]
            if all(arrays):
                column = np.concatenate(parts)
            else:
                column = np.repeat(np.array([0 if a else part for part, a in zip(parts, arrays)]), sizes)
                if any(arrays):
                    ends = np.cumsum(sizes).tolist()
                    for part, a, size, end in zip(parts, arrays, sizes, ends):
                        if a:
                            column[end - size: end] = part
            out[name] = column
        return out, words

    def _snapshot_values(self, snapshots: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """The values of each snapshot's group measures (a row per snapshot: by group, in ``GROUP_MEASURES``'
        order) and stage measures (by stage, headcount then FTE), worked out for all the snapshots at once
        with the same additions, in the same order, as one snapshot at a time."""
        s = self.scenario
        n, n_groups = len(snapshots), len(s.groups)

        def stacked(key):
            return np.array([snapshot[key] for snapshot in snapshots])

        def by_group(values):  # each snapshot's sums over its stages by group, stage by stage as np.bincount adds
            cells = (np.arange(n)[:, None] * n_groups + s.stage_group[None, :]).ravel()
            return np.bincount(cells, weights=values.ravel(), minlength=n * n_groups).reshape(n, n_groups)

        headcount, fte = stacked("stage_headcount"), stacked("stage_fte")
        establishment, post, need = stacked("establishment_fte"), stacked("post_fte"), stacked("need_fte")
        in_training = by_group(np.where(s.stage_workforce & s.stage_training, fte, 0.0))
        vacancies = np.maximum(establishment - post, 0.0)
        gap = establishment - post  # demand less supply in post; negative: over establishment
        need_gap = need - post  # need less supply in post; negative: a surplus
        for i, snapshot in enumerate(snapshots):
            if "gap_change" in snapshot.get("feedbacks", {}):  # new roles meeting other groups' demand (sim.feedbacks)
                gap[i] = gap[i] + snapshot["feedbacks"]["gap_change"]
                need_gap[i] = need_gap[i] + snapshot["feedbacks"]["gap_change"]
        rate = np.divide(vacancies, establishment, out=np.zeros_like(vacancies), where=establishment > 0)
        values = np.stack([by_group(np.where(s.stage_workforce, headcount, 0.0)),
                           by_group(np.where(s.stage_workforce, fte, 0.0)), post, in_training, establishment,
                           vacancies, rate, gap, need, need_gap, stacked("welsh_headcount"), stacked("welsh_fte")],
                          axis=2).astype(np.float64)  # in GROUP_MEASURES' order
        return values.reshape(n, -1), np.stack([headcount, fte], axis=2).astype(np.float64).reshape(n, -1)

    def summary(self, measure: str = "fte") -> pd.DataFrame:
        """Year x group table of one group measure, with a total column."""
        t = self.tidy()
        t = t[t.stage == "all"]
        measures = set(t.measure)
        if not isinstance(measure, str) or measure not in measures:  # not an empty selection failing inside pandas
            raise InputError.one("summary", "measure", f"a measure of the staff groups "
                                                       f"({', '.join(sorted(measures))})", measure)
        t = t[t.measure == measure]
        wide = t.pivot_table(index="year", columns="group", values="value", aggfunc="sum")[list(self.scenario.groups)]
        wide["total"] = wide.sum(axis=1)
        return wide

    def events(self) -> pd.DataFrame:
        return self.model.events.table()

    def people(self) -> pd.DataFrame:
        """Everyone simulated: id, sex (0 female, 1 male) and birth month, which with the event log
        give the workforce's ages and sexes in any year (``sim.plots.age_sex_pyramid``)."""
        c = self.model.people.columns()
        return pd.DataFrame({"id": c["id"], "sex": c["sex"], "birth_month": c["birth_month"]})

    def timeline(self, person_id: int, width: int = 100) -> str:
        """One person's career as text to read: when (as "March 2023"), where they went and why, in words."""
        import textwrap

        from . import labels

        m, s = self.model, self.scenario
        if not is_whole(width) or width < 1:  # textwrap refuses a width of 0, and a text or fraction fails inside it
            raise InputError.one("Results.timeline", "width", "a whole number of characters, 1 or more", width)
        try:
            if isinstance(person_id, bool):  # True is no person's id, not person 1
                raise TypeError(person_id)
            record = m.person(operator.index(person_id))  # 3.5 or "3" is no person's id, not person 3
        except (KeyError, TypeError):
            if not len(m.people):  # no stocks, and no intake or joiners by the run's end: no id is one
                raise InputError.one(s.file, "stocks, intake, groups.*.joiners", "somebody in the run for a person's "
                                     "career (this run simulates nobody)", person_id) from None
            raise InputError.one("ID", "id", f"a person id from 0 to {len(m.people) - 1:,} (the people simulated "
                                             f"in this run)", person_id) from None
        born = record["birth_month"]
        sex = {"female": "woman", "male": "man"}.get(record["sex"], record["sex"])
        welsh = ", speaks some Welsh" if record["welsh"] else ""
        lines = [f"Person {record['id']}: {sex}, born {born.strftime('%B %Y')}{welsh}",
                 f"{s.name}, seed {self.seed}: {labels.month_text(s.start)} to {labels.month_text(m.now)}", ""]
        where_width = 40
        why_width = max(20, width - 16 - where_width - 2)
        lines.append(f"{'when':<16}{'now in':<{where_width + 2}}why")
        for event in m.career(int(person_id)).itertuples():
            where = "outside the workforce" if event.to_stage == "outside" else labels.stage(event.to_stage, s)
            why = labels.reason(event.reason)
            left, right = textwrap.wrap(where, where_width) or [""], textwrap.wrap(why, why_width) or [""]
            rows = max(len(left), len(right))
            left, right = left + [""] * (rows - len(left)), right + [""] * (rows - len(right))
            for i in range(rows):
                when = labels.month_text(event.month) if i == 0 else ""
                lines.append(f"{when:<16}{left[i]:<{where_width + 2}}{right[i]}".rstrip())
        age = int(record["age_years"])
        if record["active"] and record["stage"]:
            due = record["stage_due"]
            moving = f"; due to move on in {due.strftime('%B %Y')}" if due is not None else ""
            state = (f"{labels.stage(record['stage'], s)}, {record['status'].replace('_', ' ')}, "
                     f"{record['fte']:.2f} FTE{moving}")
        else:
            state = {"retired": "retired", "left": "left the workforce"}.get(record["status"], record["status"])
        lines += ["", *textwrap.wrap(f"At {labels.month_text(m.now)}: aged {age}, {state}.", width)]
        return "\n".join(lines)

    # ---- files ----------------------------------------------------------------------------
    def manifest(self) -> dict:
        from .version import __version__
        import mesa

        file = Path(self.scenario.file)
        return {
            "scenario": self.scenario.name,
            "scenario_file": str(file),
            "scenario_sha256": layering.sha256(file),
            "seed": self.seed,
            "start": calendar.label(self.scenario.start),
            "end": calendar.label(self.model.end),
            "overrides": self.overrides,
            "calibration": self.scenario.spec.calibration,  # the parameter file applied at load, if any
            # the posterior's parameter set the run used (None: the calibration's central set, or no posterior)
            "parameter_set": self.scenario.parameter_set,
            "input_files": input_files(self.scenario),  # scenario, files it extends, calibration, pathways
            "package_version": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mesa": mesa.__version__,
            "people_simulated": int(len(self.model.people)),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def write(self, out_dir, extra: dict | None = None, manifest: dict | None = None) -> dict[str, Path]:
        """Write tables, ``extra`` files (name -> writer of a path: the command line adds the run's
        figure, ``sim.plots.run_chart``) and, last, the manifest (with ``manifest``'s keys added) to
        ``out_dir``, a folder that must be missing or empty.

        The files are written beside it and the folder renamed into place when all are there
        (``sim.folders.write_folder``): a results folder that exists is complete.
        """
        if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir):
            raise InputError.one("Results.write", "out_dir", "the path of a folder to write the results in", out_dir)
        if extra is not None and not (isinstance(extra, dict) and all(is_plain_name(k) and callable(v)
                                                                         for k, v in extra.items())):
            raise InputError.one("Results.write", "extra", "None or a mapping of file names (each a plain name, "
                                                           "written in the folder) to writers of a path", extra)
        try:  # what JSON cannot hold (an object, NaN) found now, not once the tables are written
            json.dumps(manifest or {}, allow_nan=False)
            unwritable = not isinstance(manifest, (dict, type(None)))
        except (TypeError, ValueError):
            unwritable = True
        if unwritable:
            raise InputError.one("Results.write", "manifest", "None or a mapping of keys to values JSON holds "
                                                              "(text, finite numbers, true or false, lists, mappings)",
                                 manifest)
        taken = sorted(set(extra or {}) & {*OWN_FILES, *OWN_FILES.values()})
        if taken:  # the run's table replaced by the caller's file, or the caller's dropped for the manifest
            raise InputError.one("Results.write", "extra", f"names of files the run does not write itself (it writes "
                                                           f"{', '.join(OWN_FILES.values())}, and names "
                                                           f"them {', '.join(OWN_FILES)} in what it returns)", taken)
        own = self.manifest()
        taken = sorted(set(manifest or {}) & set(own))
        if taken:  # the run's own (its seed, its people) replaced, the folder would say what did not produce it
            raise InputError.one("Results.write", "manifest", f"keys the run's manifest does not have (it has "
                                                              f"{', '.join(own)})", taken)
        try:  # a folder holding files: refused before writing, not kept beside it as if another run had filled it
            folders.check_empty(out_dir, "out_dir")
        except InputError as exc:
            raise InputError([Problem("Results.write", p.field, p.expected, p.found) for p in exc.problems]) from None
        tidy = self.tidy()
        writers = {"csv": lambda p: tidy.to_csv(p, index=False), "parquet": lambda p: tidy.to_parquet(p, index=False),
                   "events": lambda p: self.events().to_parquet(p, index=False),
                   "people": lambda p: self.people().to_parquet(p, index=False),
                   **(extra or {}), "manifest": folders.manifest({**own, **(manifest or {})})}  # the manifest last
        names = {key: OWN_FILES.get(key, key) for key in writers}
        paths = folders.write_folder(out_dir, {names[key]: write for key, write in writers.items()})
        return {key: paths[name] for key, name in names.items()}

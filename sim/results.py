"""A run as a pure function, and its results as tidy tables, a chart and a manifest.

``run(scenario, seed)`` builds a ``WorkforceModel``, steps it to the end and returns
``Results``: a tidy table with one row per year x group (x stage) x measure, the event log,
and the model itself for looking people up. ``Results.write`` saves CSV and Parquet tables,
a PNG chart of FTE by staff group and a manifest saying exactly what produced them.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar, feedbacks, folders, layering, unused
from .model import WorkforceModel
from . import scenario as scenario_module
from .scenario import DEFAULT, input_files

COLUMNS = ["year", "date", "group", "stage", "measure", "reason", "unit", "value"]


PARAMETERS = ("posterior", "fixed")


def run(scenario=DEFAULT, seed: int = 0, until: int | None = None, overrides: dict | None = None,
        check: bool = False, parameters: str = "posterior") -> "Results":
    """Run one replication: no global state, the same inputs always give the same results.

    ``parameters``: ``"posterior"`` runs the parameter set the seed draws from the posterior of
    the scenario's calibration, if it has one (``sim.posterior``: a policy and its baseline with
    the same seed share it); ``"fixed"`` runs the scenario as given (a calibration's central set).
    A scenario given compiled is recompiled from its file for the draw."""
    if parameters not in PARAMETERS:
        raise ValueError(f"parameters: one of {PARAMETERS}")
    if parameters == "posterior":
        base = scenario if isinstance(scenario, scenario_module.Scenario) else scenario_module.compiled(scenario,
                                                                                                      overrides)
        if base.posterior is not None and base.parameter_set is None:
            scenario, overrides = scenario_module.for_replication(base, seed), None
    model = WorkforceModel(scenario=scenario, until=until, overrides=overrides, check=check, collect="yearly", rng=int(seed))
    model.run()
    return Results(model=model, seed=int(seed), overrides=dict(overrides or {}))


# recruitment from outside the pipeline (sim.processes.joiners): what vacancies would take at the group's
# speed, the joiners available, and the smaller of the two month by month (the joiners expected)
RECRUITMENT = ("recruits_sought", "recruits_available", "recruits_expected")


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
        s, m = self.scenario, self.model
        rows = []
        for snapshot, months in self.yearly_records():
            year, date = calendar.year_of(snapshot["month"]), calendar.label(snapshot["month"])
            headcount = m.group_totals(snapshot, "stage_headcount")
            fte = m.group_totals(snapshot, "stage_fte")
            vacancies = m.vacancies(snapshot)
            in_service = np.where(s.stage_workforce & s.stage_training, snapshot["stage_fte"], 0.0)
            in_training = np.bincount(s.stage_group, weights=in_service, minlength=len(s.groups))
            gap = snapshot["establishment_fte"] - snapshot["post_fte"]  # demand less supply in post; negative: over establishment
            need_gap = snapshot["need_fte"] - snapshot["post_fte"]  # need less supply in post; negative: a surplus
            if "gap_change" in snapshot.get("feedbacks", {}):  # new roles meeting other groups' demand (sim.feedbacks)
                gap = gap + snapshot["feedbacks"]["gap_change"]
                need_gap = need_gap + snapshot["feedbacks"]["gap_change"]
            for g_i, g in enumerate(s.groups):
                for measure, unit, value in (
                    ("headcount", "people", headcount[g]),
                    ("fte", "fte", fte[g]),
                    ("in_post_fte", "fte", snapshot["post_fte"][g_i]),
                    ("training_fte", "fte", in_training[g_i]),
                    ("establishment_fte", "fte", snapshot["establishment_fte"][g_i]),
                    ("vacancies_fte", "fte", vacancies[g]),
                    ("vacancy_rate", "share", vacancies[g] / snapshot["establishment_fte"][g_i]
                     if snapshot["establishment_fte"][g_i] > 0 else 0.0),
                    ("supply_gap_fte", "fte", gap[g_i]),
                    ("need_fte", "fte", snapshot["need_fte"][g_i]),
                    ("need_gap_fte", "fte", need_gap[g_i]),
                    ("welsh_speaking_headcount", "people", snapshot["welsh_headcount"][g_i]),
                    ("welsh_speaking_fte", "fte", snapshot["welsh_fte"][g_i]),
                ):
                    rows.append((year, date, g, "all", measure, "", unit, float(value)))
            for st_i, st in enumerate(s.stages):
                g = s.groups[s.stage_group[st_i]]
                rows.append((year, date, g, st, "stage_headcount", "", "people", float(snapshot["stage_headcount"][st_i])))
                rows.append((year, date, g, st, "stage_fte", "", "fte", float(snapshot["stage_fte"][st_i])))
            if months:
                recruitment = np.sum([record["recruitment"] for record in months], axis=0)
                for g_i, g in enumerate(s.groups):
                    for measure, values in zip(RECRUITMENT, recruitment):
                        rows.append((year, date, g, "all", measure, "", "people_per_year", float(values[g_i])))
                totals = {"joiners": {}, "leavers": {}}
                for record in months:
                    for kind, by_group in m.flows(record).items():
                        for g, reasons in by_group.items():
                            for r, n in reasons.items():
                                totals[kind][(g, r)] = totals[kind].get((g, r), 0) + n
                for kind, counts in totals.items():
                    for (g, r), n in sorted(counts.items()):
                        rows.append((year, date, g, "all", kind, r, "people_per_year", float(n)))
        rows += feedbacks.tidy_rows(self)  # measures of the feedbacks in force, if any (sim.feedbacks)
        rows += unused.tidy_rows(self)  # what caps left unused, if anything (sim.unused)
        return pd.DataFrame(rows, columns=COLUMNS)

    def summary(self, measure: str = "fte") -> pd.DataFrame:
        """Year x group table of one group measure, with a total column."""
        t = self.tidy()
        t = t[(t.stage == "all") & (t.measure == measure)]
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
        try:
            record = m.person(int(person_id))
        except KeyError:
            from .errors import InputError

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
        tidy = self.tidy()
        names = {"csv": "supply.csv", "parquet": "supply.parquet", "events": "events.parquet",
                 "people": "people.parquet", **{name: name for name in extra or {}}, "manifest": "manifest.json"}
        paths = folders.write_folder(out_dir, {
            "supply.csv": lambda p: tidy.to_csv(p, index=False),
            "supply.parquet": lambda p: tidy.to_parquet(p, index=False),
            "events.parquet": lambda p: self.events().to_parquet(p, index=False),
            "people.parquet": lambda p: self.people().to_parquet(p, index=False),
            **(extra or {}),
            "manifest.json": folders.manifest({**self.manifest(), **(manifest or {})}),
        })
        return {key: paths[name] for key, name in names.items()}

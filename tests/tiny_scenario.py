"""A tiny scenario (one course leading to one post) that tests can shape precisely."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

PATHWAY = {
    "name": "course",
    "description": "a test course",
    "stages": {
        "student": {
            "staff_group": "staff", "training": True, "workforce": False, "entry": True,
            "duration_years": 2, "attrition": 0.0, "transitions": {"worker": 1.0},
        },
        "worker": {"staff_group": "staff", "entry": True},
    },
}

ROUTE = {  # an in-service route: workers selected into an apprenticeship that leads back to a post
    "name": "route",
    "stages": {"apprentice": {"staff_group": "staff", "training": True, "entry": True, "duration_years": 2,
                              "attrition": 0.05, "transitions": {"course/worker": 1.0}}},
}

SCENARIO = {
    "name": "tiny",
    "start": "2020-03",
    "end": "2030-03",
    "mho_end": "2029-03",
    "age_bands": [0, 55, 60],
    "pathways": ["course.yaml"],
    "groups": {
        "staff": {
            "label": "Staff", "sector": "nhs", "female_share": 0.5, "welsh_share": 0.2, "welsh_share_new": 0.2,
            "participation": {"part_time_share": 0.0, "part_time_fte": [0.5, 0.5], "change_per_year": 0.0},
            "leaving": {"rate": 0.0, "reasons": {"elsewhere": 1.0}},
            "retirement": {"rate": 0.0, "max_age": 70, "mho_share": 0.0, "mho_retire_at_55": 0.0},
            "retire_and_return": {"share": 0.0, "hours_cut": 0.2, "stay_years": [1, 1]},
            "establishment": {"vacancies_fte": 0.0, "growth_per_year": 0.0},
        }
    },
    "stocks": {"course/worker": {"headcount": 100, "age": [[30, 50, 1.0]]}},
    "intake": {"course/student": {"month": 9, "places": {2019: 0}, "age": [[18, 20, 1.0]]}},
}


def write(directory: Path, scenario_changes: dict | None = None, pathway_changes: dict | None = None,
          route: dict | None = None) -> Path:
    """Write the tiny scenario (with dotted-key changes) and its pathway; return the scenario path.
    ``route``: an intake of the in-service route (``ROUTE``, selecting workers), added with its pathway."""
    scenario, pathway = copy.deepcopy(SCENARIO), copy.deepcopy(PATHWAY)
    if route is not None:
        scenario["pathways"].append("route.yaml")
        scenario["intake"]["route/apprentice"] = {"month": 9, "from_stage": "course/worker", **route}
    for target, changes in ((scenario, scenario_changes), (pathway, pathway_changes)):
        for dotted, value in (changes or {}).items():
            node = target
            *parents, last = dotted.split(".")
            for key in parents:
                node = node.setdefault(int(key) if key.isdigit() else key, {})
            node[int(last) if last.isdigit() else last] = value
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "course.yaml").write_text(yaml.safe_dump(pathway, sort_keys=False))
    if route is not None:
        (directory / "route.yaml").write_text(yaml.safe_dump(ROUTE, sort_keys=False))
    path = directory / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def with_specialty(directory: Path, intake: dict) -> Path:
    """The tiny scenario with 40 students a year, half of whom go on to a specialty with an intake of its own
    (``intake``: its places, fill rate, ...; a year's training, then a post), about 20 arriving a year; the posts
    made for them all (``over_establishment``), so that only the places hold anyone back."""
    return write(directory,
                 {"intake.course/student.places": {2019: 40}, "groups.staff.establishment.over_establishment": True,
                  "intake.course/specialty": {"month": 9, "age": [[22, 24, 1.0]], **intake}},
                 {"stages.student.transitions": {"worker": 0.5, "specialty": 0.5},
                  "stages.specialty": {"staff_group": "staff", "training": True, "entry": True, "duration_years": 1,
                                       "attrition": 0.0, "transitions": {"worker": 1.0}}})

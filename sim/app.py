"""The browser dashboard: a Solara page built with Mesa's ``SolaraViz``.

``workforce dashboard`` serves it on localhost (``solara run sim/app.py`` does the same). The
sidebar has the levers (extra training places per pathway, retention, the share retiring and
returning, the LTFT share, international recruits), the last year and the seed; **Reset**
builds the model with them and **▶** runs it, month by month, redrawing the charts every year.

Each browser session gets its own model, built when the page opens (``Page``): what one visitor
runs is never what another sees. The model is a ``DashboardModel``: a ``WorkforceModel`` with the chosen policy's levers that
steps a baseline twin (same scenario and seed, no levers) alongside, so the second page can
compare the policy with the baseline as both run. Every lever at its neutral value (no extra
places, no fewer leavers, ...) leaves the policy identical to the baseline.

An input outside its slider's range (sent by a client, or given in Python) is not run: the
model keeps the page's inputs at their defaults, will not step, and the page shows which input
was wrong and what it expected (``input_problems``), rather than a raw validation error.
"""

from __future__ import annotations

import html

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

# absolute imports: ``solara run sim/app.py`` executes this file outside the package
from sim import calendar
from sim import scenario as scenario_module
from sim.errors import _short
from sim.interventions import LtftTraining, Recruitment, RetireAndReturn, Retention, TrainingPlaces
from sim.model import WorkforceModel
from sim.plots import _COLOURS, label

# extra commissioned places a year for each pathway's entry training (slider name -> stage)
PLACES = {
    "nursing_places": ("nursing/pre_registration_degree", "Extra nursing degree places", 300),
    "psychiatry_places": ("psychiatry/core_psychiatry", "Extra core psychiatry places", 40),
    "psychology_places": ("psychology/doctorate", "Extra psychology doctorate places", 40),
    "caap_places": ("psychology/caap_training", "Extra CAAP places", 40),
    "ot_places": ("occupational_therapy/degree", "Extra OT degree places", 100),
    "pa_places": ("physician_associates/pa_course", "Extra PA course places", 40),
    "social_work_places": ("social_work/degree", "Extra social work places", 150),
}
LTFT_STAGES = ["psychiatry/core_psychiatry", "psychiatry/higher_specialty"]


def default_ltft_percent(name: str = scenario_module.DEFAULT) -> int:
    s = scenario_module.compiled(name)
    stage = s.stage_code(LTFT_STAGES[0])
    female = s.spec.groups[s.groups[s.stage_group[stage]]].female_share
    return int(round(100 * float(s.stage_ltft_share[stage] @ (female, 1.0 - female))))


def policy(scenario, *, retention: float = 0, return_share: float = 0, ltft_share: float | None = None,
           international_recruits: float = 0, recruit_group: str = "nursing", **places) -> list:
    """The levers for the dashboard's inputs; inputs at their neutral value add no lever."""
    levers = []
    for name, extra in places.items():
        if extra:
            levers.append(TrainingPlaces(stage=PLACES[name][0], extra=float(extra)))
    if retention:
        levers.append(Retention(factor=1.0 - retention / 100.0))
    if return_share:
        for i, g in enumerate(scenario.groups):
            levers.append(RetireAndReturn(groups=[g], share=min(1.0, float(scenario.return_share[i]) + return_share / 100)))
    if ltft_share is not None:
        levers.append(LtftTraining(stages=LTFT_STAGES, share=ltft_share / 100.0))
    if international_recruits:
        levers.append(Recruitment(groups=[recruit_group], extra_per_year=float(international_recruits),
                                  source="international"))
    return levers


def input_problems(name: str = scenario_module.DEFAULT, **inputs) -> list[str]:
    """What is wrong with the page's inputs: each outside its slider's range or not among its choices."""
    problems, controls = [], model_params(name)
    for key, value in inputs.items():
        control = controls[key]
        if isinstance(control, Slider):
            whole = not control.is_float_slider
            number = isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and np.isfinite(value)
            if not number or not control.min <= value <= control.max or (whole and value != int(value)):
                kind = "a whole number" if whole else "a number"
                problems.append(f"{control.label}: expected {kind} from {control.min} to {control.max} "
                                f"(found {_short(value)!r})")
        elif value not in control["values"]:
            problems.append(f"{control['label']}: expected one of {', '.join(control['values'])} "
                            f"(found {_short(value)!r})")
    return problems


class DashboardModel(WorkforceModel):
    """A policy run and its baseline twin, stepped together (Mesa constructor arguments only)."""

    def __init__(self, until: int = 2031, nursing_places: int = 0, psychiatry_places: int = 0,
                 psychology_places: int = 0, caap_places: int = 0, ot_places: int = 0, pa_places: int = 0,
                 social_work_places: int = 0, retention: int = 0, return_share: int = 0, ltft_share: int | None = None,
                 international_recruits: int = 0, recruit_group: str = "nursing", rng: int = 1,
                 scenario_name: str = scenario_module.DEFAULT):
        compiled = scenario_module.compiled(scenario_name)
        controls = model_params(scenario_name)
        inputs = {k: v for k, v in locals().items() if k in controls and v is not None}  # the arguments
        self.problems = input_problems(scenario_name, **inputs)
        if self.problems:  # not run: the page's defaults stand in, and the page says what to change
            defaults = {k: (c.value if isinstance(c, Slider) else c["value"]) for k, c in controls.items()}
            until, rng, ltft_share = defaults["until"], defaults["rng"], None
            nursing_places = psychiatry_places = psychology_places = caap_places = ot_places = pa_places = 0
            social_work_places = retention = return_share = international_recruits = 0
            recruit_group = defaults["recruit_group"]
        if ltft_share is not None and int(ltft_share) == default_ltft_percent(scenario_name):
            ltft_share = None  # the scenario's own share: no lever
        self.levers = policy(compiled, retention=retention, return_share=return_share, ltft_share=ltft_share,
                             international_recruits=international_recruits, recruit_group=recruit_group,
                             nursing_places=nursing_places, psychiatry_places=psychiatry_places,
                             psychology_places=psychology_places, caap_places=caap_places, ot_places=ot_places,
                             pa_places=pa_places, social_work_places=social_work_places)
        self.baseline = WorkforceModel(scenario=compiled, until=int(until), rng=int(rng))
        super().__init__(scenario=compiled, until=int(until), interventions=self.levers, rng=int(rng))
        if self.problems:
            self.running = False

    def step(self) -> None:
        if not self.running:  # Mesa's controller may ask for a few steps more than the run has
            return
        self.baseline.step()  # first, so this month's report compares like with like
        super().step()

    def _report(self, month: int) -> dict:
        report = super()._report(month)
        twin = self.__dict__.get("baseline")
        # before the first step (while this model is being built) policy and baseline are identical
        base = twin.history[month] if twin is not None else self.history[month]
        here = self.history[month]
        base_fte = (twin if twin is not None else self).group_totals(base)
        for g in self.inputs.groups:
            report[f"Baseline FTE {g}"] = base_fte[g]
        report["FTE total"] = sum(report[f"FTE {g}"] for g in self.inputs.groups)
        report["Baseline FTE total"] = sum(base_fte.values())
        report["Supply: in-post FTE"] = float(np.sum(here["post_fte"]))
        report["Demand: establishment FTE"] = float(np.sum(here["establishment_fte"]))
        report["Baseline supply: in-post FTE"] = float(np.sum(base["post_fte"]))
        return report

    @property
    def date(self) -> str:
        return calendar.label(self.now)


# ---- components ------------------------------------------------------------------------------------
def _months_axis(model):
    start = model.inputs.start

    def post_process(ax):
        ax.xaxis.set_major_formatter(lambda x, _: calendar.label(start + int(round(x))))
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)

    return post_process


def _titled(title: str, model):
    axis = _months_axis(model)

    def post_process(ax):
        axis(ax)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("FTE")
        ax.legend(fontsize=7, loc="best")

    return post_process


def _group_colours(model) -> dict:
    return {f"FTE {g}": _COLOURS[i % len(_COLOURS)] for i, g in enumerate(model.inputs.groups)}


def fte_chart(model):
    """FTE by staff group as the model runs (Mesa's plot component over the data collector)."""
    component, _ = make_plot_component(_group_colours(model), post_process=_titled("FTE by staff group", model))
    return component(model)


def supply_chart(model):
    component, _ = make_plot_component({"Supply: in-post FTE": "#1f77b4", "Demand: establishment FTE": "black"},
                                       post_process=_titled("Supply (in-post FTE) against demand (establishment), "
                                                            "all groups", model))
    return component(model)


def comparison_chart(model):
    component, _ = make_plot_component({"FTE total": "#d62728", "Baseline FTE total": "#7f7f7f"},
                                       post_process=_titled("Total FTE: the chosen policy against the baseline",
                                                            model))
    return component(model)


def _rows(model) -> list[dict]:
    report = model.report
    vacancies = model.vacancies()
    rows = []
    for g in model.inputs.groups:
        rows.append({"group": g, "fte": report[f"FTE {g}"], "baseline": report[f"Baseline FTE {g}"],
                     "vacant": vacancies[g]})
    rows.append({"group": "total", "fte": report["FTE total"], "baseline": report["Baseline FTE total"],
                 "vacant": sum(vacancies.values())})
    return rows


@solara.component
def NumbersTable(model):
    """FTE by group now, for the policy and the baseline, and the difference (read by the browser test)."""
    update_counter.get()
    cells = "".join(
        f"<tr data-group='{r['group']}'><td>{html.escape(label(r['group']))}</td><td>{r['fte']:,.1f}</td>"
        f"<td>{r['baseline']:,.1f}</td><td class='difference'>{r['fte'] - r['baseline']:+,.1f}</td>"
        f"<td>{r['vacant']:,.1f}</td></tr>" for r in _rows(model))
    for problem in getattr(model, "problems", []):
        solara.Error(f"{problem}. Not run: change it and press Reset.", classes=["input-problem"])
    levers = "; ".join(_describe(x) for x in model.levers) if model.levers else "none (the policy is the baseline)"
    text = (f"<p><b>Workforce at {model.date}</b> (month {model.now - model.inputs.start} of "
            f"{model.end - model.inputs.start}; seed {model.seed})</p>"
            "<table class='workforce-table' style='border-collapse: collapse; font-size: 0.9em'>"
            "<thead><tr><th>group</th><th>FTE (policy)</th><th>FTE (baseline)</th><th>difference</th>"
            f"<th>vacant FTE</th></tr></thead><tbody>{cells}</tbody></table>"
            f"<p><b>Levers in force:</b> {html.escape(levers)}</p>")
    style = "<style>.workforce-table td, .workforce-table th {padding: 2px 10px; text-align: right; " \
            "border-bottom: 1px solid #ddd} .workforce-table td:first-child, .workforce-table th:first-child {text-align: left}</style>"
    solara.HTML(tag="div", unsafe_innerHTML=style + text, classes=["workforce-numbers"])


def _describe(lever) -> str:
    args = {k: v for k, v in lever.describe().items() if k != "lever"}
    return f"{lever.kind}(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"


@solara.component
def DifferenceChart(model):
    """Policy less baseline FTE by group, at the current month."""
    update_counter.get()
    rows = _rows(model)[:-1]
    diff = np.array([r["fte"] - r["baseline"] for r in rows])
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.barh(y, diff, color=[_COLOURS[i % len(_COLOURS)] for i in range(len(rows))])
    ax.set_yticks(y, [label(r["group"]) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("FTE, policy less baseline")
    ax.set_title(f"Difference from the baseline by group, {model.date}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")


# ---- the page ----------------------------------------------------------------------------------------
def model_params(name: str = scenario_module.DEFAULT) -> dict:
    s = scenario_module.compiled(name)
    first = calendar.year_of(s.start) + 1
    params = {
        "until": Slider("Last year (March)", 2031, first, calendar.year_of(s.end), 1),
        **{key: Slider(text, 0, 0, top, 1) for key, (_, text, top) in PLACES.items()},
        "retention": Slider("Fewer leavers (%)", 0, 0, 50, 1),
        "return_share": Slider("More retirees return (pp)", 0, 0, 50, 1),
        "ltft_share": Slider("Psychiatry LTFT trainees (%)", default_ltft_percent(name), 0, 100, 1),
        "international_recruits": Slider("International recruits a year", 0, 0, 300, 5),
        "recruit_group": {"type": "Select", "value": "nursing", "values": list(s.groups),
                          "label": "Group of the international recruits"},
        "rng": Slider("Seed", 1, 0, 99, 1),
    }
    return params


@solara.component
def Page():
    """The page, with a model of its own for each browser session (built when the session opens),
    so one visitor's runs and levers are never what another sees."""
    model = solara.use_memo(DashboardModel, dependencies=[])
    SolaraViz(
        model,
        components=[(fte_chart, 0), (supply_chart, 0), (NumbersTable, 0),
                    (comparison_chart, 1), (DifferenceChart, 1), (NumbersTable, 1)],
        model_params=model_params(),
        name="Welsh mental health workforce: policy levers",
        play_interval=1,
        render_interval=12,
    )


page = Page

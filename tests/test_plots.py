"""Figures: each draws what the results say (line data, bar sizes, labels), from every kind of input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim import labels, plots, run
from sim.errors import InputError
from sim.replications import group_values, run_replications, summarise

import tiny_scenario

UNTIL = 2024


@pytest.fixture(scope="module")
def runs():
    return [run(seed=seed, until=UNTIL) for seed in (1, 2)]


def lines(ax) -> dict:
    return {line.get_gid(): line for line in ax.lines if line.get_gid()}


def bars(ax, name: str):
    """The bar container with this label (error bars are containers too)."""
    found = [c for c in ax.containers if c.get_label() == name]
    assert len(found) == 1, [c.get_label() for c in ax.containers]
    return found[0]


def group_means(runs, measure: str) -> pd.DataFrame:
    """Year x group mean over runs, computed independently of sim.plots."""
    return sum(r.summary(measure) for r in runs) / len(runs)


def test_fte_over_time_draws_the_mean_of_the_runs_with_a_band(runs):
    fig = plots.fte_over_time(runs)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    drawn = lines(ax)
    groups = list(runs[0].scenario.groups)
    assert list(drawn) == groups
    mean = group_means(runs, "fte")
    for g in groups:
        assert list(drawn[g].get_xdata()) == list(mean.index)
        np.testing.assert_allclose(drawn[g].get_ydata(), mean[g].to_numpy())
    bands = {c.get_gid() for c in ax.collections}
    assert bands == {f"{g}:band" for g in groups}
    assert "2 runs" in ax.get_title()
    assert [t.get_text() for t in fig.legends[0].get_texts()][0] == "Registered nurses (MH)"


def test_one_run_has_no_band_and_groups_can_be_chosen(runs):
    fig = plots.fte_over_time(runs[0], groups=["nursing", "psychiatry"], total=True)
    ax = fig.axes[0]
    assert list(lines(ax)) == ["nursing", "psychiatry"]
    assert not ax.collections and "one run" in ax.get_title()
    fig = plots.fte_over_time(runs[0], groups=["nursing", "total"], total=True)
    np.testing.assert_allclose(lines(fig.axes[0])["total"].get_ydata(), runs[0].summary("fte")["total"].to_numpy())


def test_replications_and_summary_tables_draw_the_same_lines(runs):
    values = pd.concat([group_values(r).assign(seed=r.seed) for r in runs], ignore_index=True)
    from_results = lines(plots.fte_over_time(runs).axes[0])
    for source in (values, summarise(values)):
        drawn = lines(plots.fte_over_time(source).axes[0])
        assert list(drawn) == list(from_results)
        for g, line in drawn.items():
            np.testing.assert_allclose(line.get_ydata(), from_results[g].get_ydata())


def test_a_tidy_table_with_policies_is_drawn_for_the_chosen_policy(runs):
    tidy = pd.concat([runs[0].tidy().assign(policy="baseline", parameter_set=0, replication=0, seed=1),
                      runs[1].tidy().assign(policy="other", parameter_set=0, replication=0, seed=1)])
    drawn = lines(plots.fte_over_time(tidy, policy="other").axes[0])
    np.testing.assert_allclose(drawn["nursing"].get_ydata(), runs[1].summary("fte")["nursing"].to_numpy())
    with pytest.raises(InputError, match="a policy of the results"):
        plots.fte_over_time(tidy, policy="missing")


def test_supply_demand_draws_supply_demand_and_the_gap_by_group(runs):
    fig = plots.supply_demand(runs)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    groups = list(runs[0].scenario.groups)
    assert len(visible) == len(groups) + 1
    supply, demand = group_means(runs, "in_post_fte"), group_means(runs, "establishment_fte")
    gap = group_means(runs, "supply_gap_fte")
    for ax, g in zip(visible, groups):
        drawn = lines(ax)
        np.testing.assert_allclose(drawn[f"{g}:supply"].get_ydata(), supply[g].to_numpy())
        np.testing.assert_allclose(drawn[f"{g}:demand"].get_ydata(), demand[g].to_numpy())
        np.testing.assert_allclose(drawn[f"{g}:need"].get_ydata(), group_means(runs, "need_fte")[g].to_numpy())
        name = labels.group(g, runs[0].scenario)
        assert ax.get_title().replace("\n", " ") == f"{name} gap {UNTIL}: {gap.loc[UNTIL, g]:,.0f} FTE"
    gap_bars = bars(visible[-1], "gap")
    assert len(gap_bars) == len(groups)
    np.testing.assert_allclose([b.get_width() for b in gap_bars], gap.loc[UNTIL, groups].to_numpy())


def test_training_pipeline_draws_each_training_stage(runs):
    fig = plots.training_pipeline(runs, pathways=["nursing", "psychiatry"])
    nursing, psychiatry = [ax for ax in fig.axes if ax.get_visible()]
    assert nursing.get_title() == "Mental health nursing pathway" and psychiatry.get_title() == "Psychiatry pathway"
    for ax in (nursing, psychiatry):  # the pipeline read against zero, not against its last dip
        assert ax.get_ylim()[0] == 0
    assert list(lines(nursing)) == ["nursing/pre_registration_degree", "nursing/part_time_degree"]
    assert "psychiatry/core_psychiatry" in lines(psychiatry) and "psychiatry/consultant" not in lines(psychiatry)
    tidy = pd.concat([r.tidy() for r in runs])
    rows = tidy[(tidy.stage == "nursing/pre_registration_degree") & (tidy.measure == "stage_headcount")]
    np.testing.assert_allclose(lines(nursing)["nursing/pre_registration_degree"].get_ydata(),
                               rows.groupby("year").value.mean().to_numpy())
    every = plots.training_pipeline(runs[0])
    assert len([ax for ax in every.axes if ax.get_visible()]) == 7  # every pathway with a training stage


def test_pyramids_count_everyone_in_the_workforce_by_age_and_sex(runs):
    r = runs[0]
    fig = plots.age_sex_pyramid(r, years=[2021, UNTIL])
    headcount = r.summary("headcount")["total"]
    for ax, year in zip(fig.axes, (2021, UNTIL)):
        women, men = bars(ax, "women"), bars(ax, "men")
        widths_w = np.array([b.get_width() for b in women])
        widths_m = np.array([b.get_width() for b in men])
        assert (widths_w >= 0).all() and (widths_m <= 0).all()
        assert widths_w.sum() - widths_m.sum() == headcount[year]
        assert ax.get_title() == f"{year}: {int(headcount[year]):,} people"
    nursing = plots.age_sex_pyramid(r, years=[UNTIL], group="nursing")
    women, men = bars(nursing.axes[0], "women"), bars(nursing.axes[0], "men")
    assert sum(b.get_width() for b in women) - sum(b.get_width() for b in men) == r.summary("headcount").loc[UNTIL, "nursing"]
    # the people counted at the end are those the model counts now
    who = plots.workforce_at(r.events(), r.model.now, [s for s, w in zip(r.scenario.stages, r.scenario.stage_workforce) if w])
    ids = r.model.counted()
    assert set(who.person_id) == set(ids[r.scenario.stage_workforce[r.model.people.stage[ids]]].tolist())


@pytest.mark.parametrize("places", [0, 40])
def test_pyramids_of_a_scenario_starting_with_nobody_count_at_its_snapshots(tmp_path, places):
    """No starting stock: the first event is an intake's (September), yet the pyramids are drawn at the
    scenario's start month, as the headcounts are; with no places either, they are empty, not an error."""
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker.headcount": 0,
                                          "intake.course/student.places": {2019: places}})
    r = run(path, until=2024)
    years = [2020, 2022, 2023, 2024]
    fig = plots.age_sex_pyramid(r, years=years)
    headcount = r.summary("headcount")["staff"]
    for ax, year in zip(fig.axes, years):
        assert ax.get_title() == f"{year}: {int(headcount[year]):,} people"
    assert headcount[2023] > 0 if places else headcount.sum() == 0


def test_joiners_and_leavers_bars_add_up_to_the_flows(runs):
    r = runs[0]
    fig = plots.joiners_leavers(r)
    ax = fig.axes[0]
    tidy = r.tidy()
    flows = tidy[tidy.measure.isin(["joiners", "leavers"])].pivot_table(index="year", columns="measure",
                                                                       values="value", aggfunc="sum")
    up = down = 0
    codes = [c.patches[0].get_gid() for c in ax.containers]
    reasons = tidy[tidy.measure == "leavers"].reason.unique()
    assert {f"leavers: {x}" for x in reasons} <= set(codes) and "joiners: intake" in codes
    names = {c.patches[0].get_gid(): c.get_label() for c in ax.containers}
    assert names["leavers: left:other_sector"] == "Left for another sector"  # reasons in words
    colours = [tuple(c.patches[0].get_facecolor()) for c in ax.containers]
    assert len(set(colours)) == len(colours)  # every reason its own colour
    for c in ax.containers:
        heights = np.array([b.get_height() for b in c])
        if c.patches[0].get_gid().startswith("joiners"):
            up = up + heights
        else:
            down = down + heights
    np.testing.assert_allclose(up, flows.joiners.to_numpy())
    np.testing.assert_allclose(-down, flows.leavers.to_numpy())
    np.testing.assert_allclose(lines(ax)["net"].get_ydata(), (flows.joiners - flows.leavers).to_numpy())
    nursing = plots.joiners_leavers(r, group="nursing")
    assert "Registered nurses (MH)" in nursing.axes[0].get_title()


def test_pathway_flows_label_each_transition_with_the_people_who_took_it(runs):
    r = runs[0]
    events = r.events()
    fig = plots.pathway_flows(r, "nursing")
    ax = fig.axes[0]
    assert ax.get_title() == f"Mental health nursing pathway: people taking each transition, 2021-{UNTIL}"
    progressed = events[(events.from_stage == "nursing/pre_registration_degree")
                        & (events.to_stage == "nursing/registered_nurse")]
    exits = events[(events.from_stage == "nursing/pre_registration_degree")
                   & (events.reason == "exit:not_employed_in_wales_mh")]
    assert len(progressed) > 0 and len(exits) > 0
    texts = [t.get_text() for t in ax.texts]
    assert f"{len(progressed):,}" in texts and f"{len(exits):,}" in texts
    graph = r.scenario.graph
    counts = plots.transition_counts(events, graph)
    assert counts[("nursing/pre_registration_degree", "nursing/registered_nurse")] == len(progressed)
    assert set(counts) == set(graph.edges)
    later = plots.transition_counts(events, graph, since=UNTIL)
    assert later[("nursing/pre_registration_degree", "nursing/registered_nurse")] == len(
        progressed[progressed.month.str.startswith(str(UNTIL))])


def test_pathway_flows_of_a_run_with_nobody_in_it_count_none_over_its_years(tmp_path):
    path = tiny_scenario.write(tmp_path, {"stocks.course/worker.headcount": 0})
    r = run(path, until=2023)
    assert r.events().empty
    ax = plots.pathway_flows(r, "course").axes[0]
    assert ax.get_title().endswith("people taking each transition, 2020-2023")
    assert "0" in [t.get_text() for t in ax.texts]


def test_pathways_draw_returns_a_figure_without_a_path(runs):
    from sim import pathways

    graph = pathways.subgraph(runs[0].scenario.graph, ["nursing"])
    fig = plots.pathway_graph(graph)
    assert isinstance(fig, Figure)
    assert "0.80" in [t.get_text() for t in fig.axes[0].texts]  # probabilities when no flows are given


def comparison() -> pd.DataFrame:
    rows = []
    for policy, effect in (("baseline", 0.0), ("more_places", 20.0), ("nothing", 0.0)):
        for year in (2021, 2022, 2023):
            d = effect * (year - 2021)
            rows.append({"policy": policy, "group": "total", "year": year, "measure": "fte", "runs": 4,
                         "mean": 100 + d, "low": 90 + d, "high": 110 + d, "diff_mean": d, "diff_low": d - 5,
                         "diff_high": d + 5, "diff_ci_low": d - 2, "diff_ci_high": d + 2})
    return pd.DataFrame(rows)


def test_policy_differences_show_paired_differences_with_intervals():
    fig = plots.policy_differences(comparison())
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_yticklabels()] == ["more places", "nothing"]
    np.testing.assert_allclose(lines(left)["total:mean"].get_xdata(), [40.0, 0.0])
    thin, thick = left.collections[:2]
    np.testing.assert_allclose(thin.get_segments()[0][:, 0], [35.0, 45.0])
    np.testing.assert_allclose(thick.get_segments()[0][:, 0], [38.0, 42.0])
    np.testing.assert_allclose(lines(right)["total:more_places"].get_ydata(), [0.0, 20.0, 40.0])
    assert left.get_title() == "All groups, 2023"
    assert plots.policy_differences(comparison(), year=2022).axes[0].get_title() == "All groups, 2022"
    with pytest.raises(InputError, match="a year of the comparison"):
        plots.policy_differences(comparison(), year=2030)


def test_welsh_speaking_fte_by_group(runs):
    fig = plots.welsh_speaking(runs)
    left, right = fig.axes
    welsh, fte = group_means(runs, "welsh_speaking_fte"), group_means(runs, "fte")
    np.testing.assert_allclose(lines(left)["social_work"].get_ydata(), welsh["social_work"].to_numpy())
    last = bars(right, str(UNTIL))
    assert len(bars(right, "2021")) == len(last)
    groups = list(runs[0].scenario.groups)
    np.testing.assert_allclose([b.get_width() for b in last], (welsh.loc[UNTIL, groups] / fte.loc[UNTIL, groups]).to_numpy())


@pytest.mark.parametrize("call, message", [
    (lambda r: plots.fte_over_time(r, groups=["midwifery"]), "groups: expected staff groups of the results"),
    (lambda r: plots.fte_over_time(r, measure="happiness"), "measure: expected a measure present in the results"),
    (lambda r: plots.age_sex_pyramid(r.tidy()), "events: expected results with an event log"),
    (lambda r: plots.age_sex_pyramid(r, years=[1999]), "years: expected years of the run (2021-2024)"),
    (lambda r: plots.pathway_flows(r, "midwifery"), "pathway: expected a pathway of the scenario"),
    (lambda r: plots.training_pipeline(r, pathways=["hcsw", "social_care"]), "pathways: expected pathways with"),
    (lambda r: plots.fte_over_time(42), "expected a Results, a list of Results"),
    (lambda r: plots.fte_over_time("no-such-results-dir"), "no-such-results-dir: <top level>: expected an existing"),
    (lambda r: plots.age_sex_pyramid(r, band_years=0), "band_years: expected a whole number of years from 1 to 65"),
    (lambda r: plots.fte_over_time(r, total="no"), "results: total: expected True or False"),  # "no" is true
], ids=["unknown group", "unknown measure", "no event log", "year outside the run", "unknown pathway",
        "pathway without training", "not results", "missing directory", "age bands of no years", "total as text"])
def test_bad_input_raises_input_error_saying_what_was_expected(runs, call, message):
    with pytest.raises(InputError) as info:
        call(runs[0])
    assert message in str(info.value)


FEEDBACKS_EXPERIMENT = """\
name: tiny_feedbacks
scenario: wales-mh-2021
years: 3
replications: 2
seed: 5
policies:
  workload:
    levers: [{lever: feedbacks, workload: true}]
  staff_loss:
    levers: [{lever: retention, groups: [nursing], factor: 3.0}]
  staff_loss_supervised:
    levers: [{lever: retention, groups: [nursing], factor: 3.0}, {lever: feedbacks, supervision: true}]
"""


@pytest.fixture(scope="module")
def feedbacks_batch(tmp_path_factory):
    from sim.cli import main

    base = tmp_path_factory.mktemp("feedbacks")
    (base / "fb.yaml").write_text(FEEDBACKS_EXPERIMENT)
    assert main(["batch", str(base / "fb.yaml"), "--workers", "1", "--quiet", "--out", str(base / "batch")]) == 0
    return base / "batch"


def test_feedback_effects_draw_each_feedback_on_less_its_twin_off(feedbacks_batch):
    from sim import analysis, folders

    policies = folders.load(feedbacks_batch).manifest["policies"]
    assert plots.feedback_comparisons(policies) == [("workload", "baseline"), ("staff_loss_supervised", "staff_loss")]
    # a policy switching a feedback off (the scenario's on) is not drawn as that feedback on less off
    assert plots.feedback_comparisons({"baseline": [], "off": [{"lever": "feedbacks", "workload": False}]}) == []
    fig = plots.feedback_effects(feedbacks_batch, panels=["leavers:total", "supply_gap_fte:nursing"])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3  # two panels and the places filled
    drawn = lines(fig.axes[0])
    leavers = analysis.compare(feedbacks_batch, "leavers")
    workload = leavers[(leavers.policy == "workload") & (leavers.group == "total")].sort_values("year")
    drawn_workload = drawn["leavers:total:workload less baseline"].get_ydata()
    assert np.allclose(drawn_workload, workload.diff_mean)  # the same paired differences as workforce compare
    assert (np.asarray(drawn_workload) > 0).all()
    places = lines(fig.axes[2])
    assert set(places) == {"places:staff_loss_supervised"}  # only runs with supervision on report places
    with pytest.raises(InputError, match="comparisons"):
        plots.feedback_effects(feedbacks_batch, comparisons=[("workload", "nothing")])
    with pytest.raises(InputError, match="panels"):
        plots.feedback_effects(feedbacks_batch, panels=["fte:nurses"])


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_every_figure_has_a_title_and_labelled_axes_and_no_legend_over_the_data(runs, tmp_path):
    r = runs[0]
    figures = {
        "fte": plots.fte_over_time(runs), "vacancy rate": plots.fte_over_time(runs, measure="vacancy_rate"),
        "supply and demand": plots.supply_demand(runs), "pipeline": plots.training_pipeline(runs),
        "pyramid": plots.age_sex_pyramid(r), "flows": plots.joiners_leavers(r), "welsh": plots.welsh_speaking(runs),
        "differences": plots.policy_differences(comparison()), "by month": plots.fte_by_month(r),
    }
    for name, fig in figures.items():
        fig.savefig(tmp_path / "figure.png")  # laid out, as when saved
        title = fig.get_suptitle() or visible_axes(fig)[0].get_title()
        assert title and "_" not in title, name
        for ax in visible_axes(fig):
            assert ax.get_title(), name
            assert ax.get_xlabel() or ax.get_ylabel(), name
            assert "_" not in ax.get_xlabel() + ax.get_ylabel(), name
            legend = ax.get_legend()
            if legend is not None:  # a legend of an axes sits outside it
                box, inside = legend.get_window_extent(), ax.get_window_extent()
                assert not box.overlaps(inside), name
    rate = figures["vacancy rate"].axes[0]
    assert rate.get_ylabel() == "Vacancy rate (%)"
    assert rate.yaxis.get_major_formatter()(0.25, 0).endswith("%")


def test_the_chart_of_a_run_with_replications_draws_their_mean_and_band(runs, tmp_path):
    from sim.replications import group_values

    values = pd.concat([group_values(r).assign(seed=r.seed) for r in runs], ignore_index=True)
    src = plots.source(values)
    src.scenario = runs[0].scenario
    fig = plots.fte_over_time(src)
    ax = fig.axes[0]
    assert {c.get_gid() for c in ax.collections} == {f"{g}:band" for g in runs[0].scenario.groups}
    assert all(float(t).is_integer() for t in ax.get_xticks())  # ticks on whole years
    plots.run_chart(runs[0], tmp_path / "fte_by_group.png", values)
    assert (tmp_path / "fte_by_group.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("replications", [0, -1, 1.5])
def test_run_replications_refuses_a_number_of_runs_that_is_not_a_whole_number_from_1(replications):
    with pytest.raises(InputError) as info:
        run_replications("wales-mh-2021", replications=replications, until=2022)
    assert "run_replications: replications: expected a whole number of runs, at least 1" in str(info.value)


@pytest.mark.parametrize("label", ["Band $\\frac{$ staff", "Pay $5 and $6"])
def test_a_label_with_dollar_signs_is_drawn_as_written(tmp_path, label):
    """A group's or stage's label is text, not mathematics: one with two ``$`` that is no mathematics stopped
    every figure naming it, and one that is was drawn in italics without its spaces."""
    path = tiny_scenario.write(tmp_path, {"groups.staff.label": label, "intake.course/student.places": {2019: 10}},
                               {"stages.student.label": label})
    r = run(path, until=2023)
    figures = [plots.fte_over_time(r), plots.supply_demand(r), plots.training_pipeline(r), plots.age_sex_pyramid(r),
               plots.age_sex_pyramid(r, group="staff"), plots.joiners_leavers(r, group="staff"),
               plots.welsh_speaking(r), plots.fte_by_month(r), plots.pathway_flows(r, "course")]
    for fig in figures:
        fig.savefig(tmp_path / "figure.png")
    fig = figures[0]
    shown = next(t for t in fig.legends[0].get_texts() if "$" in t.get_text())
    written = fig.text(0, 0, label, parse_math=False, fontproperties=shown.get_fontproperties())
    assert shown.get_window_extent().width == pytest.approx(written.get_window_extent().width)

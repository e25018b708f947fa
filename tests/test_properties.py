"""Property-based tests: random valid scenarios keep every invariant at every step.

Hypothesis draws small scenarios -- one or two staff groups, up to three pathways of up to four
stages each (training or not, in the workforce or not, random durations, attrition and LTFT),
transitions onward, back (cycles with a way out), across to another pathway and out through
exits; random leaving, retirement, hours, retire-and-return, establishment and joiner rates;
random stocks and intakes, in-service routes -- and a random set of policy levers, and runs
each with ``check=True``: after every step ``sim.invariants.check_step`` verifies that headcount
changes only by recorded flows, nobody is in two places, nobody is younger than their stage
allows or older than their group's maximum age, FTE is in (0, 1] for everyone counted, FTE
changes only by recorded flows and changes of hours, intakes keep within their places, joiners
within the vacancies, and no count is negative; after the last step the event log replays to
the final state. The examples are derandomized, so every run checks
the same scenarios.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim import WorkforceModel, calendar, interventions, scenario
from sim.invariants import replay
from sim.people import Status

# derandomized: the same examples on every run (CI is deterministic); no shrinking, which can take
# minutes on a model run: a failure reports the example as drawn
SETTINGS = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BANDS = [0, 30, 55, 60]
prob = st.floats(0.0, 1.0)
small_rate = st.floats(0.0, 0.4)


def bands_of(draw, rate):
    kind = draw(st.sampled_from(["one", "bands", "by sex"]))
    if kind == "one":
        return draw(rate)
    values = st.lists(rate, min_size=len(BANDS), max_size=len(BANDS))
    if kind == "bands":
        return draw(values)
    return {"female": draw(values), "male": draw(values)}


def age_distribution(draw, low=16.0, high=70):
    """Age bands from ``low`` to at most ``high`` (a group's retirement age: nobody starts past it)."""
    quarters = sorted(draw(st.lists(st.integers(int(4 * low), int(4 * min(high, 70))), min_size=2, max_size=4,
                                    unique=True)))
    weights = [draw(st.floats(0.1, 1.0)) for _ in quarters[1:]]
    total = sum(weights)
    return [[a / 4, b / 4, w / total] for a, b, w in zip(quarters, quarters[1:], weights)]


def shares(draw, names):
    weights = [draw(st.floats(0.05, 1.0)) for _ in names]
    total = sum(weights)
    return {n: w / total for n, w in zip(names, weights)}


@st.composite
def scenarios(draw):
    """(scenario dict, {file name: pathway dict}, levers) of a small valid scenario."""
    groups = ["alpha", "beta"][: draw(st.integers(1, 2))]
    max_age = {g: draw(st.integers(60, 75)) for g in groups}
    n_pathways = draw(st.integers(1, 3))
    names = [f"p{i}" for i in range(n_pathways)]
    sizes = [draw(st.integers(1, 4)) for _ in names]
    all_stages = [f"{p}/s{j}" for p, n in zip(names, sizes) for j in range(n)]
    pathways, info = {}, {}
    for p, n in zip(names, sizes):
        stages = {}
        for j in range(n):
            final = j == n - 1
            training = not final and draw(st.booleans())
            stage = {"staff_group": draw(st.sampled_from(groups)), "training": training,
                     "workforce": (not training) or draw(st.booleans()), "entry": j == 0 or draw(st.booleans())}
            if not final:
                stage["duration_years"] = draw(st.sampled_from([0.25, 0.5, 1, 1.5, 2, 3]))
                # the next stage (so every stage is reachable and there is a way out), maybe back (a cycle),
                # across to any stage of any pathway, or out through an exit
                targets = [f"s{j + 1}"]
                if draw(st.booleans()):
                    targets.append(f"s{draw(st.integers(0, j))}")
                if draw(st.booleans()):
                    targets.append(draw(st.sampled_from(all_stages)))
                if draw(st.booleans()):
                    targets.append(f"exit:{draw(st.sampled_from(['other_specialty', 'abroad']))}")
                targets = list(dict.fromkeys(t[len(p) + 1:] if t.startswith(f"{p}/") else t for t in targets))
                stage["transitions"] = shares(draw, targets)
                if training:
                    stage["attrition"] = draw(st.floats(0.0, 0.5))
                    if draw(st.booleans()):
                        low = draw(st.floats(0.3, 1.0))
                        stage["ltft"] = {"share": draw(prob), "fraction": [low, draw(st.floats(low, 1.0))]}
            stages[f"s{j}"] = stage
            info[f"{p}/s{j}"] = stage
        pathways[f"{p}.yaml"] = {"name": p, "stages": stages}

    def group(name):
        own_posts = [s for s in all_stages if info[s]["staff_group"] == name and not info[s]["training"]]
        low = draw(st.floats(0.05, 1.0))
        spec = {
            "label": name, "sector": draw(st.sampled_from(["nhs", "social_care"])), "female_share": draw(prob),
            "welsh_share": draw(prob), "welsh_share_new": draw(prob),
            "participation": {"part_time_share": bands_of(draw, prob), "part_time_fte": [low, draw(st.floats(low, 1.0))],
                              "change_per_year": draw(small_rate)},
            "leaving": {"rate": bands_of(draw, small_rate),
                        "reasons": shares(draw, draw(st.sampled_from([["elsewhere"], ["wales", "profession"]])))},
            "retirement": {"rate": bands_of(draw, small_rate), "max_age": max_age[name],
                           "mho_share": draw(prob), "mho_retire_at_55": draw(prob)},
            "retire_and_return": {"share": draw(prob), "hours_cut": draw(st.floats(0.0, 0.6)),
                                  "stay_years": sorted([draw(st.floats(0.1, 3.0)), draw(st.floats(0.1, 3.0))])},
            "establishment": ({"vacancies_fte": draw(st.floats(0.0, 50.0))} if draw(st.booleans())
                              else {"vacancy_rate": draw(st.floats(0.0, 0.3))}),
        }
        staffed = any(stock.get("headcount") or stock.get("fte") for s, stock in stocks.items()
                      if s in own_posts and info[s]["workforce"])
        if not staffed and "vacancy_rate" in spec["establishment"]:  # a share of nobody in post funds no post: as FTE
            spec["establishment"] = {"vacancies_fte": 100 * spec["establishment"]["vacancy_rate"]}
        if own_posts and draw(st.booleans()):
            spec["joiners"] = {"per_year": draw(st.floats(0.0, 60.0)), "fill_per_month": draw(st.floats(0.0, 0.5)),
                               "stages": shares(draw, own_posts[: draw(st.integers(1, len(own_posts)))]),
                               "sources": shares(draw, ["uk", "international"]),
                               "age": age_distribution(draw, 21.0, max_age[name])}
        return spec

    def oldest(s):  # a post's group's maximum age; a course's trainees finish by the earliest of their group's
        p = s.split("/")[0]  # and those of the groups it leads to (scenario.course_limit)
        led = [t if "/" in t else f"{p}/{t}" for t in info[s].get("transitions", {}) if not t.startswith("exit:")]
        return min(max_age[info[x]["staff_group"]] for x in [s, *(led if info[s]["training"] else [])])

    def course(s):  # the years the slowest trainees take (the lowest LTFT fraction), 0 for a post
        if not info[s]["training"]:
            return 0
        ltft = info[s].get("ltft")
        return info[s]["duration_years"] / (ltft["fraction"][0] if ltft and ltft["share"] > 0 else 1.0)

    stocks = {}
    for s in all_stages:
        if draw(st.booleans()):
            n = draw(st.integers(0, 80))
            # a training stock's age is the age on entering: its trainees finish the course within the maximum age
            stock = {"headcount": n, "age": age_distribution(draw, high=oldest(s) - course(s))}
            kind = draw(st.sampled_from(["headcount", "both", "fte"]))
            if kind != "headcount":
                least = scenario.MIN_STOCK_FTE * n if kind == "both" else 0.0  # what the headcount can work
                stock["fte"] = float(draw(st.floats(least, float(n))))
            if kind == "fte":
                del stock["headcount"]
            stocks[s] = stock
    intake = {}
    for s in all_stages:
        if info[s]["entry"] and draw(st.booleans()):
            spec = {"month": draw(st.integers(1, 12)),
                    "places": {2019: draw(st.integers(0, 40)), 2021: draw(st.integers(0, 40))},
                    "fill_rate": draw(prob)}
            posts = [x for x in all_stages if not info[x]["training"] and x != s]
            if posts and draw(st.integers(0, 3)) == 0:
                spec["from_stage"] = draw(st.sampled_from(posts))  # an in-service route
            else:
                spec["age"] = age_distribution(draw, high=oldest(s) - course(s))
            intake[s] = spec
    data = {
        "name": "random", "start": "2020-03", "end": f"{draw(st.integers(2021, 2023))}-03",
        "mho_end": draw(st.sampled_from(["2020-06", "2022-03"])), "age_bands": BANDS,
        "pathways": list(pathways), "groups": {g: group(g) for g in groups if any(info[s]["staff_group"] == g for s in all_stages)}, "stocks": stocks, "intake": intake,
    }
    return data, pathways


def levers_for(s, data) -> list:
    """A random, valid policy for a loaded scenario: each lever acts within the run (a start from the
    scenario's start to its end, and places changed at an intake of the run)."""
    training = [x for i, x in enumerate(s.stages) if s.stage_training[i]]
    with_transitions = [x for x in s.stages if list(s.graph.successors(x))]
    with_joiners = [g for g in s.groups if s.spec.groups[g].joiners]
    start = st.sampled_from([x for x in (None, "2020-09", "2021-06") if x is None or calendar.parse(x) <= s.end])
    options = [
        st.builds(interventions.RetireAndReturn, share=prob, retirement_factor=st.floats(0.0, 2.0), start=start),
    ]
    if (~s.stage_training[s.stage_group == 0]).any():  # a group of training stages alone has nobody to retain
        options.insert(0, st.builds(interventions.Retention, groups=st.just([s.groups[0]]),
                                    factor=st.floats(0.0, 2.0), start=start))
    if s.spec.intake:
        options.append(st.builds(interventions.TrainingPlaces, stage=st.sampled_from(sorted(s.spec.intake)),
                                 extra=st.floats(-20.0, 30.0), start=start)
                       .filter(lambda lever: not lever.problems(s)
                               and not interventions.start_problems(lever, s, s.end)
                               # up to three cuts of a stage together: none takes more than a third of its places
                               and 3 * -lever.extra <= min(s.spec.intake[lever.stage].places.values())))
    if training:
        options += [st.builds(interventions.LtftTraining, stages=st.just(training[:1]), share=prob,
                              fraction=st.just((0.5, 0.8)), start=start),
                    st.builds(interventions.TrainingAttrition, stages=st.just(training), reduction=prob, start=start)]
    if with_joiners:
        options.append(st.builds(interventions.Recruitment, groups=st.just(with_joiners[:1]),
                                 extra_per_year=st.floats(1.0, 40.0), source=st.just("international"),
                                 funded=st.booleans(), start=start))
    options.append(st.builds(interventions.FundedPosts, groups=st.just([s.groups[-1]]), fte=st.floats(0.0, 50.0),
                             share=st.floats(0.0, 0.5), ramp_years=st.floats(0.0, 3.0), start=start))
    if with_transitions:
        stage = with_transitions[0]
        targets = [t for t in s.graph.successors(stage)]

        @st.composite
        def transitions(draw):
            return interventions.Transitions(stage=stage, shares=shares(draw, targets), start=draw(start))

        options.append(transitions())
    # valid together as a policy file's levers must be: none replaced by a later one, none taken past a bound by another
    return data.draw(st.lists(st.one_of(options), min_size=1, max_size=3)
                     .filter(lambda levers: not interventions.policy_problems(levers, s, s.end)))


@SETTINGS
@given(scenarios(), st.integers(0, 2**32), st.data())
def test_random_scenarios_keep_every_invariant_at_every_step(drawn, seed, more):
    data, pathways = drawn
    with tempfile.TemporaryDirectory() as tmp:
        for name, pathway in pathways.items():
            (Path(tmp) / name).write_text(yaml.safe_dump(pathway))
        (Path(tmp) / "random.yaml").write_text(yaml.safe_dump(data))
        loaded = scenario.load(Path(tmp) / "random.yaml")  # the generator makes only valid scenarios
    levers = levers_for(loaded, more)
    model = WorkforceModel(scenario=loaded, interventions=levers, check=True, rng=seed)
    model.run()  # check_step after every step: raises InvariantError on any breach, and replays the log at the end
    assert model.now == model.end
    p = model.people
    stage, status = replay(model.events, p.count, model.inputs.stage_training)
    assert np.array_equal(stage, p.stage[: p.count]) and np.array_equal(status, p.status[: p.count])
    counted = model.counted()
    assert np.array_equal(np.bincount(p.stage[counted], minlength=len(model.inputs.stages)),
                          model.history[-1]["stage_headcount"])
    in_post = counted[p.status[counted] != Status.TRAINING]
    assert ((p.fte[in_post] > 0) & (p.fte[in_post] <= 1)).all()


# ---- what the properties found ----------------------------------------------------------------------------
def test_an_intake_straight_into_a_post_meets_leaving_in_its_first_month(tmp_path):
    """Regression: people taken on into a post (an entry stage that is not training) were not yet aged
    when leaving and retirement looked at them the same month: an IndexError."""
    import tiny_scenario

    path = tiny_scenario.write(tmp_path, {
        "intake": {"course/worker": {"month": 9, "places": {2019: 20}, "age": [[25, 40, 1.0]]}},
        "groups.staff.leaving.rate": 0.1})
    model = WorkforceModel(scenario=path, rng=1, check=True, until=2022).run()
    reasons = model.events.table().reason.value_counts()
    assert reasons["intake"] == 40 and reasons["left:elsewhere"] > 0


def test_a_transition_target_named_twice_is_an_input_error(tmp_path, load_error):
    """Regression: 'worker' and 'course/worker' are one stage; the second silently replaced the first's
    probability, and the stage's transitions no longer summed to 1."""
    import tiny_scenario

    path = tiny_scenario.write(tmp_path, None, {
        "stages.student.transitions": {"worker": 0.5, "course/worker": 0.3, "exit:elsewhere": 0.2}})
    load_error(path, "course.yaml", "stages.student.transitions.course/worker", "each target named once")

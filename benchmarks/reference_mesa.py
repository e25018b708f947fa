"""The usual way of writing a Mesa model: one ``mesa.Agent`` per person, for comparison only.

This is not part of the package. It re-implements the package's monthly processes for the
psychiatry and nursing pathways the way a Mesa model is usually written: each person is an
instance of ``Person(mesa.Agent)`` with plain Python attributes, each process is an agent
method run over ``model.agents`` with ``AgentSet.do``, random draws come from
``self.random`` (the model's seeded ``random.Random``) and group-level draws from
``model.rng``, and people who leave are removed from the model with ``agent.remove()``.
It exists to measure the package against (``bench_vs_mesa.py``) and to cross-check its
results (``tests/test_reference.py``).

It reads the same inputs as the package: ``sim.scenario.load`` validates and compiles the
scenario, and the reference takes its stage table, transition tables and rates from the
compiled ``Scenario`` (turned into Python lists once, so that per-agent look-ups are plain
indexing). ``reduced_scenario`` writes the shipped default scenario restricted to the
psychiatry and nursing pathways, groups, stocks and intakes.

Processes, in the package's order (``sim/model.py``), each month:

1. ageing        every agent's age goes up a month;
2. progression   agents whose stage ends this month take one of its transitions; entering a
                 training stage draws LTFT (share, fraction) and the stage's end, full-time
                 duration / fraction;
3. intake        in an intake month, places x fill rate (binomial), less pipeline arrivals
                 since the last intake, new agents are created (with ``fill_rate_of:
                 places_left``, arrivals up to the places each have one and the rate fills the rest);
4. attrition     trainees leave at the stage's monthly hazard;
5. leaving       people in post leave at the annual hazard by group, age band and sex,
                 made monthly as 1 - (1 - p)^(1/12) (done by the scenario compiler);
6. hours         people in post reconsider their hours and redraw full or part time by
                 age band and sex;
7. retirement    by age band, at the maximum age, or at 55 for MHO status holders until the
                 status ends; a share of retirees (by age band and sex at retiring) will return;
                 returners' stays end;
8. returning     retirees due back return at reduced hours for a limited stay.

The starting stocks are built as ``sim.population.create`` builds them: ages, sexes, hours matched to the
stock's FTE, trainees spread over past cohorts, MHO status for those who could have been in post when it
closed, and staff in post back after retiring at their group's steady share.

Joiners (recruits from outside the pipeline filling vacancies) are excluded from both
implementations: ``reduced_scenario`` sets each group's ``joiners.per_year`` to 0, so the
package's joiners process returns at once, and the reference has no joiners process.
Intake from a stage (in-service routes) is not implemented: psychiatry and nursing have none.
The reference keeps no event log; it records stage headcount and FTE each month with a
``mesa.DataCollector``.

The package draws its random numbers from hashed per-person streams and this reference from
``random.Random``, so the two never agree person by person, only in distribution.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections import Counter
from pathlib import Path

import mesa
import yaml

from sim import calendar
from sim import scenario as scenario_module
from sim.pathways import PATHWAY_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaled import scale  # noqa: E402  (beside this file)

PATHWAYS = ("psychiatry", "nursing")
NEVER = 2**31 - 1

# statuses, as in sim.people.Status
TRAINING, IN_POST, RETIRED, RETURNED = "training", "in_post", "retired", "returned"
NEW = "new"  # created, not yet in a stage
COUNTED = (TRAINING, IN_POST, RETURNED)


def reduced_scenario(directory: Path, people: int | None = None, years: int | None = None) -> Path:
    """Write the shipped default scenario restricted to psychiatry and nursing; return its path.

    Keeps only those pathways (pointed at the shipped files by absolute path), groups, stocks and
    intakes, and sets every group's ``joiners.per_year`` to 0 (no joiners in either model). The
    ``uncertain`` and ``calibration`` entries are dropped (they name parameters of other groups),
    so the reduced scenario is the shipped values, uncalibrated. With
    ``people``, every stock, intake and vacancy figure is scaled so that the starting population
    is about that many people (as ``bench_engine.py`` scales its synthetic scenario); with
    ``years``, the scenario ends that many years after its start.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(scenario_module.resolve(scenario_module.DEFAULT).read_text(encoding="utf-8"))
    keep = lambda stage: stage.split("/")[0] in PATHWAYS  # noqa: E731
    data.pop("uncertain", None)  # names parameters of the groups left out
    data.pop("feedbacks", None)  # names stages and groups left out (and is off)
    data.pop("calibration", None)  # a calibration's overrides may too: the reduced scenario is uncalibrated
    data["name"] = f"{data['name']}-psychiatry-nursing"
    data["description"] = "The default scenario restricted to psychiatry and nursing, without joiners"
    data["pathways"] = [str(PATHWAY_DIR / f"{name}.yaml") for name in PATHWAYS]
    data["groups"] = {name: g for name, g in data["groups"].items() if name in PATHWAYS}
    data["stocks"] = {stage: s for stage, s in data["stocks"].items() if keep(stage)}
    data["intake"] = {stage: s for stage, s in data["intake"].items() if keep(stage)}
    for group in data["groups"].values():
        if group.get("joiners"):
            group["joiners"]["per_year"] = 0
    if years is not None:
        data["end"] = calendar.label(calendar.parse(data["start"]) + 12 * int(years))
    path = directory / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    if people is None:
        return path
    from sim import WorkforceModel  # only to count the unscaled starting population

    scale(data, people / len(WorkforceModel(scenario=path, rng=0).counted()))
    data["name"] = f"{data['name']}-{people}"
    path = directory / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


class Person(mesa.Agent):
    """A nurse, doctor or trainee: where they are on their pathway, their age, sex and hours."""

    def __init__(self, model: ReferenceModel, sex: int, age_months: int, welsh: bool):
        super().__init__(model)
        self.sex = sex  # 0 female, 1 male
        self.age_months = age_months
        self.welsh = welsh
        self.status = NEW
        self.stage = self.group = None
        self.stage_entry, self.stage_due = model.now, NEVER
        self.ltft, self.ltft_fraction = False, 1.0
        self.fte = 0.0
        self.mho = False
        self.return_due = self.return_until = NEVER

    # ---- helpers ----------------------------------------------------------------------------
    @property
    def band(self) -> int:
        return bisect.bisect_right(self.model.band_edges, self.age_months) - 1

    def enter_stage(self, stage: int) -> None:
        """Start a stage: status, LTFT, when the stage ends, and hours if newly in post."""
        model, t = self.model, self.model.tables
        was_training = self.status in (TRAINING, NEW)
        training = t.training[stage]
        self.stage, self.group = stage, t.group[stage]
        self.stage_entry = model.now
        self.status = TRAINING if training else IN_POST
        self.ltft, self.ltft_fraction = False, 1.0
        share = t.ltft_share[stage][self.sex]  # by sex; the reference draws it afresh at each stage
        if training and share > 0 and self.random.random() < share:
            low, high = t.ltft_range[stage]
            self.ltft, self.ltft_fraction = True, low + (high - low) * self.random.random()
        months = t.months[stage]
        self.stage_due = model.now + math.ceil(months / self.ltft_fraction) if months > 0 else NEVER
        if training and t.extra_share[stage] > 0 and self.random.random() < t.extra_share[stage]:
            low, high = t.extra_months[stage]  # time out, an extension: the stage ends later
            self.stage_due += math.ceil(low + (high - low) * self.random.random())
        if training:
            self.fte = self.ltft_fraction
        elif was_training:
            self.fte = self.draw_fte()
        model.arrived[stage] += 1

    def draw_fte(self) -> float:
        """Full time, or part time uniformly in the group's range, by age band and sex."""
        t = self.model.tables
        if self.random.random() < t.part_time_share[self.group][self.sex][self.band]:
            low, high = t.part_time_range[self.group]
            return low + (high - low) * self.random.random()
        return 1.0

    def leave(self, reason: str) -> None:
        """Leave the modelled workforce for good (the reason is not kept: no event log here)."""
        self.remove()

    def retire(self, reason: str) -> None:
        """Retire; a share will come back within a year and stay in the model until then."""
        t = self.model.tables
        self.status = RETIRED
        if self.random.random() < t.return_share[self.group][self.sex][self.band]:
            self.return_due = self.model.now + 1 + math.floor(12 * self.random.random())
        else:
            self.remove()

    # ---- the monthly processes, run over model.agents in the model's order -------------------
    def grow_older(self) -> None:
        self.age_months += 1

    def progress(self) -> None:
        if self.status not in (TRAINING, IN_POST) or self.stage_due > self.model.now:
            return
        t = self.model.tables
        cumulative = t.transition_cumulative[self.stage]
        k = min(bisect.bisect_right(cumulative, self.random.random() * cumulative[-1]), len(cumulative) - 1)
        target = t.transition_targets[self.stage][k]
        if target < 0:
            self.leave(f"exit:{t.transition_reasons[self.stage][k]}")
        else:
            self.enter_stage(target)

    def training_attrition(self) -> None:
        if self.status == TRAINING and self.random.random() < self.model.tables.attrition[self.stage][self.sex]:
            self.leave("attrition")

    def consider_leaving(self) -> None:
        if self.status != IN_POST:
            return
        t = self.model.tables
        if self.random.random() < t.leave_monthly[self.group][self.sex][self.band]:
            names, shares = t.leaving_reasons[self.group]
            self.leave("left:" + self.random.choices(names, weights=shares)[0])

    def reconsider_hours(self) -> None:
        t = self.model.tables
        if self.status == IN_POST and not t.training[self.stage] and self.random.random() < t.hours_change[self.group]:
            self.fte = self.draw_fte()

    def consider_retiring(self) -> None:
        model, t = self.model, self.model.tables
        if self.status == RETURNED:
            if self.return_until <= model.now:
                self.leave("return_ended")
            return
        if self.status != IN_POST or t.training[self.stage]:
            return
        g, age = self.group, self.age_months
        if self.random.random() < t.retire_monthly[g][self.sex][self.band] or age >= t.max_age_months[g]:
            self.retire("retired")
        elif (self.mho and age == 55 * 12 and model.now <= model.mho_end
              and self.random.random() < t.mho_retire_at_55[g]):
            self.retire("retired_mho")

    def come_back(self) -> None:
        if self.status != RETIRED or self.return_due != self.model.now:
            return
        t = self.model.tables
        low, high = t.return_stay_months[self.group]
        stay = max(round(low + (high - low) * self.random.random()), 1)
        self.fte *= 1.0 - t.return_hours_cut[self.group]
        self.status = RETURNED
        self.return_due, self.return_until = NEVER, self.model.now + stay


class Tables:
    """The compiled scenario's arrays as Python lists, for cheap per-agent look-ups."""

    def __init__(self, s: scenario_module.Scenario):
        self.training = s.stage_training.tolist()
        self.workforce = s.stage_workforce.tolist()
        self.group = s.stage_group.tolist()
        self.months = s.stage_months.tolist()
        self.attrition = s.stage_attrition.tolist()
        self.ltft_share = s.stage_ltft_share.tolist()
        self.ltft_range = s.stage_ltft_range.tolist()
        self.extra_share = s.stage_extra_share.tolist()
        self.extra_months = s.stage_extra_months.tolist()
        self.transition_targets = [t.tolist() for t in s.transition_targets]
        self.transition_cumulative = [c.tolist() for c in s.transition_cumulative]
        self.transition_reasons = s.transition_reasons
        self.part_time_share = s.part_time_share.tolist()  # [group][sex][band]
        self.part_time_range = s.part_time_range.tolist()
        self.hours_change = s.hours_change_monthly.tolist()
        self.leave_monthly = s.leave_monthly.tolist()
        self.retire_monthly = s.retire_monthly.tolist()
        self.max_age_months = s.max_age_months.tolist()
        self.mho_share = s.mho_share.tolist()
        self.mho_born_by = s.mho_born_by.tolist()
        self.mho_retire_at_55 = s.mho_retire_at_55.tolist()
        self.return_share = s.return_share.tolist()  # [group][sex][band]
        self.return_hours_cut = s.return_hours_cut.tolist()
        self.return_stay_months = s.return_stay_months.tolist()
        self.leaving_reasons = [(list(s.spec.groups[g].leaving.reasons), list(s.spec.groups[g].leaving.reasons.values()))
                                for g in s.groups]


class ReferenceModel(mesa.Model):
    """Object-per-agent version of ``sim.WorkforceModel`` for the psychiatry and nursing pathways.

    Args:
        scenario: a path to a scenario file (see ``reduced_scenario``) or a loaded ``Scenario``.
        until: last year to simulate (runs to the scenario's end month of that year).
        rng: seed, as in Mesa.
    """

    def __init__(self, scenario, until: int | None = None, rng=None):
        super().__init__(rng=rng)
        s = scenario if isinstance(scenario, scenario_module.Scenario) else scenario_module.load(scenario)
        unknown = {st for st in s.stages if st.split("/")[0] not in PATHWAYS}
        if unknown or any(spec.from_stage for spec in s.spec.intake.values()):
            raise ValueError("the reference covers the psychiatry and nursing pathways only (see reduced_scenario)")
        self.inputs, self.tables = s, Tables(s)
        self.band_edges = s.band_edges.tolist()
        self.mho_end = s.mho_end
        self.now = s.start
        self.end = s.end if until is None else min(s.end, int(until) * 12 + s.end % 12)
        self.arrived = [0] * len(s.stages)  # pipeline arrivals in each stage since its last intake
        self.create_stocks()
        self.arrived = [0] * len(s.stages)
        self.datacollector = mesa.DataCollector(model_reporters={"stage_headcount": "stage_headcount",
                                                                 "stage_fte": "stage_fte"})
        self.tally()
        self.running = self.now < self.end

    def step(self) -> None:
        self.now += 1
        self.agents.do("grow_older")
        self.agents.do("progress")
        self.intake()
        self.agents.do("training_attrition")
        self.agents.do("consider_leaving")
        self.agents.do("reconsider_hours")
        self.agents.do("consider_retiring")
        self.agents.do("come_back")
        self.tally()
        self.running = self.now < self.end

    def run(self) -> ReferenceModel:
        while self.running:
            self.step()
        return self

    # ---- people -----------------------------------------------------------------------------
    def new_person(self, age, female_share: float, welsh_share: float) -> Person:
        """A new agent: age uniform within a band drawn by the bands' shares, sex, Welsh ability."""
        band = self.random.choices(age, weights=[b.share for b in age])[0]
        age_months = math.floor(12 * (band.low + (band.high - band.low) * self.random.random()))
        sex = 0 if self.random.random() < female_share else 1
        return Person(self, sex, age_months, self.random.random() < welsh_share)

    def create_stocks(self) -> None:
        """The starting stock of each stage, as ``sim.population.create`` builds it."""
        s, t = self.inputs, self.tables
        for stage_name, stock in s.spec.stocks.items():
            stage = s.stage_code(stage_name)
            group = s.spec.groups[s.groups[t.group[stage]]]
            female = stock.female_share if stock.female_share is not None else group.female_share
            n = stock.headcount if stock.headcount is not None else math.ceil(stock.fte / 0.3) + 10
            people = [self.new_person(stock.age, female, group.welsh_share) for _ in range(n)]
            for person in people:
                person.enter_stage(stage)
                if t.workforce[stage] and not t.training[stage]:
                    self.returned(person)
            if stock.fte is not None:
                people = self.match_fte(people, stock.fte, exact_headcount=stock.headcount is not None)
            intake = s.spec.intake.get(stage_name)
            for person in people:
                self.spread_over_cohorts(person, intake)
                if not t.training[stage]:  # MHO status: only those in post when it closed, reaching 55 before it ends
                    eligible = self.now - person.age_months <= t.mho_born_by[person.group]
                    person.mho = eligible and self.random.random() < t.mho_share[person.group]

    def returned(self, person: Person) -> None:
        """A member of staff in post at the start who is back after retiring, at the group's steady share
        (as ``sim.population`` makes them): the year's retirements x the share coming back x the mean stay,
        x, over 1 + x; back at reduced hours for what is left of a stay drawn in proportion to its length."""
        t, g, sex, band = self.tables, person.group, person.sex, person.band
        low, high = t.return_stay_months[g]
        x = (1 - (1 - t.retire_monthly[g][sex][band]) ** 12) * t.return_share[g][sex][band] * (low + high) / 24
        if self.random.random() >= x / (1 + x):
            return
        stay = math.sqrt(low ** 2 + self.random.random() * (high ** 2 - low ** 2))
        left = max(math.ceil(self.random.random() * stay), 1)
        person.fte *= 1.0 - t.return_hours_cut[g]
        person.status = RETURNED
        person.return_until = min(self.now + left, self.now - person.age_months + t.max_age_months[g])

    def match_fte(self, people: list[Person], target: float, exact_headcount: bool) -> list[Person]:
        """Headcount and FTE given: scale the part-timers' hours; FTE only: keep people until it is reached."""
        if exact_headcount:
            part = [p for p in people if p.fte < 1.0]
            needed = target - (len(people) - len(part))
            if part and needed > 0:
                scale = needed / sum(p.fte for p in part)
                for p in part:
                    p.fte = min(max(p.fte * scale, 0.05), 1.0)
            return people
        total, best, keep = 0.0, abs(target), 0
        for i, p in enumerate(people, start=1):
            total += p.fte
            if abs(total - target) < best:
                best, keep = abs(total - target), i
        for p in people[keep:]:
            p.remove()
        return people[:keep]

    def spread_over_cohorts(self, person: Person, intake) -> None:
        """A trainee in the starting stock entered in one of the past cohorts; due in the future."""
        months = self.tables.months[person.stage]
        if months == 0:
            return
        u = self.random.random()
        if intake is not None:
            last_intake = self.now - ((self.now % 12) - (intake.month - 1)) % 12
            entry = last_intake - 12 * math.floor(u * max(math.ceil(months / 12), 1))
        else:
            entry = self.now - math.floor(u * months)
        due = entry + (person.stage_due - self.now)  # the stay entering drew this month, extra time included
        person.stage_entry, person.stage_due = entry, due if due > self.now else self.now + 1

    # ---- model-level processes ----------------------------------------------------------------
    def intake(self) -> None:
        """Fill this month's training places with new agents, less pipeline arrivals."""
        s = self.inputs
        for stage_name, spec in s.spec.intake.items():
            if calendar.month_of_year(self.now) != spec.month:
                continue
            stage = s.stage_code(stage_name)
            year = calendar.academic_year(self.now)
            places = s.places(stage_name, year)
            whole = int(places // 1) + int(places % 1 > 0 and self.rng.random() < places % 1)  # a fraction: by chance
            # places_left: arrivals up to the places have one, applicants from elsewhere fill the rest at the rate
            taken = min(self.arrived[stage], whole) if spec.fill_rate_of == "places_left" else 0
            filled = taken + int(self.rng.binomial(whole - taken, s.fill_rate(stage_name, year)))
            wanted = max(filled - self.arrived[stage], 0)
            group = s.spec.groups[s.groups[self.tables.group[stage]]]
            female = spec.female_share if spec.female_share is not None else group.female_share
            for _ in range(wanted):
                self.new_person(spec.age, female, group.welsh_share_new).enter_stage(stage)
            self.arrived[stage] = 0

    def tally(self) -> None:
        """Headcount and FTE by stage of everyone counted (in training, in post or returned)."""
        headcount, fte = Counter(), Counter()
        for person in self.agents:
            if person.status in COUNTED:
                headcount[person.stage] += 1
                fte[person.stage] += person.fte
        n = len(self.inputs.stages)
        self.stage_headcount = [headcount[i] for i in range(n)]
        self.stage_fte = [fte[i] for i in range(n)]
        self.datacollector.collect(self)

    @property
    def history(self) -> list[list[int]]:
        """Stage headcount of every month so far, the start first."""
        return self.datacollector.model_vars["stage_headcount"]

"""The default scenario's starting population matches the facts sheet (section 1)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import WorkforceModel
from sim.people import Status


@pytest.fixture(scope="module", params=[0, 1])
def model(request):
    return WorkforceModel(rng=request.param, until=2021)


def test_group_fte_matches_the_facts_sheet_within_one_percent(model):
    fte = model.group_totals(measure="stage_fte")
    published = {"nursing": 3218.2, "psychiatry": 449.3, "hcsw": 1934.9, "psychological_therapies": 957.7}
    for group, value in published.items():
        assert fte[group] == pytest.approx(value, rel=0.01), group


def test_headcounts_match_where_published(model):
    headcount = model.group_totals(measure="stage_headcount")
    assert headcount["psychological_therapies"] == pytest.approx(1135, rel=0.01)
    assert headcount["hcsw"] > 2100  # "over 2,100"
    s, record = model.inputs, model.history[-1]
    non_training = [i for i, st in enumerate(s.stages) if st.startswith("psychiatry/") and not s.stage_training[i]]
    assert record["stage_headcount"][non_training].sum() == 330
    assert record["stage_fte"][non_training].sum() == pytest.approx(292.4, rel=0.01)
    trainees = [s.stage_code("psychiatry/core_psychiatry"), s.stage_code("psychiatry/higher_specialty")]
    assert record["stage_headcount"][trainees].sum() > 150  # "over 150" trainees


def test_trainees_in_every_training_stage_that_runs_in_2021(model):
    s, record = model.inputs, model.history[-1]
    for i, stage in enumerate(s.stages):
        if s.stage_training[i] and stage != "psychology/caap_training":  # the Welsh CAAP course starts 2022/23
            assert record["stage_headcount"][i] > 0, stage


def test_nurse_age_profile_follows_the_facts_sheet(model):
    p, s = model.people, model.inputs
    ids = model.counted()
    nurses = ids[p.stage[ids] == s.stage_code("nursing/registered_nurse")]
    age = (model.now - p.birth_month[nurses]) / 12
    assert (age < 35).mean() == pytest.approx(0.27, abs=0.03)
    assert (age >= 55).mean() == pytest.approx(0.22, abs=0.03)


def test_people_have_consistent_attributes(model):
    p, s = model.people, model.inputs
    ids = model.counted()
    assert ((p.fte[ids] > 0) & (p.fte[ids] <= 1)).all()
    assert (p.status[ids] == Status.TRAINING).sum() == s.stage_training[p.stage[ids]].sum()
    assert not p.mho[ids][s.stage_training[p.stage[ids]]].any()
    born_late = p.birth_month[ids] > s.mho_end - 55 * 12
    assert not p.mho[ids][born_late].any()  # MHO status only for those reaching 55 before it ends
    assert 0.15 < p.welsh[ids].mean() < 0.33
    ltft = p.ltft[ids]
    assert ltft.any() and (p.ltft_fraction[ids][ltft] < 1).all()
    due = p.stage_due[ids]
    timed = s.stage_months[p.stage[ids]] > 0
    assert (due[timed] > model.now).all()
    assert np.unique(ids).size == ids.size

"""Names and words for what the model counts: shares by age band."""

from sim.labels import by_age_band
from sim.fields import BySex

BANDS = [0, 25, 30, 35, 45, 55, 60, 65]


def test_a_share_for_every_band_is_one_figure():
    assert by_age_band(0.6, BANDS) == "60%"
    assert by_age_band([0.6] * 8, BANDS) == "60%"
    assert by_age_band({"female": [0.6] * 8, "male": [0.6] * 8}, BANDS) == "60%"


def test_bands_of_the_same_share_are_named_together_by_their_ages():
    assert by_age_band([0.56] * 6 + [0.37] * 2, BANDS) == "56% under 60, 37% from 60"
    assert by_age_band([0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.3, 0.2], BANDS) == \
        "50% under 30, 60% 30 to 59, 30% 60 to 64, 20% from 65"


def test_each_sex_is_named_when_their_shares_differ():
    rates = BySex(female=[0.6] * 6 + [0.4] * 2, male=[0.5] * 6 + [0.3] * 2)
    assert by_age_band(rates, BANDS) == "women 60% under 60, 40% from 60; men 50% under 60, 30% from 60"
    assert by_age_band(rates.model_dump(), BANDS) == by_age_band(rates, BANDS)  # as a results manifest keeps it

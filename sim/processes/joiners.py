"""Joiners: qualified staff from outside the pipeline fill part of each group's vacancies.

Each month a group's vacancies (funded establishment less FTE in post) are filled at the
group's monthly fill share, capped by the joiners available a year; the number of joiners
is a Poisson draw around that expectation. Each joiner gets a stage and a source (for
example elsewhere in the UK, international recruitment, return to practice) by the group's
shares, and an age, sex and hours of their own.
"""

import numpy as np

from ..population import draw_people
from ..rng import person_keys


def step(model) -> None:
    s, now = model.inputs, model.now
    vacant = np.maximum(model.establishment() - model.post_fte(), 0.0)
    expected = np.minimum(vacant * s.joiner_fill_per_month, s.joiners_per_year / 12.0)
    # one generator per group: a policy that changes one group's expected joiners leaves the
    # other groups' draws alone (a single generator's draw count varies with the expectation)
    counts = np.array([model.streams.generator("joiners", g, now).poisson(e) if e > 0 else 0
                       for g, e in zip(s.groups, expected)])
    batches = []
    for g in np.flatnonzero(counts):
        name, n = s.groups[g], int(counts[g])
        spec = s.spec.groups[name].joiners
        keys = person_keys("joiner", name, now, count=n)
        female = spec.female_share if spec.female_share is not None else s.spec.groups[name].female_share
        ids = draw_people(model, keys, spec.age, female, s.spec.groups[name].welsh_share_new, "joiner")
        stage = np.array([s.stage_code(x) for x in spec.stages], dtype=np.int16)
        stage = stage[model.streams.choice("joiner_stage", now, keys, np.array(list(spec.stages.values())))]
        source = model.streams.choice("joiner_source", now, keys, np.array(list(spec.sources.values())))
        codes = np.array([model.events.reason_code(f"joined:{r}") for r in spec.sources], dtype=np.int16)[source]
        batches.append((ids, stage, codes))
    if batches:
        ids, stage, codes = (np.concatenate(column) for column in zip(*batches))
        model.enter_stage(ids, stage, codes)

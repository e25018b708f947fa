"""Every random decision of the model and the stream that serves it, each declared once.

A stream serves one decision only: two decisions drawing from one stream for the same person
and month would get the same number, and so be tied together (the hours review once drew the
months to the next review from the stream it used on entering a post, so anyone whose first
review fell in the month they entered reviewed again a month later).

The decisions every model makes (building the starting stocks, entering a stage) are declared
here; each monthly process declares its own (``Process.decisions``), and a model's streams are
``registry`` of both: a name declared twice is refused, and ``sim.rng.Streams`` refuses a name
its registry does not declare. ``tests/test_decisions.py`` checks that each name is drawn at
exactly one place in the package and that a run never draws one (stream, month, person) from
two places.

A name ending in ``:`` declares a family, one stream per name built on it (``selection:`` +
the stage's name).
"""

from __future__ import annotations

FAMILY = ":"

DECISIONS: dict[str, str] = {
    # starting stocks (sim.population)
    "stock_age_band": "a starting stock's person: their age band",
    "stock_age": "a starting stock's person: their age within the band",
    "stock_sex": "a starting stock's person: their sex",
    "stock_welsh": "a starting stock's person: their Welsh ability",
    "stock_hours": "a starting stock's person in post: part time or not",
    "stock_hours_fraction": "a starting stock's part-timer: their FTE within the part-time range",
    "stock_cohort": "a starting stock's trainee: the past intake cohort they started in",
    "stock_mho": "a starting stock's person in post: mental health officer status",
    "stock_return": "a starting stock's person in post: back after retiring or not",
    "stock_return_stay": "a starting stock's returner: the stay they are part-way through",
    "stock_return_left": "a starting stock's returner: the part of their stay left",
    # entering a stage (sim.model, sim.kernels.entry)
    "ltft": "a trainee entering a stage: less than full time or not",
    "ltft_fraction": "a less-than-full-time trainee: their training fraction",
    "extra_time": "a trainee entering a stage: taking time beyond its duration (time out, an extension) or not",
    "extra_time_length": "a trainee taking extra time: how long",
    "hours_on_entry": "a person taking up a post: part time or not",
    "hours_on_entry_fraction": "a part-timer taking up a post: their FTE within the part-time range",
    "exit": "a person entering a stage: the threshold of their next exit (sim.processes.exits)",
    "hours_first_review": "a person taking up a post: the months to their first hours review",
}


class UndeclaredStream(LookupError):
    """A draw from a stream that the model's decisions do not declare."""


def registry(*declarations: dict[str, str]) -> dict[str, str]:
    """The decisions of a model: those every model makes and each of its processes' (a name
    declared twice would tie two decisions together, and is refused)."""
    out = dict(DECISIONS)
    for these in declarations:
        twice = sorted(set(out) & set(these))
        if twice:
            raise ValueError(f"random streams declared twice: {', '.join(twice)} (each decision draws from a "
                             "stream of its own)")
        out.update(these)
    return out


def declared(name: str, decisions: dict[str, str] = DECISIONS) -> str:
    """The declaration ``name`` falls under in ``decisions``: itself, or the family (``prefix:``)
    it is built on."""
    if name in decisions:
        return name
    family = name.split(FAMILY, 1)[0] + FAMILY
    if FAMILY in name and family in decisions:
        return family
    raise UndeclaredStream(f"random stream {name!r} is not declared in sim.decisions or by a process of the model "
                           "(each decision draws from a stream of its own, declared once)")

"""The project's own words for a code, before the coder has coded anything.

A codebook says what a code means in a researcher's words (*dosett*, *legemidler*); participants
say it in theirs (*apoteket*, *pilleesken*). Before the coder has units of their own, each code's
description (:meth:`.suggest.Suggester._build_profiles`) takes in the few turns of the project
that fit the code best by the codebook alone: the codebook's keywords, definition and criteria, the
speaker's role and the talk around each turn (a first pass of the same suggester). What those
turns say beside the codebook's words then counts as part of the description, at a lower weight
(``EXPANSION_WEIGHT``), so a span saying the same in the project's words meets the code. This is
pseudo-relevance feedback, as in search: no coding is read, only the project's texts and the
codebook. Once the coder has units, their own units say it better, and the codebook's description
speaks alone again.

The turns read are a sample (``EXPANSION_SAMPLE``) of the participants' turns with a few content
words; the pass is made once per codebook, texts and roles (cached), not after every coding.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

# Chosen on the tuning studies only (hjemmetjeneste, lar-hverdag, overgang-kommune, fengsel-helse),
# cold: 3-8 turns and a weight of 0.25-0.5 did alike; fewer turns or more weight did worse.
EXPANSION_TURNS = 5      # a code takes in the turns that fit it best, this many ...
EXPANSION_WEIGHT = 0.35  # ... at this weight, together, against the codebook's own words (1)
EXPANSION_SAMPLE = 600   # participants' turns read at most (evenly spread)
MIN_WORDS = 3            # a turn with fewer content words says too little to learn from
MIN_FIT = 0.08           # a turn fits a code when it is its best code at least this much (not a guess)

T = TypeVar("T")
_EXPANSIONS: dict[tuple, Any] = {}


def fitting_turns(turns: Iterable[tuple[object, Counter[str]]],
                  best: Callable[[object], tuple[str, float] | None]) -> dict[str, list[Counter[str]]]:
    """Per code, the bags of the turns it fits best (``EXPANSION_TURNS`` at most, best first).
    ``turns``: (turn, its content bag); ``best``: a turn's best code and its score, or ``None``."""
    fits: dict[str, list[tuple[float, int, Counter[str]]]] = defaultdict(list)
    for n, (turn, bag) in enumerate(turns):
        if len(bag) < MIN_WORDS:
            continue
        found = best(turn)
        if found is not None and found[1] >= MIN_FIT:
            fits[found[0]].append((-found[1], n, bag))
    return {code: [bag for *_, bag in sorted(rows)[:EXPANSION_TURNS]] for code, rows in fits.items()}


def expand(profiles: Mapping[str, dict[str, float]], fitting: Mapping[str, list[Counter[str]]],
           vector: Callable[[Mapping[str, float]], dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each code's profile with the mean of its fitting turns' vectors added at
    ``EXPANSION_WEIGHT``, unit length again; a code no turn fits keeps its profile."""
    out = {}
    for code, profile in profiles.items():
        bags = fitting.get(code)
        if not bags:
            out[code] = profile
            continue
        mixed: dict[str, float] = defaultdict(float, profile)
        for bag in bags:
            for k, v in vector(bag).items():
                mixed[k] += EXPANSION_WEIGHT * v / len(bags)
        norm = math.sqrt(sum(v * v for v in mixed.values())) or 1.0
        out[code] = {k: v / norm for k, v in mixed.items()}
    return out


def cached(key: tuple, build: Callable[[], T]) -> T:
    """What ``build`` makes of the turns for ``key`` (codebook, texts, roles), built once."""
    key = (*key, EXPANSION_TURNS, EXPANSION_WEIGHT, EXPANSION_SAMPLE)
    found = _EXPANSIONS.get(key)
    if found is None:
        if len(_EXPANSIONS) > 8:
            _EXPANSIONS.clear()
        found = _EXPANSIONS[key] = build()
    return found

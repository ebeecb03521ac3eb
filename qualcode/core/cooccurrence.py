"""Co-occurrence of codes: which codes are given to the same passages, and how strongly.

What counts as coded with both (the definitions ``qualcode cooccurrence`` and the workbench use):

**unit level** (the default): two meaning units *co-occur* when they are coded by the same coder
in the same transcript, with two different codes, and their spans share at least one character
(``a.start < b.end and b.start < a.end``; the same span coded twice counts too). Units of two
coders never co-occur: co-coding is what one reader saw together, not where two readers
happened to agree. For a pair of codes A and B:

* ``n_a``, ``n_b``: the units coded A, and B;
* ``both`` (n12): the pairs of overlapping units, one coded A and one coded B, as ATLAS.ti counts
  co-occurring quotations;
* ``c = n12 / (n_a + n_b - n12)``, ATLAS.ti's c-coefficient: 0 when they never co-occur, 1 when
  they co-occur wherever either is used. A unit that overlaps two units of the other code counts
  twice, so c can then overstate the relation (ATLAS.ti warns of the same): such a pair is
  flagged ``several``.

**turn level**: a unit belongs to the speaker turn it starts in (units outside every turn are
left out); ``n_a`` is the turns holding a unit coded A, ``both`` the turns holding units coded A
and B (overlapping or not), and c the same formula over turns (never above 1).

**codes**: each code counts as itself by default: a unit coded *hap-sol* is not a unit of its
theme *hap*. With ``subcodes=True`` a code holds the units of its whole subtree, and a code is
never paired with its own subcode or parent (they would co-occur by construction).

Pure computations over :class:`~qualcode.core.units.MeaningUnit` sequences: choosing the coder,
reading the store and printing are the caller's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codebook import Codebook
from .errors import UserError
from .units import MeaningUnit

LEVELS = ("unit", "turn")
SPLITS = ("role", "group")
NO_VALUE = "(none)"  # a unit with no role, or a transcript in no focus group
GAP = " […] "  # what stands between two pieces of a passage, as in a quote


@dataclass(frozen=True, slots=True)
class Pair:
    """Two codes and how often they are coded together (see the module doc for the counts)."""

    a: str
    b: str
    n_a: int
    n_b: int
    both: int
    several: bool = False  # unit level: a unit overlaps more than one unit of the other code

    @property
    def c(self) -> float:
        """ATLAS.ti's c-coefficient, ``both / (n_a + n_b - both)``; 0.0 when neither is used."""
        union = self.n_a + self.n_b - self.both
        return self.both / union if union > 0 else 0.0

    def turned(self) -> Pair:
        """The same pair, b first."""
        return Pair(self.b, self.a, self.n_b, self.n_a, self.both, self.several)

    def as_dict(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "n_a": self.n_a, "n_b": self.n_b, "both": self.both,
                "c": round(self.c, 4), "several": self.several}


@dataclass(frozen=True, slots=True)
class Table:
    """Every code's count and every pair coded together, over one set of units."""

    level: str
    subcodes: bool
    units: int  # the units counted (at turn level, those inside a turn)
    counts: dict[str, int]  # units (or turns) per code, in codebook order; codes never used left out
    pairs: list[Pair]  # pairs with both > 0, the most frequent first

    def pair(self, a: str, b: str) -> Pair:
        """The pair of ``a`` and ``b``, ``a`` first (zeros when they never co-occur)."""
        for p in self.pairs:
            if (p.a, p.b) == (a, b):
                return p
            if (p.a, p.b) == (b, a):
                return p.turned()
        return Pair(a, b, self.counts.get(a, 0), self.counts.get(b, 0), 0)

    def with_code(self, code: str) -> list[Pair]:
        """The pairs of ``code``, each with ``code`` first, the most frequent first."""
        return [p if p.a == code else p.turned() for p in self.pairs if code in (p.a, p.b)]


@dataclass(frozen=True, slots=True)
class Passage:
    """A place coded with both codes: the overlap of two units (unit level), or the units of
    both codes in one turn (turn level), with where it stands and who spoke."""

    transcript: str
    title: str
    group: str | None
    turn: int | None
    speaker: str | None
    role: str | None
    start: int
    end: int
    text: str  # the overlap; at turn level the units' text, pieces apart joined by " […] "
    units_a: tuple[int, ...]
    units_b: tuple[int, ...]
    pieces: tuple[tuple[int, int], ...] = ()  # the spans ``text`` is made of (a de-identified copy cuts them anew)

    def as_dict(self) -> dict[str, object]:
        return {"transcript": self.transcript, "title": self.title, "group": self.group, "turn": self.turn,
                "speaker": self.speaker, "role": self.role, "start": self.start, "end": self.end,
                "text": self.text, "units_a": list(self.units_a), "units_b": list(self.units_b)}


class _Codes:
    """Which codes a unit counts for, and which codes may pair, for one codebook and setting."""

    def __init__(self, codebook: Codebook, subcodes: bool):
        self.subcodes = subcodes
        self.rank = {c.id: i for i, c in enumerate(codebook.codes)}
        self.chain = {code: tuple(n.id for n in path) for code, path in codebook.paths().items()}

    def of(self, unit: MeaningUnit) -> tuple[str, ...]:
        if self.subcodes:
            return self.chain.get(unit.code, (unit.code,))
        return (unit.code,)

    def related(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` cannot pair: the same code, or (with subcodes) one inside the other."""
        if a == b:
            return True
        return self.subcodes and (a in self.chain.get(b, ()) or b in self.chain.get(a, ()))

    def key(self, code: str) -> tuple[int, str]:
        return (self.rank.get(code, len(self.rank)), code)

    def ordered(self, a: str, b: str) -> tuple[str, str]:
        return (a, b) if self.key(a) <= self.key(b) else (b, a)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


def _by_place(units: Iterable[MeaningUnit]) -> dict[tuple[str, str], list[MeaningUnit]]:
    """Units by (coder, transcript), each list in order of start, then end."""
    places: dict[tuple[str, str], list[MeaningUnit]] = defaultdict(list)
    for u in units:
        places[(u.coder, u.transcript)].append(u)
    for found in places.values():
        found.sort(key=lambda u: (u.start, u.end, u.id))
    return places


def _overlapping(units: Sequence[MeaningUnit]) -> Iterable[tuple[MeaningUnit, MeaningUnit]]:
    """Every pair of units that share a character, from units in order of start (a sweep)."""
    for i, first in enumerate(units):
        for second in units[i + 1:]:
            if second.start >= first.end:
                break
            if second.end > second.start and first.end > first.start:
                yield first, second


def cooccurrence(units: Iterable[MeaningUnit], codebook: Codebook, *, level: str = "unit",
                 subcodes: bool = False) -> Table:
    """Each code's count and every pair of codes coded together over ``units`` (see the module doc)."""
    _check_level(level)
    codes = _Codes(codebook, subcodes)
    counts: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    partners: dict[tuple[str, str, int, int], int] = defaultdict(int)  # (a, b, side, unit id): partners
    counted = 0
    if level == "unit":
        for place in _by_place(units).values():
            counted += len(place)
            for u in place:
                for code in codes.of(u):
                    counts[code] += 1
            for first, second in _overlapping(place):
                for x in codes.of(first):
                    for y in codes.of(second):
                        if codes.related(x, y):
                            continue
                        a, b = codes.ordered(x, y)
                        both[(a, b)] += 1
                        unit_a, unit_b = (first, second) if (a, b) == (x, y) else (second, first)
                        partners[(a, b, 0, unit_a.id)] += 1
                        partners[(a, b, 1, unit_b.id)] += 1
    else:
        turns: dict[tuple[str, str, int], set[str]] = defaultdict(set)
        for u in units:
            if u.turn is None:
                continue
            counted += 1
            turns[(u.coder, u.transcript, u.turn)].update(codes.of(u))
        for held in turns.values():
            for code in held:
                counts[code] += 1
            ordered = sorted(held, key=codes.key)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    if not codes.related(a, b):
                        both[(a, b)] += 1
    several = {(a, b) for (a, b, _side, _unit), n in partners.items() if n > 1}
    pairs = [Pair(a, b, counts[a], counts[b], n, (a, b) in several) for (a, b), n in both.items()]
    pairs.sort(key=lambda p: (-p.both, -p.c, codes.key(p.a), codes.key(p.b)))
    ordered_counts = {code: counts[code] for code in sorted(counts, key=codes.key)}
    return Table(level, subcodes, counted, ordered_counts, pairs)


def check_pair(codebook: Codebook, a: str, b: str, *, subcodes: bool = False) -> None:
    """A :class:`UserError` for two codes that cannot be a pair (the same, or one inside the
    other with subcodes). The ids must be in the codebook."""
    if a == b:
        raise UserError(f"give two different codes, not {a} twice")
    if subcodes:
        for parent, child in ((a, b), (b, a)):
            if parent in {n.id for n in codebook.path(child)}:
                raise UserError(f"{child} is a subcode of {parent}: with --subcodes {parent} holds its units "
                                "already; leave --subcodes out to compare them")


def passages(units: Iterable[MeaningUnit], codebook: Codebook, a: str, b: str, *, level: str = "unit",
             subcodes: bool = False) -> list[Passage]:
    """The places coded with both ``a`` and ``b`` (the "A and B" query), in transcript order:
    one per overlapping pair of units (unit level), or one per turn holding both (turn level)."""
    _check_level(level)
    check_pair(codebook, a, b, subcodes=subcodes)
    codes = _Codes(codebook, subcodes)
    out: list[Passage] = []
    if level == "unit":
        for place in _by_place(units).values():
            for first, second in _overlapping(place):
                for x, y in ((first, second), (second, first)):
                    if a in codes.of(x) and b in codes.of(y):
                        out.append(_overlap(x, y))
    else:
        turns: dict[tuple[str, str, int], list[MeaningUnit]] = defaultdict(list)
        for u in units:
            if u.turn is not None:
                turns[(u.coder, u.transcript, u.turn)].append(u)
        for held in turns.values():
            of_a = [u for u in held if a in codes.of(u)]
            of_b = [u for u in held if b in codes.of(u)]
            if of_a and of_b:
                out.append(_turn_passage(of_a, of_b))
    out.sort(key=lambda p: (natural_key(p.transcript), p.start, p.end, p.units_a, p.units_b))
    return out


def _overlap(unit_a: MeaningUnit, unit_b: MeaningUnit) -> Passage:
    start, end = max(unit_a.start, unit_b.start), min(unit_a.end, unit_b.end)
    later = unit_a if unit_a.start >= unit_b.start else unit_b  # the overlap starts in its turn
    text = unit_a.text[start - unit_a.start:end - unit_a.start]
    return Passage(unit_a.transcript, unit_a.title, unit_a.group, later.turn, later.speaker, later.role, start, end,
                   text, (unit_a.id,), (unit_b.id,), ((start, end),))


def _turn_passage(of_a: list[MeaningUnit], of_b: list[MeaningUnit]) -> Passage:
    """The units of both codes in one turn as one passage: overlapping spans joined, the pieces
    apart in transcript order with " […] " between them."""
    chars: dict[int, str] = {}
    for u in (*of_a, *of_b):
        for offset, char in enumerate(u.text):
            chars.setdefault(u.start + offset, char)
    spans: list[list[int]] = []
    for offset in sorted(chars):
        if spans and offset == spans[-1][1]:
            spans[-1][1] += 1
        else:
            spans.append([offset, offset + 1])
    text = GAP.join("".join(chars[i] for i in range(s, e)).strip() for s, e in spans)
    first = min((*of_a, *of_b), key=lambda u: (u.start, u.end, u.id))
    return Passage(first.transcript, first.title, first.group, first.turn, first.speaker, first.role,
                   spans[0][0], spans[-1][1], text, tuple(sorted(u.id for u in of_a)),
                   tuple(sorted(u.id for u in of_b)), tuple((s, e) for s, e in spans))


def split_units(units: Iterable[MeaningUnit], by: str) -> dict[str, list[MeaningUnit]]:
    """Units by the role of who spoke them, or by focus group, values in natural order
    (``FG2`` before ``FG10``), :data:`NO_VALUE` last. Each part keeps the units' order."""
    if by not in SPLITS:
        raise ValueError(f"split by one of {SPLITS}, not {by!r}")
    parts: dict[str, list[MeaningUnit]] = defaultdict(list)
    for u in units:
        value = u.role if by == "role" else u.group
        parts[value or NO_VALUE].append(u)
    return {k: parts[k] for k in sorted(parts, key=lambda v: (v == NO_VALUE, natural_key(v)))}


def natural_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that puts ``T2`` before ``T10``; case-insensitive."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", value.casefold()) if part)


"""Aligned units: codings by several coders clustered into meaning units, as the reconciliation
screen shows them and every unit-level figure counts them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Coded:
    """One coding, as agreement sees it: a span of a transcript, one code, one coder."""

    id: int
    transcript: str
    start: int
    end: int
    code: str
    coder: str


@dataclass(slots=True)
class AlignedUnit:
    """A cluster of overlapping codings (any coder, any code) in one transcript.

    ``by_coder`` has every coder of the comparison as a key, with their codings in the cluster
    sorted by position (an empty list if they coded nothing here).
    """

    transcript: str
    start: int  # extent of the cluster
    end: int
    by_coder: dict[str, list[Coded]]

    def codes(self, coder: str) -> frozenset[str]:
        """The set of codes ``coder`` applied in this unit (empty if none)."""
        return frozenset(c.code for c in self.by_coder.get(coder, ()))

    @property
    def agreed(self) -> bool:
        """Every coder applied the same set of codes here.

        Only the codes count: the spans may still differ (one coder took a sentence, the other
        the whole turn); the character-level κ and uα measure that.
        """
        sets = {self.codes(coder) for coder in self.by_coder}
        return len(sets) <= 1


def align(codings: Iterable[Coded], coders: Sequence[str], *,
          transcript_order: Sequence[str] | None = None) -> list[AlignedUnit]:
    """Cluster the codings of ``coders`` into meaning units.

    Clusters are the connected components of codings that overlap by at least one character,
    per transcript, sorted by (transcript, start); ``transcript_order`` puts the transcripts in
    that order instead (the project's, where T2 comes before T10). Codings by other coders and
    empty spans are left out.
    """
    coders = _check_coders(coders)
    wanted = set(coders)
    by_transcript: dict[str, list[Coded]] = defaultdict(list)
    for c in codings:
        if c.coder in wanted and c.end > c.start:
            by_transcript[c.transcript].append(c)
    if transcript_order is None:
        order = sorted(by_transcript)
    else:
        rank = {t: i for i, t in enumerate(transcript_order)}
        order = sorted(by_transcript, key=lambda t: (rank.get(t, len(rank)), t))
    units: list[AlignedUnit] = []
    for tid in order:
        members: list[Coded] = []
        end = -1
        for c in sorted(by_transcript[tid], key=lambda c: (c.start, c.end, c.code, c.coder, c.id)):
            if members and c.start < end:
                members.append(c)
                end = max(end, c.end)
                continue
            if members:
                units.append(_unit(tid, members, end, coders))
            members, end = [c], c.end
        if members:
            units.append(_unit(tid, members, end, coders))
    return units


def _unit(tid: str, members: list[Coded], end: int, coders: Sequence[str]) -> AlignedUnit:
    by_coder: dict[str, list[Coded]] = {coder: [] for coder in coders}
    for c in members:
        by_coder[c.coder].append(c)
    return AlignedUnit(tid, members[0].start, end, by_coder)


def disagreements(units: list[AlignedUnit]) -> list[AlignedUnit]:
    """The units that are not :attr:`~AlignedUnit.agreed`, in order."""
    return [u for u in units if not u.agreed]


def _check_coders(coders: Sequence[str]) -> list[str]:
    coders = list(coders)
    if len(set(coders)) != len(coders):
        raise ValueError(f"a coder is named twice: {coders}")
    if not coders:
        raise ValueError("no coders to compare")
    return coders

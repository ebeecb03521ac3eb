"""Meaning units of the transcript a screen has open, made from the codings the store returns.

After coding a selection the coding screen has everything a :class:`MeaningUnit` holds: the
coding (from the store's write), and the transcript's title, text and turns and the codebook's
paths (read when the screen opened). :class:`UnitMaker` puts them together the way
:meth:`qualcode.store.Project.iter_units` does, so one new unit costs no read of the whole
transcript from the file.
"""

from __future__ import annotations

from bisect import bisect_right

from ..core.codebook import Codebook
from ..core.models import Coding, Transcript, Turn, format_timestamp
from ..core.units import MeaningUnit

STAMP = "milliseconds"  # the store writes created_at / updated_at at this precision


class UnitMaker:
    """Makes the :class:`MeaningUnit` of a coding of one transcript."""

    def __init__(self, transcript: Transcript, text: str, turns: list[Turn], codebook: Codebook):
        self.transcript, self.text, self.turns = transcript, text, turns
        self._starts = [t.start for t in turns]
        self.paths = {code_id: tuple(n.name for n in chain) for code_id, chain in codebook.paths().items()}
        self.colours = {code.id: codebook.colour_of(code.id) for code in codebook.codes}

    def turn_of(self, offset: int) -> Turn | None:
        """The turn a span starting at ``offset`` belongs to (the next one if it starts in a label),
        as the store decides it."""
        if not self.turns:
            return None
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.turns[i].end:
            return self.turns[i]
        return self.turns[i + 1] if i + 1 < len(self.turns) else self.turns[i]

    def __call__(self, coding: Coding) -> MeaningUnit:
        turn = self.turn_of(coding.start)
        path = self.paths[coding.code]
        return MeaningUnit(
            id=coding.id, transcript=coding.transcript, title=self.transcript.title, group=self.transcript.group,
            turn=turn.index if turn is not None else None,
            speaker=turn.speaker if turn is not None else None,
            role=turn.role if turn is not None else None,
            timestamp=format_timestamp(turn.time_start) if turn is not None else None,
            start=coding.start, end=coding.end, text=self.text[coding.start:coding.end],
            code=coding.code, code_name=path[-1], code_path=path, coder=coding.coder,
            condensed=coding.condensed, memo=coding.memo, starred=coding.starred,
            created_at=coding.created_at.isoformat(timespec=STAMP),
            updated_at=coding.updated_at.isoformat(timespec=STAMP),
        )

"""What every transcript importer returns.

An importer turns one file into a :class:`ParsedTranscript`: the stored text (see
:mod:`qualcode.core.text`) and the speaker turns as code-point spans of it. Importers never touch
the store; :mod:`qualcode.store` saves a parsed transcript in one transaction, so a file is
imported whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ParsedTurn:
    """One speaker turn. ``start``/``end`` span the turn's spoken text (not its label)."""

    speaker: str | None
    start: int
    end: int
    time_start: float | None = None  # seconds from the recording's start
    time_end: float | None = None


@dataclass(slots=True)
class ParsedTranscript:
    text: str
    turns: list[ParsedTurn]
    format: str  # "txt", "docx", "vtt", "srt", "odt"
    encoding: str | None = None  # for text formats: what the bytes were decoded as
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_dialogue(cls, dialogue: list[tuple[str | None, str]]) -> ParsedTranscript:
        """A transcript of ``Speaker: text`` lines from (speaker, text) pairs: for tests, benches
        and generated examples."""
        parts: list[str] = []
        turns: list[ParsedTurn] = []
        pos = 0
        for speaker, said in dialogue:
            label = f"{speaker}: " if speaker else ""
            start = pos + len(label)
            parts.append(label + said + "\n")
            turns.append(ParsedTurn(speaker, start, start + len(said)))
            pos += len(label) + len(said) + 1
        return cls(text="".join(parts), turns=turns, format="txt", encoding="utf-8")

    @property
    def speakers(self) -> list[str]:
        """Speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker is not None:
                seen.setdefault(turn.speaker, None)
        return list(seen)

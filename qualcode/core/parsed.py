"""What every transcript importer returns.

An importer turns one file into a :class:`ParsedTranscript`: the stored text (see
:mod:`qualcode.core.text`) and the speaker turns as code-point spans of it. Importers never touch
the store; :mod:`qualcode.store` saves a parsed transcript in one transaction, so a file is
imported whole or not at all.

Transcription marks that are not words (pauses, overlap marks, sounds such as ``[latter]``, time
marks) are reported as :class:`ParsedAnnotation` spans of the same text, so that analyses and
quotes can leave them out; a turn's span may contain some (a pause inside a turn) but never starts
or ends with a time mark.
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


#: The kinds of :class:`ParsedAnnotation`.
ANNOTATION_KINDS = ("pause", "overlap", "sound", "time")


@dataclass(frozen=True, slots=True)
class ParsedAnnotation:
    """A transcription mark that is not spoken text, as a code-point span of the stored text.

    ``kind`` is one of :data:`ANNOTATION_KINDS`: ``pause`` (``(..)``, ``(3)``, ``[pause]``,
    ``(12 seconds pause)``), ``overlap`` (the ``//`` around overlapping speech), ``sound``
    (``[latter]``, ``(ler)``, ``(unv.)``) or ``time`` (``[00:01:02]``, ``#00:01:02-3#``).
    """

    start: int
    end: int
    kind: str


@dataclass(slots=True)
class ParsedTranscript:
    text: str
    turns: list[ParsedTurn]
    format: str  # "txt", "docx", "vtt", "srt", "odt", "html", or a tool's: "noscribe-html", ...
    encoding: str | None = None  # for text formats: what the bytes were decoded as
    warnings: list[str] = field(default_factory=list)
    #: Marks that are not words, in text order (see :class:`ParsedAnnotation`).
    annotations: list[ParsedAnnotation] = field(default_factory=list)
    #: Indexes of turns that look like speech recognition inventing text in silence
    #: ("Teksting av ...", "Takk for at du så på!"); each is also named in a warning.
    suspect_turns: list[int] = field(default_factory=list)
    #: The title the file gives itself (a header line), or None: callers fall back to the name.
    title: str | None = None

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

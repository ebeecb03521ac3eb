"""The last step of every importer: marks, time marks and overlaps in the turns, suspects, warnings.

An importer finds the speaker turns its format has (labels, voices, speaker blocks) as spans of
the stored text. :func:`finish` then applies what all formats share:

* every transcription mark (:mod:`.marks`) becomes an annotation of the text;
* a time mark is a turn time, never spoken text: a turn is split at a time mark inside it
  (``[00:01:02]`` starts the next part, f4's ``#00:01:02-3#`` ends the part before it), and a
  turn never starts or ends with one;
* ``//S02: ja, ikke sant//`` inside a turn is a short turn of its own by S02, and the turn it
  interrupts goes on after it as a new turn;
* in a tool's format (``strict``) a turn neither starts nor ends with a pause, sound or overlap
  mark, and a turn with nothing but marks (``[00:08:23] [latter]``) is no turn, only annotations.
  In hand-made formats only the pieces a time mark splits off are dropped when they hold no
  words, so that the transcriber's ``[latter]`` after a sentence stays where it was;
* sentences speech recognition invents in silence (:mod:`.hallucinations`) become turns of their
  own, listed in ``suspect_turns`` and named in a warning;
* a line of thousands of characters is named in a warning (it is kept whole).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from qualcode.core.parsed import ParsedAnnotation, ParsedTranscript, ParsedTurn
from qualcode.importers.hallucinations import is_hallucination, may_hold_hallucination
from qualcode.importers.labels import describe_lines, label_key, tidy_label
from qualcode.importers.marks import Mark, find_marks, has_words

#: A line longer than this (in characters) gets a warning: it is a file without line breaks.
LONG_LINE_CHARS = 5000
#: The longest first line that can be a transcript's title.
TITLE_MAX_CHARS = 120

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[ \t]+|\n+")


def finish(parsed: ParsedTranscript, *, strict: bool, numeric_pauses: bool = False,
           first_line: int = 1, guess_title: bool = False,
           boundaries: Iterable[int] = ()) -> ParsedTranscript:
    """Apply the shared rules (see the module docstring) to ``parsed`` in place and return it.

    ``first_line`` is the file's line number of the stored text's first line, for warnings when
    a header was left out; ``guess_title`` takes a first unattributed line as the title;
    ``boundaries`` are offsets where a suspect line may start besides sentence ends and line
    breaks (cue or segment starts).
    """
    text = parsed.text
    marks = find_marks(text, numeric_pauses=numeric_pauses)
    turns = _apply_marks(text, parsed.turns, marks, strict)
    turns, suspects = _carve_suspects(text, turns, marks, sorted(set(boundaries)), strict)
    parsed.turns = turns
    parsed.suspect_turns = suspects
    parsed.annotations = [ParsedAnnotation(m.start, m.end, m.kind) for m in marks]
    if suspects:
        shown = "; ".join(f"turn {i} «{_shorten(text[turns[i].start:turns[i].end])}»"
                          for i in suspects[:5])
        more = f" and {len(suspects) - 5} more" if len(suspects) > 5 else ""
        parsed.warnings.append(f"{len(suspects)} turn(s) look like text speech recognition invents "
                               f"in silence, not speech: {shown}{more}")
    parsed.warnings.extend(long_line_warnings(text, first_line))
    if guess_title and parsed.title is None:
        parsed.title = _title(text, turns)
    return parsed


def long_line_warnings(text: str, first_line: int = 1) -> list[str]:
    """One warning per line over :data:`LONG_LINE_CHARS` characters (the first three named)."""
    long_lines: list[tuple[int, int]] = []
    pos, number = 0, first_line
    while True:
        newline = text.find("\n", pos)
        stop = len(text) if newline < 0 else newline
        if stop - pos > LONG_LINE_CHARS:
            long_lines.append((number, stop - pos))
        if newline < 0:
            break
        pos, number = newline + 1, number + 1
    warnings = [f"line {n} is {length:,} characters long (no line breaks); it is imported whole, "
                "nothing cut" for n, length in long_lines[:3]]
    if len(long_lines) > 3:
        warnings.append(f"{len(long_lines) - 3} more line(s) over {LONG_LINE_CHARS:,} characters "
                        f"({describe_lines([n for n, _ in long_lines[3:]])})")
    return warnings


def _apply_marks(text: str, turns: list[ParsedTurn], marks: list[Mark], strict: bool) -> list[ParsedTurn]:
    starts = [m.start for m in marks]
    display = {label_key(t.speaker): t.speaker for t in turns if t.speaker is not None}
    result: list[ParsedTurn] = []
    carry: float | None = None  # an f4 mark's time after a turn: the next turn's start
    for turn in turns:
        lo = bisect.bisect_left(starts, turn.start)
        hi = bisect.bisect_left(starts, turn.end)
        inner = [m for m in marks[lo:hi] if m.end <= turn.end]
        if carry is not None and turn.time_start is None:
            turn.time_start = carry
        carry = None
        if not inner:
            result.append(turn)
            continue
        pieces = _split(turn, inner, display)
        last_time = next((m for m in reversed(inner) if m.kind == "time"), None)
        kept: list[ParsedTurn] = []
        for index, (speaker, start, end, time_start, time_end) in enumerate(pieces):
            start, end = _trim(text, start, end, inner, strict)
            whole = len(pieces) == 1
            if start >= end or (not (whole and not strict) and not has_words(text, start, end, inner)):
                if index == len(pieces) - 1 and last_time is not None and last_time.after:
                    carry = last_time.seconds  # "... #00:01:02-3#" and no more: the next turn's start
                continue
            kept.append(ParsedTurn(speaker, start, end, time_start, time_end))
        if kept and turn.time_end is not None and kept[-1].time_end is None:
            kept[-1].time_end = turn.time_end
        result.extend(kept)
    return result


def _split(turn: ParsedTurn, inner: list[Mark], display: dict[str, str]
           ) -> list[tuple[str | None, int, int, float | None, float | None]]:
    """The pieces of ``turn`` between its time and overlap marks, as (speaker, start, end,
    time_start, time_end)."""
    pieces = []
    main = speaker = turn.speaker
    in_overlap = False
    start, time = turn.start, turn.time_start
    for mark in inner:
        if mark.kind == "time":
            pieces.append((speaker, start, mark.start, time, mark.seconds if mark.after else None))
            start, time = mark.end, mark.seconds
        elif mark.kind == "overlap" and mark.label is not None:
            pieces.append((speaker, start, mark.start, time, None))
            spelling = tidy_label(mark.label)
            speaker = display.setdefault(label_key(spelling), spelling)
            in_overlap, start, time = True, mark.body, None
        elif mark.kind == "overlap" and in_overlap:
            pieces.append((speaker, start, mark.start, time, None))
            speaker, in_overlap, start, time = main, False, mark.end, None
    pieces.append((speaker, start, turn.end, time, None))
    return pieces


def _trim(text: str, start: int, end: int, inner: list[Mark], strict: bool) -> tuple[int, int]:
    """``start``/``end`` moved past white space and, at either end, time marks (and in strict
    mode every other mark too)."""
    by_start = {m.start: m for m in inner if strict or m.kind == "time"}
    by_end = {m.end: m for m in inner if strict or m.kind == "time"}
    while True:
        while start < end and text[start].isspace():
            start += 1
        mark = by_start.get(start)
        if mark is None or mark.end > end:
            break
        start = mark.body if mark.label is not None else mark.end
    while True:
        while end > start and text[end - 1].isspace():
            end -= 1
        mark = by_end.get(end)
        if mark is None or mark.start < start:
            break
        end = mark.start
    return start, end


def _carve_suspects(text: str, turns: list[ParsedTurn], marks: list[Mark], boundaries: list[int],
                    strict: bool) -> tuple[list[ParsedTurn], list[int]]:
    """Turns with invented sentences split so that each run of them is a turn of its own."""
    starts = [m.start for m in marks]
    result: list[ParsedTurn] = []
    suspects: list[int] = []
    for turn in turns:
        if not may_hold_hallucination(text, turn.start, turn.end):
            result.append(turn)
            continue
        parts = _sentences(text, turn.start, turn.end, boundaries)
        flags = [is_hallucination(text[s:e]) for s, e in parts]
        if not any(flags):
            result.append(turn)
            continue
        groups: list[tuple[int, int, bool]] = []  # runs of sentences: start, end, suspect
        for (s, e), flag in zip(parts, flags):
            if groups and groups[-1][2] == flag:
                groups[-1] = (groups[-1][0], e, flag)
            else:
                groups.append((s, e, flag))
        inner = marks[bisect.bisect_left(starts, turn.start):bisect.bisect_left(starts, turn.end)]
        for index, (s, e, flag) in enumerate(groups):
            s, e = _trim(text, s, e, inner, strict)
            if s >= e:
                continue
            piece = ParsedTurn(turn.speaker, s, e, turn.time_start if index == 0 else None,
                               turn.time_end if index == len(groups) - 1 else None)
            if flag:
                suspects.append(len(result))
            result.append(piece)
    return result, suspects


def _sentences(text: str, start: int, end: int, boundaries: list[int]) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at sentence ends, line breaks and ``boundaries``, each part
    trimmed of white space."""
    cuts = [start]
    for m in _SENTENCE_BREAK.finditer(text, start, end):
        cuts.extend((m.start(), m.end()))
    first = bisect.bisect_right(boundaries, start)
    for offset in boundaries[first:bisect.bisect_left(boundaries, end)]:
        cuts.extend((offset, offset))
    cuts.append(end)
    cuts.sort()
    parts = []
    for s, e in zip(cuts[::2], cuts[1::2]):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            parts.append((s, e))
    return parts


def _title(text: str, turns: list[ParsedTurn]) -> str | None:
    """The first turn, when it is one short unattributed line before labelled turns."""
    if len(turns) < 2 or turns[0].speaker is not None:
        return None
    first = text[turns[0].start:turns[0].end]
    if "\n" in first or len(first) > TITLE_MAX_CHARS or not any(t.speaker for t in turns[1:]):
        return None
    return first


def _shorten(line: str, limit: int = 50) -> str:
    line = " ".join(line.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."

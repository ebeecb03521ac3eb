"""Speaker labels in lines of text, shared by the txt, docx and odt importers.

Verbatim transcripts mark turns with a label (``Intervjuer:``, ``P1:``, ``Deltaker 3:``), often
after a timestamp (``[00:12:31] P1:``) and sometimes alone on its own line. The hard part is not
finding labels but refusing false ones: ``Det jeg mener er: ...`` is speech, not a speaker. A
candidate therefore has to be short and label-shaped, and then either look like a common label
or be used as a label at least twice in the file. Spelling variants (``P 1``, ``p1``) are merged
so a participant is one speaker, and every merge is reported because it is a guess.

Everything here is linear in the input and uses only anchored, bounded patterns: a 5 MB file
that is one single line must not trigger regex backtracking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.models import format_timestamp
from qualcode.core.parsed import ParsedTranscript, ParsedTurn

MAX_LABEL_CHARS = 30
MAX_LABEL_WORDS = 3

# ``01:02`` (mm:ss), ``00:01:02``, ``00:01:02.5`` / ``,500``.
_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(?:[.,](\d{1,3}))?")
# A timestamp at the start of a line: ``[00:01:02]``, ``(00:01:02)`` or bare ``00:01:02 ``.
_TIME_PREFIX = re.compile(
    r"[ \t]*(?:\[([\d:.,]{4,13})\]|\(([\d:.,]{4,13})\)|(\d{1,3}:[\d:.,]{2,10})(?=[ \t]|$))[ \t]*")
# Letters, digits, spaces, hyphens and apostrophes only: no sentence punctuation.
_LABEL_SHAPE = re.compile(r"[^\W\d_][\w'’\- \t]*")
# Labels common in Norwegian (and English) transcripts, matched against the label's key
# (casefolded, no white space). Anything else must be used as a label at least twice.
_KNOWN_LABEL = re.compile(
    r"(?:p|ip|d|k|a|b|r|person|kvinne|mann|participant|speaker|taler|respondent)\d+"
    r"|(?:i|m|intervjuer|intervjuar|interviewer|moderator|fasilitator|informant|deltaker"
    r"|deltakar|ansatt|pasient|pårørende|likeperson|innleder)\d*")

# Column headings of transcript tables, which are dropped rather than read as a first turn.
_TABLE_HEADINGS = frozenset({
    "tid", "tidspunkt", "tidskode", "time", "timestamp", "start", "taler", "speaker", "navn",
    "name", "person", "deltaker", "rolle", "tekst", "text", "transkripsjon", "utsagn",
    "innhold", "ytring", "sitat", "nr", "#",
})

_SPACE = re.compile(r"\s*")

_BLANK, _TEXT, _LABEL, _TIME_ONLY = range(4)


@dataclass(frozen=True, slots=True)
class LabelHint:
    """A label the caller found from document structure rather than from the text itself.

    ``text_start`` is where the spoken text begins in the line. ``trusted`` labels (a speaker
    column of a table) are taken as they are; the others (a bold run) must still look like a
    label. ``colon`` says whether a colon followed the label.
    """

    label: str
    text_start: int
    time: float | None = None
    trusted: bool = False
    colon: bool = False


@dataclass(slots=True)
class _Line:
    content: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    kind: int = _TEXT
    time: float | None = None
    spelling: str | None = None
    key: str = ""  # the label's comparison key, for label lines
    body: int = 0  # offset where the spoken text begins, for label lines (== end if none)
    colon: bool = False
    tab: bool = False  # ``P1<tab>text``, as some transcribers separate label and text
    trusted: bool = False
    bold: bool = False

    @property
    def marked(self) -> bool:
        """Marked as a label by a separator or by document structure, not just a short line."""
        return self.colon or self.tab or self.bold or self.trusted


def parse_clock(value: str) -> float | None:
    """Seconds for ``hh:mm:ss[.fff]`` or ``mm:ss[.fff]``; None if it is not a clock time."""
    m = _CLOCK.fullmatch(value.strip())
    if m is None:
        return None
    first, second, third, fraction = m.groups()
    if third is None:
        seconds = int(first) * 60 + int(second)
    else:
        if int(second) > 59:
            return None
        seconds = int(first) * 3600 + int(second) * 60 + int(third)
    return seconds + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)


def label_key(label: str) -> str:
    """What makes two spellings one speaker: ``P 1``, ``p1`` and ``P1`` share the key ``p1``."""
    return "".join(label.split()).casefold()


def tidy_label(label: str) -> str:
    return " ".join(label.split())


def describe_lines(numbers: Sequence[int], limit: int = 5) -> str:
    """``line 3`` or ``lines 1, 3, 7, ...`` for a warning about several places."""
    shown = ", ".join(str(n) for n in numbers[:limit]) + (", ..." if len(numbers) > limit else "")
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}"


def merge_variants(spellings: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Map each label key to its display spelling: the most frequent, ties to the first seen.

    Returns ``(key -> display, warnings)``, one warning per key that had several spellings.
    """
    seen: dict[str, dict[str, int]] = {}
    for spelling in spellings:
        variants = seen.setdefault(label_key(spelling), {})
        variants[spelling] = variants.get(spelling, 0) + 1
    display: dict[str, str] = {}
    warnings: list[str] = []
    for key, variants in seen.items():
        best = max(variants, key=variants.__getitem__)  # max keeps the first of equals
        display[key] = best
        if len(variants) > 1:
            others = ", ".join(f"'{v}'" for v in variants if v != best)
            warnings.append(f"merged speaker label variants {others} into '{best}'")
    return display, warnings


def find_turns(text: str, hints: dict[int, LabelHint] | None = None) -> tuple[list[ParsedTurn], list[str]]:
    """Split ``text`` (lines joined by ``\\n``) into speaker turns.

    ``hints`` maps a 0-based line number to a label found from document structure (docx bold
    runs, table columns). Returns the turns and the warnings worth showing the user.
    """
    hints = hints or {}
    lines: list[_Line] = []
    offset = 0
    for number, line in enumerate(text.split("\n")):
        lines.append(_scan(line, offset, hints.get(number)))
        offset += len(line) + 1

    accepted = _accept_labels(lines)
    turns: list[tuple[str | None, int, int, float | None]] = []
    empty_labels: list[int] = []
    speaker: str | None = None  # key of the open turn's speaker
    start = end = -1
    time: float | None = None
    open_line = 0
    is_open = False

    def close() -> None:
        if not is_open:
            return
        if start < 0:
            empty_labels.append(open_line)
        else:
            turns.append((speaker, start, end, time))

    for number, rec in enumerate(lines):
        if rec.kind == _BLANK:
            continue
        if rec.kind == _TIME_ONLY:
            following = _next_non_blank(lines, number)
            if following is not None and accepted[following] and lines[following].time is None:
                lines[following].time = rec.time  # a timestamp on the line above its label
                continue
        if accepted[number]:
            close()
            speaker, time, open_line, is_open = rec.key, rec.time, number + 1, True
            start, end = (rec.body, rec.end) if rec.body < rec.end else (-1, -1)
            continue
        if not is_open:  # text before the first label
            speaker, time, open_line, is_open = None, None, number + 1, True
            start, end = rec.content, rec.end
        elif start < 0:  # the first line after a label alone on its line
            start, end = rec.content, rec.end
        else:  # a continuation line
            end = rec.end
    close()

    display, warnings = merge_variants(
        rec.spelling for rec, ok in zip(lines, accepted) if ok and rec.spelling is not None)
    if not any(accepted):
        warnings.append("no speaker labels found; imported as unattributed text")
    if empty_labels:
        warnings.append(f"skipped {len(empty_labels)} speaker label(s) with no text after them "
                        f"({describe_lines(empty_labels)})")
    parsed = [ParsedTurn(display[key] if key is not None else None, s, e, t) for key, s, e, t in turns]
    return parsed, warnings


def document_transcript(lines: Iterable[tuple[str, LabelHint | None]], fmt: str, path: Path,
                        encoding: str | None) -> ParsedTranscript:
    """A transcript from a word processor's lines (docx, odt), each with an optional hint.

    A line may itself hold line breaks (a normalised ``\r`` or U+2028); its hint is for its
    first line. ``encoding`` is the user's ``--encoding``, which such files have no use for.
    """
    all_lines: list[str] = []
    hints: dict[int, LabelHint] = {}
    for line, hint in lines:
        parts = line.split("\n")
        if hint is not None and hint.text_start <= len(parts[0]):
            hints[len(all_lines)] = hint
        all_lines.extend(parts)
    text = "\n".join(all_lines)
    turns, warnings = find_turns(text, hints)
    if not turns:
        raise UserError("the document contains no text", path=path)
    if encoding is not None:
        warnings.insert(0, f"--encoding {encoding} ignored: a .{fmt} file has no text encoding")
    return ParsedTranscript(text, turns, fmt, None, warnings)


def label_prefixes(texts: Sequence[str]) -> list[tuple[str | None, int]]:
    """``Name: text`` prefixes of single-line texts (subtitle cues without voice tags).

    Returns ``(label as written, offset of the spoken text)`` per text, or ``(None, 0)``. The
    same rules as for transcript lines apply: a common label, or one used at least twice.
    """
    lines = [_scan(t, 0, None) for t in texts]
    for rec in lines:
        if rec.kind == _LABEL and not rec.colon:
            rec.kind = _TEXT  # only "Name:" counts here; a cue that is one word is speech
    accepted = _accept_labels(lines)
    return [(rec.spelling, rec.body) if ok else (None, 0) for rec, ok in zip(lines, accepted)]


def table_lines(rows: Sequence[Sequence[str]]) -> list[tuple[str, LabelHint | None]]:
    """Lines for a table, as ``(line, hint)``.

    Transcription services deliver tables with a speaker column, a text column and perhaps a
    time column. Such a row becomes ``[hh:mm:ss] Speaker: text`` with a trusted hint; any other
    table is kept as its rows with cells joined by `` | ``.
    """
    body = [row for row in ([tidy_label(cell) for cell in row] for row in rows) if any(row)]
    heading: list[str] | None = None
    if body and all(cell.casefold().rstrip(":") in _TABLE_HEADINGS for cell in body[0] if cell):
        heading, body = body[0], body[1:]
    layout = _transcript_columns(body)
    if layout is None:
        shown = body if heading is None else [heading, *body]
        return [(" | ".join(cell for cell in row if cell), None) for row in shown]
    time_col, speaker_col, text_col = layout
    result: list[tuple[str, LabelHint | None]] = []
    for row in body:
        time = parse_clock(row[time_col].strip("[]()")) if time_col is not None else None
        prefix = f"[{format_timestamp(time)}] " if time is not None else ""
        speaker = row[speaker_col].rstrip(":").rstrip()
        spoken = row[text_col]
        if not speaker:
            result.append((prefix + spoken, None))  # the same speaker goes on
            continue
        line = f"{prefix}{speaker}:"
        result.append((f"{line} {spoken}" if spoken else line,
                       LabelHint(speaker, len(line) + 1, time, trusted=True, colon=True)))
    return result


def _transcript_columns(rows: list[list[str]]) -> tuple[int | None, int, int] | None:
    """``(time column, speaker column, text column)`` if the table reads as a transcript."""
    if not rows or len({len(row) for row in rows}) != 1 or len(rows[0]) not in (2, 3):
        return None
    columns = list(zip(*rows))
    time_col = None
    for index, column in enumerate(columns):
        filled = [cell for cell in column if cell]
        if filled and all(parse_clock(cell.strip("[]()")) is not None for cell in filled):
            time_col = index
            break
    rest = [i for i in range(len(columns)) if i != time_col]
    if len(rest) != 2:
        return None
    keys_by_col = {i: [label_key(cell.rstrip(":")) for cell in columns[i] if cell] for i in rest}
    # The speaker column repeats itself more than the text column does; when neither repeats
    # (a short table), it is the left one, as transcribers lay tables out.
    speaker_col = min(rest, key=lambda i: (len(set(keys_by_col[i])) / max(len(keys_by_col[i]), 1), i))
    text_col = rest[0] if rest[1] == speaker_col else rest[1]
    keys = keys_by_col[speaker_col]
    if not keys or any(len(cell) > 60 for cell in columns[speaker_col]):
        return None
    repeats = len(set(keys)) < len(keys)
    if time_col is None and not repeats and not all(_KNOWN_LABEL.fullmatch(k) for k in keys):
        return None  # e.g. a table of facts (Dato | Sted) ahead of the transcript
    return time_col, speaker_col, text_col


def _scan(line: str, offset: int, hint: LabelHint | None) -> _Line:
    """Classify one line: blank, a timestamp alone, a label candidate, or text."""
    content_end = len(line.rstrip())
    if content_end == 0:
        return _Line(offset, offset, kind=_BLANK)
    lead = len(line) - len(line.lstrip())
    rec = _Line(offset + lead, offset + content_end)
    if hint is not None and (hint.trusted or _label_shaped(tidy_label(hint.label))):
        body = _end_of_space(line, hint.text_start)
        rec.kind, rec.time, rec.trusted, rec.colon = _LABEL, hint.time, hint.trusted, hint.colon
        rec.bold = not hint.trusted
        rec.spelling = tidy_label(hint.label)
        rec.key = label_key(rec.spelling)
        rec.body = min(offset + body, rec.end)
        return rec

    pos, time = lead, None
    m = _TIME_PREFIX.match(line)
    if m is not None:
        time = parse_clock(m.group(1) or m.group(2) or m.group(3))
        if time is not None:
            pos = m.end()
            if pos >= content_end:
                rec.kind, rec.time = _TIME_ONLY, time
                return rec

    window = line[pos:pos + MAX_LABEL_CHARS + 1]
    colon = window.find(":")
    tab = window.find("\t") if colon < 0 else -1
    separator = colon if colon >= 0 else tab
    if separator > 0:
        after = line[pos + separator + 1:pos + separator + 2]
        candidate = window[:separator].rstrip()
        if not (after.isdigit() or after == "/") and _label_shaped(candidate):
            body = _end_of_space(line, pos + separator + 1)
            rec.kind, rec.colon, rec.tab, rec.time = _LABEL, colon >= 0, colon < 0, time
            rec.spelling = tidy_label(candidate)
            rec.key = label_key(candidate)
            rec.body = min(offset + body, rec.end)
            return rec
    elif colon < 0 and content_end - pos <= MAX_LABEL_CHARS:
        candidate = line[pos:content_end]
        if _label_shaped(candidate):  # a label alone on its line, without a colon
            rec.kind, rec.time = _LABEL, time
            rec.spelling = tidy_label(candidate)
            rec.key = label_key(candidate)
            rec.body = rec.end
    return rec


def _end_of_space(line: str, pos: int) -> int:
    """Where the blanks that start at ``pos`` end (``_SPACE`` matches the empty string too)."""
    found = _SPACE.match(line, pos)
    return found.end() if found is not None else pos


def _label_shaped(candidate: str) -> bool:
    return (0 < len(candidate) <= MAX_LABEL_CHARS
            and _LABEL_SHAPE.fullmatch(candidate) is not None
            and len(candidate.split()) <= MAX_LABEL_WORDS)


def _capitalised(spelling: str) -> bool:
    """``Kari``, ``Per Olav``, ``Mann 2``: how names are written, unlike ``Hun sa``."""
    return all(word[0].isupper() or word.isdigit() for word in spelling.split())


def _accept_labels(lines: list[_Line]) -> list[bool]:
    """Which candidate labels are real labels (see the module docstring for the rules)."""
    candidates = [rec for rec in lines if rec.kind == _LABEL]
    counts: dict[str, int] = {}
    for rec in candidates:
        if rec.marked:
            counts[rec.key] = counts.get(rec.key, 0) + 1
    for rec in candidates:  # "Kari" alone on a line is a second use of "Kari:", not a first
        if not rec.marked and rec.key in counts:
            counts[rec.key] += 1

    def strong(rec: _Line) -> bool:
        if rec.trusted or _KNOWN_LABEL.fullmatch(rec.key):
            return True
        if rec.colon and rec.bold:
            return True  # **Kari:** is a deliberate label even if used once
        return counts[rec.key] >= 2 and _capitalised(rec.spelling or "")

    accepted = [rec.kind == _LABEL and rec.marked and strong(rec) for rec in lines]
    known = {rec.key for rec, ok in zip(lines, accepted) if ok}
    for number, rec in enumerate(lines):
        if rec.kind == _LABEL and not rec.marked:
            accepted[number] = rec.key in known or _KNOWN_LABEL.fullmatch(rec.key) is not None
    return accepted


def _next_non_blank(lines: list[_Line], number: int) -> int | None:
    for following in range(number + 1, len(lines)):
        if lines[following].kind != _BLANK:
            return following
    return None

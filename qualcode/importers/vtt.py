"""WebVTT transcripts from Teams, Zoom and transcription services.

Parsed by hand rather than with a subtitle library so that every error can name its line. A
recording's cues are short (a few seconds each), so consecutive cues of one speaker are merged
into one turn: a meaning unit often spans many cues. The stored text is one line per turn,
``[hh:mm:ss] Name: text``, turns separated by a blank line, which reads like a transcript and
keeps the timestamps visible for going back to the recording.

The cue model and the text builder here are shared with the SubRip importer (:mod:`.srt`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.models import format_timestamp
from qualcode.core.parsed import ParsedTranscript, ParsedTurn
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.labels import (
    describe_lines,
    label_key,
    label_prefixes,
    merge_variants,
)

_VTT_TIME = re.compile(r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})")
_TAG = re.compile(r"<([^<>\n]*)>")
_VOICE = re.compile(r"v(?:\.[^\s>]*)?(?:[ \t]+(.*))?", re.DOTALL)
_SPACES = re.compile(r"\s+")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass(slots=True)
class Cue:
    """One subtitle cue, after its markup is removed."""

    line: int  # 1-based line of the timing line, for messages
    start: float
    end: float
    text: str
    speaker: str | None = None


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.vtt`` file; ``encoding`` overrides detection (WebVTT should be UTF-8)."""
    text, used, warnings = decode_bytes(read_bytes(path), path, encoding)
    lines = text.split("\n")
    header = lines[0]
    if not (header.startswith("WEBVTT") and header[6:7] in ("", " ", "\t")):
        raise UserError("not a WebVTT file: the first line must be 'WEBVTT'", path=path, line=1)
    first = 1
    while first < len(lines) and lines[first].strip() and "-->" not in lines[first]:
        first += 1  # header metadata such as "Kind: captions"
    cues: list[Cue] = []
    for timing_index, payload in scan_cues(lines, first, path, _is_skipped_block, None):
        start, end = parse_timing(lines[timing_index], timing_index + 1, path, _parse_vtt_time,
                                  "00:00:01.000 --> 00:00:04.000")
        for speaker, spoken in _voice_segments(" \n".join(payload)):
            cues.append(Cue(timing_index + 1, start, end, spoken, speaker))
    return cues_to_transcript(cues, "vtt", used, warnings, path)


def scan_cues(lines: list[str], first: int, path: Path | str,
              skip_block: Callable[[str], bool],
              id_check: Callable[[str], bool] | None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(index of the timing line, payload lines)`` for each cue, in order.

    A cue is an optional id line, a timing line (one containing ``-->``) and its payload up to
    the next blank line; a timing line inside a payload starts a new cue, as players do. Blocks
    for which ``skip_block`` is true (WebVTT NOTE, STYLE, REGION) are skipped. ``id_check``
    validates the id line (SubRip wants a number); stray text is an error naming its line.
    """
    index = first
    total = len(lines)
    while index < total:
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if skip_block(line):
            while index < total and lines[index].strip():
                index += 1
            continue
        if "-->" not in line:
            following = index + 1
            if following >= total or "-->" not in lines[following]:
                if (id_check is not None and id_check(line) and following < total
                        and lines[following].strip()):
                    index = following  # a cue number, then something that is not a timing
                raise UserError(f"expected a cue timing line ('start --> end'), "
                                f"found '{_shorten(lines[index])}'", path=path, line=index + 1)
            if id_check is not None and not id_check(line):
                raise UserError(f"expected a cue number, found '{_shorten(line)}'",
                                path=path, line=index + 1)
            index = following
        timing = index
        index += 1
        payload: list[str] = []
        while index < total and lines[index].strip() and "-->" not in lines[index]:
            payload.append(lines[index])
            index += 1
        yield timing, payload


def cues_to_transcript(cues: list[Cue], fmt: str, encoding: str | None, warnings: list[str],
                       path: Path | str) -> ParsedTranscript:
    """Build the stored text and turns from cues.

    Cues without a speaker may still carry a ``Name:`` prefix (see
    :func:`qualcode.importers.labels.label_prefixes`). Consecutive cues of one speaker become one
    turn; unattributed cues stay one turn each, since nothing says they belong together. The
    cues are consumed (their speaker and text are updated in place).
    """
    if not cues:
        raise UserError("no cues: the file holds no subtitles", path=path)
    unvoiced = [i for i, cue in enumerate(cues) if cue.speaker is None]
    for i, (label, offset) in zip(unvoiced, label_prefixes([cues[i].text for i in unvoiced])):
        if label is not None:
            cues[i].speaker, cues[i].text = label, cues[i].text[offset:]

    empty = [cue.line for cue in cues if not cue.text]
    if empty:
        warnings.append(f"skipped {len(empty)} cue(s) without text ({describe_lines(empty)})")
    cues = [cue for cue in cues if cue.text]
    if not cues:
        raise UserError("no cues with text", path=path)

    display, merge_warnings = merge_variants(cue.speaker for cue in cues if cue.speaker is not None)
    warnings.extend(merge_warnings)
    merged: list[Cue] = []
    for cue in cues:
        speaker = display[label_key(cue.speaker)] if cue.speaker is not None else None
        last = merged[-1] if merged else None
        if last is not None and speaker is not None and last.speaker == speaker:
            last.text += " " + cue.text
            last.end = cue.end
        else:
            merged.append(Cue(cue.line, cue.start, cue.end, cue.text, speaker))

    parts: list[str] = []
    turns: list[ParsedTurn] = []
    offset = 0
    for cue in merged:
        prefix = f"[{format_timestamp(cue.start)}] " + (f"{cue.speaker}: " if cue.speaker else "")
        start = offset + len(prefix)
        turns.append(ParsedTurn(cue.speaker, start, start + len(cue.text), cue.start, cue.end))
        parts.append(prefix + cue.text)
        offset += len(parts[-1]) + 2
    return ParsedTranscript("\n\n".join(parts), turns, fmt, encoding, warnings)


def clean_cue_text(text: str) -> str:
    """One line of text: NFC, white space runs collapsed, trimmed. Keeps offsets honest, since
    the stored text is built from these pieces."""
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


def parse_timing(line: str, number: int, path: Path | str,
                 parse_time: Callable[[str], float | None], example: str) -> tuple[float, float]:
    """``(start, end)`` in seconds of a timing line, or a UserError naming the line."""
    left, _, right = line.partition("-->")
    after = right.split(None, 1)  # the end time, then WebVTT cue settings if any
    start = parse_time(left.strip())
    end = parse_time(after[0]) if after else None
    if start is None or end is None:
        raise UserError(f"malformed cue timing '{_shorten(line.strip())}' "
                        f"(expected '{example}')", path=path, line=number)
    return start, end


def _parse_vtt_time(value: str) -> float | None:
    m = _VTT_TIME.fullmatch(value)
    if m is None:
        return None
    hours, minutes, seconds, millis = m.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _is_skipped_block(line: str) -> bool:
    word = line.split(None, 1)[0] if line.strip() else ""
    return word in _SKIPPED_BLOCKS and line.startswith(word)


def _voice_segments(payload: str) -> list[tuple[str | None, str]]:
    """Split a cue payload by voice: ``<v Kari>text</v>``, or ``<v Kari>text`` as Teams writes.

    Other tags (``<c>``, ``<i>``, ``<b>``, ``<u>``, ``<lang>``, ``<ruby>``, inline timestamps) are
    dropped; entities are decoded after the tags are gone, so ``&lt;v&gt;`` stays text.
    """
    segments: list[tuple[str | None, list[str]]] = [(None, [])]
    position = 0
    for m in _TAG.finditer(payload):
        segments[-1][1].append(payload[position:m.start()])
        position = m.end()
        tag = m.group(1).strip()
        voice = _VOICE.fullmatch(tag)
        if voice is not None:
            name = clean_cue_text(html.unescape(voice.group(1) or "")) or None
            segments.append((name, []))
        elif tag == "/v":
            segments.append((None, []))
    segments[-1][1].append(payload[position:])

    result: list[tuple[str | None, str]] = []
    for speaker, pieces in segments:
        text = clean_cue_text(html.unescape("".join(pieces)))
        if not text:
            continue
        if result and result[-1][0] == speaker:
            result[-1] = (speaker, f"{result[-1][1]} {text}")
        else:
            result.append((speaker, text))
    return result or [(None, "")]


def _shorten(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 3] + "..."

"""WebVTT transcripts from Teams, Zoom, noScribe and transcription services.

Parsed by hand rather than with a subtitle library so that every error can name its line. A
recording's cues are short (a few seconds each), so consecutive cues of one speaker are merged
into one turn: a meaning unit often spans many cues. Cues without a speaker (Whisper's) are joined
while a sentence goes on over the cue boundary, since a cue boundary is not a sentence boundary;
a sentence end may be a change of speaker, so they are not joined there. The stored text is one
line per turn, ``[hh:mm:ss] Name: text``, turns separated by a blank line, which reads like a
transcript and keeps the timestamps visible for going back to the recording.

Tools are told apart by content: Teams writes ``<v Name>`` voices (format ``vtt``); Zoom writes
``Name: text`` inside the cues and no voices (``zoom-vtt``); noScribe writes ``WEBVTT title``,
a ``NOTE`` with its header (which holds the audio file's path and is not stored) and ``<v S01>``
voices (``noscribe-vtt``).

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
from qualcode.importers.hallucinations import is_hallucination
from qualcode.importers.labels import (
    describe_lines,
    label_key,
    label_prefixes,
    merge_variants,
)
from qualcode.importers.marks import ends_sentence
from qualcode.importers.settle import finish

_VTT_TIME = re.compile(r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})")
_TAG = re.compile(r"<([^<>\n]*)>")
_VOICE = re.compile(r"v(?:\.[^\s>]*)?(?:[ \t]+(.*))?", re.DOTALL)
_SPACES = re.compile(r"\s+")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
# Zoom's "Name: text": a display name of up to 60 characters without sentence punctuation.
_ZOOM_PREFIX = re.compile(r"([^:.!?\n<>]{1,60}?):[ \t]+(?=\S)")
_NOSCRIBE_VOICE = re.compile(r"<v S\d{2,3}>")


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
    voiced = False
    for timing_index, payload in scan_cues(lines, first, path, _is_skipped_block, None):
        start, end = parse_timing(lines[timing_index], timing_index + 1, path, _parse_vtt_time,
                                  "00:00:01.000 --> 00:00:04.000")
        joined = " \n".join(payload)
        voiced = voiced or "<v" in joined
        for speaker, spoken in _voice_segments(joined):
            cues.append(Cue(timing_index + 1, start, end, spoken, speaker))
    notes = _notes(lines)
    if _is_noscribe(lines, notes):
        from qualcode.importers.noscribe import HEADER_WARNING

        title = html.unescape(header[6:].strip()) or None
        if any("noScribe" in note or "media:" in note for note in notes):
            warnings.append(HEADER_WARNING)
        return cues_to_transcript(cues, "noscribe-vtt", used, warnings, path, strict=True, title=title)
    if not voiced and _zoom_prefixes(cues):
        return cues_to_transcript(cues, "zoom-vtt", used, warnings, path, strict=True)
    return cues_to_transcript(cues, "vtt", used, warnings, path)


def _notes(lines: list[str]) -> list[str]:
    """The text of the NOTE blocks."""
    notes = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("NOTE") and line[4:5] in ("", " ", "\t") and (index == 0 or not lines[index - 1].strip()):
            block = [line[4:].strip()]
            index += 1
            while index < len(lines) and lines[index].strip():
                block.append(lines[index])
                index += 1
            notes.append("\n".join(block).strip())
        index += 1
    return notes


def _is_noscribe(lines: list[str], notes: list[str]) -> bool:
    from qualcode.importers.noscribe import is_header_line

    if any(is_header_line(line) for note in notes for line in note.split("\n")):
        return True
    sample = "\n".join(lines[:400])
    return len(_NOSCRIBE_VOICE.findall(sample)) >= 2 and "-->" in sample


def _zoom_prefixes(cues: list[Cue]) -> bool:
    """Whether most cues start with ``Name: `` as Zoom writes them; if so, take the names.

    A name used in at least two cues is trusted whatever it looks like (Zoom shows display names:
    ``Kari Nordmann (UiB)``, ``iPad``); a name used once must be short (three words before any
    bracket) or pass the usual label rules, so that "Det jeg mener er: ..." stays speech.
    """
    found = [_ZOOM_PREFIX.match(cue.text) for cue in cues]
    if not cues or sum(m is not None for m in found) < max(2, 0.6 * len(cues)):
        return False
    counts: dict[str, int] = {}
    for m in found:
        if m is not None:
            key = label_key(m.group(1))
            counts[key] = counts.get(key, 0) + 1
    single = label_prefixes([cue.text for cue in cues])
    for cue, m, (label, _) in zip(cues, found, single):
        if m is None:
            continue
        short = len(m.group(1).split("(", 1)[0].split()) <= 3
        if counts[label_key(m.group(1))] >= 2 or short or label is not None:
            cue.speaker = clean_cue_text(m.group(1))
            cue.text = cue.text[m.end():]
    return True


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
                       path: Path | str, *, strict: bool = False, title: str | None = None) -> ParsedTranscript:
    """Build the stored text and turns from cues.

    Cues without a speaker may still carry a ``Name:`` prefix (see
    :func:`qualcode.importers.labels.label_prefixes`). Consecutive cues of one speaker become one
    turn; consecutive cues without a speaker become one turn while the earlier one does not end
    a sentence. A cue that looks invented by speech recognition (see :mod:`.hallucinations`) is
    never joined to another. ``strict`` is for a tool's own format (see :mod:`.settle`). The cues
    are consumed (their speaker and text are updated in place).
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
    merged: list[tuple[Cue, list[int]]] = []  # each turn's cue, and where its later cues start
    last_suspect = False
    for cue in cues:
        speaker = display[label_key(cue.speaker)] if cue.speaker is not None else None
        suspect = is_hallucination(cue.text)
        last = merged[-1][0] if merged else None
        if (last is not None and not suspect and not last_suspect and last.speaker == speaker
                and (speaker is not None or not ends_sentence(last.text))):
            merged[-1][1].append(len(last.text) + 1)
            last.text += " " + cue.text
            last.end = cue.end
        else:
            merged.append((Cue(cue.line, cue.start, cue.end, cue.text, speaker), []))
        last_suspect = suspect

    parts: list[str] = []
    turns: list[ParsedTurn] = []
    boundaries: list[int] = []
    offset = 0
    for cue, joints in merged:
        prefix = f"[{format_timestamp(cue.start)}] " + (f"{cue.speaker}: " if cue.speaker else "")
        start = offset + len(prefix)
        turns.append(ParsedTurn(cue.speaker, start, start + len(cue.text), cue.start, cue.end))
        boundaries.extend(start + joint for joint in joints)
        parts.append(prefix + cue.text)
        offset += len(parts[-1]) + 2
    parsed = ParsedTranscript("\n\n".join(parts), turns, fmt, encoding, warnings, title=title)
    return finish(parsed, strict=strict, boundaries=boundaries)


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

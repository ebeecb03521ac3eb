"""noScribe transcripts: its HTML (the default), its plain text, and files its editor saved.

noScribe (github.com/kaixxx/noScribe) transcribes with Whisper and detects speakers with pyannote.
Its HTML, as ``main.py`` writes it, is one ``<p>`` per speaker turn made of ``<a name="ts_START_
END_SPEAKER">`` anchors, one per Whisper segment, with the times in milliseconds::

    <p><a name="ts_12140_22800_S01">S01: <span style="color: #78909C">[00:00:12]</span> Hei ...</a>
       <a name="ts_22800_24360_S01"> (..)</a><a name="ts_30090_30910_//S02"> //S02: Ja.</a>
       <a name="ts_31870_33510_S01">// Og så ...</a></p>

* labels ``S00:``, ``S01:`` ... are numbered by the speaker detection, not in order of speaking
  (and may have been renamed in the editor);
* pauses are ``(.)``, ``(..)``, ... one dot a second, and from ten seconds on spelled out in the
  interface language: ``(12 seconds pause)``, ``(2 minute[s] pause)``, ``(12 Sekunden Pause)``;
* overlapping speech is inline: `` //S02: ja//``, and the interrupted speaker goes on after
  ``//``;
* a visible ``[hh:mm:ss]`` after the label (and every minute), if timestamps were on;
* a header: the audio file's name as a bold title, then "Transcribed with noScribe vers. X", the
  audio file's full path and the settings; the path is also in ``<meta name="audio_source">``.
  The path often names the participant or the place: the header is left out of the stored text
  (with a warning) and only the title is kept, as the transcript's title.

The stored text is built from the paragraphs, ``S01: text //S02: text// text``, one paragraph a
line with a blank line between; the visible timestamps are left out, since the anchors give each
turn its start and end to the millisecond. The noScribe editor (noScribeEdit, a Qt text editor)
saves the same structure through Qt, with each anchor split into several ``<a name>`` elements
of the same name around ``<span>`` runs; that reads the same way.

noScribe's ``.txt`` is the HTML's text (``utils.html_to_text``): title, header lines, then one
paragraph a line with a blank line between, visible timestamps included. It is read like any
text transcript, without its header. Its ``.vtt`` is read by :mod:`.vtt`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.core.text import normalize_text
from qualcode.importers.htmlfile import HtmlDocument, block_text, parse_generic, read_html
from qualcode.importers.labels import LabelHint, find_turns
from qualcode.importers.settle import finish

# "Transcribed with noScribe vers. 0.7" in every interface language (trans/noScribe.*.yml,
# doc_header): each names the program and its version.
VERSION_LINE = re.compile(r"noScribe[^\n]{0,24}?\d+\.\d+")
# doc_header_audio in every interface language, then the path.
AUDIO_PREFIXES = ("Audio file:", "Audiodatei:", "Archivo de audio:", "Fichier audio :",
                  "Fichier audio:", "File audio:", "音声ファイル：", "Arquivo de áudio:",
                  "Аудиофайл:", "音频文件：")
HEADER_WARNING = ("left out noScribe's header (program version, settings and the audio file's "
                  "path, which often names a person or a place): it is not stored")
DIARIZER_LABEL = re.compile(r"S\d{2,3}")
_DIARIZER_LINE = re.compile(r"(S\d{2,3}):[ \t]")
_LABEL = re.compile(r"([^\W\d_][\w'’\-. ]{0,29}?):(?=[ \t]|$)")
_VISIBLE_TIME = re.compile(r"\s*\[\d{1,2}:\d{2}:\d{2}\]\s*")
_TXT_SIGNS = re.compile(r"^S\d{2,3}: \[\d{2}:\d{2}:\d{2}\]|//S\d{2,3}: ", re.MULTILINE)


@dataclass(slots=True)
class _Anchor:
    start: int  # span in the stored text
    end: int
    time_start: float
    time_end: float
    speaker: str


def is_header_line(line: str) -> bool:
    """noScribe's "Transcribed with noScribe vers. X" line (any interface language)."""
    return len(line) < 160 and VERSION_LINE.search(line) is not None


def is_audio_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(AUDIO_PREFIXES)


def _is_options_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("(") and " | " in stripped and stripped.endswith(")")


def header_extent(paragraphs: list[str]) -> tuple[int, str | None] | None:
    """``(number of leading paragraphs that are the header, title)`` or None if there is no
    noScribe header among the first paragraphs. A paragraph may hold several lines."""
    for index, paragraph in enumerate(paragraphs[:6]):
        first = paragraph.strip().split("\n", 1)[0]
        if not is_header_line(first):
            continue
        end = index + 1
        while end < len(paragraphs) and end <= index + 2 and all(
                is_audio_line(line) or _is_options_line(line) for line in paragraphs[end].split("\n") if line.strip()):
            end += 1
        title = " ".join(paragraphs[0].split()) if index == 1 else None
        return end, title
    return None


def looks_like_noscribe_text(text: str) -> bool:
    """A plain-text file noScribe (or its editor) wrote."""
    lines = text[:4000].split("\n")[:12]
    return any(is_header_line(line) for line in lines) or _TXT_SIGNS.search(text[:200_000]) is not None


def parse_html(path: Path, encoding: str | None) -> ParsedTranscript:
    """Read a ``.html``/``.htm`` file: noScribe's (see the module docstring) or any other."""
    document = read_html(path, encoding)
    if not _is_noscribe(document):
        return parse_generic(path, document)
    paragraphs: list[str] = []
    runs_of: list[list[tuple[int, int, str | None]]] = []
    for block in document.blocks:
        runs = [run for run in block.runs if not (run.anchor and _VISIBLE_TIME.fullmatch(run.text))]
        text, spans = block_text(runs)
        if text:
            paragraphs.append(text)
            runs_of.append(spans)
    warnings = list(document.warnings)
    title = None
    header = header_extent(paragraphs)
    if header is not None:
        skip, title = header
        paragraphs, runs_of = paragraphs[skip:], runs_of[skip:]
        warnings.append(HEADER_WARNING)
    elif "audio_source" in document.metas:
        warnings.append(HEADER_WARNING)
    if not paragraphs:
        raise UserError("the noScribe file contains no transcript text", path=path)

    text, anchors, hints = _assemble(paragraphs, runs_of)
    if normalize_text(text) != text:  # a decomposed letter split across runs: rare
        text = normalize_text(text)
    turns, label_warnings = find_turns(text, hints)
    parsed = ParsedTranscript(text, turns, "noscribe-html", document.encoding,
                              warnings + label_warnings, title=title)
    finish(parsed, strict=True, boundaries=[a.start for a in anchors])
    _anchor_times(parsed, anchors)
    _diarizer_note(parsed)
    return parsed


def parse_text(path: Path, text: str, encoding: str, warnings: list[str]) -> ParsedTranscript:
    """noScribe's ``.txt`` (see the module docstring), already decoded."""
    lines = text.split("\n")
    paragraphs: list[str] = []  # the first paragraphs, for the header
    starts: list[tuple[int, int]] = []
    number = 0
    while number < len(lines) and len(paragraphs) < 8:
        if lines[number].strip():
            begin = number
            while number < len(lines) and lines[number].strip():
                number += 1
            paragraphs.append("\n".join(lines[begin:number]))
            starts.append((begin, number))
        number += 1
    title = None
    first_line = 1
    header = header_extent(paragraphs)
    if header is not None:
        skip, title = header
        cut = starts[skip - 1][1]
        while cut < len(lines) and not lines[cut].strip():
            cut += 1
        text = "\n".join(lines[cut:])
        first_line = cut + 1
        warnings = [*warnings, HEADER_WARNING]
    if not text.strip():
        raise UserError("the noScribe file contains no transcript text", path=path)
    hints = {}
    for index, line in enumerate(text.split("\n")):
        m = _DIARIZER_LINE.match(line)
        if m is not None:
            hints[index] = LabelHint(m.group(1), m.end(), trusted=True, colon=True)
    turns, label_warnings = find_turns(text, hints)
    parsed = ParsedTranscript(text, turns, "noscribe-txt", encoding, warnings + label_warnings, title=title)
    finish(parsed, strict=True, first_line=first_line)
    _diarizer_note(parsed)
    return parsed


def _is_noscribe(document: HtmlDocument) -> bool:
    if "audio_source" in document.metas:
        return True
    if any(run.anchor for block in document.blocks for run in block.runs):
        return True
    heads = [block_text(block.runs)[0] for block in document.blocks[:6]]
    return header_extent(heads) is not None


def _assemble(paragraphs: list[str], runs_of: list[list[tuple[int, int, str | None]]]
              ) -> tuple[str, list[_Anchor], dict[int, LabelHint]]:
    """The stored text (paragraphs with a blank line between), the anchors in it, and a trusted
    label hint for each paragraph that starts with its speaker's label."""
    anchors: list[_Anchor] = []
    hints: dict[int, LabelHint] = {}
    offset = line = 0
    for paragraph, spans in zip(paragraphs, runs_of):
        first_speaker = None
        for start, end, name in spans:
            anchor = _parse_anchor(name, offset + start, offset + end)
            if anchor is None:
                continue
            if first_speaker is None:
                first_speaker = anchor.speaker.lstrip("/")
            if anchors and anchors[-1].end >= anchor.start and _same(anchors[-1], anchor):
                anchors[-1].end = max(anchors[-1].end, anchor.end)  # Qt splits one anchor in several
            else:
                anchors.append(anchor)
        m = _LABEL.match(paragraph)
        # with speaker detection on, noScribe starts every paragraph with its speaker's label (the
        # editor may have renamed it, in the text only or in the anchors too)
        if m is not None and (DIARIZER_LABEL.fullmatch(m.group(1)) or first_speaker) \
                and len(m.group(1).split()) <= 3:
            hints[line] = LabelHint(m.group(1), m.end(), trusted=True, colon=True)
        offset += len(paragraph) + 2
        line += paragraph.count("\n") + 2
    return "\n\n".join(paragraphs), anchors, hints


def _parse_anchor(name: str | None, start: int, end: int) -> _Anchor | None:
    if not name or end <= start:
        return None
    parts = name.split("_", 3)
    try:
        begin, finish_ms = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return None
    return _Anchor(start, end, begin / 1000, finish_ms / 1000, parts[3] if len(parts) > 3 else "")


def _same(a: _Anchor, b: _Anchor) -> bool:
    return (a.time_start, a.time_end, a.speaker) == (b.time_start, b.time_end, b.speaker)


def _anchor_times(parsed: ParsedTranscript, anchors: list[_Anchor]) -> None:
    """Each turn starts when the first anchor it overlaps starts and ends when the last ends."""
    starts = [a.start for a in anchors]
    for turn in parsed.turns:
        last = bisect.bisect_left(starts, turn.end)
        overlapping = [a for a in anchors[max(0, _first_before(starts, turn.start)):last] if a.end > turn.start]
        if overlapping:
            turn.time_start = min(a.time_start for a in overlapping)
            turn.time_end = max(a.time_end for a in overlapping)


def _first_before(starts: list[int], position: int) -> int:
    """Index of the last anchor starting at or before ``position`` (anchors do not overlap)."""
    return bisect.bisect_right(starts, position) - 1


def _diarizer_note(parsed: ParsedTranscript) -> None:
    labels = [s for s in parsed.speakers if DIARIZER_LABEL.fullmatch(s)]
    if labels:
        parsed.warnings.append(
            f"speakers {', '.join(labels)} are noScribe's speaker detection labels, numbered by the "
            "detector and not in order of speaking; check who is who and rename them")

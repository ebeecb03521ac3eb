"""aTrain transcripts: its three text files and its JSON.

aTrain (github.com/JuergenFleiss/aTrain; the files are written by aTrain_core's ``outputs.py``)
transcribes with faster-whisper and, if asked, detects speakers with pyannote. For every
recording it writes, in one folder:

* ``transcription.txt``: a headline ``Transcription for <file id>``, then for each change of
  speaker a blank line and the speaker alone on a line (``SPEAKER_00``, or ``Speaker undefined``
  for segments no speaker was found for), then one Whisper segment a line;
* ``transcription_timestamps.txt``: the same with ``[hh:mm:ss] - `` before each segment;
* ``transcription_maxqda.txt``: each speaker block on one line, segments after each other as
  ``[hh:mm:ss] - text `` (for MAXQDA's time marks);
* ``transcription.json``: ``{"segments": [...]}``, faster-whisper's segments (``start``, ``end`` in
  seconds, ``text``, ``words``, ...) with a ``speaker`` when one was found;
* ``transcription.srt``, read by :mod:`.srt` like any SubRip file.

Without speaker detection there are no speaker lines (and the headline is followed by a blank
line). The file id is the date and time and the first seven letters of the audio file's name:
it becomes the transcript's title, and the headline is left out of the stored text.

The text files keep their own text (the timestamps split the turns: each timestamped segment is a
turn with its time); the JSON becomes ``SPEAKER_00: text`` lines, a speaker's consecutive
segments one turn. Segments without a speaker are joined while a sentence goes on.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path

from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript, ParsedTurn
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.hallucinations import is_hallucination
from qualcode.importers.marks import ends_sentence
from qualcode.importers.settle import finish

#: A transcription.json with every word's time and probability: about 100 bytes a word, so 32 MB is
#: some 300,000 words (35 hours of talk). Parsed whole, a hostile file of that size (ten million
#: empty objects) peaks at about 0.8 GB.
JSON_FILE_MAX_BYTES = 32 * limits.MB

HEADLINE = re.compile(r"Transcription for (.+?)\s*")
SPEAKER_LINE = re.compile(r"SPEAKER_\d{1,3}|Speaker undefined")
UNDEFINED = "Speaker undefined"
_STAMP = re.compile(r"\[\d{2,}:[0-5]\d:[0-5]\d\] - ")
_DIARIZER_LABEL = re.compile(r"SPEAKER_\d{1,3}")
_FILE_ID = re.compile(r"\d{10}-\S.{0,6}")  # create_file_id: yymmddHHMM-first seven letters


def looks_like_atrain_text(text: str) -> bool:
    """aTrain's headline, then its file id (date, time, the audio file's first letters) or its
    first speaker line or timestamp: "Transcription for my thesis" alone is not enough."""
    lines = text[:2000].split("\n", 6)
    headline = HEADLINE.fullmatch(lines[0])
    if headline is None:
        return False
    following = next((line.strip() for line in lines[1:] if line.strip()), "")
    return (_FILE_ID.fullmatch(headline.group(1)) is not None or SPEAKER_LINE.fullmatch(following) is not None
            or _STAMP.match(following) is not None)


def parse_text(path: Path, text: str, encoding: str, warnings: list[str]) -> ParsedTranscript:
    """One of aTrain's three text files (see the module docstring), already decoded."""
    lines = text.split("\n")
    headline = HEADLINE.fullmatch(lines[0])
    title = headline.group(1) if headline is not None else None
    first = 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    text = "\n".join(lines[first:])
    if not text.strip():
        raise UserError("the aTrain file holds only its headline, no transcript", path=path)
    lines = lines[first:]
    fmt = _variant(lines)

    blocks: list[tuple[str | None, list[tuple[int, int]]]] = []  # speaker, its lines' spans
    has_speakers = False
    undefined = 0
    offset = 0
    for line in lines:
        content = line.strip()
        if SPEAKER_LINE.fullmatch(content):
            has_speakers = True
            undefined += content == UNDEFINED
            blocks.append((None if content == UNDEFINED else content, []))
        elif content:
            begin = offset + len(line) - len(line.lstrip())
            if not blocks:
                blocks.append((None, []))
            blocks[-1][1].append((begin, begin + len(content)))
        offset += len(line) + 1

    turns: list[ParsedTurn] = []
    for speaker, spans in blocks:
        if not spans:
            continue
        if has_speakers:
            turns.append(ParsedTurn(speaker, spans[0][0], spans[-1][1]))
        else:  # Whisper segments, one a line: joined while a sentence goes on
            for start, end in spans:
                previous = turns[-1] if turns else None
                if (previous is not None and fmt == "atrain-txt"
                        and not ends_sentence(text[previous.start:previous.end])
                        and not is_hallucination(text[previous.start:previous.end])
                        and not is_hallucination(text[start:end])):
                    previous.end = end
                else:
                    turns.append(ParsedTurn(None, start, end))
    if undefined:
        warnings = [*warnings, f"{undefined} block(s) marked '{UNDEFINED}' (aTrain found no speaker "
                               "for them) imported without a speaker"]
    if not has_speakers:
        warnings = [*warnings, "no speakers: the file was made without aTrain's speaker detection"]
    parsed = ParsedTranscript(text, turns, fmt, encoding, list(warnings), title=title)
    return _diarizer_note(finish(parsed, strict=True, first_line=first + 1))


def _diarizer_note(parsed: ParsedTranscript) -> ParsedTranscript:
    labels = [s for s in parsed.speakers if _DIARIZER_LABEL.fullmatch(s)]
    if labels:
        parsed.warnings.append(
            f"speakers {', '.join(labels)} are aTrain's speaker detection labels, numbered by the "
            "detector and not in order of speaking; check who is who and rename them")
    return parsed


def _variant(lines: list[str]) -> str:
    stamped = [line for line in lines[:2000] if _STAMP.match(line.lstrip())]
    if not stamped:
        return "atrain-txt"
    if any(len(_STAMP.findall(line)) > 1 or line.endswith(" ") for line in stamped):
        return "atrain-maxqda"
    return "atrain-timestamps"


def parse_json(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """aTrain's ``transcription.json``; any other JSON is refused with a clear message."""
    data = read_bytes(path, JSON_FILE_MAX_BYTES)
    forced = encoding
    if forced is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        forced = "utf-8"  # JSON is UTF-8 (RFC 8259); anything else is a damaged or foreign file
    try:
        text, used, warnings = decode_bytes(data, path, forced)
    except UserError as exc:
        if encoding is None and forced == "utf-8" and exc.message.startswith("cannot decode"):
            raise UserError(f"{exc.message} (a JSON file must be UTF-8)", path=path, line=exc.line) from None
        raise
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not valid JSON ({exc.msg}, column {exc.colno}); the file may be cut off",
                        path=path, line=exc.lineno) from None
    except RecursionError:
        raise UserError("the JSON nests too deeply to be a transcript", path=path) from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise UserError(f"not a usable JSON file: {exc}", path=path) from None
    segments = _segments(document, path)
    return _json_transcript(segments, path, used, warnings)


def _segments(document: object, path: Path) -> list[tuple[str | None, float, float, str, bool]]:
    """``(speaker, start, end, text, has_speaker_key)`` per segment with text, checked."""
    if not isinstance(document, dict) or not isinstance(document.get("segments"), list):
        if isinstance(document, dict):
            keys = ", ".join(repr(k) for k in list(document)[:5]) or "no keys"
            what = f"an object with {keys}"
        else:
            what = f"a JSON {type(document).__name__.replace('dict', 'object').replace('str', 'string')}"
        raise UserError(f"not an aTrain transcript: expected an object with a 'segments' list, as in "
                        f"aTrain's transcription.json; this file is {what}", path=path)
    result = []
    for number, segment in enumerate(document["segments"], start=1):
        if not isinstance(segment, dict):
            raise UserError(f"not an aTrain transcript: segment {number} is not an object", path=path)
        start, end, said = segment.get("start"), segment.get("end"), segment.get("text")
        if not _seconds(start) or not _seconds(end):
            raise UserError(f"not an aTrain transcript: segment {number} has no 'start' and 'end' in "
                            "seconds", path=path)
        if not isinstance(said, str):
            raise UserError(f"not an aTrain transcript: segment {number} has no 'text'", path=path)
        speaker = segment.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise UserError(f"not an aTrain transcript: segment {number} has a speaker that is not "
                            "a name", path=path)
        clean = unicodedata.normalize("NFC", " ".join(said.split()))
        who = " ".join(speaker.split()) if isinstance(speaker, str) else ""
        if clean:
            result.append((who or None, float(start), float(end), clean, "speaker" in segment))  # type: ignore[arg-type]
    if not result:
        raise UserError("the aTrain transcript has no segments with text", path=path)
    return result


def _seconds(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)


def _json_transcript(segments: list[tuple[str | None, float, float, str, bool]], path: Path,
                     encoding: str, warnings: list[str]) -> ParsedTranscript:
    with_speaker = any(has for *_, has in segments)
    # (speaker, start time, end time, texts); a speaker's segments are one turn, speakerless ones
    # are joined while a sentence goes on, an invented-looking one stands alone
    groups: list[tuple[str | None, float, float, list[str]]] = []
    undefined = 0
    last_suspect = False
    for speaker, start, end, said, _ in segments:
        suspect = is_hallucination(said)
        if with_speaker and speaker is None:
            undefined += 1
        if groups and not suspect and not last_suspect and groups[-1][0] == speaker and (
                speaker is not None or not ends_sentence(groups[-1][3][-1])):
            who, first, _, texts = groups[-1]
            texts.append(said)
            groups[-1] = (who, first, end, texts)
        else:
            groups.append((speaker, start, end, [said]))
        last_suspect = suspect

    parts: list[str] = []
    turns: list[ParsedTurn] = []
    boundaries: list[int] = []
    offset = 0
    for speaker, start, end, texts in groups:
        prefix = f"{speaker}: " if speaker else ""
        position = offset + len(prefix)
        for said in texts:
            boundaries.append(position)
            position += len(said) + 1
        body = " ".join(texts)
        turns.append(ParsedTurn(speaker, offset + len(prefix), offset + len(prefix) + len(body), start, end))
        parts.append(prefix + body)
        offset += len(parts[-1]) + 2
    if undefined:
        warnings = [*warnings, f"{undefined} segment(s) without a speaker (aTrain's '{UNDEFINED}') "
                               "imported without a speaker"]
    if not with_speaker:
        warnings = [*warnings, "no speakers: the file was made without aTrain's speaker detection"]
    parsed = ParsedTranscript("\n\n".join(parts), turns, "atrain-json", encoding, list(warnings))
    return _diarizer_note(finish(parsed, strict=True, boundaries=boundaries))

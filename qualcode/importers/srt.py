"""SubRip (.srt) subtitles, as Whisper-like speech-to-text tools write them.

SRT has no speaker markup, so cues are unattributed, unless the text itself starts with a label
(``P1: ...``) that passes the usual label rules; unattributed cues are joined into one turn while
a sentence goes on over the cue boundary (see :func:`.vtt.cues_to_transcript`). aTrain's
``transcription.srt`` is read the same way. Unlike WebVTT, SRT files
come in any encoding, so they are decoded like plain text.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.core.parsed import ParsedTranscript
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.vtt import Cue, clean_cue_text, cues_to_transcript, parse_timing, scan_cues

# SubRip writes ``00:00:01,000``; some tools write a dot or fewer digits, and aTrain writes
# ``00:00:01,1000`` for a time that rounds up to the next second.
_SRT_TIME = re.compile(r"(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3}|1000)")
# Formatting that SubRip players understand: HTML-like tags and ASS overrides such as {\an8}.
_MARKUP = re.compile(r"<[^<>\n]*>|\{\\[^{}\n]*\}")


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.srt`` file; ``encoding`` overrides detection."""
    text, used, warnings = decode_bytes(read_bytes(path), path, encoding)
    lines = text.split("\n")
    cues = []
    for timing_index, payload in scan_cues(lines, 0, path, lambda line: False, _is_number):
        start, end = parse_timing(lines[timing_index], timing_index + 1, path, _parse_srt_time,
                                  "00:00:01,000 --> 00:00:04,000")
        spoken = clean_cue_text(_MARKUP.sub("", " ".join(payload)))
        cues.append(Cue(timing_index + 1, start, end, spoken))
    return cues_to_transcript(cues, "srt", used, warnings, path)


def _is_number(line: str) -> bool:
    return line.strip().isdigit()


def _parse_srt_time(value: str) -> float | None:
    m = _SRT_TIME.fullmatch(value)
    if m is None:
        return None
    hours, minutes, seconds, fraction = m.groups()
    part = 1.0 if fraction == "1000" else int(fraction) / 10 ** len(fraction)
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + part

"""Plain-text transcripts: the most common hand-made format, and the most varied.

The stored text is the file's own text (normalised), labels and timestamps included, so what
the researcher sees is exactly what they typed; the turns point at the spoken parts of it.

Files that transcription tools wrote are recognised by their content and read by their own rules:
noScribe's (a "Transcribed with noScribe" header, ``S01: [00:00:12]`` labels; see
:mod:`.noscribe`), aTrain's three text files (the ``Transcription for ...`` headline; see
:mod:`.atrain`) and f4/f5 transcripts, whose paragraphs end in a time mark ``#00:01:02-3#``
(format ``f4-txt``). In f4 a speaker label is ``I:`` for the interviewer and ``B:``, ``B1:``, ...
for the interviewees, a pause is ``(.)``, ``(..)``, ``(...)`` or ``(4)`` (seconds), and the mark at
the end of a paragraph is when it ends.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.core.parsed import ParsedTranscript
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.labels import LabelHint, find_turns
from qualcode.importers.settle import finish

# f4's time mark at the end of a paragraph: #00:01:02-3# (tenths of a second).
# f4's speaker labels: I (interviewer), B (Befragte), each maybe numbered; "IP" for interviewed person.
_F4_LABEL = re.compile(r"[ \t]*((?:I|B|IP|IV)\d{0,2}):[ \t]")
_F4_MARK = re.compile(r"#\d{1,2}:[0-5]\d:[0-5]\d(?:-\d{1,2}|[.,]\d{1,3})?#[ \t]*$", re.MULTILINE)


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.txt`` transcript; ``encoding`` overrides detection."""
    text, used, warnings = decode_bytes(read_bytes(path), path, encoding)
    from qualcode.importers import atrain, noscribe

    if atrain.looks_like_atrain_text(text):
        return atrain.parse_text(path, text, used, warnings)
    if noscribe.looks_like_noscribe_text(text):
        return noscribe.parse_text(path, text, used, warnings)
    if _is_f4(text):
        hints = {}
        for number, line in enumerate(text.split("\n")):
            m = _F4_LABEL.match(line)
            if m is not None:
                hints[number] = LabelHint(m.group(1), m.end(), trusted=True, colon=True)
        turns, label_warnings = find_turns(text, hints)
        parsed = ParsedTranscript(text, turns, "f4-txt", used, warnings + label_warnings)
        return finish(parsed, strict=True, numeric_pauses=True, guess_title=True)
    turns, label_warnings = find_turns(text)
    parsed = ParsedTranscript(text, turns, "txt", used, warnings + label_warnings)
    return finish(parsed, strict=False, guess_title=True)


def _is_f4(text: str) -> bool:
    """Paragraphs ending in f4 time marks: at least two, or one in a file of a few lines."""
    found = 0
    for _ in _F4_MARK.finditer(text):
        found += 1
        if found >= 2:
            return True
    return found == 1 and text.count("\n") < 6

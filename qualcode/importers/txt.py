"""Plain-text transcripts: the most common hand-made format, and the most varied.

The stored text is the file's own text (normalised), labels and timestamps included, so what
the researcher sees is exactly what they typed; the turns point at the spoken parts of it.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.core.parsed import ParsedTranscript
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.labels import find_turns


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.txt`` transcript; ``encoding`` overrides detection."""
    text, used, warnings = decode_bytes(read_bytes(path), path, encoding)
    turns, label_warnings = find_turns(text)
    return ParsedTranscript(text, turns, "txt", used, warnings + label_warnings)

"""Transcript importers: one file in, one :class:`~qualcode.core.parsed.ParsedTranscript` out.

Each format lives in its own module, imported only when a file of that kind is read, so that
``import qualcode.importers`` stays cheap (python-docx is slow to import).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript, ParsedTurn

SUPPORTED_SUFFIXES = (".txt", ".docx", ".vtt", ".srt", ".odt")

__all__ = ["SUPPORTED_SUFFIXES", "ParsedTranscript", "ParsedTurn", "parse_transcript"]


def parse_transcript(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Import one transcript file, choosing the importer by its suffix.

    ``encoding`` forces the decoding of the text formats (txt, vtt, srt). Every problem with the
    file itself is raised as a :class:`UserError` naming the file (and the line, where there is
    one).
    """
    path = Path(path)
    if not path.exists():
        raise UserError("no such file", path=path)
    if path.is_dir():
        raise UserError("is a directory, not a transcript file", path=path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise UserError(f"unsupported file type ({shown}); supported: "
                        f"{', '.join(SUPPORTED_SUFFIXES)}, and a whole REFI-QDA project as .qdpx", path=path)
    importer = importlib.import_module(f"qualcode.importers.{suffix[1:]}")
    return importer.parse(path, encoding)

"""Transcript importers: one file in, one :class:`~qualcode.core.parsed.ParsedTranscript` out.

Each format lives in its own module, imported only when a file of that kind is read, so that
``import qualcode.importers`` stays cheap (python-docx is slow to import).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedAnnotation, ParsedTranscript, ParsedTurn

SUPPORTED_SUFFIXES = (".txt", ".docx", ".vtt", ".srt", ".odt", ".html", ".htm", ".json")

# suffix -> (module, function); .txt, .vtt and .srt also recognise the tool that wrote them.
_IMPORTERS = {
    ".txt": ("txt", "parse"),
    ".docx": ("docx", "parse"),
    ".vtt": ("vtt", "parse"),
    ".srt": ("srt", "parse"),
    ".odt": ("odt", "parse"),
    ".html": ("noscribe", "parse_html"),
    ".htm": ("noscribe", "parse_html"),
    ".json": ("atrain", "parse_json"),  # aTrain's transcription.json, told by its shape
}

__all__ = ["SUPPORTED_SUFFIXES", "ParsedAnnotation", "ParsedTranscript", "ParsedTurn", "parse_transcript"]


def parse_transcript(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Import one transcript file, choosing the importer by its suffix.

    ``encoding`` forces the decoding of the text formats (txt, vtt, srt, html, json). Every
    problem with the file itself is raised as a :class:`UserError` naming the file (and the line,
    where there is one). The result's ``format`` names the tool where it was recognised
    (``noscribe-html``, ``atrain-json``, ``f4-txt``, ``zoom-vtt``, ...).
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
    module, function = _IMPORTERS[suffix]
    importer = importlib.import_module(f"qualcode.importers.{module}")
    parsed: ParsedTranscript = getattr(importer, function)(path, encoding)
    return parsed

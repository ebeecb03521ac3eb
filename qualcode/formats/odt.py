"""OpenDocument text (.odt) transcripts, as LibreOffice writes them.

The stored text is the document's paragraphs and headings in order, one per line, with the
spaces, tabs and line breaks ODF encodes as elements (``text:s``, ``text:tab``,
``text:line-break``). Footnotes, comments, drawings and tracked deletions are not speech and are
left out. Tables are read like Word tables (see :func:`qualcode.formats.labels.table_lines`).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from qualcode.core.errors import UserError
from qualcode.core.text import normalize_text
from qualcode.formats.base import ParsedTranscript
from qualcode.formats.decode import read_bytes
from qualcode.formats.labels import find_turns, table_lines

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"

_PARAGRAPHS = {(_TEXT, "p"), (_TEXT, "h")}
_CELLS = {(_TABLE, "table-cell"), (_TABLE, "covered-table-cell")}
# Inline elements whose content is not part of what was said.
_SKIPPED_INLINE = {(_TEXT, "note"), (_OFFICE, "annotation"), (_TEXT, "ruby-text")}
# ODF collapses runs of white space in element text; real spaces are written as text:s.
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_DAMAGED = "not a readable .odt (damaged or not an OpenDocument text file)"


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.odt`` transcript. ``encoding`` does not apply to ODF files and is ignored."""
    body = _open_text(path, read_bytes(path))
    lines: list[str] = []
    hints = {}
    for kind, node in _blocks(body):
        if kind == "p":
            lines.extend(normalize_text(_inline_text(node)).split("\n"))
        else:
            for line, hint in table_lines(_table_rows(node)):
                if hint is not None:
                    hints[len(lines)] = hint
                lines.append(line)
    text = "\n".join(lines)
    turns, warnings = find_turns(text, hints)
    if not turns:
        raise UserError("the document contains no text", path=path)
    if encoding is not None:
        warnings.insert(0, f"--encoding {encoding} ignored: a .odt file has no text encoding")
    return ParsedTranscript(text, turns, "odt", None, warnings)


def _open_text(path: Path, data: bytes):
    """The ``office:text`` element, or one clear UserError for an unreadable file."""
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UserError("this is an old binary Office file, not .odt; save it as .odt or .docx",
                        path=path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                raise UserError("this is a Word file, not OpenDocument; rename it to .docx", path=path)
            if "META-INF/manifest.xml" in names and b"encryption-data" in archive.read(
                    "META-INF/manifest.xml"):
                raise UserError("password-protected .odt; save it without a password", path=path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        raise UserError(_DAMAGED, path=path) from None

    from odf.opendocument import load  # odfpy is slow to import; only .odt imports pay for it

    try:
        document = load(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - odfpy reports damage as zip, KeyError, SAX and other
        # errors; at this point every failure is the file's fault.
        raise UserError(_DAMAGED, path=path) from None
    if not document.mimetype.startswith("application/vnd.oasis.opendocument.text"):
        raise UserError(f"not an OpenDocument text (it is '{document.mimetype}')", path=path)
    return document.text


def _blocks(node):
    """``("p", paragraph)`` and ``("table", table)`` in document order, through sections and
    lists, leaving out drawings, tracked changes and index templates."""
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        qname = child.qname
        if qname in _PARAGRAPHS:
            yield "p", child
        elif qname == (_TABLE, "table"):
            yield "table", child
        elif qname[0] == _DRAW or qname == (_TEXT, "tracked-changes") or qname[1].endswith(
                ("-source", "-decls")):
            continue
        else:
            yield from _blocks(child)


def _inline_text(node) -> str:
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(_XML_SPACE.sub(" ", child.data))
            continue
        if child.nodeType != child.ELEMENT_NODE:
            continue
        qname = child.qname
        if qname == (_TEXT, "s"):
            count = child.getAttrNS(_TEXT, "c") or "1"
            parts.append(" " * (int(count) if count.isdigit() else 1))
        elif qname == (_TEXT, "tab"):
            parts.append("\t")
        elif qname == (_TEXT, "line-break"):
            parts.append("\n")
        elif qname in _SKIPPED_INLINE or qname[0] == _DRAW:
            continue
        else:
            parts.append(_inline_text(child))  # spans, links, fields, bookmarks
    return "".join(parts)


def _table_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []

    def walk(node) -> None:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            if child.qname == (_TABLE, "table-row"):
                rows.append([_cell_text(cell) for cell in child.childNodes
                             if cell.nodeType == cell.ELEMENT_NODE and cell.qname in _CELLS])
            elif child.qname[0] == _TABLE:
                walk(child)  # header rows, row groups

    walk(table)
    return rows


def _cell_text(cell) -> str:
    paragraphs = (normalize_text(_inline_text(p)) for kind, p in _blocks(cell) if kind == "p")
    return " ".join(p for p in paragraphs if p.strip())

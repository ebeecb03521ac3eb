"""OpenDocument text (.odt) transcripts, as LibreOffice writes them.

The stored text is the document's paragraphs and headings in order, one per line, with the
spaces, tabs and line breaks ODF encodes as elements (``text:s``, ``text:tab``,
``text:line-break``). Footnotes, comments, drawings and tracked deletions are not speech and are
left out. Tables are read like Word tables (see :func:`qualcode.importers.labels.table_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.core.text import normalize_text
from qualcode.importers.decode import OLE_SIGNATURE, read_bytes, zip_members
from qualcode.importers.labels import LabelHint, document_transcript, table_lines
from qualcode.importers.settle import finish

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
# A damaged text:s could ask for billions of spaces; no transcript needs more than this.
_MAX_SPACES = 1000
_MANIFEST = "META-INF/manifest.xml"
_MIMETYPE = "mimetype"
_CONTENT = "content.xml"
_DAMAGED = "not a readable .odt (damaged or not an OpenDocument text file)"


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.odt`` transcript. ``encoding`` does not apply to ODF files and is ignored."""
    body = _open_text(path, read_bytes(path, limits.DOCUMENT_FILE_MAX_BYTES))
    return finish(document_transcript(_lines(body), "odt", path, encoding), strict=False, guess_title=True)


def _lines(body) -> Iterator[tuple[str, LabelHint | None]]:
    for kind, node in _blocks(body):
        if kind == "p":
            yield normalize_text(_inline_text(node)), None
        else:
            yield from table_lines(_table_rows(node))


def _open_text(path: Path, data: bytes) -> ElementTree.Element:
    """The ``office:text`` element, or one clear UserError for an unreadable file."""
    if data.startswith(OLE_SIGNATURE):
        raise UserError("this is an old binary Office file, not .odt; save it as .odt or .docx",
                        path=path)
    members = zip_members(data, path, (_MANIFEST, _MIMETYPE, _CONTENT))
    if members is None:
        raise UserError(_DAMAGED, path=path)
    names, parts = members
    if "word/document.xml" in names:
        raise UserError("this is a Word file, not OpenDocument; rename it to .docx", path=path)
    if b"encryption-data" in parts.get(_MANIFEST, b""):
        raise UserError("password-protected .odt; save it without a password", path=path)
    mimetype = parts.get(_MIMETYPE, b"").decode("ascii", "replace").strip()
    if mimetype and not mimetype.startswith("application/vnd.oasis.opendocument.text"):
        raise UserError(f"not an OpenDocument text (it is '{mimetype}')", path=path)
    if _CONTENT not in parts:
        raise UserError(_DAMAGED, path=path)
    try:
        # zip_members has checked content.xml while reading it: no DOCTYPE (so no entities to
        # expand and no DTD to fetch) and nesting within limits.XML_MAX_DEPTH.
        root = ElementTree.fromstring(parts[_CONTENT])
    except ElementTree.ParseError:
        raise UserError(_DAMAGED, path=path) from None
    text = root.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
    if text is None:
        raise UserError(_DAMAGED, path=path)
    return text


def _q(element: ElementTree.Element) -> tuple[str, str]:
    """An element's (namespace, local name), the way the tables above name them."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ("", str(tag))
    namespace, _, local = tag[1:].partition("}")
    return (namespace, local)


def _blocks(node):
    """``("p", paragraph)`` and ``("table", table)`` in document order, through sections and
    lists, leaving out drawings, tracked changes and index templates."""
    for child in node:
        qname = _q(child)
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
    parts: list[str] = [_XML_SPACE.sub(" ", node.text or "")]
    for child in node:
        qname = _q(child)
        if qname == (_TEXT, "s"):
            count = child.get(f"{{{_TEXT}}}c") or "1"
            parts.append(" " * (min(int(count), _MAX_SPACES) if count.isdigit() else 1))
        elif qname == (_TEXT, "tab"):
            parts.append("\t")
        elif qname == (_TEXT, "line-break"):
            parts.append("\n")
        elif qname in _SKIPPED_INLINE or qname[0] == _DRAW:
            pass
        else:
            parts.append(_inline_text(child))  # spans, links, fields, bookmarks
        parts.append(_XML_SPACE.sub(" ", child.tail or ""))
    return "".join(parts)


def _table_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []

    def walk(node) -> None:
        for child in node:
            qname = _q(child)
            if qname == (_TABLE, "table-row"):
                rows.append([_cell_text(cell) for cell in child if _q(cell) in _CELLS])
            elif qname[0] == _TABLE:
                walk(child)  # header rows, row groups

    walk(table)
    return rows


def _cell_text(cell) -> str:
    paragraphs = (normalize_text(_inline_text(p)) for kind, p in _blocks(cell) if kind == "p")
    return " ".join(p for p in paragraphs if p.strip())

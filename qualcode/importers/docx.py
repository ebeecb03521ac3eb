"""Word transcripts (.docx), the format most transcribers deliver.

The stored text is the document's paragraphs and table rows, in document order, one per line.
Two Word habits carry speaker information that plain text does not:

* a bold run at the start of a paragraph (``**Intervjuer:** Hva ...``, ``**P1** Ja ...``),
  which counts as a label even without a colon when the rest of the paragraph is not bold.
  Without a colon it must still be a common label or be used at least twice, so that a bold
  word for emphasis (``**Viktig** å huske ...``) does not become a speaker;
* a table with a speaker column, a text column and perhaps a time column, as transcription
  services write it; each row becomes ``[hh:mm:ss] Speaker: text``.

Paragraph text is read from the XML directly rather than through ``Paragraph.text`` so that
tracked insertions, hyperlinks, fields and content controls are not lost, and text boxes and
deleted text are not mixed in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.core.text import normalize_text
from qualcode.importers.archive import Archive, xml_parser
from qualcode.importers.decode import OLE_SIGNATURE, read_bytes, zip_members
from qualcode.importers.labels import LabelHint, document_transcript, table_lines
from qualcode.importers.settle import finish

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _R = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}r"
_T, _TAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN, _RPR, _B = f"{_W}noBreakHyphen", f"{_W}rPr", f"{_W}b"
# Containers whose children are block content in document order.
_BLOCK_CONTAINERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"}
# Run containers inside a paragraph that hold no text of the paragraph itself.
_SKIPPED_IN_PARAGRAPH = {f"{_W}del", f"{_W}moveFrom", f"{_W}pPr", f"{_W}rPr", f"{_W}drawing",
                         f"{_W}pict", f"{_W}object", f"{_W}footnoteReference",
                         f"{_W}endnoteReference", f"{_W}commentReference", f"{_W}txbxContent",
                         "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}

_DAMAGED = "not a readable .docx (damaged or not a Word file)"

Piece = tuple[str, bool]  # (text, bold)


def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Read a ``.docx`` transcript. ``encoding`` does not apply to Word files and is ignored."""
    body = _open_body(path, read_bytes(path, limits.DOCUMENT_FILE_MAX_BYTES))
    return finish(document_transcript(_lines(body), "docx", path, encoding), strict=False, guess_title=True)


def _lines(body) -> Iterator[tuple[str, LabelHint | None]]:
    for element in _blocks(body):
        if element.tag == _P:
            for line_pieces in _split_lines(_pieces(element)):
                yield _line_with_bold_label(line_pieces)
        else:
            yield from table_lines(_table_rows(element))


def _open_body(path: Path, data: bytes):
    """The ``w:body`` element, or one clear UserError for every way a .docx can be unreadable."""
    if data.startswith(OLE_SIGNATURE):
        raise UserError("encrypted or old .doc format; save it as .docx", path=path)
    members = zip_members(data, path, (), xml=_parsed_parts) if data.startswith(b"PK") else None
    if members is None:
        raise UserError(_DAMAGED, path=path)
    names, _ = members
    if "word/document.xml" not in names:
        if "content.xml" in names:
            raise UserError("this is an OpenDocument file, not Word; rename it to .odt", path=path)
        raise UserError(_DAMAGED, path=path)

    import docx  # python-docx is slow to import; only .docx imports pay for it

    # zip_members has read every member within the limits and checked each part python-docx will
    # parse (no DOCTYPE, bounded nesting); python-docx's own parser (docx.oxml.parser) resolves no
    # entities, loads no DTD, uses no network and keeps libxml2's size limits (no huge_tree).

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception:
        # types (BadZipFile, KeyError, ValueError, lxml errors, zlib errors, ...); at this point
        # every failure is the file's fault.
        raise UserError(_DAMAGED, path=path) from None
    if body is None:
        raise UserError(_DAMAGED, path=path)
    return body


def _parsed_parts(archive: Archive) -> set[str]:
    """The members python-docx will parse as XML: the relationships, [Content_Types].xml and
    every part whose content type it has a class for (whatever the part is called), so the
    bounded reader checks each of them before python-docx sees it."""
    from docx.opc.part import PartFactory
    from lxml import etree

    names = {n for n in archive.names if n.lower().endswith((".xml", ".rels"))}
    if "[Content_Types].xml" not in archive.names:
        return names
    try:
        types = etree.fromstring(archive.read("[Content_Types].xml", xml=True) or b"", xml_parser())
    except etree.XMLSyntaxError:
        return names  # python-docx will find the file damaged
    parsed = set(PartFactory.part_type_for)
    extensions, parts = set(), set()
    for entry in types:
        if entry.get("ContentType") not in parsed:
            continue
        if isinstance(entry.tag, str) and entry.tag.endswith("Default"):
            extensions.add((entry.get("Extension") or "").lower())
        elif isinstance(entry.tag, str) and entry.tag.endswith("Override"):
            parts.add((entry.get("PartName") or "").lstrip("/").lower())
    for name in archive.names:
        lowered = name.lower()
        if lowered in parts or lowered.rpartition(".")[2] in extensions:
            names.add(name)
    return names


def _blocks(container):
    """Paragraphs and tables in document order, looking inside content controls."""
    for child in container:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _blocks(child)


def _pieces(element) -> list[Piece]:
    """The text of a paragraph as ``(text, bold)`` pieces; line breaks are ``("\\n", bold)``."""
    pieces: list[Piece] = []
    for child in element:
        tag = child.tag
        if tag == _R:
            bold = _is_bold(child)
            for item in child:
                if item.tag == _T:
                    pieces.append((item.text or "", bold))
                elif item.tag == _TAB:
                    pieces.append(("\t", bold))
                elif item.tag in (_BR, _CR):
                    pieces.append(("\n", bold))
                elif item.tag == _NO_BREAK_HYPHEN:
                    pieces.append(("-", bold))
        elif isinstance(tag, str) and tag not in _SKIPPED_IN_PARAGRAPH:
            pieces.extend(_pieces(child))  # hyperlinks, insertions, fields, smart tags
    return pieces


def _is_bold(run) -> bool:
    props = run.find(_RPR)
    if props is None:
        return False
    b = props.find(_B)
    return b is not None and b.get(f"{_W}val", "true").lower() not in ("0", "false", "off")


def _split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """A paragraph with manual line breaks is several lines of the stored text."""
    lines: list[list[Piece]] = [[]]
    for text, bold in pieces:
        parts = text.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if part:
                lines[-1].append((part, bold))
    return lines


def _line_with_bold_label(pieces: list[Piece]) -> tuple[str, LabelHint | None]:
    """The normalised line, and a hint if it starts with a bold run followed by plain text.

    Whether the bold run is short and label-like enough is decided in :mod:`.labels`.
    """
    line = normalize_text("".join(text for text, _ in pieces))
    bold_prefix = ""
    for text, bold in pieces:
        if not bold:
            break
        bold_prefix += text
    else:
        return line, None  # all bold (or empty): a heading, left to the plain-text rules
    label = normalize_text(bold_prefix).strip()
    if not label:
        return line, None
    text_start = len(normalize_text(bold_prefix))
    colon = label.endswith(":")
    if colon:
        label = label[:-1].rstrip()
    else:
        after = line[text_start:].lstrip()
        if after.startswith(":"):  # **P1**: text
            colon = True
            text_start = len(line) - len(after) + 1
    if ":" in label or (not colon and not line[text_start:].strip()):
        return line, None  # a colon inside the bold run, or a bold line alone: plain-text rules
    return line, LabelHint(label, text_start, colon=colon)


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.iter(_TR):
        if _owner_table(row) is not table:
            continue  # a row of a nested table; its text is part of the outer cell
        cells = []
        for cell in row.iterchildren(_TC):
            paragraphs = ("".join(text for text, _ in _pieces(p)) for p in cell.iter(_P))
            cells.append(normalize_text(" ".join(p for p in paragraphs if p.strip())))
        rows.append(cells)
    return rows


def _owner_table(row):
    parent = row.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent

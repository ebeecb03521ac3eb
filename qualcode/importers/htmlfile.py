"""HTML transcripts (.html, .htm): read within limits into blocks of text runs.

noScribe writes its transcripts as HTML (see :mod:`.noscribe`), and a transcript saved from a
word processor or a browser may be HTML too. Both are read here with libxml2's HTML parser (through
lxml) driving a parser target: events, no tree, nothing resolved from the network, so deep nesting
costs nothing and a file of millions of tags takes seconds; the file itself is read within
:data:`HTML_FILE_MAX_BYTES`. Text inside ``<head>``, ``<style>`` and
``<script>`` is skipped; each block element (``p``, ``div``, ``h1``-``h6``, ``li``, table rows) is a
block, ``<br>`` a line break inside one; each run of text remembers the ``ts_...`` anchor around
it (noScribe keeps the audio times there). A document that opens ``<html>`` and never closes it is
refused as cut off.

An HTML file that is not from noScribe becomes a transcript like a plain-text one: one line per
block, speaker labels found by the usual rules (format ``html``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.core.text import normalize_text
from qualcode.importers.decode import decode_bytes, read_bytes
from qualcode.importers.labels import find_turns
from qualcode.importers.settle import finish

#: An HTML transcript as it is on disk: a noScribe file is about three times its text, eight times
#: once its editor has saved it (a 500,000-word transcript is about 25 MB then).
HTML_FILE_MAX_BYTES = 32 * limits.MB

_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "blockquote",
                     "pre", "section", "article", "table", "ul", "ol", "dd", "dt", "header",
                     "footer", "main", "body", "center"})
_CELLS = frozenset({"td", "th"})
_SKIPPED = frozenset({"head", "style", "script", "title", "template", "noscript"})
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_BR = "\ue000"  # a <br> inside the runs (a private-use character; source line breaks are spaces)
_OPENS = re.compile(r"<html[\s>]", re.IGNORECASE)
_CLOSES = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)


@dataclass(slots=True)
class Run:
    """A piece of text (in parts, as the parser gave it) and the ``ts_`` anchor (name or href) it
    is inside, if any."""

    parts: list[str]
    anchor: str | None = None

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0]


@dataclass(slots=True)
class Block:
    tag: str
    runs: list[Run] = field(default_factory=list)


@dataclass(slots=True)
class HtmlDocument:
    blocks: list[Block]
    metas: dict[str, str]  # <meta name=... content=...>, names casefolded
    title: str | None  # <title>
    encoding: str
    warnings: list[str]


class _Reader:
    """An lxml parser target: events in, blocks of runs out (no tree is built)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.current = Block("body")
        self.anchors: list[str | None] = []
        self.skipping = 0
        self.metas: dict[str, str] = {}
        self.title_parts: list[str] | None = None
        self.title: str | None = None
        self.joinable = False  # the last event was text: more text joins its run

    def _flush(self, tag: str) -> None:
        if any(run.text.strip() for run in self.current.runs):
            self.blocks.append(self.current)
        self.current = Block(tag)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.joinable = False
        if tag == "meta" and "name" in attrib and "content" in attrib:
            self.metas[attrib["name"].casefold()] = attrib["content"]
        if tag in _SKIPPED:
            self.skipping += 1
            if tag == "title":
                self.title_parts = []
            return
        if tag in _BLOCKS:
            self._flush(tag)
        elif tag in _CELLS:
            if self.current.runs:
                self.current.runs.append(Run([" | "]))
        elif tag == "br":
            self.current.runs.append(Run([_BR], self.anchors[-1] if self.anchors else None))
        elif tag == "a":
            name = attrib.get("name") or attrib.get("href") or ""
            self.anchors.append(name if name.startswith("ts_") else None)

    def end(self, tag: str) -> None:
        self.joinable = False
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            if tag == "title" and self.title_parts is not None:
                self.title = " ".join("".join(self.title_parts).split()) or None
                self.title_parts = None
            return
        if tag in _BLOCKS:
            self._flush("body")
        elif tag == "a" and self.anchors:
            self.anchors.pop()

    def data(self, data: str) -> None:
        if self.skipping:
            if self.title_parts is not None:
                self.title_parts.append(data)
            return
        if self.joinable and self.current.runs:
            self.current.runs[-1].parts.append(data)  # text the parser gives in pieces
        else:
            self.current.runs.append(Run([data], self.anchors[-1] if self.anchors else None))
        self.joinable = True

    def comment(self, text: str) -> None:
        self.joinable = False

    def close(self) -> None:
        self._flush("body")


def read_html(path: Path, encoding: str | None) -> HtmlDocument:
    """Decode and read an HTML file into blocks (see the module docstring)."""
    from lxml import etree

    data = read_bytes(path, HTML_FILE_MAX_BYTES)
    forced = encoding
    if forced is None and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _CHARSET.search(data[:8192])
        if declared is not None:
            try:
                forced = codecs.lookup(declared.group(1).decode("ascii")).name
            except LookupError:
                forced = None
    try:
        text, used, warnings = decode_bytes(data, path, forced)
    except UserError as exc:
        if encoding is None and forced is not None:
            raise UserError(f"{exc.message} (the file says it is {forced})", path=path, line=exc.line) from None
        raise
    if _OPENS.search(text[:8192]) and not _CLOSES.search(text[-8192:]):
        raise UserError("the HTML ends before </body> and </html>: the file looks cut off; "
                        "save or copy it again", path=path, line=text.count("\n") + 1)
    reader = _Reader()
    # lxml hands a target str, never bytes, whatever its stubs allow
    parser = etree.HTMLParser(target=reader, encoding="utf-8", no_network=True, huge_tree=False,  # type: ignore[arg-type]
                              remove_comments=True, remove_pis=True)
    try:
        parser.feed(text.encode("utf-8"))
        parser.close()
    except etree.LxmlError:
        raise UserError("not a readable HTML file", path=path) from None
    return HtmlDocument(reader.blocks, reader.metas, reader.title, used, warnings)


def block_text(runs: list[Run]) -> tuple[str, list[tuple[int, int, str | None]]]:
    """A block's text with white space collapsed as a browser shows it (``<br>`` stays a line
    break), and ``(start, end, anchor)`` in that text for each stretch of runs in one anchor."""
    groups: list[tuple[str | None, list[str]]] = []
    for run in runs:
        if groups and groups[-1][0] == run.anchor:
            groups[-1][1].append(run.text)
        else:
            groups.append((run.anchor, [run.text]))
    out: list[str] = []
    length = 0
    spans: list[tuple[int, int, str | None]] = []
    last = ""  # the last character written
    for anchor, texts in groups:
        begin = length
        lines = unicodedata.normalize("NFC", "".join(texts)).split(_BR)
        for number, line in enumerate(lines):
            if number:  # a <br>: no space before it, none after it
                if last == " ":
                    out[-1] = out[-1][:-1]
                    length -= 1
                out.append("\n")
                length += 1
                last = "\n"
            collapsed = _SPACE.sub(" ", line)
            if collapsed.startswith(" ") and last in ("", " ", "\n"):
                collapsed = collapsed[1:]
            if collapsed:
                out.append(collapsed)
                length += len(collapsed)
                last = collapsed[-1]
        spans.append((begin, length, anchor))
    text = "".join(out)
    stripped = text.rstrip()
    return stripped, [(min(s, len(stripped)), min(e, len(stripped)), a) for s, e, a in spans]


def parse_generic(path: Path, document: HtmlDocument) -> ParsedTranscript:
    """An HTML transcript that is not from noScribe: one line per block."""
    lines = []
    for block in document.blocks:
        text, _ = block_text(block.runs)
        if text:
            lines.append(text)
    if not lines:
        raise UserError("the HTML file contains no text", path=path)
    text = normalize_text("\n".join(lines))
    turns, warnings = find_turns(text)
    parsed = ParsedTranscript(text, turns, "html", document.encoding, document.warnings + warnings)
    return finish(parsed, strict=False, guess_title=True)

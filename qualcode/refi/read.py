"""Reading REFI-QDA files: a ``.qdpx`` or ``.qdc`` checked completely, and nothing stored.

:func:`read_qdpx` gives an :class:`RProject` with every source's text and selections as the
other tool wrote them; :func:`.positions.choose_positions` then works out how that tool counted
positions and maps them onto qualcode's stored text. Every problem with the file is a
:class:`~qualcode.core.errors.UserError` naming it: not a ZIP, no ``.qde``, XML that is not
well-formed, a root that is not a REFI-QDA project, a missing attribute, a source whose text is
not in the file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import limits
from ..core.errors import UserError
from ..core.models import COLOUR
from ..core.text import normalize_text
from ..importers.archive import Archive, Damaged, check_xml, read_file, xml_parser
from .write import _QUALCODE_NS, DEFAULT_CODER


@dataclass(slots=True)
class RCode:
    guid: str
    name: str
    parent: str | None
    colour: str | None
    description: str
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RCoding:
    start: int  # in the tool's position units, mapped later
    end: int
    code: str  # code guid
    user: str | None
    memo: str = ""
    notes: list[str] = field(default_factory=list)
    whole: bool = False  # a coding of the whole source


@dataclass(slots=True)
class RSelection:
    guid: str
    name: str
    start: int
    end: int
    description: str
    codings: list[RCoding]
    notes: list[str]


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


@dataclass(slots=True)
class RNote:
    guid: str
    name: str
    text: str
    user: str | None


@dataclass(slots=True)
class RCase:
    guid: str
    name: str
    variables: dict[str, str]
    sources: list[str]
    selections: list[str]


@dataclass(slots=True)
class RProject:
    """A REFI-QDA project as read from a file, before anything is stored."""

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
        raise UserError(f"cannot read {name} from the archive ({str(exc).partition(': ')[2]})", path=path) from None
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

        def load_internal(ref: str, owner: str) -> bytes:
            kind, sep, rest = ref.partition("://")
            if not sep:
                raise UserError(f"source {owner!r} has an unreadable path {ref!r}", path=path)
            if kind.lower() == "internal":
                for candidate in (f"sources/{rest}", rest):
                    if candidate.lower() in members:
                        return _read_member(archive, members[candidate.lower()], path, source=True)
            missing.append((owner, ref))
            return b""

        missing: list[tuple[str, str]] = []
        project = _read_project(root, ns, path, load_internal)
    if missing:
        names = ", ".join(repr(owner) for owner, _ in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise UserError(
            f"{len(missing)} text source(s) are not inside the file ({names}: {missing[0][1]}); nothing was "
            "imported. Export the project again with its sources, or take only its codebook with "
            "'qualcode codebook PROJECT --import FILE'", path=path)
    return project


def _read_project(root, ns: str, path: Path, load_internal) -> RProject:
    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}"

    def text_of(element, tag: str) -> str:
        child = element.find(q(tag))
        return (child.text or "") if child is not None else ""

    def required(element, attribute: str) -> str:
        value = element.get(attribute)
        if value is None or not value.strip():
            raise UserError(f"a {_split(element.tag)[1]} element (line {element.sourceline}) has no {attribute}",
                            path=path)
        return value.strip()

    warnings: list[str] = []
    users: dict[str, str] = {}
    taken: set[str] = set()
    users_el = root.find(q("Users"))
    for user in users_el.findall(q("User")) if users_el is not None else []:
        users[required(user, "guid").upper()] = _coder_name(user.get("id"), user.get("name"), taken)

    codes: list[RCode] = []
    seen_codes: set[str] = set()

    def read_code(element, parent: str | None) -> None:
        gid = required(element, "guid").upper()
        if gid in seen_codes:
            raise UserError(f"two codes have the GUID {gid}", path=path)
        seen_codes.add(gid)
        name = " ".join(required(element, "name").split())
        colour = element.get("color")
        if colour is not None and not COLOUR.match(colour.strip()):
            warnings.append(f"code {name!r}: colour {colour!r} is not #RRGGBB; left out")
            colour = None
        note_refs = [required(r, "targetGUID").upper() for r in element.findall(q("NoteRef"))]
        codes.append(RCode(gid, name, parent, colour.strip() if colour else None, text_of(element, "Description"),
                           note_refs))
        for child in element.findall(q("Code")):
            read_code(child, gid)

    book = root.find(q("CodeBook"))
    codes_el = book.find(q("Codes")) if book is not None else None
    for element in codes_el.findall(q("Code")) if codes_el is not None else []:
        read_code(element, None)

    variables: dict[str, str] = {}
    variables_el = root.find(q("Variables"))
    for v in variables_el.findall(q("Variable")) if variables_el is not None else []:
        variables[required(v, "guid").upper()] = " ".join(required(v, "name").split())

    def values(element) -> dict[str, str]:
        out = {}
        for vv in element.findall(q("VariableValue")):
            ref = vv.find(q("VariableRef"))
            if ref is None:
                continue
            name = variables.get((ref.get("targetGUID") or "").upper())
            holder = next((c for c in vv if _split(c.tag)[1].endswith("Value")), None)
            if name is None or holder is None or holder.text is None:
                continue
            out[name] = holder.text.strip()
        return out

    def codings_of(element) -> list[RCoding]:
        out = []
        for coding in element.findall(q("Coding")):
            ref = coding.find(q("CodeRef"))
            if ref is None:
                raise UserError(f"a Coding (line {coding.sourceline}) has no CodeRef", path=path)
            target = required(ref, "targetGUID").upper()
            user = (coding.get("creatingUser") or "").upper() or None
            notes = [required(r, "targetGUID").upper() for r in coding.findall(q("NoteRef"))]
            out.append(RCoding(0, 0, target, user, notes=notes))
        return out

    sources: list[RSource] = []
    skipped: dict[str, int] = {}
    sources_el = root.find(q("Sources"))
    for element in sources_el if sources_el is not None else []:
        kind = _split(element.tag)[1]
        if kind != "TextSource":
            if kind:
                skipped[kind] = skipped.get(kind, 0) + 1
            continue
        gid = required(element, "guid").upper()
        name = " ".join((element.get("name") or "").split()) or f"Source {len(sources) + 1}"
        content = element.find(q("PlainTextContent"))
        if content is not None and content.text is not None:
            raw = content.text
        elif element.get("plainTextPath"):
            raw = _decode_source(load_internal(element.get("plainTextPath"), name), name, path)
        else:
            raise UserError(f"text source {name!r} has neither PlainTextContent nor a plainTextPath", path=path)
        selections = []
        for sel in element.findall(q("PlainTextSelection")):
            try:
                start, end = int(required(sel, "startPosition")), int(required(sel, "endPosition"))
            except ValueError:
                raise UserError(f"a selection in source {name!r} (line {sel.sourceline}) has a position that is "
                                "not a whole number", path=path) from None
            selection_codings = codings_of(sel)
            description = text_of(sel, "Description").strip()
            creator = (sel.get("creatingUser") or "").upper() or None
            for coding in selection_codings:
                coding.start, coding.end, coding.memo = start, end, description
                coding.user = coding.user or creator
            note_refs = [required(r, "targetGUID").upper() for r in sel.findall(q("NoteRef"))]
            selections.append(RSelection(required(sel, "guid").upper(), sel.get("name") or "", start, end,
                                         description, selection_codings, note_refs))
        whole = codings_of(element)
        for coding in whole:
            coding.whole = True
        note_refs = [required(r, "targetGUID").upper() for r in element.findall(q("NoteRef"))]
        sources.append(RSource(gid, name, raw, selections, whole, note_refs, values(element)))
    if skipped:
        shown = ", ".join(f"{n} {k.replace('Source', '')}" for k, n in sorted(skipped.items()))
        warnings.append(f"skipped sources qualcode cannot code ({shown}); only text sources are imported")

    notes: dict[str, RNote] = {}
    notes_el = root.find(q("Notes"))
    for element in notes_el.findall(q("Note")) if notes_el is not None else []:
        gid = required(element, "guid").upper()
        content = element.find(q("PlainTextContent"))
        if content is not None and content.text is not None:
            text = content.text
        elif element.get("plainTextPath"):
            text = _decode_source(load_internal(element.get("plainTextPath"), element.get("name") or gid),
                                  element.get("name") or gid, path)
        else:
            text = ""
        notes[gid] = RNote(gid, (element.get("name") or "").strip(), normalize_text(text).strip(),
                           (element.get("creatingUser") or "").upper() or None)
        description = text_of(element, "Description").strip()
        if description and description not in notes[gid].text:
            notes[gid].text = (normalize_text(description) + "\n\n" + notes[gid].text).strip()

    cases: list[RCase] = []
    cases_el = root.find(q("Cases"))
    for element in cases_el.findall(q("Case")) if cases_el is not None else []:
        cases.append(RCase(
            required(element, "guid").upper(), (element.get("name") or "").strip(), values(element),
            [required(r, "targetGUID").upper() for r in element.findall(q("SourceRef"))],
            [required(r, "targetGUID").upper() for r in element.findall(q("SelectionRef"))],
        ))

    links = []
    links_el = root.find(q("Links"))
    for link in links_el.findall(q("Link")) if links_el is not None else []:
        origin, target = (link.get("originGUID") or "").upper(), (link.get("targetGUID") or "").upper()
        if origin in notes and target:
            links.append((origin, target))
    for kind in ("Sets", "Graphs"):
        if root.find(q(kind)) is not None:
            warnings.append(f"the file's {kind.lower()} are not imported (qualcode has no place for them)")

    project_notes = [required(r, "targetGUID").upper() for r in root.findall(q("NoteRef"))]
    return RProject(name=(root.get("name") or "").strip() or path.stem, origin=root.get("origin") or "",
                    users=users, codes=_bounded_depth(_unflatten_atlas(codes, root.get("origin") or ""), path),
                    sources=sources,
                    notes=notes, cases=cases, project_notes=project_notes, links=links, warnings=warnings)


def _decode_source(data: bytes, name: str, path: Path) -> str:
    """A source's text as the tool wrote it; a BOM stays as U+FEFF so positions can count it."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        codec = "utf-16"
    else:
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise UserError(f"source {name!r} is not UTF-8 text", path=path) from None
    if codec == "utf-16":
        text = "\ufeff" + text
    if "\x00" in text:
        raise UserError(f"source {name!r} holds binary content (a NUL character)", path=path)
    return text


def _coder_name(user_id: str | None, name: str | None, taken: set[str]) -> str:
    """A qualcode coder name for a REFI user: its id (initials) if short, else its name without spaces."""
    candidate = ""
    for value in (user_id, name):
        value = (value or "").strip()
        if value and len(value) <= 40 and not any(ch.isspace() for ch in value):
            candidate = value
            break
    if not candidate:
        candidate = re.sub(r"\s+", "_", (name or user_id or "").strip())[:40] or DEFAULT_CODER
    unique, n = candidate, 2
    while unique in taken:
        unique = f"{candidate[:37]}-{n}"
        n += 1
    taken.add(unique)
    return unique


def _unflatten_atlas(codes: list[RCode], origin: str) -> list[RCode]:
    """ATLAS.ti 8 flattens its code groups into names like ``Coke::diet Coke``; rebuild the tree."""
    if "atlas" not in origin.casefold() or not any("::" in c.name for c in codes):
        return codes
    by_name = {c.name: c for c in codes if c.parent is None and "::" not in c.name}
    out = [c for c in codes if "::" not in c.name]
    for code in codes:
        if "::" not in code.name:
            continue
        *parents, leaf = [p.strip() for p in code.name.split("::")]
        parent_guid, path = None, []
        for part in parents:
            path.append(part)
            key = "::".join(path)
            if key not in by_name:
                made = RCode(str(uuid.uuid5(_QUALCODE_NS, "atlas-group:" + key)).upper(), part, parent_guid, None, "")
                by_name[key] = made
                out.append(made)
            parent_guid = by_name[key].guid
        code.name, code.parent = leaf, parent_guid
        out.append(code)
    # parents before children
    ordered, placed = [], set()
    pending = out
    while pending:
        rest = [c for c in pending if c.parent is not None and c.parent not in placed]
        for c in pending:
            if c not in rest:
                ordered.append(c)
                placed.add(c.guid)
        if len(rest) == len(pending):
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def _bounded_depth(codes: list[RCode], path: Path) -> list[RCode]:
    """``codes``, or an error if any is nested deeper than :data:`~qualcode.core.limits.CODEBOOK_MAX_DEPTH`."""
    parents = {c.guid: c.parent for c in codes}
    depth: dict[str, int] = {}
    for code in codes:
        chain: list[str] = []
        current: str | None = code.guid
        while current is not None and current not in depth and len(chain) <= len(parents):
            chain.append(current)
            current = parents.get(current)
        level = depth.get(current, 0) if current is not None else 0
        for guid in reversed(chain):
            level += 1
            depth[guid] = level
        if depth[code.guid] > limits.CODEBOOK_MAX_DEPTH:
            raise UserError(f"code {code.name!r} is nested {depth[code.guid]} levels deep; the limit is "
                            f"{limits.CODEBOOK_MAX_DEPTH} levels", path=path)
    return codes


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
    return _bounded_depth(_unflatten_atlas(_read_project_codebook(root, ns, path), root.get("origin") or ""), path)


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

"""Importing REFI-QDA files into a project: ``qualcode import PROJECT FILE.qdpx`` and
``qualcode codebook PROJECT --import FILE.qdc``.

All or nothing (see :func:`import_qdpx`): the file is read and checked first
(:mod:`.read`, :mod:`.positions`), the import runs on a staging copy of the project, and the result reaches
the project in one step.

What another tool (or qualcode's own writer) puts where: speaker cases and a case's variables and
memo (:class:`_Cases`), notes as memos with their spans and times (:class:`_Memos`), codings as
meaning units stored in one pass with the tool's times (:func:`_store_units`); descriptions of the
project and its sources become memos, and the file's GUIDs of sources, codes and users are kept
so that the next export writes them again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from ..core.codebook import Codebook
from ..core.errors import UserError
from ..core.models import CODE_ID, CodeNode
from ..core.parsed import ParsedTranscript, ParsedTurn
from ..core.units import NewUnit
from ..importers.labels import find_turns, parse_clock
from ..store.project import RoleRule
from .common import CONDENSED_NOTE, DEFAULT_CODER, STARRED_NOTE, TURN_TIMES, _excerpt, parse_description
from .positions import choose_positions
from .read import RCase, RCode, RCoding, RProject, RSource, read_codebook_file, read_qdpx

# Names other tools give the variables qualcode reads as group, speaker and role.
_GROUP_VARIABLES = {"group", "gruppe", "fokusgruppe", "focus group", "focusgroup"}
_SPEAKER_VARIABLES = {"speaker", "taler", "deltaker"}
_ROLE_VARIABLES = {"role", "rolle"}
# A speaker case's variables that are not the speaker's attributes ("speaker group": qualcode's
# name for the group on a case, which QualCoder would otherwise read as a case attribute "group").
_RESERVED_CASE_VARIABLES = _SPEAKER_VARIABLES | _ROLE_VARIABLES | _GROUP_VARIABLES | {"speaker group"}


def slug(name: str) -> str:
    """A code id from a name: ``Opplevelser av håp`` -> ``opplevelser-av-hap``."""
    name = name.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:48].strip("-")
    return value or "code"


def codebook_from_refi(codes: list[RCode], existing: Codebook, name: str,
                       coded: AbstractSet[str] = frozenset()) -> tuple[Codebook, dict[str, str], list[str]]:
    """qualcode codes for REFI codes: (codebook of the codes to load, code guid -> code id, ids matched).

    A code's name is the ``qualcode name`` in its description where it has one (the writer made a
    duplicate name unique for QualCoder), else its name. A code whose ``qualcode id`` or whose
    path of names matches a code of the project is that code; the others get their described id
    if it is free, else one made from the name. A code marked not codable stays a folder unless
    the file codes with it (``coded``: code guids).
    """
    by_path = {}
    for node in existing.codes:
        by_path[tuple(n.name.casefold() for n in existing.path(node.id))] = node.id
    existing_ids = {c.id for c in existing.codes}
    taken = {i.casefold() for i in existing_ids}
    ids: dict[str, str] = {}
    paths: dict[str, tuple[str, ...]] = {}
    nodes: list[CodeNode] = []
    matched: list[str] = []
    for code in codes:
        parent_id = ids.get(code.parent) if code.parent else None
        fields = parse_description(code.description)
        code_name = " ".join((fields.get("name") or "").split()) or code.name
        path = (*(paths[code.parent] if code.parent else ()), code_name.casefold())
        paths[code.guid] = path
        described = fields["id"] if CODE_ID.match(fields["id"] or "") else ""
        match = by_path.get(path)
        if match is None and described in existing_ids:
            node = existing.get(described)
            if node.name.casefold() == code_name.casefold():
                match = described
        if match is not None:  # the file's texts where it has them, the project's elsewhere
            ids[code.guid] = match
            matched.append(match)
            old = existing.get(match)
            nodes.append(old.model_copy(update={
                "parent": parent_id, "colour": code.colour or old.colour,
                **{key: fields[key] or getattr(old, key)
                   for key in ("definition", "inclusion", "exclusion", "examples", "keywords")},
            }))
            continue
        base = described or slug(code_name)
        candidate, n = base, 2
        while candidate.casefold() in taken:
            candidate = f"{base}-{n}"
            n += 1
        taken.add(candidate.casefold())
        ids[code.guid] = candidate
        nodes.append(CodeNode(id=candidate, name=code_name, parent=parent_id, colour=code.colour,
                              definition=fields["definition"], inclusion=fields["inclusion"],
                              exclusion=fields["exclusion"], examples=fields["examples"], keywords=fields["keywords"],
                              codable=code.codable or code.guid in coded))
    return Codebook(name=name, codes=nodes), ids, matched


@dataclass(slots=True)
class ImportReport:
    project: Path
    created: bool
    transcripts_added: list[str] = field(default_factory=list)
    transcripts_matched: list[str] = field(default_factory=list)
    codes_added: int = 0
    codes_matched: int = 0
    codings: int = 0
    codings_duplicate: int = 0
    coders: list[str] = field(default_factory=list)
    memos: int = 0
    backup: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        what = "created" if self.created else "updated"
        out = [f"{what} {self.project}:"]
        matched = f" ({len(self.transcripts_matched)} already in the project: {', '.join(self.transcripts_matched)})" \
            if self.transcripts_matched else ""
        out.append(f"  {len(self.transcripts_added) + len(self.transcripts_matched)} transcripts{matched}")
        out.append(f"  {self.codes_added + self.codes_matched} codes ({self.codes_added} new, "
                   f"{self.codes_matched} matched to the project's)")
        dup = f", {self.codings_duplicate} already present" if self.codings_duplicate else ""
        out.append(f"  {self.codings} meaning units by {', '.join(self.coders) or 'nobody'}{dup}")
        out.append(f"  {self.memos} memos")
        if self.backup:
            out.append(f"  the project before the import is kept as {self.backup}")
        return out


def _exact_rule(label: str, role: str) -> RoleRule:
    """A role rule that matches exactly this label (glob characters in it escaped)."""
    escaped = re.sub(r"([\[\]*?])", r"[\1]", label)
    return RoleRule(escaped, role)


def _apply(project, refi: RProject, *, roles: list, allow_duplicate: bool, report: ImportReport) -> None:
    """Store a read project into ``project`` (a staging copy: a failure here is thrown away)."""
    report.warnings.extend(refi.warnings)
    coded = {c.code for s in refi.sources for c in _codings(s)}
    for code in refi.codes:
        if not code.codable and code.guid in coded:
            report.warnings.append(f"code {code.name!r} is marked not codable but the file codes with it; kept "
                                   "codable")
    book, code_ids, matched = codebook_from_refi(refi.codes, project.codebook(),
                                                 project.meta("codebook_name") or refi.name, coded=coded)
    new_nodes = [n for n in book.codes if n.id not in set(matched)]
    if new_nodes:
        project.load_codebook(Codebook(name=book.name, codes=new_nodes))
    report.codes_added, report.codes_matched = len(new_nodes), len(matched)

    cases = _Cases(refi)
    known = {t.checksum: t.id for t in project.transcripts()}
    source_tid: dict[str, str] = {}
    selection_tid: dict[str, str] = {}
    for source in refi.sources:
        if not source.text.strip():
            report.warnings.append(f"source {source.name!r} is empty; skipped")
            continue
        checksum = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        if checksum in known and not allow_duplicate:
            tid = known[checksum]
            report.transcripts_matched.append(tid)
        else:
            turns, speakers_roles = _turns(source, cases.selection_speaker)
            labels = {t.speaker for t in turns if t.speaker}
            group, attributes = _group(source, cases.group_case(source, labels))
            rules = [_exact_rule(label, role) for label, role in speakers_roles.items() if role] + list(roles)
            parsed = ParsedTranscript(source.text, turns, "qdpx", "utf-8")
            result = project.import_transcript(parsed, title=source.name, group=group,
                                               group_attributes=attributes or None, roles=rules,
                                               source_path=None, allow_duplicate=True,
                                               speaker_attributes=cases.speaker_attributes(source, labels) or None)
            tid = result.transcript.id
            known.setdefault(checksum, tid)
            report.transcripts_added.append(tid)
        source_tid[source.guid] = tid
        for sel in source.selections:
            selection_tid[sel.guid] = tid

    memos = _Memos(project, refi, report)
    if refi.description:
        memos.add(refi.description, "project", None, None, refi.created, refi.modified)
    units, memos.unit_notes, coders = _store_units(project, refi, source_tid, code_ids, report)
    for source in refi.sources:
        tid = source_tid.get(source.guid)
        if tid is None:
            continue
        if source.description:
            memos.add(source.description, "transcript", tid, None, source.created, source.modified)
        for note_gid in source.notes:
            memos.target(note_gid, "transcript", tid, source)
        for sel in source.selections:
            for gid in sel.notes:  # a note on a selection goes to its first unit, else the transcript
                if sel.guid in units:
                    memos.target(gid, "coding", str(units[sel.guid]))
                else:
                    memos.target(gid, "transcript", tid, source, (sel.start, sel.end))
            if not sel.codings and sel.description:  # an annotation as MAXQDA writes it
                memos.add(sel.description, "transcript", tid, refi.users.get(sel.user or ""), sel.created,
                          sel.modified, span=memos.span(source, (sel.start, sel.end)))
    for case in refi.cases:
        if case.description:
            tids = dict.fromkeys([*(source_tid[g] for g in case.sources if g in source_tid),
                                  *(selection_tid[g] for g in case.selections if g in selection_tid)])
            text = f"Case «{case.name}»: {case.description}"
            for tid in tids or [None]:
                memos.add(text, "transcript" if tid else "project", tid, None, None, None)
    for code in refi.codes:
        for gid in code.notes:
            memos.target(gid, "code", code_ids[code.guid])
    for gid in refi.project_notes:
        memos.target(gid, "project", None)
    sources = {s.guid: s for s in refi.sources}
    selections = {sel.guid: (s, sel) for s in refi.sources for sel in s.selections}
    for note_gid, target in refi.links:
        if target in selection_tid:
            owner, sel = selections[target]
            memos.target(note_gid, "transcript", selection_tid[target], owner, (sel.start, sel.end))
        elif target in source_tid:
            memos.target(note_gid, "transcript", source_tid[target], sources[target])
    memos.place_the_rest([s for s in refi.sources if s.guid in source_tid], source_tid)

    # The file's GUIDs, for the next export (the first one a project keeps for an object wins).
    for kind, pairs in (("source", source_tid.items()), ("code", code_ids.items()),
                        ("user", ((gid, name) for gid, name in refi.users.items() if name in coders | memos.authors))):
        kept: dict[str, str] = {}
        for gid, key in pairs:
            kept.setdefault(key, gid)
        project.remember_refi_guids(kind, kept)


def _store_units(project, refi: RProject, source_tid: dict[str, str], code_ids: dict[str, str],
                 report: ImportReport) -> tuple[dict[str, int], dict[str, list[int]], set[str]]:
    """Every coding as a meaning unit, in one pass; those the project has already (a file coming
    back) are left as they are. Returns selection guid -> the first unit made from it, note guid
    -> the units whose codings refer to it (other than as condensed meaning or star), and the
    coders of the file's units (new or already there)."""
    pending: list[NewUnit] = []
    order: list[tuple[int, list[str], str | None]] = []  # (unit id, or -1 - index into pending; notes; selection)
    coders: dict[str, None] = {}  # of the new units
    everyone: set[str] = set()
    for source in refi.sources:
        tid = source_tid.get(source.guid)
        if tid is None:
            continue
        have = {(r[1], r[2], r[3], r[4]): r[0] for r in project.conn.execute(
            "SELECT id, start, end, code_id, coder FROM codings WHERE transcript_id = ?", (tid,))}
        length = len(source.text)
        items: list[tuple[RCoding, str | None]] = [(c, sel.guid) for sel in source.selections for c in sel.codings]
        items += [(c, None) for c in source.codings]
        for coding, selection in items:
            if coding.whole:
                start, end = 0, length
            else:
                start, end = source.mapper.start(coding.start), source.mapper.end(coding.end)
            if start is None or end is None or not 0 <= start < end <= length:
                report.warnings.append(f"source {source.name!r}: a selection at {coding.start}-{coding.end} lies "
                                       "outside the text; skipped")
                continue
            code_id = code_ids.get(coding.code)
            if code_id is None:  # read_qdpx refuses such a file; a guard, not a message anyone should see
                raise UserError(f"a coding in source {source.name!r} refers to code {coding.code}, which is not in "
                                "the codebook")
            coder = refi.users.get(coding.user or "", DEFAULT_CODER)
            condensed, starred, memo_notes = "", False, []
            for gid in coding.notes:
                note = refi.notes.get(gid)
                if note is None:
                    continue
                if note.name == CONDENSED_NOTE and not condensed:
                    condensed = note.text.removeprefix(CONDENSED_NOTE + ":").strip()
                elif note.name == STARRED_NOTE:
                    starred = True
                else:
                    memo_notes.append(gid)
            key = (start, end, code_id, coder)
            everyone.add(coder)
            if key in have:  # the project has this unit already (or the file twice): keep it as it is
                order.append((have[key], memo_notes, selection))
                report.codings_duplicate += 1
                continue
            have[key] = -1 - len(pending)
            order.append((have[key], memo_notes, selection))
            coders.setdefault(coder, None)
            created, modified = coding.created, coding.modified
            pending.append(NewUnit(tid, start, end, code_id, coder, condensed=condensed, memo=coding.memo,
                                   starred=starred, created_at=created,
                                   updated_at=max(created, modified) if created and modified else modified or created))
    ids = project.insert_units(pending, audit_batch=False) if pending else []  # the import's own entry names the file
    report.codings += len(ids)
    report.coders = list(coders)
    first: dict[str, int] = {}
    unit_notes: dict[str, list[int]] = {}
    for ref, notes, chosen in order:
        uid = ref if ref > 0 else ids[-1 - ref]
        for gid in notes:
            unit_notes.setdefault(gid, []).append(uid)
        if chosen is not None:
            first.setdefault(chosen, uid)
    return first, unit_notes, everyone


def _codings(source: RSource) -> list[RCoding]:
    return [*(c for sel in source.selections for c in sel.codings), *source.codings]


def _case_attributes(case: RCase) -> dict[str, str]:
    """A case's variables other than speaker, role and group: a speaker's attributes (written as
    ``speaker: NAME`` where NAME is taken by another variable)."""
    return {k.removeprefix("speaker: "): v for k, v in case.variables.items()
            if k.casefold() not in _RESERVED_CASE_VARIABLES}


class _Cases:
    """What the file's cases say about speakers and focus groups.

    A case with a ``speaker`` variable (qualcode's, NVivo's speaker cases) is a speaker: its
    selections are the speaker's turns, and its variables other than speaker, role and group
    become the speaker's attributes. Another case is a speaker too where its name is the label of
    a speaker in the transcript it refers to (QualCoder's case for a participant, linked to the
    whole file); else it is the transcript's focus group (its name and variables), as before.
    """

    def __init__(self, refi: RProject):
        self.selection_speaker: dict[str, tuple[str, str | None]] = {}
        self._speaker_cases: list[tuple[str, dict[str, str], set[str]]] = []  # label, attributes, selections
        self._others: list[RCase] = []
        self._selections = {case.guid: set(case.selections) for case in refi.cases}
        for case in refi.cases:
            lowered = {k.casefold(): v for k, v in case.variables.items()}
            speaker = next((lowered[k] for k in _SPEAKER_VARIABLES if lowered.get(k)), None)
            role = next((lowered[k] for k in _ROLE_VARIABLES if lowered.get(k)), None)
            extra = _case_attributes(case)
            if speaker and case.selections:
                for gid in case.selections:
                    self.selection_speaker[gid] = (speaker, role)
                self._speaker_cases.append((speaker, extra, set(case.selections)))
            elif not speaker:
                self._others.append(case)

    def _refers(self, case: RCase, source: RSource) -> bool:
        return source.guid in case.sources or not self._selections[case.guid].isdisjoint(
            sel.guid for sel in source.selections)

    def speaker_attributes(self, source: RSource, labels: set[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        guids = {sel.guid for sel in source.selections}
        for label, extra, selections in self._speaker_cases:
            if extra and label in labels and selections & guids:
                out.setdefault(label, {}).update(extra)
        for case in self._others:
            if case.name in labels and self._refers(case, source):
                extra = _case_attributes(case)
                if extra:
                    out.setdefault(case.name, {}).update(extra)
        return out

    def group_case(self, source: RSource, labels: set[str]) -> RCase | None:
        """The case that stands for the source's focus group: the first other case that refers to
        the whole source and is not one of its speakers."""
        return next((c for c in self._others if source.guid in c.sources and c.name not in labels), None)


class _Memos:
    """The file's notes as memos, each on the target the file gives it, with its times.

    A note a coding refers to belongs to that unit only (its condensed meaning and star are the
    unit's own; any other note is a memo on the unit). A note with a selection of its own (an
    annotation, as QualCoder writes it) is a memo on that span of the transcript whose source
    refers to it; QualCoder refers only to a source's first annotation, so one that nothing refers
    to goes to the only source, else to the one source its span fits, else to the project (with a
    warning). Any other note nothing refers to is a project memo (a journal).
    """

    def __init__(self, project, refi: RProject, report: ImportReport):
        self.project, self.refi, self.report = project, refi, report
        self.present = {(m.target_type, m.target_id, m.text, m.start, m.end) for m in project.memos()}
        self.targets: dict[str, list[tuple[str, str | None, tuple[int, int] | None]]] = {}
        self.authors: set[str] = set()
        self.unit_notes: dict[str, list[int]] = {}

    def add(self, text: str, target_type: str, target_id: str | None, author: str | None, created, modified, *,
            span: tuple[int, int] | None = None) -> None:
        """A memo, unless the project has the same one already (a file imported back)."""
        key = (target_type, target_id, text, *(span or (None, None)))
        if not text.strip() or key in self.present:
            return
        start, end = span or (None, None)
        self.project.add_memo(text, target_type=target_type, target_id=target_id, author=author, start=start,
                              end=end, created_at=created, updated_at=modified)
        self.present.add(key)
        self.report.memos += 1
        if author:
            self.authors.add(author)

    def span(self, source: RSource, positions: tuple[int, int] | None) -> tuple[int, int] | None:
        """A span in the source's positions as qualcode's offsets; None if it does not fit or is
        the whole text (a memo on the transcript)."""
        found = self._inside(source, positions)
        return None if found is None or found == (0, len(source.text)) else found

    @staticmethod
    def _inside(source: RSource, positions: tuple[int, int] | None) -> tuple[int, int] | None:
        if positions is None:
            return None
        start, end = source.mapper.start(positions[0]), source.mapper.end(positions[1])
        return (start, end) if start is not None and end is not None and 0 <= start < end <= len(source.text) \
            else None

    def target(self, gid: str, target_type: str, target_id: str | None, source: RSource | None = None,
               positions: tuple[int, int] | None = None) -> None:
        note = self.refi.notes.get(gid)
        if source is not None and positions is None and note is not None:
            positions = note.span
        span = self.span(source, positions) if source is not None else None
        self.targets.setdefault(gid, []).append((target_type, target_id, span))

    def place_the_rest(self, sources: list[RSource], source_tid: dict[str, str]) -> None:
        special = {CONDENSED_NOTE, STARRED_NOTE}
        for gid in {gid for s in self.refi.sources for c in _codings(s) for gid in c.notes}:
            uids = self.unit_notes.get(gid, [])
            self.targets[gid] = [("coding", str(uid), None) for uid in dict.fromkeys(uids)]
        for gid, note in self.refi.notes.items():
            targets = self.targets.get(gid)
            if targets is None:
                if note.name in special:
                    continue
                targets = [("project", None, None)]
                if note.span is not None:
                    fits = sources if len(sources) == 1 else [s for s in sources if self._inside(s, note.span)]
                    if len(fits) == 1:
                        targets = [("transcript", source_tid[fits[0].guid], self.span(fits[0], note.span))]
                    if len(sources) > 1:
                        where = f"transcript {targets[0][1]}" if len(fits) == 1 else "the project"
                        self.report.warnings.append(f"an annotation ({_excerpt(note.text, 40)!r}) is on no source; "
                                                    f"kept on {where}")
            text = note.text
            own = self.refi.origin.split(" ")[0] == "qualcode"  # qualcode's note names are made from the text
            if note.name and not own and not text.startswith(note.name.rstrip("…").rstrip()):
                text = f"{note.name}\n\n{text}".strip()
            author = self.refi.users.get(note.user or "")
            for target_type, target_id, span in targets:
                self.add(text, target_type, target_id, author, note.created, note.modified, span=span)


def _turns(source: RSource, selection_speaker: dict[str, tuple[str, str | None]]):
    """Turns from the file's speaker cases when it has them (qualcode's and NVivo's), else from the
    speaker labels in the text; with each speaker's role where the file gives one."""
    parsed, _ = find_turns(source.text)
    spans = []
    roles: dict[str, str | None] = {}
    for sel in source.selections:
        if sel.guid in selection_speaker and not sel.codings:
            start, end = source.mapper.start(sel.start), source.mapper.end(sel.end)
            if start is None or end is None or end <= start:
                continue
            speaker, role = selection_speaker[sel.guid]
            times = TURN_TIMES.search(sel.name)
            spans.append((start, end, speaker, *(parse_clock(t) if t else None for t in
                                                 (times.groups() if times else (None, None)))))
            if role and not roles.get(speaker):
                roles[speaker] = role
    if not spans:
        return parsed, roles
    # Text outside every speaker's turns (a title line, a preamble) stays an unattributed turn.
    spans += [(t.start, t.end, None, t.time_start, t.time_end) for t in parsed
              if t.speaker is None and t.end > t.start and not any(t.start < e and s < t.end for s, e, *_ in spans)]
    spans.sort(key=lambda span: (span[0], span[1]))
    if all(a[1] <= b[0] for a, b in pairwise(spans)):
        return [ParsedTurn(sp, s, e, t0, t1) for s, e, sp, t0, t1 in spans], roles
    return parsed, roles


def _group(source: RSource, case: RCase | None) -> tuple[str | None, dict[str, str]]:
    group, attributes = None, {}
    for name, value in source.variables.items():
        if name.casefold() in _GROUP_VARIABLES:
            group = value or None
        else:
            attributes[name.removeprefix("group: ")] = value
    if group is None and case is not None and case.name:
        group = case.name
        for name, value in case.variables.items():
            if name.casefold() not in _RESERVED_CASE_VARIABLES:
                attributes.setdefault(name, value)
    if group is None and attributes:  # a file's own attributes (QualCoder): kept on a group of its name
        group = source.name
    return group, attributes


def _prepare(refi: RProject) -> None:
    """Normalise every source's text and choose how its positions were counted (may raise)."""
    for source in refi.sources:
        mapper = choose_positions(source, refi.origin)
        source.text, source.mapper = mapper.text, mapper


def import_qdpx(file: Path, project_path: str | Path, *, roles=(), allow_duplicate: bool = False) -> ImportReport:
    """Import a ``.qdpx`` into the project at ``project_path`` (made if it does not exist).

    All or nothing: the file is read and checked first; then the import runs on a staging copy
    of the project (a new file beside it), and only when every transcript, code, coding and memo
    is in does the result reach the project: by renaming the staging file for a new project, or
    for an existing one by copying the staging copy's tables into the project in one transaction
    while the project's write lock, taken before the copy was made, is still held, so that no
    other process's change can come between. An error anywhere leaves the project as it was
    and removes the staging file.
    """
    from ..store import Project
    from ..store import backup as backups
    from ..store.pg.url import ServerAddress, location
    from ..store.staging import new_project, staged

    file, where = Path(file), location(project_path)
    refi = read_qdpx(file)
    _prepare(refi)
    if isinstance(where, ServerAddress):  # on a server: staged in a private file, put back whole
        report = ImportReport(where, created=False)  # type: ignore[arg-type]
        with staged(where) as project:
            before = project.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]
            _audited_apply(project, file, refi, roles=list(roles), allow_duplicate=allow_duplicate, report=report)
            project.conn.execute("DELETE FROM actions WHERE id > ?", (before,))
        return report
    project_path = where
    if not project_path.exists():
        report = ImportReport(project_path, created=True)
        with new_project(project_path, name=refi.name) as project:
            _audited_apply(project, file, refi, roles=list(roles), allow_duplicate=allow_duplicate, report=report)
            project.conn.execute("DELETE FROM actions")  # an import is not undone step by step
        return report

    report = ImportReport(project_path, created=False)
    with Project.open(project_path, backup=False) as target:
        report.backup = backups.make_backup(target.conn, project_path, tag="before-import")
    with staged(project_path) as project:
        before = project.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]
        _audited_apply(project, file, refi, roles=list(roles), allow_duplicate=allow_duplicate, report=report)
        project.conn.execute("DELETE FROM actions WHERE id > ?", (before,))
    return report


def _audited_apply(project, file: Path, refi: RProject, **options) -> None:
    """:func:`_apply` as **one** entry of the audit trail (not one per code, transcript and
    memo): the file's SHA-256, the transcripts it added with their checksums, the units it
    added (as ranges of ids) and what else it brought."""
    from ..store import audit

    first_unit = project.conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence"
                                      " WHERE name = 'codings'").fetchone()[0]
    with project.audit_paused():
        _apply(project, refi, **options)
    report: ImportReport = options["report"]
    with project.transaction() as conn:
        units = [r[0] for r in conn.execute("SELECT id FROM codings WHERE id >= ? ORDER BY id", (first_unit,))]
        texts = audit.text_detail(conn, report.transcripts_added)
        for text in texts.values():
            text["made"] = "REFI-QDA import"
        audit.append(conn, None, "import", f"import REFI-QDA file {file.name}", {
            "format": "REFI-QDA", "file": file.name, "sha256": audit.file_sha256(file), "transcripts": texts,
            "transcripts_matched": report.transcripts_matched, "units": audit.ranges(units), "unit_count": len(units),
            "codes_added": report.codes_added, "memos": report.memos, "coders": report.coders,
        })


def load_refi_codebook(project, file: Path) -> tuple[list[str], list[str]]:
    """``qualcode codebook PROJECT --import FILE.qdc``: load a REFI-QDA codebook (or the codebook of
    a ``.qdpx``) like a YAML one: codes matched by qualcode id or by their path of names are
    updated, the others added. Returns (added ids, updated ids)."""
    codes = read_codebook_file(Path(file))
    book, _, _ = codebook_from_refi(codes, project.codebook(), Path(file).stem)
    return project.load_codebook(book)

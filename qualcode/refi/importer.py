"""Importing REFI-QDA files into a project: ``qualcode import PROJECT FILE.qdpx`` and
``qualcode codebook PROJECT --import FILE.qdc``.

All or nothing (see :func:`import_qdpx`): the file is read and checked first
(:mod:`.read`, :mod:`.positions`), the import runs on a staging copy of the project, and the result reaches
the project in one step.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from ..core.codebook import Codebook
from ..core.errors import UserError
from ..core.models import CODE_ID, CodeNode
from ..core.parsed import ParsedTranscript, ParsedTurn
from ..importers.labels import find_turns, parse_clock
from ..store.project import RoleRule
from .positions import choose_positions
from .read import RCase, RCode, RCoding, RProject, RSelection, RSource, read_codebook_file, read_qdpx
from .write import CONDENSED_NOTE, DEFAULT_CODER, STARRED_NOTE, TURN_TIMES, _excerpt, parse_description

# Names other tools give the variables qualcode reads as group, speaker and role.
_GROUP_VARIABLES = {"group", "gruppe", "fokusgruppe", "focus group", "focusgroup"}
_SPEAKER_VARIABLES = {"speaker", "taler", "deltaker"}
_ROLE_VARIABLES = {"role", "rolle"}


def slug(name: str) -> str:
    """A code id from a name: ``Opplevelser av håp`` -> ``opplevelser-av-hap``."""
    name = name.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:48].strip("-")
    return value or "code"


def codebook_from_refi(codes: list[RCode], existing: Codebook, name: str) -> tuple[Codebook, dict[str, str], list[str]]:
    """qualcode codes for REFI codes: (codebook of the codes to load, code guid -> code id, ids matched).

    A code whose ``qualcode id`` (in its description) or whose path of names matches a code of
    the project is that code; the others get their described id if it is free, else one made
    from the name.
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
        path = (*(paths[code.parent] if code.parent else ()), code.name.casefold())
        paths[code.guid] = path
        fields = parse_description(code.description)
        described = fields["id"] if CODE_ID.match(fields["id"] or "") else ""
        match = by_path.get(path)
        if match is None and described in existing_ids:
            node = existing.get(described)
            if node.name.casefold() == code.name.casefold():
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
        base = described or slug(code.name)
        candidate, n = base, 2
        while candidate.casefold() in taken:
            candidate = f"{base}-{n}"
            n += 1
        taken.add(candidate.casefold())
        ids[code.guid] = candidate
        nodes.append(CodeNode(id=candidate, name=code.name, parent=parent_id, colour=code.colour,
                              definition=fields["definition"], inclusion=fields["inclusion"],
                              exclusion=fields["exclusion"], examples=fields["examples"], keywords=fields["keywords"]))
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
    existing_book = project.codebook()
    book, code_ids, matched = codebook_from_refi(refi.codes, existing_book, project.meta("codebook_name") or refi.name)
    new_nodes = [n for n in book.codes if n.id not in set(matched)]
    if new_nodes:
        project.load_codebook(Codebook(name=book.name, codes=new_nodes))
    report.codes_added, report.codes_matched = len(new_nodes), len(matched)

    selection_speaker: dict[str, tuple[str, str | None]] = {}
    group_cases: dict[str, RCase] = {}
    for case in refi.cases:
        lowered = {k.casefold(): v for k, v in case.variables.items()}
        speaker = next((lowered[k] for k in _SPEAKER_VARIABLES if lowered.get(k)), None)
        role = next((lowered[k] for k in _ROLE_VARIABLES if lowered.get(k)), None)
        if speaker and case.selections:
            for gid in case.selections:
                selection_speaker[gid] = (speaker, role)
        for sid in case.sources:
            group_cases.setdefault(sid, case)

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
            turns, speakers_roles = _turns(source, selection_speaker)
            group, attributes = _group(source, group_cases.get(source.guid))
            rules = [_exact_rule(label, role) for label, role in speakers_roles.items() if role] + list(roles)
            parsed = ParsedTranscript(source.text, turns, "qdpx", "utf-8")
            result = project.import_transcript(parsed, title=source.name, group=group,
                                               group_attributes=attributes or None, roles=rules,
                                               source_path=None, allow_duplicate=True)
            tid = result.transcript.id
            known.setdefault(checksum, tid)
            report.transcripts_added.append(tid)
        source_tid[source.guid] = tid
        for sel in source.selections:
            selection_tid[sel.guid] = tid

    present = {(m.target_type, m.target_id, m.text) for m in project.memos()}

    def add_memo(text: str, target_type: str, target_id: str | None, author: str | None) -> None:
        """A memo, unless the project has the same one already (a file imported back)."""
        if (target_type, target_id, text) in present:
            return
        project.add_memo(text, target_type=target_type, target_id=target_id, author=author)
        present.add((target_type, target_id, text))
        report.memos += 1

    coders: dict[str, None] = {}
    first_coding: dict[str, int] = {}  # selection guid -> the first unit made from it
    note_targets: dict[str, list[tuple[str, str | None]]] = {}  # note guid -> [(target type, id)]
    for source in refi.sources:
        tid = source_tid.get(source.guid)
        if tid is None:
            continue
        length = len(source.text)
        for note_gid in source.notes:
            note_targets.setdefault(note_gid, []).append(("transcript", tid))
        items: list[tuple[RCoding, RSelection | None]] = [(c, sel) for sel in source.selections for c in sel.codings]
        items += [(c, None) for c in source.codings]
        for coding, selected in items:
            if coding.whole:
                start, end = 0, length
            else:
                start, end = source.mapper.start(coding.start), source.mapper.end(coding.end)
            if start is None or end is None or not 0 <= start < end <= length:
                report.warnings.append(f"source {source.name!r}: a selection at {coding.start}-{coding.end} lies "
                                       "outside the text; skipped")
                continue
            code_id = code_ids.get(coding.code)
            if code_id is None:
                raise UserError(f"a coding in source {source.name!r} refers to code {coding.code}, which is not in "
                                "the codebook")
            coder = refi.users.get(coding.user or "", DEFAULT_CODER)
            condensed, starred, memo_notes = "", False, []
            for gid in coding.notes:
                note = refi.notes.get(gid)
                if note is None:
                    continue
                if note.name == CONDENSED_NOTE and not condensed:
                    condensed = note.text
                elif note.name == STARRED_NOTE:
                    starred = True
                else:
                    memo_notes.append(gid)
            duplicate = project.conn.execute(
                "SELECT id FROM codings WHERE transcript_id = ? AND start = ? AND end = ? AND code_id = ?"
                " AND coder = ?",
                (tid, start, end, code_id, coder)).fetchone()
            if duplicate:  # the project has this unit already (a file coming back): keep it as it is
                unit_id = duplicate[0]
                report.codings_duplicate += 1
            else:
                unit_id = project.add_coding(tid, start, end, code_id, coder, condensed=condensed,
                                             memo=coding.memo).id
                if starred:
                    project.update_coding(unit_id, starred=True, coder=coder)
                coders.setdefault(coder, None)
                report.codings += 1
            for gid in memo_notes:
                note_targets.setdefault(gid, []).append(("coding", str(unit_id)))
            if selected is not None and selected.guid not in first_coding:
                first_coding[selected.guid] = unit_id
        for sel in source.selections:  # a note on a selection goes to its first unit, else the transcript
            for gid in sel.notes:
                where = ("coding", str(first_coding[sel.guid])) if sel.guid in first_coding else ("transcript", tid)
                note_targets.setdefault(gid, []).append(where)
        for sel in source.selections:
            if sel.codings or not sel.description:
                continue
            start, end = source.mapper.start(sel.start), source.mapper.end(sel.end)
            if start is None or end is None or end <= start:
                continue
            excerpt = _excerpt(source.text[start:end], 80)
            text = f"On «{excerpt}» ({start}-{end}): {sel.description}"
            add_memo(text, "transcript", tid, None)
    report.coders = list(coders)

    for code in refi.codes:
        for gid in code.notes:
            note_targets.setdefault(gid, []).append(("code", code_ids[code.guid]))
    for gid in refi.project_notes:
        note_targets.setdefault(gid, []).append(("project", None))
    for note_gid, target in refi.links:
        if target in selection_tid:
            note_targets.setdefault(note_gid, []).append(("transcript", selection_tid[target]))
        elif target in source_tid:
            note_targets.setdefault(note_gid, []).append(("transcript", source_tid[target]))
    special = {CONDENSED_NOTE, STARRED_NOTE}
    for gid, note in refi.notes.items():
        targets = note_targets.get(gid)
        if targets is None:
            if note.name in special:
                continue
            targets = [("project", None)]
        text = note.text
        if note.name and not text.startswith(note.name.rstrip("…").rstrip()):
            text = f"{note.name}\n\n{text}".strip()
        if not text.strip():
            continue
        author = refi.users.get(note.user or "")
        for target_type, target_id in targets:
            add_memo(text, target_type, target_id, author)


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
            if name.casefold() not in _SPEAKER_VARIABLES | _ROLE_VARIABLES | _GROUP_VARIABLES:
                attributes.setdefault(name, value)
    if group is None and attributes:  # a file's own attributes (QualCoder): kept on a group of its name
        group = source.name
    return group, attributes


def _prepare(refi: RProject) -> None:
    """Normalise every source's text and choose how its positions were counted (may raise)."""
    for source in refi.sources:
        mapper = choose_positions(source, refi.origin)
        source.text, source.mapper = mapper.text, mapper


def import_qdpx(file: Path, project_path: Path, *, roles=(), allow_duplicate: bool = False) -> ImportReport:
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
    from ..store.staging import new_project, staged

    file, project_path = Path(file), Path(project_path)
    refi = read_qdpx(file)
    _prepare(refi)
    if not project_path.exists():
        report = ImportReport(project_path, created=True)
        with new_project(project_path, name=refi.name) as project:
            _apply(project, refi, roles=list(roles), allow_duplicate=allow_duplicate, report=report)
            project.conn.execute("DELETE FROM actions")  # an import is not undone step by step
        return report

    report = ImportReport(project_path, created=False)
    with Project.open(project_path, backup=False) as target:
        report.backup = backups.make_backup(target.conn, target.path, tag="before-import")
    with staged(project_path) as project:
        before = project.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]
        _apply(project, refi, roles=list(roles), allow_duplicate=allow_duplicate, report=report)
        project.conn.execute("DELETE FROM actions WHERE id > ?", (before,))
    return report


def load_refi_codebook(project, file: Path) -> tuple[list[str], list[str]]:
    """``qualcode codebook PROJECT --import FILE.qdc``: load a REFI-QDA codebook (or the codebook of
    a ``.qdpx``) like a YAML one: codes matched by qualcode id or by their path of names are
    updated, the others added. Returns (added ids, updated ids)."""
    codes = read_codebook_file(Path(file))
    book, _, _ = codebook_from_refi(codes, project.codebook(), Path(file).stem)
    return project.load_codebook(book)

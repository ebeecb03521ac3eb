"""Bringing a second coder's copy of a project back in.

Coder B codes in a copy of the project on another machine; :func:`merge_project` brings B's
codings, memos and codebook additions into A, in one transaction, so a merge is whole or not at
all. Everything is matched, never assumed:

* transcripts by the checksum of their text (a transcript only B has is added whole);
* codes by id, then by name; any other code of B needs the user's word: ``mapping`` (B's id ->
  A's id) or ``add_new_codes``. Without it nothing changes and the unmatched codes are listed;
* a coding is the same coding when transcript, span, code and coder are the same, and a memo when
  its target, author, text and time are the same, so merging twice adds nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UserError
from ..core.models import CodeNode
from . import audit
from .project import Project


@dataclass
class MergeReport:
    transcripts_matched: list[tuple[str, str]] = field(default_factory=list)  # (B id, A id)
    transcripts_added: list[tuple[str, str]] = field(default_factory=list)
    codes_by_id: list[str] = field(default_factory=list)
    codes_by_name: list[tuple[str, str]] = field(default_factory=list)  # (B id, A id)
    codes_mapped: list[tuple[str, str]] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    name_differences: list[tuple[str, str, str]] = field(default_factory=list)  # (id, A name, B name)
    codings_added: int = 0
    codings_already_there: int = 0
    memos_added: int = 0
    memos_already_there: int = 0
    coders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}

    @property
    def changed(self) -> bool:
        return bool(self.codings_added or self.memos_added or self.codes_added or self.transcripts_added)


def merge_project(
    target: Project, source_path: str | Path, *, mapping: dict[str, str] | None = None,
    add_new_codes: bool = False, coders: list[str] | None = None, dry_run: bool = False,
) -> MergeReport:
    """Merge the project at ``source_path`` into ``target`` (only ``coders``' codings if given)."""
    source_path = Path(source_path)
    if source_path.resolve() == Path(target.path).resolve():
        raise UserError("cannot merge a project into itself", path=source_path)
    mapping = dict(mapping or {})
    report = MergeReport()
    with Project.open(source_path, backup=False) as source:
        code_map, new_codes = _map_codes(target, source, mapping, add_new_codes, report)
        try:
            with target.action(f"merge from {source_path.name}", kind="merge") as conn:
                transcript_map = _map_transcripts(target, source, conn, report)
                for node in new_codes:  # parents come before their children
                    parent = code_map.get(node.parent) if node.parent else None
                    position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
                    target._insert_code(node.model_copy(update={"parent": parent}), position)
                    code_map[node.id] = node.id
                    report.codes_added.append(node.id)
                coding_map = _merge_codings(target, source, conn, transcript_map, code_map, coders, report)
                _merge_memos(source, conn, transcript_map, code_map, coding_map, coders, report)
                if dry_run or not report.changed:
                    raise _Rollback()  # nothing to keep: leave no empty action in the history
                added = audit.text_detail(conn, [new for _, new in report.transcripts_added])
                for text in added.values():
                    text["made"] = "merge"
                target.audit_note(transcripts=added, source=source_path.name, codings_added=report.codings_added,
                                  memos_added=report.memos_added, codes_added=report.codes_added,
                                  coders=report.coders)
        except _Rollback:
            pass
    return report


class _Rollback(Exception):
    pass


def _map_codes(target: Project, source: Project, mapping: dict[str, str], add_new: bool,
               report: MergeReport) -> tuple[dict[str, str], list[CodeNode]]:
    mine = {c.id: c for c in target.codebook().codes}
    by_name = {c.name.casefold(): c.id for c in mine.values()}
    code_map: dict[str, str] = {}
    unmatched: list[CodeNode] = []
    for b_id, a_id in mapping.items():
        if a_id not in mine:
            raise UserError(f"--map {b_id}={a_id}: this project has no code {a_id!r}")
    for node in source.codebook().codes:  # parents before children
        if node.id in mapping:
            code_map[node.id] = mapping[node.id]
            report.codes_mapped.append((node.id, mapping[node.id]))
        elif node.id in mine:
            code_map[node.id] = node.id
            report.codes_by_id.append(node.id)
            if mine[node.id].name != node.name:
                report.name_differences.append((node.id, mine[node.id].name, node.name))
        elif node.name.casefold() in by_name:
            code_map[node.id] = by_name[node.name.casefold()]
            report.codes_by_name.append((node.id, code_map[node.id]))
        else:
            unmatched.append(node)
    if unmatched and not add_new:
        listed = ", ".join(f"{n.id} ({n.name})" for n in unmatched[:8]) + (" ..." if len(unmatched) > 8 else "")
        raise UserError(
            f"{len(unmatched)} code(s) of the other project are not in this codebook: {listed}. "
            "Map them with --map THEIR_ID=OUR_ID, or add them with --add-new-codes"
        )
    return code_map, unmatched


def _map_transcripts(target: Project, source: Project, conn, report: MergeReport) -> dict[str, str]:
    by_checksum = {r[0]: r[1] for r in conn.execute("SELECT checksum, id FROM transcripts")}
    transcript_map: dict[str, str] = {}
    for t in source.transcripts():
        if t.checksum in by_checksum:
            transcript_map[t.id] = by_checksum[t.checksum]
            report.transcripts_matched.append((t.id, by_checksum[t.checksum]))
            continue
        seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM transcripts").fetchone()[0]
        new_id = f"T{seq}"
        row = source.conn.execute("SELECT * FROM transcripts WHERE id = ?", (t.id,)).fetchone()
        if row["group_name"] is not None:
            attrs = source.conn.execute("SELECT attributes FROM groups WHERE name = ?", (row["group_name"],)).fetchone()
            target._upsert_group(conn, row["group_name"], json.loads(attrs[0]) if attrs else {})
        conn.execute(
            "INSERT INTO transcripts (id, seq, title, group_name, source_path, source_format, encoding, checksum,"
            " text, words, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (new_id, seq, row["title"], row["group_name"], row["source_path"], row["source_format"],
             row["encoding"], row["checksum"], row["text"], row["words"], row["imported_at"]),
        )
        conn.executemany(
            "INSERT INTO speakers (transcript_id, label, role, attributes) VALUES (?,?,?,?)",
            [(new_id, s["label"], s["role"], s["attributes"])
             for s in source.conn.execute("SELECT * FROM speakers WHERE transcript_id = ?", (t.id,))],
        )
        conn.executemany(
            "INSERT INTO annotations (transcript_id, start, end, kind) VALUES (?,?,?,?)",
            [(new_id, a["start"], a["end"], a["kind"])
             for a in source.conn.execute("SELECT * FROM annotations WHERE transcript_id = ?", (t.id,))],
        )
        conn.executemany(
            "INSERT INTO turns (transcript_id, idx, speaker, start, end, time_start, time_end) VALUES (?,?,?,?,?,?,?)",
            [(new_id, r["idx"], r["speaker"], r["start"], r["end"], r["time_start"], r["time_end"])
             for r in source.conn.execute("SELECT * FROM turns WHERE transcript_id = ?", (t.id,))],
        )
        transcript_map[t.id] = new_id
        report.transcripts_added.append((t.id, new_id))
    return transcript_map


def _merge_codings(target: Project, source: Project, conn, transcript_map, code_map, coders,
                   report: MergeReport) -> dict[int, int]:
    coding_map: dict[int, int] = {}
    seen_coders: set[str] = set()
    for row in source.conn.execute("SELECT * FROM codings ORDER BY id"):
        if coders and row["coder"] not in coders:
            continue
        tid, code = transcript_map[row["transcript_id"]], code_map[row["code_id"]]
        existing = conn.execute(
            "SELECT id FROM codings WHERE transcript_id = ? AND start = ? AND end = ? AND code_id = ? AND coder = ?",
            (tid, row["start"], row["end"], code, row["coder"]),
        ).fetchone()
        if existing:
            coding_map[row["id"]] = existing[0]
            report.codings_already_there += 1
            continue
        target._ensure_coder(conn, row["coder"])
        cur = conn.execute(
            "INSERT INTO codings (transcript_id, start, end, code_id, coder, condensed, memo, starred, created_at,"
            " updated_at, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (tid, row["start"], row["end"], code, row["coder"], row["condensed"], row["memo"], row["starred"],
             row["created_at"], row["updated_at"], row["origin"]),
        )
        coding_map[row["id"]] = cur.lastrowid
        report.codings_added += 1
        seen_coders.add(row["coder"])
    report.coders = sorted(seen_coders)
    return coding_map


def _merge_memos(source: Project, conn, transcript_map, code_map, coding_map, coders, report: MergeReport) -> None:
    for row in source.conn.execute("SELECT * FROM memos ORDER BY id"):
        if coders and row["author"] not in coders:
            continue
        kind, target_id = row["target_type"], row["target_id"]
        if kind == "transcript":
            target_id = transcript_map.get(target_id)
        elif kind == "code":
            target_id = code_map.get(target_id)
        elif kind == "coding":
            mapped = coding_map.get(int(target_id)) if target_id is not None else None
            target_id = str(mapped) if mapped is not None else None
        if kind != "project" and target_id is None:
            continue  # its target did not come along (another coder's unit, say)
        exists = conn.execute(
            "SELECT 1 FROM memos WHERE target_type = ? AND target_id IS ? AND author IS ? AND text = ?"
            " AND created_at = ?",
            (kind, target_id, row["author"], row["text"], row["created_at"]),
        ).fetchone()
        if exists:
            report.memos_already_there += 1
            continue
        conn.execute(
            "INSERT INTO memos (target_type, target_id, author, text, created_at, updated_at, start, end)"
            " VALUES (?,?,?,?,?,?,?,?)",  # a span stays right: transcripts are matched by their text
            (kind, target_id, row["author"], row["text"], row["created_at"], row["updated_at"], row["start"],
             row["end"]),
        )
        report.memos_added += 1

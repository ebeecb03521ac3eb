"""Transcripts in a project: importing whole or not at all, focus groups, speakers and roles,
text edits that carry codings along."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..core.edits import OffsetMap, TextEdit, apply_edits
from ..core.errors import UserError
from ..core.text import count_words, normalize_text
from . import audit
from .base import ProjectBase, _now, unjournaled
from .connection import SharedConnection
from .dialect import sql_for

if TYPE_CHECKING:
    from ..core.models import FocusGroup, Transcript, Turn


# A transcript's row without its text: listing or naming transcripts never reads megabytes.
_HEAD = ("id, seq, title, group_name, source_path, source_format, encoding, checksum, words, imported_at")


@dataclass(frozen=True, slots=True)
class RoleRule:
    """``pattern=role``: speakers whose label matches the glob ``pattern`` get ``role``."""

    pattern: str
    role: str

    @classmethod
    def parse(cls, spec: str) -> RoleRule:
        pattern, sep, role = spec.partition("=")
        if not sep or not pattern.strip() or not role.strip():
            raise UserError(f"role rule {spec!r} must look like PATTERN=ROLE, for example 'P*=pasient'")
        return cls(pattern.strip(), role.strip())

    def matches(self, label: str) -> bool:
        return fnmatch.fnmatchcase(label.casefold(), self.pattern.casefold())


@dataclass(slots=True)
class ImportResult:
    transcript: Transcript
    warnings: list[str]
    unmatched_speakers: list[str]


class TranscriptStore(ProjectBase):
    # --- transcripts ---------------------------------------------------------------------------

    def import_transcript(
        self,
        parsed,
        *,
        title: str,
        group: str | None = None,
        group_attributes: dict[str, str] | None = None,
        roles: Iterable[RoleRule] = (),
        source_path: str | None = None,
        allow_duplicate: bool = False,
        speaker_attributes: dict[str, dict[str, str]] | None = None,
    ) -> ImportResult:
        """Store a :class:`~qualcode.core.parsed.ParsedTranscript` whole, in one transaction.

        ``speaker_attributes`` gives speakers (by label) attributes another tool kept on them
        (a REFI-QDA case's variables: age, gender)."""
        text = normalize_text(parsed.text)
        if text != parsed.text:
            raise ValueError("importer returned text that is not normalised")  # a bug, not user error
        _check_turns(parsed.turns, len(text))
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        roles = list(roles)
        with self.transaction() as conn:
            if not allow_duplicate:
                row = conn.execute("SELECT id, title FROM transcripts WHERE checksum = ?", (checksum,)).fetchone()
                if row:
                    raise UserError(
                        f"this text is already in the project as {row['id']} ({row['title']}); "
                        "use --allow-duplicate to import it again",
                        path=source_path,
                    )
            seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM transcripts").fetchone()[0]
            tid = f"T{seq}"
            if group is not None:
                self._upsert_group(conn, group, group_attributes or {})
            elif group_attributes:
                raise UserError("focus-group attributes need a focus group to belong to")
            conn.execute(
                "INSERT INTO transcripts (id, seq, title, group_name, source_path, source_format, encoding,"
                " checksum, text, words, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (tid, seq, title, group, source_path, parsed.format, parsed.encoding, checksum, text,
                 count_words(text), _now()),
            )
            unmatched: list[str] = []
            speaker_rows = []
            for label in parsed.speakers:
                role = next((rule.role for rule in roles if rule.matches(label)), None)
                if role is None and roles:
                    unmatched.append(label)
                attributes = (speaker_attributes or {}).get(label) or {}
                speaker_rows.append((tid, label, role, json.dumps(attributes, ensure_ascii=False)))
            conn.executemany("INSERT INTO speakers (transcript_id, label, role, attributes) VALUES (?,?,?,?)",
                             speaker_rows)
            conn.executemany(
                "INSERT INTO turns (transcript_id, idx, speaker, start, end, time_start, time_end)"
                " VALUES (?,?,?,?,?,?,?)",
                [
                    (tid, i, t.speaker, t.start, t.end, t.time_start, t.time_end)
                    for i, t in enumerate(parsed.turns)
                ],
            )
            marks = [(tid, a.start, a.end, a.kind) for a in getattr(parsed, "annotations", ())
                     if 0 <= a.start < a.end <= len(text)]
            if marks:
                conn.executemany("INSERT INTO annotations (transcript_id, start, end, kind) VALUES (?,?,?,?)", marks)
            if self.audit_recording:  # no title or file name: they may hold a name the trail cannot forget
                audit.append(conn, None, "import", f"import transcript {tid}", {
                    "transcripts": {tid: {"checksum": checksum, "made": "import"}}, "format": parsed.format,
                    "words": count_words(text), "turns": len(parsed.turns), "speakers": len(speaker_rows),
                    "group": group is not None,
                })
        return ImportResult(self.transcript(tid), list(parsed.warnings), unmatched)

    def _upsert_group(self, conn: SharedConnection, name: str, attributes: dict[str, str]) -> None:
        row = conn.execute("SELECT attributes FROM groups WHERE name = ?", (name,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO groups VALUES (?, ?)", (name, json.dumps(attributes, ensure_ascii=False)))
        elif attributes:
            merged = {**json.loads(row[0]), **attributes}
            conn.execute("UPDATE groups SET attributes = ? WHERE name = ?",
                         (json.dumps(merged, ensure_ascii=False), name))

    def groups(self) -> list[FocusGroup]:
        from ..core.models import FocusGroup

        rows = self.conn.execute("SELECT name, attributes FROM groups ORDER BY name").fetchall()
        return [FocusGroup(name=r["name"], attributes=json.loads(r["attributes"])) for r in rows]

    def set_group_attributes(self, name: str, attributes: dict[str, str]) -> FocusGroup:
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM groups WHERE name = ?", (name,)).fetchone() is None:
                raise UserError(f"no focus group named {name!r}")
            self._upsert_group(conn, name, attributes)
            if self.audit_recording:  # the keys only: a group's name or values may name a place
                audit.append(conn, None, "action", "set attributes of a focus group",
                             {"group_attributes": sorted(attributes)})
        return next(g for g in self.groups() if g.name == name)

    def transcripts(self) -> list[Transcript]:
        rows = self.conn.execute(f"SELECT {_HEAD} FROM transcripts ORDER BY seq").fetchall()
        return [self._transcript_from_row(row) for row in rows]

    def transcript(self, tid: str) -> Transcript:
        row = self.conn.execute(f"SELECT {_HEAD} FROM transcripts WHERE id = ? COLLATE NOCASE", (tid,)).fetchone()
        if row is None:
            raise self._no_transcript(tid)
        return self._transcript_from_row(row)

    def transcript_id(self, tid: str) -> str:
        """The transcript's id as stored (ids are matched without regard to case); one small query."""
        row = self.conn.execute("SELECT id FROM transcripts WHERE id = ? COLLATE NOCASE", (tid,)).fetchone()
        if row is None:
            raise self._no_transcript(tid)
        return row[0]

    def _no_transcript(self, tid: str) -> UserError:
        known = ", ".join(r[0] for r in self.conn.execute("SELECT id FROM transcripts ORDER BY seq")) or "none yet"
        return UserError(f"no transcript {tid!r} in this project (transcripts: {known})")

    def _transcript_from_row(self, row: sqlite3.Row) -> Transcript:
        from ..core.models import Speaker, Transcript

        speakers = [
            Speaker(label=s["label"], role=s["role"], attributes=json.loads(s["attributes"]))
            for s in self.conn.execute(
                "SELECT s.label, s.role, s.attributes FROM speakers s"
                " LEFT JOIN (SELECT speaker, min(idx) AS first FROM turns WHERE transcript_id = ? GROUP BY speaker) f"
                " ON f.speaker = s.label WHERE s.transcript_id = ? ORDER BY f.first, s.label",
                (row["id"], row["id"]),
            )
        ]
        turn_count = self.conn.execute("SELECT count(*) FROM turns WHERE transcript_id = ?", (row["id"],)).fetchone()[0]
        return Transcript(
            id=row["id"], title=row["title"], group=row["group_name"], source_path=row["source_path"],
            source_format=row["source_format"], encoding=row["encoding"], checksum=row["checksum"],
            imported_at=datetime.fromisoformat(row["imported_at"]), words=row["words"],
            turn_count=turn_count, speakers=speakers,
        )

    def text(self, tid: str) -> str:
        row = self.conn.execute("SELECT text FROM transcripts WHERE id = ? COLLATE NOCASE", (tid,)).fetchone()
        if row is None:
            raise self._no_transcript(tid)
        return row[0]

    def turns(self, tid: str) -> list[Turn]:
        from ..core.models import Turn

        tid = self.transcript_id(tid)
        text = self.text(tid)
        rows = self.conn.execute(
            "SELECT t.idx, t.speaker, s.role, t.start, t.end, t.time_start, t.time_end FROM turns t"
            " LEFT JOIN speakers s ON s.transcript_id = t.transcript_id AND s.label = t.speaker"
            " WHERE t.transcript_id = ? ORDER BY t.idx",
            (tid,),
        ).fetchall()
        return [
            Turn(index=r["idx"], speaker=r["speaker"], role=r["role"], start=r["start"], end=r["end"],
                 time_start=r["time_start"], time_end=r["time_end"], text=text[r["start"]:r["end"]])
            for r in rows
        ]

    def annotations(self, tid: str) -> list[tuple[int, int, str]]:
        """The transcript's annotations (start, end, kind) in text order: the characters of pause,
        overlap, sound and time marks, which are not words (see :mod:`.schema`, version 8)."""
        tid = self.transcript_id(tid)
        return [(r[0], r[1], r[2]) for r in self.conn.execute(
            "SELECT start, end, kind FROM annotations WHERE transcript_id = ? ORDER BY start, end", (tid,))]

    def delete_transcript(self, tid: str) -> None:
        """Remove a transcript and its codings (a backup is the way back)."""
        tid = self.transcript_id(tid)
        with self.action(f"delete transcript {tid}") as conn:
            units = [r[0] for r in conn.execute("SELECT id FROM codings WHERE transcript_id = ?", (tid,))]
            checksum = conn.execute("SELECT checksum FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
            # The journal of this action goes with the rest (below): the entry says what went.
            self.audit_note(transcripts={tid: {"checksum": checksum, "deleted": True}},
                            units=audit.ranges(units), unit_count=len(units))
            conn.execute("DELETE FROM codings WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM memos WHERE target_type = 'transcript' AND target_id = ?", (tid,))
            conn.execute("DELETE FROM turns WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM speakers WHERE transcript_id = ?", (tid,))
            conn.execute("DELETE FROM transcripts WHERE id = ?", (tid,))
            conn.execute("DELETE FROM refi_guids WHERE kind = 'source' AND key = ?", (tid,))  # ids are reused
            # Undo cannot bring the text back, so nothing before this may be undone either.
            conn.execute("DELETE FROM actions")

    def edit_text(self, tid: str, edits: list[TextEdit], label: str = "edit text", *,
                  coder: str | None = None) -> None:
        """Change a transcript's stored text and remap its turns and codings in one transaction.

        Not undoable (the journal does not hold transcript text): callers confirm first.
        """
        tid = self.transcript_id(tid)
        with self.transaction() as conn:
            before = conn.execute("SELECT checksum FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
            self.apply_text_edits(conn, tid, edits)
            after = conn.execute("SELECT checksum FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
            audit.append(conn, coder, "repair", f"{label} in {tid}",
                         {"transcripts": {tid: {"before": before, "after": after}}, "edits": len(edits)})

    def apply_text_edits(self, conn: SharedConnection, tid: str, edits: list[TextEdit]) -> None:
        """:meth:`edit_text`'s work inside a transaction the caller holds (redaction rewrites
        every transcript in one): the text, its turns and codings remapped, and the journal's
        images of its codings, whose offsets are now stale, dropped."""
        with unjournaled(conn):
            rewrite_text(conn, tid, edits)
            conn.execute(sql_for(conn).STALE_ACTIONS, (tid, tid))


def rewrite_text(conn: SharedConnection, tid: str, edits: list[TextEdit], *, remap_codings: bool = True) -> OffsetMap:
    """The transcript's text changed by ``edits``; its turns, marks and (unless told not to)
    codings mapped onto the new text, without journaling the codings' new offsets. The one way
    stored text changes: redaction and every repair go through it."""
    old = conn.execute("SELECT text FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
    new, mapping = apply_edits(old, edits)
    conn.execute("UPDATE transcripts SET text = ?, words = ?, checksum = ? WHERE id = ?",
                 (new, count_words(new), hashlib.sha256(new.encode("utf-8")).hexdigest(), tid))
    # Only what ends at or after the first edit can move: one statement per row that does.
    first = min(e.start for e in edits) if edits else len(old)
    turns = conn.execute("SELECT idx, start, end FROM turns WHERE transcript_id = ? AND end >= ?",
                         (tid, first)).fetchall()
    moved = [(mapping.start(r["start"]), mapping.end(r["end"]), r["idx"], r["start"], r["end"]) for r in turns]
    conn.executemany("UPDATE turns SET start = ?, end = ? WHERE transcript_id = ? AND idx = ?",
                     [(s, e, tid, idx) for s, e, idx, s0, e0 in moved if (s, e) != (s0, e0)])
    remap_annotations(conn, tid, mapping)
    if remap_codings:
        with unjournaled(conn):  # the repair's own change holds them
            codings = conn.execute("SELECT id, start, end FROM codings WHERE transcript_id = ? AND end >= ?",
                                   (tid, first)).fetchall()
            spans = [(mapping.start(r["start"]), mapping.end(r["end"]), r["id"], r["start"], r["end"])
                     for r in codings]
            conn.executemany("UPDATE codings SET start = ?, end = ? WHERE id = ?",
                             [(s, max(e, s + 1), cid) for s, e, cid, s0, e0 in spans
                              if (s, max(e, s + 1)) != (s0, e0)])
    return mapping


def remap_annotations(conn: SharedConnection, tid: str, mapping: OffsetMap) -> None:
    """Move a transcript's annotations with an edit of its text; one whose characters were all
    replaced goes (what it marked is no longer there)."""
    rows = conn.execute("SELECT rowid, start, end FROM annotations WHERE transcript_id = ?", (tid,)).fetchall()
    moved = [(mapping.start(r[1]), mapping.end(r[2]), r[0]) for r in rows]
    conn.executemany("UPDATE annotations SET start = ?, end = ? WHERE rowid = ?", [m for m in moved if m[1] > m[0]])
    conn.executemany("DELETE FROM annotations WHERE rowid = ?", [(m[2],) for m in moved if m[1] <= m[0]])


def _check_turns(turns, length: int) -> None:
    """Importers must hand over ordered, non-overlapping turns inside the text (a bug otherwise)."""
    previous_end = 0
    for i, turn in enumerate(turns):
        if not previous_end <= turn.start <= turn.end <= length:
            raise ValueError(f"importer bug: turn {i} spans {turn.start}-{turn.end} "
                             f"(previous ends {previous_end}, text {length})")
        previous_end = turn.end

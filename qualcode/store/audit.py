"""The audit trail: an append-only, hash-chained log of every change to a project.

Each entry (table ``audit_log``, schema 11) says when (UTC), who, what kind of change and a line
a person reads, with a JSON ``detail`` of what changed: the ids of the rows, a unit's transcript,
span, code and coder, the SHA-256 of a transcript's text before and after, the checksum of an
exported file. Its ``hash`` is the SHA-256 of the previous entry's hash followed by a canonical
JSON of the entry (sorted keys, no spaces), the first entry following :data:`GENESIS`. Triggers
refuse to change or delete an entry; one changed or deleted behind qualcode's back (the sqlite3
shell, with the trigger dropped) no longer matches its hash or breaks the chain, and
:func:`verify` names it. What the chain cannot show is a trail rewritten whole, every hash
recomputed: against that, keep the last hash (``qualcode audit --verify``) with the article's data.

:func:`append` is the one way an entry is written, always inside the transaction of the change
it records, so the change and its entry are committed together or not at all. Undoable actions
are recorded by :meth:`~qualcode.store.base.ProjectBase.action` (see :func:`record_action`).

The trail holds no transcript text, no names a de-identification hides, no memo or condensed
meaning: only ids, spans, codes, coders and checksums. It can never be redacted, so it never
needs to be.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import UserError
from .dialect import sql_for

if TYPE_CHECKING:
    from .connection import SharedConnection

    Conn = SharedConnection | sqlite3.Connection


class ProjectLike(Protocol):
    """What this module needs of a project (:class:`~qualcode.store.base.ProjectBase`, which
    imports this module: named here by its shape, not imported)."""

    @property
    def conn(self) -> SharedConnection: ...

    def transaction(self) -> AbstractContextManager[SharedConnection]: ...

GENESIS = "0" * 64  # the "previous hash" of the first entry
CODER_ENV = "QUALCODE_CODER"  # who, when a change names no coder (as the command line reads it)
TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    at: str
    who: str | None
    kind: str
    summary: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "who": self.who, "kind": self.kind, "summary": self.summary,
                "detail": self.detail, "prev_hash": self.prev_hash, "hash": self.hash}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def canonical(value: Any) -> str:
    """The JSON an entry is hashed over: sorted keys, no spaces, text as it is (not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry_id: int, at: str, who: str | None, kind: str, summary: str,
               detail: dict[str, Any]) -> str:
    """SHA-256 of ``prev_hash`` followed by the canonical JSON of the entry."""
    return _hash(prev_hash, entry_id, at, who, kind, summary, canonical(detail))


def _hash(prev_hash: str, entry_id: int, at: str, who: str | None, kind: str, summary: str, detail: str) -> str:
    # canonical({"id": ..., "at": ..., ..., "detail": ...}) with the detail's JSON already made:
    # the keys in sorted order, each value as canonical() writes it (coding stays fast).
    text = json.dumps
    payload = (f'{{"at":{text(at, ensure_ascii=False)},"detail":{detail},"id":{int(entry_id)},'
               f'"kind":{text(kind, ensure_ascii=False)},"summary":{text(summary, ensure_ascii=False)},'
               f'"who":{text(who, ensure_ascii=False)}}}')
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def default_who(who: str | None = None) -> str | None:
    """Who made a change: the coder it names, else ``$QUALCODE_CODER``, else the login name."""
    if who:
        return who
    env = os.environ.get(CODER_ENV, "").strip()
    if env:
        return env
    try:
        return f"{getpass.getuser()} (login)"
    except Exception:  # no user name in this environment
        return None


# --- writing ---------------------------------------------------------------------------------------


def append(conn: Conn, who: str | None, kind: str, summary: str, detail: dict[str, Any] | None = None) -> Entry | None:
    """Add an entry, inside the caller's transaction (which holds the write lock, so no other
    process can append between reading the last entry and writing this one).

    The new entry's id follows the highest id the log ever had (``sqlite_sequence``), so entries
    deleted from the end leave a gap :func:`verify` reports instead of a chain quietly mended.
    Returns None, writing nothing, only for a file older than schema 11 (no trail yet)."""
    if not conn.in_transaction:
        raise RuntimeError("bug: an audit entry is written inside the transaction of its change")
    if not kind or not summary:
        raise ValueError("an audit entry needs a kind and a summary")
    try:
        top, prev, seq = conn.execute(sql_for(conn).AUDIT_LAST).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None  # a file being written by an older schema (only the upgrade tests make one)
        raise
    entry_id = max(top or 0, seq or 0) + 1
    prev = prev or GENESIS
    at = _now()
    who = default_who(who)
    detail = detail or {}
    role = getattr(conn, "role", None)
    if role:  # a server project: the database role the change was made as
        detail = {**detail, "role": role}
    text = canonical(detail)
    digest = _hash(prev, entry_id, at, who, kind, summary, text)
    conn.execute(
        "INSERT INTO audit_log (id, at, who, kind, summary, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
        (entry_id, at, who, kind, summary, text, prev, digest),
    )
    return Entry(entry_id, at, who, kind, summary, detail, prev, digest)


def ranges(ids: Iterable[int]) -> list[list[int]]:
    """``[1, 2, 3, 7]`` -> ``[[1, 3], [7, 7]]``: the units of a batch, short."""
    out: list[list[int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


# What an entry keeps of a journaled row: ids and structure, never text a person wrote or a name.
_KEPT: dict[str, dict[str, str]] = {
    "codings": {"transcript_id": "transcript", "code_id": "code", "coder": "coder", "origin": "origin",
                "starred": "starred"},
    "memos": {"target_type": "target_type", "target_id": "target_id", "author": "author"},
    "codes": {"name": "name", "parent_id": "parent", "codable": "codable"},
    "deid_terms": {"kind": "kind", "hide": "hide", "source": "source"},
    "reconciliation": {"transcript_id": "transcript", "coders": "coders", "action": "decision",
                       "accepted_from": "accepted_from", "decided_by": "decided_by"},
}
_QUIET = {"updated_at", "created_at", "decided_at"}  # times: the entry has its own


def _row(table: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    image = new if new is not None else old
    assert image is not None
    op = "insert" if old is None else "delete" if new is None else "update"
    out: dict[str, Any] = {"table": table, "op": op, "id": next(iter(image.values()))}
    for column, key in _KEPT.get(table, {}).items():
        if column in image:
            out[key] = image[column]
    if "start" in image and "end" in image and image["start"] is not None:
        out["span"] = [image["start"], image["end"]]
    if table == "reconciliation":
        for column in ("source_ids", "result_ids"):
            out[column] = json.loads(image[column]) if isinstance(image.get(column), str) else image.get(column)
    if old is not None and new is not None:
        names = _KEPT.get(table, {})
        out["changed"] = sorted({"span" if c in ("start", "end") else names.get(c, c)
                                 for c in new if c not in _QUIET and old.get(c) != new.get(c)})
        was = {key: old[column] for column, key in _KEPT.get(table, {}).items()
               if column in old and old[column] != new.get(column)}
        if (old.get("start"), old.get("end")) != (new.get("start"), new.get("end")) and old.get("start") is not None:
            was["span"] = [old["start"], old["end"]]
        if was:
            out["was"] = was
    return out


def _repair_row(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A transcript repair's one journal change (see :mod:`.repair`): its checksums and the
    units whose offsets it moved."""
    before = {c[0]: (c[1], c[2]) for c in old.get("codings", [])}
    after = {c[0]: (c[1], c[2]) for c in new.get("codings", [])}
    moved = [i for i in after if i in before and before[i] != after[i]]
    return {"table": "transcript", "op": "repair", "id": new["id"], "checksum": [old["checksum"], new["checksum"]],
            "units_moved": ranges(moved)}


def action_detail(conn: Conn, action_id: int, *, backwards: bool = False) -> dict[str, Any]:
    """What an undoable action changed, from its journal: ``rows`` (table, op, id, and for a
    unit its transcript, span, code and coder), and ``transcripts`` whose text it changed, with
    the checksums before and after. ``backwards``: as its undo changes them."""
    rows: list[dict[str, Any]] = []
    texts: dict[str, dict[str, str]] = {}
    changes = conn.execute("SELECT tbl, old, new FROM changes WHERE action_id = ? ORDER BY id", (action_id,))
    for change in changes:
        old = json.loads(change[1]) if change[1] else None
        new = json.loads(change[2]) if change[2] else None
        if backwards:
            old, new = new, old
        if change[0] == "transcript":  # a repair's pseudo-table
            assert old is not None and new is not None
            row = _repair_row(old, new)
            if old["checksum"] != new["checksum"]:
                texts[new["id"]] = {"before": old["checksum"], "after": new["checksum"]}
        else:
            row = _row(change[0], old, new)
        rows.append(row)
    out: dict[str, Any] = {"rows": rows}
    if texts:
        out["transcripts"] = texts
    return out


def record_action(conn: Conn, action_id: int, created_at: str, *, label: str, who: str | None, kind: str,
                  note: dict[str, Any]) -> Entry | None:
    """The entry of one undoable action, written at its end in its transaction. An action that
    removed itself (a repair that changed nothing) and left no note is not recorded."""
    detail: dict[str, Any] = action_detail(conn, action_id)
    if not detail["rows"]:  # a journal is removed with its action: is this one still there?
        exists = conn.execute("SELECT 1 FROM actions WHERE id = ? AND created_at = ?", (action_id, created_at))
        if exists.fetchone() is None and not note:
            return None
    detail["action"] = {"id": action_id, "at": created_at}
    for key, value in note.items():
        if key == "transcripts" and "transcripts" in detail:
            detail["transcripts"] = {**detail["transcripts"], **value}
        else:
            detail[key] = value
    return append(conn, who, kind, label, detail)


def record_replay(conn: Conn, action: dict[str, Any], *, backwards: bool, who: str | None) -> Entry | None:
    """The entry of an undo (``backwards``) or a redo: the action it names (and the entry that
    recorded it, whose line it repeats: an action's label may hold a name the trail must not)
    and what it changed."""
    detail = action_detail(conn, action["id"], backwards=backwards)
    detail["action"] = {"id": action["id"], "at": action["created_at"]}
    verb = "undo" if backwards else "redo"
    try:  # newest first: the action undone is nearly always a recent one
        made = conn.execute(sql_for(conn).AUDIT_ACTION_ENTRY, (action["id"], action["created_at"])).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    if made is not None:
        detail["entry"] = made[0]
        what = made[1]
    else:  # an action from before the trail: its label, unless it may name a person
        tables = {r["table"] for r in detail["rows"]}
        what = ("a names decision" if "deid_terms" in tables
                else "a repair of " + ", ".join(sorted({r["id"] for r in detail["rows"] if r["table"] == "transcript"}))
                if "transcript" in tables else action["label"])
    return append(conn, who or action["coder"], verb, f"{verb} {what}", detail)


def text_detail(conn: Conn, tids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Each transcript's current checksum: ``{tid: {"checksum": ...}}``."""
    out = {}
    for tid in tids:
        row = conn.execute("SELECT checksum FROM transcripts WHERE id = ?", (tid,)).fetchone()
        if row is not None:
            out[tid] = {"checksum": row[0]}
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def record_export(project: ProjectLike, kind: str, paths: list[Path], *, who: str | None = None,
                  detail: dict | None = None) -> None:
    """After an export: one ``export`` entry naming each written file with its SHA-256 (read in
    chunks) and size, so a file handed to a journal can be matched to the project it came from.
    The files stay written if the project cannot record it (busy, read-only): the error says so."""
    files: list[dict[str, Any]] = [
        {"name": Path(p).name, "path": str(p), "sha256": file_sha256(Path(p)), "bytes": Path(p).stat().st_size}
        for p in paths]
    names = ", ".join(Path(p).name for p in paths) or "no files"
    with project.transaction() as conn:
        append(conn, who, "export", f"export {kind}: {names}", {**(detail or {}), "export": kind, "files": files})


# --- reading ---------------------------------------------------------------------------------------


def _entry(row: Sequence[Any]) -> Entry:
    try:
        detail = json.loads(row[5])
    except (TypeError, ValueError):
        detail = {"unreadable": str(row[5])}
    return Entry(row[0], row[1], row[2], row[3], row[4], detail if isinstance(detail, dict) else {"value": detail},
                 row[6], row[7])


_COLUMNS = "id, at, who, kind, summary, detail, prev_hash, hash"


def parse_since(value: str | date | datetime) -> str:
    """A date (``2026-03-01``, midnight UTC) or a time (with its zone; UTC without one) as the
    ISO text entries are stamped with."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise UserError(f"--since {value!r}: give a date like 2026-03-01 or a time like 2026-03-01T14:00") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        moment = datetime(value.year, value.month, value.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def entries(project: ProjectLike, since: str | date | datetime | None = None, unit: int | None = None) -> list[Entry]:
    """Entries in order; from ``since`` on; only those that made or changed ``unit`` (see
    :func:`unit_entries`)."""
    if unit is not None:
        found = unit_entries(project, unit)
        return [e for e in found if since is None or e.at >= parse_since(since)]
    sql, args = f"SELECT {_COLUMNS} FROM audit_log", []
    if since is not None:
        sql += " WHERE at >= ?"
        args.append(parse_since(since))
    return [_entry(r) for r in project.conn.execute(sql + " ORDER BY id", args)]


def unit_entries(project: ProjectLike, unit: int) -> list[Entry]:
    """The entries that made or changed unit ``unit`` (a row of it, or a batch that holds it),
    and those that made or changed the text of its transcript (its import, repairs, redaction),
    in order."""
    named = project.conn.execute(sql_for(project.conn).AUDIT_UNIT, {"u": unit}).fetchall()
    found = [_entry(r) for r in named]
    tid = _unit_transcript(project, unit, found)
    if tid is not None:
        texts = [_entry(r) for r in project.conn.execute(sql_for(project.conn).AUDIT_TEXT, (tid,))]
        # A transcript id can be used again after a delete: the text's story starts where the
        # transcript the unit is on was made (imported, merged in, or there before the trail).
        first = found[0].id if found else None
        made = [e.id for e in texts if e.detail["transcripts"][tid].get("made") and (first is None or e.id <= first)]
        found += [e for e in texts if not made or e.id >= made[-1]]
    return sorted({e.id: e for e in found}.values(), key=lambda e: e.id)


def text_checksums(found: list[Entry], tid: str) -> list[str]:
    """The checksums of a transcript's text the entries recorded, oldest first."""
    out: list[str] = []
    for entry in found:
        text = entry.detail.get("transcripts", {}).get(tid) or {}
        for key in ("checksum", "before", "after"):
            if text.get(key) and (not out or out[-1] != text[key]):
                out.append(text[key])
    return out


def _unit_transcript(project: ProjectLike, unit: int, found: list[Entry]) -> str | None:
    row = project.conn.execute("SELECT transcript_id FROM codings WHERE id = ?", (unit,)).fetchone()
    if row is not None:
        return row[0]
    for entry in reversed(found):  # a deleted unit: where its entries said it was
        for r in entry.detail.get("rows", []):
            if r.get("table") == "codings" and r.get("id") == unit and r.get("transcript"):
                return r["transcript"]
    return None


@dataclass
class UnitTrace:
    """Where a quote comes from: the unit, its turn, its transcript's checksum, and the entries
    that made and changed it (``qualcode audit PROJECT --unit N``)."""

    unit: int
    exists: bool
    transcript: str | None = None
    turn: int | None = None
    speaker: str | None = None
    start: int | None = None
    end: int | None = None
    code: str | None = None
    coder: str | None = None
    checksum: str | None = None       # SHA-256 of the transcript's text as it is now
    text_as_recorded: bool | None = None  # the text is the last one the trail recorded for it
    entries: list[Entry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "exists": self.exists, "transcript": self.transcript, "turn": self.turn,
                "speaker": self.speaker, "start": self.start, "end": self.end, "code": self.code,
                "coder": self.coder, "checksum": self.checksum, "text_as_recorded": self.text_as_recorded,
                "entries": [e.as_dict() for e in self.entries]}


def trace_unit(project: ProjectLike, unit: int) -> UnitTrace:
    found = unit_entries(project, unit)
    row = project.conn.execute("SELECT transcript_id, start, end, code_id, coder FROM codings WHERE id = ?",
                               (unit,)).fetchone()
    if row is None:
        if not found:
            raise UserError(f"no meaning unit with id {unit}, and none in the audit trail")
        trace = UnitTrace(unit, False, entries=found)
        trace.transcript = _unit_transcript(project, unit, found)
        return trace
    turns = project.conn.execute("SELECT idx, speaker, start, end FROM turns WHERE transcript_id = ? ORDER BY idx",
                                 (row[0],)).fetchall()
    turn = _turn_at(turns, row[1])
    text = project.conn.execute("SELECT text FROM transcripts WHERE id = ?", (row[0],)).fetchone()[0]
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()  # the text itself, not the column
    recorded = text_checksums(found, row[0])
    return UnitTrace(unit, True, row[0], turn[0] if turn else None, turn[1] if turn else None, row[1], row[2],
                     row[3], row[4], checksum, bool(recorded) and recorded[-1] == checksum, found)


def _turn_at(turns: Sequence[Sequence[Any]], offset: int) -> Sequence[Any] | None:
    """The turn (idx, speaker, start, end) a unit starting at ``offset`` belongs to, as the
    exports name it (the next one if it starts in a label): ``store.codings._turn_at``, which
    this module cannot import (codings builds on the base that imports this module)."""
    if not turns:
        return None
    i = bisect_right([t[2] for t in turns], offset) - 1
    if i >= 0 and offset < turns[i][3]:
        return turns[i]
    return turns[i + 1] if i + 1 < len(turns) else turns[i]


# --- checking --------------------------------------------------------------------------------------


def status(project: ProjectLike) -> tuple[int, str | None]:
    """(number of entries, the last entry's hash)."""
    count = project.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    last = project.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return count, last[0] if last else None


def verify(project: ProjectLike, *, expect: str | None = None) -> list[str]:
    """Every problem of the trail, each naming the entry: one changed since it was written (its
    hash does not match), a broken link (its ``prev_hash`` is not the hash of the entry before),
    entries missing (a gap in the ids, or deleted from the end), an entry out of order (it links
    to another than the one before it); the guard triggers removed. ``expect``: a hash kept
    from before (the article's data) that must still be in the chain. Empty: intact."""
    conn = project.conn
    problems: list[str] = []
    present = {r[0] for r in conn.execute(sql_for(conn).AUDIT_TRIGGERS)}
    problems += [f"the guard {name} that refuses to change the trail has been removed"
                 for name in TRIGGERS if name not in present]
    seen = {r[1]: r[0] for r in conn.execute("SELECT id, hash FROM audit_log")}  # what each entry follows
    previous: tuple[int, str] | None = None
    for row in conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY id"):
        entry_id, stored_prev, stored = row[0], row[6], row[7]
        expected_id = previous[0] + 1 if previous else 1
        if entry_id > expected_id:
            first, last = expected_id, entry_id - 1
            problems.append(f"entry {first} is missing (deleted)" if first == last
                            else f"entries {first}–{last} are missing (deleted)")
        try:
            detail = json.loads(row[5])
        except (TypeError, ValueError):
            problems.append(f"entry {entry_id}: its detail is not JSON (changed after it was written)")
            detail = None
        if detail is not None and entry_hash(stored_prev, entry_id, row[1], row[2], row[3], row[4], detail) != stored:
            problems.append(f"entry {entry_id}: changed after it was written (its hash does not match what it says)")
        link = previous[1] if previous else GENESIS
        if stored_prev != link:
            if stored_prev in seen and seen[stored_prev] != entry_id:
                problems.append(f"entry {entry_id} is out of order: it was written after entry {seen[stored_prev]}, "
                                f"not after {'entry ' + str(previous[0]) if previous else 'the start'}")
            elif stored_prev == GENESIS:
                problems.append(f"entry {entry_id} is out of order: it was written first")
            elif previous is None:
                problems.append(f"entry {entry_id}: the chain does not start here (earlier entries deleted?)")
            elif entry_id == expected_id:
                problems.append(f"entry {entry_id}: the chain is broken before it "
                                f"(it does not follow entry {previous[0]} as written)")
        previous = (entry_id, stored)
    seq = conn.execute(sql_for(conn).AUDIT_HIGH_WATER).fetchone()
    top = previous[0] if previous else 0
    if seq is not None and seq[0] > top:
        first, last = top + 1, seq[0]
        problems.append(f"entry {first} is missing (deleted from the end of the trail)" if first == last
                        else f"entries {first}–{last} are missing (deleted from the end of the trail)")
    if previous is None and seq is None:
        problems.append("the trail is empty: every project has at least the entry of its creation or upgrade")
    if expect is not None and expect.strip().lower() not in seen:
        problems.append(f"no entry has the hash {expect.strip()} kept from before: the trail was rewritten "
                        "(or the hash is of another project)")
    return problems

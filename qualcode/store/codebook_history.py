"""Codebook history: the whole codebook as it was after each change to it (``codebook_versions``,
schema 12), who made the change, when, and the units it moved.

A version is written in the same transaction as its change, and only when the codebook did change
(an edit that leaves every field as it was writes nothing). The history only grows: an undo of a
codebook change is a new version, labelled ``undo ...``, holding the codebook as the undo left it.

How every change is caught, whichever code makes it:

* the codebook's own edits (:mod:`.codes`) call :func:`record` with their label and, for merges,
  splits and moves, the units they moved;
* every other transaction is watched (:meth:`.codes.CodebookStore.transaction`): TEMP triggers on
  this connection note a change to ``codes``, a new ``actions`` row and an undo or redo, and
  :func:`settle` records the codebook before the transaction commits, labelled by what it was
  (``undo merge code a into b``, ``merge from b.qualcode``, ``create project with codebook X``).

A project made before schema 12 has no history: its first version, the codebook as it is then,
is written on first use (the first write, or the first look at the history) and labelled
:data:`FIRST_LABEL`.

``moved`` is ``{code: {"how": ..., "to": ..., "units": n}}``: ``merge`` (the code's units went to
``to``), ``split`` (``n`` of the code's units went to the new code ``to``), ``move`` (the code,
with the ``n`` units of it and its subcodes, went from parent ``from`` to parent ``to``) and
``undo merge``/``undo split``/``undo move`` for their undoing. Units a merge dropped because the
same coder had the same span on the target already are not counted as moved.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from .connection import SharedConnection

FIRST_LABEL = ("first recorded version: the codebook as it was when qualcode began keeping its history "
               "(the project was made before codebook history)")
_EVENTS = "qc_codebook_events"
_FLAG = f"BEGIN INSERT INTO {_EVENTS} (kind) VALUES ('codes'); END"
_TRIGGERS = {
    "qc_codebook_codes_insert": f"AFTER INSERT ON main.codes {{guard}} {_FLAG}",
    "qc_codebook_codes_update": f"AFTER UPDATE ON main.codes {{guard}} {_FLAG}",
    "qc_codebook_codes_delete": f"AFTER DELETE ON main.codes {{guard}} {_FLAG}",
    "qc_codebook_action": f"AFTER INSERT ON main.actions BEGIN INSERT INTO {_EVENTS} (kind, label, coder, undone)"
                          " VALUES ('action', NEW.label, NEW.coder, 0); END",
    "qc_codebook_undone": f"AFTER UPDATE OF undone ON main.actions BEGIN INSERT INTO {_EVENTS} (kind, label, coder,"
                          " undone) VALUES ('undone', NEW.label, NEW.coder, NEW.undone); END",
}
_GUARD = f"WHEN NOT EXISTS (SELECT 1 FROM {_EVENTS} WHERE kind = 'codes')"


@dataclass(frozen=True)
class CodebookVersion:
    """One version: ``data`` is the codebook as JSON (name, description, codes in tree order)."""

    id: int
    at: datetime
    who: str | None
    label: str
    data: dict[str, Any]
    moved: dict[str, dict[str, Any]]

    def book(self) -> Codebook:
        from ..core.codebook import Codebook
        from ..core.models import CodeNode

        return Codebook(name=self.data["name"], description=self.data["description"],
                        codes=[CodeNode(**c) for c in self.data["codes"]])

    def summary(self) -> dict[str, Any]:
        """What ``--history --json`` shows of it."""
        return {"version": self.id, "at": self.at.isoformat(timespec="milliseconds"), "who": self.who,
                "label": self.label, "moved": self.moved, "codes": len(self.data["codes"])}


# --- writing -------------------------------------------------------------------------------------


def _now() -> str:
    """As :func:`.base._now` writes times (UTC, milliseconds); not imported, so that this module
    depends on nothing of the store's."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def snapshot(conn: SharedConnection) -> dict[str, Any]:
    """The codebook as it is in ``conn`` (inside the transaction: with its uncommitted changes)."""
    rows = conn.execute(
        "SELECT id, name, parent_id, definition, inclusion, exclusion, examples, keywords, colour, codable"
        " FROM codes ORDER BY position, rowid").fetchall()
    children: dict[str | None, list[Any]] = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r)
    codes: list[dict[str, Any]] = []
    stack = list(reversed(children.get(None, [])))
    while stack:  # tree order: each code before its children, siblings in order
        r = stack.pop()
        codes.append({
            "id": r["id"], "name": r["name"], "parent": r["parent_id"], "definition": r["definition"],
            "inclusion": r["inclusion"], "exclusion": r["exclusion"], "examples": json.loads(r["examples"]),
            "keywords": json.loads(r["keywords"]), "colour": r["colour"], "codable": bool(r["codable"]),
        })
        stack.extend(reversed(children.get(r["id"], [])))
    meta = dict(conn.execute(
        "SELECT key, value FROM meta WHERE key IN ('codebook_name', 'codebook_description')").fetchall())
    return {"name": meta.get("codebook_name") or "Kodebok", "description": meta.get("codebook_description") or "",
            "codes": codes}


def _latest(conn: SharedConnection) -> tuple[int, dict[str, Any]] | None:
    row = conn.execute("SELECT id, codebook FROM codebook_versions ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], json.loads(row[1])) if row else None


def record(conn: SharedConnection, label: str, who: str | None, moved: dict[str, Any] | None = None) -> int | None:
    """Write the codebook as a new version, if it differs from the newest one; its id, or None.

    Inside the transaction of the change, after the change."""
    if not _has_table(conn):
        return None
    _clear_codes_flag(conn)
    data = snapshot(conn)
    newest = _latest(conn)
    if newest is not None and newest[1] == data:
        return None
    cur = conn.execute(
        "INSERT INTO codebook_versions (at, who, label, codebook, moved) VALUES (?, ?, ?, ?, ?)",
        (_now(), who, label, json.dumps(data, ensure_ascii=False), json.dumps(moved or {}, ensure_ascii=False)),
    )
    return cur.lastrowid


def _has_table(conn: SharedConnection) -> bool:
    if conn.dialect != "sqlite":
        return True  # a server project starts at schema 12
    return conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'codebook_versions'").fetchone() is not None


def _clear_codes_flag(conn: SharedConnection) -> None:
    if _watching(conn):
        conn.execute(f"DELETE FROM {_EVENTS} WHERE kind = 'codes'")


def _watching(conn: SharedConnection) -> bool:
    if conn.dialect != "sqlite":  # made with the connection; the server's triggers note into it
        return True
    row = conn.execute("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE 'qc_codebook_%'"
                       ).fetchone()
    return row[0] == len(_TRIGGERS)


def watch(conn: SharedConnection) -> bool:
    """At the start of a write transaction: note what it does to the codebook (see the module
    doc), and give a project from before codebook history its first version. False when the
    file has no history table (a file being made at an older schema)."""
    if not _watching(conn):  # once per connection: TEMP objects live as long as it does
        if not _has_table(conn):
            return False
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_EVENTS} (kind TEXT NOT NULL, label TEXT, coder TEXT,"
                     " undone INTEGER)")
        for name, body in _TRIGGERS.items():
            conn.execute(f"DROP TRIGGER IF EXISTS temp.{name}")
            conn.execute(f"CREATE TEMP TRIGGER {name} {body.format(guard=_GUARD)}")
    conn.execute(f"DELETE FROM {_EVENTS}")  # left by statements outside a watched transaction
    if conn not in _begun:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM codebook_versions)").fetchone()[0]:
            _begun.add(conn)  # committed: versions are never taken away
        elif conn.execute("SELECT EXISTS (SELECT 1 FROM codes)").fetchone()[0]:
            record(conn, FIRST_LABEL, None)
    return True


# Connections to files whose history has begun (a version committed): nothing to check again.
_begun: weakref.WeakSet[SharedConnection] = weakref.WeakSet()


def wants_first_version(conn: SharedConnection) -> bool:
    """A project made before codebook history, with codes and no version of them yet."""
    if not _has_table(conn):
        return False
    row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM codebook_versions) AND EXISTS (SELECT 1 FROM codes)"
                       ).fetchone()
    return bool(row[0])


def settle(conn: SharedConnection) -> None:
    """At the end of a watched transaction, before it commits: a codebook change that no
    codebook edit recorded (an undo or redo, a merge of projects) becomes a version."""
    if not conn.execute(f"SELECT EXISTS (SELECT 1 FROM {_EVENTS} WHERE kind = 'codes')").fetchone()[0]:
        return  # the codebook is as it was (the next transaction clears the notes)
    events = conn.execute(f"SELECT kind, label, coder, undone FROM {_EVENTS} ORDER BY rowid").fetchall()
    undone = [e for e in events if e["kind"] == "undone"]
    actions = [e for e in events if e["kind"] == "action"]
    moved: dict[str, Any] = {}
    if undone:
        e = undone[-1]
        original = _moved_by(conn, e["label"])
        if e["undone"]:
            label, moved = f"undo {e['label']}", _inverse(original)
        else:
            label, moved = f"redo {e['label']}", original
        who = e["coder"]
    elif actions:
        label, who = actions[-1]["label"], actions[-1]["coder"]
        if label == "create project":
            label = f"create project with codebook {snapshot(conn)['name']}"
    else:
        label, who = "change to the codebook", None
    record(conn, label, who, moved)
    conn.execute(f"DELETE FROM {_EVENTS}")


def _moved_by(conn: SharedConnection, label: str) -> dict[str, Any]:
    """What the newest version recorded by the action ``label`` moved."""
    row = conn.execute("SELECT moved FROM codebook_versions WHERE label = ? ORDER BY id DESC LIMIT 1",
                       (label,)).fetchone()
    return json.loads(row[0]) if row else {}


def _inverse(moved: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, m in moved.items():
        how = m["how"].removeprefix("undo ")
        if how == "move":
            out[code] = {"how": "undo move", "from": m["to"], "to": m["from"], "units": m["units"]}
        else:  # the units went from code to m["to"]; now they come back
            out[m["to"]] = {"how": f"undo {how}", "to": code, "units": m["units"]}
    return out


# --- reading -------------------------------------------------------------------------------------


def versions(conn: SharedConnection) -> list[CodebookVersion]:
    if not _has_table(conn):
        return []
    return [_version(r) for r in conn.execute("SELECT * FROM codebook_versions ORDER BY id")]


def _version(r: Any) -> CodebookVersion:
    return CodebookVersion(id=r["id"], at=_parse_stored(r["at"]), who=r["who"], label=r["label"],
                           data=json.loads(r["codebook"]), moved=json.loads(r["moved"]))


def _parse_stored(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def version(conn: SharedConnection, vid: int) -> CodebookVersion:
    row, span = None, (None, None)
    if _has_table(conn):
        row = conn.execute("SELECT * FROM codebook_versions WHERE id = ?", (vid,)).fetchone()
        span = conn.execute("SELECT min(id), max(id) FROM codebook_versions").fetchone()
    if row is None:
        known = f"versions {span[0]}-{span[1]}" if span[0] is not None else "no versions yet"
        raise UserError(f"no codebook version {vid} (the history has {known}; see 'qualcode codebook PROJECT "
                        "--history')")
    return _version(row)


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")


def parse_moment(text: str) -> datetime:
    """A date (its end: the codebook as it stood that day) or a date and time, in UTC unless
    it names an offset (``2026-03-02``, ``2026-03-02T14:30``, ``2026-03-02 14:30+01:00``)."""
    value = text.strip()
    problem = UserError(f"{text!r} is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC unless an offset "
                        "like +01:00 is given)")
    if not _MOMENT.fullmatch(value):
        raise problem
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise problem from None
    if len(value) == 10:  # a date alone: the end of that day
        moment = datetime.combine(moment.date(), time.max)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_of(conn: SharedConnection, when: str | datetime) -> CodebookVersion:
    """The codebook as it was at ``when``: the newest version made then or before."""
    moment = parse_moment(when) if isinstance(when, str) else when
    chosen: CodebookVersion | None = None
    every = versions(conn)
    for v in every:
        if v.at <= moment:
            chosen = v
    if chosen is None:
        if not every:
            raise UserError("the codebook has no history yet (it is empty)")
        first = every[0]
        raise UserError(f"{when} is before the first version of the codebook (version {first.id}, "
                        f"{first.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")
    return chosen


# --- comparing -------------------------------------------------------------------------------------

_COMPARED = ("definition", "inclusion", "exclusion", "examples", "keywords", "colour", "codable")
_ORDER = ("codebook", "added", "split", "renamed", "moved", "changed", "merged", "removed")


def diff(conn: SharedConnection, first: int, second: int) -> tuple[CodebookVersion, CodebookVersion, list[dict]]:
    """What changed from version ``first`` to ``second``, code by code (matched by id), with the
    units each merge, split and move between them moved."""
    a, b = version(conn, first), version(conn, second)
    if a.id > b.id:
        raise UserError(f"name the older version first: --diff {b.id} {a.id}")
    between = [v for v in versions(conn) if a.id < v.id <= b.id]
    return a, b, changes(a.data, b.data, between)


def changes(old: dict[str, Any], new: dict[str, Any], between: list[CodebookVersion]) -> list[dict[str, Any]]:
    before = {c["id"]: c for c in old["codes"]}
    after = {c["id"]: c for c in new["codes"]}
    events = _net(between)

    def last(match: Any) -> tuple[str, dict[str, Any]] | None:
        found = [(code, m) for code, m in events if match(code, m)]
        return found[-1] if found else None

    out: list[dict[str, Any]] = []
    fields = {k: {"from": old[k], "to": new[k]} for k in ("name", "description") if old[k] != new[k]}
    if fields:
        out.append({"change": "codebook", "code": None, "fields": fields})
    for cid, c in after.items():
        if cid not in before:
            source = last(lambda code, m, cid=cid: m["to"] == cid and m["how"] in ("split", "undo merge"))
            if source:
                out.append({"change": "split", "code": cid, "name": c["name"], "from": source[0],
                            "units": source[1]["units"], "how": source[1]["how"]})
            else:
                out.append({"change": "added", "code": cid, "name": c["name"], "parent": c["parent"]})
            continue
        was = before[cid]
        if was["name"] != c["name"]:
            out.append({"change": "renamed", "code": cid, "name": c["name"], "from": was["name"], "to": c["name"]})
        if was["parent"] != c["parent"]:
            move = last(lambda code, m, cid=cid: code == cid and m["how"] in ("move", "undo move"))
            out.append({"change": "moved", "code": cid, "name": c["name"], "from": was["parent"], "to": c["parent"],
                        "units": move[1]["units"] if move else None})
        edited = {k: {"from": was[k], "to": c[k]} for k in _COMPARED if was[k] != c[k]}
        if edited:
            out.append({"change": "changed", "code": cid, "name": c["name"], "fields": edited})
    # Gone by ``new``: removed, or merged; a code made and merged away between the two versions
    # too, since the units it carried moved (split from one code, merged into another).
    passing = {c["id"]: c for v in between for c in v.data["codes"] if c["id"] not in before and c["id"] not in after}
    for cid, was in [*before.items(), *passing.items()]:
        if cid in after:
            continue
        target = last(lambda code, m, cid=cid: code == cid and m["how"] in ("merge", "undo split"))
        if cid in passing:
            source = last(lambda code, m, cid=cid: m["to"] == cid and m["how"] in ("split", "undo merge"))
            if source is None or target is None:
                continue
            out.append({"change": "split", "code": cid, "name": was["name"], "from": source[0],
                        "units": source[1]["units"], "how": source[1]["how"]})
        if target:
            out.append({"change": "merged", "code": cid, "name": was["name"], "into": target[1]["to"],
                        "units": target[1]["units"], "how": target[1]["how"]})
        else:
            out.append({"change": "removed", "code": cid, "name": was["name"]})
    return sorted(out, key=lambda c: _ORDER.index(c["change"]))  # stable: tree order within a kind


def _net(between: list[CodebookVersion]) -> list[tuple[str, dict[str, Any]]]:
    """The units moved by the versions ``between``, less what an undo among them took back: a
    merge undone in the same stretch moved nothing, so it neither explains nor counts."""
    live: list[tuple[str, dict[str, Any]]] = []
    for v in between:
        for code, m in v.moved.items():
            base = m["how"].removeprefix("undo ")
            if base != m["how"]:
                if base == "move":
                    wanted = (code, {"how": "move", "from": m["to"], "to": m["from"], "units": m["units"]})
                else:
                    wanted = (m["to"], {"how": base, "to": code, "units": m["units"]})
                if wanted in live:
                    live.reverse()
                    live.remove(wanted)  # the newest one it undid
                    live.reverse()
                    continue
            live.append((code, m))
    return live


# --- an appendix ---------------------------------------------------------------------------------

_WORDS = {
    "nb": {"definition": "Definisjon", "inclusion": "Inklusjon", "exclusion": "Eksklusjon",
           "folder": "Samler underkoder; kodes ikke direkte."},
    "en": {"definition": "Definition", "inclusion": "Inclusion", "exclusion": "Exclusion",
           "folder": "Groups its subcodes; not coded directly."},
}


def codebook_to_markdown(book: Codebook, *, lang: str = "nb", note: str = "") -> str:
    """The codebook for an article's appendix: each theme a heading (numbered 1, 1.1, 1.1.1, ...)
    with its definition and inclusion and exclusion criteria. Examples and keywords are left
    out: examples may quote participants, and keywords serve qualcode's suggestions."""
    words = _WORDS[lang]
    lines = [f"# {book.name}", ""]
    if note:
        lines += [note, ""]
    if book.description:
        lines += [book.description.strip(), ""]
    numbers: dict[str, str] = {}
    counters: dict[str | None, int] = {}
    for depth, node in book.walk():
        counters[node.parent] = counters.get(node.parent, 0) + 1
        prefix = f"{numbers[node.parent]}." if node.parent is not None else ""
        numbers[node.id] = f"{prefix}{counters[node.parent]}"
        lines += [f"{'#' * min(depth + 2, 6)} {numbers[node.id]} {node.name} (`{node.id}`)", ""]
        for key in ("definition", "inclusion", "exclusion"):
            text = getattr(node, key).strip()
            if text:
                lines += [f"**{words[key]}:** {text}", ""]
        if not node.codable:
            lines += [f"*{words['folder']}*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def when(at: datetime) -> str:
    """A version's time as the history shows it (and ``--as-of`` reads it): UTC to the minute."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


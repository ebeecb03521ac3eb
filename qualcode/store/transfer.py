"""A project's contents moved whole between two stores: a file and a server, either way.

Everything is carried as it is, row by row: transcripts, codebook, units with their ids, memos,
the undo journal (so undo goes on after the move), names decisions, reconciliation, suggestion
decisions, the analysis cache, REFI-QDA GUIDs, the codebook's history and the audit trail with
its hash chain (verifiable on the other side), and the high-water mark of every id that is never
used twice. :func:`fill` writes one open transaction of the target; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .base import unjournaled
from .connection import SharedConnection

# Parents before children (foreign keys are checked at once on a server).
TABLES: tuple[str, ...] = (
    "meta", "groups", "transcripts", "speakers", "turns", "codes", "coders", "actions", "changes",
    "analysis_cache", "deid_terms", "reconciliation", "codings", "memos", "annotations", "refi_guids",
    "suggestion_decisions", "audit_log", "codebook_versions",
)
# Tables whose order of insertion the store reads (SQLite's rowid); the rest by their key.
_ROWID_ORDER = {"codes", "annotations", "analysis_cache"}
_KEYS = {"meta": "key", "groups": "name", "transcripts": "seq", "speakers": "transcript_id, label",
         "turns": "transcript_id, idx", "coders": "id", "refi_guids": "kind, key"}
# Ids never used twice on a file (AUTOINCREMENT): their high-water mark travels with them.
HIGH_WATER = ("codings", "memos", "audit_log", "codebook_versions")


def columns(conn: SharedConnection, table: str) -> list[str]:
    """The table's columns as the store knows them (a server's ``rowid`` helper left out)."""
    description = conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description or []
    return [c[0] for c in description if c[0] != "rowid"]


def rows(conn: SharedConnection, table: str, names: Sequence[str]) -> list[Any]:
    """Every row of ``table`` in the order the store reads them."""
    quoted = ", ".join(f'"{c}"' for c in names)
    if table in _ROWID_ORDER:
        order = "rowid"
    else:
        order = _KEYS.get(table, "id")
    found = conn.execute(f'SELECT {quoted} FROM "{table}" ORDER BY {order}').fetchall()
    if table == "codes":  # a code after its parent, siblings kept in order
        depth: dict[str, int] = {}
        parent = {r[names.index("id")]: r[names.index("parent_id")] for r in found}

        def level(code: str) -> int:
            if code not in depth:
                up = parent.get(code)
                depth[code] = 0 if up is None else level(up) + 1
            return depth[code]

        found = sorted(found, key=lambda r: level(r[names.index("id")]))
    return [tuple(r) for r in found]


def high_water(conn: SharedConnection) -> dict[str, int]:
    """The highest id each table in :data:`HIGH_WATER` has ever given."""
    marks: dict[str, int] = {}
    for table in HIGH_WATER:
        top = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        if conn.dialect == "sqlite":
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        else:
            seq = conn.execute(f"SELECT last_value FROM {table}_id_seq WHERE is_called").fetchone()
        marks[table] = max(int(top), int(seq[0]) if seq and seq[0] is not None else 0)
    return marks


def set_high_water(conn: SharedConnection, marks: dict[str, int]) -> None:
    for table, mark in marks.items():
        if conn.dialect == "sqlite":
            if conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (mark, table)).rowcount == 0:
                conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, mark))
        elif mark > 0:
            conn.execute(f"SELECT setval('{table}_id_seq', ?)", (mark,))
    if conn.dialect != "sqlite":  # every other identity follows its table's highest id
        for table in ("actions", "changes", "deid_terms", "reconciliation", "suggestion_decisions"):
            conn.execute(f"SELECT setval('{table}_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


def insert_rows(conn: SharedConnection, table: str, names: Sequence[str], data: Iterable[Sequence[Any]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in names)
    conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(names))})', data)


def fill(target: SharedConnection, source: SharedConnection, *, skip: Iterable[str] = ()) -> dict[str, int]:
    """Copy every table of ``source`` into ``target`` (inside the target's open transaction, its
    tables of :data:`TABLES` empty or emptied by the caller), the journal not recording; how
    many rows each table got."""
    counts: dict[str, int] = {}
    skipped = set(skip)
    with unjournaled(target):
        for table in TABLES:
            if table in skipped:
                continue
            names = columns(source, table)
            theirs = set(columns(target, table))
            if set(names) != theirs:  # both are at this qualcode's schema
                raise RuntimeError(f"bug: {table} differs between the two stores: {sorted(set(names) ^ theirs)}")
            data = rows(source, table, names)
            insert_rows(target, table, names, data)
            counts[table] = len(data)
        set_high_water(target, {t: m for t, m in high_water(source).items() if t not in skipped})
    return counts


def empty(target: SharedConnection, *, keep: Iterable[str] = ()) -> None:
    """Delete every row of :data:`TABLES` (children first), inside the caller's transaction."""
    kept = set(keep)
    with unjournaled(target):
        for table in reversed(TABLES):
            if table not in kept:
                target.execute(f'DELETE FROM "{table}"')

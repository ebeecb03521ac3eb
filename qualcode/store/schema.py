"""Tables, migrations and the undo journal of a project file.

The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes a file from version
``i`` to ``i + 1``. A file newer than this qualcode is refused rather than guessed at.

Undo is kept by SQLite itself: triggers on the journaled tables (codes, codings, memos) write the
before and after image of every changed row, as JSON, into ``changes`` under the newest row of
``actions``. Every user action opens an ``actions`` row first, in the same transaction as its
changes, so an action and its journal are committed together or not at all, and undo survives a
restart.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import SharedConnection

APPLICATION_ID = 0x51434F44  # "QCOD": marks a SQLite file as a qualcode project

# Tables whose rows undo/redo restore, with their columns (primary key first), as of version 1.
# Migrations that add columns re-create the triggers; JOURNALED is always the current list.
_JOURNALED_V1: dict[str, tuple[str, ...]] = {
    "codes": (
        "id", "name", "parent_id", "position", "definition", "inclusion", "exclusion",
        "examples", "keywords", "colour",
    ),
    "codings": (
        "id", "transcript_id", "start", "end", "code_id", "coder", "condensed", "memo",
        "created_at", "updated_at",
    ),
    "memos": ("id", "target_type", "target_id", "author", "text", "created_at", "updated_at"),
}
_DEID_TERMS_V3 = ("id", "term", "kind", "hide", "replacement", "source", "created_at")
_CODINGS_V2 = (*_JOURNALED_V1["codings"], "starred")
JOURNALED: dict[str, tuple[str, ...]] = {
    **_JOURNALED_V1,
    "codings": (*_CODINGS_V2, "origin"),  # v2, v10
    "codes": (*_JOURNALED_V1["codes"], "codable"),  # v9
    "memos": (*_JOURNALED_V1["memos"], "start", "end"),  # v9
    "deid_terms": (*_DEID_TERMS_V3, "variant_of"),  # v3, v4
    "reconciliation": (  # v5
        "id", "transcript_id", "start", "end", "coders", "action", "accepted_from", "source_ids",
        "result_ids", "note", "decided_by", "decided_at",
    ),
}

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE groups (
    name       TEXT PRIMARY KEY,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE transcripts (
    id            TEXT PRIMARY KEY,
    seq           INTEGER NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    group_name    TEXT REFERENCES groups(name) ON UPDATE CASCADE,
    source_path   TEXT,
    source_format TEXT NOT NULL,
    encoding      TEXT,
    checksum      TEXT NOT NULL,
    text          TEXT NOT NULL,
    words         INTEGER NOT NULL,
    imported_at   TEXT NOT NULL
);
CREATE TABLE speakers (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    role          TEXT,
    attributes    TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (transcript_id, label)
) WITHOUT ROWID;
CREATE TABLE turns (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    speaker       TEXT,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    time_start    REAL,
    time_end      REAL,
    PRIMARY KEY (transcript_id, idx),
    FOREIGN KEY (transcript_id, speaker) REFERENCES speakers(transcript_id, label) ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE TABLE codes (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    parent_id  TEXT REFERENCES codes(id),
    position   INTEGER NOT NULL DEFAULT 0,
    definition TEXT NOT NULL DEFAULT '',
    inclusion  TEXT NOT NULL DEFAULT '',
    exclusion  TEXT NOT NULL DEFAULT '',
    examples   TEXT NOT NULL DEFAULT '[]',
    keywords   TEXT NOT NULL DEFAULT '[]',
    colour     TEXT
);
CREATE TABLE coders (
    id         TEXT PRIMARY KEY,
    name       TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE codings (
    id            INTEGER PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    code_id       TEXT NOT NULL REFERENCES codes(id),
    coder         TEXT NOT NULL,
    condensed     TEXT NOT NULL DEFAULT '',
    memo          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX codings_by_transcript ON codings(transcript_id, start);
CREATE INDEX codings_by_code ON codings(code_id);
CREATE TABLE memos (
    id          INTEGER PRIMARY KEY,
    target_type TEXT NOT NULL CHECK (target_type IN ('project', 'transcript', 'code', 'coding')),
    target_id   TEXT,
    author      TEXT,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    label      TEXT NOT NULL,
    coder      TEXT,
    created_at TEXT NOT NULL,
    undone     INTEGER NOT NULL DEFAULT 0   -- 0: done; n > 0: undone, n orders the redo stack
);
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    tbl       TEXT NOT NULL,
    old       TEXT,
    new       TEXT
);
CREATE INDEX changes_by_action ON changes(action_id);
CREATE TABLE journal_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    recording INTEGER NOT NULL
);
INSERT INTO journal_state VALUES (1, 1);
"""


def journal_triggers(table: str, columns: tuple[str, ...]) -> str:
    """Triggers that record each row change of ``table`` under the current action."""

    def image(prefix: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {prefix}.\"{c}\"" for c in columns) + ")"

    guard = "WHEN (SELECT recording FROM journal_state WHERE id = 1) = 1"
    current = "(SELECT max(id) FROM actions)"
    return f"""
CREATE TRIGGER journal_{table}_insert AFTER INSERT ON {table} {guard}
BEGIN INSERT INTO changes (action_id, tbl, old, new) VALUES ({current}, '{table}', NULL, {image('NEW')}); END;
CREATE TRIGGER journal_{table}_update AFTER UPDATE ON {table} {guard}
BEGIN INSERT INTO changes (action_id, tbl, old, new) VALUES ({current}, '{table}', {image('OLD')}, {image('NEW')}); END;
CREATE TRIGGER journal_{table}_delete AFTER DELETE ON {table} {guard}
BEGIN INSERT INTO changes (action_id, tbl, old, new) VALUES ({current}, '{table}', {image('OLD')}, NULL); END;
"""


def _v1() -> str:
    return _V1 + "".join(journal_triggers(table, columns) for table, columns in _JOURNALED_V1.items())


def _v2() -> str:
    """Starred units (candidate quotes) and the cache of NLP analyses."""
    return """
ALTER TABLE codings ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER journal_codings_insert;
DROP TRIGGER journal_codings_update;
DROP TRIGGER journal_codings_delete;
CREATE TABLE analysis_cache (
    checksum      TEXT NOT NULL,   -- of the transcript text analysed
    model         TEXT NOT NULL,   -- pipeline name, e.g. nb_core_news_sm
    model_version TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    data          BLOB NOT NULL,
    PRIMARY KEY (checksum, model, model_version)
);
""" + journal_triggers("codings", _CODINGS_V2)


def _v3() -> str:
    """De-identification decisions: terms to hide everywhere (or reviewed and kept)."""
    return """
CREATE TABLE deid_terms (
    id          INTEGER PRIMARY KEY,
    term        TEXT NOT NULL COLLATE NOCASE,
    kind        TEXT NOT NULL,              -- NorNE type: PER, LOC, GPE_LOC, ORG, GPE_ORG, ...
    hide        INTEGER NOT NULL,           -- 1: replace everywhere; 0: reviewed, not a name to hide
    replacement TEXT,                       -- a chosen pseudonym; NULL: a numbered tag
    source      TEXT NOT NULL DEFAULT 'user',
    created_at  TEXT NOT NULL,
    UNIQUE (term)
);
""" + journal_triggers("deid_terms", _DEID_TERMS_V3)


def _v4() -> str:
    """Spelling variants of hidden names share the name's tag (``Karri`` hidden as ``Kari``)."""
    return """
ALTER TABLE deid_terms ADD COLUMN variant_of TEXT;   -- NULL, or the term whose tag it shares
DROP TRIGGER journal_deid_terms_insert;
DROP TRIGGER journal_deid_terms_update;
DROP TRIGGER journal_deid_terms_delete;
""" + journal_triggers("deid_terms", JOURNALED["deid_terms"])


def _v5() -> str:
    """Reconciliation of two coders: one row per settled unit, with its provenance."""
    return """
CREATE TABLE reconciliation (
    id            INTEGER PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,    -- the unit as the two coders' codings made it
    end           INTEGER NOT NULL,
    coders        TEXT NOT NULL,       -- 'AB,CD'
    action        TEXT NOT NULL CHECK (action IN ('accept', 'both', 'drop', 'adjust', 'agreed')),
    accepted_from TEXT,                -- the coder whose codings were accepted
    source_ids    TEXT NOT NULL,       -- JSON: the coders' codings in the unit
    result_ids    TEXT NOT NULL,       -- JSON: the consensus codings the decision made
    note          TEXT NOT NULL DEFAULT '',
    decided_by    TEXT,
    decided_at    TEXT NOT NULL,
    UNIQUE (coders, transcript_id, start, end)
);
""" + journal_triggers("reconciliation", JOURNALED["reconciliation"])


def _v6() -> str:
    """Unit and memo ids are never used twice (AUTOINCREMENT), even after a delete: a memo, a
    reconciliation or an export that names unit 12 never comes to mean another unit. The tables
    are rebuilt, and the counter starts above every id the file has ever used, undo history
    included."""
    codings_columns = ", ".join(_CODINGS_V2)  # as of v6 (v10 adds origin)
    memos_columns = ", ".join(_JOURNALED_V1["memos"])  # as of v6 (v9 adds start and end)
    ever = lambda table: (  # noqa: E731 - the highest id a table's rows and journal ever held
        f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
        f" coalesce((SELECT max(coalesce(json_extract(old, '$.id'), json_extract(new, '$.id')))"
        f" FROM changes WHERE tbl = '{table}'), 0))"
    )
    return f"""
CREATE TABLE codings_v6 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    code_id       TEXT NOT NULL REFERENCES codes(id),
    coder         TEXT NOT NULL,
    condensed     TEXT NOT NULL DEFAULT '',
    memo          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    starred       INTEGER NOT NULL DEFAULT 0,
    CHECK (start >= 0 AND end > start)
);
INSERT INTO codings_v6 ({codings_columns}) SELECT {codings_columns} FROM codings;
DROP TABLE codings;
ALTER TABLE codings_v6 RENAME TO codings;
CREATE INDEX codings_by_transcript ON codings(transcript_id, start);
CREATE INDEX codings_by_code ON codings(code_id);
CREATE TABLE memos_v6 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    target_type TEXT NOT NULL CHECK (target_type IN ('project', 'transcript', 'code', 'coding')),
    target_id   TEXT,
    author      TEXT,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
INSERT INTO memos_v6 ({memos_columns}) SELECT {memos_columns} FROM memos;
DROP TABLE memos;
ALTER TABLE memos_v6 RENAME TO memos;
DELETE FROM sqlite_sequence WHERE name IN ('codings', 'memos');
INSERT INTO sqlite_sequence (name, seq) VALUES ('codings', ({ever('codings')}));
INSERT INTO sqlite_sequence (name, seq) VALUES ('memos', ({ever('memos')}));
""" + journal_triggers("codings", _CODINGS_V2) + journal_triggers("memos", _JOURNALED_V1["memos"])


def _v7() -> str:
    """Every action clears its coder's redo stack (``DELETE ... WHERE undone > 0``): without an
    index that scanned the whole journal, so coding slowed as the journal grew (4.8x at 50,000
    actions). The redo stack is small; a partial index holds just it."""
    return "CREATE INDEX actions_redo ON actions(coder, undone) WHERE undone > 0;"


def _v8() -> str:
    """Annotations of a transcript's text: pauses, overlaps, sounds and time marks that
    transcribers write (``(..)``, ``//``, ``[latter]``, ``#00:01:02-3#``). They stay in the text
    as the transcriber wrote it; these spans say which characters are not words, so that NLP and
    quotes leave them out. Moved with the text when it is edited, like turns and units."""
    return """
CREATE TABLE annotations (
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('pause', 'overlap', 'sound', 'time')),
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX annotations_by_transcript ON annotations(transcript_id, start);
"""


def _v9() -> str:
    """What REFI-QDA files carry and qualcode had no place for: codes that are only folders
    (``isCodable="false"``, QualCoder's categories), memos on a span of a transcript (other tools'
    annotations), and the GUIDs another tool gave sources, codes and users, so that a project
    coming back is the same objects to that tool."""
    return """
ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1;
ALTER TABLE memos ADD COLUMN start INTEGER;
ALTER TABLE memos ADD COLUMN end INTEGER;
DROP TRIGGER journal_codes_insert;
DROP TRIGGER journal_codes_update;
DROP TRIGGER journal_codes_delete;
DROP TRIGGER journal_memos_insert;
DROP TRIGGER journal_memos_update;
DROP TRIGGER journal_memos_delete;
CREATE TABLE refi_guids (
    kind TEXT NOT NULL CHECK (kind IN ('source', 'code', 'user')),
    key  TEXT NOT NULL,   -- a transcript id, a code id or a coder
    guid TEXT NOT NULL,   -- lowercase
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
""" + journal_triggers("codes", JOURNALED["codes"]) + journal_triggers("memos", JOURNALED["memos"])


def _v10() -> str:
    """Disclosure of NLP assistance: where each unit came from (``manual``, ``suggestion``: a
    suggested code accepted, ``autocode``, ``import``) and each suggestion a coder was shown
    for a span and took or passed over, so a methods section can say how much assistance was
    used, and the suggester can learn from what a coder rejected."""
    return """
ALTER TABLE codings ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'
    CHECK (origin IN ('manual', 'suggestion', 'autocode', 'import'));
DROP TRIGGER journal_codings_insert;
DROP TRIGGER journal_codings_update;
DROP TRIGGER journal_codings_delete;
CREATE TABLE suggestion_decisions (
    id            INTEGER PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    code_id       TEXT NOT NULL,
    coder         TEXT NOT NULL,
    rank          INTEGER NOT NULL,          -- 1: the first suggestion shown
    score         REAL NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    created_at    TEXT NOT NULL
);
CREATE INDEX suggestion_decisions_by_coder ON suggestion_decisions(coder, decision);
""" + journal_triggers("codings", JOURNALED["codings"])


def _v11() -> str:
    """The audit trail: an append-only log of every change, import, redaction and export, with
    who and when, each entry holding the hash of the one before (see :mod:`.audit`). Triggers
    refuse to change or delete an entry; an entry changed behind qualcode's back (the sqlite3
    shell) breaks the chain, and ``qualcode audit --verify`` says where."""
    return """
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,            -- UTC, ISO 8601
    who       TEXT,                     -- the coder, or NULL
    kind      TEXT NOT NULL,            -- action, undo, redo, import, redact, export, names, reconcile, ...
    summary   TEXT NOT NULL,            -- one line a person reads
    detail    TEXT NOT NULL DEFAULT '{}',  -- JSON: what changed (ids, checksums)
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""


def _v12() -> str:
    """Codebook history: the whole codebook as it was after each change to it, and what the
    change did (see :mod:`.codebook_history`)."""
    return """
CREATE TABLE codebook_versions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    who       TEXT,
    label     TEXT NOT NULL,           -- the change: 'rename code hap', 'merge code a into b', ...
    codebook  TEXT NOT NULL,           -- JSON: the codebook after the change (name, description, codes)
    moved     TEXT NOT NULL DEFAULT '{}'  -- JSON: units the change moved, by code
);
"""


# MIGRATIONS[i] is the SQL script that takes a file from version i to i + 1.
MIGRATIONS: list[str] = [_v1(), _v2(), _v3(), _v4(), _v5(), _v6(), _v7(), _v8(), _v9(), _v10(), _v11(), _v12()]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection | SharedConnection, current: int) -> None:
    """Bring a file from version ``current`` to :data:`SCHEMA_VERSION`, one transaction per step.

    ``executescript`` would commit on its own, so each script is split into statements and run
    inside an explicit BEGIN/COMMIT that also sets ``user_version``.
    """
    for version in range(current, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT may have rolled back already
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements

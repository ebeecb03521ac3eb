"""The statements of the store that SQLite says differently from PostgreSQL, by name: the
file's side of :mod:`.pg.sql` (the same names; :func:`.dialect.sql_for` picks the module for a
connection). Every other statement of the store is the same on both."""

from __future__ import annotations

_AUDIT_COLUMNS = "id, at, who, kind, summary, detail, prev_hash, hash"

# audit.append: the last entry and the highest id the trail ever had (AUTOINCREMENT's sqlite_sequence).
AUDIT_LAST = ("SELECT (SELECT max(id) FROM audit_log), (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),"
              " (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log')")
AUDIT_HIGH_WATER = "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"
AUDIT_TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
AUDIT_ACTION_ENTRY = (
    "SELECT id, summary FROM audit_log WHERE kind NOT IN ('undo', 'redo')"
    " AND json_extract(detail, '$.action.id') = ? AND json_extract(detail, '$.action.at') = ?"
    " ORDER BY id DESC LIMIT 1")
AUDIT_UNIT = (
    f"SELECT {_AUDIT_COLUMNS} FROM audit_log a WHERE"
    " EXISTS (SELECT 1 FROM json_each(a.detail, '$.rows') r"
    "   WHERE json_extract(r.value, '$.table') = 'codings' AND json_extract(r.value, '$.id') = :u)"
    " OR EXISTS (SELECT 1 FROM json_each(a.detail, '$.units') b"
    "   WHERE json_extract(b.value, '$[0]') <= :u AND :u <= json_extract(b.value, '$[1]'))"
    " ORDER BY id")
AUDIT_TEXT = (f"SELECT {_AUDIT_COLUMNS} FROM audit_log a WHERE EXISTS"
              " (SELECT 1 FROM json_each(a.detail, '$.transcripts') t WHERE t.key = ?) ORDER BY id")

# transcripts.apply_text_edits: the journal's actions that hold images of a transcript's codings.
STALE_ACTIONS = (
    "DELETE FROM actions WHERE id IN (SELECT action_id FROM changes WHERE"
    " (tbl = 'codings' AND json_extract(coalesce(new, old), '$.transcript_id') = ?)"
    " OR (tbl = 'transcript' AND json_extract(coalesce(new, old), '$.id') = ?))")

# nlp.vocabulary: a group's unit offsets, both columns in one order.
JOINED_OFFSETS = "group_concat(start), group_concat(end)"

"""The statements of the store that PostgreSQL says differently from SQLite, by name: the
server's side of :mod:`..sqlite_sql` (the same names; :func:`..dialect.sql_for` picks the module
for a connection). Every other statement is the same on both (see :func:`.connection.translate`).
No driver is imported here."""

from __future__ import annotations

_AUDIT_COLUMNS = "id, at, who, kind, summary, detail, prev_hash, hash"

# audit.append: the last entry and the highest id the trail ever had (the identity's high water,
# kept by the audit_log_high_water trigger, as sqlite_sequence keeps it on a file).
AUDIT_LAST = "SELECT top, last_hash, high_water FROM qc_audit_last()"  # also for a blind coder
AUDIT_HIGH_WATER = "SELECT last_value FROM audit_log_id_seq WHERE is_called"
AUDIT_TRIGGERS = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = to_regclass('audit_log')")
AUDIT_ACTION_ENTRY = (
    "SELECT id, summary FROM audit_log WHERE kind NOT IN ('undo', 'redo')"
    " AND (detail::jsonb #>> '{action,id}') = ?::text AND (detail::jsonb #>> '{action,at}') = ?::text"
    " ORDER BY id DESC LIMIT 1")
AUDIT_UNIT = (
    f"SELECT {_AUDIT_COLUMNS} FROM audit_log a WHERE"
    " EXISTS (SELECT 1 FROM qc_json_each(a.detail::jsonb -> 'rows') r"
    "   WHERE jsonb_typeof(r) = 'object' AND r ->> 'table' = 'codings' AND r ->> 'id' = :u::text)"
    " OR EXISTS (SELECT 1 FROM qc_json_each(a.detail::jsonb -> 'units') b"
    "   WHERE jsonb_typeof(b) = 'array' AND (b ->> 0)::bigint <= :u AND :u <= (b ->> 1)::bigint)"
    " ORDER BY id")
AUDIT_TEXT = (f"SELECT {_AUDIT_COLUMNS} FROM audit_log a"
              " WHERE jsonb_exists(coalesce(a.detail::jsonb -> 'transcripts', '{}'), ?) ORDER BY id")

# transcripts.apply_text_edits: the journal's actions that hold images of a transcript's codings.
STALE_ACTIONS = (
    "DELETE FROM actions WHERE id IN (SELECT action_id FROM changes WHERE"
    " (tbl = 'codings' AND coalesce(new, old)::jsonb ->> 'transcript_id' = ?)"
    " OR (tbl = 'transcript' AND coalesce(new, old)::jsonb ->> 'id' = ?))")

# nlp.vocabulary: a group's unit offsets as SQLite's group_concat gives them, both in one order.
JOINED_OFFSETS = "string_agg(start::text, ',' ORDER BY id), string_agg(\"end\"::text, ',' ORDER BY id)"

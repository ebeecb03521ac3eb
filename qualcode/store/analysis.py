"""The NLP analysis cache (table ``analysis_cache``): bytes keyed by text checksum and model.

An analysis (sentences, tokens, lemmas, POS, entities) is made once per transcript text and
model and kept in the project file, so reopening a project never runs the pipeline again. The
key is the SHA-256 of the stored text (``transcripts.checksum``) with the model's name and
version: an edited or redacted text has a new checksum and gets a new analysis; an upgraded
model gets its own entry. What the bytes mean is :mod:`qualcode.nlp.analysis`'s business; this
module stays free of spaCy.

Cache rows are not user decisions: they are not journaled and undo does not touch them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .project import Project


@dataclass(frozen=True, slots=True)
class CacheEntry:
    checksum: str
    model: str
    model_version: str
    created_at: str
    size: int


def load(project: Project, checksum: str, model: str, model_version: str) -> bytes | None:
    row = project.conn.execute(
        "SELECT data FROM analysis_cache WHERE checksum = ? AND model = ? AND model_version = ?",
        (checksum, model, model_version),
    ).fetchone()
    return bytes(row[0]) if row else None


def save(project: Project, checksum: str, model: str, model_version: str, data: bytes) -> None:
    """Store (or replace) one analysis, in its own transaction (not for a role that may only
    read a server project: the analysis is made again next time)."""
    if not project.may_write("analysis_cache"):
        return
    with project.transaction() as conn:
        conn.execute(
            "INSERT INTO analysis_cache (checksum, model, model_version, created_at, data) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (checksum, model, model_version) DO UPDATE SET created_at = excluded.created_at,"
            " data = excluded.data",
            (checksum, model, model_version, datetime.now(UTC).isoformat(timespec="seconds"), data),
        )


def entries(project: Project, checksum: str | None = None) -> list[CacheEntry]:
    """Cached analyses (of one text, or all), newest first."""
    rows = project.conn.execute(
        "SELECT checksum, model, model_version, created_at, length(data) FROM analysis_cache"
        " WHERE (? IS NULL OR checksum = ?) ORDER BY created_at DESC, rowid DESC",
        (checksum, checksum),
    ).fetchall()
    return [CacheEntry(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def forget(project: Project, checksums: list[str]) -> int:
    """Drop every cached analysis of these texts (after a redaction: the cache holds the words)."""
    if not checksums:
        return 0
    with project.transaction() as conn:
        marks = ",".join("?" * len(checksums))
        return conn.execute(f"DELETE FROM analysis_cache WHERE checksum IN ({marks})", checksums).rowcount


def forget_stale(project: Project) -> int:
    """Drop analyses of texts no transcript has any more (deleted or redacted transcripts)."""
    with project.transaction() as conn:
        return conn.execute(
            "DELETE FROM analysis_cache WHERE checksum NOT IN (SELECT checksum FROM transcripts)"
        ).rowcount

"""A project at a glance, as a plain dataclass: ``qualcode info`` answers without loading pydantic."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """A project at a glance: what it is and how much is in it."""

    name: str
    path: str
    created_at: datetime
    schema_version: int
    codebook: str | None = None
    transcripts: int = 0
    words: int = 0
    groups: int = 0
    codes: int = 0
    codings: int = 0
    coders: list[str] = field(default_factory=list)
    memos: int = 0

    def as_json(self) -> dict[str, Any]:
        """As ``qualcode info --json`` has always printed it (times as pydantic writes them)."""
        stamp = self.created_at.isoformat()
        return asdict(self) | {"created_at": stamp[:-6] + "Z" if stamp.endswith("+00:00") else stamp}

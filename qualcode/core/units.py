"""A meaning unit as readers see it, and the filter that chooses units.

A :class:`~qualcode.core.models.Coding` is what the store keeps (offsets, code, coder); a
:class:`MeaningUnit` is a coding with what a reader needs beside it: the transcript's title and
focus group, the speaker turn, role and time, the coded text and the code's path. The store builds
them in one pass per transcript (:meth:`qualcode.store.Project.units`); screens, the CLI and the
exports read attributes, never dictionary keys. Frozen and slotted: cheap to make by the tens of
thousands, and safe to hand between threads.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any


class UnitPlace:
    """Where a unit stands, derived from its fields ``transcript``, ``start``, ``end`` and
    ``code_path``: shared by :class:`MeaningUnit` and the exports' de-identified unit."""

    __slots__ = ()
    transcript: str
    start: int
    end: int
    code_path: tuple[str, ...]

    @property
    def theme(self) -> str:
        """The name of the top-level theme the code belongs to."""
        return self.code_path[0]

    @property
    def subtheme(self) -> str:
        """The name of the code one level under the theme, or "" for a unit coded with a theme."""
        return self.code_path[1] if len(self.code_path) > 1 else ""

    @property
    def span(self) -> tuple[str, int, int]:
        """Where the unit is: two coders' units on one passage share it."""
        return (self.transcript, self.start, self.end)


@dataclass(frozen=True, slots=True)
class MeaningUnit(UnitPlace):
    id: int
    transcript: str
    title: str
    group: str | None
    turn: int | None  # the speaker turn's index in its transcript
    speaker: str | None
    role: str | None
    timestamp: str | None  # the turn's start as hh:mm:ss, when the transcript has times
    start: int
    end: int
    text: str
    code: str
    code_name: str
    code_path: tuple[str, ...]  # names from the theme down to the code
    coder: str
    condensed: str
    memo: str
    starred: bool
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        """The unit as ``qualcode units --json`` prints it (keys in the order scripts have always
        seen them, the theme included)."""
        return {
            "id": self.id, "transcript": self.transcript, "title": self.title, "group": self.group,
            "turn": self.turn, "speaker": self.speaker, "role": self.role, "timestamp": self.timestamp,
            "start": self.start, "end": self.end, "text": self.text, "code": self.code,
            "code_name": self.code_name, "code_path": list(self.code_path), "theme": self.code_path[0],
            "coder": self.coder, "condensed": self.condensed, "memo": self.memo, "starred": self.starred,
            "created_at": self.created_at, "updated_at": self.updated_at,
        }

    def replace(self, **changes: Any) -> MeaningUnit:
        """A copy with some fields changed (a redacted copy for an export, say)."""
        return replace(self, **changes)


UNIT_FIELDS = tuple(f.name for f in fields(MeaningUnit))


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Which meaning units to read. Every field left ``None``/``False`` means "any".

    ``code`` with ``include_subcodes`` takes the code's whole subtree (a theme and its subthemes);
    ``role`` compares case-insensitively (Unicode-aware: ``Pårørende`` is ``pårørende``).
    """

    transcript: str | None = None
    coder: str | None = None
    code: str | None = None
    include_subcodes: bool = False
    role: str | None = None
    starred: bool = False

    def matches_role(self, role: str | None) -> bool:
        return self.role is None or (role or "").casefold() == self.role.casefold()


@dataclass(frozen=True, slots=True)
class NewUnit:
    """A unit to store in bulk (an import): :meth:`qualcode.store.Project.insert_units`. Times
    the other tool recorded are kept; ``None`` is the time of the import."""

    transcript: str
    start: int
    end: int
    code: str
    coder: str
    condensed: str = ""
    memo: str = ""
    starred: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

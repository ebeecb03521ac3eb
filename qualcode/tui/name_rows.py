"""The rows of the names-to-hide review: every occurrence of a name the finder proposes, grouped
by name, with where it stands and what was decided about it (see
:mod:`qualcode.tui.screens.names`). Plain data, no widgets."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.deid import KIND_WORDS, Term, find_redactions
from ..store import Project

if TYPE_CHECKING:
    from ..nlp.names import Finding

KINDS = {
    "PER": "person",
    "LOC": "place",
    "GPE_LOC": "town, county or country",
    "ORG": "institution or organisation",
    "GPE_ORG": "a place as an institution (the municipality, the county)",
    "PROD": "product",
    "EVT": "event",
    "MISC": "other",
}
assert set(KINDS) == set(KIND_WORDS), "every kind the store knows is offered"

CONTEXT = 28   # characters each side of the example
WINDOW = 80    # characters each side kept to check whether a hidden name covers a finding
# Kinds decided together by t / T: a place is LOC or GPE_LOC, an institution ORG or GPE_ORG.
FAMILIES = {"PER": "person", "LOC": "place", "GPE_LOC": "place", "ORG": "institution", "GPE_ORG": "institution"}


def family(kind: str) -> str:
    return FAMILIES.get(kind, kind)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True, slots=True)
class Place:
    """One occurrence of a name: where, and enough text around it to show and to re-check."""

    transcript: str
    start: int
    end: int
    surface: str
    left: str
    right: str
    window: str          # text[window_start:...]: to see whether a hidden name covers it
    window_start: int

    def covered(self, hidden: list[Term]) -> bool:
        s, e = self.start - self.window_start, self.end - self.window_start
        return any(r.start <= s and e <= r.end for r in find_redactions(self.window, hidden))


@dataclass(slots=True)
class NameRow:
    """Every occurrence of one name (by its term, case-insensitively)."""

    term: str
    kind: str
    sources: tuple[str, ...]
    places: list[Place] = field(default_factory=list)
    suggested_variant: str | None = None   # the finder thinks it is a spelling of this name
    added: bool = False                    # added on this screen, not found by the finder

    @property
    def key(self) -> str:
        return self.term.casefold()

    @property
    def source(self) -> str:
        """The main source, as the store records it with a decision."""
        return self.sources[0] if self.sources else "user"

    def surfaces(self) -> set[str]:
        return {p.surface.casefold() for p in self.places}


def place_of(text: str, tid: str, start: int, end: int, turns: Sequence[tuple[int, int]] = ()) -> Place:
    """An occurrence with its context inside its speaker's turn (``turns``: sorted spans), cut at
    whole words."""
    k = bisect_right(turns, (start, len(text) + 1)) - 1
    lo, hi = turns[k] if 0 <= k < len(turns) and start < turns[k][1] else (0, len(text))
    left = text[max(lo, start - CONTEXT):start]
    cut = left.find(" ")
    if start - CONTEXT > lo and 0 <= cut < len(left) - 1:  # cut inside the turn: from a whole word
        left = "…" + left[cut + 1:]
    right = text[end:min(hi, end + CONTEXT)]
    cut = right.rfind(" ")
    if end + CONTEXT < hi and cut > 0:
        right = right[:cut] + "…"
    window = max(0, start - WINDOW)
    return Place(tid, start, end, text[start:end], _flat(left), _flat(right), text[window:end + WINDOW], window)


def turn_spans(project: Project, tid: str) -> list[tuple[int, int]]:
    return sorted((t.start, t.end) for t in project.turns(tid))


def group_findings(findings: list[Finding], texts: dict[str, str],
                   turns: dict[str, list[tuple[int, int]]] | None = None) -> list[NameRow]:
    """One row per term, in the order of review: names waiting for a decision first, then by name.
    ``turns``: each transcript's turn spans, so an example never runs into another speaker."""
    rows: dict[str, NameRow] = {}
    pending: dict[str, bool] = {}
    turns = turns or {}
    for f in findings:
        row = rows.get(f.term.casefold())
        if row is None:
            row = rows[f.term.casefold()] = NameRow(f.term, f.kind, ())
        row.sources = tuple(dict.fromkeys([*row.sources, *(f.sources or (f.source,))]))
        row.places.append(place_of(texts[f.transcript], f.transcript, f.start, f.end, turns.get(f.transcript, [])))
        row.suggested_variant = row.suggested_variant or f.variant_of
        pending[row.key] = pending.get(row.key, False) or f.decision == "pending"
    return sorted(rows.values(), key=lambda r: (not pending[r.key], r.term.casefold()))


def decision_of(row: NameRow, decided: dict[str, Term], hidden: list[Term]) -> tuple[str, Term | None]:
    """``hide``, ``keep`` or ``pending``, and the stored decision it comes from (None when a
    hidden name covers it, as the genitive *Karis* is covered by *Kari*)."""
    term = decided.get(row.key) or next((decided[s] for s in row.surfaces() if s in decided), None)
    if term is not None:
        return ("hide" if term.hide else "keep"), term
    if hidden and any(p.covered(hidden) for p in row.places):
        return "hide", None
    return "pending", None


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, f"{kind:<8} {what} → [{KIND_WORDS[kind]} n]") for kind, what in KINDS.items()]

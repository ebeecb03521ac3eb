"""What a report holds: the rows of figures (:class:`Figures`), κ per pair of coders, the
character segments where coders differ, and :class:`AgreementReport` with its JSON shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .alignment import AlignedUnit
from .definitions import DEFINITIONS


@dataclass(slots=True)
class PairKappa:
    """κ and the 2×2 counts (characters) for one pair of coders."""

    coders: tuple[str, str]
    kappa: float | None
    characters: int
    both: int
    only_first: int
    only_second: int
    neither: int

    @property
    def percent(self) -> float | None:
        return 100.0 * (self.both + self.neither) / self.characters if self.characters else None


@dataclass(slots=True)
class Segment:
    """A stretch of one participant turn where the coders differ on one code (behind κ)."""

    transcript: str
    start: int
    end: int
    code: str
    role: str
    coded_by: tuple[str, ...]
    not_by: tuple[str, ...]


@dataclass(slots=True)
class Figures:
    """One row of the report: a code (``None``: all codes) over a scope.

    ``scope`` is ``"all"``, ``"transcript"`` or ``"role"``; ``scope_value`` the transcript id or
    role. ``disagreements`` index :attr:`AgreementReport.units`, ``segments``
    :attr:`AgreementReport.segments`: the disagreements behind α and % units, and behind κ and %
    characters.
    """

    scope: str
    scope_value: str | None
    code: str | None
    units: int = 0
    units_agreed: int = 0
    alpha: float | None = None
    alpha_low: float | None = None
    alpha_high: float | None = None
    characters: int = 0
    characters_agreed: int = 0
    kappa: float | None = None
    kappa_pairs: list[PairKappa] = field(default_factory=list)
    kappa_mean: float | None = None  # overall rows: the plain mean of the per-code κ
    u_alpha: float | None = None
    coded_units: int = 0  # per code: units where at least one coder used it
    disagreements: list[int] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)

    @property
    def percent_units(self) -> float | None:
        return 100.0 * self.units_agreed / self.units if self.units else None

    @property
    def percent_characters(self) -> float | None:
        return 100.0 * self.characters_agreed / self.characters if self.characters else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope, "scope_value": self.scope_value, "code": self.code,
            "units": self.units, "units_agreed": self.units_agreed, "coded_units": self.coded_units,
            "percent_units": self.percent_units,
            "alpha": self.alpha, "alpha_ci": [self.alpha_low, self.alpha_high] if self.alpha_low is not None else None,
            "characters": self.characters, "characters_agreed": self.characters_agreed,
            "percent_characters": self.percent_characters, "kappa": self.kappa, "kappa_mean": self.kappa_mean,
            "kappa_pairs": [
                {"coders": list(p.coders), "kappa": p.kappa, "percent": p.percent, "characters": p.characters,
                 "both": p.both, "only_first": p.only_first, "only_second": p.only_second, "neither": p.neither}
                for p in self.kappa_pairs
            ],
            "u_alpha": self.u_alpha, "disagreements": self.disagreements, "segments": self.segments,
        }


@dataclass(slots=True)
class AgreementReport:
    """Everything :func:`agreement_report` measured, with the disagreements behind it."""

    coders: list[str]
    transcripts: list[str]
    codes: list[str]  # the codes in the table, in table order
    themes: list[str]  # the theme rows (codes rolled up to their theme), empty if none
    roles: list[str]
    units: list[AlignedUnit]
    unit_roles: list[tuple[str, ...]]
    segments: list[Segment]
    rows: list[Figures]
    theme_rows: list[Figures]
    theme_segments: list[Segment]  # behind the theme rows' κ
    bootstrap: int
    seed: int | None

    def row(self, code: str | None = None, scope: str = "all", value: str | None = None) -> Figures:
        for r in self.rows:
            if r.code == code and r.scope == scope and r.scope_value == value:
                return r
        raise KeyError((code, scope, value))

    @property
    def overall(self) -> Figures:
        return self.row()

    def per_code(self) -> list[Figures]:
        return [r for r in self.rows if r.scope == "all" and r.code is not None]

    def per_transcript(self, code: str | None = None) -> list[Figures]:
        return [r for r in self.rows if r.scope == "transcript" and r.code == code]

    def per_role(self, code: str | None = None) -> list[Figures]:
        return [r for r in self.rows if r.scope == "role" and r.code == code]

    def disagreement_units(self) -> list[AlignedUnit]:
        return [self.units[i] for i in self.overall.disagreements]

    def as_dict(self) -> dict[str, Any]:
        return {
            "coders": self.coders, "transcripts": self.transcripts, "codes": self.codes, "themes": self.themes,
            "roles": self.roles, "bootstrap": self.bootstrap, "seed": self.seed,
            "definitions": dict(DEFINITIONS),
            "overall": self.overall.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
            "theme_rows": [r.as_dict() for r in self.theme_rows],
            "units": [unit_dict(u, i, self.unit_roles[i]) for i, u in enumerate(self.units)],
            "segments": [segment_dict(s, i) for i, s in enumerate(self.segments)],
            "theme_segments": [segment_dict(s, i) for i, s in enumerate(self.theme_segments)],
        }


def segment_dict(s: Segment, index: int) -> dict[str, Any]:
    return {"index": index, "transcript": s.transcript, "start": s.start, "end": s.end, "code": s.code,
            "role": s.role, "coded_by": list(s.coded_by), "not_by": list(s.not_by)}


def unit_dict(unit: AlignedUnit, index: int, roles: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "index": index, "transcript": unit.transcript, "start": unit.start, "end": unit.end,
        "agreed": unit.agreed, "roles": list(roles),
        "codes": {coder: sorted(unit.codes(coder)) for coder in unit.by_coder},
        "codings": {coder: [{"id": c.id, "start": c.start, "end": c.end, "code": c.code} for c in cs]
                    for coder, cs in unit.by_coder.items()},
    }

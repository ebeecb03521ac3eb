"""What every export reads from a project: the chosen meaning units, de-identified, read once.

The units, summary and quotes exports all start from :class:`ExportData`: the project's units
chosen by a :class:`Selection` (coder, theme, role, star; the store filters them while it reads,
in one pass), each an :class:`ExportUnit` with its transcript, focus group and the group's
attributes, the speaker and role, and the code path, with every free text de-identified unless
the user turned that off.

De-identification is the store's one :class:`~qualcode.store.deid.Redactor`: the project's
decisions **and the names the finder proposed that nobody has reviewed yet** (private by
default; the CLI runs the finder first when its results are missing or stale). Each transcript is
redacted once, whole, and a unit's text is cut from the redacted transcript through the offset
map, so a name cut by a unit's edge is hidden whole. Titles, group names and attributes, speaker
labels, condensed meanings, memos, the codebook's texts, the project's name (in headers,
document properties and default file names) are redacted as well: a speaker label from Teams is
often a real name, and a memo can mention one.

Which coder's units: an export may prefer the consensus layer (coder ``consensus``, made by
reconciling) when there is one and no coder was chosen (summaries, quotes, the chart); without
one, an export over several coders says that their units are counted together.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.codebook import Codebook
from ..core.errors import UserError
from ..core.models import CodeNode, Turn
from ..core.units import UnitFilter, UnitPlace
from ..store.deid import Redactor
from ..store.pg.url import ServerAddress, working_folder
from ..store.project import Project
from .labels import Labels, check_language, project_language

CONSENSUS = "consensus"  # store.reconcile.CONSENSUS, not imported here: that module loads numpy

__all__ = ["ExportData", "ExportUnit", "Redactor", "Selection"]  # Redactor: the one redactor, from the store

EXPORTS_FOLDER = "exports"

IDENTIFIABLE_WARNING = (
    "NOT DE-IDENTIFIED: this export was made with --no-deid and contains names and other details "
    "the project hides. Keep it where your data-protection rules allow; do not share it."
)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which meaning units an export takes. ``theme`` includes its subthemes."""

    coder: str | None = None
    theme: str | None = None
    role: str | None = None
    starred: bool = False

    def describe(self, labels: Labels | None = None) -> str:
        """``coder AB, theme hap``: in English for the terminal, else in ``labels``' language."""
        t = labels or Labels("en")
        parts = [t.text("coder x", x=self.coder) if self.coder else t["all coders"]]
        if self.theme:
            parts.append(t.text("theme x", x=self.theme))
        if self.role:
            parts.append(t.text("role x", x=self.role))
        if self.starred:
            parts.append(t["starred only"])
        return ", ".join(parts)

    def unit_filter(self) -> UnitFilter:
        """The store's filter for these units (every condition applied while reading)."""
        return UnitFilter(coder=self.coder, code=self.theme, include_subcodes=self.theme is not None,
                          role=self.role, starred=self.starred)


@dataclass(frozen=True, slots=True)
class ExportUnit(UnitPlace):
    """A meaning unit as an export shows it: every free text de-identified (title, group, speaker,
    condensed meaning, memo, the code path's names, the text cut from the redacted transcript),
    with its focus group's attributes beside it (de-identified too)."""

    id: int
    transcript: str
    title: str
    group: str  # "" when the transcript has no focus group
    group_attributes: Mapping[str, str]
    turn: int | None
    speaker: str  # "" when the unit lies outside every speaker turn
    role: str | None
    timestamp: str | None
    start: int
    end: int
    text: str
    condensed: str
    code: str
    code_path: tuple[str, ...]  # names from the theme down to the code
    coder: str
    memo: str
    starred: bool

    @property
    def code_name(self) -> str:
        return self.code_path[-1]

    def as_dict(self) -> dict[str, Any]:
        """The unit as the JSON export writes it (keys in the order it always had)."""
        return {
            "id": self.id, "transcript": self.transcript, "title": self.title, "group": self.group,
            "group_attributes": dict(self.group_attributes), "turn": self.turn, "speaker": self.speaker,
            "role": self.role, "timestamp": self.timestamp, "start": self.start, "end": self.end,
            "text": self.text, "condensed": self.condensed, "theme": self.theme, "subtheme": self.subtheme,
            "code": self.code, "code_name": self.code_name, "code_path": list(self.code_path),
            "coder": self.coder, "memo": self.memo, "starred": self.starred,
        }

    def replace(self, **changes: Any) -> ExportUnit:
        return replace(self, **changes)


def check_selection(project: Project, selection: Selection) -> None:
    """A clear :class:`UserError` for a coder, theme or role the project does not have (before
    any work is done)."""
    if selection.coder is not None and selection.coder not in project.coders():
        known = ", ".join(project.coders()) or "nobody has coded yet"
        raise UserError(f"no units by coder {selection.coder!r} (coders: {known})")
    if selection.theme is not None:
        project.code(selection.theme)  # a clear error for an unknown code
    if selection.role is not None:
        roles = _roles(project)
        if selection.role.casefold() not in {r.casefold() for r in roles}:
            raise UserError(f"no speaker has the role {selection.role!r} (roles: {', '.join(roles) or 'none set'})")


def _roles(project: Project) -> list[str]:
    return sorted({s.role for t in project.transcripts() for s in t.speakers if s.role})


def has_consensus(project: Project) -> bool:
    """Whether reconciling has made a consensus layer (units by the coder ``consensus``)."""
    return project.conn.execute("SELECT 1 FROM codings WHERE coder = ? LIMIT 1", (CONSENSUS,)).fetchone() is not None


class ExportData:
    """The units an export shows, with what a reader needs beside them, de-identified."""

    def __init__(self, project: Project, selection: Selection = Selection(), *, deidentify: bool = True,
                 prefer_consensus: bool = False, redactor: Redactor | None = None, keep_marks: bool = False,
                 lang: str | None = None):
        self.project = project
        self.labels = Labels(check_language(lang) if lang else project_language(project))
        self.keep_marks = keep_marks  # quotes: keep a transcriber's pause, overlap and sound marks
        self._marks: dict[str, list[tuple[int, int]]] = {}
        self.consensus_default = prefer_consensus and selection.coder is None and has_consensus(project)
        if self.consensus_default:
            selection = Selection(CONSENSUS, selection.theme, selection.role, selection.starred)
        self.selection = selection
        self.deidentified = deidentify
        self.redactor = redactor or Redactor(project, deidentify)
        self.codebook: Codebook = project.codebook()
        self.exported_at = datetime.now(UTC).replace(microsecond=0)
        self.transcripts = {t.id: t for t in project.transcripts()}
        self.group_attributes = {g.name: g.attributes for g in project.groups()}
        check_selection(project, selection)
        self._turns: dict[str, _Turns] = {}
        self.units: list[ExportUnit] = self._collect()

    # --- reading ------------------------------------------------------------------------------

    def roles_in_project(self) -> list[str]:
        return _roles(self.project)

    def _collect(self) -> list[ExportUnit]:
        """The chosen units, read in one pass (the store filters them), each free text redacted
        once per distinct value."""
        r = self.redactor
        text = r.text
        paths: dict[str, tuple[str, ...]] = {}
        attributes: dict[str | None, Mapping[str, str]] = {}
        spans: dict[str, Callable[[int, int], str]] = {}
        out = []
        for u in self.project.iter_units(self.selection.unit_filter()):
            path = paths.get(u.code)
            if path is None:
                path = paths[u.code] = tuple(text(n.name) for n in self.codebook.path(u.code))
            group = u.group
            shown = attributes.get(group)
            if shown is None:
                given = self.group_attributes.get(group, {}) if group is not None else {}
                shown = attributes[group] = MappingProxyType({k: text(v) for k, v in given.items()})
            span = spans.get(u.transcript)
            if span is None:
                span = spans[u.transcript] = _span_cutter(r, u.transcript)
            out.append(ExportUnit(
                id=u.id, transcript=u.transcript, title=text(u.title), group=text(group),
                group_attributes=shown, turn=u.turn, speaker=text(u.speaker), role=u.role,
                timestamp=u.timestamp, start=u.start, end=u.end, text=span(u.start, u.end),
                condensed=text(u.condensed), code=u.code, code_path=path, coder=u.coder,
                memo=text(u.memo), starred=u.starred,
            ))
        return out

    def turns(self, tid: str) -> list[Turn]:
        return self._turns_of(tid).turns

    def marks(self, tid: str) -> list[tuple[int, int]]:
        """Where a transcriber's marks (pauses, overlaps, sounds, times) stand in the transcript."""
        if tid not in self._marks:
            self._marks[tid] = [(s, e) for s, e, _kind in self.project.annotations(tid)]
        return self._marks[tid]

    def turns_over(self, tid: str, start: int, end: int) -> list[Turn]:
        """The transcript's turns that overlap ``[start, end)`` (empty turns left out), in order."""
        return self._turns_of(tid).over(start, end)

    def _turns_of(self, tid: str) -> _Turns:
        found = self._turns.get(tid)
        if found is None:
            found = self._turns[tid] = _Turns(self.project.turns(tid))
        return found

    def code(self, code_id: str) -> CodeNode:
        """A codebook node with its texts de-identified."""
        node = self.codebook.by_id()[code_id]
        r = self.redactor
        return node.model_copy(update={
            "name": r.text(node.name), "definition": r.text(node.definition),
            "inclusion": r.text(node.inclusion), "exclusion": r.text(node.exclusion),
            "examples": [r.text(e) for e in node.examples],
        })

    # --- describing the export ------------------------------------------------------------------

    @property
    def project_name(self) -> str:
        return self.redactor.name(self.project.name)

    def attribute_keys(self) -> list[str]:
        """Focus-group attribute names in order of first appearance, for table columns."""
        keys: dict[str, None] = {}
        for attributes in self.group_attributes.values():
            for key in attributes:
                keys.setdefault(key, None)
        return list(keys)

    @property
    def lang(self) -> str:
        return self.labels.lang

    @property
    def warning(self) -> str:
        """The loud line an export made with ``--no-deid`` carries, in the export's language."""
        return self.labels["identifiable"]

    def header_lines(self) -> list[str]:
        """What every document says about itself: source, selection, time, de-identification
        (the last line is :attr:`warning` when the export is not de-identified)."""
        t = self.labels
        lines = [
            f"{t['project']}: {self.project_name}",
            f"{t['units']}: {len(self.units)} ({self.selection.describe(t)})",
        ]
        note = self.coders_note(t)
        if note:
            lines.append(note)
        lines.append(t.text("exported", when=f"{self.exported_at:%Y-%m-%d %H:%M}"))
        r = self.redactor
        lines.append(t.deidentified(self.deidentified, r.reviewed_count, r.unreviewed_count) if self.deidentified
                     else self.warning)
        return lines

    def coders(self) -> list[str]:
        """The coders whose units the export holds, in order of first appearance."""
        return list(dict.fromkeys(u.coder for u in self.units))

    def coders_note(self, labels: Labels | None = None) -> str | None:
        """What the counts mean when it is not obvious: the consensus chosen by default, or the
        units of several coders counted together (in English for the terminal, else in ``labels``')."""
        t = labels or Labels("en")
        if self.consensus_default:
            return t.text("consensus note", c=CONSENSUS)
        coders = self.coders()
        if self.selection.coder is None and len(coders) > 1:
            return t.text("coders together", n=len(coders), names=", ".join(coders), c=CONSENSUS)
        return None


def _span_cutter(redactor: Redactor, tid: str) -> Callable[[int, int], str]:
    """``redactor.span`` for one transcript, its redacted text and offset map looked up once."""
    text, mapping = redactor.transcript(tid)
    if not redactor.enabled:
        return lambda start, end: text[start:end]
    to_start, to_end = mapping.start, mapping.end
    return lambda start, end: text[to_start(start):to_end(end)]


class _Turns:
    """A transcript's turns, with the ones over a span found by bisection when they are in order."""

    def __init__(self, turns: list[Turn]):
        self.turns = turns
        self.starts = [t.start for t in turns]
        self.ends = [t.end for t in turns]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:])) and \
            all(a <= b for a, b in zip(self.ends, self.ends[1:]))

    def over(self, start: int, end: int) -> list[Turn]:
        if self.ordered:  # those ending after start come last in the list, those starting before end first
            candidates = self.turns[bisect_right(self.ends, start):bisect_left(self.starts, end)]
        else:
            candidates = self.turns
        return [t for t in candidates if t.start < end and start < t.end and t.end > t.start]


XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (a stray control character from a Word
    file would make python-docx, openpyxl and lxml refuse the whole export)."""
    return XML_ILLEGAL.sub("", text)


# --- how units are cited -------------------------------------------------------------------------


def attribution(unit: ExportUnit, labels: Labels | None = None) -> str:
    """``(pasient, fokusgruppe 2)``: role and group, never the speaker's name or label."""
    parts = [unit.role or (labels or Labels())["participant"]]
    if unit.group:
        parts.append(_lower_first(unit.group))
    return "(" + ", ".join(parts) + ")"


def source_reference(unit: ExportUnit, labels: Labels | None = None) -> str:
    """Where a quote comes from, so the authors can check it against the transcript:
    ``T1 «title», turn 2 (P1), 00:01:02, characters 51–83, unit 5 coded hap by AB``."""
    t = labels or Labels("en")
    parts = [f"{unit.transcript} «{unit.title}»"]
    if unit.turn is not None:
        parts.append(f"{t['turn']} {unit.turn}" + (f" ({unit.speaker})" if unit.speaker else ""))
    if unit.timestamp:
        parts.append(unit.timestamp)
    parts.append(f"{t['characters']} {unit.start}–{unit.end}")
    parts.append(t.text("unit coded", id=unit.id, code=unit.code, coder=unit.coder))
    return ", ".join(parts)


def unit_reference(unit: ExportUnit, labels: Labels | None = None) -> str:
    """The short form of :func:`source_reference` for a table cell: ``T1, turn 2, unit 5``."""
    t = labels or Labels("en")
    parts = [unit.transcript]
    if unit.turn is not None:
        parts.append(f"{t['turn']} {unit.turn}")
    parts.append(t.text("unit ref", id=unit.id))
    return ", ".join(parts)


def _lower_first(name: str) -> str:
    """``Fokusgruppe 2`` reads ``fokusgruppe 2`` inside a sentence; ``FG2`` stays as it is."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


# --- where exports go ----------------------------------------------------------------------------


FORMATS = {
    "units": ("csv", "xlsx", "json"),
    "summary": ("md", "docx", "html"),
    "quotes": ("docx", "md"),
    "chart": ("png", "svg"),
    "qdpx": ("qdpx",),
    "qdc": ("qdc",),
    "framework": ("xlsx", "docx"),
}
DEFAULT_FORMAT = {"units": "xlsx", "summary": "docx", "quotes": "docx", "chart": "png", "qdpx": "qdpx", "qdc": "qdc",
                  "framework": "xlsx"}


def default_name(project_path: Path | ServerAddress, kind: str, fmt: str, *, selection: Selection = Selection(),
                 identifiable: bool = False, redact=None) -> str:
    """``<project>-<kind>[-<coder>][-<theme>][-<role>][-starred][-IDENTIFIABLE].<fmt>``; ``redact``
    (a :meth:`Redactor.text`) hides a name in the project file's name (``lysheim.qualcode``)."""
    stem = _file_part(redact(project_path.stem)) if redact else project_path.stem  # Redactor.name
    parts = [stem] + ([] if kind == "qdpx" else ["codebook" if kind == "qdc" else kind])
    for value in (selection.coder, selection.theme, selection.role):
        if value:
            parts.append(_file_part(value))
    if selection.starred:
        parts.append("starred")
    if identifiable:
        parts.append("IDENTIFIABLE")
    return f"{'-'.join(parts)}.{fmt}"


def default_output(project_path: Path | ServerAddress, kind: str, fmt: str, *, selection: Selection = Selection(),
                   identifiable: bool = False, redact=None) -> Path:
    """:func:`default_name` in ``exports/`` in the project's folder (made if missing), so research
    data stays beside the project it came from."""
    folder = working_folder(project_path) / EXPORTS_FOLDER
    folder.mkdir(exist_ok=True)
    return folder / default_name(project_path, kind, fmt, selection=selection, identifiable=identifiable,
                                 redact=redact)


def _file_part(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"[^\w.-]+", "_", value).strip("_") or "x"

"""What every export reads from a project: the chosen meaning units, de-identified, read once.

The units, summary and quotes exports all start from :class:`ExportData`: the project's units
filtered by coder, theme, role and star, each with its transcript, focus group and the group's
attributes, the speaker and role, and the code path, with every free text de-identified unless
the user turned that off.

De-identification follows the project's decisions (:mod:`qualcode.store.deid`): each transcript
is redacted once, whole, with :func:`qualcode.core.edits.apply_edits`, and a unit's text is cut
from the redacted transcript through the offset map, so a name cut by a unit's edge is hidden
whole (exactly what :func:`qualcode.store.deid.deidentify` does for one unit, without redacting
the transcript again for each of 5,000 units). Titles, group names and attributes, speaker
labels, condensed meanings, memos and the codebook's texts are redacted as well: a speaker label
from Teams is often a real name, and a memo can mention one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.codebook import Codebook
from ..core.deid import find_redactions
from ..core.edits import OffsetMap, apply_edits
from ..core.errors import UserError
from ..core.models import CodeNode, Turn
from ..store import deid
from ..store.project import Project

EXPORTS_FOLDER = "exports"

IDENTIFIABLE_WARNING = (
    "NOT DE-IDENTIFIED: this export was made with --no-deid and contains names and other details "
    "the project hides. Keep it where your data-protection rules allow; do not share it."
)


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Which meaning units an export takes. ``theme`` includes its subthemes."""

    coder: str | None = None
    theme: str | None = None
    role: str | None = None
    starred: bool = False

    def describe(self) -> str:
        parts = [f"coder {self.coder}" if self.coder else "all coders"]
        if self.theme:
            parts.append(f"theme {self.theme}")
        if self.role:
            parts.append(f"role {self.role}")
        if self.starred:
            parts.append("starred units only")
        return ", ".join(parts)


class Redactor:
    """The project's hidden terms applied to transcripts and to any other text of an export."""

    def __init__(self, project: Project, enabled: bool = True):
        self.project = project
        self.enabled = enabled
        self._all_terms = deid.terms(project) if enabled else []  # as redactions() reads them
        self.terms = [t for t in self._all_terms if t.hide]
        self._transcripts: dict[str, tuple[str, OffsetMap]] = {}
        self._free: dict[str, str] = {}
        self._words = {w.casefold() for t in self.terms for w in re.findall(r"\w+", t.term)}

    def transcript(self, tid: str) -> tuple[str, OffsetMap]:
        """A transcript's text as exports show it, and the map from stored offsets into it."""
        if tid not in self._transcripts:
            text = self.project.text(tid)
            edits = deid.redactions(self.project, tid) if self.enabled else []
            self._transcripts[tid] = apply_edits(text, edits)
        return self._transcripts[tid]

    def span(self, tid: str, start: int, end: int) -> str:
        """``text[start:end]`` with hidden terms replaced; a term cut by an edge is hidden whole."""
        text, mapping = self.transcript(tid)
        return text[mapping.start(start):mapping.end(end)]

    def text(self, value: str | None) -> str:
        """Any other text (a title, a memo, a speaker label) with hidden terms replaced."""
        if not value:
            return value or ""
        if not self.terms:
            return value
        if value not in self._free:
            self._free[value] = apply_edits(value, find_redactions(value, self._all_terms))[0]
        return self._free[value]

    def allows_word(self, word: str) -> bool:
        """False for a word that is (part of) a hidden term: distinctive-word lists leave it out."""
        return not any(w.casefold() in self._words for w in re.findall(r"\w+", word))


class ExportData:
    """The units an export shows, with what a reader needs beside them, de-identified."""

    def __init__(self, project: Project, selection: UnitFilter = UnitFilter(), *, deidentify: bool = True):
        self.project = project
        self.selection = selection
        self.deidentified = deidentify
        self.redactor = Redactor(project, deidentify)
        self.codebook: Codebook = project.codebook()
        self.exported_at = datetime.now(timezone.utc).replace(microsecond=0)
        self.transcripts = {t.id: t for t in project.transcripts()}
        self.group_attributes = {g.name: g.attributes for g in project.groups()}
        self._check(selection)
        self._turns: dict[str, list[Turn]] = {}
        self.units = self._collect()

    # --- reading ------------------------------------------------------------------------------

    def _check(self, selection: UnitFilter) -> None:
        if selection.coder is not None and selection.coder not in self.project.coders():
            known = ", ".join(self.project.coders()) or "nobody has coded yet"
            raise UserError(f"no units by coder {selection.coder!r} (coders: {known})")
        if selection.theme is not None:
            self.project.code(selection.theme)  # a clear error for an unknown code
        if selection.role is not None:
            roles = self.roles_in_project()
            if selection.role.casefold() not in {r.casefold() for r in roles}:
                raise UserError(f"no speaker has the role {selection.role!r} (roles: {', '.join(roles) or 'none set'})")

    def roles_in_project(self) -> list[str]:
        return sorted({s.role for t in self.transcripts.values() for s in t.speakers if s.role})

    def _collect(self) -> list[dict[str, Any]]:
        s = self.selection
        raw = self.project.units(coder=s.coder, code=s.theme, include_subcodes=s.theme is not None)
        if s.role is not None:
            raw = [u for u in raw if (u["role"] or "").casefold() == s.role.casefold()]
        if s.starred:
            raw = [u for u in raw if u["starred"]]
        r = self.redactor
        book = self.codebook
        out = []
        for u in raw:
            path = book.path(u["code"])
            group = u["group"]
            out.append({
                "id": u["id"],
                "transcript": u["transcript"],
                "title": r.text(u["title"]),
                "group": r.text(group),
                "group_attributes": {k: r.text(v) for k, v in self.group_attributes.get(group, {}).items()},
                "turn": u["turn"],
                "speaker": r.text(u["speaker"]),
                "role": u["role"],
                "timestamp": u["timestamp"],
                "start": u["start"],
                "end": u["end"],
                "text": r.span(u["transcript"], u["start"], u["end"]),
                "condensed": r.text(u["condensed"]),
                "theme": r.text(path[0].name),
                "subtheme": r.text(path[1].name) if len(path) > 1 else "",
                "code": u["code"],
                "code_name": r.text(path[-1].name),
                "code_path": [r.text(n.name) for n in path],
                "coder": u["coder"],
                "memo": r.text(u["memo"]),
                "starred": u["starred"],
            })
        return out

    def turns(self, tid: str) -> list[Turn]:
        if tid not in self._turns:
            self._turns[tid] = self.project.turns(tid)
        return self._turns[tid]

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
        return self.redactor.text(self.project.name)

    def attribute_keys(self) -> list[str]:
        """Focus-group attribute names in order of first appearance, for table columns."""
        keys: dict[str, None] = {}
        for attributes in self.group_attributes.values():
            for key in attributes:
                keys.setdefault(key, None)
        return list(keys)

    def header_lines(self) -> list[str]:
        """What every document says about itself: source, selection, time, de-identification."""
        lines = [
            f"Project: {self.project_name}",
            f"Units: {len(self.units)} ({self.selection.describe()})",
            f"Exported: {self.exported_at:%Y-%m-%d %H:%M} UTC by qualcode",
        ]
        if self.deidentified:
            n = len(self.redactor.terms)
            lines.append(f"De-identified: {n} name(s) on the project's list hidden" if n else
                         "De-identified: the project's list of names to hide is empty")
        else:
            lines.append(IDENTIFIABLE_WARNING)
        return lines


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (a stray control character from a Word
    file would make python-docx, openpyxl and lxml refuse the whole export)."""
    return _XML_ILLEGAL.sub("", text)


# --- how units are cited -------------------------------------------------------------------------


def attribution(unit: dict[str, Any]) -> str:
    """``(pasient, fokusgruppe 2)``: role and group, never the speaker's name or label."""
    parts = [unit["role"] or "deltaker"]
    if unit["group"]:
        parts.append(_lower_first(unit["group"]))
    return "(" + ", ".join(parts) + ")"


def source_reference(unit: dict[str, Any]) -> str:
    """Where a quote comes from, so the authors can check it against the transcript."""
    parts = [f"{unit['transcript']} «{unit['title']}»"]
    if unit["turn"] is not None:
        parts.append(f"turn {unit['turn']}" + (f" ({unit['speaker']})" if unit["speaker"] else ""))
    if unit["timestamp"]:
        parts.append(unit["timestamp"])
    parts.append(f"characters {unit['start']}–{unit['end']}")
    parts.append(f"unit {unit['id']} coded {unit['code']} by {unit['coder']}")
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
}
DEFAULT_FORMAT = {"units": "xlsx", "summary": "docx", "quotes": "docx", "chart": "png", "qdpx": "qdpx", "qdc": "qdc"}


def default_name(project_path: Path, kind: str, fmt: str, *, selection: UnitFilter = UnitFilter(),
                 identifiable: bool = False) -> str:
    """``<project>-<kind>[-<coder>][-<theme>][-<role>][-starred][-IDENTIFIABLE].<fmt>``."""
    parts = [project_path.stem] + ([] if kind == "qdpx" else ["codebook" if kind == "qdc" else kind])
    for value in (selection.coder, selection.theme, selection.role):
        if value:
            parts.append(_file_part(value))
    if selection.starred:
        parts.append("starred")
    if identifiable:
        parts.append("IDENTIFIABLE")
    return f"{'-'.join(parts)}.{fmt}"


def default_output(project_path: Path, kind: str, fmt: str, *, selection: UnitFilter = UnitFilter(),
                   identifiable: bool = False) -> Path:
    """:func:`default_name` in ``exports/`` in the project's folder (made if missing), so research
    data stays beside the project it came from."""
    folder = project_path.parent / EXPORTS_FOLDER
    folder.mkdir(exist_ok=True)
    return folder / default_name(project_path, kind, fmt, selection=selection, identifiable=identifiable)


def _file_part(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"[^\w.-]+", "_", value).strip("_") or "x"

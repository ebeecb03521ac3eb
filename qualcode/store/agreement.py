"""Agreement between coders of a project: what to compare, read from the project file.

Read-only. Builds the :class:`~qualcode.core.agreement.Coded` list, the turns with their roles
and the codebook order for :func:`~qualcode.core.agreement.agreement_report`, and adds what a
reader of the report needs beside the figures: code names, transcript titles, and the text of
every disagreement, de-identified by the store's one :class:`~qualcode.store.deid.Redactor` (the
project's decisions and the names nobody reviewed yet, as every export is).

Which transcripts are compared: those named, or else every transcript that each of the coders
has coded at least once. A transcript one coder has not started would count as total
disagreement, so it is left out, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..core.agreement import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    AgreementReport,
    Coded,
    agreement_report,
)
from ..core.errors import UserError
from . import deid
from .project import Project


@dataclass(slots=True)
class ProjectAgreement:
    """An :class:`AgreementReport` with the names and texts a reader needs beside it."""

    project: str
    report: AgreementReport
    code_names: dict[str, str]
    titles: dict[str, str]  # transcript id → title
    left_out: dict[str, list[str]]  # transcript id → the coders who have not coded it
    unit_texts: list[str]  # de-identified text of each unit's extent
    segment_texts: list[str]
    theme_segment_texts: list[str]
    focus: list[str] | None = None  # with --code: the code and its subcodes, in codebook order
    deidentified: bool = True
    hidden_terms: int = 0       # names a person decided to hide
    hidden_unreviewed: int = 0  # names the finder proposed, hidden without review
    deid_line: str = ""         # what the report says about de-identification
    file_stem: str = ""         # the project file's name, de-identified, for default file names
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def name(self, code: str) -> str:
        return self.code_names.get(code, code)

    def shows(self, code: str) -> bool:
        """Whether a code's rows and disagreements belong in what is shown (``--code``)."""
        return self.focus is None or code in self.focus

    def shown_units(self) -> list[int]:
        """Indices of the disagreeing units to list: all, or those involving a focused code."""
        report = self.report
        out = []
        for i in report.overall.disagreements:
            unit = report.units[i]
            if self.focus is None or any(c.code in self.focus for cs in unit.by_coder.values() for c in cs):
                out.append(i)
        return out

    def as_dict(self) -> dict:
        data = self.report.as_dict()
        for i, unit in enumerate(data["units"]):
            unit["text"] = self.unit_texts[i]
        for i, seg in enumerate(data["segments"]):
            seg["text"] = self.segment_texts[i]
        for i, seg in enumerate(data["theme_segments"]):
            seg["text"] = self.theme_segment_texts[i]
        return {
            "project": self.project, "made_at": self.made_at.isoformat(), "deidentified": self.deidentified,
            "code_names": self.code_names, "titles": self.titles,
            "left_out": [{"transcript": t, "not_coded_by": c} for t, c in self.left_out.items()],
            "focus": self.focus, **data,
        }


def parse_coders(spec: str | list[str]) -> list[str]:
    """``AB,CD`` (or a list of such) to coder ids; at least two, each once."""
    parts = spec if isinstance(spec, list) else [spec]
    coders = [c.strip() for part in parts for c in part.split(",") if c.strip()]
    if len(coders) < 2:
        raise UserError("agreement needs at least two coders: --coders AB,CD")
    seen = set()
    for coder in coders:
        if coder in seen:
            raise UserError(f"coder {coder!r} is named twice in --coders")
        seen.add(coder)
    return coders


def agreement(
    project: Project,
    coders: list[str],
    *,
    transcripts: list[str] | None = None,
    code: str | None = None,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    deidentify: bool = True,
    before_texts=None,
) -> ProjectAgreement:
    """Compare ``coders`` over the project (or ``transcripts``); ``code`` narrows what is shown.

    ``code`` does not change a figure: the units and the characters stay those of the whole
    comparison, and the code's rows (with its subcodes, and its theme row) are picked out.
    """
    known = project.coders()
    for coder in coders:
        if coder not in known:
            raise UserError(f"no units by coder {coder!r} (coders: {', '.join(known) or 'nobody has coded yet'})")
    if len(coders) < 2:
        raise UserError("agreement needs at least two coders: --coders AB,CD")
    if bootstrap < 0:
        raise UserError("--bootstrap must be 0 (no intervals) or more")
    book = project.codebook()
    focus = None
    if code is not None:
        node = project.code(code)
        wanted = {node.id} | {d.id for d in book.descendants(node.id)}
        focus = [n.id for _, n in book.walk() if n.id in wanted]

    all_transcripts = {t.id: t for t in project.transcripts()}
    marks = ",".join("?" * len(coders))
    coded_by: dict[str, set[str]] = {}
    for tid, coder in project.conn.execute(
        f"SELECT DISTINCT transcript_id, coder FROM codings WHERE coder IN ({marks})", coders
    ):
        coded_by.setdefault(tid, set()).add(coder)
    left_out: dict[str, list[str]] = {}
    if transcripts:
        chosen = []
        for t in transcripts:
            tid = project.transcript(t).id
            if tid not in chosen:
                chosen.append(tid)
        order = [tid for tid in all_transcripts if tid in chosen]
    else:
        order = []
        for tid in all_transcripts:
            missing = [c for c in coders if c not in coded_by.get(tid, set())]
            if not missing:
                order.append(tid)
            elif len(missing) < len(coders):
                left_out[tid] = missing
        if not order:
            raise UserError(
                f"no transcript has units by all of {', '.join(coders)}; code the same transcripts, or name one "
                "with --transcript to compare anyway (what one coder left out then counts as disagreement)"
            )

    rows = project.conn.execute(
        f"SELECT id, transcript_id, start, end, code_id, coder FROM codings WHERE coder IN ({marks})"
        " ORDER BY transcript_id, start, end, id",
        coders,
    ).fetchall()
    chosen_set = set(order)
    coded = [Coded(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows if r[1] in chosen_set]
    turns = {tid: project.turns(tid) for tid in order}
    nodes = book.by_id()
    themes = {}
    for c in {c.code for c in coded}:
        path = book.path(c) if c in nodes else []
        themes[c] = path[0].id if path else c
    report = agreement_report(
        coded, coders, turns, code_order=[n.id for _, n in book.walk()], themes=themes,
        bootstrap=bootstrap, seed=seed,
    )

    if before_texts is not None:  # everything is checked: the CLI may now find names to hide
        before_texts()
    texts = deid.Redactor(project, deidentify)
    return ProjectAgreement(
        project=texts.name(project.name),
        report=report,
        code_names={n.id: texts.text(n.name) for n in nodes.values()},
        titles={tid: texts.text(all_transcripts[tid].title) for tid in order + list(left_out)},
        left_out=left_out,
        unit_texts=[texts.span(u.transcript, u.start, u.end) for u in report.units],
        segment_texts=[texts.span(s.transcript, s.start, s.end) for s in report.segments],
        theme_segment_texts=[texts.span(s.transcript, s.start, s.end) for s in report.theme_segments],
        focus=focus,
        deidentified=deidentify,
        hidden_terms=texts.reviewed_count if deidentify else 0,
        hidden_unreviewed=texts.unreviewed_count if deidentify else 0,
        deid_line=texts.describe() if deidentify else "",
        file_stem=texts.name(project.path.stem),
    )

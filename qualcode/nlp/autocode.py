"""The deductive first pass: ``autocode`` codes each proposed unit with its best suggestion when the
codebook's keywords back it, under the coder ``auto`` only (see :func:`autocode`)."""

from __future__ import annotations

from ..store import Project
from .defaults import AUTO_CODER, AUTOCODE_MIN_SCORE
from .evidence import Suggestion
from .model import Pipeline, load_pipeline
from .suggest import Suggester


def autocode_takes(suggestion: Suggestion, min_score: float) -> bool:
    """Whether ``autocode`` codes a unit with its best suggestion: a score of at least
    ``min_score`` and evidence in the codebook's keywords (a deductive pass, explainable word by
    word)."""
    return suggestion.score >= min_score and any(e.kind in ("keyword", "variant") for e in suggestion.evidence)


def autocode(project: Project, tids: list[str] | None = None, *, min_score: float = AUTOCODE_MIN_SCORE,
             pipeline: Pipeline | None = None, progress=None) -> list:
    """Code each proposed unit with its best suggestion, under the coder ``auto`` only.

    A unit is coded when its best code scores at least ``min_score`` *and* has keyword evidence
    (the codebook's keywords: a deductive pass, explainable word by word); the evidence goes in
    the unit's note. Proposals that already overlap a unit of ``auto`` are skipped, so running it
    again adds only what is new. Human coders' units are never touched, and ``auto``'s units
    never count as evidence for suggestions. Each coding is one undoable action of ``auto``.
    Returns the codings made.
    """
    from .proposals import propose_units

    pipeline = pipeline or load_pipeline()
    ids = [t.id for t in project.transcripts()] if tids is None else [project.transcript(t).id for t in tids]
    suggester = Suggester(project, pipeline)
    made = []
    for n, tid in enumerate(ids, 1):
        existing = [(c.start, c.end) for c in project.codings(transcript=tid, coder=AUTO_CODER)]
        for proposal in propose_units(project, tid, pipeline=pipeline):
            if any(s < proposal.end and proposal.start < e for s, e in existing):
                continue
            found = suggester.suggest(tid, proposal.start, proposal.end, top=1)
            if not found:
                continue
            best = found[0]
            if not autocode_takes(best, min_score):
                continue
            words = [e for e in best.evidence if e.kind in ("keyword", "variant")]
            note = f"auto ({best.score:.2f}): " + "; ".join(e.describe() for e in words)
            made.append(project.add_coding(tid, proposal.start, proposal.end, best.code, AUTO_CODER, memo=note,
                                           origin="autocode"))
        if progress:
            progress(n, len(ids))
    return made

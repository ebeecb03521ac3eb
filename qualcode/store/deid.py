"""The project's de-identification decisions (table ``deid_terms``) and what they hide.

The NLP layer proposes terms (names found by NER, speakers' names); the user accepts (``hide``)
or rejects (keeps) them, or adds their own. Exports and redaction ask :func:`redactions` for the
replacements of one transcript, so every output hides the same things. No spaCy here.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..core.deid import KIND_WORDS, Term, find_redactions
from ..core.edits import TextEdit
from ..core.errors import UserError
from .project import Project


def add_term(project: Project, term: str, kind: str = "PER", *, hide: bool = True,
             replacement: str | None = None, source: str = "user", coder: str | None = None) -> Term:
    """Record a decision about ``term``; a later decision about the same term replaces it."""
    term = " ".join(term.split())
    if not term:
        raise UserError("the name to hide is empty")
    kind = kind.upper()
    if kind not in KIND_WORDS:
        raise UserError(f"unknown kind {kind!r}; use one of {', '.join(KIND_WORDS)}")
    verb = "hide" if hide else "keep"
    with project.action(f"{verb} name {term}", coder) as conn:
        conn.execute(
            "INSERT INTO deid_terms (term, kind, hide, replacement, source, created_at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (term) DO UPDATE SET kind = excluded.kind, hide = excluded.hide,"
            " replacement = excluded.replacement, source = excluded.source",
            (term, kind, int(hide), replacement, source, datetime.now(timezone.utc).isoformat()),
        )
    return Term(term, kind, hide, replacement)


def remove_term(project: Project, term: str, *, coder: str | None = None) -> None:
    with project.action(f"forget name {term}", coder) as conn:
        if conn.execute("DELETE FROM deid_terms WHERE term = ?", (" ".join(term.split()),)).rowcount == 0:
            raise UserError(f"{term!r} is not in the project's name list")


def terms(project: Project, *, hidden_only: bool = False) -> list[Term]:
    """Decisions in the order they were made (which fixes the numbering of tags)."""
    rows = project.conn.execute(
        "SELECT term, kind, hide, replacement FROM deid_terms"
        + (" WHERE hide = 1" if hidden_only else "") + " ORDER BY id"
    ).fetchall()
    return [Term(r["term"], r["kind"], bool(r["hide"]), r["replacement"]) for r in rows]


def redactions(project: Project, tid: str) -> list[TextEdit]:
    """The replacements that de-identify transcript ``tid``."""
    return find_redactions(project.text(tid), terms(project))


def deidentify(project: Project, tid: str, start: int, end: int) -> str:
    """``text[start:end]`` of a transcript as an export shows it: hidden terms replaced.

    A term cut by the span's edge is hidden too: the span is widened to whole replacements.
    """
    from ..core.edits import apply_edits

    text = project.text(tid)
    edits = redactions(project, tid)
    inside = [e for e in edits if e.start < end and start < e.end]
    if inside:
        start, end = min(start, inside[0].start), max(end, inside[-1].end)
    shifted = [TextEdit(e.start - start, e.end - start, e.replacement) for e in inside]
    return apply_edits(text[start:end], shifted)[0]

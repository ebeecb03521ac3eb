"""The project's de-identification decisions (table ``deid_terms``) and what they hide.

The NLP layer proposes terms (names found by NER, speakers' names); the user accepts (``hide``)
or rejects (keeps) them, or adds their own. Exports and redaction ask :func:`redactions` for the
replacements of one transcript, so every output hides the same things. No spaCy here.

Permanent redaction (:func:`plan_redaction`, :func:`redact`) rewrites the stored text through
:meth:`Project.edit_text`, so every turn and coding is remapped and nothing detaches; it also
renames speakers whose label holds a hidden name and drops the analysis cache of the old text
(the cache holds the words).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..core.deid import KIND_WORDS, Term, find_redactions
from ..core.edits import TextEdit, apply_edits
from ..core.errors import UserError
from .project import Project


def add_term(project: Project, term: str, kind: str = "PER", *, hide: bool = True,
             replacement: str | None = None, source: str = "user", coder: str | None = None,
             variant_of: str | None = None) -> Term:
    """Record a decision about ``term``; a later decision about the same term replaces it.

    ``variant_of`` names a hidden term this one is a spelling of (``Karri`` of ``Kari``): it is
    hidden with that term's tag, so one person keeps one pseudonym.
    """
    term = " ".join(term.split())
    if not term:
        raise UserError("the name to hide is empty")
    kind = kind.upper()
    if kind not in KIND_WORDS:
        raise UserError(f"unknown kind {kind!r}; use one of {', '.join(KIND_WORDS)}")
    if variant_of is not None:
        variant_of = " ".join(variant_of.split())
        base = next((t for t in terms(project) if t.term.casefold() == variant_of.casefold()), None)
        if base is None or not base.hide:
            raise UserError(f"{variant_of!r} is not a hidden name; hide it first, then its variants")
        if base.term.casefold() == term.casefold():
            raise UserError("a name cannot be a variant of itself")
        variant_of, kind = base.term, base.kind
        if not hide:
            raise UserError("a variant is hidden like its name; use --keep without --same-as")
    verb = "hide" if hide else "keep"
    with project.action(f"{verb} name {term}", coder) as conn:
        conn.execute(
            "INSERT INTO deid_terms (term, kind, hide, replacement, source, created_at, variant_of)"
            " VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT (term) DO UPDATE SET kind = excluded.kind, hide = excluded.hide,"
            " replacement = excluded.replacement, source = excluded.source, variant_of = excluded.variant_of",
            (term, kind, int(hide), replacement, source, datetime.now(timezone.utc).isoformat(), variant_of),
        )
    return Term(term, kind, hide, replacement, variant_of)


def remove_term(project: Project, term: str, *, coder: str | None = None) -> None:
    with project.action(f"forget name {term}", coder) as conn:
        if conn.execute("DELETE FROM deid_terms WHERE term = ?", (" ".join(term.split()),)).rowcount == 0:
            raise UserError(f"{term!r} is not in the project's name list")


def terms(project: Project, *, hidden_only: bool = False) -> list[Term]:
    """Decisions in the order they were made (which fixes the numbering of tags)."""
    rows = project.conn.execute(
        "SELECT term, kind, hide, replacement, variant_of FROM deid_terms"
        + (" WHERE hide = 1" if hidden_only else "") + " ORDER BY id"
    ).fetchall()
    return [Term(r["term"], r["kind"], bool(r["hide"]), r["replacement"], r["variant_of"]) for r in rows]


def sources(project: Project) -> dict[str, str]:
    """Where each decision came from (``user``, ``ner``, ``speaker``, ``list``), by casefolded term."""
    return {r[0].casefold(): r[1] for r in project.conn.execute("SELECT term, source FROM deid_terms")}


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


# --- permanent redaction -------------------------------------------------------------------------


@dataclass(slots=True)
class RedactionPlan:
    """What redacting one transcript changes."""

    transcript: str
    title: str
    edits: list[TextEdit]
    tags: Counter = field(default_factory=Counter)          # tag -> occurrences (genitives too)
    speakers: dict[str, str] = field(default_factory=dict)  # old label -> new label
    codings: int = 0                                         # units whose offsets move

    @property
    def changes(self) -> bool:
        return bool(self.edits or self.speakers)


def plan_redaction(project: Project, tids: list[str] | None = None) -> list[RedactionPlan]:
    """What :func:`redact` would change, transcript by transcript; changes nothing."""
    decided = terms(project)
    plans = []
    for transcript in project.transcripts():
        if tids is not None and transcript.id not in {project.transcript(t).id for t in tids}:
            continue
        edits = find_redactions(project.text(transcript.id), decided)
        renames = {}
        for speaker in transcript.speakers:
            new = apply_edits(speaker.label, find_redactions(speaker.label, decided))[0]
            if new != speaker.label:
                renames[speaker.label] = new
        first = min((e.start for e in edits), default=None)
        moved = 0 if first is None else project.conn.execute(
            "SELECT count(*) FROM codings WHERE transcript_id = ? AND end > ?", (transcript.id, first)
        ).fetchone()[0]
        tags = Counter(e.replacement[:-1] if e.replacement.endswith("]s") else e.replacement for e in edits)
        plans.append(RedactionPlan(transcript.id, transcript.title, edits, tags, renames, moved))
    return plans


def leftovers(project: Project) -> list[str]:
    """Places redaction does not rewrite that still hold a hidden name: titles, focus groups,
    condensed meanings, memos. Reported so the user can edit them."""
    decided = terms(project)
    found = []

    def check(where: str, text: str | None) -> None:
        if text and find_redactions(text, decided):
            found.append(where)

    for t in project.transcripts():
        check(f"title of {t.id}", t.title)
    for g in project.groups():
        check(f"focus group {g.name!r}", g.name + " " + " ".join(g.attributes.values()))
    for c in project.codings():
        check(f"unit {c.id} (condensed meaning or note)", c.condensed + "\n" + c.memo)
    for m in project.memos():
        check(f"memo {m.id}", m.text)
    return found


def redact(project: Project, tids: list[str] | None = None) -> list[RedactionPlan]:
    """Replace every hidden term in the stored text for good; remap turns and codings.

    Not undoable (callers confirm first). Each transcript is rewritten in one transaction by
    :meth:`Project.edit_text`; speaker labels holding a hidden name are renamed the same way
    (turns follow by foreign key), and cached analyses of the old texts are dropped.
    """
    from . import analysis as analysis_cache

    plans = plan_redaction(project, tids)
    for plan in plans:
        if not plan.changes:
            continue
        old_checksum = project.transcript(plan.transcript).checksum
        if plan.edits:
            project.edit_text(plan.transcript, plan.edits, label="redact names")
        if plan.speakers:
            _rename_speakers(project, plan.transcript, plan.speakers)
        analysis_cache.forget(project, [old_checksum])
    analysis_cache.forget_stale(project)
    return plans


def _rename_speakers(project: Project, tid: str, renames: dict[str, str]) -> None:
    with project.transaction() as conn:
        taken = {r[0] for r in conn.execute("SELECT label FROM speakers WHERE transcript_id = ?", (tid,))}
        for old, new in renames.items():
            base, n = new, 2
            while new in taken:  # two labels would become one: number them, never merge speakers
                new, n = f"{base} ({n})", n + 1
            conn.execute("UPDATE speakers SET label = ? WHERE transcript_id = ? AND label = ?", (new, tid, old))
            taken.discard(old)
            taken.add(new)

"""The project's de-identification decisions (table ``deid_terms``) and what they hide.

The NLP layer proposes terms (names found by NER, speakers' names, capitalised words); the user
accepts (``hide``) or rejects (keeps) them, or adds their own. **Private by default**: a name the
finder proposed that no person has decided on yet (*pending*) is hidden too, with a tag of its
own (``[Navn 1?]``); only an explicit *keep* lets a proposed name through. The finder's results
are kept in the ``meta`` table (:func:`save_findings`) with a fingerprint of everything the
finder reads, so an export can tell whether they are still current (:func:`findings_current`);
speaker labels that are names are pending names even before the finder has run.

:class:`Redactor` is the one redactor: every export, report, the REFI-QDA writer with
``--deid`` and permanent redaction replace names through it, so every output hides the same
things with the same tags. No spaCy here.

Permanent redaction (:func:`plan_redaction`, :func:`redact`) rewrites the stored text of every
transcript in **one** transaction, remapping every turn and coding so nothing detaches; it also
renames speakers whose label holds a hidden name and drops the analysis cache of the old text
(the cache holds the words). It uses reviewed decisions only: an unreviewed guess is never
written into the stored text for good.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ..core.deid import KIND_WORDS, UNREVIEWED_MARK, Matcher, Term, is_name_label
from ..core.edits import OffsetMap, TextEdit, apply_edits
from ..core.errors import UserError
from . import audit
from .project import Project

FINDINGS_KEY = "deid_findings"  # meta: the name finder's last results, as JSON
FINDER_VERSION = 2               # bump when the finder changes what it finds: stored results go stale

# Kinds by the words people use for them (``--hide-kind place``).
KIND_GROUPS = {
    "person": ("PER",), "people": ("PER",), "per": ("PER",),
    "place": ("LOC", "GPE_LOC"), "places": ("LOC", "GPE_LOC"), "sted": ("LOC", "GPE_LOC"),
    "institution": ("ORG", "GPE_ORG"), "institutions": ("ORG", "GPE_ORG"), "institusjon": ("ORG", "GPE_ORG"),
    "organisation": ("ORG", "GPE_ORG"), "organization": ("ORG", "GPE_ORG"),
}


# --- decisions -----------------------------------------------------------------------------------


def _check_kind(kind: str) -> str:
    kind = kind.upper()
    if kind not in KIND_WORDS:
        raise UserError(f"unknown kind {kind!r}; use one of {', '.join(KIND_WORDS)}")
    return kind


def kinds_named(word: str) -> tuple[str, ...]:
    """``place`` → (LOC, GPE_LOC); ``ORG`` → (ORG,): the kinds a bulk decision names."""
    folded = word.strip().casefold()
    if folded in KIND_GROUPS:
        return KIND_GROUPS[folded]
    return (_check_kind(word.strip()),)


def add_term(project: Project, term: str, kind: str = "PER", *, hide: bool = True,
             replacement: str | None = None, source: str = "user", coder: str | None = None,
             variant_of: str | None = None) -> Term:
    """Record a decision about ``term``; a later decision about the same term replaces it.

    ``variant_of`` names a hidden term this one is a spelling of (``Karri`` of ``Kari``): it is
    hidden with that term's tag, so one person keeps one pseudonym.
    """
    made = _decision(project, Term(term, kind, hide, replacement, variant_of), {})
    verb = "hide" if hide else "keep"
    # The audit trail's line names the kind, never the name: the trail cannot be redacted.
    what = f"a spelling variant ({made.kind})" if made.variant_of else f"a name ({made.kind})"
    with project.action(f"{verb} name {made.term}", coder, kind="names", summary=f"{verb} {what}") as conn:
        _store(conn, made, source)
    return made


def add_terms(project: Project, decisions: list[tuple[Term, str]], *, label: str,
              coder: str | None = None) -> list[Term]:
    """Several decisions (each a :class:`Term` and its source) as **one** undoable action: a
    bulk review (``names --hide-pending``, the names screen's bulk keys) is taken back at once.
    A variant may name a term hidden earlier in the same list."""
    made: list[tuple[Term, str]] = []
    batch: dict[str, Term] = {}
    for term, source in decisions:
        checked = _decision(project, term, batch)
        batch[checked.term.casefold()] = checked
        made.append((checked, source))
    if not made:
        return []
    with project.action(label, coder, kind="names") as conn:
        for term, source in made:
            _store(conn, term, source)
    return [t for t, _ in made]


def _decision(project: Project, term: Term, batch: dict[str, Term]) -> Term:
    """A decision checked and normalised: its kind known, a variant's base hidden."""
    name = " ".join(term.term.split())
    if not name:
        raise UserError("the name to hide is empty")
    kind = _check_kind(term.kind)
    variant_of = term.variant_of
    if variant_of is not None:
        variant_of = " ".join(variant_of.split())
        base = batch.get(variant_of.casefold()) or next(
            (t for t in terms(project) if t.term.casefold() == variant_of.casefold()), None)
        if base is None or not base.hide:
            raise UserError(f"{variant_of!r} is not a hidden name; hide it first, then its variants")
        if base.term.casefold() == name.casefold():
            raise UserError("a name cannot be a variant of itself")
        variant_of, kind = base.term, base.kind
        if not term.hide:
            raise UserError("a variant is hidden like its name; use --keep without --same-as")
    return Term(name, kind, term.hide, term.replacement, variant_of)


def _store(conn, term: Term, source: str) -> None:
    conn.execute(
        "INSERT INTO deid_terms (term, kind, hide, replacement, source, created_at, variant_of)"
        " VALUES (?,?,?,?,?,?,?)"
        " ON CONFLICT (term) DO UPDATE SET kind = excluded.kind, hide = excluded.hide,"
        " replacement = excluded.replacement, source = excluded.source, variant_of = excluded.variant_of",
        (term.term, term.kind, int(term.hide), term.replacement, source,
         datetime.now(UTC).isoformat(), term.variant_of),
    )


def remove_term(project: Project, term: str, *, coder: str | None = None) -> None:
    with project.action(f"forget name {term}", coder, kind="names", summary="forget a name decision") as conn:
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


# --- the name finder's results (meta) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """A name the finder proposed: the term, its guessed kind, where it was found, and the name
    whose tag it shares (a spelling variant, or a first name of a speaker's full name)."""

    term: str
    kind: str = "PER"
    source: str = "ner"
    variant_of: str | None = None
    count: int = 0

    def to_dict(self) -> dict:
        return {"term": self.term, "kind": self.kind, "source": self.source, "variant_of": self.variant_of,
                "count": self.count}


@dataclass(frozen=True, slots=True)
class StoredFindings:
    fingerprint: str
    model: str
    basic: bool
    found_at: str
    names: list[Found]


def fingerprint(project: Project, model: str) -> str:
    """A checksum of everything the name finder reads (transcript texts, titles, speakers, focus
    groups and attributes, memos, condensed meanings and notes, codebook examples, the project's
    name) and of the model asked for: stored findings with another fingerprint are stale."""
    digest = hashlib.sha256(f"{FINDER_VERSION}|{model}|{project.name}".encode())
    queries = [
        "SELECT id, checksum, title, coalesce(group_name, '') FROM transcripts ORDER BY id",
        "SELECT transcript_id, label FROM speakers ORDER BY transcript_id, label",
        "SELECT name, attributes FROM groups ORDER BY name",
        "SELECT id, text FROM memos ORDER BY id",
        "SELECT id, condensed, memo FROM codings WHERE condensed != '' OR memo != '' ORDER BY id",
        "SELECT id, examples FROM codes ORDER BY id",
    ]
    for sql in queries:
        for row in project.conn.execute(sql):
            digest.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode("utf-8"))
            digest.update(b"\x00")
        digest.update(b"\x01")
    return digest.hexdigest()


def free_texts(project: Project) -> list[tuple[str, str]]:
    """Texts outside the transcripts that exports show, as (what, text): titles, focus groups
    and their attributes (as ``key: value``), memos, condensed meanings and notes, codebook
    examples, the project's name. The name finder reads them too."""
    out: list[tuple[str, str]] = [("project", project.name)]
    for t in project.transcripts():
        out.append(("title", t.title))
    for g in project.groups():
        out.append(("group", g.name))
        out += [(f"attribute:{key}", value) for key, value in g.attributes.items() if value]
    out += [("memo", m.text) for m in project.memos()]
    for c in project.codings():
        out += [("condensed", c.condensed)] if c.condensed else []
        out += [("note", c.memo)] if c.memo else []
    for node in project.codebook().codes:
        out += [("example", e) for e in node.examples]
    return [x for x in dict.fromkeys(out) if x[1]]  # first of each, in order


def save_findings(project: Project, names: list[Found], *, model: str, basic: bool,
                  print_: str | None = None) -> None:
    """Keep the finder's results (every name it found, decided or not) for exports to use."""
    value = json.dumps({
        "fingerprint": print_ or fingerprint(project, model), "model": model, "basic": basic,
        "found_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "names": [f.to_dict() for f in names],
    }, ensure_ascii=False)
    _UNSAVED[str(project.path)] = value
    try:
        with project.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (FINDINGS_KEY, value))
    except (UserError, sqlite3.Error):
        return  # a read-only or busy file: this process still hides what was found (kept in memory)
    _UNSAVED.pop(str(project.path), None)


# Findings that could not be written to the project file (read-only, busy), by the file's path:
# an export in this process still hides them.
_UNSAVED: dict[str, str] = {}


def stored_findings(project: Project) -> StoredFindings | None:
    raw = _UNSAVED.get(str(project.path)) or project.meta(FINDINGS_KEY)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        names = [Found(str(n["term"]), str(n.get("kind") or "PER"), str(n.get("source") or "ner"),
                       n.get("variant_of"), int(n.get("count") or 0)) for n in data["names"]]
        return StoredFindings(str(data["fingerprint"]), str(data["model"]), bool(data.get("basic")),
                              str(data.get("found_at", "")), names)
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: treated as never found, so the finder runs again


def findings_current(project: Project, model: str) -> bool:
    """Are the stored findings those of this project's present texts, found with ``model``?
    Findings made in basic mode are stale for any real model: the model may be installed now."""
    stored = stored_findings(project)
    if stored is None or stored.fingerprint != fingerprint(project, model):
        return False
    return not stored.basic or model == "basic"


def finding_sources(project: Project) -> dict[str, str]:
    """Where the finder found each name (``ner``, ``speaker``, ``pattern`` ...), by casefolded term."""
    stored = stored_findings(project)
    found = (stored.names if stored else []) + speaker_names(project)
    return {f.term.casefold(): f.source for f in reversed(found)}


def speaker_names(project: Project) -> list[Found]:
    """Speaker labels that are names (Teams' ``Kari Nordmann``), and each multi-word name's
    first name linked to it (``Kari`` said aloud gets the speaker's tag) when no other speaker
    shares that first name. No NLP: these are pending names even before the finder has run."""
    labels = list(dict.fromkeys(s.label.strip() for t in project.transcripts() for s in t.speakers
                                if is_name_label(s.label)))
    out = [Found(label, "PER", "speaker") for label in labels]
    out += [Found(first, "PER", "speaker", variant_of=full) for first, full in first_names(labels).items()]
    return out


def first_names(labels: list[str]) -> dict[str, str]:
    """{first name: the full name} for multi-word speaker names whose first name no other
    speaker has (two speakers called Kari: *Kari* said aloud is nobody's in particular)."""
    by_first: dict[str, set[str]] = {}
    for label in labels:
        words = label.split()
        if words:
            by_first.setdefault(words[0].casefold(), set()).add(label)
    out = {}
    for label in labels:
        words = label.split()
        if (len(words) > 1 and len(words[0]) >= 2 and len(by_first[words[0].casefold()]) == 1
                and not any(other.casefold() == words[0].casefold() for other in labels)):
            out[words[0]] = label
    return out


def pending(project: Project, decided: list[Term] | None = None) -> list[Term]:
    """Names the finder proposed (or speaker labels that are names) that no person has decided
    on: hidden like the rest, as unreviewed terms, in the order they were found."""
    decided = terms(project) if decided is None else decided
    known = {t.term.casefold() for t in decided}
    stored = stored_findings(project)
    names = (stored.names if stored else []) + speaker_names(project)
    out: dict[str, Term] = {}
    for f in names:
        key = " ".join(f.term.split()).casefold()
        if not key or key in known or key in out:
            continue
        kind = f.kind if f.kind in KIND_WORDS else "PER"
        out[key] = Term(" ".join(f.term.split()), kind, True, None, f.variant_of, reviewed=False)
    reviewed = [t.term for t in decided if t.hide]
    for key, t in list(out.items()):
        if t.variant_of is None and _covered(t.term, reviewed):
            del out[key]  # Solbakken behandlingssenter: Solbakken is hidden, the rest is no name
    hidden = {t.term.casefold(): t for t in decided if t.hide} | out
    result = []
    for t in out.values():  # a variant of a name that is kept (or unknown) stands on its own
        base = hidden.get((t.variant_of or "").casefold())
        if t.variant_of and base is None:
            t = replace(t, variant_of=None)
        elif base is not None:
            t = replace(t, kind=base.kind)
        result.append(t)
    return result


def _covered(term: str, hidden: list[str]) -> bool:
    """Does a hidden name cover every capitalised word of ``term``? (*Solbakken
    behandlingssenter* with *Solbakken* hidden: yes; *Kari Nordmann* with *Kari*: no.)"""
    rest = term
    for name in sorted(hidden, key=len, reverse=True):
        rest = re.sub(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?:s|'s|’s)?(?!\w)", " ",
                      rest, flags=re.IGNORECASE)
    if rest == term:
        return False
    return not any(w[:1].isupper() for w in re.findall(r"\w+", rest))


# --- the one redactor ----------------------------------------------------------------------------


class Redactor:
    """The names a project hides, applied to its transcripts and to any other text.

    ``enabled=False`` changes nothing (``--no-deid``). ``unreviewed=True`` (exports, reports)
    hides pending names as well as the decided ones; permanent redaction uses decided names
    only. A transcript is redacted once, whole, and a span is cut from the redacted text through
    the offset map, so a name cut by a span's edge is hidden whole.
    """

    def __init__(self, project: Project, enabled: bool = True, *, unreviewed: bool = True):
        self.project = project
        self.enabled = enabled
        decided = terms(project) if enabled else []
        self.unreviewed_terms = pending(project, decided) if enabled and unreviewed else []
        self.all_terms = decided + self.unreviewed_terms
        self.terms = [t for t in self.all_terms if t.hide]      # what is hidden
        self.matcher = Matcher(self.all_terms)
        self._names = Matcher(self.all_terms, ignore_case=True)
        self._transcripts: dict[str, tuple[str, OffsetMap]] = {}
        self._free: dict[str, str] = {}
        self._words = {w.casefold() for t in self.terms for w in re.findall(r"\w+", t.term)}

    # --- what it hides --------------------------------------------------------------------------

    @property
    def tags(self) -> dict[str, str]:
        return self.matcher.tags

    @property
    def reviewed_count(self) -> int:
        """Names a person decided to hide (one per tag: a spelling variant is its name)."""
        return len({self.tags[t.term.casefold()] for t in self.terms if t.reviewed})

    @property
    def unreviewed_count(self) -> int:
        """Names hidden without review: one per unreviewed tag (a first name linked to a speaker's
        full name is that person)."""
        tags = {self.tags[t.term.casefold()] for t in self.unreviewed_terms}
        return len({tag for tag in tags if tag.endswith(UNREVIEWED_MARK + "]")})

    def describe(self) -> str:
        """The header line every export carries about de-identification."""
        if not self.enabled:
            return "NOT de-identified"
        reviewed, unreviewed = self.reviewed_count, self.unreviewed_count
        if not reviewed and not unreviewed:
            return "De-identified: no names to hide were found or listed"
        line = f"De-identified: {reviewed} reviewed name(s) hidden"
        if unreviewed:
            line += (f"; {unreviewed} name(s) not reviewed yet also hidden, tagged with '?' (e.g. [Navn 1?]); "
                     "review them with 'qualcode names' or the workbench's names screen")
        return line

    # --- applying it ----------------------------------------------------------------------------

    def edits(self, text: str) -> list[TextEdit]:
        """The replacements that de-identify ``text``."""
        return self.matcher.find(text) if self.enabled else []

    def transcript(self, tid: str) -> tuple[str, OffsetMap]:
        """A transcript's text as exports show it, and the map from stored offsets into it."""
        if tid not in self._transcripts:
            text = self.project.text(tid)
            self._transcripts[tid] = apply_edits(text, self.edits(text))
        return self._transcripts[tid]

    def span(self, tid: str, start: int, end: int) -> str:
        """``text[start:end]`` with hidden terms replaced; a term cut by an edge is hidden whole."""
        text, mapping = self.transcript(tid)
        return text[mapping.start(start):mapping.end(end)]

    def text(self, value: str | None) -> str:
        """Any other text (a title, a memo, a speaker label, a file name) with hidden terms replaced."""
        if not value:
            return value or ""
        if not self.enabled or not self.terms:
            return value
        if value not in self._free:
            self._free[value] = apply_edits(value, self.edits(value))[0]
        return self._free[value]

    def name(self, value: str | None) -> str:
        """A project's or a file's name with hidden terms replaced in any case (file names are
        often written in lower case: ``lysheim.qualcode`` hides *Lysheim*)."""
        if not value or not self.enabled or not self.terms:
            return value or ""
        return apply_edits(value, self._names.find(value))[0]

    def allows_word(self, word: str) -> bool:
        """False for a word that is (part of) a hidden term: distinctive-word lists leave it out."""
        return not any(w.casefold() in self._words for w in re.findall(r"\w+", word))


def redactions(project: Project, tid: str, *, unreviewed: bool = True) -> list[TextEdit]:
    """The replacements that de-identify transcript ``tid`` (pending names too, unless
    ``unreviewed=False``)."""
    return Redactor(project, unreviewed=unreviewed).edits(project.text(tid))


def deidentify(project: Project, tid: str, start: int, end: int) -> str:
    """``text[start:end]`` of a transcript as an export shows it: hidden terms replaced.

    A term cut by the span's edge is hidden too: the span is widened to whole replacements.
    """
    return Redactor(project).span(tid, start, end)


# --- bulk decisions --------------------------------------------------------------------------------


def bulk_decisions(project: Project, *, hide_all: bool = False, hide_kinds: tuple[str, ...] = (),
                   keep_kinds: tuple[str, ...] = ()) -> list[tuple[Term, str]]:
    """What a bulk review decides about the pending names: every one hidden (``hide_all``), or
    those of some kinds hidden or kept. Each pending name is hidden with its guessed kind; a
    first name linked to a speaker's name, or a spelling variant, is hidden with that name's
    tag when the name is hidden (now or before). Explicit decisions are never changed."""
    decided = terms(project)
    origin = finding_sources(project)
    hidden = {t.term.casefold() for t in decided if t.hide}
    chosen: list[tuple[Term, str]] = []
    todo = pending(project, decided)
    hiding = []
    keeping = []
    for t in todo:
        if t.kind in keep_kinds:
            keeping.append(t)
        elif hide_all or t.kind in hide_kinds:
            hiding.append(t)
    will_hide = hidden | {t.term.casefold() for t in hiding}
    # bases before their variants, so a variant can name a base hidden in the same action
    hiding.sort(key=lambda t: t.variant_of is not None and t.variant_of.casefold() in will_hide)
    for t in hiding:
        variant = t.variant_of if t.variant_of and t.variant_of.casefold() in will_hide else None
        chosen.append((Term(t.term, t.kind, True, None, variant), origin.get(t.term.casefold(), "ner")))
    for t in keeping:
        chosen.append((Term(t.term, t.kind, False), origin.get(t.term.casefold(), "ner")))
    return chosen


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
    """What :func:`redact` would change, transcript by transcript; changes nothing. Only names a
    person decided to hide are rewritten."""
    redactor = Redactor(project, unreviewed=False)
    plans = []
    wanted = None if tids is None else {project.transcript(t).id for t in tids}
    for transcript in project.transcripts():
        if wanted is not None and transcript.id not in wanted:
            continue
        edits = redactor.edits(project.text(transcript.id))
        renames = {}
        for speaker in transcript.speakers:
            new = redactor.text(speaker.label)
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
    redactor = Redactor(project, unreviewed=False)
    found = []

    def check(where: str, text: str | None) -> None:
        if text and redactor.edits(text):
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


def redact(project: Project, tids: list[str] | None = None, *, coder: str | None = None) -> list[RedactionPlan]:
    """Replace every hidden term in the stored text for good; remap turns and codings.

    Not undoable (callers confirm first). **One transaction** over all transcripts: the texts,
    their turns and codings, speaker labels holding a hidden name (turns follow by foreign key)
    and the cached analyses of the old texts change together, or (killed, a failing disk) not
    at all.
    """
    plans = plan_redaction(project, tids)
    changing = [p for p in plans if p.changes]
    if not changing:
        return plans
    with project.transaction() as conn:
        old = []
        for plan in changing:
            old.append(project.transcript(plan.transcript).checksum)
            if plan.edits:
                project.apply_text_edits(conn, plan.transcript, plan.edits)
            if plan.speakers:
                _rename_speakers(conn, plan.transcript, plan.speakers)
        marks = ",".join("?" * len(old))
        conn.execute(f"DELETE FROM analysis_cache WHERE checksum IN ({marks})", old)
        conn.execute("DELETE FROM analysis_cache WHERE checksum NOT IN (SELECT checksum FROM transcripts)")
        after = audit.text_detail(conn, [p.transcript for p in changing])
        texts = {p.transcript: {"before": before, "after": after[p.transcript]["checksum"], "replaced": len(p.edits),
                                "speakers_renamed": len(p.speakers), "units_moved": p.codings}
                 for p, before in zip(changing, old, strict=True)}
        audit.append(conn, coder, "redact",
                     f"redact hidden names in {len(changing)} transcript{'s' if len(changing) != 1 else ''}",
                     {"transcripts": texts, "names_hidden": len(terms(project, hidden_only=True))})
    return plans


def _rename_speakers(conn, tid: str, renames: dict[str, str]) -> None:
    taken = {r[0] for r in conn.execute("SELECT label FROM speakers WHERE transcript_id = ?", (tid,))}
    for old, new in renames.items():
        base, n = new, 2
        while new in taken:  # two labels would become one: number them, never merge speakers
            new, n = f"{base} ({n})", n + 1
        conn.execute("UPDATE speakers SET label = ? WHERE transcript_id = ? AND label = ?", (new, tid, old))
        taken.discard(old)
        taken.add(new)

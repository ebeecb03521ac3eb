"""CLI commands of the NLP layer (nlp-status, analyse, propose, suggest, kwic, deidentify, ...).

spaCy is imported only inside the commands that load a model (through :mod:`qualcode.nlp`);
``redact`` works on the project's decisions alone and never loads one; ``names`` loads one only
for a bulk decision (``--hide-pending``, ``--hide-kind``, ``--keep-kind``) or ``--pending`` when
the project's findings are missing or stale. :func:`ensure_name_findings` is what exports and
reports call first, so they hide the names nobody reviewed yet (private by default). In basic
mode every command that loads a pipeline says so in one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from ..core.text import check_coder
from ..nlp.defaults import AUTO_CODER, AUTOCODE_MEASURED, AUTOCODE_MIN_SCORE, WEAK_MARK
from .common import add_command
from .common import open_project as _open
from .output import emit_json, table, warn, wrap

if TYPE_CHECKING:
    from ..store import Project



# --- helpers ----------------------------------------------------------------------------------


def _pipeline(args: argparse.Namespace):
    from ..nlp.model import load_pipeline

    pipeline = load_pipeline(getattr(args, "nlp_model", None))
    if pipeline.basic:
        print(pipeline.notice(), file=sys.stderr)
    return pipeline


class _Progress:
    """Progress on stderr: a bar redrawn in place on a terminal, a few lines otherwise."""

    def __init__(self, what: str):
        self.what = what
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else int(100 * done / total)
        if self.tty:
            if percent != self.shown:
                bar = "#" * (percent // 4)
                sys.stderr.write(f"\r{self.what} [{bar:<25}] {percent:3d}%  {done:,}/{total:,} words".replace(",", " "))
                sys.stderr.flush()
        elif percent // 25 != self.shown // 25 or self.shown < 0:
            print(f"{self.what}: {percent}% ({done:,} of {total:,} words)".replace(",", " "), file=sys.stderr)
        self.shown = percent

    def finish(self) -> None:
        if self.tty and self.shown >= 0:
            sys.stderr.write("\n")


def _ensure_analysed(project: Project, tids: list[str] | None, pipeline) -> None:
    """Analyse what is not cached yet, with progress, before a command reads the analyses."""
    from ..nlp.analysis import analyse, cached_analysis

    ids = [t.id for t in project.transcripts()] if tids is None else tids
    if all(cached_analysis(project, tid, pipeline) is not None for tid in ids):
        return
    progress = _Progress(f"analysing with {pipeline.name}")
    try:
        analyse(project, ids, pipeline=pipeline, progress=progress)
    finally:
        progress.finish()


def ensure_name_findings(project: Project, nlp_model: str | None = None, *, quiet: bool = False) -> bool:
    """Private by default: before an export or report, make sure the project holds the name
    finder's results for its present texts; run the finder when they are missing or stale (with
    the spaCy model if it loads, else in basic mode: speakers' names, capitalised words, the
    project's list). Returns whether the finder ran. Progress and notices go to stderr."""
    from ..nlp.model import requested_model
    from ..store import deid

    requested, _ = requested_model(nlp_model)
    key = "basic" if requested == "basic" else requested
    if deid.findings_current(project, key):
        return False
    from ..nlp.model import load_pipeline
    from ..nlp.names import refresh_findings

    pipeline = load_pipeline(nlp_model)
    if sys.stderr.isatty() and not quiet:  # on a terminal: say why it takes a moment, with progress
        print(f"qualcode: looking for names to hide first ({pipeline.label}; the project's findings are missing "
              "or out of date)", file=sys.stderr)
        _ensure_analysed(project, None, pipeline)
    refresh_findings(project, pipeline, model_key=key)
    return True


def pending_notice(unreviewed: int, what: str, project_arg: str) -> str | None:
    """The line an export prints on stderr when names nobody reviewed were hidden."""
    if not unreviewed:
        return None
    return (f"{what}: {unreviewed} name(s) the name finder proposed are not reviewed yet; they are hidden as "
            f"[Navn 1?], [Sted 1?] ... Review them with: qualcode names {project_arg} "
            f"(--hide-pending, --hide-kind KIND, --keep-kind KIND) or in the workbench's names screen (n)")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- nlp-status and analyse -------------------------------------------------------------------


def cmd_nlp_status(args: argparse.Namespace) -> int:
    from ..nlp.model import pipeline_status

    status = pipeline_status(args.nlp_model)
    if status["basic_mode"]:
        from ..nlp.model import load_pipeline

        print(load_pipeline(args.nlp_model).notice(), file=sys.stderr)
    if args.json:
        emit_json(status)
        return 0
    mode = "basic mode" if status["basic_mode"] else "model"
    print(f"{status['model']} {status['version']}  ({mode}; asked for {status['requested']!r} "
          f"by {status['requested_by']})")
    if status["path"]:
        print(f"  path: {status['path']}")
    print(f"  components: {', '.join(status['components']) or '-'}"
          + (f" (switched off: {', '.join(status['disabled'])})" if status["disabled"] else ""))
    print(f"  lemmas: {'yes' if status['lemmas'] else 'no (word forms)'}; "
          f"entities: {', '.join(status['entity_types']) or 'none'}; vectors: {status['vectors'] or 'none'}")
    print(f"  spaCy {status['spacy_version']}")
    if status["basic_mode"]:
        print(f"  {status['reason'] or 'basic mode'}; install the real model with: {status['install']}")
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    from ..nlp.analysis import analyse

    pipeline = _pipeline(args)
    with _open(args) as project:
        ids = [project.transcript(t).id for t in args.transcripts] or None
        progress = _Progress(f"analysing with {pipeline.name}")
        try:
            result = analyse(project, ids, pipeline=pipeline, progress=progress, force=args.force)
        finally:
            progress.finish()
    if args.json:
        emit_json({"model": result.model, "version": result.version, "basic_mode": result.basic,
                   "analysed": result.analysed, "cached": result.cached, "words": result.words,
                   "seconds": round(result.seconds, 2)})
        return 0
    if result.analysed:
        rate = f"{result.words / result.seconds if result.seconds else 0:,.0f}".replace(",", " ")
        print(f"analysed {', '.join(result.analysed)} with {result.model} {result.version} "
              f"in {result.seconds:.1f} s ({rate} words/s)")
    if result.cached:
        print(f"already analysed (cached): {', '.join(result.cached)}")
    return 0


# --- proposals and suggestions ----------------------------------------------------------------


def cmd_propose(args: argparse.Namespace) -> int:
    from ..nlp.proposals import propose_units

    pipeline = _pipeline(args)
    with _open(args) as project:
        tid = project.transcript(args.transcript).id
        _ensure_analysed(project, [tid], pipeline)
        proposals = propose_units(project, tid, pipeline=pipeline)
    if args.json:
        emit_json([p.to_dict() for p in proposals])
        return 0
    if not proposals:
        print(f"no units to propose in {tid} (no participant turns with enough words)")
        return 0
    for n, p in enumerate(proposals, 1):
        who = (p.speaker or "?") + (f" ({p.role})" if p.role else "")
        part = f" part {p.part}/{p.parts}" if p.parts > 1 else ""
        done = f"  [coded: units {', '.join(map(str, p.coded))}]" if p.coded else ""
        print(f"{n:>4}  {p.start}-{p.end}  turn {p.turn}{part}  {who}  {p.words} words{done}")
        print(wrap("«" + p.text + "»", 6))
    print(f"\n{len(proposals)} proposals; code one with: qualcode code {args.project} {tid} "
          f"--start N --end N --code ID --coder AB")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from ..nlp.proposals import propose_units
    from ..nlp.suggest import Suggester

    if (args.start is None) != (args.end is None):
        raise UserError("--start and --end go together")
    pipeline = _pipeline(args)
    with _open(args) as project:
        tid = project.transcript(args.transcript).id
        text = project.text(tid)
        if args.start is not None and not 0 <= args.start < args.end <= len(text):
            raise UserError(f"span {args.start}-{args.end} is not inside {tid} (offsets 0-{len(text)})")
        _ensure_analysed(project, None, pipeline)
        suggester = Suggester(project, pipeline, coder=check_coder(args.coder) if args.coder else None)
        spans: list[tuple[int, int, Any]]
        if args.start is not None:
            spans = [(args.start, args.end, None)]
        else:
            spans = [(p.start, p.end, p) for p in propose_units(project, tid, pipeline=pipeline)]
        turns = project.turns(tid)
        rows: list[dict[str, Any]] = []
        for start, end, _ in spans:
            found = suggester.suggest(tid, start, end, top=args.top)
            turn = next((t for t in turns if t.start <= start < t.end), None)
            rows.append({"transcript": tid, "start": start, "end": end, "text": text[start:end],
                         "turn": turn.index if turn else None, "speaker": turn.speaker if turn else None,
                         "role": turn.role if turn else None, "suggestions": [s.to_dict() for s in found]})
    if args.json:
        emit_json(rows if args.start is None else rows[0])
        return 0
    for row in rows:
        who = f"  {row['speaker']}" + (f" ({row['role']})" if row["role"] else "") if row["speaker"] else ""
        print(f"{row['transcript']} {row['start']}-{row['end']}{who}  «{_short(row['text'])}»")
        if not row["suggestions"]:
            print("      no suggestion (no keyword or similar unit)")
        for s in row["suggestions"]:
            print(f"  {s['score']:.2f}  {s['code']}  {s['name']}" + (f"  {WEAK_MARK}" if s["weak"] else ""))
            print(wrap(s["explanation"], 8))
        print()
    return 0


def cmd_autocode(args: argparse.Namespace) -> int:
    from ..nlp.autocode import autocode

    pipeline = _pipeline(args)
    print(f"autocode: codings are recorded under the coder '{AUTO_CODER}' only, never as a person's; "
          f"undo with: qualcode undo {args.project} --coder {AUTO_CODER}", file=sys.stderr)
    if args.min_score == AUTOCODE_MIN_SCORE:
        print(f"autocode: min score {AUTOCODE_MIN_SCORE}: {AUTOCODE_MEASURED}", file=sys.stderr)
    with _open(args, backup=True) as project:
        ids = [project.transcript(t).id for t in args.transcripts] or None
        _ensure_analysed(project, ids, pipeline)
        made = autocode(project, ids, min_score=args.min_score, pipeline=pipeline)
        units = {u.id: u for u in project.iter_units(coder=AUTO_CODER)}
    if args.json:
        emit_json([units[c.id] for c in made])
        return 0
    for c in made:
        u = units[c.id]
        print(f"unit {c.id}: {c.transcript} {c.start}-{c.end} {u.speaker or ''} coded {c.code} by {AUTO_CODER}")
        print(wrap(c.memo, 6))
    print(f"{len(made)} units coded by '{AUTO_CODER}' (minimum score {args.min_score}); "
          f"review them with: qualcode units {args.project} --coder {AUTO_CODER}")
    return 0


# --- search -----------------------------------------------------------------------------------


def cmd_kwic(args: argparse.Namespace) -> int:
    from ..nlp.search import search_lemma

    pipeline = _pipeline(args)
    with _open(args) as project:
        ids = [project.transcript(t).id for t in args.transcript] if args.transcript else None
        _ensure_analysed(project, ids, pipeline)
        hits = search_lemma(project, args.lemma, role=args.role, group=args.group, fuzzy=args.fuzzy,
                            transcripts=ids, pipeline=pipeline, width=args.width)
    if args.json:
        emit_json([h.to_dict() for h in hits])
        return 0
    if not hits:
        print(f"no occurrences of {args.lemma!r}" + ("" if args.fuzzy else " (try --fuzzy for compounds and variants)"))
        return 0
    width = args.width
    for h in hits:
        who = f"{h.speaker or '?'}" + (f" ({h.role})" if h.role else "")
        flag = "" if h.how == "lemma" else f"  ({h.how})"
        print(f"{h.transcript}:{h.start:<6} {who:<22} {h.left[-width:]:>{width}}[{h.word}]{h.right[:width]}{flag}")
    print(f"{len(hits)} occurrences")
    return 0


# --- de-identification ------------------------------------------------------------------------


def cmd_deidentify(args: argparse.Namespace) -> int:
    from ..nlp.names import find_names

    pipeline = _pipeline(args)
    with _open(args) as project:
        ids = [project.transcript(t).id for t in args.transcripts] or None
        _ensure_analysed(project, ids, pipeline)
        findings = find_names(project, ids, pipeline=pipeline)
        if ids is None:  # the whole project: keep the result, so exports need not look again
            from ..nlp.model import requested_model
            from ..nlp.names import refresh_findings

            requested, _ = requested_model(args.nlp_model)
            refresh_findings(project, pipeline, model_key="basic" if requested == "basic" else requested,
                             findings=findings)
    if args.pending:
        findings = [f for f in findings if f.decision == "pending"]
    if args.json:
        emit_json([f.to_dict() for f in findings])
        return 0
    if not findings:
        print("no names found" + (" waiting for a decision" if args.pending else ""))
        return 0
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for f in findings:
        groups[(f.term.casefold(), f.kind)].append(f)
    rows = []
    for (_, kind), found in sorted(groups.items(), key=lambda kv: (kv[1][0].decision != "pending", kv[0])):
        first = found[0]
        sources = sorted({s for f in found for s in f.sources})
        rows.append([first.term, kind, "+".join(sources), first.decision, len(found),
                     " ".join(sorted({f.transcript for f in found})),
                     (f"variant of {first.variant_of}; " if first.variant_of else "") + _short(first.context, 60)])
    print(table(["term", "kind", "source", "decision", "found", "transcripts", "example"], rows, right=(4,)))
    pending = sum(1 for r in rows if r[3] == "pending")
    print(f"\n{len(findings)} occurrences of {len(rows)} terms, {pending} waiting for a decision. "
          f"Hide: qualcode names {args.project} --hide TERM --kind KIND (a variant: --same-as NAME); "
          f"keep: --keep TERM")
    return 0


def cmd_names(args: argparse.Namespace) -> int:
    from ..core.deid import find_redactions
    from ..store import deid

    if args.same_as and len(args.hide or []) != 1:
        raise UserError("--same-as goes with one --hide NAME")
    if args.replacement and len(args.hide or []) != 1:
        raise UserError("--replacement goes with one --hide NAME")
    hide_kinds = tuple(k for word in args.hide_kind or [] for k in deid.kinds_named(word))
    keep_kinds = tuple(k for word in args.keep_kind or [] for k in deid.kinds_named(word))
    if set(hide_kinds) & set(keep_kinds):
        raise UserError("one kind cannot be both hidden (--hide-kind) and kept (--keep-kind)")
    bulk = bool(args.hide_pending or hide_kinds or keep_kinds)
    changing = bool(args.hide or args.keep or args.forget or bulk)
    say = (lambda line: print(line, file=sys.stderr)) if args.json else print
    with _open(args, backup=changing) as project:
        speakers = {s.label.casefold() for t in project.transcripts() for s in t.speakers}
        for term in args.hide or []:
            source = "speaker" if term.casefold() in speakers else "user"
            made = deid.add_term(project, term, args.kind, hide=True, replacement=args.replacement,
                                 source=source, coder=args.coder, variant_of=args.same_as)
            say(f"hide {made.term} ({made.kind})" + (f" as a variant of {made.variant_of}" if made.variant_of else ""))
        for term in args.keep or []:
            made = deid.add_term(project, term, args.kind, hide=False, source="user", coder=args.coder)
            say(f"keep {made.term}: reviewed, not hidden")
        for term in args.forget or []:
            deid.remove_term(project, term, coder=args.coder)
            say(f"forgot {term}")
        if bulk or args.pending:
            ensure_name_findings(project, args.nlp_model)  # the finder's proposals for the present texts
        if bulk:
            decisions = deid.bulk_decisions(project, hide_all=args.hide_pending, hide_kinds=hide_kinds,
                                            keep_kinds=keep_kinds)
            parts = ["hide every pending name" if args.hide_pending else
                     f"hide pending names ({', '.join(hide_kinds)})" if hide_kinds else "",
                     f"keep pending names ({', '.join(keep_kinds)})" if keep_kinds else ""]
            label = "; ".join(x for x in parts if x)
            made_all = deid.add_terms(project, decisions, label=label, coder=args.coder)
            hidden = [t for t in made_all if t.hide]
            kept = [t for t in made_all if not t.hide]
            if hidden:
                say(f"hide {len(hidden)} pending name(s): " + ", ".join(
                    f"{t.term} ({t.kind}{', as ' + t.variant_of if t.variant_of else ''})" for t in hidden))
            if kept:
                say(f"keep {len(kept)} pending name(s): " + ", ".join(f"{t.term} ({t.kind})" for t in kept))
            if not made_all:
                say("no pending name matches; nothing changed")
            else:
                say(f"one action: take it back with qualcode undo {args.project}"
                    + (f" --coder {args.coder}" if args.coder else ""))
        redactor = deid.Redactor(project)
        decided = deid.terms(project)
        origin = deid.sources(project)
        tags = redactor.tags
        waiting = redactor.unreviewed_terms
        shown = waiting if args.pending else [t for t in decided]
        counts: dict[str, int] = defaultdict(int)
        for t in project.transcripts():
            text = project.text(t.id)
            for term in shown:
                if term.hide:
                    counts[term.term.casefold()] += len(find_redactions(text, [term]))
        stored = deid.finding_sources(project)
    if args.pending:
        rows = [{"term": t.term, "kind": t.kind, "decision": "pending", "replacement": tags.get(t.term.casefold()),
                 "variant_of": t.variant_of, "source": stored.get(t.term.casefold()),
                 "occurrences": counts.get(t.term.casefold(), 0)} for t in waiting]
    else:
        rows = [{"term": t.term, "kind": t.kind, "hide": t.hide, "replacement": tags.get(t.term.casefold()),
                 "variant_of": t.variant_of, "source": origin.get(t.term.casefold()),
                 "occurrences": counts.get(t.term.casefold(), 0) if t.hide else None} for t in decided]
    if args.json:
        emit_json(rows)
        return 0
    if changing:
        print()
    if args.pending:
        if not rows:
            print("no name is waiting for a decision")
            return 0
        print(table(["term", "kind", "hidden as", "occurrences", "source", "same person as"],
                    [[r["term"], r["kind"], r["replacement"] or "", r["occurrences"], r["source"] or "",
                      r["variant_of"] or ""] for r in rows], right=(3,)))
        print(f"\n{len(rows)} name(s) waiting for a decision; exports hide them until you decide. "
              f"All at once: --hide-pending, --hide-kind KIND, --keep-kind KIND (person, place, institution)")
        return 0
    if not rows and not waiting:
        print(f"no decisions yet; see what to hide with: qualcode deidentify {args.project}")
        return 0
    if rows:
        print(table(["term", "kind", "decision", "replaced by", "occurrences", "source"],
                    [[r["term"], r["kind"], "hide" if r["hide"] else "keep", r["replacement"] or "",
                      "" if r["occurrences"] is None else r["occurrences"], r["source"] or ""] for r in rows],
                    right=(4,)))
    if waiting:
        print(f"{len(waiting)} name(s) found and not reviewed yet: exports hide them as [Navn 1?], [Sted 1?] ... "
              f"List them with --pending; decide all at once with --hide-pending, --hide-kind KIND or --keep-kind KIND")
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    from ..store import deid
    from ..store.copying import project_backup

    with _open(args) as project:
        plans = [p for p in deid.plan_redaction(project) if p.changes]
        leftovers = deid.leftovers(project)
        if not plans:
            print("nothing to redact: no hidden name occurs in the text "
                  f"(see qualcode deidentify {args.project}; hide with qualcode names --hide)")
            return 0
        for p in plans:
            tags = ", ".join(f"{tag} ×{n}" for tag, n in sorted(p.tags.items()))
            renamed = ", ".join(f"{a} → {b}" for a, b in p.speakers.items())
            print(f"{p.transcript}  {p.title}: {len(p.edits)} replacements ({tags or '-'}); "
                  f"{p.codings} units remapped" + (f"; speakers renamed: {renamed}" if p.speakers else ""))
        for place in leftovers:
            warn(f"{place} still holds a hidden name; redaction does not rewrite it, edit it yourself")
        waiting = deid.Redactor(project).unreviewed_count
        if waiting:
            warn(f"{waiting} name(s) found are not reviewed yet; redaction rewrites only the names you decided to "
                 f"hide (see qualcode names {args.project} --pending)")
        if not args.yes:
            raise UserError("redaction rewrites the transcripts for good and cannot be undone; "
                            "check the list above and add --yes to redact")
        kept = project_backup(project, tag="before-redaction")
        deid.redact(project)
    print(f"redacted {len(plans)} transcripts; every unit still covers the same words.")
    print(f"the text before redaction is in the backup {kept} and older backups; "
          "delete them when your data-protection rules say so")
    return 0


# --- vocabulary -------------------------------------------------------------------------------


def cmd_vocabulary(args: argparse.Namespace) -> int:
    from ..nlp.vocabulary import analysis_model, distinctive_words

    pipeline = _pipeline(args) if args.nlp_model else None
    with _open(args) as project:
        if pipeline is not None:
            _ensure_analysed(project, None, pipeline)
        model, version, basic = analysis_model(project, coder=args.coder, pipeline=pipeline)
        if basic and pipeline is None:
            from ..nlp.model import load_pipeline

            notice = load_pipeline(basic=True).notice()
            print(notice.replace("(basic mode was asked for)", "(no transcript analysed by one model; "
                                 "run 'qualcode analyse' first)"), file=sys.stderr)
        words = distinctive_words(project, coder=args.coder, top=args.top, pipeline=pipeline)
        book = project.codebook()
    if args.json:
        emit_json({code: [{"lemma": w, "score": s} for w, s in pairs] for code, pairs in words.items()})
        return 0
    print(f"distinctive {'words' if basic else 'lemmas'} by code ({model} {version}; "
          f"{'units of ' + args.coder if args.coder else 'every coder but auto'})")
    for depth, node in book.walk():
        pairs = words.get(node.id, [])
        if not pairs:
            continue
        print(f"{'  ' * depth}{node.id}  {node.name}")
        print(wrap(", ".join(f"{w} ({s:.1f})" for w, s in pairs), 2 * depth + 4))
    return 0


# --- registration -----------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    """Add the NLP subcommands; spaCy is imported only when one of them runs."""

    def add(name: str, func, help: str, *, project: bool = True, json: bool = False,
            model: bool = True) -> argparse.ArgumentParser:
        p = add_command(sub, name, func, help, project=project, json=json)
        if model:
            p.add_argument("--nlp-model", metavar="NAME_OR_PATH",
                           help="spaCy model name or folder (default: $QUALCODE_SPACY_MODEL, else "
                                "nb_core_news_sm; 'basic' for basic mode)")
        return p

    add("nlp-status", cmd_nlp_status, "which spaCy model qualcode uses: name, version, components",
        project=False, json=True)

    p = add("analyse", cmd_analyse, "analyse transcripts once (sentences, lemmas, POS, names) and cache "
            "the result in the project; progress on stderr", json=True)
    p.add_argument("transcripts", nargs="*", metavar="TRANSCRIPT", help="transcript ids (default: all)")
    p.add_argument("--force", action="store_true", help="analyse again even when cached")

    p = add("propose", cmd_propose, "propose meaning units in participants' turns (at sentence "
            "boundaries; fragments merged, long turns split)", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT", help="transcript id, e.g. T1")

    p = add("suggest", cmd_suggest, "suggest codes for a span, or for each proposed unit, with the "
            "words that triggered each suggestion", json=True)
    p.add_argument("transcript", metavar="TRANSCRIPT", help="transcript id, e.g. T1")
    p.add_argument("--start", type=int, help="start offset of the span (see 'qualcode show')")
    p.add_argument("--end", type=int, help="end offset (exclusive)")
    p.add_argument("--top", type=int, default=3, help="how many codes per span (default 3)")
    p.add_argument("--coder", help="learn from this coder's units and passed-over suggestions only "
                                   "(default: every person's units)")

    p = add("autocode", cmd_autocode, f"deductive first pass: code proposed units by keyword "
            f"suggestions, recorded under the coder '{AUTO_CODER}' only", json=True)
    p.add_argument("transcripts", nargs="*", metavar="TRANSCRIPT", help="transcript ids (default: all)")
    p.add_argument("--min-score", type=float, default=AUTOCODE_MIN_SCORE,
                   help=f"code a unit only when its best suggestion scores at least this (0-1, default "
                        f"{AUTOCODE_MIN_SCORE}: " + AUTOCODE_MEASURED.replace("%", "%%") + ")")

    p = add("kwic", cmd_kwic, "search a lemma across transcripts, keyword in context "
            "('håp' finds håpet, håper; --fuzzy adds håpløs and spelling variants)", json=True)
    p.add_argument("lemma", metavar="LEMMA", help="a lemma, or a few words (kjenne seg igjen)")
    p.add_argument("--role", help="only turns of speakers with this role")
    p.add_argument("--group", help="only transcripts of this focus group")
    p.add_argument("--transcript", action="append", metavar="T", help="only this transcript (repeatable)")
    p.add_argument("--fuzzy", action="store_true", help="also compounds, derivations and spelling variants")
    p.add_argument("--width", type=int, default=40, help="characters of context each side (default 40)")

    p = add("deidentify", cmd_deidentify, "list names of people, places and institutions to review "
            "(NER, speakers' names, the project's name list with variants)", json=True)
    p.add_argument("transcripts", nargs="*", metavar="TRANSCRIPT", help="transcript ids (default: all)")
    p.add_argument("--pending", action="store_true", help="only findings without a decision")

    p = add("names", cmd_names, "the project's de-identification decisions: hide, keep or forget "
            "names, one by one or all pending ones at once; without options, list them", json=True)
    p.add_argument("--hide", action="append", metavar="TERM", help="hide this name everywhere (repeatable)")
    p.add_argument("--kind", default="PER",
                   help="with --hide: PER (person), LOC/GPE_LOC (place), ORG/GPE_ORG (institution); default PER")
    p.add_argument("--same-as", metavar="NAME",
                   help="with --hide: a spelling variant of this hidden name; it gets the same tag")
    p.add_argument("--replacement", metavar="TEXT", help="with --hide: a pseudonym instead of a numbered tag")
    p.add_argument("--keep", action="append", metavar="TERM", help="reviewed: not a name to hide (repeatable)")
    p.add_argument("--forget", action="append", metavar="TERM", help="remove a decision (repeatable)")
    p.add_argument("--pending", action="store_true",
                   help="list the names found and not reviewed yet (exports hide them as [Navn 1?] ...)")
    p.add_argument("--hide-pending", action="store_true",
                   help="hide every name waiting for a decision, each with its guessed kind (one undoable action)")
    p.add_argument("--hide-kind", action="append", metavar="KIND",
                   help="hide every pending name of this kind: person, place, institution, or PER, LOC, GPE_LOC, "
                        "ORG, GPE_ORG ... (repeatable)")
    p.add_argument("--keep-kind", action="append", metavar="KIND",
                   help="keep (not a name to hide) every pending name of this kind (repeatable)")
    p.add_argument("--coder", help="who decided (for undo)")

    p = add("redact", cmd_redact, "replace hidden names in the project's text for good (not undoable); "
            "shows what changes, and needs --yes", model=False)
    p.add_argument("--yes", action="store_true", help="confirm: rewrite the transcripts")

    p = add("vocabulary", cmd_vocabulary, "the most distinctive words of each theme's coded units "
            "(weighted log-odds against all other coded text)", json=True)
    p.add_argument("--coder", help="only this coder's units (default: every coder but 'auto')")
    p.add_argument("--top", type=int, default=10, help="words per code (default 10)")

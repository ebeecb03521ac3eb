"""A methods section an author can edit, and the COREQ and SRQR checklists, from the project's facts.

``qualcode methods PROJECT [--lang nb|en] [--format md|docx]``: every number in the paragraph is
read from the project (:func:`gather`), nothing is typed in by hand, so the text agrees with
``info``, ``units``, ``agreement`` and ``audit``. What a project cannot know (the sampling, the
interviewer's background, ethics approval) is left to the authors and says so in the checklists.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.models import MODERATOR_ROLES
from ..store import Project

WORDS_PER_PAGE = 500  # a page of transcript: A4, 12 pt, single spacing
HUMAN_EXCLUDED = ("auto", "consensus")  # autocode's units and reconciled (consensus) units are not a coder's
KIND_NAMES = {
    "en": {"PER": "persons", "LOC": "places", "GPE_LOC": "places", "GPE_ORG": "organisations", "ORG": "organisations",
           "GPE": "places", "DRV": "words derived from names", "PROD": "products", "EVT": "events", "MISC": "other"},
    "nb": {"PER": "personer", "LOC": "steder", "GPE_LOC": "steder", "GPE_ORG": "organisasjoner",
           "ORG": "organisasjoner", "GPE": "steder", "DRV": "ord avledet av navn", "PROD": "produkter",
           "EVT": "hendelser", "MISC": "annet"},
}


@dataclass(slots=True)
class Facts:
    """Everything the methods paragraph and the checklists say, read from one project."""

    project: str
    transcripts: int
    groups: list[str]
    participants: int
    participants_by_role: dict[str, int]
    participants_by_group: dict[str, dict[str, int]]
    moderators: int
    words: int
    seconds: float | None  # recorded time, where the transcripts have times
    codebook: str
    themes: int
    subthemes: int
    coders: dict[str, int]  # a person's units, by coder
    units: int  # every person's units
    double_coded: list[str]  # transcripts coded by two or more coders
    agreement: dict[str, Any] | None  # coders, units, alpha (with interval), kappa, percent, bootstrap
    reconciled: dict[str, int]  # decisions by kind
    consensus_units: int
    memos: dict[str, int]  # by what they are on
    hidden: dict[str, int]  # hidden names by kind (spelling variants apart)
    variants: int
    assistance: dict[str, int]
    model: str | None  # the NLP model the analyses were made with
    version: str = __version__
    checklist_notes: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return math.ceil(self.words / WORDS_PER_PAGE) if self.words else 0


def gather(project: Project, *, agreement_bootstrap: int = 1000) -> Facts:
    """The facts, from the project as it is now."""
    transcripts = project.transcripts()
    groups = sorted({t.group for t in transcripts if t.group})
    by_role: Counter[str] = Counter()
    by_group: dict[str, Counter[str]] = {}
    moderators = 0
    seconds = 0.0
    timed = False
    for t in transcripts:
        for speaker in t.speakers:
            role = (speaker.role or "").strip()
            if role.casefold() in MODERATOR_ROLES:
                moderators += 1
                continue
            key = role or "-"
            by_role[key] += 1
            by_group.setdefault(t.group or t.title, Counter())[key] += 1
        ends = [turn.time_end or turn.time_start for turn in project.turns(t.id)
                if (turn.time_end or turn.time_start) is not None]
        if ends:
            timed = True
            seconds += max(e for e in ends if e is not None)
    book = project.codebook()
    coders: Counter[str] = Counter()
    by_transcript: dict[str, set[str]] = {}
    for coder, tid, n in project.conn.execute("SELECT coder, transcript_id, count(*) FROM codings GROUP BY 1, 2"):
        if coder in HUMAN_EXCLUDED:
            continue
        coders[coder] += n
        by_transcript.setdefault(tid, set()).add(coder)
    double = sorted(tid for tid, who in by_transcript.items() if len(who) >= 2)
    reconciled = Counter(dict(project.conn.execute(
        "SELECT action, count(*) FROM reconciliation GROUP BY action").fetchall()))
    consensus = project.conn.execute("SELECT count(*) FROM codings WHERE coder = 'consensus'").fetchone()[0]
    memos = Counter(dict(project.conn.execute("SELECT target_type, count(*) FROM memos GROUP BY 1").fetchall()))
    hidden = Counter(dict(project.conn.execute(
        "SELECT kind, count(*) FROM deid_terms WHERE hide = 1 AND variant_of IS NULL GROUP BY kind").fetchall()))
    variants = project.conn.execute(
        "SELECT count(*) FROM deid_terms WHERE hide = 1 AND variant_of IS NOT NULL").fetchone()[0]
    row = project.conn.execute("SELECT model, model_version FROM analysis_cache ORDER BY created_at DESC LIMIT 1"
                               ).fetchone()
    model = f"{row[0]} {row[1]}" if row else None
    agreement = None
    people = sorted(coders)
    if len(people) >= 2 and double:
        agreement = _agreement(project, people, agreement_bootstrap)
    return Facts(
        project=project.name, transcripts=len(transcripts), groups=groups,
        participants=sum(by_role.values()), participants_by_role=dict(sorted(by_role.items())),
        participants_by_group={g: dict(sorted(c.items())) for g, c in sorted(by_group.items())},
        moderators=moderators, words=sum(t.words for t in transcripts), seconds=seconds if timed else None,
        codebook=book.name, themes=len(book.children(None)), subthemes=len(book.codes) - len(book.children(None)),
        coders=dict(sorted(coders.items())), units=sum(coders.values()), double_coded=double,
        agreement=agreement, reconciled=dict(sorted(reconciled.items())), consensus_units=consensus,
        memos=dict(sorted(memos.items())), hidden=dict(sorted(hidden.items())), variants=variants,
        assistance=project.assistance(), model=model,
    )


def _agreement(project: Project, coders: list[str], bootstrap: int) -> dict[str, Any]:
    from ..store.agreement import agreement

    result = agreement(project, coders, bootstrap=bootstrap)
    overall = result.report.overall
    return {
        "coders": coders, "units": overall.units, "units_agreed": overall.units_agreed,
        "alpha": overall.alpha, "alpha_low": overall.alpha_low, "alpha_high": overall.alpha_high,
        "kappa": overall.kappa if overall.kappa is not None else overall.kappa_mean,
        "percent": overall.percent_units, "bootstrap": result.report.bootstrap,
    }


# --- the paragraph ---------------------------------------------------------------------------------


def _n(value: int, lang: str) -> str:
    """A count as an article writes it: 1 234 in Norwegian, 1,234 in English."""
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if lang == "nb" else text


def _f(value: float | None, lang: str, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nb" else text


def _plural(n: int, one: str, many: str, lang: str) -> str:
    return f"{_n(n, lang)} {one if n == 1 else many}"


def _join(items: list[str], lang: str) -> str:
    word = " og " if lang == "nb" else " and "
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + word + items[-1]


def _duration(seconds: float, lang: str) -> str:
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if lang == "nb":
        return (f"{hours} t {minutes} min" if hours else f"{minutes} min")
    return (f"{hours} h {minutes} min" if hours else f"{minutes} min")


def paragraph(facts: Facts, lang: str = "en") -> list[str]:
    """The methods section as paragraphs of plain text (Markdown-safe), in Norwegian or English."""
    nb = lang == "nb"
    out: list[str] = []
    roles = [f"{role} {_n(n, lang)}" for role, n in facts.participants_by_role.items()]
    groups = [f"{g}: " + ", ".join(f"{r} {_n(n, lang)}" for r, n in c.items())
              for g, c in facts.participants_by_group.items()]
    pages = _plural(facts.pages, "side" if nb else "page", "sider" if nb else "pages", lang)
    timed = ""
    if facts.seconds:
        timed = (f"; {_duration(facts.seconds, lang)} opptak" if nb else
                 f"; {_duration(facts.seconds, lang)} of recording")
    if nb:
        out.append(
            f"Materialet besto av {_plural(facts.transcripts, 'transkripsjon', 'transkripsjoner', lang)} fra "
            f"{_plural(len(facts.groups) or facts.transcripts, 'fokusgruppe', 'fokusgrupper', lang)} med "
            f"{_plural(facts.participants, 'deltaker', 'deltakere', lang)} (roller: {', '.join(roles)}; "
            f"{'; '.join(groups)}) og {_plural(facts.moderators, 'moderator', 'moderatorer', lang)}. "
            f"Transkripsjonene utgjorde {_plural(facts.words, 'ord', 'ord', lang)} (om lag {pages} à "
            f"{WORDS_PER_PAGE} ord{timed}).")
    else:
        out.append(
            f"The material consisted of {_plural(facts.transcripts, 'transcript', 'transcripts', lang)} of "
            f"{_plural(len(facts.groups) or facts.transcripts, 'focus group', 'focus groups', lang)} with "
            f"{_plural(facts.participants, 'participant', 'participants', lang)} (roles: {', '.join(roles)}; "
            f"{'; '.join(groups)}) and {_plural(facts.moderators, 'moderator', 'moderators', lang)}. "
            f"The transcripts came to {_plural(facts.words, 'word', 'words', lang)} (about {pages} of "
            f"{WORDS_PER_PAGE} words{timed}).")
    coders = ", ".join(f"{c} {_n(n, lang)}" for c, n in facts.coders.items())
    people = len(facts.coders)
    if nb:
        text = (f"Analysen var deduktiv, med en kodebok («{facts.codebook}») på "
                f"{_plural(facts.themes, 'tema', 'temaer', lang)} og "
                f"{_plural(facts.subthemes, 'undertema', 'undertemaer', lang)}. "
                f"{'Koderen' if people == 1 else 'Koderne'} {_join(list(facts.coders), lang)} "
                f"kodet {_plural(facts.units, 'meningsenhet', 'meningsenheter', lang)} ({coders})")
        if facts.double_coded:
            share = ("alle " + _n(facts.transcripts, lang) if len(facts.double_coded) == facts.transcripts else
                     f"{_n(len(facts.double_coded), lang)} av {_n(facts.transcripts, lang)}")
            text += f"; {share} transkripsjoner ble kodet uavhengig av minst to kodere"
    else:
        text = (f"The analysis was deductive, with a codebook («{facts.codebook}») of "
                f"{_plural(facts.themes, 'theme', 'themes', lang)} and "
                f"{_plural(facts.subthemes, 'subtheme', 'subthemes', lang)}. "
                f"{'The coder' if people == 1 else 'The coders'} {_join(list(facts.coders), lang)} coded "
                f"{_plural(facts.units, 'meaning unit', 'meaning units', lang)} ({coders})")
        if facts.double_coded:
            share = ("all " + _n(facts.transcripts, lang) if len(facts.double_coded) == facts.transcripts else
                     f"{_n(len(facts.double_coded), lang)} of {_n(facts.transcripts, lang)}")
            text += f"; {share} transcripts were coded independently by at least two coders"
    out.append(text + ".")
    if facts.agreement:
        a = facts.agreement
        interval = ""
        if a["alpha_low"] is not None:
            interval = (f" (95 % KI {_f(a['alpha_low'], lang)}–{_f(a['alpha_high'], lang)}, bootstrap med "
                        f"{_n(a['bootstrap'], lang)} trekk)" if nb else
                        f" (95 % CI {_f(a['alpha_low'], lang)}–{_f(a['alpha_high'], lang)}, bootstrap of "
                        f"{_n(a['bootstrap'], lang)} resamples)")
        if nb:
            out.append(f"Samsvaret mellom {_join(a['coders'], lang)} på "
                       f"{_plural(a['units'], 'enhet', 'enheter', lang)} "
                       f"var Krippendorffs α = {_f(a['alpha'], lang)}{interval}, Cohens κ = {_f(a['kappa'], lang)} "
                       f"på tegnnivå, og {_f(a['percent'], lang, 0)} % av enhetene fikk samme kode.")
        else:
            out.append(f"Agreement between {_join(a['coders'], lang)} on "
                       f"{_plural(a['units'], 'unit', 'units', lang)} was Krippendorff's α = {_f(a['alpha'], lang)}"
                       f"{interval}, Cohen's κ = {_f(a['kappa'], lang)} on characters, and "
                       f"{_f(a['percent'], lang, 0)} % of the units had the same code.")
    if facts.reconciled:
        total = sum(facts.reconciled.values())
        how = {"accept": ("ved å godta én koders koding", "by accepting one coder's coding"),
               "both": ("ved å beholde begge", "by keeping both"), "drop": ("ved å forkaste", "by dropping the unit"),
               "adjust": ("ved å justere enheten", "by adjusting the unit"),
               "agreed": ("der koderne var enige", "where the coders agreed")}
        parts = [f"{_n(n, lang)} {how.get(k, (k, k))[0 if nb else 1]}" for k, n in facts.reconciled.items()]
        if nb:
            out.append(f"I en felles gjennomgang ble det tatt {_plural(total, 'avgjørelse', 'avgjørelser', lang)} "
                       f"({_join(parts, lang)}), som ga "
                       f"{_plural(facts.consensus_units, 'konsensusenhet', 'konsensusenheter', lang)}.")
        else:
            out.append(f"A joint reconciliation made {_plural(total, 'decision', 'decisions', lang)} "
                       f"({_join(parts, lang)}), giving "
                       f"{_plural(facts.consensus_units, 'consensus unit', 'consensus units', lang)}.")
    rest = []
    if facts.memos:
        on = {"project": ("på prosjektet", "on the project"), "transcript": ("på transkripsjoner", "on transcripts"),
              "code": ("på koder", "on codes"), "coding": ("på enheter", "on units")}
        parts = [f"{_n(n, lang)} {on.get(k, (k, k))[0 if nb else 1]}" for k, n in facts.memos.items()]
        total = sum(facts.memos.values())
        rest.append(f"Det ble skrevet {_plural(total, 'notat', 'notater', lang)} ({_join(parts, lang)})." if nb else
                     f"The analysis kept {_plural(total, 'memo', 'memos', lang)} ({_join(parts, lang)}).")
    if facts.hidden:
        names = KIND_NAMES[lang]
        kinds: Counter[str] = Counter()
        for kind, n in facts.hidden.items():
            kinds[names.get(kind, kind)] += n
        parts = [f"{_n(n, lang)} {k}" for k, n in kinds.items()]
        total = sum(facts.hidden.values())
        variants = ""
        if facts.variants:
            variants = (f", med {_plural(facts.variants, 'stavevariant', 'stavevarianter', lang)}" if nb else
                        f", with {_plural(facts.variants, 'spelling variant', 'spelling variants', lang)}")
        rest.append(f"Før eksport ble {_plural(total, 'navn', 'navn', lang)} erstattet ({_join(parts, lang)}"
                     f"{variants})." if nb else
                     f"Before export, {_plural(total, 'name', 'names', lang)} were replaced ({_join(parts, lang)}"
                     f"{variants}).")
    a = facts.assistance
    if nb:
        rest.append(f"NLP-assistanse: {_plural(a['units_suggestion'], 'enhet', 'enheter', lang)} kom fra godtatte "
                    f"kodeforslag og {_n(a['units_autocode'], lang)} fra automatisk førstekoding (autocode); "
                    f"{_plural(a['suggestions_rejected'], 'forslag', 'forslag', lang)} ble forkastet.")
        software = f"Kodingen ble gjort i qualcode {facts.version}"
        rest.append(software + (f" med spaCy-modellen {facts.model}." if facts.model else "."))
    else:
        rest.append(f"NLP assistance: {_plural(a['units_suggestion'], 'unit', 'units', lang)} came from accepted "
                    f"code suggestions and {_n(a['units_autocode'], lang)} from the automatic first pass (autocode); "
                    f"{_plural(a['suggestions_rejected'], 'suggestion was', 'suggestions were', lang)} passed over.")
        software = f"Coding was done in qualcode {facts.version}"
        rest.append(software + (f" with the spaCy model {facts.model}." if facts.model else "."))
    out.append(" ".join(rest))
    return out


# --- the checklists --------------------------------------------------------------------------------

COREQ = [  # (number, domain, item): Tong, Sainsbury and Craig 2007, the items' short names
    (1, 1, "Interviewer/facilitator"), (2, 1, "Credentials"), (3, 1, "Occupation"), (4, 1, "Gender"),
    (5, 1, "Experience and training"), (6, 1, "Relationship established"),
    (7, 1, "Participant knowledge of the interviewer"), (8, 1, "Interviewer characteristics"),
    (9, 2, "Methodological orientation and theory"), (10, 2, "Sampling"), (11, 2, "Method of approach"),
    (12, 2, "Sample size"), (13, 2, "Non-participation"), (14, 2, "Setting of data collection"),
    (15, 2, "Presence of non-participants"), (16, 2, "Description of sample"), (17, 2, "Interview guide"),
    (18, 2, "Repeat interviews"), (19, 2, "Audio/visual recording"), (20, 2, "Field notes"), (21, 2, "Duration"),
    (22, 2, "Data saturation"), (23, 2, "Transcripts returned"), (24, 3, "Number of data coders"),
    (25, 3, "Description of the coding tree"), (26, 3, "Derivation of themes"), (27, 3, "Software"),
    (28, 3, "Participant checking"), (29, 3, "Quotations presented"), (30, 3, "Data and findings consistent"),
    (31, 3, "Clarity of major themes"), (32, 3, "Clarity of minor themes"),
]
SRQR = [  # O'Brien et al. 2014, the items' short names
    (1, "Title"), (2, "Abstract"), (3, "Problem formulation"), (4, "Purpose or research question"),
    (5, "Qualitative approach and research paradigm"), (6, "Researcher characteristics and reflexivity"),
    (7, "Context"), (8, "Sampling strategy"), (9, "Ethical issues pertaining to human subjects"),
    (10, "Data collection methods"), (11, "Data collection instruments and technologies"), (12, "Units of study"),
    (13, "Data processing"), (14, "Data analysis"), (15, "Techniques to enhance trustworthiness"),
    (16, "Synthesis and interpretation"), (17, "Links to empirical data"), (18, "Integration with prior work"),
    (19, "Limitations"), (20, "Conflicts of interest"), (21, "Funding"),
]


def coreq(facts: Facts, lang: str = "en") -> list[tuple[int, str, str, str]]:
    """(number, item, what the project says or "" for the authors, where it is)."""
    answers = _answers(facts, lang)
    out = []
    for number, _domain, item in COREQ:
        answer, where = answers.get(("coreq", number), ("", ""))
        out.append((number, item, answer, where))
    return out


def srqr(facts: Facts, lang: str = "en") -> list[tuple[int, str, str, str]]:
    answers = _answers(facts, lang)
    return [(number, item, *answers.get(("srqr", number), ("", ""))) for number, item in SRQR]


def _answers(facts: Facts, lang: str) -> dict[tuple[str, int], tuple[str, str]]:
    nb = lang == "nb"
    par = "metodeavsnittet" if nb else "the methods paragraph"
    sample = f"{_n(facts.participants, lang)} " + ("deltakere" if nb else "participants")
    groups = f"{_n(len(facts.groups) or facts.transcripts, lang)} " + ("fokusgrupper" if nb else "focus groups")
    roles = ", ".join(f"{r} {_n(n, lang)}" for r, n in facts.participants_by_role.items())
    coders = f"{_n(len(facts.coders), lang)} ({', '.join(facts.coders)})"
    tree = (f"{_n(facts.themes, lang)} " + ("temaer" if nb else "themes") + ", "
            f"{_n(facts.subthemes, lang)} " + ("undertemaer" if nb else "subthemes"))
    out: dict[tuple[str, int], tuple[str, str]] = {
        ("coreq", 12): (f"{sample}, {groups}", f"{par}; qualcode info"),
        ("coreq", 16): (roles, f"{par}; qualcode speakers"),
        ("coreq", 24): (coders, f"{par}; qualcode units"),
        ("coreq", 25): (tree, "qualcode codebook --export"),
        ("coreq", 26): ("deduktiv, forhåndsdefinert kodebok" if nb else "deductive, codebook defined in advance",
                        par),
        ("coreq", 27): (f"qualcode {facts.version}" + (f", spaCy {facts.model}" if facts.model else ""), par),
        ("coreq", 29): ("sitater med rolle og enhetsreferanse" if nb else "quotations with role and unit reference",
                        "qualcode export quotes"),
        ("coreq", 22): ("se metningstabellen" if nb else "see the saturation table", "qualcode saturation"),
        ("srqr", 12): (f"{sample}, {groups}", par),
        ("srqr", 13): (("transkripsjoner importert, avidentifisert (" if nb else
                        "transcripts imported, de-identified (")
                       + f"{_n(sum(facts.hidden.values()), lang)} " + ("navn)" if nb else "names)"),
                       "qualcode audit; qualcode names"),
        ("srqr", 14): (f"{tree}; {coders}", par),
        ("srqr", 15): (_trust(facts, lang), f"{par}; qualcode agreement; qualcode audit --verify"),
    }
    if facts.seconds:
        out[("coreq", 21)] = (_duration(facts.seconds, lang) + (" opptak i alt" if nb else " of recording in all"),
                              "qualcode transcripts")
    return out


def _trust(facts: Facts, lang: str) -> str:
    nb = lang == "nb"
    parts = []
    if facts.double_coded:
        parts.append(("dobbeltkoding" if nb else "double coding") + f" ({_n(len(facts.double_coded), lang)})")
    if facts.agreement and facts.agreement["alpha"] is not None:
        parts.append(f"α = {_f(facts.agreement['alpha'], lang)}")
    if facts.reconciled:
        decided = _n(sum(facts.reconciled.values()), lang)
        parts.append(("felles gjennomgang" if nb else "reconciliation") + f" ({decided})")
    if facts.memos:
        parts.append(("notater" if nb else "memos") + f" ({_n(sum(facts.memos.values()), lang)})")
    parts.append("revisjonsspor" if nb else "audit trail")
    return ", ".join(parts)


# --- writing -----------------------------------------------------------------------------------------


def markdown(facts: Facts, lang: str = "en") -> str:
    nb = lang == "nb"
    lines = ["# " + ("Metode" if nb else "Methods"), ""]
    for p in paragraph(facts, lang):
        lines += [p, ""]
    todo = "for forfatterne" if nb else "for the authors"
    for title, rows in (("COREQ", coreq(facts, lang)), ("SRQR", srqr(facts, lang))):
        heads = "Punkt | Fra prosjektet | Hvor" if nb else "Item | From the project | Where"
        lines += [f"## {title}", "", f"| # | {heads} |", "|---|---|---|---|"]
        for number, item, answer, where in rows:
            lines.append(f"| {number} | {item} | {answer or '*' + todo + '*'} | {where} |")
        lines.append("")
    return "\n".join(lines)


def write_methods(facts: Facts, out: Path, fmt: str, lang: str = "en") -> None:
    from .atomic import atomic_path, write_text

    if fmt == "md":
        write_text(out, markdown(facts, lang))
        return
    from docx import Document

    from .docx_layout import column_widths, fit_table, setup_page, usable_width_cm
    from .labels import Labels

    nb = lang == "nb"
    doc = Document()
    setup_page(doc, Labels(lang))  # A4, margins, the document's language
    doc.add_heading("Metode" if nb else "Methods", level=1)
    for p in paragraph(facts, lang):
        doc.add_paragraph(p)
    todo = "for forfatterne" if nb else "for the authors"
    for title, rows in (("COREQ", coreq(facts, lang)), ("SRQR", srqr(facts, lang))):
        doc.add_heading(title, level=2)
        heads = ["#", *(["Punkt", "Fra prosjektet", "Hvor"] if nb else ["Item", "From the project", "Where"])]
        body = [(str(number), item, answer or todo, where) for number, item, answer, where in rows]
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, heads):
            cell.text = head
        for values in body:
            for cell, value in zip(table.add_row().cells, values):
                cell.text = value
        columns = [[heads[i], *(row[i] for row in body)] for i in range(4)]
        fit_table(table, column_widths(columns, usable_width_cm(), 10))
    with atomic_path(out) as temp:
        doc.save(str(temp))

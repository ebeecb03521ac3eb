"""De-identification as text work: which stretches to replace, and with what.

Finding names is the NLP layer's job (NER, speaker names, fuzzy variants). What to hide is the
user's decision, stored as :class:`Term` rows. This module turns those decisions into
:class:`~qualcode.core.edits.TextEdit` replacements, so exports, quotes and permanent redaction
all hide exactly the same things:

* every occurrence of a hidden term, whole words only, case-insensitively, with white space
  inside the term allowed to vary, and with the Norwegian genitive (``Karis``, ``Kari's``);
* the same term gets the same tag everywhere in a project (``[Navn 1]``, ``[Sted 2]``): tags are
  numbered per kind in the order the terms were added, never by where they occur;
* a longer term wins over a shorter one inside it (``Kari Nordmann`` before ``Kari``);
* a spelling variant the user tied to a name (``Karri`` as a variant of ``Kari``) gets that
  name's tag, so one person stays one pseudonym;
* a name nobody has reviewed yet (``reviewed=False``: the name finder proposed it and no person
  decided) is hidden too, with a tag of its own numbering that says so: ``[Navn 1?]``.

Which terms a project hides (its decisions plus the finder's pending names) is the store's
business (its ``Redactor``); this module only matches and tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .edits import TextEdit
from .models import MODERATOR_ROLES

# NorNE entity types and the Norwegian word used in tags.
KIND_WORDS = {
    "PER": "Navn",
    "LOC": "Sted",
    "GPE_LOC": "Sted",
    "ORG": "Institusjon",
    "GPE_ORG": "Institusjon",
    "PROD": "Produkt",
    "EVT": "Hendelse",
    "MISC": "Annet",
}
_GENITIVE = r"(?:s|'s|’s|')?"


@dataclass(frozen=True, slots=True)
class Term:
    """A word or name the project hides (``hide=True``) or has reviewed and keeps."""

    term: str
    kind: str = "PER"
    hide: bool = True
    replacement: str | None = None
    variant_of: str | None = None  # another term whose tag this one shares
    reviewed: bool = True          # False: proposed by the name finder, no person decided yet


UNREVIEWED_MARK = "?"


def tags_for(terms: list[Term]) -> dict[str, str]:
    """Each hidden term's replacement, keyed by its casefolded form: ``[Navn 1]``, ``[Sted 1]``;
    a name nobody reviewed yet ``[Navn 1?]``, numbered on its own so reviewing one name never
    renumbers the others.

    A variant shares the tag of the (hidden) term it is a variant of and uses up no number.
    """
    counters: dict[tuple[str, bool], int] = {}
    tags: dict[str, str] = {}
    roots = _roots(terms)
    for term in terms:
        key = _key(term.term)
        if not term.hide or key in tags or roots.get(key, key) != key:
            continue
        if term.replacement:
            tags[key] = term.replacement
            continue
        word = KIND_WORDS.get(term.kind, "Navn")
        n = counters[(word, term.reviewed)] = counters.get((word, term.reviewed), 0) + 1
        tags[key] = f"[{word} {n}{'' if term.reviewed else UNREVIEWED_MARK}]"
    for term in terms:
        key = _key(term.term)
        if term.hide and key not in tags:
            tags[key] = term.replacement or tags[roots[key]]
    return tags


def _roots(terms: list[Term]) -> dict[str, str]:
    """For each hidden term, the hidden term at the end of its chain of ``variant_of`` links."""
    hidden = {_key(t.term): t for t in terms if t.hide}
    roots = {}
    for key, term in hidden.items():
        seen = {key}
        current = term
        while current.variant_of and _key(current.variant_of) in hidden and _key(current.variant_of) not in seen:
            current = hidden[_key(current.variant_of)]
            seen.add(_key(current.term))
        if current.variant_of and _key(current.variant_of) in seen and _key(current.variant_of) in hidden:
            current = term  # a loop of variants: each keeps a tag of its own
        roots[key] = _key(current.term)
    return roots


class Matcher:
    """The hidden terms of a list, compiled once, to find in many texts.

    Matching: whole words only (a name inside another word is never hit: *Per* not in
    *Persen*, *Ola* not in *Olav*), case-insensitively, white space inside a term may vary, the
    genitive (*Karis*, *Kari's*) is hidden with the name; where terms overlap, the longer wins
    (*Kari Nordmann* before *Kari*), so a name that is part of another name never splits it.

    A name nobody has reviewed (``reviewed=False``) is matched only where it starts with the
    capital it was found with: the finder proposes *Liv*, *Dag* or *Recovery* from capitalised
    words, and hiding every *liv*, *dag* and *recovery* before anyone looked would mangle the
    text. ``ignore_case=True`` matches every term in any case (file and project names, which are
    often written in lower case: ``lysheim.qualcode``).
    """

    def __init__(self, terms: list[Term], *, ignore_case: bool = False):
        self.tags = tags_for(terms)
        self.hidden = sorted({_key(t.term): t for t in terms if t.hide}.values(), key=lambda t: -len(t.term))
        self.ignore_case = ignore_case
        self._any = _any_pattern(tuple(t.term for t in self.hidden)) if self.hidden else None

    def find(self, text: str) -> list[TextEdit]:
        """Non-overlapping replacements for every occurrence of every hidden term in ``text``."""
        if not text or self._any is None or not self._any.search(text):
            return []
        taken: list[tuple[int, int]] = []
        edits: list[TextEdit] = []
        for term in self.hidden:
            strict = not term.reviewed and not self.ignore_case and term.term[:1].isupper()
            for match in _pattern(term.term, strict).finditer(text):
                start, end = match.span()
                if any(start < e and s < end for s, e in taken):
                    continue
                suffix = match.group("gen") or ""
                taken.append((start, end))
                edits.append(TextEdit(start, end, self.tags[_key(term.term)] + ("s" if suffix else "")))
        return sorted(edits, key=lambda e: e.start)


def find_redactions(text: str, terms: list[Term]) -> list[TextEdit]:
    """Non-overlapping replacements for every occurrence of every hidden term in ``text``."""
    return Matcher(terms).find(text)


def _key(term: str) -> str:
    return " ".join(term.split()).casefold()


def _body(term: str) -> str:
    return r"\s+".join(re.escape(w) for w in term.split())


@lru_cache(maxsize=4096)
def _pattern(term: str, strict: bool = False) -> re.Pattern[str]:
    """``strict``: the first letter as it is (a capital), the rest in any case."""
    if strict:
        body = re.escape(term[0]) + "(?i:" + _body(term)[len(re.escape(term[0])):] + f"(?P<gen>{_GENITIVE}))"
        return re.compile(r"(?<!\w)" + body + r"(?!\w)")
    return re.compile(r"(?<!\w)" + _body(term) + f"(?P<gen>{_GENITIVE})" + r"(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _any_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern that finds whether any of ``terms`` occurs at all (most texts hold no name)."""
    return re.compile(r"(?<!\w)(?:" + "|".join(_body(t) for t in terms) + r")", re.IGNORECASE)


# --- speaker labels that are names -----------------------------------------------------------------


_GENERIC_LABEL = re.compile(
    r"^(?:[a-zæøå]{1,3}\s*\d+|(?:intervjuer|moderator|interviewer|deltaker|deltakar|pasient|ansatt|"
    r"informant|participant|speaker|taler|talar|person|leder|innleder|pårørende|observatør|"
    r"fasilitator|ukjent|unknown|alle|flere|fleire|kvinne|mann|bruker|respondent|tolk|"
    r"medarbeider|sekretær|stemme|voice)\s*\d*)$",
    re.IGNORECASE,
)


def is_generic_label(word: str) -> bool:
    """``Ansatt``, ``Deltaker 3``, ``P1``, ``Intervjuer``: a word for a speaker's role, never a name."""
    word = word.strip()
    return word.casefold() in MODERATOR_ROLES or _GENERIC_LABEL.match(word) is not None


def is_name_label(label: str | None) -> bool:
    """Is a speaker label a person's name (``Kari``, Teams' ``Kari Nordmann``), not a code
    (``P1``, ``Ansatt 2``, ``Intervjuer``)?"""
    if not label or not any(ch.isalpha() for ch in label):
        return False
    label = label.strip()
    if label.casefold() in MODERATOR_ROLES or _GENERIC_LABEL.match(label):
        return False
    return label[0].isupper()

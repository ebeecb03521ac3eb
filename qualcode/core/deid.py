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
  name's tag, so one person stays one pseudonym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .edits import TextEdit

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


def tags_for(terms: list[Term]) -> dict[str, str]:
    """Each hidden term's replacement, keyed by its casefolded form: ``[Navn 1]``, ``[Sted 1]``.

    A variant shares the tag of the (hidden) term it is a variant of and uses up no number.
    """
    counters: dict[str, int] = {}
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
        counters[word] = counters.get(word, 0) + 1
        tags[key] = f"[{word} {counters[word]}]"
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


def find_redactions(text: str, terms: list[Term]) -> list[TextEdit]:
    """Non-overlapping replacements for every occurrence of every hidden term in ``text``."""
    tags = tags_for(terms)
    hidden = sorted({_key(t.term): t for t in terms if t.hide}.values(), key=lambda t: -len(t.term))
    taken: list[tuple[int, int]] = []
    edits: list[TextEdit] = []
    for term in hidden:
        for match in _pattern(term.term).finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            suffix = match.group("gen") or ""
            taken.append((start, end))
            edits.append(TextEdit(start, end, tags[_key(term.term)] + ("s" if suffix else "")))
    return sorted(edits, key=lambda e: e.start)


def _key(term: str) -> str:
    return " ".join(term.split()).casefold()


def _pattern(term: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(r"(?<!\w)" + body + f"(?P<gen>{_GENITIVE})" + r"(?!\w)", re.IGNORECASE)

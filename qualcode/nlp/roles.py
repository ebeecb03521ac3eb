"""Roles: which role family a speaker's role is in, and which a subtheme is for.

A codebook split by role names the role in its subthemes ("Tidspress – de ansattes erfaringer",
"Ansattes håp"); a speaker's role says who is talking ("sykepleier", "erfaringskonsulent"). The
two meet through families: staff, patients and service users, next of kin, and each of the
project's own roles that is in none of those (an *innsatt* meets "– de innsattes erfaringer", a
*forelder* "– foreldrenes erfaringer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.models import MODERATOR_ROLES, CodeNode

# Words that name a role, by family: a speaker's role and a subtheme's name meet through them
# ("Tidspress – de ansattes erfaringer" is for a sykepleier; "brukernes" for a bruker).
KNOWN = {
    "ansatt": ("ansatt", "personal", "behandler", "sykepleier", "helsefagarbeider", "helsefag", "veileder",
               "terapeut", "miljøarbeider", "arbeider", "lege", "saksbehandler", "helsepersonell", "medarbeider",
               "fagperson", "profesjonell", "konsulent", "erfaringsformidler", "betjent", "psykolog",
               "psykiater", "jordmor", "pedagog", "sosionom", "rådgiver", "koordinator", "spesialist"),
    "pasient": ("pasient", "bruker", "brukar", "deltaker", "deltakar", "ungdom", "beboer", "bebuar", "klient",
                "tjenestemottaker", "innsatt"),
    "pårørende": ("pårørende", "pårørande"),
}
_ENDINGS = "(?:e|en|er|ene|ne|ane|ar|t|te|et|mer|mene|men|ma)?"
_SEGMENTS = re.compile(r"\s[–—-]\s|[:(),/]")
_JOINERS = frozenset({"de", "og", "for", "sitt", "sine", "perspektiv", "erfaringer"})


def _stems(word: str) -> tuple[str, ...]:
    """A role word's stems: itself, and without the e of a last -er (forelder: foreldre)."""
    return (word, word[:-2] + "r") if len(word) > 4 and word.endswith("er") else (word,)


def _anywhere(stems: Iterable[str]) -> re.Pattern[str]:
    """Any of the stems, anywhere in a role (the longest first)."""
    return re.compile("|".join(map(re.escape, sorted(stems, key=len, reverse=True))), re.IGNORECASE)


_KNOWN_ROLES = {family: _anywhere(stems) for family, stems in KNOWN.items()}


class Roles:
    """The role families of one project: the known ones, and each of ``roles`` (the project's
    speakers' roles) that is in none of them as a family of its own."""

    def __init__(self, roles: Iterable[str | None] = ()):
        families: dict[str, Iterable[str]] = dict(KNOWN)
        self._speaker = dict(_KNOWN_ROLES)
        for role in sorted({(r or "").casefold().strip() for r in roles}):
            words = re.findall(r"[^\W\d_]+", role)
            if role not in MODERATOR_ROLES and words and not any(p.search(role) for p in _KNOWN_ROLES.values()):
                families[role] = [stem for w in words for stem in _stems(w)]
                self._speaker[role] = _anywhere(families[role])
        self._name = {family: re.compile(rf"\w*(?:{'|'.join(map(re.escape, stems))}){_ENDINGS}(?P<s>s)?",
                                         re.IGNORECASE) for family, stems in families.items()}

    def family(self, role: str | None) -> str | None:
        """The family of a speaker's role (a family word anywhere in it: "helsesykepleier" is
        staff); ``None`` for the moderator and for no role."""
        folded = (role or "").casefold().strip()
        if not folded or folded in MODERATOR_ROLES:
            return None
        return next((family for family, pattern in self._speaker.items() if pattern.search(folded)), None)

    def of_code(self, node: CodeNode) -> frozenset[str]:
        """The role families a subtheme is for, from its name: a role word in the genitive
        ("Ansattes håp", "– brukernes og pårørendes erfaringer") or standing alone beside a dash,
        a colon or in brackets ("Håp – pasienter", "Ansatte: tid", "Håp (ansatte)"). A role
        named as a topic is for everyone ("Verktøy for brukermedvirkning", "Pårørende og
        oppfølging"), and so is a theme (a top-level code)."""
        if node.parent is None:
            return frozenset()
        found = {f for w in re.findall(r"\w+", node.name) if (f := self._word(w, genitive=True))}
        segments = _SEGMENTS.split(node.name)
        for segment in segments if len(segments) > 1 else ():
            words = [w for w in re.findall(r"\w+", segment.casefold()) if w not in _JOINERS]
            families = [self._word(w, genitive=False) for w in words]
            if words and all(families):
                found.update(f for f in families if f)
        return frozenset(found)

    def _word(self, word: str, *, genitive: bool) -> str | None:
        for family, pattern in self._name.items():
            m = pattern.fullmatch(word)
            if m and (m.group("s") or not genitive):
                return family
        return None

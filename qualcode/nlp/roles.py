"""Roles: which role family a speaker's role is in, and which a subtheme is for.

A codebook split by role names the role in its subthemes ("Tidspress – de ansattes erfaringer",
"Ansattes håp"); a speaker's role says who is talking ("sykepleier", "erfaringskonsulent"). The
two meet through three families: staff, patients/users and next of kin.
"""

from __future__ import annotations

import re

from ..core.models import MODERATOR_ROLES, CodeNode

# Words that name a role, by family: a speaker's role and a subtheme's name meet through them
# ("Tidspress – de ansattes erfaringer" is for a sykepleier; "brukernes" for a bruker).
_ROLE_STEMS = {
    "ansatt": "ansatt|personal|behandler|sykepleier|helsefagarbeider|helsefag|veileder|terapeut|miljøterapeut|"
              "miljøarbeider|lege|saksbehandler|helsepersonell|medarbeider|fagperson|profesjonell|erfaringskonsulent|"
              "erfaringsmedarbeider|erfaringsformidler",
    "pasient": "pasient|bruker|brukar|deltaker|deltakar|ungdom|beboer|bebuar|klient|tjenestemottaker",
    "pårørende": "pårørende|pårørande",
}
# A speaker's role names its family anywhere in it ("sykepleier 2", "helsefagarbeider") ...
_ROLE_WORDS = {family: re.compile(rf"\b(?:{stems})\w*", re.IGNORECASE) for family, stems in _ROLE_STEMS.items()}
# ... a code's name by a role word: a stem and an inflection (ansatte, brukernes, ungdommenes).
_ROLE_WORD = {family: re.compile(rf"(?:{stems})(?:e|en|er|ene|ne|ane|ar|t|te|mer|mene|men|ma)?(?P<s>s)?",
                                 re.IGNORECASE) for family, stems in _ROLE_STEMS.items()}
_SEGMENTS = re.compile(r"\s[–—-]\s|[:(),/]")
_JOINERS = frozenset({"de", "og", "for", "sitt", "sine", "perspektiv", "erfaringer"})


def roles_of_code(node: CodeNode) -> frozenset[str]:
    """The role families a subtheme is for, from its name: a role word in the genitive ("Ansattes
    håp", "– brukernes og pårørendes erfaringer") or standing alone beside a dash, a colon or in
    brackets ("Håp – pasienter", "Ansatte: tid", "Håp (ansatte)"). A role named as a topic is for
    everyone ("Verktøy for brukermedvirkning", "Pårørende og oppfølging"), and so is a theme (a
    top-level code)."""
    if node.parent is None:
        return frozenset()

    def family(word: str, genitive: bool) -> str | None:
        for name, pattern in _ROLE_WORD.items():
            m = pattern.fullmatch(word)
            if m and (m.group("s") or not genitive):
                return name
        return None

    found = {f for w in re.findall(r"\w+", node.name) if (f := family(w, True))}
    segments = _SEGMENTS.split(node.name)
    for segment in segments if len(segments) > 1 else ():
        words = [w for w in re.findall(r"\w+", segment.casefold()) if w not in _JOINERS]
        families = [family(w, False) for w in words]
        if words and all(families):
            found.update(f for f in families if f)
    return frozenset(found)


def role_family(role: str | None) -> str | None:
    if not role:
        return None
    folded = role.casefold()
    if folded in MODERATOR_ROLES:
        return None
    for family, pattern in _ROLE_WORDS.items():
        if pattern.search(folded):
            return family
    return None

"""Generated spoken Norwegian for the benches: words, speakers and roles of a focus group.

The text means nothing; it has the shape that matters for speed (word lengths, æøå, dialect
forms, transcription marks), and nothing in it comes from real research data.
"""

from __future__ import annotations

import random

WORDS = [
    "jeg", "du", "vi", "de", "det", "som", "og", "men", "så", "liksom", "altså", "eh", "sånn", "ikke",
    "ikkje", "æ", "veit", "ka", "hjemme", "håp", "recovery", "fagdagen", "innlederen", "historien", "kjente",
    "meg", "igjen", "behandling", "avdelingen", "hverdagen", "jobb", "venner", "rus", "hjelp", "tid", "lang",
    "vei", "ansatte", "pasienter", "tenkte", "sa", "var", "er", "har", "hadde", "kunne", "skulle", "få", "gi",
    "mye", "litt", "bra", "fint", "vanskelig", "viktig", "egentlig", "faktisk", "[latter]", "[pause]", "--",
]
SPEAKERS = ["Intervjuer", "P1", "P2", "P3", "P4", "Ansatt 1", "Ansatt 2"]
ROLE_RULES = ("P*=pasient", "Ansatt*=ansatt", "Intervjuer=moderator")


def utterance(rng: random.Random, n: int, words: list[str] = WORDS) -> str:
    """``n`` words as one capitalised sentence."""
    said = [rng.choice(words) for _ in range(n)]
    said[0] = said[0].capitalize()
    return " ".join(said) + "."

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


def transcript(rng: random.Random, turns: int):
    """A focus group of ``turns`` turns labelled ``[hh:mm:ss] P1: ``, 2.5 words a second, as the
    :class:`~qualcode.core.parsed.ParsedTranscript` an importer would give."""
    from qualcode.core.parsed import ParsedTranscript, ParsedTurn

    parts, spans, pos, clock = [], [], 0, 0.0
    for _ in range(turns):
        speaker = SPEAKERS[rng.randrange(len(SPEAKERS))]
        said = utterance(rng, rng.randint(12, 90))
        label = f"[{int(clock) // 3600:02d}:{int(clock) // 60 % 60:02d}:{int(clock) % 60:02d}] {speaker}: "
        spans.append(ParsedTurn(speaker, pos + len(label), pos + len(label) + len(said), clock))
        parts.append(label + said + "\n\n")
        pos += len(label) + len(said) + 2
        clock += len(said.split()) / 2.5
    return ParsedTranscript("".join(parts), spans, "txt", "utf-8")


def code_at_random(project, rng: random.Random, n_units: int) -> None:
    """``n_units`` units by AB and CD on participants' turns (from a random point of the turn's
    first third to its end), every third with a condensed meaning, every tenth starred."""
    codes = [c.id for c in project.codebook().codes]
    turns = {t.id: [u for u in project.turns(t.id) if u.speaker != "Intervjuer"] for t in project.transcripts()}
    tids = list(turns)
    made = 0
    while made < n_units:
        tid = rng.choice(tids)
        turn = rng.choice(turns[tid])
        start = turn.start + rng.randrange(0, max(1, (turn.end - turn.start) // 3))
        try:
            unit = project.add_coding(tid, start, turn.end, rng.choice(codes), rng.choice(["AB", "CD"]),
                                      condensed="Kort oppsummering" if made % 3 == 0 else "")
        except Exception:  # the same span and code twice: draw again
            continue
        if made % 10 == 0:
            project.update_coding(unit.id, starred=True)
        made += 1

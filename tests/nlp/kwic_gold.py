"""Precision and recall of `qualcode kwic` on the invented gold set (tests/nlp/data/kwic_gold.yaml).

Each query gets a transcript of its own sentences (one participant turn each). A hit counts as
right when it overlaps an expected word; an expected word counts as found when a hit overlaps it.
Run ``python -m tests.nlp.kwic_gold [MODEL]`` from the repository for the tables of both sets
(``basic`` for basic mode; the default is ``QUALCODE_SPACY_MODEL``). kwic_heldout.yaml was written
after the rules met kwic_gold.yaml and was not tuned on.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project

GOLD = Path(__file__).parent / "data" / "kwic_gold.yaml"
HELD_OUT = Path(__file__).parent / "data" / "kwic_heldout.yaml"
_MARK = re.compile(r"\{([^{}]+)\}|<([^<>]+)>")


@dataclass
class Case:
    query: str
    tid: str
    lemma: list[tuple[int, int]]   # spans lemma mode must find
    fuzzy: list[tuple[int, int]]   # spans only fuzzy mode must find


@dataclass
class Score:
    hits: int = 0
    right: int = 0
    expected: int = 0
    found: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.hits if self.hits else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def _unmark(sentence: str) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """The plain sentence and the spans of its {lemma} and <fuzzy> marks."""
    plain, lemma, fuzzy, pos = [], [], [], 0
    length = 0
    for m in _MARK.finditer(sentence):
        plain.append(sentence[pos:m.start()])
        length += m.start() - pos
        word = m.group(1) or m.group(2)
        (lemma if m.group(1) else fuzzy).append((length, length + len(word)))
        plain.append(word)
        length += len(word)
        pos = m.end()
    plain.append(sentence[pos:])
    return "".join(plain), lemma, fuzzy


def load_cases(project: Project, gold: Path = GOLD) -> list[Case]:
    """Import one transcript per gold query into ``project``."""
    data = yaml.safe_load(gold.read_text(encoding="utf-8"))
    cases = []
    for n, item in enumerate(data["queries"]):
        rows = [_unmark(s) for s in item["sentences"]]
        dialogue = [(f"P{k % 2 + 1}", text) for k, (text, _, _) in enumerate(rows)]
        tid = project.import_transcript(ParsedTranscript.from_dialogue(dialogue),
                                        title=f"gold {n} {item['query']}").transcript.id
        turns = project.turns(tid)
        lemma = [(t.start + s, t.start + e) for t, (_, spans, _) in zip(turns, rows) for s, e in spans]
        fuzzy = [(t.start + s, t.start + e) for t, (_, _, spans) in zip(turns, rows) for s, e in spans]
        cases.append(Case(str(item["query"]), tid, lemma, fuzzy))
    return cases


def evaluate(project: Project, cases: list[Case], pipeline, *, fuzzy: bool) -> dict[str, Score]:
    from qualcode.nlp.search import search_lemma

    scores = {}
    for case in cases:
        text = project.text(case.tid)
        expected = case.lemma + (case.fuzzy if fuzzy else [])
        hits = [(h.start, h.end) for h in search_lemma(project, case.query, fuzzy=fuzzy,
                                                       transcripts=[case.tid], pipeline=pipeline)]
        score = Score(hits=len(hits), expected=len(expected))
        for s, e in hits:
            if any(s < b and a < e for a, b in expected):
                score.right += 1
            else:
                score.wrong.append(text[s:e])
        for a, b in expected:
            if any(s < b and a < e for s, e in hits):
                score.found += 1
            else:
                score.missed.append(text[a:b])
        scores[case.query] = score
    return scores


def total(scores: dict[str, Score]) -> Score:
    out = Score()
    for s in scores.values():
        out.hits += s.hits
        out.right += s.right
        out.expected += s.expected
        out.found += s.found
        out.wrong += s.wrong
        out.missed += s.missed
    return out


def main(argv: list[str]) -> int:  # pragma: no cover - a report for people
    import tempfile

    from qualcode.nlp.model import load_pipeline

    name = argv[0] if argv else None
    pipeline = load_pipeline(basic=True) if name == "basic" else load_pipeline(name)
    for gold in (GOLD, HELD_OUT):
        with tempfile.TemporaryDirectory() as tmp:
            project = Project.create(Path(tmp) / "gold.qualcode")
            cases = load_cases(project, gold)
            print(f"{gold.name} ({len(cases)} queries) with {pipeline.label}")
            for fuzzy in (False, True):
                scores = evaluate(project, cases, pipeline, fuzzy=fuzzy)
                t = total(scores)
                print(f"  {'fuzzy' if fuzzy else 'lemma'}: precision {t.precision:.2f} ({t.right}/{t.hits}), "
                      f"recall {t.recall:.2f} ({t.found}/{t.expected})")
                for query, s in scores.items():
                    if s.wrong or s.missed:
                        print(f"    {query}: wrong {s.wrong} missed {s.missed}")
            project.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))

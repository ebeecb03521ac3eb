"""What a suggestion shows a coder: the code, its score, and the evidence that produced it, with
the words of the transcript that triggered it (offsets into the stored text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the transcript that triggered a suggestion (offsets into the stored text)."""

    text: str
    start: int
    end: int
    lemma: str


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str                 # "keyword", "variant", "similar", "definition", "learned", "role", "rejected", "unused"
    term: str                 # the codebook keyword; the shared lemmas; the role
    words: tuple[Word, ...]
    weight: float
    unit: int | None = None   # "similar": the most alike coded unit (None: a codebook example)
    count: int = 1            # keyword: how many times it occurs in the span (words: all of them)
    about: str = "the code's definition"  # definition: what it is like ("the code's definition and examples")

    def describe(self) -> str:
        if self.kind in ("keyword", "variant"):
            per = max(1, len(self.words) // max(1, self.count))
            shown = " … ".join(w.text for w in self.words[:per]) + (f" (×{self.count})" if self.count > 1 else "")
            how = "keyword" if self.kind == "keyword" else "keyword (variant)"
            return f"{how} «{self.term}»: {shown}"
        if self.kind == "similar":
            like = f"unit {self.unit}" if self.unit is not None else "the codebook's examples"
            return f"like {like}: {self.term}"
        if self.kind == "definition":
            return f"like {self.about}: {self.term}"
        if self.kind == "learned":
            return f"learned from your units: {self.term}"
        if self.kind in ("rejected", "unused"):
            return self.term if self.kind == "unused" else f"you {self.term}"
        return f"role: {self.term}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "term": self.term, "weight": round(self.weight, 3), "unit": self.unit,
            "count": self.count,
            "words": [{"text": w.text, "start": w.start, "end": w.end, "lemma": w.lemma} for w in self.words],
        }


@dataclass(slots=True)
class Suggestion:
    code: str
    name: str
    score: float
    keyword_score: float = 0.0
    similarity: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    weak: bool = False  # little evidence: shown, and marked, as a guess

    @property
    def words(self) -> list[Word]:
        """Every word that triggered this suggestion, in text order, once each."""
        seen: dict[tuple[int, int], Word] = {}
        for ev in self.evidence:
            for w in ev.words:
                seen.setdefault((w.start, w.end), w)
        return [seen[k] for k in sorted(seen)]

    def explain(self) -> str:
        return "; ".join(ev.describe() for ev in self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "path": self.path, "score": round(self.score, 3),
            "keyword_score": round(self.keyword_score, 3), "similarity": round(self.similarity, 3),
            "weak": self.weak, "explanation": self.explain(), "evidence": [e.to_dict() for e in self.evidence],
        }

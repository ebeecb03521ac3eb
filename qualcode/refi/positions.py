"""How another tool counted positions in a source's text, worked out from its selections.

REFI-QDA says positions are characters, and tools disagree on what a character is (see
:mod:`.write`): NVivo for Windows counts UTF-16 units of a text with a BOM and CRLF line endings,
ATLAS.ti counts CRLF as one, QualCoder writes a BOM it does not count. :func:`choose_positions`
tries each way of counting that could make a difference for a source (code points or UTF-16
units, a BOM counted or not, CRLF as one or two) and keeps the one under which the selections
agree best with the text; a :class:`PositionMap` then maps the tool's positions onto code points
of the text as qualcode stores it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..core.errors import UserError
from ..core.text import normalize_text
from .read import RSelection, RSource


@dataclass(frozen=True, slots=True)
class PositionModel:
    """How a tool counted the positions in a source's text."""

    utf16: bool = False  # UTF-16 code units rather than code points
    bom: bool = False  # a byte-order mark at the start counts as a character
    crlf_two: bool = True  # CRLF counts as two characters (as written) rather than one

    def describe(self) -> str:
        parts = ["UTF-16 units" if self.utf16 else "code points"]
        parts.append("BOM counted" if self.bom else "BOM not counted")
        parts.append("CRLF as two" if self.crlf_two else "CRLF as one")
        return ", ".join(parts)


class PositionMap:
    """Maps a tool's positions in the raw text of a source to code points of qualcode's stored text."""

    def __init__(self, raw: str, model: PositionModel):
        self.model = model
        expected = normalize_text(raw)
        plain = not raw.startswith("\ufeff") and "\r" not in raw and "\u2028" not in raw and "\u2029" not in raw
        if plain and expected == raw and (not model.utf16 or all(ord(c) <= 0xFFFF for c in raw)):
            self.text, self._units, self._points, self.length = raw, None, None, len(raw)
            return
        units, points, pieces = [0], [0], []
        u = p = 0
        i, n = 0, len(raw)
        while i < n:
            ch = raw[i]
            if i == 0 and ch == "\ufeff":
                step, piece, i = (1 if model.bom else 0), "", i + 1
            elif ch == "\r" and raw.startswith("\r\n", i):
                step, piece, i = (2 if model.crlf_two else 1), "\n", i + 2
            elif ch in "\r\u2028\u2029":
                step, piece, i = 1, "\n", i + 1
            else:
                j = i + 1
                while j < n and unicodedata.combining(raw[j]):
                    j += 1
                cluster = raw[i:j]
                piece = unicodedata.normalize("NFC", cluster)
                step = sum(2 if model.utf16 and ord(c) > 0xFFFF else 1 for c in cluster)
                i = j
            u += step
            p += len(piece)
            pieces.append(piece)
            units.append(u)
            points.append(p)
        text = "".join(pieces)
        if text != expected:
            raise ValueError("unusual Unicode composition")
        self.text, self._units, self._points, self.length = text, units, points, u

    def start(self, position: int) -> int | None:
        if not 0 <= position <= self.length:
            return None
        if self._units is None or self._points is None:
            return position
        i = bisect_right(self._units, position) - 1
        return self._points[i]

    def end(self, position: int) -> int | None:
        if not 0 <= position <= self.length:
            return None
        if self._units is None or self._points is None:
            return position
        i = bisect_left(self._units, position)
        return self._points[i]


def _default_models(origin: str) -> list[PositionModel]:
    """Models in order of preference for a tool, used when the selections cannot tell."""
    o = origin.casefold()
    if "nvivo" in o:
        first = PositionModel(utf16=True, bom=False, crlf_two=True)
    elif "atlas" in o or "qualcoder" in o:
        first = PositionModel(utf16=True, bom=False, crlf_two=False)
    else:
        first = PositionModel(utf16=False, bom=False, crlf_two=True)
    models = [first]
    for utf16 in (first.utf16, not first.utf16):
        for crlf_two in (first.crlf_two, not first.crlf_two):
            for bom in (first.bom, not first.bom):
                m = PositionModel(utf16, bom, crlf_two)
                if m not in models:
                    models.append(m)
    return models


_WORD = re.compile(r"\w")
_GENERIC_NAME = re.compile(r"^(quotation|sitat|selection|segment|coding)?\s*[\d:.\s-]*$", re.IGNORECASE)


def _score(mapper: PositionMap, selections: list[RSelection]) -> int:
    """How well selections fit a text under one way of counting: names that are the selected text
    (ATLAS.ti and qualcode write them), and ends that fall on word boundaries, not on white space."""
    text = mapper.text
    score = 0
    for sel in selections:
        s, e = mapper.start(sel.start), mapper.end(sel.end)
        if s is None or e is None or e <= s:
            score -= 5
            continue
        name = " ".join(sel.name.split())
        if len(name) >= 4 and not _GENERIC_NAME.match(name):
            found = re.sub(r"\s+", " ", text[s:e])
            if name.endswith(("…", "...")):  # the first words, cut
                score += 4 if found.startswith(name.rstrip("…").rstrip(".").rstrip()) else 0
            elif found == name:
                score += 4
            elif name in found:
                score += 1
        if (s == 0 or not (_WORD.match(text[s - 1]) and _WORD.match(text[s]))) and not text[s].isspace():
            score += 1
        if (e == len(text) or not (_WORD.match(text[e - 1]) and _WORD.match(text[e]))) and not text[e - 1].isspace():
            score += 1
    return score


def choose_positions(source: RSource, origin: str) -> PositionMap:
    """The way of counting under which this source's selections fit its text best."""
    raw = source.raw
    relevant = []
    for model in _default_models(origin):
        if not raw.startswith("\ufeff") and model.bom:
            continue
        if "\r\n" not in raw and not model.crlf_two:
            continue
        if model.utf16 and all(ord(c) <= 0xFFFF for c in raw):
            continue
        relevant.append(model)
    if not relevant:
        relevant = [PositionModel(utf16=False, bom=False, crlf_two=True)]
    best: PositionMap | None = None
    best_score: int | None = None
    for model in relevant:
        try:
            mapper = PositionMap(raw, model)
        except ValueError:
            raise UserError(f"source {source.name!r} uses an unusual Unicode composition; its positions cannot be "
                            "mapped safely") from None
        if len(relevant) == 1 or not source.selections:
            return mapper
        score = _score(mapper, source.selections)
        if best_score is None or score > best_score:
            best, best_score = mapper, score
    assert best is not None  # relevant is never empty
    return best

"""How another tool counted positions in a source's text, worked out from its selections.

REFI-QDA says positions are characters, and tools disagree on what a character is (see
:mod:`.write`): NVivo for Windows counts UTF-16 units of a text with a BOM and CRLF line endings,
ATLAS.ti counts CRLF as one, QualCoder writes a BOM it does not count. :func:`choose_positions`
tries each way of counting that could make a difference for a source (code points or UTF-16
units, a BOM counted or not, CRLF as one or two) and keeps the one under which the selections
agree best with the text; a :class:`PositionMap` then maps the tool's positions onto code points
of the text as qualcode stores it. What this costs grows with the text's special places (line
breaks, characters outside the BMP, combining marks), not with its length, and the ways of
counting share one reading of the text (bench/bench_refi.py).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
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


class _Layout:
    """What every way of counting shares for one raw text, found in time proportional to its
    special places rather than to its length.

    The text splits into *clusters*, as it is read: the BOM at the start; CRLF, a lone CR, U+2028
    and U+2029 (each a newline); and otherwise a character with the combining marks after it.
    A cluster becomes its NFC form in qualcode's text, and a position inside it snaps to its
    start or end. Most clusters are *regular*: one character that NFC leaves alone, one position
    in every way of counting, one code point of the stored text. Only the others are kept here
    (the BOM, line breaks, characters outside the BMP, characters NFC changes, characters with
    combining marks), in the order of the text; every position between two of them maps one to
    one. For the ways of counting to differ, it is enough to know how many CRLFs and characters
    outside the BMP come before each.
    """

    __slots__ = ("astral", "bom", "composes", "crlfs", "expected", "plain", "points", "raw", "spans", "wide")

    def __init__(self, raw: str):
        self.raw = raw
        self.expected = normalize_text(raw)  # the text every way of counting gives (or none does)
        self.bom = raw.startswith("\ufeff")
        self.plain = (not self.bom and "\r" not in raw and "\u2028" not in raw and "\u2029" not in raw
                      and self.expected == raw)
        self.astral = _ASTRAL.search(raw) is not None
        # Per special cluster k: where it starts and ends in the raw text (spans[2k], spans[2k+1])
        # and in qualcode's text (points[2k], points[2k+1]); how many CRLFs and characters outside
        # the BMP come before it (crlfs[k], wide[k]; one more entry: those in the whole text).
        self.spans: list[int] = []
        self.points: list[int] = []
        self.crlfs: list[int] = [0]
        self.wide: list[int] = [0]
        self.composes: bool | None = None  # whether the clusters, normalised one by one, make the text

    def scan(self) -> bool:
        """Find the special clusters (once) and say whether positions can be mapped at all."""
        if self.composes is not None:
            return self.composes
        raw = self.raw
        spans, points, crlfs, wide = self.spans, self.points, self.crlfs, self.wide
        parts: list[str] = []  # qualcode's text as the clusters make it
        crlf = astral = shift = last = 0  # shift: code points of qualcode's text minus raw ones
        if self.bom:
            spans += (0, 1)
            points += (0, 0)
            crlfs.append(0)
            wide.append(0)
            shift, last = -1, 1
        normalize = unicodedata.normalize
        for match in _special_pattern(raw).finditer(raw, last):
            i, j = match.span()
            cluster = match.group()
            if cluster == "\r\n":
                piece = "\n"
                crlf += 1
            elif j - i == 1 and cluster in _BREAKS:
                piece = "\n"
            else:
                piece = normalize("NFC", cluster)
                if cluster > "\uffff" or j - i > 1:
                    astral += sum(ch > "\uffff" for ch in cluster)
            parts.append(raw[last:i])
            parts.append(piece)
            spans += (i, j)
            points += (i + shift, i + shift + len(piece))
            crlfs.append(crlf)
            wide.append(astral)
            shift += len(piece) - (j - i)
            last = j
        parts.append(raw[last:])
        # Composition across clusters (Hangul jamo, say) would make positions unsafe to map.
        self.composes = "".join(parts) == self.expected
        return self.composes


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BREAKS = "\r\u2028\u2029"


def _special_pattern(raw: str) -> re.Pattern[str]:
    """A pattern for the special clusters of ``raw``, built from the characters it holds: line
    breaks; a character followed by combining marks; a character outside the BMP or one that NFC
    changes on its own (ANGSTROM SIGN, say)."""
    alternatives = ["\r\n", f"[{_BREAKS}]"]
    if not raw.isascii():
        marks, singles = [], []
        for ch in set(raw):
            if ch in _BREAKS:
                continue
            if unicodedata.combining(ch):
                marks.append(re.escape(ch))
            if ch > "\uffff" or unicodedata.normalize("NFC", ch) != ch:
                singles.append(re.escape(ch))
        if marks:
            alternatives.append(f"[^{_BREAKS}][{''.join(sorted(marks))}]+")
        if singles:
            alternatives.append(f"[{''.join(sorted(singles))}]")
    return re.compile("|".join(alternatives))


class PositionMap:
    """Maps a tool's positions in the raw text of a source to code points of qualcode's stored text.

    Made in constant time from a :class:`_Layout` (which the ways of counting that
    :func:`choose_positions` tries share): a position is found by bisection among the special
    clusters, each one's place in the tool's positions worked out as it is looked at.
    """

    def __init__(self, raw: str, model: PositionModel, layout: _Layout | None = None):
        self.model = model
        if layout is None or layout.raw is not raw:
            layout = _Layout(raw)
        self.text = layout.expected
        self._layout: _Layout | None = None
        self.length = len(raw)
        if layout.plain and (not model.utf16 or not layout.astral):
            return  # positions are code points of the text as it is
        if not layout.scan():
            raise ValueError("unusual Unicode composition")
        self._layout = layout
        self._utf16 = 1 if model.utf16 else 0  # per character outside the BMP before a place
        self._crlf = 0 if model.crlf_two else 1  # less per CRLF before it
        self._bom = 1 if layout.bom and not model.bom else 0  # less after the BOM
        self._count = len(layout.crlfs) - 1
        self.length += self._shift(self._count)

    def _shift(self, k: int) -> int:
        """The tool's positions minus raw code points, before special cluster ``k``."""
        assert self._layout is not None
        return (self._utf16 * self._layout.wide[k] - self._crlf * self._layout.crlfs[k]
                - (self._bom if k else 0))

    def _unit_end(self, k: int) -> int:
        assert self._layout is not None
        return self._layout.spans[2 * k + 1] + self._shift(k + 1)

    def _find(self, position: int) -> tuple[int, bool]:
        """How many special clusters end at or before ``position``, and whether it lies inside the next."""
        assert self._layout is not None
        k = bisect_right(range(self._count), position, key=self._unit_end)
        return k, k < self._count and self._layout.spans[2 * k] + self._shift(k) < position

    def _point(self, position: int, snap: int) -> int | None:
        if not 0 <= position <= self.length:
            return None
        if self._layout is None:
            return position
        k, inside = self._find(position)
        if inside:
            return self._layout.points[2 * k + snap]
        if k == 0:
            return position
        return self._layout.points[2 * k - 1] + position - self._unit_end(k - 1)

    def start(self, position: int) -> int | None:
        """Where a selection starting at ``position`` starts in qualcode's text (a cluster's start)."""
        return self._point(position, 0)

    def end(self, position: int) -> int | None:
        """Where a selection ending at ``position`` ends in qualcode's text (a cluster's end)."""
        return self._point(position, 1)


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
    layout = _Layout(raw)
    relevant = []
    for model in _default_models(origin):
        if not raw.startswith("\ufeff") and model.bom:
            continue
        if "\r\n" not in raw and not model.crlf_two:
            continue
        if model.utf16 and not layout.astral:
            continue
        relevant.append(model)
    if not relevant:
        relevant = [PositionModel(utf16=False, bom=False, crlf_two=True)]
    best: PositionMap | None = None
    best_score: int | None = None
    for model in relevant:
        try:
            mapper = PositionMap(raw, model, layout)
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

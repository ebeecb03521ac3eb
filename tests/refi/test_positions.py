"""Mapping another tool's positions: the fast map (special places found by pattern, positions by
bisection) gives exactly what the straightforward walk over every character gave, for every way of
counting, on generated texts with BOMs, CRLF, lone CR, emoji, combining marks and other oddities."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_left, bisect_right

import pytest

from qualcode.core.errors import UserError
from qualcode.core.text import normalize_text
from qualcode.refi.positions import PositionMap, PositionModel, _default_models, _score, choose_positions
from qualcode.refi.read import RSelection, RSource

MODELS = [PositionModel(utf16, bom, crlf_two) for utf16 in (False, True) for bom in (False, True)
          for crlf_two in (False, True)]


class ReferenceMap:
    """The map as it was first written: a walk over every character, two lists the text's length."""

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
        return self._points[bisect_right(self._units, position) - 1]

    def end(self, position: int) -> int | None:
        if not 0 <= position <= self.length:
            return None
        if self._units is None or self._points is None:
            return position
        return self._points[bisect_left(self._units, position)]


def reference_choose(source: RSource, origin: str):
    """choose_positions as it was first written, on the reference map."""
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
    best, best_score = None, None
    for model in relevant:
        mapper = ReferenceMap(raw, model)
        if len(relevant) == 1 or not source.selections:
            return mapper
        score = _score(mapper, source.selections)  # type: ignore[arg-type]
        if best_score is None or score > best_score:
            best, best_score = mapper, score
    return best


# Pieces a generated text is made of, with how often each is drawn.
PIECES = [
    ("Det ga meg håp ", 6), ("vi ", 4), ("æøå ", 3), ("ÆØÅ", 1), ("a", 4), ("b", 2), (" ", 6), ("\n", 2),
    ("\r\n", 5), ("\r", 2), ("\r\n\r\n", 2), ("\u2028", 1), ("\u2029", 1),
    ("😊", 3), ("👍🏽", 1), ("\U0001f600\u0301", 1),  # emoji, with a skin tone, one with a combining mark
    ("\U0001d158\U0001d165", 1),  # a combining mark outside the BMP, after a character outside it
    ("e\u0301", 3), ("ide\u0301", 2), ("a\u030a", 1), ("o\u0308\u0301", 1), ("q\u0323\u0301", 1),  # decomposed
    ("\u0301", 1), ("\u0308\u0323", 1),  # combining marks with no base before them (at the start, after a CR)
    ("é", 2), ("\u212b", 1), ("\u2126", 1), ("\u0344", 1), ("\ufb2c", 1), ("\U0002f800", 1),  # NFC changes these
    ("\ufeff", 1), ("\u00a0", 1), ("—", 1), ("\t", 1),
]
HANGUL = [("\u1100\u1161", 1)]  # jamo that NFC composes across clusters: no model can map them


def generate(rng: random.Random, pieces=PIECES) -> str:
    texts, weights = zip(*pieces)
    body = "".join(rng.choices(texts, weights, k=rng.randint(0, 18)))
    return ("\ufeff" if rng.random() < 0.4 else "") + body


def outcome(make, raw: str, model: PositionModel):
    """Everything a map says about a text: its text, length and every position's start and end."""
    try:
        mapper = make(raw, model)
    except ValueError as exc:
        return ("error", str(exc))
    return described(mapper)


def described(mapper):
    positions = range(-2, mapper.length + 3)
    return (mapper.text, mapper.length, [mapper.start(p) for p in positions], [mapper.end(p) for p in positions])


@pytest.mark.parametrize("seed", range(8))
def test_the_map_is_the_reference_walk_for_every_model(seed):
    rng = random.Random(seed)
    pieces = PIECES + HANGUL if seed % 4 == 3 else PIECES
    for _ in range(250):
        raw = generate(rng, pieces)
        for model in MODELS:
            assert outcome(PositionMap, raw, model) == outcome(ReferenceMap, raw, model), (raw, model)


@pytest.mark.parametrize("raw", [
    "", "\ufeff", "\r", "\r\n", "\ufeff\r\n", "\ufeff\u0301x", "\r\n\u0301", "\r\u0301\u0302", "\u0301\u0302a",
    "ab\u0301", "😊", "😊\u0301", "\ufeff\ufeff", "e\u0301\r\n😊\u2028\u0344", "\u1100\u1161", "\r\n\u1100\u1161",
    "q\u0301", "q\u0301\r", "x\u0323\u0301", "x\u0301\u0323", "\U0002f800", "\u212b\u0301",
])
def test_the_map_is_the_reference_walk_on_edge_cases(raw):
    for model in MODELS:
        assert outcome(PositionMap, raw, model) == outcome(ReferenceMap, raw, model), model


def selections_for(rng: random.Random, raw: str, n: int) -> list[RSelection]:
    """Random selections: some on word boundaries of the raw text, named after it or not, some anywhere."""
    out = []
    for k in range(n):
        a, b = sorted(rng.randint(-1, len(raw) + 2) for _ in range(2))
        name = raw[max(a, 0):b] if k % 3 == 0 else ("Koding 3" if k % 3 == 1 else "")
        out.append(RSelection(f"S{k}", name, a, b, "", [], []))
    return out


@pytest.mark.parametrize("origin", ["NVivo 14 (Windows)", "ATLAS.ti 9", "QualCoder 3.6", "MAXQDA 2022", "qualcode"])
def test_choosing_a_way_of_counting_is_what_it_was(origin):
    rng = random.Random(origin)
    for _ in range(200):
        raw = generate(rng)
        source = RSource("G", "Fokusgruppe", raw, selections_for(rng, raw, rng.randint(0, 6)), [], [], {})
        try:
            expected = reference_choose(source, origin)
        except ValueError:
            with pytest.raises(UserError, match="unusual Unicode composition"):
                choose_positions(source, origin)
            continue
        assert expected is not None
        chosen = choose_positions(source, origin)
        assert chosen.model == expected.model, raw
        assert described(chosen) == described(expected), raw


def test_a_long_text_is_mapped_without_a_list_the_size_of_the_text():
    """A 1 MB text with a BOM, CRLF endings and emoji keeps lists of its special places only."""
    turn = "P1: Det ga meg håp å høre historien hans 😊\r\n\r\n"
    raw = "\ufeff" + turn * 20_000
    mapper = PositionMap(raw, PositionModel(utf16=True, bom=False, crlf_two=True))
    assert mapper._count == 3 * 20_000 + 1  # two CRLFs and an emoji a turn, and the BOM
    units = len(turn.encode("utf-16-le")) // 2
    at = 5 * units + turn.index("håp")
    points = 5 * len(normalize_text(turn)) + turn.index("håp")
    assert mapper.start(at) == points and mapper.text[points:points + 3] == "håp"
    emoji = 7 * units + turn.index("😊")
    assert mapper.start(emoji + 1) == mapper.end(emoji) and mapper.end(emoji + 1) == mapper.start(emoji) + 1


def test_text_that_composes_across_clusters_is_refused_with_the_source_named():
    raw = "\ufeffHei\r\n\u1100\u1161 og s\u00e5 videre"  # Hangul jamo: NFC joins them into one syllable
    source = RSource("G", "Fokusgruppe 2", raw, selections_for(random.Random(3), raw, 4), [], [], {})
    with pytest.raises(UserError, match="'Fokusgruppe 2' uses an unusual Unicode composition"):
        choose_positions(source, "NVivo 14 (Windows)")

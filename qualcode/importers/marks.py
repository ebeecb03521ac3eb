"""Transcription marks: what in a transcript's text is not spoken words.

Transcribers and transcription tools write more than words: pauses (``(.)``, ``(..)``, ``(...)``,
``(3)`` in f4, ``(12 seconds pause)`` in noScribe), sounds and events (``[latter]``, ``(ler)``,
``(unv.)``), overlapping speech (``//S02: ja, ikke sant//``) and time marks (``[00:01:02]``,
``#00:01:02-3#`` at the end of an f4 paragraph, aTrain's ``[00:01:02] - ``). :func:`find_marks`
finds them all in one linear pass with bounded patterns (a 5 MB line is no problem), and each
becomes a :class:`~qualcode.core.parsed.ParsedAnnotation` of the stored text.

A bracket is only a mark when its content is known to be one: ``[navn]`` or ``(se over)`` stay
text, since a placeholder for a removed name is part of what was said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from qualcode.importers.labels import parse_clock

# The words inside brackets that make a sound or event mark, compared casefolded without a
# trailing full stop. The first word decides: "(ler litt)", "[latter i rommet]".
SOUND_WORDS = frozenset({
    # Norwegian (bokmål and nynorsk)
    "latter", "ler", "humrer", "humring", "fniser", "fnis", "flirer", "smiler", "kremt", "kremter",
    "host", "hoster", "hosting", "sukk", "sukker", "gjesp", "gjesper", "gråt", "gråter", "snufser",
    "puster", "pust", "klapp", "klapper", "applaus", "musikk", "støy", "bakgrunnsstøy", "telefon",
    "telefonen", "mobil", "banking", "banker", "avbrudd", "avbrytelse", "uforståelig",
    "uforståelige", "uhørbart", "uhørlig", "uklart", "utydelig", "mumler", "mumling", "hvisker",
    "nikker", "rister", "lyd", "latteren",
    # English
    "laughter", "laughs", "laughing", "laugh", "chuckles", "chuckle", "giggles", "coughs", "cough",
    "sighs", "sigh", "inaudible", "unintelligible", "crosstalk", "applause", "music", "noise",
    # German (f4 and noScribe conventions)
    "lacht", "lachen", "lachend", "seufzt", "räuspert", "hustet", "unv", "unverständlich",
    "schmunzelt", "atmet",
})
# "(alle ler)", "(flere snakker)": only with a sound word after them.
_SOUND_LEADS = frozenset({"alle", "flere"})
_SOUND_SECOND = frozenset({"ler", "snakker", "samtidig", "latter", "av", "i"})

# A bracket whose content holds one of these words is a pause: "[pause]", "(lang pause)",
# noScribe's "(12 seconds pause)", "(2 minute[s] pause)", "(12 Sekunden Pause)", "(12 segundos
# de pausa)", "(12 секунд паузы)".
PAUSE_WORDS = frozenset({"pause", "pausa", "pauser", "paus", "паузы", "пауза", "stillhet",
                         "taushet", "stille", "silence"})
_PAUSE_CJK = ("休止", "暂停")
_DOTS = frozenset({".", "..", "...", "…", ". .", ". . ."})
_SECONDS = re.compile(r"\d{1,3}(?:[.,]\d)?[ \t]?(?:s|sek|sek\.|sekund|sekunder|sec|secs|seconds?|"
                      r"sekunden)?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?(?:[.,](\d{1,3}))?")

_MARK = re.compile(
    # every mark starts with one of these: the lookahead lets the scan skip other text fast
    r"(?=[\[#/(])(?:"
    # [00:01:02], with aTrain's " -" after it
    r"(?P<time>\[(?P<clock>\d{1,2}:[0-5]\d:[0-5]\d(?:[.,]\d{1,3})?)\](?P<dash>[ \t]-(?=[ \t]|$))?)"
    # f4's #00:01:02-3# (tenths) or #00:01:02.345#, at the end of a paragraph
    r"|(?P<f4>#(?P<f4clock>\d{1,2}:[0-5]\d:[0-5]\d)(?:-(?P<tenths>\d{1,2})|[.,](?P<frac>\d{1,3}))?#)"
    # // before overlapping speech, with its speaker (//S02:) or alone; not the // of a URL
    r"|//(?<![:/]//)(?!/)(?:(?P<olabel>[^\W\d_][\w'’\-. ]{0,29}?):(?=[ \t]|$))?"
    r"|\[(?P<square>[^\[\]\n]{1,60})\]"
    r"|\((?P<round>[^()\n]{1,60})\))",
    re.MULTILINE,
)
# A bare clock at the start of a line, as labels.py reads it ("00:01:02 P1: ..."); tried at line
# starts only, so that the pattern above keeps its fast scan for its first characters.
_BARE = re.compile(r"[ \t]*(\d{1,3}:[0-5]\d(?::[0-5]\d)?(?:[.,]\d{1,3})?)(?=[ \t\n]|$)")


class Mark(NamedTuple):
    """One mark: ``kind`` as in ParsedAnnotation; for time marks ``seconds`` and ``after`` (an
    f4 mark, which closes the paragraph before it); for ``//Label:`` the label and where the
    speech after it starts."""

    start: int
    end: int
    kind: str
    seconds: float | None = None
    after: bool = False
    label: str | None = None
    body: int = 0


@lru_cache(maxsize=4096)
def classify_bracket(content: str, *, round_brackets: bool, numeric_pauses: bool = False) -> str | None:
    """``pause``, ``sound``, ``time`` or None (not a mark) for the content of a bracket."""
    inner = content.strip()
    if not inner:
        return None
    if round_brackets and (inner in _DOTS or (len(inner) <= 12 and not inner.strip("."))):
        return "pause"  # noScribe writes a dot a second, up to nine
    if _CLOCK.fullmatch(inner):
        return "time"
    if _SECONDS.fullmatch(inner) and (numeric_pauses or not inner.isdigit()):
        return "pause"
    folded = unicodedata.normalize("NFC", inner).casefold()
    words = [w.strip(".,;:!?") for w in folded.replace("[", " ").replace("]", " ").split()]
    if not words:
        return None
    if any(w in PAUSE_WORDS for w in words) or any(cjk in folded for cjk in _PAUSE_CJK):
        return "pause"
    first = words[0]
    if first in _SOUND_LEADS:
        return "sound" if len(words) > 1 and words[1] in _SOUND_SECOND else None
    if first in SOUND_WORDS and len(words) <= 6:
        return "sound"
    return None


def find_marks(text: str, start: int = 0, end: int | None = None, *,
               numeric_pauses: bool = False) -> list[Mark]:
    """Every mark in ``text[start:end]``, in order. ``numeric_pauses`` reads ``(3)`` as a pause of
    three seconds, as f4 transcripts write it (elsewhere it may be a list number)."""
    end = len(text) if end is None else end
    marks: list[Mark] = []
    for m in _MARK.finditer(text, start, end):
        if m.group("time") is not None:
            marks.append(Mark(m.start(), m.end(), "time", parse_clock(m.group("clock"))))
        elif m.group("f4") is not None:
            seconds = parse_clock(m.group("f4clock")) or 0.0
            if m.group("tenths"):
                seconds += int(m.group("tenths")) / 10 ** len(m.group("tenths"))
            elif m.group("frac"):
                seconds += int(m.group("frac")) / 10 ** len(m.group("frac"))
            marks.append(Mark(m.start(), m.end(), "time", seconds, after=True))
        elif m.group(0).startswith("//"):
            if m.start() > 0 and text[m.start() - 1].isalnum() and m.start() + 2 < len(text) \
                    and text[m.start() + 2].isalnum():
                continue  # a//b: part of a word or an address, not an overlap mark
            label = m.group("olabel")
            if label is not None and label.rstrip() == label:
                marks.append(Mark(m.start(), m.start() + 2, "overlap", label=label, body=m.end()))
            else:
                marks.append(Mark(m.start(), m.start() + 2, "overlap"))
        else:
            square = m.group("square")
            content = square if square is not None else m.group("round")
            kind = classify_bracket(content, round_brackets=square is None, numeric_pauses=numeric_pauses)
            if kind == "time":
                marks.append(Mark(m.start(), m.end(), "time", parse_clock(content)))
            elif kind is not None:
                marks.append(Mark(m.start(), m.end(), kind))
    bare = []
    if start == 0 or text[start - 1] == "\n":
        line = start
    else:
        newline = text.find("\n", start, end)
        line = newline + 1 if newline >= 0 else end
    while line < end:
        found = _BARE.match(text, line, end)
        if found is not None:
            bare.append(Mark(found.start(1), found.end(1), "time", parse_clock(found.group(1))))
        following = text.find("\n", line, end)
        if following < 0:
            break
        line = following + 1
    if bare:
        marks = sorted(marks + bare, key=lambda mark: mark.start)
    return marks


_CLOSERS = "\"'»”’)]}*_ \t\n"
_SENTENCE_ENDS = ".?!…。？！"


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence (``.``, ``?``, ``!``, ``…``, also before a closing quote or
    bracket). ``--`` and a trailing comma do not."""
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_ENDS


def has_words(text: str, start: int, end: int, marks: list[Mark]) -> bool:
    """Whether ``text[start:end]`` holds a letter or digit outside the marks (sorted)."""
    pos = start
    for mark in marks:
        if mark.end <= pos:
            continue
        if mark.start >= end:
            break
        if any(ch.isalnum() for ch in text[pos:max(pos, mark.start)]):
            return True
        pos = max(pos, mark.end if mark.label is None else mark.body)
    return any(ch.isalnum() for ch in text[pos:end])

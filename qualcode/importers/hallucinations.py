"""Lines speech recognition invents in silence: the one list of them, and how they are compared.

Whisper (and the tools built on it: noScribe, aTrain, Whisper's own SRT) was trained on subtitled
video, so in a pause, in music or in noise it may "hear" the subtitle credits and sign-offs that
closed its training videos: *Undertekster av Amara.org-fellesskapet*, *Teksting av Nicolai
Winther*, *Takk for at du så på!*. Nobody said them, and a researcher should not code them. The
importers report such turns (``ParsedTranscript.suspect_turns``) rather than dropping them; the
researcher decides.

A line is compared after :func:`normalise` (case, accents in the composed form, punctuation and
white space do not matter). It is suspect when it *is* one of :data:`PHRASES`, or when it is a
short credit line that starts with one of :data:`CREDIT_PREFIXES` ("Teksting av" and a name).
"""

from __future__ import annotations

import re
import unicodedata

#: Whole lines that are suspect, as Whisper writes them (Norwegian, Danish, Swedish, English).
PHRASES = (
    # Norwegian
    "Undertekster av Amara.org-fellesskapet",
    "Undertekster av Amara.org-samfunnet",
    "Teksting av Amara.org-fellesskapet",
    "Tekst av Amara.org-fellesskapet",
    "Teksting av Nicolai Winther",
    "Takk for at du så på!",
    "Takk for at dere så på!",
    "Takk for at du så på videoen!",
    "Takk for at du så!",
    "Takk for at du lyttet!",
    "Takk for at du har sett på!",
    "Abonner på kanalen!",
    "Husk å abonnere på kanalen!",
    "Lik og abonner!",
    "Vi ses i neste video!",
    "Norsk tekst",
    # Danish and Swedish, which Whisper also hears in Norwegian audio
    "Undertekster af Amara.org-fællesskabet",
    "Tak for at se med!",
    "Tack för att du tittade!",
    "Tack för att ni tittade!",
    "Textning.nu",
    "Svensktextning.nu",
    # English
    "Subtitles by the Amara.org community",
    "Thank you for watching!",
    "Thanks for watching!",
    "Thank you so much for watching!",
    "Please subscribe to my channel!",
    "Please like and subscribe!",
    "Don't forget to like and subscribe!",
    "See you in the next video!",
)

#: Credit lines: one of these, then a name (at most :data:`CREDIT_MAX_WORDS` words in all).
CREDIT_PREFIXES = (
    "Teksting av", "Tekstet av", "Undertekster av", "Undertekst av", "Tekst av", "Oversatt av",
    "Norsk tekst:", "Tekstning af", "Undertekster af", "Text av", "Undertexter av",
    "Subtitles by", "Subtitled by", "Captions by", "Transcription by", "Transcribed by",
    "Translated by",
)
CREDIT_MAX_WORDS = 6

_NOT_WORD = re.compile(r"[\W_]+")


def normalise(line: str) -> str:
    """Casefolded, NFKC, every run of punctuation and white space one space, trimmed."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", line).casefold()).strip()


#: A quick first test: every phrase and credit line contains one of these (tested), so a text
#: without any of them needs no closer look.
TRIGGERS = ("amara", "tekst", "takk for", "abonner", "lik og", "neste video", "oversatt", "tak for",
            "tack för", "subtitle", "caption", "transcri", "translated", "watching", "subscribe",
            "next video", "undertex", "textning", "text av")

_PHRASE_KEYS = frozenset(normalise(p) for p in PHRASES)
_CREDIT_KEYS = tuple(normalise(p) + " " for p in CREDIT_PREFIXES)


def may_hold_hallucination(text: str, start: int = 0, end: int | None = None) -> bool:
    """False when ``text[start:end]`` certainly holds none of the lines (a fast scan)."""
    lowered = text[start:end].lower()
    return any(trigger in lowered for trigger in TRIGGERS)


def is_hallucination(line: str) -> bool:
    """Whether ``line`` (a sentence, a cue, a segment) is one of the lines Whisper invents."""
    if len(line) > 200 or not may_hold_hallucination(line):
        return False
    key = normalise(line)
    if not key:
        return False
    if key in _PHRASE_KEYS:
        return True
    return key.startswith(_CREDIT_KEYS) and len(key.split()) <= CREDIT_MAX_WORDS

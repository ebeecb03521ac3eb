"""The one text model every layer shares.

A transcript's stored text is decoded, has its BOM removed, line endings normalised to ``\\n``
and is in Unicode NFC. Every offset in qualcode (turns, codings, exports) is a code-point offset
into that stored text: Python ``str`` indices, ``text[start:end]``.
"""

from __future__ import annotations

import unicodedata

from .errors import UserError

BOM = "\ufeff"


def normalize_text(text: str) -> str:
    """Return ``text`` as qualcode stores it: no BOM, ``\\n`` line endings, NFC."""
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # U+2028/2029 are line breaks to some editors and not to others; make them plain newlines.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return unicodedata.normalize("NFC", text)


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


def count_words(text: str) -> int:
    """Words as a reader counts them: runs separated by white space."""
    return len(text.split())


def format_timestamp(seconds: float | None) -> str | None:
    """``hh:mm:ss`` for a time in seconds, as transcripts write it."""
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def check_coder(coder: str | None) -> str:
    """A coder's name as every part of qualcode accepts it (CLI, workbench, store): short
    initials or a name without spaces. Returns it stripped; a :class:`UserError` otherwise."""
    coder = (coder or "").strip()
    if not coder:
        raise UserError("say who is coding (for example your initials, with --coder on the command line)")
    if len(coder) > 40 or any(ch.isspace() for ch in coder):
        raise UserError(f"coder name {coder!r} must be a short name without spaces, like initials")
    return coder


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 unit``, ``2 units``, ``0 units``: a count with its noun in the right number (``many``
    defaults to ``one`` + ``s``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}".replace(",", " ")

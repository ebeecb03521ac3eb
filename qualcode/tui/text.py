"""Small text helpers the screens share: counts with their noun, one-line shortening."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters, for tables and lists."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"

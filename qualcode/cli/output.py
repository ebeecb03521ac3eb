"""Printing for the CLI: aligned tables for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any


def _plain(value: Any) -> Any:
    """What json cannot write by itself: a meaning unit as its dict, anything else as text."""
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if as_dict is not None else str(value)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_plain))
    sys.stdout.write("\n")


def emit_json_list(items: Iterable[Any]) -> None:
    """``emit_json(list(items))``, byte for byte, written as the items come: the first is on
    stdout before the last is read, and the list is never held whole. An error before the first
    item leaves stdout empty, as :func:`emit_json` would."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=_plain)
    write = sys.stdout.write
    separator = "[\n  "
    for item in items:
        # An item on its own, one level in: JSON text has no raw newline inside a string, so
        # indenting each line is exactly what json.dumps does for an item of a list.
        write(separator + encoder.encode(item).replace("\n", "\n  "))
        separator = ",\n  "
    write("[]\n" if separator == "[\n  " else "\n]\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> str:
    """A plain text table; ``right`` names the column numbers to right-align (numbers)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def wrap(text: str, indent: int) -> str:
    import shutil  # here: shutil brings zlib, bz2 and lzma, which most commands never need

    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    lines = []
    for paragraph in text.split("\n"):
        lines.extend(
            textwrap.wrap(paragraph, width=width, initial_indent=" " * indent, subsequent_indent=" " * indent)
            or [""]
        )
    return "\n".join(lines)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)

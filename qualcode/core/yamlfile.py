"""YAML that remembers where things are, so errors can say ``file:line``.

Every mapping read through :func:`parse_yaml` carries two extra keys: ``__line__`` (the line it
starts on) and ``__lines__`` (the line of each of its keys). A key given twice in one mapping is
an error rather than PyYAML's silent last-one-wins. Files are read within the limits of
:mod:`qualcode.core.limits` (size, aliases, nesting), checked before anything is built.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from . import limits
from .errors import UserError


@functools.cache
def _loader_class() -> type[Any]:
    """The loader class, made on first use: PyYAML is imported only when a YAML file is read."""
    import yaml

    class _LineLoader(yaml.SafeLoader):
        """PyYAML's safe loader, with line numbers, and with limits checked while the document is
        composed (before anything is built from it): aliases in number and in the text they stand
        for, and nesting depth (PyYAML composes and constructs recursively, so a few hundred levels
        would end in a RecursionError). See :mod:`qualcode.core.limits`."""

        def __init__(self, stream):
            super().__init__(stream)
            self._weights: dict[int, int] = {}  # id(node) -> characters it stands for, written out
            self._aliases = 0
            self._expanded = 0  # characters all aliases so far stand for
            self._depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                node = super().compose_node(parent, index)
                self._aliases += 1
                self._expanded += self._weights.get(id(node), 1)
                if self._aliases > limits.YAML_MAX_ALIASES:
                    raise UserError(f"more than {limits.YAML_MAX_ALIASES} aliases (*{event.anchor}); the limit for one "
                                    "YAML file", path=self.name, line=line)
                if self._expanded > limits.YAML_MAX_EXPANDED_CHARS:
                    raise UserError(f"aliases (*{event.anchor}) expand the file past "
                                    f"{limits.size_text(limits.YAML_MAX_EXPANDED_CHARS)} (the limit for YAML aliases); "
                                    "write the text out where it is needed", path=self.name, line=line)
                return node
            self._depth += 1
            if self._depth > limits.YAML_MAX_DEPTH:
                raise UserError(f"lists and mappings nested deeper than {limits.YAML_MAX_DEPTH} levels (the limit "
                                "for YAML)", path=self.name, line=line)
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            if isinstance(node, yaml.ScalarNode):
                weight = len(node.value) + 1
            elif isinstance(node, yaml.SequenceNode):
                weight = 1 + sum(self._weights.get(id(child), 1) for child in node.value)
            else:
                weight = 1 + sum(self._weights.get(id(key), 1) + self._weights.get(id(value), 1)
                                 for key, value in node.value)
            self._weights[id(node)] = weight
            return node

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
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
    return _LineLoader


def parse_yaml(text: str, source: str) -> Any:
    import yaml

    loader = _loader_class()(text)
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
    """Read a UTF-8 file a person wrote (at most :data:`~qualcode.core.limits.YAML_FILE_MAX_BYTES`),
    with errors that name it."""
    path = Path(path)
    try:
        raw = limits.read_limited(path, limits.YAML_FILE_MAX_BYTES, f"{what} file")
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

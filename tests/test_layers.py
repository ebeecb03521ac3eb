"""The layers keep their arrows: core imports neither Textual nor spaCy, the CLI loads them lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {line.split(".")[0] for line in out.splitlines()}


@pytest.mark.parametrize("module", ["qualcode.core.models", "qualcode.core.codebook", "qualcode.core.edits",
                                    "qualcode.store", "qualcode.formats"])
def test_lower_layers_import_neither_textual_nor_spacy(module):
    loaded = _modules_after(f"import {module}")
    assert "textual" not in loaded and "spacy" not in loaded


def test_cli_startup_does_not_load_the_ui_or_nlp():
    loaded = _modules_after("import qualcode.cli; qualcode.cli.build_parser()")
    assert {"textual", "spacy", "docx", "odf"}.isdisjoint(loaded)


def test_core_does_not_import_the_outer_layers():
    import pathlib

    core = pathlib.Path(__file__).resolve().parent.parent / "qualcode" / "core"
    for source in core.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for outer in ("store", "formats", "nlp", "tui", "cli"):
            assert f"from ..{outer}" not in text and f"qualcode.{outer}" not in text, (source.name, outer)

"""The layers keep their arrows (the import-linter contracts in pyproject.toml), no module imports
itself round a circle, and the CLI starts without loading the workbench or the NLP layer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root), "PATH": ""})


def test_the_layer_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line"), [
    ("core/text.py", "from ..store import project"),                 # core reaching up
    ("importers/txt.py", "from ..store.project import Project"),      # an importer needing the store
    ("exports/summary.py", "from ..nlp import vocabulary"),            # an export running the NLP layer
    ("store/schema.py", "import textual"),                              # Textual below the workbench
    ("exports/units.py", "    import spacy"),                           # spaCy outside nlp (lazily)
])
def test_a_wrong_arrow_breaks_the_contract(tmp_path, module, line):
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "qualcode", copy / "qualcode", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "qualcode" / module
    source = target.read_text(encoding="utf-8")
    if line.startswith(" "):  # a lazy import, inside a function
        source += f"\n\ndef _planted():\n{line}\n"
    else:
        source += f"\n{line}\n"
    target.write_text(source, encoding="utf-8")
    result = _lint_imports(copy)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout


def test_no_import_cycles():
    import grimp

    graph = grimp.build_graph("qualcode")
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {line.split(".")[0] for line in out.splitlines()}


@pytest.mark.parametrize("module", ["qualcode.core.models", "qualcode.core.codebook", "qualcode.store",
                                    "qualcode.importers", "qualcode.exports.base", "qualcode.refi.write"])
def test_lower_layers_load_neither_textual_nor_spacy(module):
    loaded = _modules_after(f"import {module}")
    assert "textual" not in loaded and "spacy" not in loaded


def test_cli_startup_does_not_load_the_ui_or_nlp():
    loaded = _modules_after("import qualcode.cli; qualcode.cli.build_parser()")
    assert {"textual", "spacy", "docx", "odf"}.isdisjoint(loaded)


def test_info_answers_without_loading_pydantic_or_yaml(tmp_path):
    """Start-up: ``qualcode info`` is the command people run most; it needs neither."""
    from qualcode.store import Project

    path = tmp_path / "p.qualcode"
    Project.create(path).close()
    code = ("import sys, contextlib, io; from qualcode.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): assert main(['info', {str(path)!r}]) == 0\n"
            "print(sorted(m for m in ('pydantic', 'yaml', 'textual', 'spacy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

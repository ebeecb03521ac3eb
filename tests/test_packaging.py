"""What a wheel holds: a non-editable install (pip install ., a wheel, pipx) must be able to
start the workbench and build the example project, so the stylesheets the App names and the
example's files are inside the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    """The files of a wheel built from a clean copy (a build/ folder left in the work tree
    would hide a missing file)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "exports", "*.qualcode*"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp.glob("qualcode-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_the_wheel_holds_every_stylesheet_the_workbench_names(wheel_names):
    from qualcode.tui.app import QualcodeApp

    for css in QualcodeApp.CSS_PATH:
        assert f"qualcode/tui/{css}" in wheel_names, f"{css} is not in the wheel"


def test_the_example_ships_in_the_package_and_works_from_any_folder(wheel_names, tmp_path, monkeypatch):
    from qualcode.cli import main
    from qualcode.importers.manifest import load_manifest
    from qualcode.store import Project

    manifest = load_manifest(REPO / "qualcode" / "example" / "manifest.yaml")
    needed = {"manifest.yaml", manifest.codebook.name, manifest.codings.name, *(e.file.name for e in manifest.entries)}
    missing = sorted(n for n in needed if f"qualcode/example/{n}" not in wheel_names)
    assert not missing, f"not in the wheel: {missing}"

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["example"]) == 0
    with Project.open(empty / "example.qualcode", backup=False) as project:
        assert len(project.transcripts()) == len(manifest.entries)
        assert project.codings()

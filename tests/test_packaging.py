"""What a wheel holds: a non-editable install (pip install ., a wheel, pipx) must be able to
start the workbench, so every stylesheet the App names is inside the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_stylesheet_the_workbench_names(tmp_path):
    # Built from a clean copy: a build/ folder left in the work tree would hide a missing file.
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "exports", "*.qualcode*"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("qualcode-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    from qualcode.tui.app import QualcodeApp

    for css in QualcodeApp.CSS_PATH:
        assert f"qualcode/tui/{css}" in names, f"{css} is not in the wheel"


def test_the_example_ships_in_the_package_and_works_from_any_folder(tmp_path, monkeypatch):
    from qualcode.cli import main
    from qualcode.formats.manifest import load_manifest
    from qualcode.store import Project

    example = REPO / "qualcode" / "example"
    manifest = load_manifest(example / "manifest.yaml")
    needed = {"manifest.yaml", manifest.codebook.name, manifest.codings.name, *(e.file.name for e in manifest.entries)}
    source = tmp_path / "src"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "exports", "*.qualcode*"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("qualcode-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(n for n in needed if f"qualcode/example/{n}" not in names)
    assert not missing, f"not in the wheel: {missing}"

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))
    assert main(["example"]) == 0
    with Project.open(empty / "example.qualcode", backup=False) as project:
        assert len(project.transcripts()) == len(manifest.entries)
        assert project.codings()

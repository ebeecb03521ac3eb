"""Two people on one project never overwrite each other's change without a word: an edit of one
field keeps another coder's edit of another field made meanwhile, a rename of a code someone
renamed since is refused with who did it, and an undo of a unit someone changed since is refused.
On a file and on a server (the ``project`` fixture runs both)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcode.core.errors import UserError
from qualcode.store import Project
from tests.conftest import qualcode_ok


def other_process(project_path, command: str, *argv: str) -> None:
    qualcode_ok(command, project_path, *argv)


def test_an_edit_keeps_what_another_coder_changed_meanwhile(project, monkeypatch):
    real = type(project).code
    calls = []

    def code_then_the_other_renames(self, code_id):
        found = real(self, code_id)
        if not calls:  # the other coder's rename lands just after this coder's first look
            calls.append(code_id)
            other_process(project.path, "code-rename", "hap", "Håp og framtid", "--coder", "CD")
        return found

    monkeypatch.setattr(type(project), "code", code_then_the_other_renames)
    project.update_code("hap", definition="Utsagn om håp", coder="AB")
    monkeypatch.undo()
    now = project.code("hap")
    assert calls and now.name == "Håp og framtid" and now.definition == "Utsagn om håp"


def test_renaming_a_code_someone_renamed_since_is_refused(project):
    seen = project.code("rec").name
    other_process(project.path, "code-rename", "rec", "Bedring", "--coder", "CD")
    with pytest.raises(UserError, match="changed meanwhile by CD: its name is now «Bedring»"):
        project.rename_code("rec", "Recovery-erfaringer", coder="AB", was=seen)
    assert project.code("rec").name == "Bedring"
    # From the command line too, with one clear line.
    done = subprocess.run([sys.executable, "-m", "qualcode", "code-rename", str(project.path), "rec", "X",
                           "--was", seen, "--coder", "AB"], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "changed meanwhile" in done.stderr


def test_undo_of_a_unit_someone_changed_since_is_refused(project):
    unit = project.add_coding("T1", 0, 10, "hap", "AB")
    other_process(project.path, "unit", str(unit.id), "--condensed", "endret av en annen", "--coder", "CD")
    with pytest.raises(UserError, match="cannot undo: what it changed has been changed again since"):
        project.undo("AB")
    with Project.open(project.path, backup=False) as again:
        assert again.coding(unit.id).condensed == "endret av en annen"

"""qualcode doctor: one line per check, exit 1 when something fails."""

from __future__ import annotations

import subprocess

import pytest

from qualcode.cli import doctor, main


def lines(capsys) -> dict[str, str]:
    out = capsys.readouterr().out
    return {line.split()[1]: line for line in out.splitlines() if line.strip()}


def test_a_working_installation_passes(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("QUALCODE_NETWORK_FS", raising=False)
    assert main(["doctor", str(tmp_path)]) == 0
    found = lines(capsys)
    assert found["python"].startswith("ok")
    for dist, _ in doctor.PACKAGES:
        assert found[dist].startswith("ok"), found[dist]
    assert found["project"].startswith("ok") and "can be written" in found["project"]


def test_a_missing_package_and_a_bad_model_fail(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(doctor, "PACKAGES", [*doctor.PACKAGES, ("qualcode-no-such-package", "nosuch")])
    assert main(["doctor", str(tmp_path), "--nlp-model", str(tmp_path / "no-model")]) == 1
    captured = capsys.readouterr()
    assert "FAIL  qualcode-no-such-package" in captured.out
    assert any(line.startswith("FAIL  nlp model") for line in captured.out.splitlines())
    assert "2 problem(s)" in captured.err


def test_a_network_folder_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QUALCODE_NETWORK_FS", "1")
    assert main(["doctor", str(tmp_path)]) == 0
    assert "network folder" in lines(capsys)["file"]


def test_a_folder_that_cannot_be_written_fails(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mounted.stderr.strip()}")
    try:
        assert main(["doctor", str(folder)]) == 1
        assert lines(capsys)["project"].startswith("FAIL")
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_missing_folder_is_one_line(tmp_path, capsys):
    assert main(["doctor", str(tmp_path / "nowhere")]) == 1
    assert "no such folder" in capsys.readouterr().err

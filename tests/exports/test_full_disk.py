"""Exports on a full disk, into a read-only or vanished folder, and with a loose umask.

Each export kind and format (and the agreement reports) is written first into a small tmpfs, so
an earlier export of that name exists; then the tmpfs is filled up (or remounted read-only) and
every export is run again through the CLI. Each must fail with one line naming the file and what
to do, exit non-zero, and leave the earlier file exactly as it was with no temporary file behind.
Mounting needs root (the test machines have it); elsewhere these tests are skipped.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.exports import atomic

from .conftest import build_coded

# (kind, format, file name): every kind and format of ``qualcode export``.
EXPORTS = [
    ("units", "xlsx", "units.xlsx"), ("units", "csv", "units.csv"), ("units", "json", "units.json"),
    ("summary", "docx", "summary.docx"), ("summary", "md", "summary.md"), ("summary", "html", "summary.html"),
    ("quotes", "docx", "quotes.docx"), ("quotes", "md", "quotes.md"),
    ("chart", "png", "chart.png"), ("chart", "svg", "chart.svg"),
    ("framework", "xlsx", "framework.xlsx"), ("framework", "docx", "framework.docx"),
    ("qdpx", None, "studie.qdpx"), ("qdc", None, "studie.qdc"),
    ("agreement", "md", "agreement.md"), ("agreement", "xlsx", "agreement.xlsx"),
]


def argv(project: Path, kind: str, fmt: str | None, out: Path) -> list[str]:
    if kind == "agreement":
        return ["agreement", str(project), "--coders", "AB,CD", "--report", fmt, "--bootstrap", "0",
                "--out", str(out)]
    args = ["export", str(project), kind, "--out", str(out)]
    if fmt:
        args += ["--format", fmt]
    if kind == "summary":
        args.append("--no-words")  # the NLP model is not what is tested here
    return args


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "prosjekt" / "studie.qualcode"
    path.parent.mkdir()
    build_coded(path).close()
    return path


@contextmanager
def tmpfs(folder: Path, options: str):
    """A tmpfs mounted on ``folder`` for the block; the test is skipped where mounting is not allowed."""
    folder.mkdir(exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
        if os.path.ismount(folder):
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> None:
    """Write zeros into ``folder`` until its file system is full."""
    with open(folder / "nuller.bin", "wb", buffering=0) as fh:
        block = bytes(65536)
        with pytest.raises(OSError) as info:
            while True:
                fh.write(block)
    assert info.value.errno == errno.ENOSPC


def write_all(project: Path, folder: Path, capsys, exports=EXPORTS) -> dict[str, bytes]:
    """The exports into ``folder``; their bytes, by file name (a Markdown summary brings its chart)."""
    for kind, fmt, name in exports:
        assert main(argv(project, kind, fmt, folder / name)) == 0, capsys.readouterr().err
    capsys.readouterr()
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@contextmanager
def no_debris():
    """Fail if the block leaves objects whose clean-up raises ("Exception ignored in ...", with a
    traceback, printed on stderr when a real process collects them, after the error line)."""
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda info: seen.append(f"{info.exc_type.__name__}: {info.exc_value} in {info.object!r}")
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = old
    assert not seen, seen


def run_refused(project: Path, folder: Path, before: dict[str, bytes], capsys, export, *fragments: str) -> None:
    kind, fmt, name = export
    out = folder / name
    with no_debris():
        code = main(argv(project, kind, fmt, out))
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("qualcode: error:")]
    assert len(errors) == 1, err
    assert errors[0].startswith(f"qualcode: error: {out}: "), errors[0]
    assert "an earlier file of that name is kept" in errors[0], errors[0]
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != "nuller.bin"}
    assert after == before, "the earlier export changed or a temporary file was left"


def cases():
    # .xlsx files are finished in memory and written in one plain write: a failed openpyxl save
    # into the temporary file used to leave half-written objects that raised again when collected.
    return [pytest.param(e, id=f"{e[0]}-{e[1] or e[0]}") for e in EXPORTS]


@pytest.mark.parametrize("export", cases())
def test_an_export_on_a_full_disk_is_one_line_and_keeps_the_earlier_file(project, tmp_path, capsys, export):
    with tmpfs(tmp_path / "disk", "size=512k") as disk:
        before = write_all(project, disk, capsys, [export])
        fill(disk)
        run_refused(project, disk, before, capsys, export, "the disk is full", "Free some space")


@pytest.mark.parametrize("export", cases())
def test_an_export_into_a_read_only_folder_is_one_line_and_keeps_the_earlier_file(project, tmp_path, capsys,
                                                                                    export):
    with tmpfs(tmp_path / "ro", "size=512k") as folder:
        before = write_all(project, folder, capsys, [export])
        done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        run_refused(project, folder, before, capsys, export, "read-only file system", "elsewhere")


def test_an_export_into_an_empty_read_only_mount_is_one_line(project, tmp_path, capsys):
    with tmpfs(tmp_path / "ro", "ro,size=64k") as folder:
        for kind, fmt, name in EXPORTS:
            assert main(argv(project, kind, fmt, folder / name)) == 1
            err = capsys.readouterr().err
            assert "Traceback" not in err and f"qualcode: error: {folder / name}: the folder {folder} is on a " \
                "read-only file system" in err, err
        assert list(folder.iterdir()) == []


def test_an_export_whose_folder_vanishes_while_it_is_written_is_one_line(project, tmp_path, capsys, monkeypatch):
    out = tmp_path / "borte"
    out.mkdir()
    real = atomic.temporary_name

    def vanish(target: Path) -> Path:  # the folder goes after the export checked it
        shutil.rmtree(target.parent, ignore_errors=True)
        return real(target)

    monkeypatch.setattr(atomic, "temporary_name", vanish)
    for kind, fmt, name in EXPORTS:
        out.mkdir(exist_ok=True)
        assert main(argv(project, kind, fmt, out / name)) == 1, (kind, fmt)
        err = capsys.readouterr().err
        assert "Traceback" not in err and len([ln for ln in err.splitlines() if ln.startswith("qualcode: error:")]) == 1
        assert f"{out / name}: the folder {out} does not exist (any more)" in err, err
        assert not out.exists()


def test_an_export_into_a_missing_folder_is_one_line(project, tmp_path, capsys):
    out = tmp_path / "finnes-ikke" / "units.csv"
    assert main(["export", str(project), "units", "--format", "csv", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"qualcode: error: {out}: the folder for the export does not exist"


def test_exports_are_readable_by_their_owner_only_whatever_the_umask(project, tmp_path, capsys):
    out = tmp_path / "ut"
    out.mkdir()
    old = os.umask(0o022)
    try:
        before = write_all(project, out, capsys)
        (out / "units.csv").chmod(0o644)  # an earlier, readable export is replaced by a private one
        assert main(argv(project, "units", "csv", out / "units.csv")) == 0
    finally:
        os.umask(old)
    assert set(before) >= {name for _, _, name in EXPORTS} | {"summary-chart.png"}
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes == dict.fromkeys(modes, 0o600), modes


def test_a_library_that_makes_the_file_anew_still_leaves_it_private(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic.atomic_path(tmp_path / "ny.csv") as temp:
            temp.unlink()
            temp.write_bytes(b"a,b\n")  # made anew, with the umask's 0644
    finally:
        os.umask(old)
    assert (tmp_path / "ny.csv").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["ny.csv"]


def test_other_os_errors_keep_their_type(tmp_path):
    with pytest.raises(OSError) as info, atomic.atomic_path(tmp_path / "x.csv") as temp:
        temp.write_bytes(b"1")
        raise OSError(errno.EINVAL, "a bug, not the disk")
    assert info.value.errno == errno.EINVAL
    assert list(tmp_path.iterdir()) == []

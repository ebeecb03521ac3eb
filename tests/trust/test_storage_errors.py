"""Storage errors are user errors: a full disk, a read-only file system, a damaged file, an
unwritable backups folder give one line naming the project and what to do, a non-zero exit and
no traceback, on the CLI, in the store and in the workbench. Also: files with health data are
private on disk, unit ids are never reused, and leftovers of killed work do not linger.

The disk tests mount a real 2 MB tmpfs (root only; skipped where mounting is not permitted).
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qualcode.core.errors import UserError
from qualcode.store import Project

from .support import (
    build_project,
    child_env,
    cli,
    dead_pid,
    describe,
    integrity,
    is_one_line_error,
    read_codings,
)

FULL = re.compile(r"disk is full|no space|full", re.IGNORECASE)
READ_ONLY = re.compile(r"read-only|read only|readonly", re.IGNORECASE)


# --- a small disk ---------------------------------------------------------------------------------


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


class Disk:
    """A mounted tmpfs of a few MB that can be filled to the last byte and freed again."""

    def __init__(self, root: Path):
        self.root = root
        self.filler = root / "filler.bin"

    def fill(self, leave: int = 0) -> None:
        """Write zeros until the disk says ENOSPC, then give back ``leave`` bytes."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 1 << 16, 4096, 512, 1):
                chunk = b"\0" * size
                while True:
                    try:
                        os.write(fd, chunk)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        if leave:
            os.truncate(self.filler, max(0, self.filler.stat().st_size - leave))

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def remount(self, mode: str) -> subprocess.CompletedProcess:
        return _mount("-o", f"remount,{mode}", str(self.root))


@pytest.fixture
def disk(tmp_path):
    root = tmp_path / "disk"
    root.mkdir()
    r = _mount("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(root))
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {r.stderr.strip()}")
    try:
        yield Disk(root)
    finally:
        _mount("-o", "remount,rw", str(root))
        _umount(root)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


def _coded_project(path: Path, env) -> list[tuple]:
    """A small project with three units, coded from the CLI (the first run also makes today's
    automatic backup, so later commands do not back up first)."""
    build_project(path, transcripts=1, turns=16)
    for start, end, code in ((0, 9, "hap"), (20, 31, "rec"), (40, 52, "hap-sol")):
        r = cli("code", path, "T1", "--start", start, "--end", end, "--code", code, "--coder", "AB", env=env)
        assert r.returncode == 0, r.stderr
    return read_codings(path)


# --- a full disk ------------------------------------------------------------------------------------


CLI_WRITES = {
    "code": lambda p, txt: ["code", p, "T1", "--start", "60", "--end", "75", "--code", "rec", "--coder", "AB"],
    "memo": lambda p, txt: ["memo", p, "Et notat om fokusgruppen", "--transcript", "T1", "--coder", "AB"],
    "import": lambda p, txt: ["import", p, txt, "--group", "FG9"],
}


@pytest.mark.parametrize("command", sorted(CLI_WRITES))
def test_cli_write_on_a_full_disk_is_one_line_and_keeps_the_project(disk, tmp_path, command):
    env = child_env(tmp_path)
    path = disk.root / "studie.qualcode"
    before = _coded_project(path, env)
    transcript = tmp_path / "fg9.txt"  # on the big disk: only the project's disk is full
    transcript.write_text("Intervjuer: Hva tenkte dere?\nP1: Det ga meg håp, altså.\n", encoding="utf-8")
    # Room to open (SQLite's 32 KB -shm index, unless a reader left it there) and 8 KB more: not
    # enough to commit a change.
    disk.fill(leave=8 * 1024 + (0 if Path(f"{path}-shm").exists() else 32 * 1024))
    try:
        r = cli(*CLI_WRITES[command](path, transcript), env=env)
    finally:
        disk.free()
    assert "Traceback" not in r.stderr, describe(r)
    assert r.returncode != 0, f"a command that could not save said it did: {describe(r)}"
    assert is_one_line_error(r), f"not one 'qualcode: error:' line: {r.stderr!r}"
    assert str(path) in r.stderr and FULL.search(r.stderr), f"does not name the project and a full disk: {r.stderr!r}"
    assert integrity(path) == []
    assert read_codings(path) == before


def test_store_add_coding_on_a_full_disk_is_a_user_error_and_the_connection_survives(disk):
    path = build_project(disk.root / "studie.qualcode", transcripts=1, turns=16)
    project = Project.open(path, backup=False)
    try:
        project.add_coding("T1", 0, 9, "hap", "AB")
        disk.fill()
        with pytest.raises(UserError) as caught:
            project.add_coding("T1", 20, 31, "rec", "AB")
        assert str(path) in str(caught.value) and FULL.search(str(caught.value)), str(caught.value)
        assert len(project.codings()) == 1  # nothing half-written, and reading still works
        disk.free()
        unit = project.add_coding("T1", 20, 31, "rec", "AB")  # no 'cannot rollback', no dead connection
        assert [c.id for c in project.codings()][-1] == unit.id
        assert project.integrity_check() == []
    finally:
        disk.free()
        project.close()


def _notes(app) -> list[tuple[str, str]]:
    return [(str(n.severity), str(n.message)) for n in app._notifications]


async def _wait(pilot, predicate, tries: int = 200) -> bool:
    for _ in range(tries):
        if predicate():
            return True
        await pilot.pause(0.02)
    return predicate()


async def test_workbench_on_a_full_disk_notifies_keeps_running_and_codes_after_space_is_freed(disk):
    from textual.widgets import DataTable

    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.screens.transcripts import TranscriptsScreen

    path = build_project(disk.root / "studie.qualcode", transcripts=1, turns=16)
    app = QualcodeApp(path, coder="AB")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            assert await _wait(pilot, lambda: app.screen.query(DataTable) and app.screen.query_one(DataTable).row_count)
            await pilot.press("enter")
            assert await _wait(pilot, lambda: isinstance(app.screen, CodingScreen))
            await pilot.press("g", "x", "c", *"rec", "enter")
            assert await _wait(pilot, lambda: app.status_text.startswith("✓ saved")), app.status_text
            app.status_text = "before the full disk"

            disk.fill()
            seen = len(_notes(app))
            await pilot.press("g", "x", "c", *"sol", "enter")
            await _wait(pilot, lambda: len(_notes(app)) > seen or not app.is_running)
            assert app.is_running, "the workbench stopped on a full disk"
            errors = [m for s, m in _notes(app)[seen:] if s == "error"]
            assert errors and FULL.search(errors[-1]), f"no error notification about the full disk: {_notes(app)}"
            assert not app.status_text.startswith("✓ saved"), app.status_text
            assert isinstance(app.screen, CodingScreen)

            await pilot.press("escape", "escape", "escape")  # back to the list after the error
            assert await _wait(pilot, lambda: isinstance(app.screen, TranscriptsScreen) or not app.is_running)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running, "Escape after a storage error stopped the workbench"

            disk.free()
            await pilot.press("enter")
            assert await _wait(pilot, lambda: isinstance(app.screen, CodingScreen))
            await pilot.press("g", "x", "c", *"sol", "enter")
            assert await _wait(pilot, lambda: app.status_text.startswith("✓ saved")), (app.status_text, _notes(app))
            await pilot.press("escape", "escape", "escape")
            await app.workers.wait_for_complete()
            await pilot.press("q")
    finally:
        disk.free()
    assert [r[5] for r in read_codings(path)] == ["rec", "hap-sol"]


def test_open_exits_non_zero_when_the_workbench_stops_on_an_error(tmp_path, monkeypatch):
    """cmd_open returns 0 whatever happened inside the app; an app that ended on an error must
    give a non-zero exit (here: an exception inside the app, the way a storage error ended it)."""
    from qualcode.cli import main
    from qualcode.tui import app as app_module

    path = build_project(tmp_path / "studie.qualcode", transcripts=1, turns=8)

    class FailingApp(app_module.QualcodeApp):
        def on_mount(self) -> None:
            raise OSError(errno.EIO, "simulated disk I/O error in the workbench")

        def run(self, *args, **kwargs):
            kwargs["headless"] = True
            return super().run(*args, **kwargs)

    monkeypatch.setattr(app_module, "QualcodeApp", FailingApp)
    assert main(["open", str(path), "--coder", "AB"]) != 0


# --- read-only ------------------------------------------------------------------------------------------


def test_cli_on_a_read_only_disk_says_read_only_and_works_after_remount_rw(disk, tmp_path):
    """A project on a file system mounted read-only (nothing open: Linux refuses 'remount,ro'
    while any file on it is open for writing, see the next test)."""
    env = child_env(tmp_path)
    path = disk.root / "studie.qualcode"
    before = _coded_project(path, env)
    r = disk.remount("ro")
    assert r.returncode == 0, r.stderr
    try:
        for args in (["code", path, "T1", "--start", "60", "--end", "75", "--code", "rec", "--coder", "AB"],
                     ["memo", path, "Notat", "--coder", "AB"]):
            res = cli(*args, env=env)
            assert "Traceback" not in res.stderr, describe(res)
            assert res.returncode != 0 and is_one_line_error(res), describe(res)
            assert str(path) in res.stderr and READ_ONLY.search(res.stderr), describe(res)
    finally:
        disk.remount("rw")
    res = cli("code", path, "T1", "--start", "60", "--end", "75", "--code", "rec", "--coder", "AB", env=env)
    assert res.returncode == 0, describe(res)
    assert len(read_codings(path)) == len(before) + 1


@pytest.fixture
def ext4(tmp_path):
    """A small ext4 file system on a loop device with errors=remount-ro, and a way to make it
    read-only under open files (ext4's trigger_fs_error): 'mount -o remount,ro' is refused with
    EBUSY while SQLite holds the project open for writing, on tmpfs as on any file system."""
    image, root = tmp_path / "ext4.img", tmp_path / "ext4"
    root.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(16 << 20)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"no mkfs.ext4: {made.stderr.strip()}")
    r = _mount("-o", "loop,errors=remount-ro", str(image), str(root))
    if r.returncode != 0:
        pytest.skip(f"cannot mount a loop device here: {r.stderr.strip()}")
    source = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(root)], capture_output=True, text=True).stdout
    trigger = Path("/sys/fs/ext4") / Path(source.strip()).name / "trigger_fs_error"
    try:
        if not trigger.exists():
            pytest.skip(f"no {trigger} in this kernel")
        yield root, trigger
    finally:
        _umount(root)


def test_project_made_read_only_mid_session_is_a_user_error_and_reading_goes_on(ext4):
    """Cannot be tested as the issue describes ('remount,ro', then 'remount,rw' and code again):
    Linux refuses remount,ro while the project is open for writing, and an ext4 made read-only
    under open files needs an unmount and fsck before it is writable again. So: the write is a
    UserError saying read-only, and the open project still reads."""
    root, trigger = ext4
    path = build_project(root / "studie.qualcode", transcripts=1, turns=16)
    project = Project.open(path, backup=False)
    try:
        first = project.add_coding("T1", 0, 9, "hap", "AB")
        trigger.write_text("qualcode trust test\n")
        with pytest.raises(UserError) as caught:
            project.add_coding("T1", 20, 31, "rec", "AB")
        assert READ_ONLY.search(str(caught.value)) and str(path) in str(caught.value), str(caught.value)
        assert [c.id for c in project.codings()] == [first.id]
    finally:
        try:
            project.close()
        except Exception as exc:  # closing must not raise either
            pytest.fail(f"close() after the file system went read-only raised {exc!r}")


# --- damaged project files --------------------------------------------------------------------------


def _damages(size: int) -> dict[str, callable]:
    def truncate(n):
        return lambda p: os.truncate(p, n)

    def zero_page(p):
        pages = size // 4096
        with open(p, "r+b") as fh:
            fh.seek((pages // 2) * 4096)
            fh.write(b"\0" * 4096)

    def flip(seed):
        def damage(p):
            rng = random.Random(seed)
            with open(p, "r+b") as fh:
                for offset in sorted(rng.sample(range(100, size), 12)):
                    fh.seek(offset)
                    byte = fh.read(1)[0]
                    fh.seek(offset)
                    fh.write(bytes([byte ^ 0xFF]))
        return damage

    def header(start):
        def damage(p):
            with open(p, "r+b") as fh:
                fh.seek(start)
                fh.write(random.Random(start).randbytes(100 - start))
        return damage

    return {
        "truncated to 50 %": truncate(size // 2), "truncated to 4096 bytes": truncate(4096),
        "truncated to 100 bytes": truncate(100), "a zeroed page in the middle": zero_page,
        "12 flipped bytes (seed 1)": flip(1), "12 flipped bytes (seed 2)": flip(2),
        "12 flipped bytes (seed 3)": flip(3), "header overwritten": header(0),
        "header overwritten after the magic": header(16),
    }


def _commands(p: Path, out: Path) -> dict[str, list]:
    return {
        "info": ["info", p], "check": ["check", p], "units": ["units", p], "transcripts": ["transcripts", p],
        "code": ["code", p, "T1", "--start", "0", "--end", "5", "--code", "hap", "--coder", "ZZ"],
        "export units": ["export", p, "units", "--format", "csv", "--out", out / "units.csv"],
        "agreement": ["agreement", p, "--coders", "AB,CD", "--bootstrap", "0", "--json"],
        "backups": ["backups", p],
    }


def test_damaged_project_files_give_one_line_not_a_traceback(tmp_path):
    source = build_project(tmp_path / "source.qualcode", transcripts=2, turns=30)
    with Project.open(source, backup=False) as project:
        for i in range(12):  # both coders in both transcripts
            project.add_coding(f"T{1 + i // 6}", 10 * i, 10 * i + 8, ["hap", "rec", "hap-sol"][i % 3], ["AB", "CD"][i % 2])
    size = source.stat().st_size
    env = child_env(tmp_path)
    jobs = []
    for d, (damage_name, damage) in enumerate(_damages(size).items()):
        for c, command in enumerate(_commands(Path("x"), Path("y"))):
            folder = tmp_path / f"d{d}c{c}"
            folder.mkdir()
            copy = folder / "studie.qualcode"
            shutil.copyfile(source, copy)
            damage(copy)
            jobs.append((damage_name, command, _commands(copy, folder)[command]))

    def run(job):
        damage_name, command, args = job
        return damage_name, command, cli(*args, env=env, timeout=120)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(run, jobs))
    tracebacks = [(d, c, r) for d, c, r in results if "Traceback" in r.stderr]
    unclear = [(d, c, r) for d, c, r in results
               if "Traceback" not in r.stderr and r.returncode != 0 and not is_one_line_error(r)]
    print(f"\ndamaged files: {len(tracebacks)} of {len(results)} command runs gave a traceback, "
          f"{len(unclear)} more gave no single 'qualcode: error:' line")
    for d, c, r in tracebacks + unclear:
        print(f"  {d} / {c}: exit {r.returncode}: {_what(r.stderr)[:160]}")
    assert not tracebacks and not unclear, (
        f"{len(tracebacks)} of {len(results)} runs on damaged files gave a traceback, {len(unclear)} no one-line "
        f"error; e.g. " + "; ".join(f"{d} / {c}: {_what(r.stderr)[:120]}" for d, c, r in (tracebacks + unclear)[:5]))


def _what(stderr: str) -> str:
    """The exception line of a traceback (its message may run over several lines), else the last line."""
    lines = stderr.strip().splitlines()
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return (raised or lines or [""])[-1]


# --- an unwritable backups folder ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["a file in its place", "a read-only mount"])
@pytest.mark.parametrize("command", ["code", "backup"])
def test_an_unwritable_backups_folder_is_named_not_called_damage(tmp_path, kind, command):
    path = build_project(tmp_path / "studie.qualcode", transcripts=1, turns=8)
    folder = tmp_path / "studie.qualcode-backups"
    if kind == "a file in its place":
        folder.write_text("not a folder\n")
    else:
        folder.mkdir()
        r = _mount("-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder))
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        args = {"code": ["code", path, "T1", "--start", "0", "--end", "9", "--code", "hap", "--coder", "AB"],
                "backup": ["backup", path]}[command]
        r = cli(*args, env=child_env(tmp_path))
    finally:
        if kind != "a file in its place":
            _umount(folder)
    assert "Traceback" not in r.stderr, describe(r)
    assert "damaged" not in r.stderr, describe(r)
    assert str(folder) in r.stderr + r.stdout, f"the backups folder is not named: {describe(r)}"
    assert re.search(r"writ|read-only|not a folder|is a file", r.stderr + r.stdout), describe(r)
    assert integrity(path) == []


# --- private files ---------------------------------------------------------------------------------


def _mode(p: Path) -> str:
    return oct(stat.S_IMODE(p.stat().st_mode))


def test_project_and_backups_are_private_whatever_the_umask(tmp_path):
    env = child_env(tmp_path)
    path = tmp_path / "studie.qualcode"
    old = os.umask(0o022)
    try:
        assert cli("init", path, env=env).returncode == 0
        assert cli("backup", path, env=env).returncode == 0
        built = build_project(tmp_path / "other.qualcode", transcripts=1, turns=4)  # Project.create in-process
    finally:
        os.umask(old)
    files = [path, built, *sorted((tmp_path / "studie.qualcode-backups").iterdir())]
    modes = {p.name: _mode(p) for p in files}
    assert all(m == "0o600" for m in modes.values()), f"files readable by others: {modes}"


def test_exports_are_private_whatever_the_umask(tmp_path):
    env = child_env(tmp_path)
    path = build_project(tmp_path / "studie.qualcode", transcripts=1, turns=8)
    old = os.umask(0o022)
    try:
        r = cli("code", path, "T1", "--start", "0", "--end", "9", "--code", "hap", "--coder", "AB", env=env)
        assert r.returncode == 0, r.stderr
        r = cli("export", path, "units", "--format", "csv", "--out", tmp_path / "units.csv", env=env)
        assert r.returncode == 0, r.stderr
    finally:
        os.umask(old)
    assert _mode(tmp_path / "units.csv") == "0o600"


# --- unit ids ------------------------------------------------------------------------------------------


def test_unit_ids_are_never_reused_and_memos_stay_with_their_deleted_unit(project):
    first = project.add_coding("T1", 0, 5, "hap", "AB")
    doomed = project.add_coding("T1", 6, 12, "rec", "AB")
    project.add_memo("Om den slettede enheten", target_type="coding", target_id=str(doomed.id), author="AB")
    project.delete_coding(doomed.id)
    new = project.add_coding("T1", 13, 20, "hap-sol", "AB")
    assert new.id not in (first.id, doomed.id), f"id {new.id} was given again"
    assert project.memos(target_type="coding", target_id=str(new.id)) == [], "a deleted unit's memo shows on a new unit"


def test_unit_ids_are_not_reused_after_undo(project):
    undone = project.add_coding("T1", 6, 12, "rec", "AB")
    project.undo("AB")
    again = project.add_coding("T1", 13, 20, "hap-sol", "AB")
    assert again.id != undone.id


# --- leftovers of killed work ------------------------------------------------------------------------


def test_leftovers_of_a_killed_import_and_backup_are_removed_or_listed(project):
    path = project.path
    project.close()
    pid = dead_pid()
    staging = path.with_name(f".{path.name}.staging-{pid}")
    shutil.copyfile(path, staging)  # a full hidden copy of the project, health data and all
    leftovers = [staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")]
    for extra in leftovers[1:]:
        extra.write_bytes(b"\0" * 1024)
    backups = path.with_name(path.name + "-backups")
    backups.mkdir()
    partial = backups / f"{path.stem}-20260101-120000-000000-auto.partial"  # backup.make_backup's name
    shutil.copyfile(path, partial)
    leftovers.append(partial)

    Project.open(path).close()
    listed = cli("backups", path)
    assert listed.returncode == 0, listed.stderr
    lingering = [p.name for p in leftovers if p.exists() and p.name not in listed.stdout]
    assert not lingering, f"left beside the project, not listed by 'qualcode backups': {lingering}"


def test_a_running_imports_working_copy_is_left_alone(project):
    path = project.path
    project.close()
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        staging = path.with_name(f".{path.name}.staging-{sleeper.pid}")
        shutil.copyfile(path, staging)
        Project.open(path).close()
        assert staging.exists(), "the working copy of a running import was removed under it"
    finally:
        sleeper.kill()
        sleeper.wait()

"""A project on a network folder (NFS, SMB) gets a rollback journal and one qualcode at a time,
with a lock file naming who holds it; detection reads the mount table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.core.errors import ProjectBusy
from qualcode.store import Project, fsinfo


@pytest.fixture
def network(monkeypatch):
    monkeypatch.setenv("QUALCODE_NETWORK_FS", "1")


def test_known_network_types_are_detected(monkeypatch, tmp_path):
    monkeypatch.delenv("QUALCODE_NETWORK_FS", raising=False)
    monkeypatch.setattr(fsinfo, "filesystem_type", lambda path: "nfs4")
    assert fsinfo.is_network(tmp_path / "p.qualcode")
    monkeypatch.setattr(fsinfo, "filesystem_type", lambda path: "ext4")
    assert not fsinfo.is_network(tmp_path / "p.qualcode")


def test_the_mount_table_names_the_file_system_of_a_path(tmp_path):
    assert fsinfo.filesystem_type(tmp_path) != ""
    assert fsinfo.filesystem_type(Path("/proc/self")) == "proc"


def test_on_a_network_folder_a_rollback_journal_and_a_lock_file_naming_the_holder(project, network):
    path = project.path
    project.close()
    with Project.open(path, backup=False) as p:
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert "network" in p.storage
        lock = path.with_name(path.name + ".lock")
        holder = json.loads(lock.read_text())
        assert holder["pid"] == os.getpid()
        p.add_coding("T1", 0, 5, "hap", "AB")
        # Another process is refused with one line that names the holder and the way out.
        env = dict(os.environ, QUALCODE_NETWORK_FS="1")
        r = subprocess.run([sys.executable, "-m", "qualcode", "info", str(path)], capture_output=True,
                           text=True, env=env, timeout=60)
        assert r.returncode == 1
        assert r.stderr.count("\n") == 1 and "network folder" in r.stderr and str(lock) in r.stderr, r.stderr
        assert f"process {os.getpid()}" in r.stderr
        # A second handle in this process shares the connection and the lock.
        with Project.open(path, backup=False) as again:
            assert len(again.codings()) == 1
    assert not lock.exists()


def test_a_lock_left_by_a_dead_process_of_this_machine_is_taken_over(project, network):
    path = project.path
    project.close()
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = path.with_name(path.name + ".lock")
    import socket

    lock.write_text(json.dumps({"user": "x", "host": socket.gethostname(), "pid": dead.pid, "since": "then"}))
    with Project.open(path, backup=False) as p:
        assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert p.info().transcripts == 1


def test_a_lock_of_another_machine_is_respected(project, network):
    path = project.path
    project.close()
    lock = path.with_name(path.name + ".lock")
    lock.write_text(json.dumps({"user": "kari", "host": "fou-server-2", "pid": 4242, "since": "2026-12-01T09:00"}))
    with pytest.raises(ProjectBusy, match="kari on fou-server-2"):
        Project.open(path, backup=False)
    assert lock.exists()

"""Where a project file lives: a local disk, or a network file system where WAL is unsafe.

SQLite's WAL mode keeps its index in shared memory (the ``-shm`` file mapped by every process),
which does not work across machines on NFS or SMB, and POSIX locks over the network are often
unreliable. On such a folder qualcode uses a rollback journal and lets one qualcode at a time
open the project, recorded in a lock file beside it that names who holds it.

``QUALCODE_NETWORK_FS=1`` (or ``0``) overrides the detection, for file systems this module does
not know.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import ProjectBusy

NETWORK_TYPES = {
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "coda", "9p", "ceph",
    "glusterfs", "lustre", "gpfs", "ocfs2", "gfs2", "beegfs", "davfs", "fuse.sshfs", "fuse.davfs",
    "fuse.glusterfs", "fuse.cephfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.smbnetfs",
}


def filesystem_type(path: Path) -> str:
    """The type of the file system holding ``path`` (from /proc/self/mountinfo), or ''."""
    try:
        target = os.path.realpath(path if path.exists() else path.parent)
        best, fstype = "", ""
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fields = left.split()
                if len(fields) < 5 or not right:
                    continue
                mount_point = fields[4].replace("\\040", " ")
                inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
                if inside and len(mount_point) >= len(best):
                    best, fstype = mount_point, right.split()[0]
        return fstype
    except OSError:
        return ""


def is_network(path: Path) -> bool:
    forced = os.environ.get("QUALCODE_NETWORK_FS")
    if forced in ("0", "1"):
        return forced == "1"
    return filesystem_type(path) in NETWORK_TYPES


@dataclass
class LockFile:
    """``NAME.lock`` beside a project on a network folder: who has it open, since when."""

    path: Path

    @classmethod
    def for_project(cls, project: Path) -> LockFile:
        return cls(project.with_name(project.name + ".lock"))

    def take(self) -> None:
        me = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(),
              "since": datetime.now(UTC).isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and self._stale(holder):
                    self.path.unlink(missing_ok=True)
                    continue
                who = (f"{holder.get('user')} on {holder.get('host')} (process {holder.get('pid')}) "
                       f"since {holder.get('since')}") if holder else "an unknown qualcode"
                raise ProjectBusy(
                    f"open by {who}. This project is on a network folder, where one qualcode at a "
                    f"time may use it; if that qualcode is no longer running, delete {self.path}",
                    path=self.path.with_suffix(""),
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
            return

    def release(self) -> None:
        holder = self._holder()
        if holder and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
            self.path.unlink(missing_ok=True)

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    @staticmethod
    def _stale(holder: dict) -> bool:
        """Held by a process of this machine that no longer runs."""
        if holder.get("host") != socket.gethostname():
            return False
        return not pid_alive(int(holder.get("pid") or 0))


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return f"uid {os.getuid()}"

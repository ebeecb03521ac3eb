"""A throwaway PostgreSQL cluster for the tests and the bench scripts: made, started, stopped, removed.

    with throwaway_cluster() as url:      # postgresql://postgres@/postgres?host=/tmp/qualcode-pg-…&port=N
        db = create_database(url)         # a fresh empty database, its URL
        ...
        drop_database(db)

or, for manual work and bench runs, ``python tests/pgserver.py`` prints the URL and keeps the server
until Ctrl-C.

The cluster lives in one temp dir: ``data/`` (initdb, UTF8, locale C, superuser ``postgres``,
``--no-sync``), its log, and the Unix socket. It listens on that socket and on 127.0.0.1 at a free
port, trusts both (and nothing else), and runs without durability (fsync, full_page_writes and
synchronous_commit off): a test server, never a place for data. The C locale sorts and folds case
by code point, as SQLite does, so the two stores order Norwegian text alike.

initdb and pg_ctl refuse to run as root. As root the cluster runs as the ``postgres`` user (Debian's
package makes it) or else ``nobody``: the temp dir is handed to that user and every PostgreSQL program
runs under it; the client (root) still reaches the socket.

A watchdog process (this file with ``--watchdog``) holds a pipe from the process that started the
cluster and stops and removes it when the pipe closes: at the end of the ``with``, and also when that
process is killed and never gets to its ``finally``.

Self-contained on purpose (standard library; psycopg only in the database helpers), so it runs as
a script and as ``tests.pgserver`` from bench scripts that put the repository root on sys.path.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

SUPERUSER = "postgres"
PROGRAMS = ("initdb", "pg_ctl", "postgres")
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "100",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
}
HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\n"


class PgUnavailable(RuntimeError):
    """This machine cannot run a throwaway cluster (no PostgreSQL programs, or no user to run them as)."""


def find_bindir() -> Path:
    """The folder with initdb, pg_ctl and postgres: from PATH (symlinks followed), else the newest
    /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    for name in ("pg_ctl", "initdb"):
        found = shutil.which(name)
        if found:
            candidates.append(Path(found).resolve().parent)
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    versioned.sort(key=lambda p: [int(x) if x.isdigit() else 0 for x in re.split(r"[/.]", p)], reverse=True)
    candidates += [Path(p) for p in versioned]
    for folder in candidates:
        if all(os.access(folder / prog, os.X_OK) for prog in PROGRAMS):
            return folder
    raise PgUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin; "
        "install the system's 'postgresql' package"
    )


def _run_as() -> pwd.struct_passwd | None:
    """The user the cluster runs as when we are root (None when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PgUnavailable("running as root, and initdb refuses root, but there is no 'postgres' or 'nobody' user")


def _run(cmd: list[str], owner: pwd.struct_passwd | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "TZ": "UTC"}
    if owner is not None:
        env["HOME"] = str(cwd)
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
        user=None if owner is None else owner.pw_uid,
        group=None if owner is None else owner.pw_gid,
        extra_groups=None if owner is None else [],
    )


def _others_can_enter(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(base: Path, lines: int = 20) -> str:
    try:
        return "\n".join((base / "log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def url_for(host: str, port: int, dbname: str = "postgres", user: str = SUPERUSER) -> str:
    """The libpq URL of a database reached through the Unix socket folder ``host``."""
    return f"postgresql://{quote(user)}@/{quote(dbname)}?host={quote(host, safe='/')}&port={port}"


def stop(base: Path) -> None:
    """Stop the cluster in ``base`` (if it runs) and remove ``base``. Safe to call twice."""
    data = base / "data"
    if (data / "postmaster.pid").exists():
        try:
            owner = pwd.getpwuid(data.stat().st_uid) if os.geteuid() == 0 else None
            _run([str(find_bindir() / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w", "-t", "30"],
                 owner, base)
        except (OSError, KeyError, PgUnavailable):
            pass
    shutil.rmtree(base, ignore_errors=True)


def start(base: Path) -> str:
    """initdb into ``base``/data and start it; the base URL (the ``postgres`` database)."""
    bindir = find_bindir()
    owner = _run_as()
    data = base / "data"
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    initdb = _run([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-E", "UTF8", "--locale=C",
                   "--auth=trust", "--no-sync", "--no-instructions"], owner, base)
    if initdb.returncode != 0:
        raise RuntimeError(f"initdb failed ({initdb.returncode}):\n{initdb.stdout}\n{initdb.stderr}")
    (data / "pg_hba.conf").write_text(HBA)
    last = ""
    for _attempt in range(3):  # a free port can be taken between the probe and the bind
        port = _free_port()
        settings = {**SETTINGS, "port": str(port), "unix_socket_directories": f"'{base}'"}
        (data / "postgresql.auto.conf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        if owner is not None:
            for name in ("pg_hba.conf", "postgresql.auto.conf"):
                os.chown(data / name, owner.pw_uid, owner.pw_gid)
        run = _run([str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60"],
                   owner, base)
        if run.returncode == 0:
            return url_for(str(base), port)
        last = f"pg_ctl start failed ({run.returncode}):\n{run.stdout}\n{run.stderr}\n{_log_tail(base)}"
        if "could not bind" not in last and "in use" not in last:
            break
    raise RuntimeError(last)


def _temp_base() -> Path:
    parent = Path(tempfile.gettempdir())
    if os.geteuid() == 0 and not _others_can_enter(parent):
        parent = Path("/tmp")  # the cluster's user must reach its folder
    return Path(tempfile.mkdtemp(prefix="qualcode-pg-", dir=parent))


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a fresh cluster; yield its base URL (libpq, socket folder in ``host=``, and ``port=``;
    the same port also listens on 127.0.0.1). Stopped with ``-m immediate`` and removed at the end,
    or by the watchdog if this process dies first. Raises PgUnavailable when the machine cannot."""
    find_bindir()
    _run_as()
    base = _temp_base()
    watchdog: subprocess.Popen[bytes] | None = None
    try:
        watchdog = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--watchdog", str(base)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True,  # Ctrl-C spares it
        )
        yield start(base)
    finally:
        if watchdog is not None and watchdog.stdin is not None:
            watchdog.stdin.close()  # the watchdog stops the cluster and removes the folder
            try:
                watchdog.wait(timeout=60)
            except subprocess.TimeoutExpired:
                watchdog.kill()
        stop(base)  # no-op when the watchdog did it; the only stop when it never started


def _watchdog(base: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    stop(base)


# --- databases on a running server (psycopg, imported here only) ---------------------------------


def with_dbname(url: str, dbname: str) -> str:
    """``url`` (a postgresql:// URL or a key=value conninfo) pointing at database ``dbname``."""
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/" + quote(dbname)))
    from psycopg.conninfo import make_conninfo

    return make_conninfo(url, dbname=dbname)


def create_database(url: str, prefix: str = "t_") -> str:
    """Create an empty database named ``prefix`` + random hex on the server of ``url``; its URL."""
    import psycopg
    from psycopg import sql

    name = prefix + secrets.token_hex(6)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_dbname(url, name)


def drop_database(url: str, maintenance_url: str) -> None:
    """Drop the database of ``url`` (its sessions too) through ``maintenance_url``."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    name = str(conninfo_to_dict(url)["dbname"])
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--watchdog"]:
        _watchdog(Path(argv[1]))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the cluster on kill too
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (&)
    try:
        with throwaway_cluster() as url:
            port = url.rsplit("port=", 1)[1]
            print(url)
            print(f"# also postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres ; Ctrl-C stops and removes it",
                  file=sys.stderr, flush=True)
            sys.stdout.flush()
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except PgUnavailable as exc:
        print(f"pgserver: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

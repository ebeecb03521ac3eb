"""The PostgreSQL test fixtures (tests/conftest.py, tests/pgserver.py): a fresh empty database per test
on one throwaway cluster per session, gone when the session ends, or is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, _pg_missing

USER_TABLES = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
"""


def test_a_fresh_database_is_reachable_and_empty(pg_url):
    import psycopg

    with psycopg.connect(pg_url) as conn:
        name, encoding = conn.execute("SELECT current_database(), pg_encoding_to_char(encoding) FROM pg_database"
                                      " WHERE datname = current_database()").fetchone()
        assert name.startswith("t_")
        assert encoding == "UTF8"
        assert conn.execute(USER_TABLES).fetchone() == (0,)
        replikk = "Æ veit ikkje helt, men det ga håp – faktisk."
        assert conn.execute("SELECT %s::text", (replikk,)).fetchone() == (replikk,)


def test_each_pg_url_is_a_database_of_its_own(pg_url, make_pg_url):
    import psycopg

    other = make_pg_url()
    assert other != pg_url
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE replikker (tekst text)")
        conn.execute("INSERT INTO replikker VALUES ('For meg ga det håp.')")
    with psycopg.connect(other) as conn:
        assert conn.execute(USER_TABLES).fetchone() == (0,)
        assert conn.execute("SELECT current_database()").fetchone()[0] != psycopg.conninfo.conninfo_to_dict(
            pg_url)["dbname"]


TINY_TEST = """
import os, time
import psycopg

def test_tiny(pg_url):
    with psycopg.connect(pg_url) as conn:
        pid, data = conn.execute("SELECT pg_read_file('postmaster.pid')").fetchone()[0].splitlines()[:2]
    with open(os.environ["PGSERVER_INFO"] + ".part", "w") as f:
        f.write(f"{pid}\\n{data}\\n")
    os.rename(os.environ["PGSERVER_INFO"] + ".part", os.environ["PGSERVER_INFO"])
    if os.environ.get("PGSERVER_HANG"):
        time.sleep(120)
"""


def _postgres_of(pid: int, data: str) -> bool:
    """Whether ``pid`` is still a postgres process of the data dir ``data`` (not a reused pid)."""
    try:
        return data.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.mark.parametrize("end", ["ends", "is_killed"])
def test_the_cluster_is_gone_when_the_session(end, tmp_path):
    from tests.pgserver import PgUnavailable, find_bindir

    try:
        import psycopg  # noqa: F401

        find_bindir()
    except (ImportError, PgUnavailable) as exc:
        _pg_missing(str(exc))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text("from tests.conftest import make_pg_url, pg_cluster, pg_url  # noqa: F401\n")
    (tmp_path / "test_tiny.py").write_text(TINY_TEST)
    info = tmp_path / "info"
    env = {k: v for k, v in os.environ.items() if k != "QUALCODE_TEST_PG_URL"}  # a throwaway cluster, always
    env.update(PYTHONPATH=str(REPO), PGSERVER_INFO=str(info), PGSERVER_HANG="1" if end == "is_killed" else "")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "test_tiny.py"]
    inner = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        if end == "is_killed":
            assert _wait_until(info.exists, 60), "the inner session never reached its test"
            inner.send_signal(signal.SIGKILL)  # no teardown: the watchdog has to stop the cluster
        out, _ = inner.communicate(timeout=120)
    finally:
        if inner.poll() is None:
            inner.kill()
    if end == "ends":
        assert inner.returncode == 0, out
    pid_line, data = info.read_text().splitlines()
    pid, data_dir = int(pid_line), Path(data)
    assert _wait_until(lambda: not _postgres_of(pid, data), 30), f"postgres {pid} of {data} still runs"
    assert _wait_until(lambda: not data_dir.parent.exists(), 30), f"{data_dir.parent} was left behind"

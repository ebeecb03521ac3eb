"""A server project and a project file are the same project: the same tables and columns at the
same schema version, so that every statement of the store and 'qualcode copy' work on both; a new
migration of the file's schema without the server's fails here."""

from __future__ import annotations

import subprocess
import sys
import time

from qualcode.store import Project, schema, transfer
from qualcode.store.pg import schema as pg_schema


def test_the_server_schema_is_the_files(tmp_path, pg_url):
    assert pg_schema.SCHEMA_VERSION == schema.SCHEMA_VERSION, "a file migration needs its server migration"
    with Project.create(tmp_path / "a.qualcode") as f, Project.create(pg_url) as s:
        assert f.info().schema_version == s.info().schema_version == schema.SCHEMA_VERSION
        for table in transfer.TABLES:
            assert transfer.columns(f.conn, table) == transfer.columns(s.conn, table), table
        file_tables = {r[0] for r in f.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        assert file_tables - {"journal_state"} == set(transfer.TABLES)  # copy carries every table


def test_another_process_s_commit_is_seen_at_once(project):
    """The workbench's watch: data_version changes when another process commits (NOTIFY on a
    server, SQLite's data_version on a file), and not for this process's own changes."""
    start = project.data_version()
    project.add_coding("T1", 0, 5, "hap", "AB")
    assert project.data_version() == start
    done = subprocess.run([sys.executable, "-m", "qualcode", "code", str(project.path), "T1", "--start", "10",
                           "--end", "20", "--code", "rec", "--coder", "CD"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 1.0
    while project.data_version() == start and time.monotonic() < deadline:
        time.sleep(0.02)
    assert project.data_version() != start
    assert {u.coder for u in project.units()} == {"AB", "CD"}


def test_a_password_in_a_url_is_never_printed(tmp_path, pg_url):
    """libpq's rules (PGPASSFILE) are the way; a password in the URL still works, is warned about,
    and appears in no output, error, hint or audit entry."""
    secret = "hemmelig-passord-123"
    with_password = pg_url.replace("postgres@", f"postgres:{secret}@", 1)
    assert with_password != pg_url
    runs = [
        ["init", with_password],
        ["info", with_password],
        ["code", with_password, "T9", "--start", "0", "--end", "5", "--code", "x", "--coder", "AB"],  # an error
        ["copy", str(tmp_path / "none.qualcode"), with_password],  # another error
        ["audit", with_password, "--json"],
        ["info", with_password.replace("@/", "@127.0.0.1:1/").replace("host=", "ignored=")],  # no server
    ]
    for argv in runs:
        done = subprocess.run([sys.executable, "-m", "qualcode", *argv], capture_output=True, text=True)
        assert "Traceback" not in done.stderr, argv
        assert secret not in done.stdout + done.stderr, argv
    assert "password in the URL" in done.stderr
    with Project.open(pg_url) as p:
        rows = p.conn.execute("SELECT summary || detail FROM audit_log").fetchall()
        assert rows and not any(secret in r[0] for r in rows)


def test_a_hint_names_a_server_project_so_it_can_be_pasted(pg_url):
    """``undo with: qualcode undo URL``: the URL's ``?`` and ``&`` are quoted for the shell."""
    import shlex

    subprocess.run([sys.executable, "-m", "qualcode", "example", pg_url], check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "qualcode", "transcript", pg_url, "T1", "--title", "Ny", "--coder",
                           "AB"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    hint = done.stdout.split("undo with: ", 1)[1].rstrip(")\n")
    assert shlex.split(hint) == ["qualcode", "undo", pg_url]


def test_each_backend_says_the_same_statements():
    """What SQLite and PostgreSQL say differently is kept by name, once per backend
    (store/sqlite_sql.py, store/pg/sql.py): a statement added to one must be added to the other."""
    from qualcode.store import sqlite_sql
    from qualcode.store.pg import sql as pg_sql

    def names(module):
        return {n for n in vars(module) if n.isupper()}

    assert names(sqlite_sql) == names(pg_sql) and "AUDIT_LAST" in names(pg_sql)

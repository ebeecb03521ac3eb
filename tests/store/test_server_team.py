"""Who is who on a server project, enforced by the server: blind coders see only their own
units whatever they ask the database, readers change nothing and their exports are recorded, and
the audit trail says which database role did what."""

from __future__ import annotations

import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.errors import StorageError, UserError
from qualcode.store import Project, audit
from qualcode.store.pg import team
from tests.conftest import CODEBOOK_YAML, ROLES, make_parsed


def as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))


@pytest.fixture
def roles(pg_url):
    """Three login roles on the cluster (roles are the cluster's, so named uniquely), dropped after."""
    tag = uuid.uuid4().hex[:6]
    names = {k: f"qc_{k}_{tag}" for k in ("ab", "cd", "author")}
    admin = psycopg.connect(pg_url, autocommit=True)
    for name in names.values():
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
    yield names
    dbname = urlsplit(pg_url).path.lstrip("/")
    for name in names.values():
        admin.execute(f'REASSIGN OWNED BY "{name}" TO current_user')
        admin.execute(f'DROP OWNED BY "{name}"')
    admin.close()
    # the database is dropped by its fixture; the roles go once nothing of them is left in it
    cleanup = psycopg.connect(pg_url.replace(f"/{dbname}?", "/postgres?"), autocommit=True)
    for name in names.values():
        try:
            cleanup.execute(f'DROP ROLE IF EXISTS "{name}"')
        except psycopg.Error:
            pass
    cleanup.close()


@pytest.fixture
def teamed(pg_url, roles):
    with Project.create(pg_url, codebook=parse_codebook(CODEBOOK_YAML, "test.yaml")) as p:
        p.import_transcript(make_parsed(), title="Fokusgruppe 1", group="FG1", roles=ROLES)
        team.add_member(p, roles["ab"], coder="AB", blind=True)
        team.add_member(p, roles["cd"], coder="CD", blind=True)
        team.add_member(p, roles["author"], coder=None, read_only=True)
        turns = p.turns("T1")
    return pg_url, roles, turns


def test_blind_coders_see_only_their_own_units_whatever_they_ask(teamed):
    url, roles, turns = teamed
    with Project.open(as_role(url, roles["ab"])) as ab:
        ab.add_coding("T1", turns[1].start, turns[1].end, "hap", "AB")
    with Project.open(as_role(url, roles["cd"])) as cd:
        cd.add_coding("T1", turns[1].start, turns[1].end, "rec", "CD")
        cd.add_coding("T1", turns[2].start, turns[2].end, "hap", "CD")
        assert {u.coder for u in cd.units()} == {"CD"} and len(cd.units()) == 2
        # Not only the store's queries: the server itself answers so.
        raw = psycopg.connect(as_role(url, roles["cd"]))
        assert raw.execute("SELECT DISTINCT coder FROM codings").fetchall() == [("CD",)]
        assert raw.execute("SELECT count(*) FROM changes WHERE new LIKE '%\"AB\"%'").fetchone() == (0,)
        raw.close()
        # Writing under another coder's initials is refused by the server, with a clear line.
        with pytest.raises(StorageError, match="only your own units"):
            cd.add_coding("T1", turns[3].start, turns[3].end, "hap", "AB")
        # Undo is per coder, as on a file.
        assert cd.undo("CD") is not None
        assert len(cd.units()) == 1
    with Project.open(url) as owner:  # the owner (and reconciliation) sees both
        assert sorted(u.coder for u in owner.units()) == ["AB", "CD"]
        assert audit.verify(owner) == []
        roles_in_trail = {e.detail.get("role") for e in audit.entries(owner)}
        assert {roles["ab"], roles["cd"]} <= roles_in_trail


def test_a_reader_changes_nothing_and_its_export_is_recorded(teamed, tmp_path):
    url, roles, turns = teamed
    reader = as_role(url, roles["author"])
    with Project.open(reader) as p, pytest.raises(StorageError, match="may not change"):
        p.add_coding("T1", turns[1].start, turns[1].end, "hap", "AB")
    out = tmp_path / "units.csv"
    done = subprocess.run([sys.executable, "-m", "qualcode", "export", reader, "units", "--format", "csv",
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and out.exists()
    refused = subprocess.run([sys.executable, "-m", "qualcode", "code-add", reader, "ny", "Ny kode"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "may not change" in refused.stderr
    with Project.open(url) as owner:
        exports = [e for e in audit.entries(owner) if e.kind == "export"]
        assert exports and exports[-1].detail["role"] == roles["author"]
        assert audit.verify(owner) == []


def test_only_the_owner_changes_the_team(teamed):
    url, roles, _ = teamed
    with Project.open(as_role(url, roles["ab"])) as ab:
        with pytest.raises(UserError, match="only the project's owner"):
            team.add_member(ab, roles["ab"], coder="AB")
        assert {m.role: m.access for m in team.members(ab)} == {
            roles["ab"]: "blind coder", roles["cd"]: "blind coder", roles["author"]: "reader"}
    with Project.open(url) as owner:
        with pytest.raises(UserError, match="no role"):
            team.add_member(owner, "qc_nobody_by_that_name", coder="XY")
        team.remove_member(owner, roles["cd"])
        assert roles["cd"] not in {m.role for m in team.members(owner)}
    with pytest.raises(StorageError):
        Project.open(as_role(url, roles["cd"])).units()

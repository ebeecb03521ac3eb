from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import NoReturn

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent

CODEBOOK_YAML = """\
codebook: Testbok
codes:
  - id: hap
    name: Opplevelser av håp
    colour: "#E69F00"
    keywords: [håp, kjenne seg igjen]
    children:
      - id: hap-sol
        name: Solskinnshistorier
      - id: hap-gjen
        name: Gjenkjennelse
  - id: rec
    name: Opplevelser av recovery
"""

DIALOGUE = [
    ("Intervjuer", "Hva tenkte dere om fagdagen i går?"),
    ("P1", "Eh, jeg kjente meg igjen, altså. Det var som å høre min egen historie."),
    ("Ansatt 1", "For meg ga det håp, faktisk. Man ser at det går an."),
    ("P2", "Æ veit ikkje helt, men det var fint å høre at ho klarte seg."),
]


def make_parsed(dialogue=DIALOGUE) -> ParsedTranscript:
    return ParsedTranscript.from_dialogue(dialogue)


ROLES = [RoleRule.parse("P*=pasient"), RoleRule.parse("Ansatt*=ansatt"), RoleRule.parse("Intervjuer=moderator")]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = Project.create(tmp_path / "studie.qualcode", codebook=parse_codebook(CODEBOOK_YAML, "test.yaml"))
    p.import_transcript(make_parsed(), title="Fokusgruppe 1", group="FG1", roles=ROLES)
    yield p
    p.close()


# --- PostgreSQL (team mode): one throwaway cluster per session, a fresh database per test ----------
# tests/pgserver.py makes the cluster. QUALCODE_TEST_PG_URL points at a server of your own instead
# (databases are made and dropped on it). Without PostgreSQL or psycopg the tests skip, saying why;
# under CI (env CI set) they fail instead: CI never skips the server tests silently.


def _pg_missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def pg_cluster():
    """The base URL (database 'postgres') of this session's server: started on first use, stopped at the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _pg_missing("psycopg is not installed (pip install -e '.[team]')")
    external = os.environ.get("QUALCODE_TEST_PG_URL")
    if external:
        yield external
        return
    from tests.pgserver import PgUnavailable, throwaway_cluster

    stack = contextlib.ExitStack()
    try:
        url = stack.enter_context(throwaway_cluster())
    except PgUnavailable as exc:
        _pg_missing(str(exc))
    with stack:
        yield url


@pytest.fixture
def make_pg_url(pg_cluster):
    """Make fresh empty databases on the session's server: make_pg_url() -> libpq URL; all dropped after."""
    from tests.pgserver import create_database, drop_database

    made: list[str] = []

    def make() -> str:
        made.append(create_database(pg_cluster))
        return made[-1]

    yield make
    for url in made:
        drop_database(url, pg_cluster)


@pytest.fixture
def pg_url(make_pg_url) -> str:
    """A fresh empty database for this test (postgresql://postgres@/t_…?host=<socket dir>&port=N)."""
    return make_pg_url()


async def until(pilot, predicate, seconds: float = 5.0) -> float:
    """Let a Pilot-driven app run until ``predicate()`` holds; how long it took (an
    AssertionError after ``seconds``): what other processes saved, shown in time."""
    import asyncio

    loop = asyncio.get_running_loop()
    start = loop.time()
    while not predicate():
        if loop.time() - start > seconds:
            raise AssertionError("not shown in time")
        await pilot.pause(0.05)
    return loop.time() - start


def qualcode_ok(*args: object) -> str:
    """Run ``qualcode ARGS`` as another process would, which must succeed; its output."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "qualcode", *map(str, args)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout

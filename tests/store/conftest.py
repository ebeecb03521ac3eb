"""The store's tests run against both backends: a project file and a PostgreSQL server project.

The ``project`` fixture is parametrized; a test that is about files only (crashes, journals,
the file's own backups) asks for ``file_project`` instead, or is marked ``sqlite_only``."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.store import Project
from tests.conftest import CODEBOOK_YAML, ROLES, make_parsed


def pytest_generate_tests(metafunc):
    """Every test here that uses ``backend`` (through ``project`` or ``project_at``) runs on
    both, unless it is marked ``file_only``."""
    if "backend" in metafunc.fixturenames:
        only_file = metafunc.definition.get_closest_marker("file_only") is not None
        metafunc.parametrize("backend", ["file"] if only_file else ["file", "server"])


@pytest.fixture
def project_at(backend: str, tmp_path: Path, request):
    """Where a new project goes on this test's backend: ``project_at('studie')``."""
    def where(name: str = "studie") -> str | Path:
        if backend == "file":
            return tmp_path / f"{name}.qualcode"
        return request.getfixturevalue("make_pg_url")()
    return where


@pytest.fixture
def project(project_at, backend: str) -> Project:
    p = Project.create(project_at(), codebook=parse_codebook(CODEBOOK_YAML, "test.yaml"))
    p.import_transcript(make_parsed(), title="Fokusgruppe 1", group="FG1", roles=ROLES)
    yield p
    p.close()

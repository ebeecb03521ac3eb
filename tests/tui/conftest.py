"""Fixtures for Pilot-driven tests of the TUI screens: a small coded project and a way to start
the app on it without touching the user's real config folder."""

from __future__ import annotations

import pytest

from qualcode.tui.app import QualcodeApp


def span(project, quote: str, tid: str = "T1") -> tuple[int, int]:
    start = project.text(tid).index(quote)
    return start, start + len(quote)


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def coded(project):
    """The conftest project with units: AB coded four (two patients, one staff member under hap and
    its subthemes), CD one under rec. Returns {name: coding id}."""
    ids = {}
    for name, quote, code, coder in [
        ("igjen", "jeg kjente meg igjen", "hap-sol", "AB"),
        ("ho", "det var fint å høre at ho klarte seg", "hap-sol", "AB"),
        ("håp", "For meg ga det håp", "hap-gjen", "AB"),
        ("går", "Man ser at det går an", "hap", "AB"),
        ("historie", "min egen historie", "rec", "CD"),
    ]:
        ids[name] = project.add_coding("T1", *span(project, quote), code, coder).id
    return ids


@pytest.fixture
def make_app(project):
    """Close the fixture's connection and start the app on the project file as coder AB."""

    def start(coder: str = "AB") -> QualcodeApp:
        project.close()
        return QualcodeApp(str(project.path), coder=coder)

    return start


class Notes:
    """Records what the app notifies, so tests can assert that an error was explained."""

    def __init__(self, app):
        self.messages: list[tuple[str, str]] = []
        original = app.notify

        def notify(message, *args, **kwargs):
            self.messages.append((str(message), kwargs.get("severity", "information")))
            return original(message, *args, **kwargs)

        app.notify = notify

    def of(self, severity: str) -> list[str]:
        return [m for m, s in self.messages if s == severity]

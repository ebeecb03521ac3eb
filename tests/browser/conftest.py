"""The browser tests drive the system's Chromium through Playwright (no browser is downloaded).
Without them the tests skip, and the run's summary says so in capitals: a skipped browser test
must not pass for a passed one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

INSTALL = ("install Chromium from the system's packages (apt-get install chromium) and Playwright "
           "(pip install -e '.[test]'), or name a Chromium in QUALCODE_CHROMIUM")


def chromium() -> str | None:
    """The system's Chromium: $QUALCODE_CHROMIUM, else the first found on PATH."""
    named = os.environ.get("QUALCODE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason=f"BROWSER TEST SKIPPED: Playwright is not installed; {INSTALL}")
    found = chromium()
    if found is None:
        pytest.skip(f"BROWSER TEST SKIPPED: no Chromium found; {INSTALL}")
    return found


def pytest_terminal_summary(terminalreporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "tests/browser/" in r.nodeid.replace("\\", "/")]
    if not skipped:
        return
    terminalreporter.section("BROWSER TESTS SKIPPED", sep="!", red=True, bold=True)
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(f"{report.nodeid}: {reason}", red=True, bold=True)

"""Smoke test of an installed wheel (run by .ci/run with the wheel's own venv, in an empty folder):
the example project builds and the workbench opens on it headless, codes one unit and quits."""

from __future__ import annotations

import asyncio
import sys

from qualcode.cli import main
from qualcode.store import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen


async def workbench() -> None:
    app = QualcodeApp("example.qualcode", coder="SMOKE")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen), app.screen
        await pilot.press("right_square_bracket", "x", "c")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.status_text.startswith("✓ saved"), app.status_text
        await pilot.press("escape", "q")


if __name__ == "__main__":
    assert "site-packages" in __import__("qualcode").__file__, "qualcode is not the installed wheel"
    if main(["example"]) != 0:
        sys.exit("smoke: 'qualcode example' failed")
    asyncio.run(workbench())
    with Project.open("example.qualcode", backup=False) as project:
        assert project.codings(coder="SMOKE"), "the workbench's coding is not in the file"
    print("smoke: wheel installed, example built, workbench opened and coded one unit")

"""The workbench shows what other processes saved within about a second, without a restart,
keeping the cursor and selection; blind coding still hides other coders."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from textual.widgets import DataTable

from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


def _cli(*args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "qualcode", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


async def _until(pilot, predicate, seconds: float = 3.0) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not predicate():
        if loop.time() - start > seconds:
            raise AssertionError("not shown in time")
        await pilot.pause(0.05)
    return loop.time() - start


async def test_codings_saved_by_another_process_appear_blind_coding_holds(project):
    path = project.path
    project.close()
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("right_square_bracket", "x")  # a selection the refresh must keep
        selection, cursor = screen.view.selection, screen.view.cursor
        units = screen.query_one("#units", DataTable)
        assert units.row_count == 0

        # The same coder, from another terminal: shown.
        await asyncio.to_thread(_cli, "code", str(path), "T1", "--start", "0", "--end", "10", "--code", "rec",
                                "--coder", "AB")
        waited = await _until(pilot, lambda: units.row_count == 1)
        assert waited < 2.0
        assert (screen.view.selection, screen.view.cursor) == (selection, cursor)

        # Another coder: hidden while coding blind, shown with o.
        await asyncio.to_thread(_cli, "code", str(path), "T1", "--start", "12", "--end", "20", "--code", "rec",
                                "--coder", "CD")
        await pilot.pause(1.2)
        assert units.row_count == 1
        await pilot.press("o")
        await pilot.pause()
        assert units.row_count == 2


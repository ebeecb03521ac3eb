"""The workbench shows what other processes saved within about a second, without a restart,
keeping the cursor and selection; blind coding still hides other coders."""

from __future__ import annotations

import asyncio

import pytest

from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.unit_list import UnitList
from tests.conftest import qualcode_ok, until

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


async def _open_t1(app, pilot) -> CodingScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CodingScreen)
    return app.screen


@pytest.fixture(params=["file", "server"])
def live_project(request, project) -> str:
    """The conftest project, as its file or copied whole onto a PostgreSQL server (the server
    tells the workbench of other connections' commits by NOTIFY)."""
    path = str(project.path)
    project.close()
    if request.param == "file":
        return path
    url = request.getfixturevalue("pg_url")
    qualcode_ok("copy", path, url)
    return url


async def test_codings_saved_by_another_process_appear_blind_coding_holds(live_project):
    path = live_project
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_t1(app, pilot)
        await pilot.press("right_square_bracket", "x")  # a selection the refresh must keep
        selection, cursor = screen.view.selection, screen.view.cursor
        units = screen.query_one("#units", UnitList)
        assert units.row_count == 0

        # The same coder, from another terminal: shown.
        await asyncio.to_thread(qualcode_ok, "code", path, "T1", "--start", "0", "--end", "10", "--code", "rec",
                                "--coder", "AB")
        waited = await until(pilot, lambda: units.row_count == 1, seconds=3.0)
        assert waited < 2.0
        assert (screen.view.selection, screen.view.cursor) == (selection, cursor)

        # Another coder: hidden while coding blind, shown with o.
        await asyncio.to_thread(qualcode_ok, "code", path, "T1", "--start", "12", "--end", "20", "--code", "rec",
                                "--coder", "CD")
        await pilot.pause(1.2)
        assert units.row_count == 1
        await pilot.press("o")
        await pilot.pause()
        assert units.row_count == 2



async def test_a_project_file_replaced_under_the_workbench_closes_it_cleanly(project, tmp_path, capsys):
    """Finding 2: after the file changed under it, the workbench crashed on Escape with a
    traceback and exit status 0. Now saving into a file that is no longer the project is refused,
    and the workbench closes with one line and status 1."""
    path = project.path
    project.close()
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await _open_t1(app, pilot)
        # Someone restores an old copy by copying over it with a file manager (a new inode).
        copy = tmp_path / "elsewhere.qualcode"
        copy.write_bytes(path.read_bytes())
        copy.replace(path)
        await pilot.press("right_square_bracket", "x", "c")
        await pilot.pause()
        await pilot.press("escape", "escape")
        await pilot.pause(1.0)
    assert app.return_code == 1
    assert "Traceback" not in capsys.readouterr().err
    assert app.error_line.startswith("qualcode: error: ") and "moved, replaced or deleted" in app.error_line


def test_the_store_refuses_to_save_into_a_file_that_was_replaced(project, tmp_path):
    from qualcode.core.errors import StorageError

    copy = tmp_path / "copy.qualcode"
    copy.write_bytes(project.path.read_bytes())
    copy.replace(project.path)
    with pytest.raises(StorageError, match="moved, replaced or deleted"):
        project.add_coding("T1", 0, 5, "hap", "AB")

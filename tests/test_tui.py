"""The placeholder TUI opens a project and lists its transcripts (the workbench comes next)."""

from __future__ import annotations

from textual.widgets import DataTable

from qualcode.tui.app import QualcodeApp


async def test_app_lists_the_transcripts(project):
    project.close()
    app = QualcodeApp(str(project.path), coder="AB")
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[:3] == ["T1", "Fokusgruppe 1", "FG1"]
        assert "coder AB" in app.sub_title
        await pilot.press("q")
    assert app.return_code == 0

"""Exports and reports from the command palette (issue 14, part 8): the CLI's command, run in its
own process with the options typed in the prompt, a progress bar meanwhile, and the written path
(or the command's error) said when it ends."""

from __future__ import annotations

import asyncio

import pytest

from qualcode.store import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.reports import REPORTS, RunningReport, argv, outcome
from qualcode.tui.screens.dialogs import TextPrompt

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


def report(title: str):
    return next(r for r in REPORTS if r.title == title)


def test_a_report_is_the_cli_command_with_the_options_typed(tmp_path):
    project = tmp_path / "studie.qualcode"
    assert argv(report("Export quotes"), project, "--format md --role pasient") == \
        ["export", str(project), "quotes", "--format", "md", "--role", "pasient"]
    assert argv(report("Methods section"), project, "--out {folder}/m.docx") == \
        ["methods", str(project), "--out", str(tmp_path / "exports") + "/m.docx"]
    assert outcome(0, "wrote a.docx: 3 meaning units\n", "") == (True, "wrote a.docx: 3 meaning units")
    assert outcome(1, "", "warning: x\nqualcode: error: no code 'x'\n") == (False, "qualcode: error: no code 'x'")


async def wait_for_report(app, pilot) -> None:
    for _ in range(600):
        await pilot.pause(0.05)
        if not isinstance(app.screen, RunningReport):
            return
    raise AssertionError("the report did not end")


async def test_an_export_from_the_palette_writes_its_file_and_says_where(project, tmp_path):
    path = project.path
    project.add_coding("T1", 0, 12, "hap", "AB")
    project.close()
    app = QualcodeApp(path, coder="AB")
    said: list[tuple[str, str]] = []
    app.notify = lambda message, **kw: said.append((message, kw.get("severity", "information")))  # type: ignore
    out = tmp_path / "sitater.md"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_report(report("Export quotes"))
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, TextPrompt) and prompt.value == "--format docx"
        prompt.dismiss(f"--format md --out {out}")
        await pilot.pause()
        assert isinstance(app.screen, RunningReport)
        await wait_for_report(app, pilot)
    assert out.exists() and "Opplevelser av håp" in out.read_text(encoding="utf-8")
    assert any(message.startswith(f"wrote {out}") and severity == "information" for message, severity in said)


async def test_a_mistake_in_the_options_is_the_commands_own_error_line(project):
    path = project.path
    project.close()
    app = QualcodeApp(path, coder="AB")
    said: list[tuple[str, str]] = []
    app.notify = lambda message, **kw: said.append((message, kw.get("severity", "information")))  # type: ignore
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.start_report(report("Export quotes"))
        await pilot.pause()
        app.screen.dismiss("--theme nosuchtheme")
        await pilot.pause()
        await wait_for_report(app, pilot)
        await asyncio.sleep(0)
    assert any("nosuchtheme" in message and severity == "error" for message, severity in said), said


async def test_the_project_watcher_does_nothing_once_the_workbench_is_closing(project):
    """Seen in CI: a report's process saved (its audit entry) just as the workbench closed; the
    watcher's last tick reloaded a screen whose widgets were gone, and the project was closed."""
    path = project.path
    project.close()
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    with Project.open(path, backup=False) as other:
        other.add_coding("T1", 0, 5, "hap", "CD")
    app._watch_project()  # a tick after the app stopped: nothing to redraw, nothing to read

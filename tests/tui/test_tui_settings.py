"""The user's settings: keys remapped by binding id, and a config folder that cannot be written
(full, read-only) costs the remembered coder, never the session."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from qualcode.tui import settings
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import TextPrompt
from qualcode.tui.screens.transcripts import TranscriptsScreen
from qualcode.tui.widgets.code_chooser import CodeChooser

from .conftest import Notes

SIZE = (120, 36)


def write_settings(folder: Path, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(data), encoding="utf-8")


async def test_a_remapped_key_codes_and_the_default_key_no_longer_does(project, make_app, config_dir):
    write_settings(config_dir, {"keys": {"coding.code": "C", "coding.next_unit": "ctrl+n"}})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        chooser = screen.query_one(CodeChooser)
        await pilot.press("right_square_bracket", "x", "c")
        assert not chooser.is_open  # c is not the key for coding any more
        await pilot.press("C")
        assert chooser.is_open
        await pilot.press(*"rec", "enter")
        await pilot.pause()
        [unit] = app.project.units()
        assert unit.code == "rec"
        await pilot.press("home", "ctrl+n")  # the remapped next unit
        assert screen.current == unit.id
        titles = {c.help for c in app.get_system_commands(screen)}
        assert any("(key: C · id: coding.code)" in t for t in titles)  # the palette names the user's key


async def test_settings_with_unknown_ids_or_bad_keys_are_explained(project, make_app, config_dir):
    write_settings(config_dir, {"keys": {"coding.cod": "C", "coding.edit": 5}})
    app = make_app()
    notes = Notes(app)  # (before the app starts: it says so as it starts)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("'coding.cod'" in m and "'coding.code'" in m for m in notes.of("warning")), notes.messages
        assert any("'coding.edit'" in m for m in notes.of("warning")), notes.messages
        assert isinstance(app.screen, TranscriptsScreen)


def test_remember_coder_on_a_folder_that_cannot_be_written_says_why(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(blocker / "qualcode"))
    with pytest.raises(settings.SettingsError, match="could not save your settings"):
        settings.remember_coder(tmp_path / "p.qualcode", "AB")
    assert settings.remembered_coder(tmp_path / "p.qualcode") is None


def test_a_full_disk_leaves_no_half_written_settings(tmp_path, monkeypatch, config_dir):
    settings.remember_coder(tmp_path / "a.qualcode", "AB")
    before = (config_dir / "settings.json").read_text(encoding="utf-8")

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(settings.SettingsError, match="No space left"):
        settings.remember_coder(tmp_path / "b.qualcode", "CD")
    monkeypatch.undo()
    assert (config_dir / "settings.json").read_text(encoding="utf-8") == before
    assert not (config_dir / "settings.tmp").exists()


async def test_the_workbench_carries_on_when_the_coder_cannot_be_remembered(project, tmp_path, monkeypatch):
    from qualcode.tui.app import QualcodeApp

    blocker = tmp_path / "read-only"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(blocker / "qualcode"))
    project.close()
    app = QualcodeApp(project.path)
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"CD", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and app.coder == "CD"
        assert isinstance(app.screen, TranscriptsScreen)
        assert any("could not save your settings" in m for m in notes.of("warning")), notes.messages

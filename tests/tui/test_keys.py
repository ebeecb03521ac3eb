"""The keys a user sees (issue 15): the keys panel (?), the footer and the command palette list
qualcode's keys, the screen's most important first, and no generic widget keys; the panel closes
with ? or Escape and stays on its screen; a footer never cuts a word, at any width."""

from __future__ import annotations

import pytest

from qualcode.tui.app import QualcodeApp
from qualcode.tui.keys import screen_keys
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.transcripts import TranscriptsScreen
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.keys_panel import KeysPanel

SIZES = [(80, 24), (120, 36), (200, 50)]


@pytest.fixture
def path(project):
    project.close()
    return project.path


async def started(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_t1(app, pilot) -> CodingScreen:
    await started(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CodingScreen)
    return app.screen


def footer_line(screen) -> str:
    footer = screen.query_one(KeysFooter)
    return footer.render().plain


async def test_question_mark_opens_and_closes_the_keys_panel_and_escape_closes_it(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_t1(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen.query(KeysPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not screen.query(KeysPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")  # closes the panel, does not leave the screen
        await pilot.pause()
        assert app.screen is screen and not screen.query(KeysPanel)
        await pilot.press("escape")  # without the panel Escape is the screen's again: back
        await pilot.pause()
        assert isinstance(app.screen, TranscriptsScreen)


async def test_the_keys_panel_stays_on_its_screen(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        first = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert first.query(KeysPanel)
        await pilot.press("k")  # the codebook
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert not app.screen.query(KeysPanel)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first and not first.query(KeysPanel)  # closed when another screen came


async def test_the_keys_panel_lists_qualcodes_keys_first_and_no_generic_ones(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_t1(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = app.screen.query_one(KeysPanel).plain.splitlines()
        assert lines[:3] == ["This screen", "c Code", "e Condense/memo"]  # the screen's, most important first
        text = lines.index("In the transcript")
        assert lines[text + 1] == "x Select sentence"
        for generic in ("Focus Next", "Focus Previous", "Page Left", "Cursor down", "Bottom", "palette"):
            assert not any(generic in line for line in lines), generic
        assert lines.index("Moving") > lines.index("Everywhere") > lines.index("This screen")
        assert "^z Undo" in lines and "? Close this panel" in lines
        assert "^end End of the transcript" in lines


async def test_the_command_palette_has_qualcodes_commands_and_the_reports_not_widget_commands(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]  # the table has the focus
        for generic in ("Bottom", "Top", "Cursor down", "Cursor up", "Page down", "Focus Next"):
            assert generic not in titles, generic
        for ours in ("Codebook", "Units by code", "Reconcile", "Undo", "Keys", "Export quotes", "Methods section",
                     "Quit", "Theme"):
            assert ours in titles, ours
        assert len(titles) == len(set(titles))
        await pilot.press("question_mark")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Hide keys" in titles and "Keys" not in titles


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_footers_keep_the_important_keys_and_never_cut_a_word(path, size):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        footer = app.screen.query_one(KeysFooter)
        shown = footer.shown
        assert shown[:2] == ["⏎ Open", "k Codebook"] and shown[-2:] == ["q Quit", "? Keys"]
        assert "R Reconcile" in shown  # the third most important, at every width
        line = footer_line(app.screen)
        assert len(line.rstrip()) <= size[0]
        for item in shown:
            assert item in line  # whole, never cut
        if size[0] >= 200:  # every key the transcripts screen shows
            assert len(shown) == len([k for k in screen_keys(app.screen) if k.show])
        screen = await open_coding(app, pilot)
        shown = screen.query_one(KeysFooter).shown
        assert shown[:3] == ["x Select sentence", "c Code", "e Condense/memo"]
        assert shown[-2:] == ["esc Back", "? Keys"]
        line = footer_line(screen)
        assert all(item in line for item in shown) and len(line.rstrip()) <= size[0]


async def open_coding(app, pilot) -> CodingScreen:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CodingScreen)
    return app.screen


async def test_a_click_on_a_footer_key_runs_it(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        footer = app.screen.query_one(KeysFooter)
        start, _end, _key = next(p for p in footer.placed if p[2].description == "Codebook")
        await pilot.click(KeysFooter, offset=(start + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)


async def test_the_footer_says_what_question_mark_does_now(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        screen = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert screen.query_one(KeysFooter).shown[-1] == "? Hide keys"
        await pilot.press("k")  # another screen: the panel closes
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.query_one(KeysFooter).shown[-1] == "? Keys"

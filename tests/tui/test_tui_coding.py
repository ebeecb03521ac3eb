"""The coding screen shows exactly what the store holds after each change it makes itself (the
unit made on screen equals the store's), without re-reading the transcript and without a second
redraw when the watch for other processes looks; a change made meanwhile elsewhere (undo on
another screen) shows when the screen comes back."""

from __future__ import annotations

from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.widgets.code_chooser import CodeChooser
from qualcode.tui.widgets.status_bar import StatusBar
from qualcode.tui.widgets.unit_list import UnitList

SIZE = (120, 36)


async def open_t1(app, pilot) -> CodingScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CodingScreen)
    return app.screen


def as_stored(app, screen: CodingScreen) -> list:
    return app.project.units(transcript=screen.tid, coder=None if screen.show_others else app.coder)


async def test_each_change_shows_the_units_as_stored_without_a_reread(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        reads = []
        original = screen.reload
        screen.reload = lambda: (reads.append(1), original())[1]
        units = screen.query_one(UnitList)
        assert screen.units == as_stored(app, screen) and units.row_count == 4

        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "x")
        await pilot.press("c", *"rec", "enter")  # a new unit, in its place in the list
        await pilot.pause()
        assert screen.units == as_stored(app, screen) and units.units == screen.units
        new = screen.current
        assert new == max(u.id for u in screen.units)
        assert [s.unit_id for s in screen.view.spans] == [u.id for u in screen.units]

        for keys in (("r", *"gjen", "enter"), ("s",), ("x", "a"), ("e", *"Kort", "ctrl+s")):
            await pilot.press(*keys)  # recode, star, adjust (to the selection), condense
            await pilot.pause()
            assert screen.units == as_stored(app, screen), keys
            assert units.units == screen.units and [s.unit_id for s in screen.view.spans] == [u.id for u in screen.units]

        await pilot.press("D", "y")
        await pilot.pause()
        assert screen.units == as_stored(app, screen) and screen.current is None

        await pilot.pause(app.WATCH_INTERVAL * 3)  # the watch looks several times meanwhile
        assert reads == [], "the screen re-read what it had just shown"


async def test_the_chooser_leaves_the_focus_in_the_text_and_escape_closes_it(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        chooser = screen.query_one(CodeChooser)
        await pilot.press("right_square_bracket", "x", "c")
        assert chooser.is_open and screen.view.has_focus
        selection = screen.view.selection
        await pilot.press(*"jxw")  # letters for the search, not for the transcript's keys
        assert chooser.query_one("#picker-query").value == "jxw" and screen.view.selection == selection
        await pilot.press("backspace", "escape")
        assert not chooser.is_open and screen.view.selection == selection
        await pilot.press("c")
        assert chooser.is_open
        await pilot.click(screen.view, offset=(14, 3))  # a click in the text: the user moved on
        await pilot.pause()
        assert not chooser.is_open and screen.view.has_focus
        await pilot.press("j")  # the screen's keys work again
        assert screen.current is not None and not chooser.is_open
        assert len(app.project.units(coder="AB")) == 4  # nothing coded


async def test_an_undo_on_another_screen_shows_when_the_coding_screen_is_back(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        await pilot.press("right_square_bracket", "x", "c", *"rec", "enter")
        await pilot.pause()
        assert len(screen.units) == 5
        await pilot.press("m")  # the transcript's memos
        await pilot.pause()
        assert app.screen is not screen
        await pilot.press("ctrl+z")  # undoes the coding
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert len(screen.units) == 4 and screen.units == as_stored(app, screen)


async def test_the_status_line_below_follows_when_it_is_shown_again(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_t1(app, pilot)
        await pilot.press("right_square_bracket", "x", "c", *"rec", "enter")
        await pilot.pause()
        await pilot.press("escape", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "saved: coded rec" in str(app.screen.query_one(StatusBar).render())

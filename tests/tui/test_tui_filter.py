"""Units by code, driven with the Pilot: the right units with roles and groups, subcodes and
coders toggled, another code picked, and a jump to the unit in its transcript."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from qualcode.tui.screens.dialogs import CodePicker
from qualcode.tui.screens.filter import FilterScreen, role_summary
from qualcode.tui.screens.transcripts import TranscriptsScreen
from qualcode.tui.widgets.code_chooser import CodeList

from .conftest import span

SIZE = (120, 36)


def rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def columns(screen) -> list[str]:
    return [str(column.label) for column in screen.query_one(DataTable).columns.values()]


def summary(screen) -> str:
    return str(screen.query_one("#filter-summary", Static).render())


def heading(screen) -> str:
    return str(screen.query_one("#filter-heading", Static).render())


async def pick(pilot, app, code_id: str) -> None:
    assert isinstance(app.screen, CodePicker), app.screen
    await pilot.press(*code_id)
    options = app.screen.query_one(CodeList)
    options.highlighted = options.get_option_index(code_id)
    await pilot.press("enter")
    await pilot.pause()


async def test_u_asks_for_a_code_and_lists_its_units_with_roles_and_groups(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        await pick(pilot, app, "hap")
        screen = app.screen
        assert isinstance(screen, FilterScreen) and screen.code_id == "hap"
        assert columns(screen) == ["transcript", "group", "speaker", "role", "code", "text", "condensed"]
        # hap and its subthemes, AB's units, in transcript order
        assert [r[:5] for r in rows(screen)] == [
            ["T1", "FG1", "P1", "pasient", "hap-sol"],
            ["T1", "FG1", "Ansatt 1", "ansatt", "hap-gjen"],
            ["T1", "FG1", "Ansatt 1", "ansatt", "hap"],
            ["T1", "FG1", "P2", "pasient", "hap-sol"],
        ]
        assert rows(screen)[0][5] == "jeg kjente meg igjen"
        assert summary(screen) == "4 units: ansatt 2 · pasient 2 · 1 transcript"
        assert "with subcodes" in heading(screen) and "coded by AB" in heading(screen)

        await pilot.press("s")  # subcodes off: only hap's own unit
        await pilot.pause()
        assert [r[4] for r in rows(screen)] == ["hap"]
        assert summary(screen) == "1 unit: ansatt 1 · 1 transcript"
        assert "without subcodes" in heading(screen)
        await pilot.press("s")
        await pilot.pause()
        assert len(rows(screen)) == 4


async def test_o_shows_all_coders_and_c_picks_another_code(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(FilterScreen("rec"))
        await pilot.pause()
        screen = app.screen
        assert rows(screen) == [] and summary(screen) == "no units"  # CD's unit is not AB's
        await pilot.press("o")
        await pilot.pause()
        assert "coder" in columns(screen)
        assert [r[:6] for r in rows(screen)] == [["T1", "FG1", "P1", "pasient", "rec", "CD"]]
        assert "all coders (o): CD 1" in heading(screen)

        await pilot.press("c")
        await pilot.pause()
        await pick(pilot, app, "hap-sol")
        assert app.screen is screen and screen.code_id == "hap-sol"
        assert [r[5] for r in rows(screen)] == ["AB", "AB"]  # still all coders
        assert summary(screen) == "2 units: pasient 2 · 1 transcript"


async def test_escape_in_the_first_picker_goes_back(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TranscriptsScreen)


async def test_the_list_follows_undo_and_the_condensed_meaning_is_shown(coded, project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.project.update_coding(coded["ho"], condensed="Godt å høre at det gikk bra", coder="AB")
        app.push_screen(FilterScreen("hap-sol"))
        await pilot.pause()
        screen = app.screen
        assert [r[6] for r in rows(screen)] == ["", "Godt å høre at det gikk bra"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert [r[6] for r in rows(screen)] == ["", ""]


async def test_enter_opens_the_transcript_at_the_unit(coded, project, make_app):
    from qualcode.tui.screens.coding import CodingScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(FilterScreen("hap-sol"))
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        unit = span(app.project, "det var fint å høre at ho klarte seg")
        assert (app.screen.tid, app.screen.goto) == ("T1", unit)
        assert app.screen.view.selection == unit


def test_role_summary_puts_the_biggest_role_first_and_names_missing_roles():
    from qualcode.core.units import MeaningUnit

    def unit(role, transcript):
        return MeaningUnit(id=0, transcript=transcript, title="", group=None, turn=None, speaker=None, role=role,
                           timestamp=None, start=0, end=1, text="", code="hap", code_name="Håp", code_path=("Håp",),
                           coder="AB", condensed="", memo="", starred=False, created_at="", updated_at="")

    units = [unit(r, t) for r, t in
             [("pasient", "T1"), ("ansatt", "T1"), ("pasient", "T2"), (None, "T3"), ("pasient", "T3")]]
    assert role_summary(units) == "5 units: pasient 3 · ansatt 1 · no role 1 · 3 transcripts"
    assert role_summary([]) == "no units"


async def test_a_code_merged_away_meanwhile_is_explained(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(FilterScreen("HAP-SOL"))  # ids as the user types them
        await pilot.pause()
        screen = app.screen
        assert screen.code_id == "hap-sol" and len(rows(screen)) == 2
        app.project.merge_codes("hap-sol", "rec", coder="AB")
        app.changed()
        await pilot.pause()
        assert rows(screen) == [] and "no longer in the codebook" in heading(screen)
        await pilot.press("ctrl+z")  # the merge undone: the units are back
        await pilot.pause()
        assert len(rows(screen)) == 2 and "hap-sol" in heading(screen)

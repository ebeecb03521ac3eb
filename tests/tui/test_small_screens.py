"""The workbench at 80×24, as over SSH on a small terminal (issue 15): the transcript keeps most of
the width (the units go under it), dialogs fit the screen with their keys in view, the transcripts
list keeps its counts, and the reconcile screen wraps words instead of cutting them. Wider screens
keep the side panel beside the text."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable

from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import UnitEditor
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.widgets.transcript_view import TranscriptView

SMALL = (80, 24)


async def started(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def lines_of(widget: Widget) -> list[str]:
    """What ``widget`` shows, row by row."""
    size = widget.size
    strips = widget.render_lines(Region(0, 0, size.width, size.height))
    return ["".join(segment.text for segment in strip) for strip in strips]


def inside(inner: Region, outer: Region) -> bool:
    return outer.contains_region(inner)


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_transcript_keeps_most_of_the_width(project, size):
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view, side = screen.query_one(TranscriptView).region, screen.query_one("#side").region
        assert view.width >= 0.6 * size[0]
        if size[0] < 100:  # the units under the text
            assert side.y >= view.bottom and side.width == size[0]
        else:  # beside it
            assert side.x >= view.right and side.y == view.y


async def test_the_unit_editor_fits_a_small_screen_with_its_keys_in_view(project):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap", "AB")
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("j", "e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, UnitEditor)
        screen_region = Region(0, 0, *SMALL)
        dialog = editor.query_one(".dialog").region
        assert inside(dialog, screen_region)
        hint = editor.query_one(".dialog-hint")
        assert inside(hint.region, dialog) and hint.region.height >= 1
        assert "ctrl+s save" in "".join(lines_of(hint))
        for box in ("#unit-condensed", "#unit-memo"):
            assert inside(editor.query_one(box).region, dialog)


async def test_the_transcripts_list_keeps_its_units_and_coded_columns(project):
    from tests.conftest import ROLES, make_parsed

    dialogue = [("Intervjuer", "Hvordan var det å komme hjem?"), ("P1", "Det gikk bra, egentlig. Jeg hadde støtte.")]
    project.import_transcript(make_parsed(dialogue), title="Fokusgruppe 2 – Fjordtun behandlingssenter (pasienter og ansatte)",
                              group="Fokusgruppe 2", roles=ROLES)
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width  # no column pushed out of view
        header = lines_of(table)[0]
        for column in ("units", "coded", "words"):
            assert column in header


async def test_the_reconcile_screen_wraps_words_at_80_columns(project):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "AB")
    project.add_coding("T1", t[1].start, t[1].start + 32, "hap-sol", "CD")
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot)
        app.push_screen(ReconcileScreen(["AB", "CD"]))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.query_one(TranscriptView).region.width >= 0.6 * SMALL[0]
        for selector in ("#reconcile-where", "#coder-a", "#coder-b", "#decision"):
            widget = screen.query_one(selector)
            said = str(widget.render()).split()
            shown = " ".join(lines_of(widget)).split()
            assert shown == said, selector  # every word whole, in order


@pytest.mark.parametrize("where", ["top", "end"])
async def test_the_code_chooser_leaves_the_words_being_coded_in_view(project, where):
    from tests.conftest import make_parsed

    lines = ["Ja, det var en fin dag. Vi gikk tur langs vannet.", "Æ veit ikkje. Men det hjalp å høre andre."]
    project.import_transcript(make_parsed([("P1" if i % 2 else "Intervjuer", f"{lines[i % 2]} Tur {i}.")
                                           for i in range(40)]), title="Lang", group="FG2")
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        keys = ["ctrl+end", "left_square_bracket"] if where == "end" else ["right_square_bracket"]
        await pilot.press(*keys, "x", "c")
        await pilot.pause()
        await pilot.pause()
        chooser = screen.query_one("#chooser").region
        view = screen.view
        start, end = view.selection
        for offset in (start, end - 1):
            row = view.region.y + view.layout_.row_of(offset) - view.scroll_offset.y
            assert view.region.y <= row < view.region.bottom  # on screen
            assert not chooser.contains(view.region.x + 12, row)  # and not under the chooser
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#side").display  # the units are back

"""Co-occurrence from the codebook, driven with the Pilot: the codes coded together with the
highlighted one (counts and c worked out by hand below), the levels and subcodes toggled, the
passages coded with both, and a jump into the transcript.

AB's units on the conftest transcript (every word invented):

=====  ========  ===================================================================  =======
n      speaker   text                                                                 code
=====  ========  ===================================================================  =======
1      P1        jeg kjente meg igjen, altså                                          hap-sol
2      P1        kjente meg igjen, altså. Det var som å høre min egen historie        rec
3      Ansatt 1  For meg ga det håp                                                   hap-gjen
4      Ansatt 1  Man ser at det går an                                                rec
5      P2        det var fint å høre at ho klarte seg                                 hap-sol
6      P2        det var fint å høre at ho klarte seg                                 rec
=====  ========  ===================================================================  =======

Overlaps: 1-2 ("kjente meg igjen, altså") and 5-6. CD's two units on P1's words overlap AB's but
are another coder's: they never count for AB.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static, Tree

from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.cooccurrence import CooccurrenceScreen, PassagesScreen

from .conftest import span

SIZE = (120, 36)


@pytest.fixture
def overlapping(project):
    ids = {}
    for n, quote, code, coder in [
        (1, "jeg kjente meg igjen, altså", "hap-sol", "AB"),
        (2, "kjente meg igjen, altså. Det var som å høre min egen historie", "rec", "AB"),
        (3, "For meg ga det håp", "hap-gjen", "AB"),
        (4, "Man ser at det går an", "rec", "AB"),
        (5, "det var fint å høre at ho klarte seg", "hap-sol", "AB"),
        (6, "det var fint å høre at ho klarte seg", "rec", "AB"),
        (7, "jeg kjente meg igjen", "hap-gjen", "CD"),
        (8, "jeg kjente meg igjen", "rec", "CD"),
    ]:
        ids[n] = project.add_coding("T1", *span(project, quote), code, coder).id
    return ids


def rows(screen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).render())


async def open_from_codebook(app, pilot, code_id: str) -> CooccurrenceScreen:
    await pilot.press("k")
    await pilot.pause()
    assert isinstance(app.screen, CodebookScreen)
    assert "c" in app.screen.active_bindings  # the key is on the codebook screen (and so in its keys panel)
    tree = app.screen.query_one(Tree)
    node = next(tree.get_node_at_line(i) for i in range(tree.last_line + 1)
                if tree.get_node_at_line(i).data == code_id)
    tree.move_cursor(node)
    await pilot.pause()
    await pilot.press("c")
    await pilot.pause()
    assert isinstance(app.screen, CooccurrenceScreen)
    return app.screen


async def test_the_codes_coded_with_the_highlighted_one_and_their_passages(overlapping, make_app):
    from qualcode.tui.screens.coding import CodingScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_codebook(app, pilot, "hap-sol")
        assert "hap-sol" in text_of(screen, "#cooc-heading") and "2 units coded by AB" in text_of(screen,
                                                                                                   "#cooc-heading")
        # rec: 3 units, 2 pairs with hap-sol; c = 2 / (2 + 3 - 2)
        assert rows(screen) == [["rec", "Opplevelser av recovery", "2", "3", "0.67"]]
        assert "ATLAS.ti" in text_of(screen, "#cooc-note")

        await pilot.press("enter")
        await pilot.pause()
        passages = app.screen
        assert isinstance(passages, PassagesScreen)
        assert "2 passages" in text_of(passages, "#passages-heading")
        assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows(passages)] == [
            ("T1", "P1", "pasient", f"{overlapping[1]} + {overlapping[2]}", "kjente meg igjen, altså"),
            ("T1", "P2", "pasient", f"{overlapping[5]} + {overlapping[6]}", "det var fint å høre at ho klarte seg"),
        ]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        unit = span(app.project, "det var fint å høre at ho klarte seg")
        assert (app.screen.tid, app.screen.goto) == ("T1", unit)
        assert app.screen.view.selection == unit


async def test_turn_level_and_subcodes_are_toggled(overlapping, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_codebook(app, pilot, "rec")
        assert rows(screen) == [["hap-sol", "Solskinnshistorier", "2", "2", "0.67"]]
        await pilot.press("t")  # the same turn: Ansatt 1's hap-gjen and rec are together too
        await pilot.pause()
        assert "turn" in text_of(screen, "#cooc-heading")
        assert rows(screen) == [["hap-sol", "Solskinnshistorier", "2", "2", "0.67"],
                                ["hap-gjen", "Gjenkjennelse", "1", "1", "0.33"]]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("t", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)

        screen = await open_from_codebook(app, pilot, "hap")  # the theme has no units of its own
        assert rows(screen) == []
        assert "No other code is coded together with hap" in text_of(screen, "#cooc-note")
        await pilot.press("s")  # with its subthemes: hap-sol's two pairs with rec; c = 2 / (3 + 3 - 2)
        await pilot.pause()
        assert rows(screen) == [["rec", "Opplevelser av recovery", "2", "3", "0.50"]]
        assert "3 units coded by AB" in text_of(screen, "#cooc-heading")

"""What a new user ran into in the workbench (issue 15, "What we saw"), each as the user met it:
reconciling (the first disagreement in view, a note before deciding), status lines that stayed on
other screens, the list's highlight after a jump, the code chooser's words, ``1`` after ``i``
found nothing, counts in the right number, and ctrl+home / ctrl+end in a long transcript."""

from __future__ import annotations

import pytest

from qualcode.store import reconcile
from qualcode.tui.app import QualcodeApp
from qualcode.tui.navigation import OpenKwic, OpenUnitsOfCode
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.coding_nlp import NlpAssist
from qualcode.tui.screens.dialogs import TextPrompt
from qualcode.tui.screens.filter import FilterScreen
from qualcode.tui.screens.kwic import KwicScreen
from qualcode.tui.screens.reconcile import ReconcileScreen
from qualcode.tui.widgets.code_chooser import CodeChooser
from qualcode.tui.widgets.status_bar import StatusBar
from qualcode.tui.widgets.transcript_view import TranscriptView
from qualcode.tui.widgets.unit_list import UnitList
from tests.conftest import make_parsed

from .conftest import Notes

SIZE = (120, 36)
LINES = [
    "Ja, det var en fin dag, synes jeg. Vi gikk tur langs vannet og snakket om alt mulig.",
    "Æ veit ikkje helt. Men det hjalp å høre at andre har hatt det likedan, liksom.",
    "Det er vanskelig å forklare. Jeg kjente meg igjen i mye av det hun fortalte om.",
    "Vi trenger mer tid til å snakke sammen, ikke bare om medisiner og planer.",
]


def long_dialogue(turns: int = 80) -> list[tuple[str, str]]:
    """An invented focus group long enough to scroll: the interviewer, then P1 to P4 in turn."""
    out = []
    for i in range(turns):
        speaker = "Intervjuer" if i % 5 == 0 else f"P{i % 5}"
        out.append((speaker, f"{LINES[i % len(LINES)]} Tur {i}."))
    return out


@pytest.fixture
def long_project(project):
    project.import_transcript(make_parsed(long_dialogue()), title="Lang samtale", group="FG2")
    return project


def visible(view: TranscriptView, offset: int) -> bool:
    assert view.layout_ is not None
    row = view.layout_.row_of(offset)
    return view.scroll_offset.y <= row < view.scroll_offset.y + view.size.height


async def started(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


# --- reconciling ---------------------------------------------------------------------------------

async def test_the_first_disagreement_is_in_view_and_a_note_can_be_written_before_deciding(long_project):
    turns = long_project.turns("T2")
    far = turns[70]  # far down a long transcript
    long_project.add_coding("T2", far.start, far.end, "hap", "AB")
    long_project.add_coding("T2", far.start, far.end, "rec", "CD")
    long_project.add_coding("T2", turns[75].start, turns[75].end, "rec", "CD")
    long_project.close()
    app = QualcodeApp(long_project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app.push_screen(ReconcileScreen(["AB", "CD"]))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(TranscriptView)
        assert visible(view, far.start)  # the first one too, not only those after it

        await pilot.press("n")  # a note before the decision: written now, kept with the decision
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"Enige etter samtale", "enter")
        await pilot.pause()
        assert "Enige etter samtale" in str(screen.query_one("#decision").render())
        await pilot.press("2")  # accept CD's
        await pilot.pause()
        first = reconcile.items(app.project, ["AB", "CD"], disagreements_only=True)[0]
        assert first.decision is not None and first.decision["note"] == "Enige etter samtale"
        assert first.decision["accepted_from"] == "CD"


async def test_a_new_decision_keeps_the_note(project):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap", "AB")
    project.add_coding("T1", t[1].start, t[1].end, "rec", "CD")
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app.push_screen(ReconcileScreen(["AB", "CD"]))
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("n", *"Drøftet", "enter")
        await pilot.pause()
        await pilot.press("b")  # changed their minds: both
        await pilot.pause()
        [item] = reconcile.items(app.project, ["AB", "CD"], disagreements_only=True)
        assert item.decision is not None and (item.decision["action"], item.decision["note"]) == ("both", "Drøftet")


# --- the coding screen ---------------------------------------------------------------------------

async def test_a_status_of_one_screen_does_not_stay_on_the_others(project):
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        coding = app.screen
        await pilot.press("slash", *"det", "enter")
        await pilot.pause()
        assert "match 1 of 4" in coding.query_one(StatusBar).render().plain
        app.post_message(OpenKwic())
        await pilot.pause()
        kwic = app.screen
        assert isinstance(kwic, KwicScreen)
        await pilot.pause()
        assert "match" not in kwic.query_one(StatusBar).render().plain
        kwic.query_one(StatusBar).update_status()
        assert "match" not in kwic.query_one(StatusBar).render().plain
        await app.workers.wait_for_complete()


async def test_a_jump_from_units_by_code_highlights_the_unit_in_the_list(long_project):
    turns = long_project.turns("T2")
    ids = [long_project.add_coding("T2", t.start, t.start + 20, "hap", "AB").id for t in turns[1:60:2]]
    long_project.close()
    app = QualcodeApp(long_project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app.post_message(OpenUnitsOfCode("hap"))
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        await pilot.press("ctrl+end", "up", "up")  # the third-last unit, far down the transcript
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        wanted = ids[-3]
        assert screen.current == wanted
        units = screen.query_one(UnitList)
        assert units.units[units.cursor].id == wanted
        assert units.scroll_offset.y <= units.cursor < units.scroll_offset.y + units.size.height  # in view
        assert visible(screen.view, screen.view.cursor)


async def test_the_code_chooser_shows_the_words_being_coded(project):
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right_square_bracket", "x", "c")
        await pilot.pause()
        chooser = app.screen.query_one(CodeChooser)
        quote = app.screen.query_one("#picker-quote")
        assert chooser.is_open and quote.display
        assert str(quote.render()) == "«Eh, jeg kjente meg igjen, altså.»"


def test_a_long_quote_keeps_its_start_and_its_end_on_one_line():
    from rich.cells import cell_len

    from qualcode.tui.widgets.code_chooser import quote_line

    said = " ".join(LINES)
    line = quote_line(said, 40)
    assert cell_len(line) <= 40 and line.startswith("«Ja, det var") and line.endswith("planer.»") and " … " in line
    assert quote_line("  Kort  sitat. ", 40) == "«Kort sitat.»"


async def test_one_after_suggestions_found_none_says_so(project):
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        await pilot.press("1")
        assert "No suggestions yet" in notes.messages[-1][0]
        span = (screen.turns[1].start, screen.turns[1].start + 20)
        screen.post_message(NlpAssist.Suggested(span, [], ""))  # what i brings when nothing is like the text
        await pilot.pause()
        await pilot.press("1")
        said = notes.messages[-1][0]
        assert "No suggestions yet" not in said and "No code was suggested" in said


async def test_ctrl_home_and_ctrl_end_reach_the_ends_of_a_long_transcript(long_project):
    long_project.close()
    app = QualcodeApp(long_project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.tid == "T2"
        await pilot.press("ctrl+end")
        assert screen.view.cursor == screen.turns[-1].end and visible(screen.view, screen.view.cursor)
        await pilot.press("ctrl+home")
        assert screen.view.cursor == screen.turns[0].start and screen.view.scroll_offset.y == 0


# --- wording -------------------------------------------------------------------------------------

async def test_counts_are_in_the_right_number(project):
    from qualcode.core.text import plural as core_plural
    from qualcode.tui.screens.codebook import Tally
    from qualcode.tui.screens.memos import plural_memos
    from qualcode.tui.text import plural

    assert plural is core_plural  # one way to say a count in the whole of qualcode
    assert str(Tally(1, {"T1"})) == "1 unit · 1 transcript"
    assert plural_memos(1) == "1 memo"
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap", "AB")
    project.add_coding("T1", t[1].start, t[1].end, "hap", "CD")  # agreed
    project.add_coding("T1", t[2].start, t[2].end, "rec", "CD")
    project.close()
    app = QualcodeApp(project.path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        app.push_screen(ReconcileScreen(["AB", "CD"]))
        await pilot.pause()
        await pilot.press("A", "y")
        await pilot.pause()
        assert app.status_text == "✓ saved: 1 agreed unit into the consensus"

"""Names to hide, driven with the Pilot: the findings as rows, and every decision (hide, keep,
same as, kind, add, forget) checked on screen and in the store's name list, with ctrl+z.

Basic mode is asked for explicitly (``model="basic"``) with ``QUALCODE_SPACY_MODEL`` removed: it
has no NER, so the findings come from capitalised words and the variants of the project's list.
The model test runs when ``QUALCODE_SPACY_MODEL`` is set and fails if it cannot be loaded.
"""

from __future__ import annotations

import os
import re

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from qualcode.nlp.model import ENV_VAR
from qualcode.store import deid
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.dialogs import TextPrompt
from qualcode.tui.screens.names import ChoicePicker, NamesScreen, place_of
from qualcode.tui.widgets.nlp_status import NlpStatus

from ..nlp.conftest import ROLES, create_project, make_parsed
from .conftest import Notes

SIZE = (140, 40)
MODEL = os.environ.get(ENV_VAR)  # read before any test removes it


@pytest.fixture
def study(tmp_path, monkeypatch):
    """The NLP tests' focus group (Kari, Karis, the variant Karris, Hamar) and a second one
    that mentions Ola twice; the path of the project file."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    project = create_project(tmp_path / "studie.qualcode")
    project.import_transcript(
        make_parsed([("P1", "Jeg snakket med Ola om det, men Ola sa nei."), ("Ansatt 2", "Fagdagen var fin.")]),
        title="Fokusgruppe 2", group="FG2", roles=ROLES,
    )
    project.close()
    return tmp_path / "studie.qualcode"


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_names(app, pilot, screen: NamesScreen | None = None) -> NamesScreen:
    screen = screen or NamesScreen(model="basic")
    await pilot.pause()
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


def table(screen) -> DataTable:
    return screen.query_one(DataTable)


def column(screen, name: str) -> list[str]:
    return [str(cell) for cell in table(screen).get_column(name)]


def row(screen, term: str) -> dict[str, str]:
    t = table(screen)
    cells = t.get_row(term.casefold())
    return {str(c.key.value): str(v) for c, v in zip(t.ordered_columns, cells)}


def summary(screen) -> str:
    return str(screen.query_one("#names-summary", Static).render())


async def go_to(pilot, screen, term: str) -> None:
    t = table(screen)
    t.move_cursor(row=t.get_row_index(term.casefold()))
    await pilot.pause()


def decisions(app) -> dict[str, tuple]:
    return {t.term: (t.kind, t.hide, t.variant_of) for t in deid.terms(app.project)}


async def choose(pilot, app, value: str) -> None:
    """Pick ``value`` in the ChoicePicker on top."""
    assert isinstance(app.screen, ChoicePicker), app.screen
    options = app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(value)
    await pilot.press("enter")
    await pilot.pause()


async def answer(pilot, app, text: str) -> None:
    assert isinstance(app.screen, TextPrompt), app.screen
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_the_findings_one_row_per_name_with_kind_source_decision_and_context(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        assert "basic mode" in screen.query_one(NlpStatus).line
        explained = str(screen.query_one("#names-explain", Static).render())
        assert "every export" in explained and "qualcode redact" in explained and "not changed" in explained

        assert column(screen, "term") == ["Hamar", "Kari", "Karri", "Ola"]
        assert row(screen, "Kari") == {
            "term": "Kari", "kind": "PER", "source": "pattern", "decision": "pending", "found": "2",
            "example": "T1 …høre min egen historie, og Kari sa det samme."}
        assert row(screen, "Hamar")["kind"] == "GPE_LOC"  # after 'i': a place
        assert row(screen, "Karri")["source"] == "list ~Kari?"  # Karris: a spelling of Kari
        assert row(screen, "Ola")["found"] == "2"
        assert summary(screen).startswith("4 names in 7 places: 4 pending · 0 hidden · 0 kept")
        assert table(screen).has_focus and not table(screen).loading


async def test_hide_keep_forget_are_saved_at_once_and_undone_with_ctrl_z(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await go_to(pilot, screen, "Kari")
        await pilot.press("h")
        assert decisions(app) == {"Kari": ("PER", True, None)}
        assert deid.sources(app.project) == {"kari": "pattern"}
        assert row(screen, "Kari")["decision"] == "hide"
        assert "saved: hide Kari (PER)" in app.status_text
        assert table(screen).cursor_row == 2  # on to the next name

        await go_to(pilot, screen, "Hamar")
        await pilot.press("k")
        assert decisions(app)["Hamar"] == ("GPE_LOC", False, None)
        assert row(screen, "Hamar")["decision"] == "keep"
        assert summary(screen).startswith("4 names in 7 places: 2 pending · 1 hidden · 1 kept")

        await pilot.press("ctrl+z")  # the app's undo: the keep goes, the hide stays
        await pilot.pause()
        assert decisions(app) == {"Kari": ("PER", True, None)}
        assert row(screen, "Hamar")["decision"] == "pending" and row(screen, "Kari")["decision"] == "hide"

        await go_to(pilot, screen, "Kari")
        await pilot.press("x")
        assert decisions(app) == {} and row(screen, "Kari")["decision"] == "pending"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert decisions(app) == {"Kari": ("PER", True, None)} and row(screen, "Kari")["decision"] == "hide"

        # nothing to forget: explained, nothing changes
        notes = Notes(app)
        await go_to(pilot, screen, "Ola")
        await pilot.press("x")
        assert "No decision about Ola to forget" in notes.of("warning")[-1]
        assert decisions(app) == {"Kari": ("PER", True, None)}


async def test_same_as_ties_a_spelling_to_a_hidden_name(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        screen = await open_names(app, pilot)
        await go_to(pilot, screen, "Karri")
        await pilot.press("s")  # no hidden name yet
        assert "hide the name first" in notes.of("warning")[-1] and app.screen is screen

        await go_to(pilot, screen, "Kari")
        await pilot.press("h")  # the cursor moves on to Karri
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ChoicePicker)
        offered = picker.query_one(OptionList)
        assert offered.get_option_at_index(offered.highlighted).id == "Kari"  # the finder's guess first
        await pilot.press("enter")
        await pilot.pause()
        assert decisions(app)["Karri"] == ("PER", True, "Kari")
        assert row(screen, "Karri")["decision"] == "hide = Kari"
        assert row(screen, "Karri")["source"] == "list"  # the guess is settled
        # a spelling has its name's kind
        await go_to(pilot, screen, "Karri")
        await pilot.press("K")
        await pilot.pause()
        assert "has its kind" in notes.of("warning")[-1] and app.screen is screen

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "Karri" not in decisions(app) and row(screen, "Karri")["decision"] == "pending"


async def test_kind_waits_for_a_decision_or_changes_a_stored_one(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await go_to(pilot, screen, "Hamar")  # after 'i' the basic guess is GPE_LOC
        await pilot.press("K")
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == 2  # the current kind is offered first
        await choose(pilot, app, "LOC")
        assert row(screen, "Hamar")["kind"] == "LOC" and decisions(app) == {}  # not a decision yet
        await pilot.press("h")
        assert decisions(app) == {"Hamar": ("LOC", True, None)}

        await go_to(pilot, screen, "Ola")
        await pilot.press("h")
        await go_to(pilot, screen, "Ola")
        await pilot.press("K")
        await pilot.pause()
        await choose(pilot, app, "GPE_ORG")
        assert decisions(app)["Ola"] == ("GPE_ORG", True, None) and row(screen, "Ola")["kind"] == "GPE_ORG"
        assert deid.sources(app.project)["ola"] == "pattern"  # where it was found is kept
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert decisions(app)["Ola"] == ("PER", True, None) and row(screen, "Ola")["kind"] == "PER"
        # Escape in the picker changes nothing
        await pilot.press("K")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and decisions(app)["Ola"] == ("PER", True, None)


async def test_add_a_name_the_finder_missed_then_undo_removes_its_row(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await pilot.press("a")
        await answer(pilot, app, "fagdagen")  # found case-insensitively: 'fagdagen', 'Fagdagen'
        assert isinstance(app.screen, ChoicePicker)
        await choose(pilot, app, "EVT")
        assert decisions(app) == {"fagdagen": ("EVT", True, None)}
        assert deid.sources(app.project) == {"fagdagen": "user"}
        added = row(screen, "fagdagen")
        assert (added["source"], added["decision"], added["found"]) == ("user", "hide", "2")
        assert table(screen).cursor_row == table(screen).get_row_index("fagdagen")

        await pilot.press("a")
        await answer(pilot, app, "P1")  # a speaker's label
        await choose(pilot, app, "PER")
        assert deid.sources(app.project)["p1"] == "speaker"

        await pilot.press("ctrl+z")
        await pilot.pause()
        keys = [k.value for k in table(screen).rows]
        assert "p1" not in keys and "fagdagen" in keys
        # Escape in the prompt adds nothing
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and set(decisions(app)) == {"fagdagen"}


async def test_pending_only_hides_decided_names_and_the_review_moves_on(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await pilot.press("p")
        assert "showing pending only" in summary(screen) and len(column(screen, "term")) == 4
        await pilot.press("h")  # Hamar: decided, so it leaves the list; the cursor is on Kari
        assert column(screen, "term") == ["Kari", "Karri", "Ola"] and table(screen).cursor_row == 0
        await pilot.press("k")
        assert column(screen, "term") == ["Karri", "Ola"]
        assert decisions(app) == {"Hamar": ("GPE_LOC", True, None), "Kari": ("PER", False, None)}
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert column(screen, "term") == ["Kari", "Karri", "Ola"]
        await pilot.press("p")
        assert column(screen, "term") == ["Hamar", "Kari", "Karri", "Ola"] and "showing all" in summary(screen)


async def test_enter_opens_the_transcript_at_the_name_and_keys_are_commands(study):
    from qualcode.tui.screens.coding import CodingScreen

    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Hide", "Keep", "Same as…", "Kind", "Add name", "Forget", "Pending only",
                "Open in transcript", "Find again"} <= titles
        await go_to(pilot, screen, "Ola")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen) and app.screen.tid == "T2"
        start, end = app.screen.goto
        assert app.project.text("T2")[start:end] == "Ola" and app.screen.view.selection == (start, end)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is screen and table(screen).cursor_row == 3

        # a decision made elsewhere (the command line) shows when the screen redraws
        deid.add_term(app.project, "Ola", "PER", hide=False, coder="CD")
        screen.reload()
        assert row(screen, "Ola")["decision"] == "keep"


async def test_a_model_that_cannot_be_loaded_is_explained(study, tmp_path):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        screen = await open_names(app, pilot, NamesScreen(model=str(tmp_path / "no-such-model")))
        assert "cannot load the spaCy model" in screen.query_one(NlpStatus).line
        assert "cannot load the spaCy model" in notes.of("error")[-1]
        assert table(screen).row_count == 0 and not table(screen).loading


def test_the_example_stays_inside_the_turn_and_starts_at_a_word():
    text = ("Intervjuer: Hvem?\n"
            "P1: Det var en gang da jeg snakket lenge med Kari om alt som hadde skjedd den dagen.\n")
    turn = (text.index("Det"), text.index(".\n") + 1)
    start = text.index("Kari")
    place = place_of(text, "T1", start, start + 4, [(12, 17), turn])
    assert place.left == "…da jeg snakket lenge med " and place.right == " om alt som hadde skjedd…"
    first = place_of(text, "T1", text.index("Det"), text.index("Det") + 3, [(12, 17), turn])
    assert first.left == ""  # not the interviewer's question


@pytest.mark.skipif(not MODEL, reason=f"{ENV_VAR} is not set; the model test runs in CI (.ci/run) "
                                      "against the shared model")
async def test_with_the_real_model_names_come_from_ner(study, monkeypatch):
    monkeypatch.setenv(ENV_VAR, MODEL)
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot, NamesScreen())  # the model from the environment
        line = screen.query_one(NlpStatus).line
        assert "basic mode" not in line and "cannot load" not in line, f"{ENV_VAR}={MODEL}: {line}"
        assert row(screen, "Kari")["source"] == "ner" and row(screen, "Ola")["source"] == "ner"
        await go_to(pilot, screen, "Kari")
        await pilot.press("h")
        assert decisions(app) == {"Kari": ("PER", True, None)} and deid.sources(app.project) == {"kari": "ner"}


# --- a review that takes minutes: bulk decisions --------------------------------------------------


async def test_bulk_keys_are_listed_for_the_footer_and_help(study):
    from qualcode.tui.screens.names import NamesScreen as Screen

    keys = {b.key: b for b in Screen.BINDINGS}
    assert keys["H"].description == "Hide all pending" and keys["H"].show
    assert keys["t"].description == "Hide kind" and keys["T"].description == "Keep kind"
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        shown = {b.binding.key for b in screen.active_bindings.values()}
        assert {"H", "t", "T"} <= shown
        assert "H hides all pending" in str(screen.query_one("#names-explain", Static).render())


async def test_hide_all_pending_asks_first_and_is_one_undoable_action(study):
    from qualcode.tui.screens.dialogs import Confirm

    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await go_to(pilot, screen, "Ola")
        await pilot.press("k")  # decided: stays as it is
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        question = str(app.screen.query_one(".dialog-title").render())
        assert "Hide all 3 pending names?" in question and "Kari" in question and "Ola" not in question
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert app.screen is screen and decisions(app) == {"Ola": ("PER", False, None)}

        await pilot.press("H")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert decisions(app) == {"Ola": ("PER", False, None), "Kari": ("PER", True, None),
                                  "Karri": ("PER", True, "Kari"), "Hamar": ("GPE_LOC", True, None)}
        assert set(column(screen, "decision")) == {"hide", "hide = Kari", "keep"}
        assert "saved: hide 3 pending names" in app.status_text

        await pilot.press("ctrl+z")  # all three at once
        await pilot.pause()
        assert decisions(app) == {"Ola": ("PER", False, None)}
        assert row(screen, "Kari")["decision"] == "pending"


async def test_hide_or_keep_every_pending_name_of_the_rows_kind(study):
    from qualcode.tui.screens.dialogs import Confirm

    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_names(app, pilot)
        await go_to(pilot, screen, "Hamar")  # a place
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "Keep the 1 pending place name?" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("y")
        await pilot.pause()
        assert decisions(app) == {"Hamar": ("GPE_LOC", False, None)}

        await go_to(pilot, screen, "Ola")  # a person: Kari, Karri and Ola
        await pilot.press("t")
        await pilot.pause()
        assert "Hide all 3 pending person names?" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("y")
        await pilot.pause()
        assert {k: v[1] for k, v in decisions(app).items()} == {"Hamar": False, "Kari": True, "Karri": True,
                                                                  "Ola": True}
        await pilot.press("t")  # nothing left of that kind: explained, nothing asked
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert decisions(app) == {"Hamar": ("GPE_LOC", False, None)}


async def test_the_screen_keeps_what_it_found_for_the_exports(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await open_names(app, pilot)
        assert deid.findings_current(app.project, "basic")
        assert {"Kari", "Ola", "Hamar"} <= {f.term for f in deid.stored_findings(app.project).names}
        assert re.fullmatch(r"\[Navn \d\?\] bor på \[Sted 1\?\]", deid.Redactor(app.project).text("Ola bor på Hamar"))

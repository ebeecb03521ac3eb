"""Keyword in context, driven with the Pilot: a search in basic mode (word forms) and with the
real model (lemmas), the role, group and fuzzy filters, the jump into the coding screen, and
errors explained instead of crashing.

Basic mode is asked for explicitly (``model="basic"``, as ``--nlp-model basic``) with
``QUALCODE_SPACY_MODEL`` removed, so these tests run whatever is installed. The model test runs
when ``QUALCODE_SPACY_MODEL`` is set (as CI does) and fails if that model cannot be loaded.
"""

from __future__ import annotations

import os

import pytest
from textual.widgets import DataTable, Input, Static

from qualcode.nlp.model import ENV_VAR
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.kwic import KwicScreen, clip_left, kwic_summary
from qualcode.tui.widgets.nlp_status import NlpStatus

from ..nlp.conftest import ROLES, create_project, make_parsed
from .conftest import Notes

SIZE = (140, 36)
MODEL = os.environ.get(ENV_VAR)  # read before any test removes it


@pytest.fixture
def study(tmp_path, monkeypatch):
    """The NLP tests' focus group (FG1: håp, håper, Håpet, håpløst) and a second one (FG2) with
    a patient and a staff member; the path of the project file."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    project = create_project(tmp_path / "studie.qualcode")
    project.import_transcript(
        make_parsed([("P1", "Håpet var borte. Jeg håpa på det lenge."), ("Ansatt 2", "Vi håper det, vi.")]),
        title="Fokusgruppe 2", group="FG2", roles=ROLES,
    )
    project.close()
    return tmp_path / "studie.qualcode"


async def settle(app, pilot) -> None:
    """Let the workers finish, then let the screen handle what they posted."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_kwic(app, pilot, screen: KwicScreen) -> KwicScreen:
    await pilot.pause()
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


async def search(app, pilot, query: str) -> None:
    await pilot.press("slash")
    app.screen.query_one(Input).value = query
    await pilot.press("enter")
    await settle(app, pilot)


def cells(screen, column: str) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(cell) for cell in table.get_column(column)]


def summary(screen) -> str:
    return str(screen.query_one("#kwic-summary", Static).render())


async def test_basic_mode_finds_the_word_forms_with_context_speaker_role_and_group(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen(model="basic"))
        status = screen.query_one(NlpStatus)
        assert "basic mode" in status.line and "no lemmas" in status.line  # says what is missing
        assert screen.query_one(Input).has_focus

        await search(app, pilot, "håp")
        assert cells(screen, "match") == ["håp", "håper", "Håpet", "Håpet", "håpa", "håper"]
        assert cells(screen, "transcript") == ["T1", "T1", "T1", "T2", "T2", "T2"]
        assert cells(screen, "speaker") == ["P2", "P3", "P3", "P1", "P1", "Ansatt 2"]
        assert cells(screen, "role")[-1] == "ansatt" and cells(screen, "group")[-1] == "FG2"
        assert cells(screen, "how")[4] == "dialect"  # håpa: a dialect form, marked
        table = screen.query_one(DataTable)
        left, match, right = table.get_row_at(0)[:3]
        assert str(left).endswith("Og det gir ") and str(right).startswith(" for framtida.")
        assert left.justify == "right" and "reverse" in str(match.style)  # the hit stands out
        assert summary(screen).startswith("'håp': 6 hits in 2 transcripts · pasient 5 · ansatt 1")
        assert table.has_focus and not table.loading

        # a word that is not there; the way to widen the search is named
        await search(app, pilot, "sjokolade")
        assert table.row_count == 0 and "no hits" in summary(screen) and "f also finds" in summary(screen)


async def test_role_group_and_fuzzy_filters_change_the_rows(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen("håp", model="basic"))
        assert screen.query_one(Input).value == "håp" and len(cells(screen, "match")) == 6

        await pilot.press("r")  # roles in the project, alphabetically: ansatt, moderator, pasient
        assert cells(screen, "speaker") == ["Ansatt 2"] and "role: ansatt (r)" in summary(screen)
        await pilot.press("r")
        assert cells(screen, "match") == [] and "6 hits without the filters" in summary(screen)
        await pilot.press("r")
        assert set(cells(screen, "role")) == {"pasient"} and len(cells(screen, "role")) == 5
        await pilot.press("r")
        assert len(cells(screen, "match")) == 6 and "role: all (r)" in summary(screen)

        await pilot.press("g")
        assert cells(screen, "transcript") == ["T1", "T1", "T1"] and "group: FG1 (g)" in summary(screen)
        await pilot.press("g")
        assert cells(screen, "transcript") == ["T2", "T2", "T2"]
        await pilot.press("r", "r", "r")  # FG2 and pasient together
        assert cells(screen, "match") == ["Håpet", "håpa"]
        assert summary(screen).startswith("'håp': 2 hits in 1 transcript · pasient 2")
        await pilot.press("g", "r")
        assert len(cells(screen, "match")) == 6

        await pilot.press("f")  # fuzzy searches again: the compound comes in
        await settle(app, pilot)
        assert "håpløst" in cells(screen, "match") and "fuzzy: on (f)" in summary(screen)
        assert cells(screen, "how")[cells(screen, "match").index("håpløst")] == "compound"
        await pilot.press("f")
        await settle(app, pilot)
        assert "håpløst" not in cells(screen, "match") and len(cells(screen, "match")) == 6


async def test_enter_opens_the_coding_screen_at_the_hit_and_escape_comes_back(study):
    from qualcode.tui.screens.coding import CodingScreen

    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen("håp", model="basic"))
        await pilot.press("down", "down", "down", "enter")  # the fourth hit: Håpet in T2
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen) and coding.tid == "T2"
        start, end = coding.goto
        assert app.project.text("T2")[start:end] == "Håpet"
        assert coding.view.selection == (start, end)

        await pilot.press("escape", "escape")  # the first clears the selection
        await pilot.pause()
        assert app.screen is screen and screen.query_one(DataTable).cursor_row == 3
        # Enter from the command palette's action works on the highlighted row too
        screen.query_one(DataTable).move_cursor(row=4)
        screen.action_open_hit()
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        start, end = app.screen.goto
        assert app.project.text("T2")[start:end] == "håpa"


async def test_escape_goes_back_and_every_key_is_a_palette_command(study):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen("håp", model="basic"))
        assert screen.query_one(DataTable).has_focus  # after a search the keys act on the hits
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Open at hit", "New search", "Role", "Group", "Fuzzy", "Back"} <= titles
        await pilot.press("slash")
        assert screen.query_one(Input).has_focus
        await pilot.press("r", "g", "f")  # in the search field these are letters, not filters
        # the old query is selected on focus, so typing replaces it
        assert screen.query_one(Input).value == "rgf" and "role: all" in summary(screen)
        await pilot.press("escape")  # from the search field too
        await pilot.pause()
        assert app.screen is not screen


async def test_errors_are_explained_not_crashed(study, tmp_path):
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        screen = await open_kwic(app, pilot, KwicScreen(model="basic"))
        await search(app, pilot, "...")  # no words in it
        assert "has no words to search for" in notes.of("error")[-1]
        assert app.screen is screen and not screen.query_one(DataTable).loading
        assert "basic mode" in screen.query_one(NlpStatus).line  # the model is fine
        assert "no search: '...' has no words" in summary(screen) and screen.query_one(Input).has_focus

        # a model the user named that does not exist: said on screen, never basic mode silently
        missing = KwicScreen("håp", model=str(tmp_path / "no-such-model"))
        await app.push_screen(missing)
        await settle(app, pilot)
        assert "cannot load the spaCy model" in missing.query_one(NlpStatus).line
        assert "cannot load the spaCy model" in notes.of("error")[-1]
        assert missing.query_one(DataTable).row_count == 0


async def test_the_nlp_stylesheet_lays_both_screens_out(study):
    """styles/nlp.tcss is the app's and applies: the tables take the height that is left, the
    explanation is set apart; l and n on the transcripts screen open the two screens."""
    from qualcode.tui.screens.names import NamesScreen

    assert "styles/nlp.tcss" in QualcodeApp.CSS_PATH
    app = QualcodeApp(study, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen("håp", model="basic"))
        hits = screen.query_one(DataTable)
        assert str(hits.styles.height) == "1fr" and hits.region.height >= 20
        names = NamesScreen(model="basic")
        await app.push_screen(names)
        await settle(app, pilot)
        assert names.query_one("#names-explain").styles.border_left[0] == "wide"
        assert names.query_one(DataTable).region.height >= 15
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        await pilot.press("l")
        assert isinstance(app.screen, KwicScreen)
        app.screen.workers.cancel_all()
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("n")
        assert isinstance(app.screen, NamesScreen)
        await settle(app, pilot)


def test_clipping_and_the_summary():
    assert clip_left("x" * 50, 10) == "…" + "x" * 9
    assert kwic_summary([]) == "no hits"


@pytest.mark.skipif(not MODEL, reason=f"{ENV_VAR} is not set; the model test runs in CI (.ci/run) "
                                      "against the shared model")
async def test_with_the_real_model_a_lemma_finds_its_inflections(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, MODEL)
    path = tmp_path / "studie.qualcode"
    create_project(path).close()
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_kwic(app, pilot, KwicScreen())  # the model comes from the environment
        line = screen.query_one(NlpStatus).line
        assert "basic mode" not in line and "cannot load" not in line, f"{ENV_VAR}={MODEL}: {line}"
        assert "language model:" in line

        await search(app, pilot, "håp")
        assert cells(screen, "match") == ["håp", "håper", "Håpet"]
        assert set(cells(screen, "how")) == {""}  # all by lemma
        # only lemmas find the forms of 'være': var, er (basic mode finds none of them)
        await search(app, pilot, "være")
        found = set(cells(screen, "match"))
        assert {"var", "er"} <= found and "være" not in found
        assert summary(screen).startswith("'være': ")

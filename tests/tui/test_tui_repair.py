"""Transcript repairs on the coding screen and in the speakers panel, driven by keys: after each,
every meaning unit is on the same words and the screen shows what the store holds; after ctrl+z,
text, turns and units are exactly as before. Units sit on both sides of the repaired turn."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.screen import ModalScreen
from textual.widgets import DataTable, TextArea

from qualcode.core.errors import StorageError
from qualcode.store.transcripts import RoleRule
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import SpeakerChooser, TurnEditor
from qualcode.tui.screens.speakers import SpeakersScreen, exact_pattern
from qualcode.tui.text import follow_offset
from qualcode.tui.widgets.status_bar import StatusBar
from tests.conftest import make_parsed

from .conftest import Notes, span

SIZE = (120, 36)


@pytest.fixture
def units(project):
    """AB's units on each turn of T1 (P1's, Ansatt 1's twice, P2's) and one of CD's on P2's."""
    ids = {}
    for name, quote, code, coder in [
        ("igjen", "jeg kjente meg igjen", "hap-sol", "AB"),
        ("håp", "For meg ga det håp", "hap-gjen", "AB"),
        ("går", "Man ser at det går an", "hap", "AB"),
        ("ho", "det var fint å høre at ho klarte seg", "hap-sol", "AB"),
        ("veit", "Æ veit ikkje helt", "rec", "CD"),
    ]:
        ids[name] = project.add_coding("T1", *span(project, quote), code, coder).id
    return ids


def state(app, tid: str = "T1"):
    """Text, turns and every coder's units (offsets) as stored."""
    project = app.project
    return (project.text(tid), project.turns(tid),
            sorted((c.id, c.start, c.end, c.code, c.coder) for c in project.codings(transcript=tid)))


def words(app, tid: str = "T1") -> dict[int, str]:
    text = app.project.text(tid)
    return {c.id: text[c.start:c.end] for c in app.project.codings(transcript=tid)}


def status(app) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def open_t1(app, pilot) -> CodingScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CodingScreen)
    return app.screen


async def settle(app, pilot) -> None:
    """Wait until the keys' work is done: a repair's worker waits for its dialog while one is open."""
    await pilot.pause()
    if not isinstance(app.screen, ModalScreen):
        await app.workers.wait_for_complete()
        await pilot.pause()


def shown_as_stored(app, screen: CodingScreen) -> None:
    """The screen shows the transcript and units as the store has them."""
    assert screen.text == app.project.text("T1") == screen.view.text
    assert screen.turns == app.project.turns("T1") == screen.view.turns
    assert screen.units == app.project.units(transcript="T1", coder="AB")
    assert [s.unit_id for s in screen.view.spans] == [u.id for u in screen.units]


async def undo_all(app, pilot, screen, before, steps: int = 1) -> None:
    for _ in range(steps):
        await pilot.press("ctrl+z")
        await settle(app, pilot)
    assert state(app) == before
    shown_as_stored(app, screen)


async def test_split_at_the_cursor_keeps_every_unit_on_its_words_and_undo_restores_all(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        before, said = state(app), words(app)
        screen.view.go_to(app.project.text("T1").index("Man ser") + 2)  # inside the word: split before it
        await pilot.press("S")
        await settle(app, pilot)
        assert isinstance(app.screen, SpeakerChooser)
        await pilot.press("enter")  # the same speaker
        await settle(app, pilot)
        turns = app.project.turns("T1")
        assert [t.speaker for t in turns] == ["Intervjuer", "P1", "Ansatt 1", "Ansatt 1", "P2"]
        assert turns[2].text == "For meg ga det håp, faktisk." and turns[3].text == "Man ser at det går an."
        assert words(app) == said
        shown_as_stored(app, screen)
        assert screen.view.cursor == screen.text.index("Man ser") + 2  # the cursor on the same words
        assert "split turn 2" in status(app) and "ctrl+z undoes it" in status(app)

        screen.view.go_to(screen.text.index("ikkje helt"))  # P2's turn, by a new speaker: P3
        await pilot.press("S", *"P3", "enter")
        await settle(app, pilot)
        assert [t.speaker for t in app.project.turns("T1")][-2:] == ["P2", "P3"]
        assert words(app) == said
        shown_as_stored(app, screen)
        await undo_all(app, pilot, screen, before, steps=2)


async def test_merge_with_the_next_turn_asks_when_the_speakers_differ(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        before, said = state(app), words(app)
        screen.view.go_to(screen.text.index("Det var som"))  # P1's turn; next: Ansatt 1's
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("n")  # not merged
        await settle(app, pilot)
        assert state(app) == before
        await pilot.press("M", "y")
        await settle(app, pilot)
        turns = app.project.turns("T1")
        assert len(turns) == 3 and turns[1].speaker == "P1"
        assert turns[1].text.endswith("egen historie. For meg ga det håp, faktisk. Man ser at det går an.")
        assert words(app) == said
        shown_as_stored(app, screen)
        assert screen.text[screen.view.cursor:].startswith("Det var som")
        await undo_all(app, pilot, screen, before)


async def test_drop_a_turn_with_units_says_which_and_deletes_them_only_when_told(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        notes = Notes(app)
        before, said = state(app), words(app)
        screen.view.go_to(screen.text.index("faktisk"))  # Ansatt 1's turn: AB's units håp and går
        await pilot.press("X")
        await settle(app, pilot)
        question = str(app.screen.query_one(".dialog-title").render())
        assert f"{units['håp']} hap-gjen" in question and f"{units['går']} hap" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert state(app) == before
        await pilot.press("X", "y")
        await settle(app, pilot)
        turns = app.project.turns("T1")
        assert [t.speaker for t in turns] == ["Intervjuer", "P1", "P2"]
        assert words(app) == {k: v for k, v in said.items() if k not in (units["håp"], units["går"])}
        shown_as_stored(app, screen)
        assert screen.text[screen.view.cursor:].startswith("Æ veit")  # the next turn's start
        assert f"units {units['håp']}, {units['går']}" in status(app)
        await undo_all(app, pilot, screen, before)
        assert not notes.of("error")


async def test_correct_the_words_of_a_turn(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        before, said = state(app), words(app)
        screen.view.go_to(screen.text.index("min egen"))
        await pilot.press("E")
        await settle(app, pilot)
        assert isinstance(app.screen, TurnEditor)
        assert app.screen.query_one(TextArea).text == app.project.turns("T1")[1].text
        await pilot.press("backspace", *" Ja.", "ctrl+s")  # the end of the turn corrected
        await settle(app, pilot)
        assert app.project.turns("T1")[1].text.endswith("min egen historie Ja.")
        assert words(app) == said
        shown_as_stored(app, screen)
        assert screen.text[screen.view.cursor:].startswith("min egen")
        await undo_all(app, pilot, screen, before)

        await pilot.press("E", "escape")  # cancelled: nothing changes
        await settle(app, pilot)
        assert state(app) == before


async def test_speaker_of_the_turn_or_of_every_turn_the_selection_touches(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        notes = Notes(app)
        before, said = state(app), words(app)
        screen.view.go_to(screen.text.index("veit"))
        await pilot.press("A", *"p1", "enter")  # an existing speaker, typed in another case
        await settle(app, pilot)
        assert app.project.turns("T1")[3].speaker == "P1"
        assert next(u for u in screen.units if u.id == units["ho"]).speaker == "P1"
        shown_as_stored(app, screen)

        screen.view.select(screen.text.index("egen historie"), screen.text.index("går an"))  # turns 1-2
        await pilot.press("A", *"Deltaker 5", "enter")  # a new speaker
        await settle(app, pilot)
        assert [t.speaker for t in app.project.turns("T1")] == ["Intervjuer", "Deltaker 5", "Deltaker 5", "P1"]
        assert words(app) == said
        shown_as_stored(app, screen)

        await pilot.press("A", *"P:5", "enter")  # not a label: explained, nothing changes
        await settle(app, pilot)
        assert any("colon" in m for m in notes.of("error"))
        assert isinstance(app.screen, CodingScreen)
        await undo_all(app, pilot, screen, before, steps=2)


async def test_a_split_at_the_first_word_is_explained_not_attempted(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        notes = Notes(app)
        before = state(app)
        await pilot.press("right_square_bracket", "S")  # on P1's first word
        await settle(app, pilot)
        assert any("word where the second part begins" in m for m, _ in notes.messages)
        assert state(app) == before and isinstance(app.screen, CodingScreen)
        screen.view.go_to(len(screen.text))  # the last turn: nothing to merge it with
        await pilot.press("M")
        await settle(app, pilot)
        assert any("last turn" in m for m, _ in notes.messages)
        assert state(app) == before and isinstance(app.screen, CodingScreen)


async def test_a_fatal_storage_error_in_a_repair_closes_the_workbench(units, make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)

        def gone(*args, **kwargs):
            raise StorageError("the project file is gone", fatal=True)

        monkeypatch.setattr(app.project, "merge_turns", gone)
        screen.view.go_to(screen.text.index("faktisk"))
        await pilot.press("M", "y")
        await settle(app, pilot)
    assert app.return_code == 1 and "gone" in (app.error_line or "")


async def test_the_speakers_panel_renames_merges_sets_roles_and_goes_to_turns(project, make_app):
    project.import_transcript(make_parsed([
        (None, "Opptaket er i gang."), ("SPEAKER_00", "Jeg heter ikke noe her."),
        ("SPEAKER_01", "Velkommen, alle sammen."), (None, "Ja, takk."), ("SPEAKER_00", "Det var fint."),
    ]), title="Whisper", group="FG9")
    tid = "T2"
    unit = project.add_coding(tid, *span(project, "fint", tid), "hap", "AB").id
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "s")  # T2's speakers
        await settle(app, pilot)
        panel = app.screen
        assert isinstance(panel, SpeakersScreen)
        table = panel.query_one(DataTable)
        assert [s.label for s in panel.speakers] == ["SPEAKER_00", "SPEAKER_01"] and panel.loose == [0, 3]
        before = state(app, tid)

        await pilot.press("r", *["backspace"] * 10, *"P1", "enter")  # a rename: in the text too
        await settle(app, pilot)
        assert [s.label for s in panel.speakers] == ["P1", "SPEAKER_01"]
        assert "P1: Jeg heter" in app.project.text(tid)
        assert words(app, tid) == {unit: "fint"}

        await pilot.press("down", "r", *["backspace"] * 10, *"p1", "enter")  # an existing label: asks first
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert [(s.label, s.turns) for s in panel.speakers] == [("P1", 3)]

        await pilot.press("o", *"pasient", "enter")
        await settle(app, pilot)
        assert panel.speakers[0].role == "pasient" and table.row_count == 1

        await pilot.press("u")  # the coding screen at the first turn without a speaker, selected
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.tid == tid
        assert screen.view.selection == (0, len("Opptaket er i gang."))
        await pilot.press("A", *"Moderator", "enter", "U")  # then the next one without a speaker
        await settle(app, pilot)
        assert screen.text[slice(*screen.view.selection)] == "Ja, takk."
        await pilot.press("L")  # back to the panel from the coding screen; u returns to it
        await settle(app, pilot)
        assert isinstance(app.screen, SpeakersScreen) and app.screen.loose == [3]
        notes = Notes(app)
        await pilot.press("r", *["backspace"] * 10, *"Intervjuer", "enter", "u")  # a rename: shown below
        await settle(app, pilot)
        assert app.screen is screen and len(app.screen_stack) == 4  # no second coding screen
        assert screen.turns == app.project.turns(tid) and screen.turns[0].speaker == "Intervjuer"
        assert not [m for m, _ in notes.messages if "another qualcode" in m]

        for _ in range(5):
            await pilot.press("ctrl+z")
            await settle(app, pilot)
        assert state(app, tid) == before
        assert screen.text == app.project.text(tid) and screen.turns == app.project.turns(tid)


def test_the_cursor_follows_its_words_through_a_repair():
    from qualcode.core.models import Turn

    def turns(text, spans, who=None):
        return [Turn(index=i, speaker=who, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans)]

    old = "A: en to tre\nB: fire fem\n"
    old_turns = turns(old, [(3, 12), (16, 25)])
    new = "Aa: en to tre\nB: fire fem\n"  # a label rewritten (as many turns): each turn keeps its place
    new_turns = turns(new, [(4, 13), (17, 26)])
    assert follow_offset(old, old_turns, new, new_turns, old.index("fem")) == new.index("fem")
    assert follow_offset(old, old_turns, new, new_turns, old.index("to")) == new.index("to")
    merged = "A: en to tre fire fem\n"  # two turns merged: the words after the change move with it
    assert follow_offset(old, old_turns, merged, turns(merged, [(3, 21)]), old.index("fem")) == merged.index("fem")
    dropped = "B: fire fem\n"  # a turn dropped: words inside it go to where the change was
    assert follow_offset(old, old_turns, dropped, turns(dropped, [(3, 11)]), old.index("to")) == 0
    for label in ("P[1]*", "Ansatt ?", "P1"):
        assert RoleRule(exact_pattern(label), "pasient").matches(label)
    assert not RoleRule(exact_pattern("P*"), "pasient").matches("P1")


async def test_at_80_columns_the_status_line_says_what_happened_and_how_to_undo_it(units, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_t1(app, pilot)
        notes = Notes(app)
        screen.view.go_to(screen.text.index("Man ser"))
        await pilot.press("S", "enter")
        await settle(app, pilot)
        line = status(app)
        assert "split turn 2" in line and "(ctrl+z undoes it)" in line
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert "undo split turn 2" in status(app)
        assert not [m for m, _ in notes.messages if "another qualcode" in m]  # one's own undo is no news


async def test_a_repair_saved_by_another_qualcode_shows_with_a_notice(units, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(app, pilot)
        notes = Notes(app)
        screen.view.go_to(screen.text.index("ikkje helt"))
        for args in (["turns", "--merge", "1-2"], ["speakers", "--set", "Moderator", "--turns", "0"]):
            subprocess.run([sys.executable, "-m", "qualcode", args[0], str(app.project_path), "T1", *args[1:]],
                           check=True, capture_output=True)
        await pilot.pause(app.WATCH_INTERVAL * 3)
        await settle(app, pilot)
        shown_as_stored(app, screen)
        assert [t.speaker for t in screen.turns] == ["Moderator", "P1", "P2"]
        assert screen.text[screen.view.cursor:].startswith("ikkje helt")
        assert any("another qualcode" in m for m, _ in notes.messages)

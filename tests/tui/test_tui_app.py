"""The coding workbench driven with Textual's Pilot: the whole flow a coder goes through."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from qualcode.store import Project
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import TextPrompt, UnitEditor
from qualcode.tui.widgets.code_chooser import CodeChooser
from qualcode.tui.widgets.unit_list import UnitList

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def path(project):
    project.close()
    return project.path


async def open_t1(pilot) -> CodingScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CodingScreen)
    return screen


async def suggest_on_p1(pilot) -> CodingScreen:
    """Open T1, select P1's sentence «Eh, jeg kjente meg igjen, altså.» and ask for suggestions."""
    screen = await open_t1(pilot)
    await pilot.press("right_square_bracket", "x")
    await pilot.press("i")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_code_a_sentence_condense_undo_redo_and_find_it_after_a_restart(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.get_row_at(0)[:3] == ["T1", "Fokusgruppe 1", "FG1"]
        assert table.get_row_at(0)[-1] == "0%"
        screen = await open_t1(pilot)
        await pilot.press("right_square_bracket")  # to the next turn: P1
        await pilot.press("x")  # select the sentence under the cursor
        assert screen.text[slice(*screen.view.selection)] == "Eh, jeg kjente meg igjen, altså."
        await pilot.press("c")
        await pilot.pause()
        chooser = screen.query_one(CodeChooser)  # the code chooser opens on the coding screen itself
        assert app.screen is screen and chooser.is_open and screen.view.has_focus
        await pilot.press(*"gjenkj", "enter")
        await pilot.pause()
        [unit] = app.project.units()
        assert (unit.code, unit.text, unit.coder) == ("hap-gjen", "Eh, jeg kjente meg igjen, altså.", "AB")
        assert "saved" in app.status_text
        assert screen.query_one("#units", UnitList).row_count == 1
        assert screen.units == [unit] and screen.current == unit.id  # as the store has it
        assert not chooser.is_open and screen.view.has_focus

        await pilot.press("e")  # condensed meaning and memo of the unit under the cursor
        await pilot.pause()
        assert isinstance(app.screen, UnitEditor)
        await pilot.press(*"Kjente seg igjen", "ctrl+s")
        await pilot.pause()
        assert app.project.coding(unit.id).condensed == "Kjente seg igjen"

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.project.coding(unit.id).condensed == ""
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.project.coding(unit.id).condensed == "Kjente seg igjen"

        await pilot.press("escape", "escape")  # clear the selection, then back to the list
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(DataTable).get_row_at(0)[-1] != "0%"

    again = QualcodeApp(path)  # the coder is remembered for this project
    async with again.run_test(size=SIZE) as pilot:
        assert again.coder == "AB"
        screen = await open_t1(pilot)
        await pilot.press("j")  # next unit
        assert screen.current == unit.id
        assert screen.view.cursor == unit.start
        await pilot.press("ctrl+z")  # undo survives the restart: the condensed meaning goes
        await pilot.pause()
        assert again.project.coding(unit.id).condensed == ""


async def test_one_span_carries_several_codes_and_units_can_be_recoded_adjusted_and_deleted(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "t")  # the whole turn of Ansatt 1
        span = screen.view.selection
        for query in ("sol", "rec"):
            await pilot.press("c", *query, "enter")
            await pilot.pause()
        units = app.project.units()
        assert sorted(u.code for u in units) == ["hap-sol", "rec"]
        assert {(u.start, u.end) for u in units} == {span}

        await pilot.press("j")
        first = screen.current
        await pilot.press("r", *"gjen", "enter")  # change its code
        await pilot.pause()
        assert app.project.coding(first).code == "hap-gjen"

        await pilot.press("x", "a")  # adjust the unit to the first sentence of the turn
        await pilot.pause()
        adjusted = app.project.coding(first)
        assert screen.text[adjusted.start:adjusted.end] == "For meg ga det håp, faktisk."

        await pilot.press("s")  # star as a candidate quote
        await pilot.pause()
        assert app.project.coding(first).starred

        await pilot.press("D", "y")  # delete, confirmed
        await pilot.pause()
        assert first not in {c.id for c in app.project.codings()}


async def test_search_highlights_all_matches_and_n_moves_between_them(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        await pilot.press("slash", *"det", "enter")
        await pilot.pause()
        matches = screen.view.matches
        assert [screen.text[s:e].casefold() for s, e in matches] == ["det"] * len(matches)
        assert len(matches) == 4  # "Det var som", "ga det", "det går", "det var fint"
        assert screen.view.cursor == matches[0][0]
        await pilot.press("n")
        assert screen.view.cursor == matches[1][0]
        await pilot.press("N", "N")
        assert screen.view.cursor == matches[-1][0]  # wraps around
        assert "match 4 of 4" in app.status_text


async def test_next_uncoded_participant_turn_skips_the_interviewer_and_coded_turns(path):
    with Project.open(path, backup=False) as p:
        turns = p.turns("T1")
        p.add_coding("T1", turns[1].start, turns[1].end, "hap", "AB")
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        await pilot.press("g")
        assert screen.view.cursor == turns[2].start  # P1 (coded) and the interviewer are skipped
        await pilot.press("g")
        assert screen.view.cursor == turns[3].start


async def test_the_coder_is_asked_for_once(path, tmp_path):
    app = QualcodeApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"CD", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.coder == "CD"
        assert app.screen.query_one(DataTable).row_count == 1
    later = QualcodeApp(path)
    assert later.coder == "CD"
    later.project.close()


async def test_blind_by_default_with_a_toggle_to_see_the_other_coder(path):
    with Project.open(path, backup=False) as p:
        t = p.turns("T1")[1]
        p.add_coding("T1", t.start, t.end, "hap", "CD")
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        assert screen.units == []
        await pilot.press("o")
        assert [u.coder for u in screen.units] == ["CD"]
        await pilot.press("j", "e")  # another coder's unit is not ours to edit
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)


async def test_every_action_is_in_the_command_palette(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        for title in ("Code", "Condense/memo", "Change code", "Delete unit", "Next unit", "Next uncoded turn",
                      "Search", "Undo", "Redo", "Select sentence", "Select turn", "Extend by word"):
            assert title in titles, title


async def test_a_span_can_be_selected_with_the_mouse(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        view = screen.view
        row = next(i for i, line in enumerate(view.layout_.lines) if line.kind == 1 and line.turn == 1)
        x0 = 6 + 4  # past the line numbers and the margin stripes
        await pilot.mouse_down(view, offset=(x0 + 4, row))
        await pilot.hover(view, offset=(x0 + 20, row))
        await pilot.mouse_up(view, offset=(x0 + 20, row))
        start = view.layout_.lines[row].start
        assert view.selection == (start + 4, start + 20)
        assert screen.text[slice(*view.selection)] == "jeg kjente meg i"


async def test_brackets_in_code_names_are_shown_as_written(path):
    from qualcode.core.models import CodeNode

    with Project.open(path, backup=False) as p:
        p.add_code(CodeNode(id="latter", name="Håp [latter] og [b]fet"))
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await open_t1(pilot)
        await pilot.press("t", "c", *"latter")
        await pilot.pause()
        options = app.screen.query_one("#picker-options")
        assert "Håp [latter] og [b]fet" in str(options.get_option_at_index(0).prompt)


async def test_question_mark_shows_the_keys_of_the_screen(path):
    from qualcode.tui.widgets.keys_panel import KeysPanel

    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await open_t1(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(KeysPanel)  # qualcode's keys panel (tests/tui/test_keys.py), not Textual's


async def test_reconciling_two_coders_in_the_tui_and_resuming(path):
    from qualcode.store import reconcile
    from qualcode.tui.screens.reconcile import ReconcileScreen

    with Project.open(path, backup=False) as p:
        t = p.turns("T1")
        p.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "AB")
        p.add_coding("T1", t[1].start, t[1].end, "hap-sol", "CD")
        p.add_coding("T1", t[2].start, t[2].end, "rec", "CD")
        p.add_coding("T1", t[3].start, t[3].end, "hap", "AB")
        p.add_coding("T1", t[3].start, t[3].end, "hap", "CD")
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("R", "enter")  # with the only other coder, CD
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        assert "Disagreement 1 of 2" in str(screen.query_one("#reconcile-where").render())
        await pilot.press("2")  # accept CD's code for the first; the screen moves on to the next
        await pilot.pause()
        assert screen.index == 1
        await pilot.press("k", "n", *"Enige etter samtale", "enter")  # back, and a note on the discussion
        await pilot.pause()
        first = app.project.conn.execute("SELECT action, accepted_from, note, decided_by FROM reconciliation").fetchone()
        assert tuple(first) == ("accept", "CD", "Enige etter samtale", "AB")
        await pilot.press("escape")
    again = QualcodeApp(path, coder="AB")
    async with again.run_test(size=SIZE) as pilot:
        await again.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("R", "enter")
        await pilot.pause()
        screen = again.screen
        assert screen.index == 1  # resumes at the first undecided
        await pilot.press("d", "A", "y")  # drop CD's lone unit; then the agreed unit into the consensus
        await pilot.pause()
        items = reconcile.items(again.project, ["AB", "CD"])
        assert reconcile.progress(items) == (2, 2)
        assert sorted(c.code for c in again.project.codings(coder="consensus")) == ["hap", "hap-sol"]


async def test_bracketed_transcript_notes_are_shown_as_written_in_the_panels(path):
    with Project.open(path, backup=False) as p:
        t = p.turns("T1")[1]
        p.add_coding("T1", t.start, t.end, "hap", "AB", condensed="Ler [latter] og er [b]glad")
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        await pilot.press("j")
        await pilot.pause()
        detail = str(screen.query_one("#unit-detail").render())
        assert "Ler [latter] og er [b]glad" in detail


async def test_codes_are_suggested_with_their_evidence_and_accepted_with_one_key(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggest_on_p1(pilot)
        span = screen.view.selection
        assert screen.suggestions, "the keyword 'kjenne seg igjen' should suggest a code"
        first = screen.suggestions[0]
        assert first.code in {"hap", "hap-gjen", "hap-sol"}
        shown = str(screen.query_one("#suggestions").render())
        assert "[1]" in shown and "kjente" in shown  # the words that triggered it
        await pilot.press("1")
        await pilot.pause()
        [unit] = app.project.units()
        assert (unit.code, (unit.start, unit.end)) == (first.code, span)
        # Disclosure: the unit came from a suggestion, and the suggestion was taken.
        assert app.project.coding(unit.id).origin == "suggestion"
        assert app.project.suggestion_decisions("AB") == [("T1", *span, first.code, "AB", "accepted")]


async def test_suggestions_for_a_span_the_coder_left_are_marked_and_not_taken_here(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggest_on_p1(pilot)
        assert screen.suggestions
        await pilot.press("escape", "right_square_bracket", "right_square_bracket")  # two turns on
        await pilot.pause()
        assert "(not here: press i for codes here)" in str(screen.query_one("#suggestions").render())
        await pilot.press("1")
        await pilot.pause()
        assert app.project.units() == []  # nothing coded out of sight
        assert app.project.suggestion_decisions("AB") == []


async def test_coding_a_suggested_span_by_hand_passes_over_the_codes_shown_above(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggest_on_p1(pilot)
        span = screen.view.selection
        shown = [s.code for s in screen.suggestions]
        assert "rec" not in shown[:1]
        await pilot.press("c", *"recov", "enter")  # the coder chose another code in the chooser
        await pilot.pause()
        [unit] = app.project.units()
        assert unit.code == "rec" and app.project.coding(unit.id).origin == "manual"
        decided = app.project.suggestion_decisions("AB")
        expected = shown[:shown.index("rec") + 1] if "rec" in shown else shown
        assert [(d[3], d[5]) for d in decided] == \
            [(code, "accepted" if code == "rec" else "rejected") for code in expected]
        assert all(d[1:3] == span for d in decided)


async def test_proposed_units_lie_in_participant_turns_and_p_walks_them(path):
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_t1(pilot)
        await pilot.press("P")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.proposals
        turns = screen.turns
        for proposal in screen.proposals:
            assert turns[proposal.turn].speaker != "Intervjuer"  # never the interviewer's turns
        first = screen.view.selection
        assert first == (screen.proposals[0].start, screen.proposals[0].end)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("p")
        assert screen.view.selection == (screen.proposals[1].start, screen.proposals[1].end)


async def test_a_suggestion_with_little_evidence_is_marked_as_a_guess(path, monkeypatch):
    monkeypatch.setattr("qualcode.nlp.suggest.MIN_SCORE", 1.0)  # every suggestion has too little evidence
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggest_on_p1(pilot)
        shown = str(screen.query_one("#suggestions").render())
        assert screen.suggestions and all(s.weak for s in screen.suggestions)
        assert shown.count("(weak: a guess)") == len(screen.suggestions)
        assert f"{screen.suggestions[0].name}  (weak: a guess)" in shown


async def test_suggestions_have_room_on_a_small_terminal_while_they_are_for_here(path):
    """At 80×24 the side panel is under the text and small: while the suggestions are for where
    the coder is, they take it (the unit list steps aside), and the list is back after."""
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await suggest_on_p1(pilot)
        panel = screen.query_one("#suggestions")
        assert screen.suggestions
        status = screen.query_one("StatusBar").region
        assert panel.region.bottom <= status.y and panel.region.height >= panel.virtual_size.height >= 4, (
            panel.region, status)  # all of it shown, above the status bar
        assert not screen.query_one("#units").display
        await pilot.press("escape", "right_square_bracket", "right_square_bracket")  # two turns on
        await pilot.pause()
        assert screen.query_one("#units").display and screen.query_one("#units").region.height >= 2

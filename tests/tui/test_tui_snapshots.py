"""SVG snapshots of the main screens at a fixed size (review snapshot_report.html before
updating them with --snapshot-update)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from qualcode.store.transcripts import RoleRule
from qualcode.tui.app import QualcodeApp

SIZE = (110, 32)


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def coded(project):
    turns = project.turns("T1")
    project.add_coding("T1", turns[1].start, turns[1].start + 32, "hap-gjen", "AB", condensed="Kjente seg igjen")
    project.add_coding("T1", turns[2].start, turns[2].end, "hap-sol", "AB")
    project.add_coding("T1", turns[2].start, turns[2].start + 28, "rec", "AB")
    project.close()
    return project.path


async def loaded(pilot):
    """The overview is read by a worker: wait for it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_transcripts_screen(snap_compare, coded):
    assert snap_compare(QualcodeApp(coded, coder="AB"), terminal_size=SIZE, run_before=loaded)


def test_coding_screen_with_units_and_a_selection(snap_compare, coded):
    async def select(pilot):
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "x")

    assert snap_compare(QualcodeApp(coded, coder="AB"), terminal_size=SIZE, run_before=select)


def test_code_picker(snap_compare, coded):
    async def pick(pilot):
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right_square_bracket", "x", "c")
        await pilot.pause()
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"håp")

    assert snap_compare(QualcodeApp(coded, coder="AB"), terminal_size=SIZE, run_before=pick)


def test_reconcile_screen(snap_compare, project):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "AB")
    project.add_coding("T1", t[1].start, t[1].start + 32, "hap-sol", "CD")
    project.close()

    async def reconcile(pilot):
        await loaded(pilot)
        await pilot.press("R", "enter")
        await pilot.pause()

    assert snap_compare(QualcodeApp(project.path, coder="AB"), terminal_size=SIZE, run_before=reconcile)


def test_speakers_panel(snap_compare, project):
    """A transcriber's file: diarizer labels, one renamed and given a role, and turns without a
    speaker."""
    from tests.conftest import make_parsed

    project.import_transcript(make_parsed([
        (None, "Opptaket er i gang. [latter]"), ("SPEAKER_00", "Velkommen, alle sammen. Vi starter med en runde."),
        ("SPEAKER_01", "Eh, jeg kan begynne, jeg. Det var en fin dag."), (None, "Ja."),
        ("SPEAKER_02", "[pause] Jeg kjente meg igjen i det han sa."), ("SPEAKER_01", "Ja, det gjorde jeg og."),
    ]), title="Whisper-opptak", group="FG4")
    project.rename_speaker("T2", "SPEAKER_00", "Moderator")
    project.set_roles("T2", [RoleRule.parse("Moderator=moderator")])
    project.close()

    async def speakers(pilot):
        await loaded(pilot)
        await pilot.press("down", "s")
        await pilot.pause()

    assert snap_compare(QualcodeApp(project.path, coder="AB"), terminal_size=SIZE, run_before=speakers)

"""SVG snapshots of every screen of the workbench at three sizes: 80×24 (a small terminal over
SSH), 120×36 and 200×50 (issue 15). Review them as pictures (snapshot_report.html, or the SVGs
rendered to PNG) before updating them with --snapshot-update."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from textual.widgets import Input, TextArea

from qualcode.store.transcripts import RoleRule
from qualcode.tui.app import QualcodeApp
from qualcode.tui.navigation import OpenCooccurrence, OpenKwic, OpenMemos, OpenNames, OpenUnitsOfCode

SIZES = [(80, 24), (120, 36), (200, 50)]
SECOND = [  # an invented second focus group, with names to hide
    ("Intervjuer", "Velkommen tilbake. Hvordan har uka vært?"),
    ("P3", "Jeg var hjemme hos Kari i Tromsø på søndag, det var fint."),
    ("P4", "Æ snakket med Stian Olsen fra Fjordtun om jobben hans."),
    ("Intervjuer", "Så dere hadde kontakt med andre etter fagdagen?"),
    ("P3", "Ja, Kari ringte meg faktisk på tirsdag òg."),
]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TZ", "UTC")  # (memos show their local time)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def coded(project):
    turns = project.turns("T1")
    project.add_coding("T1", turns[1].start, turns[1].start + 32, "hap-gjen", "AB", condensed="Kjente seg igjen")
    project.add_coding("T1", turns[2].start, turns[2].end, "hap-sol", "AB")
    project.add_coding("T1", turns[2].start, turns[2].start + 28, "rec", "AB")
    quote = project.add_coding("T1", turns[3].start, turns[3].end, "hap-gjen", "AB")
    project.update_coding(quote.id, coder="AB", starred=True)
    project.close()
    return project.path


def app_on(path) -> QualcodeApp:
    app = QualcodeApp(path, coder="AB")
    app.nlp_model = "basic"  # (keyword in context and names: the same in every environment)
    return app


def still(app) -> None:
    """No blinking cursors in a picture."""
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


async def loaded(pilot) -> None:
    """The overview (and any search) is read by a worker: wait for it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    still(pilot.app)


async def on_t1(pilot) -> None:
    await loaded(pilot)
    await pilot.press("enter")
    await pilot.pause()


async def show(pilot, message) -> None:
    await loaded(pilot)
    pilot.app.post_message(message)
    await pilot.pause()
    await loaded(pilot)


@sizes
def test_transcripts(snap_compare, project, size):
    """Two focus groups, one with a title too long for a small terminal: cut, the counts in view."""
    from tests.conftest import ROLES, make_parsed

    project.import_transcript(make_parsed(SECOND), title="Fokusgruppe 2 – Fjordtun behandlingssenter, pasienter og "
                              "pårørende", group="FG2", roles=ROLES)
    turns = project.turns("T2")
    project.add_coding("T2", turns[1].start, turns[1].end, "hap", "AB")
    project.close()
    assert snap_compare(app_on(project.path), terminal_size=size, run_before=loaded)


@sizes
def test_coding(snap_compare, coded, size):
    async def select(pilot):
        await on_t1(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "x")

    assert snap_compare(app_on(coded), terminal_size=size, run_before=select)


@sizes
def test_code_chooser(snap_compare, coded, size):
    async def pick(pilot):
        await on_t1(pilot)
        await pilot.press("right_square_bracket", "x", "c")
        await pilot.pause()
        still(pilot.app)
        await pilot.press(*"håp")

    assert snap_compare(app_on(coded), terminal_size=size, run_before=pick)


@sizes
def test_unit_editor(snap_compare, coded, size):
    async def edit(pilot):
        await on_t1(pilot)
        await pilot.press("j", "e")
        await pilot.pause()
        still(pilot.app)

    assert snap_compare(app_on(coded), terminal_size=size, run_before=edit)


@sizes
def test_keys_panel(snap_compare, coded, size):
    async def keys(pilot):
        await on_t1(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_on(coded), terminal_size=size, run_before=keys)


@sizes
def test_codebook(snap_compare, coded, size):
    async def codebook(pilot):
        await loaded(pilot)
        await pilot.press("k")
        await pilot.pause()

    assert snap_compare(app_on(coded), terminal_size=size, run_before=codebook)


@sizes
def test_units_by_code(snap_compare, coded, size):
    assert snap_compare(app_on(coded), terminal_size=size, run_before=lambda pilot: show(pilot, OpenUnitsOfCode("hap")))


@sizes
def test_memos(snap_compare, project, size):
    when = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    project.add_memo("Mange snakker om håp som noe de hørte fra andre. Se etter gjenkjennelse i FG2 også.",
                     author="AB", created_at=when)
    project.add_memo("Kodeboka: slå sammen hap-sol og hap-gjen? Drøftes med CD.", author="AB",
                     created_at=when.replace(hour=14))
    project.close()
    assert snap_compare(app_on(project.path), terminal_size=size, run_before=lambda pilot: show(pilot, OpenMemos()))


@sizes
def test_keyword_in_context(snap_compare, coded, size):
    assert snap_compare(app_on(coded), terminal_size=size, run_before=lambda pilot: show(pilot, OpenKwic("håp")))


@sizes
def test_names_to_hide(snap_compare, project, size):
    from tests.conftest import ROLES, make_parsed

    project.import_transcript(make_parsed(SECOND), title="Fokusgruppe 2", group="FG2", roles=ROLES)
    project.close()
    assert snap_compare(app_on(project.path), terminal_size=size, run_before=lambda pilot: show(pilot, OpenNames()))


@sizes
def test_reconcile(snap_compare, project, size):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "AB")
    project.add_coding("T1", t[1].start, t[1].start + 32, "hap-sol", "CD")
    project.add_coding("T1", t[3].start, t[3].end, "rec", "CD")
    project.close()

    async def reconcile(pilot):
        await loaded(pilot)
        await pilot.press("R", "enter")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app_on(project.path), terminal_size=size, run_before=reconcile)


@sizes
def test_speakers(snap_compare, project, size):
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

    assert snap_compare(app_on(project.path), terminal_size=size, run_before=speakers)


@sizes
def test_cooccurrence(snap_compare, coded, size):
    assert snap_compare(app_on(coded), terminal_size=size, run_before=lambda pilot: show(pilot, OpenCooccurrence("hap-sol")))


@sizes
def test_passages(snap_compare, coded, size):
    async def passages(pilot):
        await show(pilot, OpenCooccurrence("hap-sol"))
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app_on(coded), terminal_size=size, run_before=passages)

"""The workbench on a project on a PostgreSQL server (team mode, issue 16), as a coder uses it: the
screens load, a unit coded with the keys is in the database (undo and redo too), a memo is saved,
what another process codes shows within the watch, the reports of the palette run on the server
project, the storage line says it is a server, and a password in the URL is never on screen nor
on a command line (the test cluster trusts its users: the password is ignored, and only its
absence from what is shown is checked)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from qualcode.nlp.model import ENV_VAR
from qualcode.store import Project
from qualcode.store.copying import copy_project
from qualcode.store.pg.url import ServerAddress
from qualcode.tui.app import QualcodeApp
from qualcode.tui.location import child_environment, shown_location
from qualcode.tui.reports import REPORTS, RunningReport
from qualcode.tui.screens.codebook import CodebookScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import CodePicker, TextPrompt
from qualcode.tui.screens.filter import FilterScreen
from qualcode.tui.screens.kwic import KwicScreen
from qualcode.tui.screens.memos import MemoEditor, MemosScreen
from qualcode.tui.screens.names import NamesScreen
from qualcode.tui.screens.transcripts import TranscriptsScreen
from qualcode.tui.widgets.code_chooser import CodeList
from qualcode.tui.widgets.status_bar import StatusBar
from qualcode.tui.widgets.unit_list import UnitList

from ..conftest import ROLES, make_parsed, qualcode_ok, until
from .conftest import Notes, span

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

SIZE = (120, 36)
PASSWORD = "secret"


def with_password(url: str) -> str:
    """The fixture's URL (postgresql://postgres@/t_…?host=…&port=…) with a password in it."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@", 1)


@pytest.fixture
def server(project, pg_url) -> str:
    """The conftest project with AB's unit on 'jeg kjente meg igjen' and a second focus group that
    names Ola, copied onto a fresh database."""
    project.import_transcript(make_parsed([("P1", "Jeg snakket med Ola om det, men Ola sa nei."),
                                           ("Ansatt 2", "Fagdagen var fin.")]), title="Fokusgruppe 2", group="FG2",
                              roles=ROLES)
    project.add_coding("T1", *span(project, "jeg kjente meg igjen"), "hap-sol", "AB")
    project.close()
    copy_project(project.path, pg_url)
    return pg_url


def no_password_shown(app) -> None:
    """Nothing on the screen (and in its notifications) shows the password."""
    assert PASSWORD not in app.export_screenshot()
    assert all(PASSWORD not in str(n.message) for n in app._notifications)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def stored(url: str) -> Project:
    """A second connection, as another coder's would be."""
    return Project.open(url, backup=False)


async def test_a_coder_codes_undoes_redoes_and_writes_a_memo_on_a_server_project(server):
    app = QualcodeApp(with_password(server), coder="AB")
    assert PASSWORD not in str(app.project_path) and isinstance(app.project_path, ServerAddress)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TranscriptsScreen)
        assert app.screen.query_one(DataTable).get_row_at(0)[:3] == ["T1", "Fokusgruppe 1", "FG1"]
        no_password_shown(app)

        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.query_one("#units", UnitList).row_count == 1
        await pilot.press("right_square_bracket", "right_square_bracket", "x")  # Ansatt 1's first sentence
        quote = screen.text[slice(*screen.view.selection)]
        await pilot.press("c", *"gjenkj", "enter")
        await pilot.pause()
        with stored(server) as other:
            [unit] = [u for u in other.units() if u.code == "hap-gjen"]
            assert (unit.text, unit.coder) == (quote, "AB")
        assert screen.query_one("#units", UnitList).row_count == 2

        await pilot.press("ctrl+z")
        await pilot.pause()
        with stored(server) as other:
            assert [u.code for u in other.units()] == ["hap-sol"]
        assert screen.query_one("#units", UnitList).row_count == 1
        await pilot.press("ctrl+y")
        await pilot.pause()
        with stored(server) as other:
            assert sorted(u.code for u in other.units()) == ["hap-gjen", "hap-sol"]
        assert screen.query_one("#units", UnitList).row_count == 2
        no_password_shown(app)

        await pilot.press("escape", "escape")  # the selection, then back to the list
        await settle(app, pilot)
        await pilot.press("j")  # the journal
        await pilot.pause()
        assert isinstance(app.screen, MemosScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        app.screen.query_one(TextArea).insert("Ansatte snakker mer om håp enn pasientene.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        with stored(server) as other:
            [memo] = other.memos(target_type="project")
            assert (memo.text, memo.author) == ("Ansatte snakker mer om håp enn pasientene.", "AB")
        no_password_shown(app)

    again = QualcodeApp(server)  # the coder is remembered for the server project, by its URL
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert again.coder == "AB" and isinstance(again.screen, TranscriptsScreen)


async def test_the_codebook_units_names_and_reports_work_on_a_server_project(server, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)  # names in basic mode: no model to load
    monkeypatch.chdir(tmp_path)
    app = QualcodeApp(with_password(server), coder="AB")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen) and app.screen.codebook.name == "Testbok"
        no_password_shown(app)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"hap")
        options = app.screen.query_one(CodeList)
        options.highlighted = options.get_option_index("hap")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FilterScreen)
        assert [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)][:5] == \
            ["T1", "FG1", "P1", "pasient", "hap-sol"]
        no_password_shown(app)
        await pilot.press("escape")
        await pilot.pause()

        names = NamesScreen(model="basic")  # its worker re-opens the project by its address
        await app.push_screen(names)
        await settle(app, pilot)
        assert app.screen is names and not notes.of("error"), notes.messages
        assert "ola" in [str(key.value) for key in names.query_one(DataTable).rows]
        no_password_shown(app)
        await pilot.press("escape")
        await pilot.pause()

        out = tmp_path / "sitater.md"
        app.start_report(next(r for r in REPORTS if r.title == "Export quotes"))
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.dismiss(f"--format md --out {out}")
        await pilot.pause()
        running = app.screen
        assert isinstance(running, RunningReport)
        assert PASSWORD not in " ".join(running.command) and running.cwd == tmp_path
        assert running.environment == {"PGPASSWORD": PASSWORD}
        no_password_shown(app)
        for _ in range(600):
            await pilot.pause(0.05)
            if not isinstance(app.screen, RunningReport):
                break
    assert out.exists() and "jeg kjente meg igjen" in out.read_text(encoding="utf-8")
    assert any(m.startswith(f"wrote {out}") for m in notes.of("information")), notes.messages
    assert not notes.of("error"), notes.messages


async def test_an_export_with_the_palettes_own_options_writes_into_exports_in_the_current_folder(server, tmp_path,
                                                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = QualcodeApp(server, coder="AB")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.start_report(next(r for r in REPORTS if r.title == "Export quotes"))
        await pilot.pause()
        app.screen.dismiss("--format md")  # no --out: the export's own name, in exports/
        await pilot.pause()
        for _ in range(600):
            await pilot.pause(0.05)
            if not isinstance(app.screen, RunningReport):
                break
    assert not notes.of("error"), notes.messages
    assert [p.suffix for p in (tmp_path / "exports").iterdir()] == [".md"]


async def test_a_report_that_writes_into_the_exports_folder_makes_it_first(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = QualcodeApp(server, coder="AB")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        report = next(r for r in REPORTS if r.title == "Methods section")
        app.start_report(report)
        await pilot.pause()
        assert app.screen.value == report.options == "--out {folder}/methods.docx"
        app.screen.dismiss("--out {folder}/methods.md")
        await pilot.pause()
        for _ in range(600):
            await pilot.pause(0.05)
            if not isinstance(app.screen, RunningReport):
                break
    assert not notes.of("error"), notes.messages
    assert (tmp_path / "exports" / "methods.md").exists()


async def test_suggestions_and_the_lemma_search_run_on_a_server_project(server):
    """The NLP workers re-open the project by its address, in their own threads; the analysis is
    cached in the server's project."""
    app = QualcodeApp(with_password(server), coder="AB")
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("right_square_bracket", "x")  # P1: «Eh, jeg kjente meg igjen, altså.»
        await pilot.press("i")
        await settle(app, pilot)
        assert not notes.of("error"), notes.messages
        assert screen.suggestions and screen.suggestions[0].code in {"hap", "hap-gjen", "hap-sol"}

        kwic = KwicScreen("håp", model="basic")
        await app.push_screen(kwic)
        await settle(app, pilot)
        assert not notes.of("error"), notes.messages
        assert [str(c) for c in kwic.query_one(DataTable).get_column("transcript")] == ["T1"]
        no_password_shown(app)
    with stored(server) as other:
        assert other.conn.execute("SELECT count(*) FROM analysis_cache").fetchone()[0] >= 1


async def test_a_server_that_ends_the_connection_closes_the_workbench_with_one_line(server):
    import psycopg

    app = QualcodeApp(with_password(server), coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with psycopg.connect(server, autocommit=True) as admin:  # the server's administrator ends our session
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        await pilot.pause(4 * app.WATCH_INTERVAL)
    assert app.return_code == 1
    assert app.error_line is not None and "database server is not answering" in app.error_line
    assert PASSWORD not in app.error_line


async def test_a_unit_coded_by_another_process_shows_within_the_watch(server):
    app = QualcodeApp(server, coder="AB")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        units = screen.query_one("#units", UnitList)
        assert units.row_count == 1
        await asyncio.to_thread(qualcode_ok, "code", server, "T1", "--quote", "For meg ga det håp", "--code", "rec",
                                "--coder", "AB")
        waited = await until(pilot, lambda: units.row_count == 2)
        assert waited < 4 * app.WATCH_INTERVAL + 1.0


async def test_the_storage_line_says_server_and_a_long_address_is_cut_to_fit(server):
    long_url = with_password(server) + "&application_name=qualcode_workbench_of_the_fagdag_study&connect_timeout=10"
    app = QualcodeApp(long_url, coder="AB")
    notes = Notes(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        [said] = [m for m in notes.of("information") if "PostgreSQL server" in m]
        assert "several coders at once" in said and PASSWORD not in said
        status = str(app.screen.query_one(StatusBar).render())
        assert "\n" not in status and len(status) <= 80
        no_password_shown(app)
    address = ServerAddress(long_url)
    assert shown_location(address, 40) == str(address)[:39] + "…" and shown_location(address, 400) == str(address)
    assert shown_location(Path("/data/studier/fagdag/studie.qualcode"), 20) == "…dag/studie.qualcode"


def test_a_child_process_gets_the_password_by_its_environment_not_its_command_line(pg_url, tmp_path):
    address = ServerAddress(with_password(pg_url))
    assert child_environment(address) == {"PGPASSWORD": PASSWORD}
    assert child_environment(ServerAddress(pg_url)) == {}  # no password: the process's own environment
    assert child_environment(tmp_path / "studie.qualcode") == {}
    in_query = ServerAddress(pg_url + "&password=s%C3%A6cret")
    assert "cret" not in str(in_query) and child_environment(in_query) == {"PGPASSWORD": "sæcret"}
    encoded = ServerAddress(pg_url.replace("postgres@", "postgres:p%40ss%3Aord@", 1))
    assert "ss" not in str(encoded).split("@")[0] and child_environment(encoded) == {"PGPASSWORD": "p@ss:ord"}


# -- qualcode serve on a server project ----------------------------------------------------------------


def web():
    return pytest.importorskip("qualcode.tui.serve", reason="textual-serve is not installed: pip install -e '.[test]'")


def test_serve_runs_each_session_on_the_address_without_its_password(server):
    serve = web()
    address = ServerAddress(with_password(server))
    command = serve.session_command(address, "AB")
    assert PASSWORD not in command and str(address) in command and command.endswith(" --coder AB")
    service = serve.SessionService(command, config_dir=Path("/nonexistent"), write_bytes=None, write_str=None,
                                   close=None, download_manager=None, environment={"PGPASSWORD": PASSWORD})
    environment = service._build_environment()
    assert environment["PGPASSWORD"] == PASSWORD and environment["QUALCODE_CONFIG_DIR"] == "/nonexistent"
    lines = serve.banner(address, "127.0.0.1", 8000, "t0ken", None)
    assert PASSWORD not in "\n".join(lines) and lines[0].startswith(f"Serving {address.name} ")


def test_qualcode_serve_on_a_server_url_serves_a_workbench_and_never_prints_the_password(server, tmp_path):
    web()
    env = {**os.environ, "QUALCODE_CONFIG_DIR": str(tmp_path / "config")}
    process = subprocess.Popen([sys.executable, "-m", "qualcode", "serve", with_password(server), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    try:
        printed = []
        for line in process.stdout:  # type: ignore[union-attr]
            printed.append(line)
            if "Ctrl+C" in line:
                break
    finally:
        process.send_signal(__import__("signal").SIGINT)
        rest, err = process.communicate(timeout=30)
    output = "".join(printed) + rest
    assert process.returncode == 0, output + err
    assert PASSWORD not in output and f"Serving {ServerAddress(server).name} " in output
    assert rest.splitlines()[-1] == f"qualcode: stopped serving {ServerAddress(server).name}"


async def test_a_browser_session_opens_the_server_project(server, tmp_path, monkeypatch):
    from aiohttp import test_utils

    serve = web()
    monkeypatch.setenv("QUALCODE_CONFIG_DIR", str(tmp_path / "config"))
    workbench = serve.WorkbenchServer(ServerAddress(with_password(server)), token="the-right-token",
                                      say=lambda line: None)
    client = test_utils.TestClient(test_utils.TestServer(await workbench.make_app()))
    await client.start_server()
    try:
        await client.get("/?token=the-right-token", allow_redirects=False)
        ws = await client.ws_connect("/ws?width=100&height=30", headers={"Origin": f"http://127.0.0.1:{client.port}"})
        seen: list[str] = []
        end = asyncio.get_running_loop().time() + 60
        while "Who is coding" not in "".join(seen):
            message = await ws.receive(timeout=max(0.1, end - asyncio.get_running_loop().time()))
            if isinstance(message.data, bytes):
                seen.append(message.data.decode("utf-8", "replace"))
        await ws.send_json(["stdin", "CD\r"])
        while "Fokusgruppe 1" not in "".join(seen):
            message = await ws.receive(timeout=max(0.1, end - asyncio.get_running_loop().time()))
            if isinstance(message.data, bytes):
                seen.append(message.data.decode("utf-8", "replace"))
        assert PASSWORD not in "".join(seen)
        await ws.close()
        for _ in range(100):  # the session's process ends with its websocket
            if not workbench.sockets:
                break
            await asyncio.sleep(0.1)
        assert not workbench.sockets
    finally:
        await client.close()

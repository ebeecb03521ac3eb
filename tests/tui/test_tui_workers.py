"""One worker pattern for every screen (qualcode.tui.workers.screen_worker): results come back as
messages, dropped once the work was cancelled; errors are said in one place (the app): a user's
or the disk's as a notification, a fatal storage error by closing with one line, a bug as a
notification with the screen still usable. And screens move by messages, never by importing
one another."""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message
from textual.worker import WorkerCancelled

from qualcode.core.errors import StorageError, UserError
from qualcode.tui.base import WorkbenchScreen
from qualcode.tui.workers import Job, WorkFailed, screen_worker

from .conftest import Notes

SIZE = (100, 30)


class Probe(WorkbenchScreen[None]):
    @dataclass
    class Done(Message):
        value: str

    def __init__(self) -> None:
        super().__init__()
        self.got: list[str] = []
        self.failed: list[BaseException] = []
        self.gate = threading.Event()

    @screen_worker("probe")
    def work(self, job: Job, error: BaseException | None = None, wait: bool = False) -> None:
        if wait:
            self.gate.wait(5)
        if error is not None:
            raise error
        job.post(self.Done("ok"))

    @screen_worker("ask")
    async def ask(self, job: Job, error: BaseException) -> None:
        raise error

    def on_probe_done(self, message: Done) -> None:
        self.got.append(message.value)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.failed.append(message.error)


async def start(app, pilot) -> Probe:
    await app.workers.wait_for_complete()
    await pilot.pause()
    probe = Probe()
    await app.push_screen(probe)
    await pilot.pause()
    return probe


async def finish(app, pilot) -> None:
    try:
        await app.workers.wait_for_complete()
    except WorkerCancelled:  # the app closed meanwhile (a fatal error), cancelling its workers
        return
    await pilot.pause()


async def test_results_come_back_as_messages_and_errors_are_said_by_the_app(project, make_app):
    app = make_app()
    notes = Notes(app)
    async with app.run_test(size=SIZE) as pilot:
        probe = await start(app, pilot)
        probe.work()
        await finish(app, pilot)
        assert probe.got == ["ok"]

        probe.work(UserError("the model cannot be loaded"))
        await finish(app, pilot)
        assert [str(e) for e in probe.failed] == ["the model cannot be loaded"]  # the screen tidies up
        assert notes.of("error")[-1] == "the model cannot be loaded"  # the app says it, once
        assert len(notes.of("error")) == 1

        probe.work(ValueError("a bug"))
        await finish(app, pilot)
        assert "probe failed: ValueError: a bug" in notes.of("error")[-1]
        assert app.is_running and app.screen is probe

        probe.ask(UserError("no such code"))  # a dialog flow on the screen's loop: the same way
        await finish(app, pilot)
        assert notes.of("error")[-1] == "no such code"


async def test_a_cancelled_worker_posts_nothing(project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        probe = await start(app, pilot)
        first = probe.work(wait=True)
        second = probe.work()  # exclusive: the first one is cancelled
        assert first.is_cancelled
        await second.wait()
        probe.gate.set()  # the first one finishes its work now, and posts nothing
        await pilot.pause(0.3)
        assert probe.got == ["ok"]  # only the second one's


async def test_a_fatal_storage_error_in_a_worker_closes_the_workbench_with_one_line(project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        probe = await start(app, pilot)
        probe.work(StorageError("the project file is damaged", fatal=True))
        await finish(app, pilot)
        for _ in range(200):  # a busy machine may take a while to pass the message on
            if app.return_code is not None:
                break
            await pilot.pause(0.05)
    assert app.return_code == 1
    assert app.error_line == "qualcode: error: the project file is damaged"


def test_screens_do_not_import_one_another():
    """Navigation is by the messages of qualcode.tui.navigation; dialogs are shared."""
    folder = Path(__file__).resolve().parents[2] / "qualcode" / "tui" / "screens"
    screens = {p.stem for p in folder.glob("*.py")} - {"__init__", "dialogs"}
    allowed = {("coding", "coding_repair"), ("coding_repair", "coding_nlp")}  # the coding screen's own parts
    found = []
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                target = (node.module or "").split(".")[0]
                names = [a.name for a in node.names] if not node.module else [target]
                for name in names:
                    if name in screens and name != path.stem and (path.stem, name) not in allowed:
                        found.append(f"{path.stem} imports {name}")
    assert found == []

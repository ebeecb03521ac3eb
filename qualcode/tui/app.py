"""The qualcode terminal UI: a small App that opens the project and hands over to screens.

Screens do the wiring; every change goes through a :class:`~qualcode.store.Project` method, which
commits before it returns, so nothing is lost if the terminal closes. Screens move between one
another by posting the messages of :mod:`.navigation`, which the app turns into screens here,
and the errors of their workers arrive here too (:class:`~.workers.WorkFailed`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from ..core.errors import StorageError, UserError
from ..core.models import check_coder
from ..store import Project
from ..store.pg.url import ServerAddress, location, working_folder
from . import settings
from .base import NARROW, SHORT, WorkbenchScreen
from .keys import KEYS_ACTION, screen_keys
from .location import child_environment, shown_location
from .navigation import (
    OpenCodebook,
    OpenCooccurrence,
    OpenKwic,
    OpenMemos,
    OpenNames,
    OpenReconcile,
    OpenSpeakers,
    OpenTranscript,
    OpenUnitsOfCode,
)
from .screens.codebook import CodebookScreen, UnitChooser
from .screens.coding import CodingScreen
from .screens.cooccurrence import CooccurrenceScreen, PassagesScreen
from .screens.dialogs import Confirm, SpeakerChooser, TextPrompt, TurnEditor, UnitEditor
from .screens.filter import FilterScreen
from .screens.kwic import KwicScreen
from .screens.memos import MemoEditor, MemosScreen
from .screens.names import ChoicePicker, NamesScreen
from .screens.reconcile import ReconcileScreen
from .screens.speakers import SpeakersScreen
from .screens.transcripts import TranscriptsScreen
from .widgets.code_chooser import CodeChooser
from .widgets.keys_panel import KeysPanel
from .widgets.transcript_view import TranscriptView
from .widgets.unit_list import UnitList
from .workers import WorkFailed

# Every screen and widget whose keys a user may rebind by id (settings "keys").
KEYED = (CodingScreen, CodebookScreen, CooccurrenceScreen, FilterScreen, KwicScreen, MemosScreen, NamesScreen,
         PassagesScreen, ReconcileScreen, SpeakersScreen, TranscriptsScreen)


class QualcodeApp(App[None]):
    TITLE = "qualcode"
    CSS_PATH = ["styles/app.tcss", "styles/screens.tcss", "styles/nlp.tcss"]
    BINDINGS = [
        Binding("question_mark", "toggle_keys", "Keys", id="app.keys",
                tooltip="Every key of this screen, beside it (? or Escape closes it)"),
        Binding("escape", "close_keys", "Close the keys", id="app.close_keys", show=False, priority=True),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo", show=False),
    ]
    # Screens below 100 columns get the class -narrow (their side panels go under the text), and
    # below 30 rows -short (dialogs give their text boxes fewer rows): styles/app.tcss.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]

    # What the status bars show after project, coder and place; every StatusBar watches it (and
    # repaints its own line: a repaint of the app would redraw the whole terminal). A status that
    # belongs to one screen (``status_screen``: a search's "match 1 of 6") is shown on that screen
    # only; the others show the project's latest (``project_status``: what was saved).
    status_text: reactive[str] = reactive("opened", repaint=False)
    status_screen: Screen | None = None
    project_status = "opened"

    def __init__(self, project_path: str | Path, coder: str | None = None):
        super().__init__()
        self.project_path = location(project_path)
        self.project = Project.open(self.project_path, backup=False)
        self.coder = coder or settings.remembered_coder(self.project_path) or ""
        self.nlp_model: str | None = None  # the NLP screens' model (None: the environment's or the default)
        self.error_line: str | None = None  # why the workbench closed itself, if it did
        # Undos, redos and transcript repairs made here: a screen that finds its transcript changed tells
        # these from another process's changes (the coding screen's reload).
        self.own_changes = 0
        keys, self._settings_problems = settings.keymap()
        if keys:
            self.set_keymap(keys)
            self._settings_problems += self._unknown_binding_ids(keys)

    # How often the workbench looks for changes saved by other processes (seconds).
    WATCH_INTERVAL = 0.5

    def on_mount(self) -> None:
        self.sub_title = self.project.name
        self._data_version = self.project.data_version()
        self.set_interval(self.WATCH_INTERVAL, self._watch_project, name="watch-project")
        storage = self.project.storage
        if "network" in storage:
            self.notify(f"This project is in a {storage}.", timeout=8)
        elif isinstance(self.project_path, ServerAddress):  # the URL cut to the notification's width
            where = shown_location(self.project_path, max(20, min(60, self.size.width // 2) - 4))
            self.notify(f"This project is on a {storage}.\n{where}", timeout=8, markup=False)
        for problem in self._settings_problems:
            self.notify(f"Your settings: {problem}", severity="warning", timeout=10)
        if self.coder:
            self._remember_coder()
            self.push_screen(TranscriptsScreen())
        else:
            self.push_screen(
                TextPrompt("Who is coding? Your initials (remembered for this project):", placeholder="AB"),
                self._coder_chosen,
            )

    def _coder_chosen(self, coder: str | None) -> None:
        try:
            coder = check_coder(coder)
        except UserError as exc:
            self.notify(f"A coder is needed: {exc}", severity="error")
            self.push_screen(TextPrompt("Who is coding? Your initials:", placeholder="AB"), self._coder_chosen)
            return
        self.coder = coder
        self._remember_coder()
        self.push_screen(TranscriptsScreen())

    def _remember_coder(self) -> None:
        """A config folder that cannot be written (full, read-only) costs the convenience, not the work."""
        try:
            settings.remember_coder(self.project_path, self.coder)
        except settings.SettingsError as exc:
            self.notify(f"{exc}; qualcode will ask who is coding next time.", severity="warning", timeout=10)

    def _unknown_binding_ids(self, keys: dict[str, str]) -> list[str]:
        known = _binding_ids(type(self), *KEYED)
        problems = []
        for binding_id in sorted(set(keys) - known):
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"no key has the id {binding_id!r}{hint}")
        return problems

    def on_unmount(self) -> None:
        self.project.close()

    # --- moving between screens ---------------------------------------------------------------

    def on_open_transcript(self, message: OpenTranscript) -> None:
        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if isinstance(below, CodingScreen) and below.tid.casefold() == message.tid.casefold():
            # (from the speakers panel of the transcript open below): back to it, not a second one
            self.pop_screen()
            if message.goto is not None:
                below.show_span(message.goto)
            return
        self.push_screen(CodingScreen(message.tid, goto=message.goto))

    def on_open_speakers(self, message: OpenSpeakers) -> None:
        self.push_screen(SpeakersScreen(message.tid))

    def on_open_units_of_code(self, message: OpenUnitsOfCode) -> None:
        self.push_screen(FilterScreen(message.code_id))

    def on_open_memos(self, message: OpenMemos) -> None:
        self.push_screen(MemosScreen(message.target_type, message.target_id))

    def on_open_codebook(self, message: OpenCodebook) -> None:
        self.push_screen(CodebookScreen(message.highlight))

    def on_open_kwic(self, message: OpenKwic) -> None:
        self.push_screen(KwicScreen(message.query))

    def on_open_names(self, message: OpenNames) -> None:
        self.push_screen(NamesScreen())

    def on_open_reconcile(self, message: OpenReconcile) -> None:
        self.push_screen(ReconcileScreen(list(message.coders)))

    def on_open_cooccurrence(self, message: OpenCooccurrence) -> None:
        self.push_screen(CooccurrenceScreen(message.code_id))

    # --- other processes and the disk ---------------------------------------------------------

    def _watch_project(self) -> None:
        """Show what other processes saved (codings, codes, memos, names) without a restart.

        SQLite's data_version changes only for commits of other connections, so this process's
        own saves (shown already, by the screen that made them) never cause a second redraw.
        Blind coding holds: screens re-read through the same filters.
        """
        if not self.is_running:  # closing: the screens' widgets and the project are going
            return
        try:
            version = self.project.data_version(wait=False)
            if version is not None:
                self.project._check_still_there()
        except UserError as exc:
            self.report(exc)
            return
        if version is None or version == self._data_version:
            return
        self._data_version = version
        self.changed()

    async def _dispatch_action(self, namespace, action_name: str, params) -> bool:
        """Every key and command runs here: a user's or the disk's error in one (a full disk, a
        read-only folder, a busy project) is a notification and the screen stays usable; one
        that leaves the project unusable (damaged, gone) closes the workbench with one line."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except UserError as exc:
            self.report(exc)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Such an error outside an action (in an event handler) cannot be resumed there: close
        cleanly with one line and status 1, not a traceback."""
        if isinstance(error, UserError):
            self._close_on(error)
            return
        super()._handle_exception(error)

    def _close_on(self, error: UserError) -> None:
        """Close with status 1; ``qualcode open`` prints :attr:`error_line` once the terminal is
        restored (one line, unwrapped)."""
        self.error_line = f"qualcode: error: {error}"
        self.exit(return_code=1)

    def report(self, error: UserError) -> None:
        """A user's or the disk's problem: said in a notification; a fatal one (the project file
        damaged or gone) closes the workbench with one line."""
        if isinstance(error, StorageError) and error.fatal:
            self._close_on(error)
            return
        self.notify(str(error), severity="error", timeout=10)

    _storage_problem = report  # (its name before screens reported through it)

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place where a worker's error is said (the screen has tidied up already)."""
        error = message.error
        if isinstance(error, UserError):
            self.report(error)
        else:  # a bug: said, and the screen stays usable
            self.notify(f"{message.group} failed: {type(error).__name__}: {error}", severity="error", timeout=10)

    # --- saving and the status line ----------------------------------------------------------

    def saved(self, label: str) -> None:
        """Every screen calls this after a change: the store has committed it already."""
        self.say(f"✓ saved: {label}")

    def say(self, text: str, screen: Screen | None = None) -> None:
        """Put ``text`` on the status line: of ``screen`` only, or (None) of every screen."""
        if screen is None:
            self.project_status = text
        self.status_screen = screen
        self.status_text = text

    # --- the keys panel -----------------------------------------------------------------------

    async def action_toggle_keys(self) -> None:
        """? opens the keys panel of the screen in front, or closes it."""
        screen = self.screen
        panels = screen.query(KeysPanel)
        if panels:
            await panels.remove()
        else:
            await screen.mount(KeysPanel())
        screen.refresh_bindings()  # (the footer says "Hide keys", Escape closes the panel)

    async def action_close_keys(self) -> None:
        screen = self.screen
        await screen.query(KeysPanel).remove()
        screen.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_keys":  # Escape closes the panel if there is one, else it is the screen's
            return bool(self.screen.query(KeysPanel))
        return True

    def changed(self) -> None:
        """Something in the project changed (another process, undo): the current screen redraws
        from the store now, the screens under it when they are shown again."""
        for screen in self.screen_stack[:-1]:
            if isinstance(screen, WorkbenchScreen):
                screen.stale = True
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()

    # --- undo ------------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._history(self.project.undo, "undo")

    def action_redo(self) -> None:
        self._history(self.project.redo, "redo")

    def _history(self, step, verb: str) -> None:
        try:
            label = step(self.coder)
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        if label is None:
            self.notify(f"nothing to {verb}")
            return
        self.own_changes += 1
        self.saved(f"{verb} {label}")
        self.changed()

    # --- command palette: qualcode's keys of the screen are commands, with their key and id ---

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from .reports import REPORTS

        panel_open = bool(screen.query(KeysPanel))
        ours: dict[str, SystemCommand] = {}
        for key in screen_keys(screen):
            title = "Hide keys" if key.action == KEYS_ACTION and panel_open else key.description
            if not title or title in ours:
                continue
            where = f"key: {' '.join(key.keys)}" + (f" · id: {key.binding_id}" if key.binding_id else "")
            ours[title] = SystemCommand(
                title,
                f"{key.tooltip or key.description} ({where})",  # the id is what settings remap
                lambda action=key.action, node=key.node: self.run_action(action, node),
            )
        for command in super().get_system_commands(screen):
            # (Textual's "Keys" opens its help panel: the keys panel is among ours; its "Quit" too)
            if command.title != "Keys" and command.title not in ours:
                yield command
        for report in REPORTS:
            yield SystemCommand(report.title, f"{report.help} (runs qualcode {report.command[0]})",
                                lambda report=report: self.start_report(report))
        yield from ours.values()

    def start_report(self, report) -> None:
        """Ask for a report's options (the CLI's, prefilled), then run it with a progress bar."""
        from .reports import RunningReport, argv, exports_folder, make_folder

        words = " ".join(("qualcode", *report.command, "PROJECT", *report.after))

        def run(options: str | None) -> None:
            if options is None:
                return
            try:
                command = argv(report, self.project_path, options)
            except ValueError as exc:  # shlex: an unclosed quote
                self.notify(f"options: {exc}", severity="error")
                return
            try:
                make_folder(self.project_path, options)
            except OSError as exc:
                self.notify(f"could not make {exports_folder(self.project_path)}: {exc.strerror or exc}",
                            severity="error", markup=False)
                return

            def done(result: tuple[bool, str] | None) -> None:
                if result is None:
                    self.notify(f"{report.title}: stopped")
                    return
                ok, said = result
                self.notify(said, title=report.title, severity="information" if ok else "error",
                            timeout=12 if ok else 20)

            self.push_screen(RunningReport(report.title, command, working_folder(self.project_path),
                                           child_environment(self.project_path)), done)

        self.push_screen(TextPrompt(f"{report.title}: options, as after '{words}'", report.options,
                                    placeholder="--help lists them"), run)


def _binding_ids(*classes: type) -> set[str]:
    """The ids of the bindings of ``classes`` and of the widgets and dialogs they use."""
    ids: set[str] = set()
    for cls in (*classes, TranscriptView, UnitList, CodeChooser, TextPrompt, Confirm, UnitEditor, MemoEditor,
                UnitChooser, ChoicePicker, SpeakerChooser, TurnEditor):
        for base in cls.__mro__:
            for binding in getattr(base, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids

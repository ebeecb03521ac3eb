"""The qualcode terminal UI: a small App that opens the project and hands over to screens.

Screens do the wiring; every change goes through a :class:`~qualcode.store.Project` method, which
commits before it returns, so nothing is lost if the terminal closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from ..core.errors import StorageError, UserError
from ..core.models import check_coder
from ..store import Project
from . import settings
from .screens.dialogs import TextPrompt
from .screens.transcripts import TranscriptsScreen


class QualcodeApp(App[None]):
    TITLE = "qualcode"
    CSS_PATH = ["styles/app.tcss", "styles/screens.tcss", "styles/nlp.tcss"]
    BINDINGS = [
        Binding("question_mark", "show_help_panel", "Keys", id="app.keys"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo"),
    ]

    # What the status bars show after project, coder and place; every StatusBar watches it.
    status_text: reactive[str] = reactive("opened")

    def __init__(self, project_path: str | Path, coder: str | None = None):
        super().__init__()
        self.project_path = Path(project_path)
        self.project = Project.open(self.project_path, backup=False)
        self.coder = coder or settings.remembered_coder(self.project_path)
        self.error_line: str | None = None  # why the workbench closed itself, if it did

    # How often the workbench looks for changes saved by other processes (seconds).
    WATCH_INTERVAL = 0.5

    def on_mount(self) -> None:
        self.sub_title = self.project.name
        self._data_version = self.project.data_version()
        self.set_interval(self.WATCH_INTERVAL, self._watch_project, name="watch-project")
        storage = self.project.storage
        if "network" in storage:
            self.notify(f"This project is in a {storage}.", timeout=8)
        if self.coder:
            settings.remember_coder(self.project_path, self.coder)
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
        settings.remember_coder(self.project_path, coder)
        self.push_screen(TranscriptsScreen())

    def on_unmount(self) -> None:
        self.project.close()

    # --- other processes and the disk ---------------------------------------------------------

    def _watch_project(self) -> None:
        """Show what other processes saved (codings, codes, memos, names) without a restart.

        SQLite's data_version changes only for commits of other connections, so this process's
        own saves (already shown) do not redraw twice. Blind coding holds: screens re-read
        through the same filters.
        """
        try:
            version = self.project.data_version(wait=False)
            if version is not None:
                self.project._check_still_there()
        except UserError as exc:
            self._storage_problem(exc)
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
            self._storage_problem(exc)
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

    def _storage_problem(self, error: UserError) -> None:
        if isinstance(error, StorageError) and error.fatal:
            self._close_on(error)
            return
        self.notify(str(error), severity="error", timeout=10)

    # --- saving and the status line ----------------------------------------------------------

    def saved(self, label: str) -> None:
        """Every screen calls this after a change: the store has committed it already."""
        self.status_text = f"✓ saved: {label}"

    def changed(self) -> None:
        """Something in the project changed: let the current screen redraw from the store."""
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
        self.saved(f"{verb} {label}")
        self.changed()

    # --- command palette: every binding of the screen is a command -------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} (key: {active.binding.key_display or key})",
                lambda action=binding.action, node=active.node: self.run_action(action, node),
            )

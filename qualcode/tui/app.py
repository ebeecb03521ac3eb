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

    def on_mount(self) -> None:
        self.sub_title = self.project.name
        if self.coder:
            settings.remember_coder(self.project_path, self.coder)
            self.push_screen(TranscriptsScreen())
        else:
            self.push_screen(
                TextPrompt("Who is coding? Your initials (remembered for this project):", placeholder="AB"),
                self._coder_chosen,
            )

    def _coder_chosen(self, coder: str | None) -> None:
        coder = (coder or "").strip()
        if not coder or " " in coder:
            self.notify("A coder is needed: short initials without spaces.", severity="error")
            self.push_screen(TextPrompt("Who is coding? Your initials:", placeholder="AB"), self._coder_chosen)
            return
        self.coder = coder
        settings.remember_coder(self.project_path, coder)
        self.push_screen(TranscriptsScreen())

    def on_unmount(self) -> None:
        self.project.close()

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
        from ..core.errors import UserError

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

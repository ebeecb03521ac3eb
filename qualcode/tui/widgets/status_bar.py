"""The status line: project, coder, what is open, and whether the last change is saved."""

from __future__ import annotations

from rich.cells import cell_len
from textual import getters
from textual.widgets import Static

from ..base import Workbench


class StatusBar(Static):
    app = getters.app(Workbench)

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        width: 100%;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, where: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.where = where
        self._project = ""

    def on_mount(self) -> None:
        self._project = self.app.project.name  # read once: not a query every time the status changes
        self._stale = False
        self.watch(self.app, "status_text", self._status_changed)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._screen_laid_out)

    def _status_changed(self, _status: str) -> None:
        # A screen under the current one waits until it is shown again: drawing it now would
        # repaint the current screen too.
        if self.screen.is_active:
            self.update_status()
        else:
            self._stale = True

    def _screen_laid_out(self, _screen: object) -> None:
        if self._stale:
            self._stale = False
            self.update_status()

    def set_where(self, where: str) -> None:
        self.where = where
        self.update_status()

    @property
    def status(self) -> str:
        """The app's status if it is this screen's or the project's; another screen's ("match 1
        of 6" of the coding screen) is not shown here, the project's latest is."""
        app = self.app
        owner = getattr(app, "status_screen", None)
        if owner is None or owner is self.screen:
            return app.status_text
        return getattr(app, "project_status", "")

    def update_status(self) -> None:
        app = self.app
        status = self.status
        parts = [self._project, f"coder {app.coder or '?'}"]
        if self.where:
            parts.append(self.where)
        parts.append(status)
        line = "  ·  ".join(parts)
        room = self.size.width - 2
        if room > 0 and cell_len(line) > room:  # a narrow terminal: what happened goes first (the title says where)
            line = "  ·  ".join([f"coder {app.coder or '?'}", status])
            if cell_len(line) > room:
                line = status
        self.update(line, layout=False)  # one line, always: no new layout

    def on_resize(self) -> None:
        self.update_status()

"""The status line: project, coder, what is open, and whether the last change is saved."""

from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, where: str = "", **kwargs):
        super().__init__(**kwargs)
        self.where = where

    def on_mount(self) -> None:
        self.watch(self.app, "status_text", lambda _: self.update_status())

    def set_where(self, where: str) -> None:
        self.where = where
        self.update_status()

    def update_status(self) -> None:
        app = self.app
        parts = [app.project.name, f"coder {app.coder or '?'}"]
        if self.where:
            parts.append(self.where)
        parts.append(app.status_text)
        self.update("  ·  ".join(parts))

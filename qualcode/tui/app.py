"""A first, read-only window on a project: its transcripts. The coding workbench grows from here."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

from ..store import Project


class QualcodeApp(App[None]):
    TITLE = "qualcode"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, project_path: str, coder: str | None = None):
        super().__init__()
        self.project_path = project_path
        self.coder = coder

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="transcripts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "title", "group", "turns", "speakers", "words")
        with Project.open(self.project_path, backup=False) as project:
            self.sub_title = f"{project.name}" + (f" · coder {self.coder}" if self.coder else "")
            for t in project.transcripts():
                table.add_row(t.id, t.title, t.group or "", t.turn_count, len(t.speakers), t.words, key=t.id)

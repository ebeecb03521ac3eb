"""The first screen: every transcript, with how far this coder has come."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from ...core.coverage import coded_fraction, participant_spans
from ...store import Project
from ..widgets.status_bar import StatusBar


def overview_rows(project, coder: str) -> list[tuple]:
    """id, title, group, roles, words, units, coded % of participant text, for this coder."""
    rows = []
    for t in project.transcripts():
        turns = project.turns(t.id)
        mine = [(c.start, c.end) for c in project.codings(transcript=t.id, coder=coder)]
        share = coded_fraction(participant_spans(turns), mine)
        roles = ", ".join(sorted({s.role for s in t.speakers if s.role}))
        rows.append((t.id, t.title, t.group or "", roles, t.words, len(mine), f"{share:.0%}"))
    return rows


class TranscriptsScreen(Screen):
    BINDINGS = [
        Binding("enter", "open_transcript", "Open", id="transcripts.open", show=False),
        Binding("k", "codebook", "Codebook", id="transcripts.codebook"),
        Binding("u", "filter_units", "Units by code", id="transcripts.filter"),
        Binding("j", "journal", "Journal", id="transcripts.journal"),
        Binding("l", "kwic", "Search a lemma (KWIC)", id="transcripts.kwic"),
        Binding("n", "names", "Names to hide", id="transcripts.names"),
        Binding("R", "reconcile", "Reconcile", id="transcripts.reconcile",
                tooltip="Walk the disagreements with another coder and build the consensus"),
        Binding("q", "app.quit", "Quit", id="transcripts.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield StatusBar("transcripts")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "title", "group", "roles", "words", "units", "coded")

    def on_screen_resume(self) -> None:  # also on first show
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:  # a refresh (another process saved) keeps the old rows meanwhile
            table.loading = True
        self._load_overview()

    @work(thread=True, exclusive=True, group="overview")
    def _load_overview(self) -> None:
        """Read the overview on a connection of its own (SQLite connections stay on their thread),
        so a big project never freezes the screen."""
        with Project.open(self.app.project_path, backup=False) as project:
            rows = overview_rows(project, self.app.coder)
        self.app.call_from_thread(self._show_overview, rows)

    def _show_overview(self, rows: list[tuple]) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for values in rows:
            table.add_row(*values, key=values[0])
        table.loading = False
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_open_transcript(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, tid: str) -> None:
        from .coding import CodingScreen

        self.app.push_screen(CodingScreen(tid))

    def action_codebook(self) -> None:
        from .codebook import CodebookScreen

        self.app.push_screen(CodebookScreen())

    def action_filter_units(self) -> None:
        from .filter import FilterScreen

        self.app.push_screen(FilterScreen())

    def action_journal(self) -> None:
        from .memos import MemosScreen

        self.app.push_screen(MemosScreen("project", None))

    def action_kwic(self) -> None:
        from .kwic import KwicScreen

        self.app.push_screen(KwicScreen())

    def action_names(self) -> None:
        from .names import NamesScreen

        self.app.push_screen(NamesScreen())

    def action_reconcile(self) -> None:
        from .dialogs import TextPrompt
        from .reconcile import ReconcileScreen

        others = [c for c in self.app.project.coders() if c not in (self.app.coder, "consensus", "auto")]
        if not others:
            self.notify("No other coder's units in this project yet (merge their copy with 'qualcode merge').")
            return

        def chosen(other: str | None) -> None:
            other = (other or "").strip()
            if not other:
                return
            if other not in others:
                self.notify(f"No units by {other}; coders here: {', '.join(others)}", severity="error")
                return
            self.app.push_screen(ReconcileScreen([self.app.coder, other]))

        self.app.push_screen(TextPrompt(f"Reconcile with which coder? ({', '.join(others)})", value=others[0]), chosen)

"""The first screen: every transcript, with how far this coder has come."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header

from ...core.coverage import coded_fraction, participant_spans
from ...store import Project
from .. import tables
from ..base import WorkbenchScreen
from ..navigation import (
    OpenCodebook,
    OpenKwic,
    OpenMemos,
    OpenNames,
    OpenReconcile,
    OpenSpeakers,
    OpenTranscript,
    OpenUnitsOfCode,
)
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..workers import Job, WorkFailed, screen_worker
from .dialogs import TextPrompt

Row = tuple[str, str, str, str, int, int, str]
COLUMNS = ("id", "title", "group", "roles", "words", "units", "coded")
SHRINK = {"title": 0.65, "roles": 0.35}  # the columns cut to fit a narrow terminal, and their shares


def overview_rows(project: Project, coder: str) -> list[Row]:
    """id, title, group, roles, words, units, coded % of participant text, for this coder."""
    rows = []
    for t in project.transcripts():
        turns = project.turns(t.id)
        mine = [(c.start, c.end) for c in project.codings(transcript=t.id, coder=coder)]
        share = coded_fraction(participant_spans(turns), mine)
        roles = ", ".join(sorted({s.role for s in t.speakers if s.role}))
        rows.append((t.id, t.title, t.group or "", roles, t.words, len(mine), f"{share:.0%}"))
    return rows


class TranscriptsScreen(WorkbenchScreen[None]):
    BINDINGS = [
        Binding("enter", "open_transcript", "Open", id="transcripts.open"),
        Binding("k", "codebook", "Codebook", id="transcripts.codebook"),
        Binding("u", "filter_units", "Units by code", id="transcripts.filter"),
        Binding("j", "journal", "Journal", id="transcripts.journal"),
        Binding("l", "kwic", "Lemma search", id="transcripts.kwic",
                tooltip="A lemma across the transcripts, each hit in its context (keyword in context, KWIC)"),
        Binding("n", "names", "Names to hide", id="transcripts.names"),
        Binding("s", "speakers", "Speakers", id="transcripts.speakers",
                tooltip="The highlighted transcript's speakers: rename or merge labels, set roles"),
        Binding("R", "reconcile", "Reconcile", id="transcripts.reconcile",
                tooltip="Walk the disagreements with another coder and build the consensus"),
        Binding("q", "app.quit", "Quit", id="transcripts.quit"),
    ]

    FOOTER = ("transcripts.open", "transcripts.codebook", "transcripts.filter", "transcripts.reconcile",
              "transcripts.speakers", "transcripts.journal", "transcripts.kwic", "transcripts.names")

    @dataclass
    class Overview(Message):
        rows: list[Row]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="transcripts", cursor_type="row", zebra_stripes=True)
        yield StatusBar("transcripts")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)

    def on_screen_resume(self) -> None:  # also on first show
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:  # a refresh (another process saved) keeps the old rows meanwhile
            table.loading = True
        self._load_overview(self.app.project_path, self.app.coder)

    @screen_worker("overview")
    def _load_overview(self, job: Job, path: str | Path, coder: str) -> None:
        """Read the overview in a thread, so a big project never freezes the screen."""
        with Project.open(path, backup=False) as project:
            job.post(self.Overview(overview_rows(project, coder)))

    def on_transcripts_screen_overview(self, message: Overview) -> None:
        self.rows = message.rows
        self._fill()
        table = self.query_one(DataTable)
        table.loading = False
        table.focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.rows:
            self._fill()

    def _fill(self) -> None:
        """The rows, the title and the roles cut to fit the screen (the counts, units and coded %,
        are what a coder looks for: never pushed out of view)."""
        table = self.query_one(DataTable)
        tables.fill(table, COLUMNS, [(values[0], values) for values in self.rows], SHRINK, self.size.width)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.query_one(DataTable).loading = False

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(OpenTranscript(event.row_key.value))

    def _highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_open_transcript(self) -> None:
        if (tid := self._highlighted()) is not None:
            self.post_message(OpenTranscript(tid))

    def action_speakers(self) -> None:
        if (tid := self._highlighted()) is not None:
            self.post_message(OpenSpeakers(tid))

    def action_codebook(self) -> None:
        self.post_message(OpenCodebook())

    def action_filter_units(self) -> None:
        self.post_message(OpenUnitsOfCode())

    def action_journal(self) -> None:
        self.post_message(OpenMemos("project", None))

    def action_kwic(self) -> None:
        self.post_message(OpenKwic())

    def action_names(self) -> None:
        self.post_message(OpenNames())

    def action_reconcile(self) -> None:
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
            self.post_message(OpenReconcile((self.app.coder, other)))

        self.app.push_screen(TextPrompt(f"Reconcile with which coder? ({', '.join(others)})", value=others[0]), chosen)

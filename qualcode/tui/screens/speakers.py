"""The speakers of one transcript: map a transcriber's labels (``S00``, ``SPEAKER_01``) to the
names and roles of the study, and find the turns nobody is attributed to yet.

One row per speaker, in the order they first speak, with the role, the number of turns and the
first words (to tell who is who); below, the turns without a speaker. ``r`` renames a label (the
label is rewritten in the text too; a label that exists already merges the two, after asking),
``o`` sets the role, Enter goes to the speaker's first turn and ``u`` to the first turn without
a speaker, on the coding screen, where ``A`` says who speaks. Each change is one undoable action
of the store (:mod:`qualcode.store.repair`); every meaning unit stays on its words.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from ...core.errors import UserError
from ...store.repair import SpeakerSummary
from ...store.transcripts import RoleRule
from .. import tables
from ..base import WorkbenchScreen
from ..navigation import OpenTranscript
from ..text import plural, shorten
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..workers import Job, screen_worker
from .dialogs import Confirm, TextPrompt

COLUMNS = ("speaker", "role", "turns", "first words")
UNDO_HINT = "ctrl+z undoes it"


def exact_pattern(label: str) -> str:
    """A role rule's pattern that matches ``label`` only (its glob characters taken literally)."""
    return "".join(f"[{c}]" if c in "[]*?" else c for c in label)


class SpeakersScreen(WorkbenchScreen[None]):
    """Labels, roles and turns of one transcript's speakers."""

    BINDINGS = [
        Binding("r", "rename", "Rename / merge", id="speakers.rename",
                tooltip="A new label for this speaker; an existing label merges the two (asks first)"),
        Binding("o", "role", "Role", id="speakers.role", tooltip="The speaker's role (pasient, ansatt, moderator …)"),
        Binding("enter", "first_turn", "First turn", id="speakers.first_turn",
                tooltip="The coding screen at this speaker's first turn"),
        Binding("u", "unattributed", "Turns without speaker", id="speakers.unattributed",
                tooltip="The coding screen at the first turn without a speaker (A there says who speaks)"),
        Binding("escape", "back", "Back", id="speakers.back"),
    ]

    def __init__(self, tid: str):
        super().__init__()
        self.tid = tid
        self.speakers: list[SpeakerSummary] = []
        self.loose: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="speakers-heading", markup=False)
        yield DataTable(id="speakers-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="speakers-loose", markup=False)
        yield StatusBar()
        yield KeysFooter()

    def on_mount(self) -> None:
        transcript = self.app.project.transcript(self.tid)
        self.tid = transcript.id
        self.title = f"Speakers of {transcript.id} {transcript.title}"
        self.query_one(StatusBar).set_where(f"speakers of {transcript.id}")
        self.query_one("#speakers-heading", Static).update(
            f"{transcript.id} {transcript.title}: who is who. r renames a label (in the text too; an existing "
            "label merges the two), o sets a role, Enter goes to the speaker's first turn, u to the turns "
            "without a speaker. Every unit stays on its words; ctrl+z undoes each change.")
        table = self.query_one(DataTable)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.reload()

    def reload(self) -> None:
        """Read the speakers again (after a change here, an undo, or another qualcode's save)."""
        project = self.app.project
        self.speakers = project.speaker_summary(self.tid)
        self.loose = project.unattributed_turns(self.tid)
        table = self.query_one(DataTable)
        highlighted = self._highlighted()
        row = table.cursor_row
        self._fill()
        labels = [s.label for s in self.speakers]
        if table.row_count:
            table.move_cursor(row=labels.index(highlighted.label) if highlighted and highlighted.label in labels
                              else min(row, table.row_count - 1))
        loose = "" if self.speakers else "No speakers yet. "
        if self.loose:
            shown = ", ".join(map(str, self.loose[:12])) + (", …" if len(self.loose) > 12 else "")
            loose += (f"{plural(len(self.loose), 'turn')} without a speaker ({shown}): u goes to the first, "
                      "and A on the coding screen says who speaks.")
        else:
            loose += "Every turn has a speaker." if self.speakers else "This transcript has no turns."
        self.query_one("#speakers-loose", Static).update(loose)

    def on_resize(self, event: events.Resize) -> None:
        if self.speakers:
            self._fill()

    def _fill(self) -> None:
        """The speakers, their first words cut to fit the screen (the users' words, never markup: a
        label or a first word may be "[latter]")."""
        rows = [(s.label, (s.label, s.role or "", s.turns, shorten(s.first_words, 60))) for s in self.speakers]
        tables.fill(self.query_one(DataTable), COLUMNS, rows, {"first words": 1.0}, self.size.width,
                    cell=lambda value: value if isinstance(value, int) else Text(str(value)))

    def _highlighted(self) -> SpeakerSummary | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.speakers:
            return None
        return self.speakers[min(table.cursor_row, len(self.speakers) - 1)]

    def _change(self, label: str, change: Callable[[], object]) -> bool:
        """One store change: saved and shown here, and on the screens below when they are back."""
        try:
            change()
        except UserError as exc:
            self.app.report(exc)
            return False
        self.app.saved(f"{label} ({UNDO_HINT})")
        self.app.own_changes += 1  # (not another process's: the coding screen below shows it without a notice)
        self.app.changed()  # this screen redraws now, the coding screen below when it is shown
        return True

    # --- actions ------------------------------------------------------------------------------

    @screen_worker("speakers-edit")
    async def action_rename(self, job: Job) -> None:
        speaker = self._highlighted()
        if speaker is None:
            self.notify("No speakers yet: attribute turns on the coding screen first (u, then A).")
            return
        new = await self.app.push_screen_wait(TextPrompt(
            f"New label for {speaker.label} (the label of another speaker merges the two):", value=speaker.label))
        new = " ".join((new or "").split())
        if not new or new == speaker.label:
            return
        others = {s.label.casefold(): s for s in self.speakers if s.label != speaker.label}
        target = others.get(new.casefold())
        project, coder = self.app.project, self.app.coder
        if target is None:
            self._change(f"{speaker.label} is now {new}",
                         lambda: project.rename_speaker(self.tid, speaker.label, new, coder=coder))
            return
        role = target.role or speaker.role
        question = (f"{speaker.label} and {target.label} become one speaker, {target.label}\n"
                    f"({plural(speaker.turns + target.turns, 'turn')}"
                    + (f", role {role}" if role else "") + f"). Merge them? {UNDO_HINT}.")
        if await self.app.push_screen_wait(Confirm(question)):
            self._change(f"{speaker.label} merged into {target.label}",
                         lambda: project.rename_speaker(self.tid, speaker.label, target.label, coder=coder))

    @screen_worker("speakers-edit")
    async def action_role(self, job: Job) -> None:
        speaker = self._highlighted()
        if speaker is None:
            self.notify("No speakers yet: attribute turns on the coding screen first (u, then A).")
            return
        project = self.app.project
        known = sorted({s.role for t in project.transcripts() for s in t.speakers if s.role}
                       | {"moderator", "pasient", "ansatt"})
        role = await self.app.push_screen_wait(TextPrompt(
            f"Role of {speaker.label} ({', '.join(known)}, or another):", value=speaker.role or ""))
        role = " ".join((role or "").split())
        if role == (speaker.role or ""):
            return
        if not role:
            self.notify("A role can be changed here, not removed.", severity="warning")
            return
        coder = self.app.coder
        self._change(f"{speaker.label} is {role}",
                     lambda: project.set_roles(self.tid, [RoleRule(exact_pattern(speaker.label), role)], coder=coder))

    def action_first_turn(self) -> None:
        speaker = self._highlighted()
        if speaker is None:
            return
        turn = next((t for t in self.app.project.turns(self.tid) if t.speaker == speaker.label), None)
        if turn is not None:
            self.post_message(OpenTranscript(self.tid, goto=(turn.start, turn.end)))

    def action_unattributed(self) -> None:
        if not self.loose:
            self.notify("Every turn has a speaker.")
            return
        turn = self.app.project.turns(self.tid)[self.loose[0]]
        self.post_message(OpenTranscript(self.tid, goto=(turn.start, turn.end)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_first_turn()

    def action_back(self) -> None:
        self.app.pop_screen()

"""Memos: the project journal (pre-understanding, analytic choices: the reflexivity the method asks
for) and the memos written on one transcript, code or meaning unit."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Header, Label, Static, TextArea

from ...core.errors import UserError
from ...core.models import Memo
from ...store import Project
from ..base import WorkbenchScreen
from ..text import plural
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..workers import Job, screen_worker

JOURNAL_TITLE = "Project journal — reflexivity notes"


def memo_target(project: Project, target_type: str, target_id: str | None) -> tuple[str, str | None]:
    """What the memos are about, in words ('Memos on T1 Fokusgruppe 1'), and the target's id as
    the store writes it."""
    if target_type == "project":
        return JOURNAL_TITLE, None
    if target_id is None:
        raise UserError(f"memos on a {target_type} need its id")
    if target_type == "transcript":
        transcript = project.transcript(target_id)
        return f"Memos on {transcript.id} {transcript.title}", transcript.id
    if target_type == "code":
        code = project.code(target_id)
        return f"Memos on code {code.id} {code.name}", code.id
    if target_type == "coding":
        coding = project.coding(int(target_id))
        return f"Memos on unit {coding.id} ({coding.transcript}, {coding.code})", str(coding.id)
    raise UserError(f"memos can be on the project, a transcript, a code or a unit, not {target_type!r}")


def memo_text(memo: Memo) -> Text:
    when = memo.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    text = Text()
    text.append(memo.author or "?", style="bold")
    text.append(f"  {when}\n", style="dim")
    text.append(memo.text)
    return text


class MemoEditor(ModalScreen[str | None]):
    """Write a memo: ctrl+s returns the text, Escape None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, heading: str):
        super().__init__()
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.heading, classes="dialog-title")
            yield TextArea(id="memo-text", soft_wrap=True)
            yield Label("ctrl+s save · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("The memo is empty: write something, or Escape to cancel.", severity="warning")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemosScreen(WorkbenchScreen[None]):
    """The memos on one target, oldest first; ``n`` writes a new one."""

    BINDINGS = [
        Binding("n", "new_memo", "New memo", id="memos.new"),
        Binding("t", "journal", "Project journal", id="memos.journal"),
        Binding("escape", "back", "Back", id="memos.back"),
    ]

    def __init__(self, target_type: str = "project", target_id: str | None = None):
        super().__init__()
        self.target_type = target_type
        self.target_id = target_id if target_type != "project" else None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="memos-heading")
        yield VerticalScroll(id="memos-list")
        yield StatusBar("memos")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        self.reload()  # shown first, or back from a screen where memos may have been written

    def reload(self) -> None:
        project = self.app.project
        try:
            heading, self.target_id = memo_target(project, self.target_type, self.target_id)
        except UserError as exc:  # the code or transcript went away (merged, undone): show the journal
            self.notify(f"{exc}; showing the project journal", severity="warning")
            self.target_type, self.target_id = "project", None
            heading = JOURNAL_TITLE
        memos = project.memos(target_type=self.target_type, target_id=self.target_id)
        self.title = heading
        self.query_one("#memos-heading", Static).update(
            Text.assemble((heading, "bold"), (f"   {plural_memos(len(memos))}", "dim"))
        )
        listing = self.query_one("#memos-list", VerticalScroll)
        listing.remove_children()
        if memos:
            listing.mount_all([Static(memo_text(m), classes="memo") for m in memos])
            listing.scroll_end(animate=False)
        else:
            listing.mount(Static(Text("No memos yet. Press n to write one.", style="dim"), classes="memo-empty"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "journal":
            return self.target_type != "project"
        return True

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_journal(self) -> None:
        self.target_type, self.target_id = "project", None
        self.reload()

    @screen_worker("memo-new")
    async def action_new_memo(self, job: Job) -> None:
        about = self.title or JOURNAL_TITLE
        text = await self.app.push_screen_wait(MemoEditor(f"New memo · {escape(about)}"))
        if text is None:
            return
        try:
            self.app.project.add_memo(
                text, target_type=self.target_type, target_id=self.target_id, author=self.app.coder
            )
        except UserError as exc:
            self.app.report(exc)
            return
        self.app.saved("memo" if self.target_type != "project" else "journal entry")
        self.reload()


def plural_memos(n: int) -> str:
    return plural(n, "memo")

"""Units by code: every meaning unit of one theme across the transcripts, for reviewing a theme
against what was said (step 5 of the analysis), with how the units split by role."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from ...core.errors import UserError
from ...core.units import MeaningUnit
from .. import tables
from ..base import NARROW, WorkbenchScreen
from ..navigation import OpenTranscript
from ..text import plural, shorten
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..workers import Job, screen_worker
from .dialogs import CodePicker

NO_ROLE = "no role"


def role_summary(units: Sequence[MeaningUnit]) -> str:
    """``14 units: pasient 9 · ansatt 5 · 6 transcripts``: the biggest role first."""
    if not units:
        return "no units"
    roles = Counter(u.role or NO_ROLE for u in units)
    parts = [f"{role} {n}" for role, n in sorted(roles.items(), key=lambda item: (-item[1], item[0]))]
    transcripts = len({u.transcript for u in units})
    return f"{plural(len(units), 'unit')}: " + " · ".join([*parts, plural(transcripts, "transcript")])


class FilterScreen(WorkbenchScreen[None]):
    """All units of one code (with its subcodes, unless toggled off), this coder's or everyone's."""

    BINDINGS = [
        Binding("enter", "jump", "Go to unit", id="filter.jump", priority=True),
        Binding("c", "pick_code", "Other code", id="filter.code"),
        Binding("s", "toggle_subcodes", "Subcodes on/off", id="filter.subcodes"),
        Binding("o", "toggle_coders", "Mine/all coders", id="filter.coders"),
        Binding("escape", "back", "Back", id="filter.back"),
    ]

    def __init__(self, code_id: str | None = None):
        super().__init__()
        self.code_id = code_id
        self.include_subcodes = True
        self.all_coders = False
        self.units: list[MeaningUnit] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="filter-heading")
        yield Static(id="filter-summary")
        yield DataTable(id="filter-units", cursor_type="row", zebra_stripes=True)
        yield StatusBar("units by code")
        yield KeysFooter()

    def on_mount(self) -> None:
        if self.code_id is None:
            self._pick(first=True)

    def on_screen_resume(self) -> None:
        self.reload()  # shown first, or back from the coding screen: units may have changed

    def reload(self) -> None:
        project, coder = self.app.project, self.app.coder
        table = self.query_one(DataTable)
        if self.code_id is None:
            return
        try:
            code = project.code(self.code_id)
        except UserError:  # merged away or undone meanwhile
            self.units = []
            table.clear()
            self.query_one("#filter-heading", Static).update(
                Text(f"The code {self.code_id} is no longer in the codebook: press c to choose another.")
            )
            self.query_one("#filter-summary", Static).update("")
            return
        self.code_id = code.id
        codebook = project.codebook()
        self.units = project.units(
            code=code.id, include_subcodes=self.include_subcodes, coder=None if self.all_coders else coder
        )

        path = " › ".join(n.name for n in codebook.path(code.id))
        self.title = f"Units of {code.id}"
        scope = []
        if codebook.children(code.id):
            scope.append("with subcodes (s)" if self.include_subcodes else "without subcodes (s)")
        if self.all_coders:
            by_coder = Counter(u.coder for u in self.units)
            scope.append("all coders (o): " + ", ".join(f"{c} {n}" for c, n in sorted(by_coder.items())))
        else:
            scope.append(f"coded by {coder} (o)")
        heading = Text()
        heading.append("■ ", style=codebook.colour_of(code.id) or "dim")
        heading.append(f"{code.id}  {path}", style="bold")
        heading.append("   " + " · ".join(scope), style="dim")
        self.query_one("#filter-heading", Static).update(heading)
        self.query_one("#filter-summary", Static).update(Text(role_summary(self.units)))

        self._fill()
        table.focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.units:
            self._fill()

    def _fill(self) -> None:
        """The units, their text and condensed meaning cut to fit the screen; a narrow screen leaves
        out the group and the role (the line above counts the roles) to give the text the room."""
        wide = self.size.width >= NARROW
        columns = ["transcript", *(["group"] if wide else []), "speaker", *(["role"] if wide else []), "code",
                   *(["coder"] if self.all_coders else []), "text", "condensed"]
        rows = []
        for u in self.units:
            cells = [u.transcript, *([u.group or ""] if wide else []), u.speaker or "",
                     *([u.role or ""] if wide else []), u.code]
            if self.all_coders:
                cells.append(u.coder)
            cells += [shorten(u.text, 70), shorten(u.condensed, 40)]
            rows.append((str(u.id), cells))
        tables.fill(self.query_one(DataTable), columns, rows, {"text": 0.65, "condensed": 0.35}, self.size.width,
                    cell=lambda value: Text(str(value)))

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_pick_code(self) -> None:
        self._pick(first=False)

    @screen_worker("filter-pick")
    async def _pick(self, job: Job, first: bool) -> None:
        project = self.app.project
        picked = await self.app.push_screen_wait(CodePicker(
            project.codebook(), project.recent_codes(self.app.coder), "Show the units of which code?"
        ))
        if picked is None:
            if first and self.app.screen is self:
                self.app.pop_screen()  # nothing chosen: back where the user came from
            return
        self.code_id = picked
        self.reload()

    def action_toggle_subcodes(self) -> None:
        self.include_subcodes = not self.include_subcodes
        self.reload()

    def action_toggle_coders(self) -> None:
        self.all_coders = not self.all_coders
        self.reload()

    def action_jump(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        unit = next(u for u in self.units if str(u.id) == key)
        self.post_message(OpenTranscript(unit.transcript, goto=(unit.start, unit.end)))


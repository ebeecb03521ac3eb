"""Co-occurrence from the codebook: the codes coded together with one code, with counts and
ATLAS.ti's c-coefficient, and the passages coded with both, each a jump into its transcript.

The counts are :mod:`qualcode.core.cooccurrence`'s over this coder's units (as the codebook's
counts are), at unit level (overlapping units) or turn level (the same speaker turn), each code
as itself or with its subcodes; ``qualcode cooccurrence`` gives the same figures.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from ...core.codebook import Codebook
from ...core.cooccurrence import Pair, Passage, cooccurrence, passages
from ...core.errors import UserError
from .. import tables
from ..base import WorkbenchScreen
from ..navigation import OpenTranscript
from ..text import plural, shorten
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar

LEVEL_WORDS = {"unit": "overlapping units", "turn": "the same speaker turn"}

_CSS = """
{screen} .cooc-heading {{ height: auto; padding: 0 1; }}
{screen} .cooc-note {{ height: auto; padding: 0 1; color: $text-muted; }}
{screen} DataTable {{ height: 1fr; }}
"""


class CooccurrenceScreen(WorkbenchScreen[None]):
    """The codes coded together with one code in this coder's units; Enter lists the passages."""

    DEFAULT_CSS = _CSS.format(screen="CooccurrenceScreen")
    BINDINGS = [
        Binding("enter", "passages", "Passages with both", id="cooccurrence.passages", priority=True),
        Binding("t", "toggle_level", "Units/turns", id="cooccurrence.level"),
        Binding("s", "toggle_subcodes", "Subcodes on/off", id="cooccurrence.subcodes"),
        Binding("escape", "back", "Back", id="cooccurrence.back"),
    ]

    def __init__(self, code_id: str):
        super().__init__()
        self.code_id = code_id
        self.level = "unit"
        self.subcodes = False
        self.pairs: list[Pair] = []
        self.codebook = Codebook()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="cooc-heading", classes="cooc-heading")
        yield Static(id="cooc-note", classes="cooc-note")
        yield DataTable(id="cooc-codes", cursor_type="row", zebra_stripes=True)
        yield StatusBar("co-occurrence")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        self.reload()  # shown first, or back from the passages: units may have changed

    def reload(self) -> None:
        project, coder = self.app.project, self.app.coder
        heading = self.query_one("#cooc-heading", Static)
        table = self.query_one(DataTable)
        try:
            code = project.code(self.code_id)
        except UserError:  # merged away or undone meanwhile
            self.pairs = []
            table.clear(columns=True)
            heading.update(Text(f"The code {self.code_id} is no longer in the codebook."))
            return
        self.code_id = code.id
        self.codebook = project.codebook()
        found = cooccurrence(project.units(coder=coder), self.codebook, level=self.level, subcodes=self.subcodes)
        self.pairs = found.with_code(code.id)
        what = "unit" if self.level == "unit" else "turn"
        self.title = f"Co-occurring with {code.id}"
        text = Text()
        text.append("■ ", style=self.codebook.colour_of(code.id) or "dim")
        text.append(f"{code.id}  {code.name}", style="bold")
        text.append(f"   {plural(found.counts.get(code.id, 0), what)} coded by {coder}", style="")
        scope = [f"co-coded: {LEVEL_WORDS[self.level]} (t)",
                 "with subcodes (s)" if self.subcodes else "each code as itself (s)"]
        text.append("   " + " · ".join(scope), style="dim")
        heading.update(text)
        note = (f"both: {'pairs of overlapping units' if self.level == 'unit' else 'turns holding both'}; "
                f"{what}s: the other code's; c = both / ({code.id}'s + the other's − both), ATLAS.ti's c-coefficient"
                + ("; * a unit overlaps several of the other code, so c overstates" if any(
                    p.several for p in self.pairs) else ""))
        if not self.pairs:
            note = f"No other code is coded together with {code.id} in {coder}'s units ({LEVEL_WORDS[self.level]})."
        self.query_one("#cooc-note", Static).update(Text(note))

        row = table.cursor_row
        table.clear(columns=True)
        for column in ("code", "name", "both", f"{what}s", "c"):
            table.add_column(column, key=column)
        for p in self.pairs:
            table.add_row(Text(p.b), Text(shorten(self.codebook.get(p.b).name, 50)), Text(str(p.both), justify="right"),
                          Text(str(p.n_b), justify="right"), Text(f"{p.c:.2f}" + ("*" if p.several else "")),
                          key=p.b)
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))
        table.focus()

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_level(self) -> None:
        self.level = "turn" if self.level == "unit" else "unit"
        self.reload()

    def action_toggle_subcodes(self) -> None:
        self.subcodes = not self.subcodes
        self.reload()

    def action_passages(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        other = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if other is not None:
            self.app.push_screen(PassagesScreen(self.code_id, other, self.level, self.subcodes))


class PassagesScreen(WorkbenchScreen[None]):
    """The passages this coder coded with both codes; Enter opens one in the coding screen."""

    DEFAULT_CSS = _CSS.format(screen="PassagesScreen")
    BINDINGS = [
        Binding("enter", "jump", "Go to passage", id="passages.jump", priority=True),
        Binding("escape", "back", "Back", id="passages.back"),
    ]

    def __init__(self, a: str, b: str, level: str = "unit", subcodes: bool = False):
        super().__init__()
        self.a, self.b = a, b
        self.level = level
        self.subcodes = subcodes
        self.found: list[Passage] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="passages-heading", classes="cooc-heading")
        yield DataTable(id="passages", cursor_type="row", zebra_stripes=True)
        yield StatusBar("passages coded with both")
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        project, coder = self.app.project, self.app.coder
        heading = self.query_one("#passages-heading", Static)
        table = self.query_one(DataTable)
        try:
            codebook = project.codebook()
            a, b = project.code(self.a), project.code(self.b)
            self.found = passages(project.units(coder=coder), codebook, a.id, b.id, level=self.level,
                                  subcodes=self.subcodes)
        except UserError as exc:  # a code merged away meanwhile
            self.found = []
            table.clear(columns=True)
            heading.update(Text(str(exc)))
            return
        self.title = f"{a.id} and {b.id}"
        text = Text()
        text.append(plural(len(self.found), "passage"), style="bold")
        text.append(f" coded with both {a.id} «{shorten(a.name, 40)}» and {b.id} «{shorten(b.name, 40)}»")
        text.append(f"   by {coder} · {LEVEL_WORDS[self.level]}"
                    + (" · with subcodes" if self.subcodes else ""), style="dim")
        heading.update(text)
        self._fill()
        table.focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.found:
            self._fill()

    def _fill(self) -> None:
        rows = []
        for i, p in enumerate(self.found):
            ids = ", ".join(map(str, p.units_a)) + " + " + ", ".join(map(str, p.units_b))
            cells = (p.transcript, p.group or "", p.speaker or "", p.role or "", ids, shorten(p.text, 80))
            rows.append((str(i), cells))
        tables.fill(self.query_one(DataTable), ("transcript", "group", "speaker", "role", "units", "text"), rows,
                    {"text": 1.0}, self.size.width, cell=lambda value: Text(str(value)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_jump(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        passage = self.found[int(key or 0)]
        self.post_message(OpenTranscript(passage.transcript, goto=(passage.start, passage.end)))

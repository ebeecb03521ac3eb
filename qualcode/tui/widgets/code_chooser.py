"""Choosing a code: type a few letters of its id, name or keywords, Enter takes the best match.

:class:`CodeChooser` is the widget (a title, a search field and the ranked codes).
:class:`~qualcode.tui.screens.dialogs.CodePicker` wraps it in a dialog for the other screens.
The coding screen keeps one over its side panel and shows it in place (:meth:`CodeChooser.open`):
the focus stays in the transcript and the screen hands the keys typed meanwhile to
:meth:`CodeChooser.take_key`, so coding a selection costs no screen switch and no change of
focus (each of which redraws the whole terminal). Either way the result is a
:class:`CodeChooser.Chosen` message (``code_id`` None when cancelled). Code names are the users'
own words and are shown as written, never as markup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Label

from ...core.codebook import Codebook

ROWS = 16  # codes shown at once; the rest scroll (styles: max-height)


def rank_codes(codebook: Codebook, query: str, recent: Sequence[str], limit: int = 30) -> list[str]:
    """Code ids for the picker: recently used first when the query is empty, else the best fuzzy
    matches over id, name and keywords (recent codes win ties)."""
    codes = codebook.codes
    if not query.strip():
        order = {code_id: i for i, code_id in enumerate(recent)}
        return [c.id for c in sorted(codes, key=lambda c: order.get(c.id, len(order)))][:limit]
    choices = {c.id: " ".join([c.id, c.name, *c.keywords]) for c in codes}
    scored = process.extract(query, choices, scorer=fuzz.WRatio, limit=None, processor=str.casefold)
    bonus = {code_id: 3 for code_id in recent[:5]}
    best = sorted(scored, key=lambda hit: -(hit[1] + bonus.get(hit[2], 0)))
    return [code_id for _, score, code_id in best if score >= 45][:limit]


def quote_line(text: str, width: int) -> str:
    """«the words being coded» on one line of ``width`` cells: the middle of a long span left out."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    room = max(12, width - 2)
    if cell_len(flat) > room:
        head = room * 2 // 3
        tail = room - head - 3
        flat = set_cell_size(flat, head).rstrip() + " … " + flat[-tail:].lstrip()
    return f"«{flat}»"


class QuoteLine(Widget):
    """The words being coded, on one line at any width (drawn for the width it has)."""

    DEFAULT_CSS = "QuoteLine { height: 1; width: 100%; color: $text-muted; }"

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = text

    def say(self, text: str) -> None:
        self.text = text
        self.refresh()  # (one line always: no new layout)

    def render(self) -> Content:
        return Content(quote_line(self.text, self.size.width))


@dataclass(frozen=True, slots=True)
class Choice:
    """One line of the list: the code id (or an extra choice's id) and its label."""

    id: str
    prompt: str


def code_label(codebook: Codebook, code_id: str, *, recent: bool = False) -> str:
    """``hap-gjen  Gjenkjennelse ‹ Opplevelser av håp``: the id, the name, then the themes it is
    under (a narrow chooser cuts those first); `` ·`` marks a code this coder used lately."""
    *above, node = codebook.path(code_id)
    label = f"{code_id}  {node.name}"
    if above:
        label += " ‹ " + " ‹ ".join(n.name for n in reversed(above))
    return label + (" ·" if recent else "")


class CodeList(ScrollView, can_focus=False):
    """The ranked codes, one line each, drawn with the Line API: a new ranking (each letter
    typed, a code used) redraws only the rows whose text changed; the highlighted row is the
    choice. Keys come through the chooser; a click chooses."""

    DEFAULT_CSS = """
    CodeList { height: auto; max-height: 16; background: $surface; overflow-x: hidden; }
    CodeList > .code-list--highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    COMPONENT_CLASSES = {"code-list--highlight"}

    @dataclass
    class Clicked(Message):
        index: int

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.options: list[Choice] = []
        self._highlighted: int | None = None
        self._cache: OrderedDict[tuple[object, ...], Strip] = OrderedDict()

    @property
    def option_count(self) -> int:
        return len(self.options)

    def get_option_at_index(self, index: int) -> Choice:
        return self.options[index]

    def get_option_index(self, option_id: str) -> int:
        return next(i for i, choice in enumerate(self.options) if choice.id == option_id)

    @property
    def highlighted(self) -> int | None:
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if index is not None:
            self.highlight(index)

    def set_options(self, options: list[Choice]) -> None:
        self.options = options
        self._highlighted = 0 if options else None
        self.virtual_size = Size(self.size.width, len(options))
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def highlight(self, index: int) -> None:
        if not self.options:
            return
        index = max(0, min(len(self.options) - 1, index))
        if index != self._highlighted:
            if self._highlighted is not None:
                self.refresh_lines(self._highlighted)
            self._highlighted = index
            self.refresh_lines(index)
            self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.options):
            self.highlight(index)
            self.post_message(self.Clicked(index))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.options):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("code-list--highlight") if index == self.highlighted else base
        label = self.options[index].prompt
        key = (label, width, style)
        strip = self._cache.get(key)
        if strip is None:
            if cell_len(label) > width - 1:
                label = set_cell_size(label, max(0, width - 2)) + "…"
            strip = Strip([Segment(f" {label}", style)]).adjust_cell_length(width, style)
            self._cache[key] = strip
            if len(self._cache) > 500:
                self._cache.popitem(last=False)
        return strip


class CodeChooser(Vertical):
    """Fuzzy search over a codebook; Enter (or a click) posts :class:`Chosen`, Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", id="picker.next", show=False),
        Binding("up", "move(-1)", "Previous", id="picker.previous", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """The code chosen, or None: cancelled."""

        chooser: CodeChooser
        code_id: str | None

    def __init__(self, codebook: Codebook | None = None, recent: Sequence[str] = (), title: str = "Code the selection",
                 *, exclude: frozenset[str] = frozenset(), extra: Sequence[tuple[str, str]] = (), quote: str = "",
                 **kwargs) -> None:
        """``exclude``: code ids not to offer; ``extra``: (id, label) choices offered first, such as
        "top level" when moving a code; ``quote``: the words being coded, shown under the title."""
        super().__init__(**kwargs)
        self.codebook = codebook or Codebook()
        self.recent: list[str] = list(recent)
        self.title_text = title
        self.quote = quote
        self.exclude = exclude
        self.extra = list(extra)
        self._filled: tuple[object, ...] | None = None  # what the options show now

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, classes="dialog-title", markup=False, id="picker-title")
        yield QuoteLine(self.quote, id="picker-quote")
        yield Input(placeholder="type to search codes, names, keywords", id="picker-query")
        yield CodeList(id="picker-options")

    def on_mount(self) -> None:
        self.query_one(QuoteLine).display = bool(self.quote)
        self.fill("")

    # --- for the screen that shows it --------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self, codebook: Codebook, recent: Sequence[str], title: str, quote: str = "") -> None:
        """Show the chooser for a new choice, the search empty, with the words being coded under
        the title. It is shown and hidden by its visibility (class ``-open``), which redraws its own
        region only (and the layout only when the quote comes or goes)."""
        self.codebook, self.recent = codebook, list(recent)
        if title != self.title_text:
            self.title_text = title
            self.query_one("#picker-title", Label).update(title)
        if quote != self.quote:
            line = self.query_one(QuoteLine)
            line.say(quote)
            if bool(quote) != bool(self.quote):  # (a new layout only when the quote comes or goes)
                line.display = bool(quote)
            self.quote = quote
        query = self.query_one(Input)
        if query.value:
            query.value = ""  # (its Changed message refills the options)
        self.fill("")
        self.add_class("-open")

    def close(self) -> None:
        self.remove_class("-open")

    def take_key(self, event: events.Key) -> None:
        """A key typed while the chooser is open and the focus is elsewhere: the search, the
        moves through the codes, Enter and Escape. Every other key is ignored meanwhile."""
        query = self.query_one(Input)
        key = event.key
        if key == "escape":
            self.action_cancel()
        elif key == "enter":
            self._choose()
        elif key in ("down", "up"):
            self.action_move(1 if key == "down" else -1)
        elif key in ("pagedown", "pageup"):
            self.action_move(10 if key == "pagedown" else -10)
        elif key == "backspace":
            query.value = query.value[:-1]
        elif key == "ctrl+u":
            query.value = ""
        elif event.is_printable and event.character:
            query.value += event.character

    # --- the search ----------------------------------------------------------------------------

    def fill(self, query: str) -> None:
        """The options for ``query``, best first; nothing is redrawn if they are the same."""
        wanted = query.strip().casefold()
        chosen = [(choice_id, label) for choice_id, label in self.extra if not wanted or wanted in label.casefold()]
        for code_id in rank_codes(self.codebook, query, self.recent):
            if code_id in self.exclude:
                continue
            chosen.append((code_id, code_label(self.codebook, code_id, recent=code_id in self.recent[:5])))
        signature = tuple(chosen)
        options = self.query_one(CodeList)
        if signature != self._filled:
            self._filled = signature
            options.set_options([Choice(choice_id, label) for choice_id, label in chosen])
        else:
            options.highlight(0)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def _choose(self) -> None:
        options = self.query_one(CodeList)
        if options.highlighted is not None:
            self.post_message(self.Chosen(self, options.get_option_at_index(options.highlighted).id))

    def on_code_list_clicked(self, event: CodeList.Clicked) -> None:
        event.stop()
        self._choose()

    def action_move(self, delta: int) -> None:
        options = self.query_one(CodeList)
        if options.option_count:
            options.highlight((options.highlighted or 0) + delta)

    def action_cancel(self) -> None:
        self.post_message(self.Chosen(self, None))

"""Modal dialogs that return typed results: a code picker, a text prompt, a confirmation, and the
editor of a meaning unit's condensed meaning and memo.

They show what they are given as plain text, never as markup: code names and quotes are the
users' own words and may contain brackets (``[latter]``)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from ...core.codebook import Codebook


def rank_codes(codebook: Codebook, query: str, recent: list[str], limit: int = 30) -> list[str]:
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


class CodePicker(ModalScreen[str | None]):
    """Fuzzy search over the codebook; Enter returns the chosen code id, Escape None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, codebook: Codebook, recent: list[str], title: str = "Code the selection", *,
                 exclude: frozenset[str] = frozenset(), extra: list[tuple[str, str]] = ()):
        """``exclude``: code ids not to offer; ``extra``: (id, label) choices offered first, such as
        "top level" when moving a code."""
        super().__init__()
        self.codebook = codebook
        self.recent = recent
        self.title_text = title
        self.exclude = exclude
        self.extra = list(extra)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="type to search codes, names, keywords", id="picker-query")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        wanted = query.strip().casefold()
        for choice_id, label in self.extra:
            if not wanted or wanted in label.casefold():
                options.add_option(Option(Content(label), id=choice_id))
        for code_id in rank_codes(self.codebook, query, self.recent):
            if code_id in self.exclude:
                continue
            path = " › ".join(n.name for n in self.codebook.path(code_id))
            recent = " ·" if code_id in self.recent[:5] else ""
            options.add_option(Option(Content(f"{code_id}  {path}{recent}"), id=code_id))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """Yes or no; Enter/y confirms, Escape/n declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


@dataclass(frozen=True, slots=True)
class UnitEdit:
    condensed: str
    memo: str


class UnitEditor(ModalScreen[UnitEdit | None]):
    """Condensed meaning and memo of one meaning unit. Ctrl+S saves, Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="unit.save"),
        Binding("escape", "cancel", "Cancel", id="unit.cancel"),
    ]

    def __init__(self, heading: str, quote: str, condensed: str, memo: str):
        super().__init__()
        self.heading, self.quote, self.condensed, self.memo = heading, quote, condensed, memo

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield Label(f"«{self.quote}»", classes="dialog-quote", markup=False)
            yield Label("Condensed meaning (kondensert mening)")
            yield Input(value=self.condensed, id="unit-condensed")
            yield Label("Memo")
            yield TextArea(self.memo, id="unit-memo", soft_wrap=True)
            yield Label("ctrl+s save · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#unit-condensed", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#unit-memo", TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(UnitEdit(
            self.query_one("#unit-condensed", Input).value.strip(),
            self.query_one("#unit-memo", TextArea).text.strip(),
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)

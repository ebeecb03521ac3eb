"""Modal dialogs that return typed results: a code picker, a text prompt, a confirmation, and the
editor of a meaning unit's condensed meaning and memo.

They show what they are given as plain text, never as markup: code names and quotes are the
users' own words and may contain brackets (``[latter]``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from ...core.codebook import Codebook
from ..widgets.code_chooser import CodeChooser, rank_codes

__all__ = ["ChoicePicker", "CodePicker", "Confirm", "TextPrompt", "UnitEdit", "UnitEditor", "rank_codes"]


class CodePicker(ModalScreen[str | None]):
    """The code chooser as a dialog; Enter returns the chosen code id, Escape None."""

    def __init__(self, codebook: Codebook, recent: Sequence[str], title: str = "Code the selection", *,
                 exclude: frozenset[str] = frozenset(), extra: Sequence[tuple[str, str]] = ()):
        """``exclude``: code ids not to offer; ``extra``: (id, label) choices offered first, such as
        "top level" when moving a code."""
        super().__init__()
        self.codebook = codebook
        self.recent = list(recent)
        self.title_text = title
        self.exclude = exclude
        self.extra = list(extra)

    def compose(self) -> ComposeResult:
        yield CodeChooser(self.codebook, self.recent, self.title_text, exclude=self.exclude, extra=self.extra,
                          id="picker", classes="dialog")

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()

    def on_code_chooser_chosen(self, event: CodeChooser.Chosen) -> None:
        event.stop()
        self.dismiss(event.code_id)


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


class ChoicePicker(ModalScreen[str | None]):
    """Choose one of a few values (a kind, a hidden name); Enter chooses, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str | None = None):
        super().__init__()
        self.title_text, self.choices, self.current = title, choices, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*(Option(Content(label), id=value) for value, label in self.choices),
                             id="choice-options")
            yield Label("Enter choose · Escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [value for value, _ in self.choices]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Modal dialogs that return typed results: a code picker, a text prompt, a confirmation, the
editor of a meaning unit's condensed meaning and memo, and for repairs of transcripts a speaker
chooser (one of the transcript's, or a new label) and the editor of a turn's words.

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

__all__ = ["ChoicePicker", "CodePicker", "Confirm", "SpeakerChoice", "SpeakerChooser", "TextPrompt", "TurnEditor",
           "UnitEdit", "UnitEditor", "rank_codes"]


class CodePicker(ModalScreen[str | None]):
    """The code chooser as a dialog; Enter returns the chosen code id, Escape None."""

    def __init__(self, codebook: Codebook, recent: Sequence[str], title: str = "Code the selection", *,
                 exclude: frozenset[str] = frozenset(), extra: Sequence[tuple[str, str]] = (), quote: str = ""):
        """``exclude``: code ids not to offer; ``extra``: (id, label) choices offered first, such as
        "top level" when moving a code; ``quote``: the words being coded."""
        super().__init__()
        self.codebook = codebook
        self.recent = list(recent)
        self.title_text = title
        self.exclude = exclude
        self.extra = list(extra)
        self.quote = quote

    def compose(self) -> ComposeResult:
        yield CodeChooser(self.codebook, self.recent, self.title_text, exclude=self.exclude, extra=self.extra,
                          quote=self.quote, id="picker", classes="dialog")

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


@dataclass(frozen=True, slots=True)
class SpeakerChoice:
    """One line of the chooser: what it returns (``value``) and what it shows."""

    value: str
    label: str


class SpeakerChooser(ModalScreen[str | None]):
    """Choose a speaker of the transcript or type a new label; Enter chooses the highlighted
    line, Escape cancels. Typing filters the speakers; a label that is not one of them is offered
    as a new speaker."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="speaker_chooser.cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, title: str, speakers: Sequence[tuple[str, str | None]], *, current: str | None = None,
                 first: SpeakerChoice | None = None):
        """``speakers``: (label, role) of the transcript's speakers; ``current`` is highlighted;
        ``first``: a choice offered before them (the split's "same speaker")."""
        super().__init__()
        self.title_text = title
        self.speakers = list(speakers)
        self.current = current
        self.first = first
        self.choices: list[SpeakerChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="type to filter, or a new label", id="speaker-query")
            yield OptionList(id="speaker-options")
            yield Label("Enter choose · ↑↓ move · Escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        values = [c.value for c in self.choices]
        if self.current in values:
            self.query_one(OptionList).highlighted = values.index(self.current)
        self.query_one(Input).focus()

    def _fill(self, typed: str) -> None:
        typed = " ".join(typed.split())
        needle = typed.casefold()
        choices = [self.first] if self.first is not None and not needle else []
        for label, role in self.speakers:
            if needle in label.casefold() or (role and needle in role.casefold()):
                choices.append(SpeakerChoice(label, f"{label} · {role}" if role else label))
        if typed and all(label.casefold() != needle for label, _ in self.speakers):
            choices.append(SpeakerChoice(typed, f"new speaker «{typed}»"))
        self.choices = choices
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Content(c.label)) for c in choices])
        options.display = bool(choices)
        if choices:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self.choices):
            self.dismiss(self.choices[highlighted].value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index].value)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if self.choices:
            now = options.highlighted if options.highlighted is not None else -delta
            options.highlighted = max(0, min(len(self.choices) - 1, now + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TurnEditor(ModalScreen[str | None]):
    """The words of one turn, to correct; ctrl+s saves (returns the new words), Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="turn_editor.save"),
        Binding("escape", "cancel", "Cancel", id="turn_editor.cancel"),
    ]

    def __init__(self, heading: str, words: str):
        super().__init__()
        self.heading, self.words = heading, words

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield TextArea(self.words, id="turn-words", soft_wrap=True)
            yield Label("ctrl+s save · escape cancel · units stay on the words you keep", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)

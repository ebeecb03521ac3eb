"""Reconciliation: two coders walk their disagreements together and build the consensus.

One disagreement at a time, in its context: the transcript with each coder's spans in their own
colour, and each coder's codes and text side by side. Every decision is saved at once (see
:mod:`qualcode.store.reconcile`), so the work can stop and resume at any point.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Label, ProgressBar, Static

from ...core.errors import UserError
from ...store import reconcile
from ..base import WorkbenchScreen
from ..text import plural
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..widgets.transcript_view import Span, TranscriptView
from .dialogs import CodePicker, Confirm, TextPrompt

CODER_COLOURS = ("#56B4E9", "#E69F00")


def _key(item: reconcile.Item) -> tuple[str, int, int]:
    return (item.unit.transcript, item.unit.start, item.unit.end)


class ReconcileScreen(WorkbenchScreen[None]):
    BINDINGS = [
        Binding("1", "accept(0)", "Accept first", id="reconcile.accept_first"),
        Binding("2", "accept(1)", "Accept second", id="reconcile.accept_second"),
        # (priority: b is also the transcript's previous word, and the transcript has the focus)
        Binding("b", "both", "Keep both", id="reconcile.both", priority=True),
        Binding("d", "drop", "Drop both", id="reconcile.drop"),
        Binding("a", "adjust", "Adjusted span", id="reconcile.adjust",
                tooltip="Select the agreed span in the text, then press a"),
        Binding("n", "note", "Note", id="reconcile.note"),
        Binding("j", "step(1)", "Next", id="reconcile.next"),
        Binding("k", "step(-1)", "Previous", id="reconcile.previous", show=False),
        Binding("u", "next_open", "Next undecided", id="reconcile.next_open", show=False),
        Binding("A", "accept_agreed", "Accept all agreed", id="reconcile.agreed", show=False),
        Binding("escape", "back", "Back", id="reconcile.back"),
    ]

    FOOTER = ("reconcile.accept_first", "reconcile.accept_second", "reconcile.both", "reconcile.drop",
              "reconcile.note", "reconcile.next", "reconcile.adjust")

    def __init__(self, coders: list[str]):
        super().__init__()
        self.coders = coders
        self.items: list[reconcile.Item] = []
        self.index = 0
        self.loaded_transcript: str | None = None
        # Notes written before the decision (n on an open disagreement), saved with it.
        self.notes: dict[tuple[str, int, int], str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reconcile-progress"):
            yield Label("", id="reconcile-where", markup=False)
            yield ProgressBar(id="reconcile-bar", show_eta=False)
        with Horizontal(id="body"):
            yield TranscriptView(id="view")
            with Vertical(id="side"):
                # Users' words ([latter], [pause]) are shown as written, never read as markup.
                yield Static("", id="coder-a", classes="coder-panel", markup=False)
                yield Static("", id="coder-b", classes="coder-panel", markup=False)
                yield Static("", id="decision", markup=False)
        yield StatusBar(f"reconciling {' and '.join(self.coders)}")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = f"Reconcile {self.coders[0]} and {self.coders[1]}"
        self.reload(first_open=True)
        self.query_one(TranscriptView).focus()

    def on_screen_resume(self) -> None:
        if self.stale:  # undone or saved elsewhere while a dialog or another screen was on top
            self.stale = False
            self.reload()

    def reload(self, *, first_open: bool = False) -> None:
        project = self.app.project
        try:
            self.items = reconcile.items(project, self.coders, disagreements_only=True)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        if first_open:
            self.index = next((i for i, it in enumerate(self.items) if not it.decided), 0)
        self.index = max(0, min(self.index, len(self.items) - 1))
        self._show()

    # --- showing one disagreement -------------------------------------------------------------

    def _show(self) -> None:
        decided, total = reconcile.progress(self.items)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=decided)
        where = self.query_one("#reconcile-where", Label)
        if not self.items:
            where.update("No disagreements: the coders agree on every unit (A puts them all in the consensus).")
            for panel in ("#coder-a", "#coder-b", "#decision"):
                self.query_one(panel, Static).update("")
            return
        item = self.items[self.index]
        unit = item.unit
        project = self.app.project
        transcript = project.transcript(unit.transcript)
        where.update(f"Disagreement {self.index + 1} of {total} · {decided} decided · "
                     f"{transcript.id} {transcript.title}")
        view = self.query_one(TranscriptView)
        if self.loaded_transcript != unit.transcript:
            self.text = project.text(unit.transcript)
            view.load(self.text, project.turns(unit.transcript))
            self.loaded_transcript = unit.transcript
        spans = [Span(c.id, c.start, c.end, CODER_COLOURS[i])
                 for i, coder in enumerate(self.coders) for c in unit.by_coder.get(coder, [])]
        view.set_spans(spans)
        view.go_to(unit.start, center=True)
        book = project.codebook()
        for i, (panel, coder) in enumerate(zip(("#coder-a", "#coder-b"), self.coders)):
            lines = [f"[{i + 1}] {coder}"]
            for c in unit.by_coder.get(coder, []):
                lines.append(f"  {' › '.join(n.name for n in book.path(c.code))}")
                lines.append(f"  «{self.text[c.start:c.end]}»")
            if len(lines) == 1:
                lines.append("  (did not code this)")
            self.query_one(panel, Static).update("\n".join(lines))
        decision = item.decision
        if decision:
            text = f"Decided: {decision['action']}"
            if decision["accepted_from"]:
                text += f" {decision['accepted_from']}"
            text += f" · by {decision['decided_by']}"
            if decision["note"]:
                text += f"\nNote: {decision['note']}"
        else:
            text = "Open: 1 / 2 accept a coder · b both · d drop · a adjusted span · n note"
            if note := self.notes.get(_key(item)):
                text += f"\nNote (saved with the decision): {note}"
        self.query_one("#decision", Static).update(text)

    # --- decisions ---------------------------------------------------------------------------

    def _decide(self, action: str, **kwargs) -> None:
        if not self.items:
            return
        item = self.items[self.index]
        # the note written before deciding, or the one of the decision this one replaces
        note = self.notes.get(_key(item)) or (item.decision["note"] if item.decision else "") or ""
        try:
            reconcile.decide(self.app.project, item, action, decided_by=self.app.coder, coders=self.coders,
                             note=note, **kwargs)
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notes.pop(_key(item), None)
        self.app.saved(f"disagreement {self.index + 1}: {action}" + (" with the note" if note else ""))
        self.reload()
        self.action_next_open()

    def action_accept(self, which: int) -> None:
        self._decide("accept", accept=self.coders[which])

    def action_both(self) -> None:
        self._decide("both")

    def action_drop(self) -> None:
        self._decide("drop")

    def action_adjust(self) -> None:
        selection = self.query_one(TranscriptView).selection
        if selection is None:
            self.notify("Select the span you agree on in the text first (shift+arrows, x, t), then press a.")
            return
        item = self.items[self.index] if self.items else None
        if item is None:
            return
        proposed = sorted({c.code for cs in item.unit.by_coder.values() for c in cs})

        def chosen(code_id: str | None) -> None:
            if code_id is not None:
                self._decide("adjust", span=selection, codes=[code_id])

        picker = CodePicker(self.app.project.codebook(), proposed, title="The agreed code for the adjusted span",
                            quote=self.text[selection[0]:selection[1]])
        self.app.push_screen(picker, chosen)

    def action_note(self) -> None:
        if not self.items:
            return
        item = self.items[self.index]
        if item.decision is None:  # kept here until the decision, which saves it
            def kept(note: str | None) -> None:
                if note is not None:
                    self.notes[_key(item)] = note.strip()
                    self.app.say("the note is saved with the decision (1 / 2 / b / d / a)", self)
                    self._show()

            self.app.push_screen(TextPrompt("A note on the discussion (saved with the decision):",
                                            value=self.notes.get(_key(item), "")), kept)
            return

        def written(note: str | None) -> None:
            if note is None:
                return
            try:
                reconcile.set_note(self.app.project, item, note, decided_by=self.app.coder, coders=self.coders)
            except UserError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.saved(f"note on disagreement {self.index + 1}")
            self.reload()

        self.app.push_screen(TextPrompt("A note on the discussion:", value=item.decision["note"]), written)

    def action_accept_agreed(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                done = reconcile.accept_agreed(self.app.project, self.coders, decided_by=self.app.coder)
                self.app.saved(f"{plural(done, 'agreed unit')} into the consensus")
                self.reload()

        self.app.push_screen(Confirm("Put every unit the two coders agree on into the consensus?"), confirmed)

    # --- moving ------------------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        if self.items:
            self.index = (self.index + delta) % len(self.items)
            self._show()

    def action_next_open(self) -> None:
        if not self.items:
            return
        order = list(range(self.index, len(self.items))) + list(range(0, self.index))
        nxt = next((i for i in order if not self.items[i].decided), None)
        if nxt is None:
            self.notify("Every disagreement is decided. Recompute agreement with 'qualcode agreement'.")
            self._show()
            return
        self.index = nxt
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()

"""Names to hide: the review of what the name finder proposes, one row per name.

A thread worker (its own project connection) loads the model, analyses what is new and runs
:func:`qualcode.nlp.names.find_names`; the table shows each name with its kind, where it was
found (NER, a speaker's label, the project's list and its spelling variants, capitalised
words), the decision so far, how often it occurs and one place in context.

Deciding is the user's work and goes straight to the store on the main thread
(:mod:`qualcode.store.deid`, one undoable action each): ``h`` hide, ``k`` keep, ``s`` hide as a
spelling of another hidden name (one person, one tag), ``K`` the kind, ``a`` a name of your own,
``x`` forget a decision. A review that takes minutes: ``H`` hides every pending name, ``t``
hides and ``T`` keeps every pending name of the highlighted row's kind (a person, a place, an
institution), each after a confirmation and as one undoable action. The row changes in place;
ctrl+z (the app's undo) takes a decision back and :meth:`NamesScreen.reload` redraws from the
store. Exports hide what is decided here and, until someone decides, every pending name too
(private by default); the finder's results are kept in the project so exports use the same
list. The stored text is only rewritten by ``qualcode redact`` on the command line, never here.
The rows themselves (a name and its places) are plain data, in :mod:`qualcode.tui.name_rows`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from ...core.deid import KIND_WORDS, Term, find_redactions
from ...core.errors import UserError
from ...store import Project, deid
from ..base import WorkbenchScreen
from ..name_rows import (
    KINDS,
    NameRow,
    Place,
    decision_of,
    family,
    group_findings,
    kind_choices,
    place_of,
    turn_spans,
)
from ..navigation import OpenTranscript
from ..text import plural
from ..widgets.keys_footer import KeysFooter
from ..widgets.nlp_status import AnalysisProgress, ModelReady, NlpStatus, prepare
from ..widgets.status_bar import StatusBar
from ..workers import Job, WorkFailed, screen_worker
from .dialogs import ChoicePicker, Confirm, TextPrompt

__all__ = ["KINDS", "ChoicePicker", "NameRow", "NamesScreen", "Place", "group_findings", "place_of"]

COLUMNS = ("term", "kind", "source", "decision", "found", "example")

EXPLANATION = (
    "Names you hide (h) are replaced by tags such as [Navn 1] in every export: units, summaries, "
    "quotes. Names still pending are hidden too, as [Navn 1?], until you decide. Keep (k) means "
    "reviewed: not a name to hide. H hides all pending names; t / T hide / keep all pending names "
    "of the highlighted kind. The transcripts themselves are not changed. To rewrite the stored "
    "text for good, run 'qualcode redact PROJECT' on the command line (it cannot be undone)."
)
# The same on a short screen (the names keep their rows): ? has the keys.
SHORT_EXPLANATION = ("h hides a name in every export as [Navn 1] (pending names too, as [Navn 1?]), k keeps it; "
                     "the transcripts are not changed ('qualcode redact' rewrites them).")


class NamesScreen(WorkbenchScreen[None]):
    """Review the names found in the transcripts: hide, keep, tie spellings together, add."""

    BINDINGS = [
        Binding("h", "hide", "Hide", id="names.hide", tooltip="Hide this name in every export"),
        Binding("k", "keep", "Keep", id="names.keep", tooltip="Reviewed: not a name to hide"),
        Binding("s", "same_as", "Same as…", id="names.same_as",
                tooltip="A spelling of another hidden name: hidden with the same tag"),
        Binding("K", "kind", "Kind", id="names.kind", key_display="K",
                tooltip="Person, place, institution …: the word in the tag"),
        Binding("a", "add", "Add name", id="names.add", tooltip="Hide a name the finder missed"),
        Binding("x", "forget", "Forget", id="names.forget", tooltip="Remove the decision about this name"),
        Binding("H", "hide_pending", "Hide all pending", id="names.hide_pending", key_display="H",
                tooltip="Hide every name waiting for a decision (asks first; one undoable action)"),
        Binding("t", "hide_kind", "Hide kind", id="names.hide_kind",
                tooltip="Hide every pending name of this row's kind (asks first; one undoable action)"),
        Binding("T", "keep_kind", "Keep kind", id="names.keep_kind", key_display="T",
                tooltip="Keep every pending name of this row's kind (asks first; one undoable action)"),
        Binding("p", "toggle_pending", "Pending only", id="names.pending",
                tooltip="Show only names waiting for a decision, or all"),
        Binding("o", "open_place", "Open in transcript", id="names.open", show=False,
                tooltip="The coding screen at this name's first occurrence (or Enter)"),
        Binding("R", "find_again", "Find again", id="names.find", key_display="R", show=False,
                tooltip="Run the name finder again over all transcripts"),
        Binding("escape", "back", "Back", id="names.back"),
    ]

    @dataclass
    class Found(Message):
        serial: int
        rows: list
        names: list = field(default_factory=list)  # store.deid.Found: what the project keeps
        model_key: str = ""
        basic: bool = False
        fingerprint: str = ""

    def __init__(self, *, model: str | None = None):
        """``model``: a spaCy model name or folder, or ``basic``; by default the app's
        ``nlp_model`` if it has one, else ``$QUALCODE_SPACY_MODEL``, else the default model."""
        super().__init__()
        self.model = model
        self.rows: list[NameRow] = []
        self.pending_only = False
        self.loaded = False
        self._serial = 0         # the newest search for names; older workers' results are dropped
        self._finding = False
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(EXPLANATION, id="names-explain", markup=False)
        yield Static(SHORT_EXPLANATION, id="names-explain-short", markup=False)
        yield NlpStatus(id="names-nlp")
        yield Static("", id="names-summary", markup=False)
        yield DataTable(id="names-table", cursor_type="row", zebra_stripes=True)
        yield StatusBar("names to hide")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = "Names to hide"
        table = self.query_one(DataTable)
        for key in COLUMNS:
            table.add_column(key, key=key)
        self.find()

    def on_screen_resume(self) -> None:
        self.reload()  # back from the coding screen or a dialog: decisions may have changed

    # --- finding (worker) ----------------------------------------------------------------------

    def find(self) -> None:
        self._serial += 1
        self._finding = True
        self.query_one(NlpStatus).starting()
        self.query_one(DataTable).loading = True
        self._summary("looking for names…")
        model = self.model if self.model is not None else self.app.nlp_model
        self._worker = self._find(self._serial, model, self.app.project_path)

    @screen_worker("names")
    def _find(self, job: Job, serial: int, model: str | None, path: str | Path) -> None:
        """Load the model, analyse what is new and find the names, on a connection of its own;
        a model that cannot be loaded is a UserError, explained."""
        from ...nlp.model import requested_model
        from ...nlp.names import find_names, found_names, free_text_names

        requested, _ = requested_model(model)
        key = "basic" if requested == "basic" else requested
        with Project.open(path, backup=False) as project:
            pipeline = prepare(self, project, model, job.should_stop)
            if job.cancelled:
                return
            stamp = deid.fingerprint(project, key)
            findings = find_names(project, pipeline=pipeline)
            names = found_names(findings, free_text_names(project, pipeline))
            texts = {t.id: project.text(t.id) for t in project.transcripts()}
            turns = {tid: turn_spans(project, tid) for tid in texts}
        job.post(self.Found(serial, group_findings(findings, texts, turns), names, key, pipeline.basic, stamp))

    def on_model_ready(self, message: ModelReady) -> None:
        self.query_one(NlpStatus).model_ready(message)

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        if self._finding:
            self.query_one(NlpStatus).progress(message)

    def on_names_screen_found(self, message: Found) -> None:
        if message.serial != self._serial:
            return
        self._finding = False
        self.query_one(NlpStatus).idle()
        table = self.query_one(DataTable)
        table.loading = False
        self.rows, self.loaded = message.rows, True
        if message.fingerprint:  # kept in the project: exports hide what is pending here
            try:
                deid.save_findings(self.app.project, message.names, model=message.model_key, basic=message.basic,
                                   print_=message.fingerprint)
            except UserError as exc:
                self.notify(f"The names found could not be kept in the project: {exc}", severity="warning")
        self._draw(keep=None)
        table.focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        """The finder could not run (the app says why): the screen stays usable."""
        if message.group != "names" or message.worker is not self._worker:
            return
        error = message.error
        why = str(error) if isinstance(error, UserError) else f"finding names failed: {type(error).__name__}: {error}"
        self._finding = False
        self.query_one(DataTable).loading = False
        self.query_one(NlpStatus).failed(why)
        self._summary("no names found: the name finder could not run")

    # --- drawing -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Redraw from the store's decisions (after undo, redo, or a decision made elsewhere)."""
        if self.loaded:
            self._draw(keep=self._current_key())

    def _decisions(self) -> tuple[dict[str, Term], list[Term]]:
        decided = deid.terms(self.app.project)
        return {t.term.casefold(): t for t in decided}, [t for t in decided if t.hide]

    def _draw(self, keep: str | None, index: int | None = None) -> None:
        """Fill the table from ``self.rows`` and the store. The rows that stay are updated in
        place; the table is rebuilt only when rows come or go (pending only, added names)."""
        decided, hidden = self._decisions()
        self.rows = [r for r in self.rows if not r.added or r.key in decided]  # an undone addition
        states = {r.key: decision_of(r, decided, hidden) for r in self.rows}
        shown = [r for r in self.rows if not self.pending_only or states[r.key][0] == "pending"]
        table = self.query_one(DataTable)
        row_index = table.cursor_row if index is None else index
        if [r.key for r in shown] == [k.value for k in table.rows]:
            for row in shown:
                for column, value in zip(COLUMNS, self._cells(row, *states[row.key])):
                    if str(table.get_cell(row.key, column)) != str(value):
                        table.update_cell(row.key, column, value)
        else:
            table.clear()
            for row in shown:
                table.add_row(*self._cells(row, *states[row.key]), key=row.key)
        if table.row_count:
            if keep is not None and keep in table.rows:
                table.move_cursor(row=table.get_row_index(keep))
            else:
                table.move_cursor(row=min(max(row_index, 0), table.row_count - 1))
        counts = {"hide": 0, "keep": 0, "pending": 0}
        for state, _ in states.values():
            counts[state] += 1
        places = sum(len(r.places) for r in self.rows)
        head = (f"{plural(len(self.rows), 'name')} in {plural(places, 'place')}: {counts['pending']} pending · "
                f"{counts['hide']} hidden · {counts['keep']} kept")
        if not self.rows:
            head = "no names found; press a to add one the finder missed"
        self._summary(head + ("   showing pending only (p)" if self.pending_only
                              else "   showing all (p: pending only)"))

    def _cells(self, row: NameRow, state: str, term: Term | None) -> list[Text]:
        kind = term.kind if term is not None else row.kind
        source = "+".join(row.sources) if row.sources else "user"
        if row.suggested_variant and not (term and term.variant_of):
            source += f" ~{row.suggested_variant}?"
        decision = Text(state, style={"hide": "bold", "keep": "green", "pending": "yellow"}[state])
        if term is not None and term.variant_of:
            decision.append(f" = {term.variant_of}")
        elif state == "hide" and term is None:
            decision.append(" (by a hidden name)", style="dim")
        example = Text()
        if row.places:
            place = row.places[0]
            example.append(f"{place.transcript} ", style="dim")
            example.append(place.left)
            example.append(place.surface, style="bold reverse")
            example.append(place.right)
        return [Text(row.term), Text(kind), Text(source), decision, Text(str(len(row.places))), example]

    def _summary(self, text: str) -> None:
        self.query_one("#names-summary", Static).update(Text(text))

    def _current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _current(self) -> NameRow | None:
        key = self._current_key()
        if key is None:
            self.notify("No name is highlighted.", severity="warning")
            return None
        return next(r for r in self.rows if r.key == key)

    # --- deciding (main thread, the app's connection) ------------------------------------------

    def _change(self, label: str, change: Callable[[], object], *, advance: bool = False,
                keep: str | None = None) -> bool:
        """One store change: saved and undoable at once; the table follows. A UserError from the
        store is explained, never a crash."""
        table = self.query_one(DataTable)
        index = table.cursor_row
        try:
            change()
        except UserError as exc:
            self.app.report(exc)
            return False
        self.app.saved(label)
        if advance and keep is None:  # on to the next name, as a review goes
            keys = [k.value for k in table.rows]
            keep = keys[index + 1] if index + 1 < len(keys) else None
        self._draw(keep=keep, index=index)
        return True

    def action_hide(self) -> None:
        if (row := self._current()) is None:
            return
        decided, _ = self._decisions()
        before = decided.get(row.key)
        variant_of = before.variant_of if before is not None and before.hide else None
        kind = before.kind if before is not None else row.kind
        self._change(
            f"hide {row.term} ({kind})",
            lambda: deid.add_term(self.app.project, row.term, kind, hide=True, source=row.source,
                                  coder=self.app.coder, variant_of=variant_of),
            advance=True,
        )

    def action_keep(self) -> None:
        if (row := self._current()) is None:
            return
        decided, _ = self._decisions()
        kind = decided[row.key].kind if row.key in decided else row.kind
        self._change(
            f"keep {row.term}",
            lambda: deid.add_term(self.app.project, row.term, kind, hide=False, source=row.source,
                                  coder=self.app.coder),
            advance=True,
        )

    def action_forget(self) -> None:
        if (row := self._current()) is None:
            return
        decided, hidden = self._decisions()
        if row.key not in decided:
            state, _ = decision_of(row, decided, hidden)
            why = ("it is hidden because a hidden name covers it (its genitive or a longer name); "
                   "forget that name instead") if state == "hide" else "there is none yet"
            self.notify(f"No decision about {row.term} to forget: {why}.", severity="warning")
            return
        self._change(f"forget {row.term}",
                     lambda: deid.remove_term(self.app.project, row.term, coder=self.app.coder))

    # --- bulk decisions (one undoable action each) -----------------------------------------------

    def _pending_rows(self, kind_family: str | None = None) -> list[NameRow]:
        decided, hidden = self._decisions()
        rows = [r for r in self.rows if decision_of(r, decided, hidden)[0] == "pending"]
        if kind_family is not None:
            rows = [r for r in rows if family(r.kind) == kind_family]
        return rows

    def _bulk(self, rows: list[NameRow], *, hide: bool) -> list[tuple[Term, str]]:
        """Decisions for ``rows``: hidden with their kinds, a first name or a spelling tied to a
        name that is (or is now being) hidden sharing its tag; or kept."""
        decided, _ = self._decisions()
        if not hide:
            return [(Term(r.term, r.kind, False), r.source) for r in rows]
        hiding = {r.key for r in rows} | {k for k, t in decided.items() if t.hide}
        base = {r.key: r.suggested_variant for r in rows
                if r.suggested_variant and r.suggested_variant.casefold() in hiding
                and r.suggested_variant.casefold() != r.key}
        ordered = sorted(rows, key=lambda r: r.key in base)  # names before their variants
        return [(Term(r.term, r.kind, True, None, base.get(r.key)), r.source) for r in ordered]

    @screen_worker("names-ask")
    async def _ask_bulk(self, job: Job, rows: list[NameRow], *, hide: bool, what: str) -> None:
        if not rows:
            self.notify(f"No pending {what} to decide.", severity="warning")
            return
        shown = ", ".join(r.term for r in rows[:8]) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
        verb = "Hide" if hide else "Keep"
        question = (f"{verb} {'the' if len(rows) == 1 else 'all'} {plural(len(rows), 'pending ' + what)}? {shown}. "
                    + ("Each is hidden with its kind; " if hide else "They will show in exports; ")
                    + "ctrl+z takes it back at once.")
        if not await self.app.push_screen_wait(Confirm(question)):
            return
        decisions = self._bulk(rows, hide=hide)
        label = f"{verb.lower()} {plural(len(rows), 'pending ' + what)}"
        self._change(label, lambda: deid.add_terms(self.app.project, decisions, label=label, coder=self.app.coder),
                     keep=self._current_key())

    def action_hide_pending(self) -> None:
        self._ask_bulk(self._pending_rows(), hide=True, what="name")

    def action_hide_kind(self) -> None:
        if (row := self._current()) is None:
            return
        kind = family(row.kind)
        self._ask_bulk(self._pending_rows(kind), hide=True, what=f"{kind} name")

    def action_keep_kind(self) -> None:
        if (row := self._current()) is None:
            return
        kind = family(row.kind)
        self._ask_bulk(self._pending_rows(kind), hide=False, what=f"{kind} name")

    def action_toggle_pending(self) -> None:
        self.pending_only = not self.pending_only
        self._draw(keep=self._current_key())

    @screen_worker("names-ask")
    async def action_kind(self, job: Job) -> None:
        if (row := self._current()) is None:
            return
        decided, _ = self._decisions()
        term = decided.get(row.key)
        if term is not None and term.variant_of:
            self.notify(f"{row.term} is hidden as a spelling of {term.variant_of} and has its kind; "
                        f"change the kind of {term.variant_of}.", severity="warning")
            return
        current = term.kind if term is not None else row.kind
        kind = await self.app.push_screen_wait(ChoicePicker(f"What is {row.term}?", kind_choices(), current))
        if kind is None or kind == current:
            return
        if term is None:  # nothing decided yet: the kind waits for h or k
            row.kind = kind
            self._draw(keep=row.key)
            self.notify(f"{row.term}: {kind}; h hides it as [{KIND_WORDS[kind]} n]")
            return
        source = deid.sources(self.app.project).get(row.key, row.source)
        self._change(
            f"{row.term} is {kind}",
            lambda: deid.add_term(self.app.project, term.term, kind, hide=term.hide, replacement=term.replacement,
                                  source=source, coder=self.app.coder),
            keep=row.key,
        )

    @screen_worker("names-ask")
    async def action_same_as(self, job: Job) -> None:
        if (row := self._current()) is None:
            return
        _, hidden = self._decisions()
        bases = [t for t in hidden if t.term.casefold() != row.key]
        if not bases:
            self.notify("No hidden name yet: hide the name first (h), then tie its spellings to it (s).",
                        severity="warning")
            return
        suggested = next((t.term for t in bases if row.suggested_variant
                          and t.term.casefold() == row.suggested_variant.casefold()), None)
        base = await self.app.push_screen_wait(ChoicePicker(
            f"{row.term} is a spelling of which hidden name? It gets the same tag.",
            [(t.term, f"{t.term}  ({t.kind})") for t in bases], suggested,
        ))
        if base is None:
            return
        self._change(
            f"hide {row.term} as {base}",
            lambda: deid.add_term(self.app.project, row.term, row.kind, hide=True, source=row.source,
                                  coder=self.app.coder, variant_of=base),
            advance=True,
        )

    @screen_worker("names-ask")
    async def action_add(self, job: Job) -> None:
        name = await self.app.push_screen_wait(TextPrompt(
            "A name to hide everywhere (as it is written; the genitive is found too):",
            placeholder="Kari Nordmann"))
        name = " ".join((name or "").split())
        if not name:
            return
        kind = await self.app.push_screen_wait(ChoicePicker(f"What is {name}?", kind_choices(), "PER"))
        if kind is None:
            return
        project = self.app.project
        speakers = {s.label.casefold() for t in project.transcripts() for s in t.speakers}
        source = "speaker" if name.casefold() in speakers else "user"
        added = None
        if not any(r.key == name.casefold() for r in self.rows):  # a name the finder did not offer
            added = NameRow(name, kind, (source,), added=True)
            for t in project.transcripts():
                text, turns = project.text(t.id), turn_spans(project, t.id)
                for edit in find_redactions(text, [Term(name, kind)]):
                    added.places.append(place_of(text, t.id, edit.start, edit.end, turns))
            self.rows.append(added)
        if not self._change(
            f"hide {name} ({kind})",
            lambda: deid.add_term(project, name, kind, hide=True, source=source, coder=self.app.coder),
            keep=name.casefold(),
        ) and added is not None:
            self.rows.remove(added)

    # --- moving --------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_place()

    def action_open_place(self) -> None:
        if (row := self._current()) is None:
            return
        if not row.places:
            self.notify(f"{row.term} does not occur in the transcripts.", severity="warning")
            return
        place = row.places[0]
        self.post_message(OpenTranscript(place.transcript, goto=(place.start, place.end)))

    def action_find_again(self) -> None:
        self.find()

    def action_back(self) -> None:
        self.app.pop_screen()

"""Keyword in context: every occurrence of a lemma across the transcripts, each on one line
between what was said before and after it, with who said it; Enter opens the transcript there.

``håp`` finds *håp*, *håpet*, *håper* (with a model, by lemma; in basic mode, by word form and
stem), ``f`` adds compounds and spelling variants (*håpløs*). The search runs in a thread worker
on its own project connection: the first search may have to load spaCy and analyse the
transcripts (cached in the project afterwards), which the screen shows as it happens. Role and
group filters only hide rows, so they answer at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import Worker

from ...core.errors import UserError
from ...store import Project
from ..base import NARROW, WorkbenchScreen
from ..navigation import OpenTranscript
from ..text import plural
from ..widgets.keys_footer import KeysFooter
from ..widgets.nlp_status import AnalysisProgress, ModelReady, NlpStatus, prepare
from ..widgets.status_bar import StatusBar
from ..workers import Job, WorkFailed, screen_worker

if TYPE_CHECKING:
    from ...nlp.search import KwicHit

CONTEXT = 30      # characters of context shown on each side
NARROW_CONTEXT = 20  # and on a narrow screen
MAX_ROWS = 2000   # rows drawn; the summary counts them all
NO_ROLE = "no role"
COLUMNS = ("left", "match", "right", "transcript", "speaker", "role", "group", "how")


def clip_left(text: str, width: int = CONTEXT) -> str:
    """The end of the left context, at most ``width`` characters: the words next to the hit."""
    return text if len(text) <= width else "…" + text[-(width - 1):]


def clip_right(text: str, width: int = CONTEXT) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def kwic_summary(hits: list[KwicHit]) -> str:
    """``5 hits in 2 transcripts · pasient 4 · ansatt 1``: the biggest role first."""
    if not hits:
        return "no hits"
    roles = Counter(h.role or NO_ROLE for h in hits)
    parts = [f"{role} {n}" for role, n in sorted(roles.items(), key=lambda item: (-item[1], item[0]))]
    transcripts = len({h.transcript for h in hits})
    return " · ".join([f"{plural(len(hits), 'hit')} in {plural(transcripts, 'transcript')}", *parts])


def _same(a: str | None, b: str) -> bool:
    return (a or "").casefold() == b.casefold()


class KwicScreen(WorkbenchScreen[None]):
    """Search a lemma or phrase across all transcripts, keyword in context."""

    BINDINGS = [
        # Enter on a row does the same (the table's own Enter selects the row); this key is
        # here so the palette offers it: the table's binding would hide an Enter binding.
        Binding("o", "open_hit", "Open at hit", id="kwic.open",
                tooltip="Open the transcript in the coding screen with the hit selected (or Enter)"),
        Binding("slash", "focus_query", "New search", id="kwic.search", key_display="/"),
        Binding("r", "cycle_role", "Role", id="kwic.role", tooltip="Show all roles, or one role at a time"),
        Binding("g", "cycle_group", "Group", id="kwic.group", tooltip="Show all focus groups, or one at a time"),
        Binding("f", "toggle_fuzzy", "Fuzzy", id="kwic.fuzzy",
                tooltip="Also compounds, derivations and spelling variants (håpløs, håpefull)"),
        Binding("escape", "back", "Back", id="kwic.back"),
    ]

    @dataclass
    class Found(Message):
        """The worker's result: every hit of ``query`` (no role or group filter)."""

        serial: int
        query: str
        hits: list

    def __init__(self, query: str = "", *, model: str | None = None):
        """``model``: a spaCy model name or folder, or ``basic``; by default the app's
        ``nlp_model`` if it has one, else ``$QUALCODE_SPACY_MODEL``, else the default model."""
        super().__init__()
        self.initial_query = query
        self.model = model
        self.query_text = ""          # what the shown hits are for
        self.fuzzy = False
        self.role: str | None = None
        self.group: str | None = None
        self.roles: list[str] = []
        self.groups: list[str] = []
        self.hits: list[KwicHit] = []
        self.shown: list[KwicHit] = []
        self._serial = 0               # the newest search; older workers' results are dropped
        self._searching = False
        self._pending_query: str | None = None  # the query being searched
        self._worker: Worker[None] | None = None  # the newest search's worker
        self._model_ready = False  # the newest search's worker has loaded the model
        self._drawn_context = CONTEXT  # the context columns' width now

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="a lemma or a few words: håp, kjenne seg igjen — Enter searches",
                    id="kwic-query")
        yield NlpStatus(id="kwic-nlp")
        yield Static("", id="kwic-summary", markup=False)
        yield DataTable[Text](id="kwic-hits", cursor_type="row", zebra_stripes=True)
        yield StatusBar("keyword in context")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.title = "Keyword in context"
        self._columns()
        project = self.app.project
        roles = {s.role for t in project.transcripts() for s in t.speakers if s.role}
        self.roles = sorted(roles, key=str.casefold)
        self.groups = [g.name for g in project.groups()]
        self._show_summary()
        if self.initial_query.strip():
            self.query_one(Input).value = self.initial_query
            self.search(self.initial_query)
        else:
            self.query_one(Input).focus()
            self._start(None)  # load the model and analyse while the user types

    # --- the worker ----------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Search ``query`` (the Input's text) with the current fuzziness."""
        query = " ".join(query.split())
        if not query:
            self.notify("Type a lemma or a few words to search for.", severity="warning")
            return
        self._start(query)

    def _start(self, query: str | None) -> None:
        self._serial += 1
        self._searching = True
        self._pending_query = query
        self._model_ready = False
        self.query_one(NlpStatus).starting()
        if query is not None:
            self.query_one(DataTable).loading = True
            self._show_summary(f"searching for {query!r}…")
        model = self.model if self.model is not None else self.app.nlp_model
        self._worker = self._work(self._serial, query, self.fuzzy, model, self.app.project_path)

    @screen_worker("kwic")
    def _work(self, job: Job, serial: int, query: str | None, fuzzy: bool, model: str | None, path: str | Path) -> None:
        """Load the model, analyse what is new, search; post the hits. Runs on its own connection.
        A model that cannot be loaded or a query without words is a UserError, explained."""
        from ...nlp.search import search_lemma

        with Project.open(path, backup=False) as project:
            pipeline = prepare(self, project, model, job.should_stop)
            if job.cancelled:
                return
            if query is None:  # only getting ready: the model loaded, the transcripts analysed
                job.post(self.Found(serial, "", []))
                return
            hits = search_lemma(project, query, fuzzy=fuzzy, pipeline=pipeline, width=CONTEXT + 8)
        job.post(self.Found(serial, query, hits))

    def on_model_ready(self, message: ModelReady) -> None:
        self._model_ready = True
        self.query_one(NlpStatus).model_ready(message)

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        if self._searching:
            self.query_one(NlpStatus).progress(message)

    def on_kwic_screen_found(self, message: Found) -> None:
        if message.serial != self._serial:
            return  # a search the user has replaced
        self._searching = False
        self.query_one(NlpStatus).idle()
        table = self.query_one(DataTable)
        table.loading = False
        if not message.query:
            self._show_summary()
            return  # the model is ready, nothing searched yet
        self.query_text, self.hits = message.query, message.hits
        self._fill(keep_cursor=False)
        table.focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        """The search could not run (the app says why): the screen stays usable."""
        if message.group != "kwic" or message.worker is not self._worker:
            return  # a search the user has replaced
        error = message.error
        why = str(error) if isinstance(error, UserError) else f"the search failed: {type(error).__name__}: {error}"
        self._searching = False
        self.query_one(DataTable).loading = False
        if not self._model_ready:
            self.query_one(NlpStatus).failed(why)
        else:
            self.query_one(NlpStatus).idle()
        self._show_summary(f"no search: {why}")
        self.query_one(Input).focus()

    # --- drawing -------------------------------------------------------------------------------

    @property
    def context(self) -> int:
        """Characters of context each side: fewer on a narrow screen, for who said it to show."""
        return CONTEXT if not 0 < self.size.width < NARROW else NARROW_CONTEXT

    def _columns(self) -> None:
        table = self.query_one(DataTable)
        self._drawn_context = self.context
        table.clear(columns=True)
        for key in COLUMNS:
            width = self._drawn_context if key in ("left", "right") else None
            label = Text("before", justify="right") if key == "left" else ("after" if key == "right" else key)
            table.add_column(label, key=key, width=width)

    def on_resize(self, event: events.Resize) -> None:
        if self.context != self._drawn_context:
            self._columns()
            self._fill()

    def _fill(self, *, keep_cursor: bool = True) -> None:
        """Draw the hits that pass the role and group filters, keeping the cursor's hit."""
        table = self.query_one(DataTable)
        current = self._current_key() if keep_cursor else None
        self.shown = [h for h in self.hits
                      if (self.role is None or _same(h.role, self.role))
                      and (self.group is None or _same(h.group, self.group))]
        table.clear()
        index = {id(h): i for i, h in enumerate(self.hits)}
        for hit in self.shown[:MAX_ROWS]:
            table.add_row(
                Text(clip_left(hit.left, self._drawn_context), justify="right", no_wrap=True, overflow="ellipsis"),
                Text(hit.word, style="bold reverse"),
                Text(clip_right(hit.right, self._drawn_context), no_wrap=True, overflow="ellipsis"),
                Text(hit.transcript), Text(hit.speaker or "?"), Text(hit.role or ""), Text(hit.group or ""),
                Text("" if hit.how == "lemma" else hit.how, style="italic"),
                key=str(index[id(hit)]),
            )
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        self._show_summary()

    def _show_summary(self, status: str | None = None) -> None:
        filters = [f"role: {self.role or 'all'} (r)", f"group: {self.group or 'all'} (g)",
                   f"fuzzy: {'on' if self.fuzzy else 'off'} (f)"]
        if status is not None:
            head = status
        elif not self.query_text:
            head = "type a lemma and press Enter"
        else:
            head = f"{self.query_text!r}: {kwic_summary(self.shown)}"
            if len(self.shown) > MAX_ROWS:
                head += f" (the first {MAX_ROWS} shown)"
            if not self.hits and not self.fuzzy:
                head += " — f also finds compounds and spelling variants"
            elif self.hits and not self.shown:
                head += f" ({plural(len(self.hits), 'hit')} without the filters)"
        self.query_one("#kwic-summary", Static).update(Text(head + "   " + " · ".join(filters)))

    def _current_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # --- actions -------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.row_key.value)

    def action_open_hit(self) -> None:
        key = self._current_key()
        if key is not None:
            self._open(key)

    def _open(self, key: str | None) -> None:
        if key is None:
            return
        hit = self.hits[int(key)]
        self.post_message(OpenTranscript(hit.transcript, goto=(hit.start, hit.end)))

    def action_focus_query(self) -> None:
        self.query_one(Input).focus()

    def action_cycle_role(self) -> None:
        self.role = _next(self.roles, self.role)
        self._fill()

    def action_cycle_group(self) -> None:
        self.group = _next(self.groups, self.group)
        self._fill()

    def action_toggle_fuzzy(self) -> None:
        self.fuzzy = not self.fuzzy
        query = self._pending_query if self._searching and self._pending_query else self.query_text
        if query:
            self._start(query)
        else:
            self._show_summary()

    def action_back(self) -> None:
        self.app.pop_screen()


def _next(choices: list[str], current: str | None) -> str | None:
    """all → the first → … → the last → all."""
    if not choices:
        return None
    if current is None:
        return choices[0]
    i = next((k for k, c in enumerate(choices) if c == current), -1)
    return choices[i + 1] if i + 1 < len(choices) else None

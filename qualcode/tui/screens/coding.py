"""The coding screen: a transcript, its meaning units, and every coding action on the keyboard.

Each action calls one :class:`~qualcode.store.Project` method (which commits before returning),
then redraws from the store. The screen keeps no state the store does not have, apart from the
cursor, the selection and the search.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, Static

from ...core.errors import UserError
from ...core.models import MODERATOR_ROLES
from ..widgets.status_bar import StatusBar
from ..widgets.transcript_view import Span, TranscriptView
from .dialogs import CodePicker, Confirm, UnitEdit, UnitEditor


class CodingScreen(Screen):
    BINDINGS = [
        Binding("c", "code_selection", "Code", id="coding.code", tooltip="Code the selection with a code from the codebook"),
        Binding("e", "edit_unit", "Condense/memo", id="coding.edit"),
        Binding("r", "recode_unit", "Change code", id="coding.recode", show=False),
        Binding("a", "adjust_unit", "Unit to selection", id="coding.adjust", show=False),
        Binding("delete,D", "delete_unit", "Delete unit", id="coding.delete", show=False),
        Binding("s", "star_unit", "Star quote", id="coding.star", show=False),
        Binding("j", "next_unit(1)", "Next unit", id="coding.next_unit"),
        Binding("k", "next_unit(-1)", "Previous unit", id="coding.prev_unit", show=False),
        Binding("g", "next_uncoded", "Next uncoded turn", id="coding.next_uncoded"),
        Binding("f", "follow_code", "Next unit of a code", id="coding.follow", show=False),
        Binding("semicolon", "follow_again", "Again: next unit of that code", id="coding.follow_again", show=False),
        Binding("slash", "search", "Search", id="coding.search"),
        Binding("n", "next_match(1)", "Next match", id="coding.next_match", show=False),
        Binding("N", "next_match(-1)", "Previous match", id="coding.prev_match", show=False),
        Binding("o", "toggle_others", "Show other coders", id="coding.others", show=False),
        Binding("i", "suggest", "Suggest codes", id="coding.suggest",
                tooltip="Codes for the selection (or the unit or sentence here), with the words behind each"),
        *[Binding(str(n), f"accept_suggestion({n})", f"Accept suggestion {n}", id=f"coding.accept_{n}", show=False)
          for n in range(1, 6)],
        Binding("P", "propose", "Propose units", id="coding.propose", show=False,
                tooltip="Proposed meaning units in the participants' turns, at sentence boundaries"),
        Binding("p", "next_proposal", "Next proposed unit", id="coding.next_proposal", show=False),
        Binding("m", "memos", "Memos", id="coding.memos", show=False),
        Binding("escape", "back", "Back", id="coding.back"),
    ]

    def __init__(self, tid: str, goto: tuple[int, int] | None = None):
        super().__init__()
        self.tid = tid
        self.goto = goto
        self.units: list = []
        self.current: int | None = None
        self.show_others = False
        self.query_text = ""
        self.follow: str | None = None
        self.suggestions: list = []
        self.suggested_span: tuple[int, int] | None = None
        self.proposals: list = []

    # --- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield TranscriptView(id="view")
            with Vertical(id="side"):
                yield Label("Meaning units", id="units-title")
                yield DataTable(id="units", cursor_type="row", show_header=False)
                yield Static("", id="unit-detail", markup=False)  # users' words, not markup
                yield ProgressBar(id="nlp-progress", show_eta=False)
                yield Static("", id="suggestions", markup=False)
        yield Input(placeholder="search the transcript (Enter; n / N for next / previous)", id="search")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        project = self.app.project
        self.transcript = project.transcript(self.tid)
        self.tid = self.transcript.id
        self.text = project.text(self.tid)
        self.turns = project.turns(self.tid)
        self.title = f"{self.transcript.id} {self.transcript.title}"
        self.query_one(StatusBar).set_where(f"{self.transcript.id} {self.transcript.title}")
        self.query_one("#units", DataTable).add_column("unit", key="unit")
        view = self.query_one(TranscriptView)
        view.load(self.text, self.turns, cursor=self.goto[0] if self.goto else None)
        if self.goto:
            view.select(*self.goto)
        self.reload(list_later=True)
        view.focus()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def reload(self, *, list_later: bool = False) -> None:
        """Re-read this transcript's units from the store and redraw them. ``list_later`` fills
        the side list after the next paint, so a big transcript shows its text first."""
        if not hasattr(self, "transcript"):  # a refresh before the screen has mounted
            return
        project, coder = self.app.project, self.app.coder
        current = project.transcript(self.tid)
        if current.checksum != self.transcript.checksum:  # its text was edited (redact) elsewhere
            self.transcript, self.text, self.turns = current, project.text(self.tid), project.turns(self.tid)
            self.view.load(self.text, self.turns, cursor=min(self.view.cursor, len(self.text)))
            self.notify("The transcript's text was changed by another qualcode; shown as it is now.")
        units = project.units(transcript=self.tid, coder=None if self.show_others else coder)
        self.units = units
        book = project.codebook()
        spans = [Span(u["id"], u["start"], u["end"], book.colour_of(u["code"]) or "#888888") for u in units]
        if self.current not in {u["id"] for u in units}:
            self.current = None
        self.view.set_spans(spans, self.current)
        if list_later:
            self.call_after_refresh(self._fill_list)
        else:
            self._fill_list()

    def _fill_list(self) -> None:
        units, coder = self.units, self.app.coder
        table = self.query_one("#units", DataTable)
        table.clear()
        for u in units:
            star = "★ " if u["starred"] else ""
            who = "" if u["coder"] == coder else f" [{u['coder']}]"
            quote = u["text"].replace("\n", " ")
            label = f"{star}{u['code']}{who} · {u['speaker'] or '?'}: «{quote[:40]}{'…' if len(quote) > 40 else ''}»"
            table.add_row(Text(label), key=str(u["id"]))  # Text: shown as written, not as markup
        self.query_one("#units-title", Label).update(
            f"Meaning units ({len(units)})" + (" · all coders" if self.show_others else "")
        )
        self._show_current()

    def _unit(self, unit_id: int | None) -> dict | None:
        return next((u for u in self.units if u["id"] == unit_id), None)

    def _show_current(self) -> None:
        detail = self.query_one("#unit-detail", Static)
        unit = self._unit(self.current)
        if unit is None:
            detail.update("")
            return
        table = self.query_one("#units", DataTable)
        index = next(i for i, u in enumerate(self.units) if u["id"] == unit["id"])
        if table.cursor_row != index:
            table.move_cursor(row=index)
        lines = [" › ".join(unit["code_path"]), f"unit {unit['id']} · {unit['coder']} · {unit['start']}-{unit['end']}"
                 + (" · ★ quote" if unit["starred"] else "")]
        if unit["condensed"]:
            lines.append(f"condensed: {unit['condensed']}")
        if unit["memo"]:
            lines.append(f"memo: {unit['memo']}")
        detail.update("\n".join(lines))

    # --- following the cursor ----------------------------------------------------------------

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        inside = [u for u in self.units if u["start"] <= event.offset < u["end"]]
        if inside:
            smallest = min(inside, key=lambda u: u["end"] - u["start"])
            if smallest["id"] != self.current:
                self.current = smallest["id"]
                self.view.set_spans(self.view.spans, self.current)
                self._show_current()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Only the user's own moves in the list choose the unit; the screen moves the list's
        # cursor itself to follow the text cursor, and those (late) events must not win.
        if event.data_table.id == "units" and event.data_table.has_focus and event.row_key.value is not None:
            unit_id = int(event.row_key.value)
            if unit_id != self.current:
                self.current = unit_id
                self.view.set_spans(self.view.spans, self.current)
                self._show_current()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "units" and event.row_key.value is not None:
            unit = self._unit(int(event.row_key.value))
            if unit:
                self.view.select(unit["start"], unit["end"])
                self.view.focus()

    # --- coding ------------------------------------------------------------------------------

    def _act(self, change, label: str) -> bool:
        """Run one store change; report it as saved, or show the user's mistake."""
        try:
            result = change()
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return False
        self.app.saved(label)
        self.reload()
        return result if result is not None else True

    def action_code_selection(self) -> None:
        selection = self.view.selection
        if selection is None:
            self.notify("Select a span first: shift+arrows, W/>/} to extend, x sentence, t turn, or the mouse.")
            return
        project = self.app.project

        def chosen(code_id: str | None) -> None:
            if code_id is None:
                return
            start, end = _trim(self.text, *selection)
            unit = self._act(lambda: project.add_coding(self.tid, start, end, code_id, self.app.coder),
                             f"coded {code_id}")
            if unit:
                self.current = unit.id
                self.reload()

        self.app.push_screen(CodePicker(project.codebook(), project.recent_codes(self.app.coder)), chosen)

    def _need_unit(self) -> dict | None:
        unit = self._unit(self.current)
        if unit is None:
            self.notify("No meaning unit here: move into one (j / k) or pick it in the list.")
        elif unit["coder"] != self.app.coder:
            self.notify(f"That unit is {unit['coder']}'s; you can change only your own.", severity="warning")
            return None
        return unit

    def action_edit_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return

        def edited(result: UnitEdit | None) -> None:
            if result is not None:
                self._act(lambda: self.app.project.update_coding(
                    unit["id"], condensed=result.condensed, memo=result.memo, coder=self.app.coder),
                    f"unit {unit['id']} condensed meaning and memo")

        heading = f"Unit {unit['id']} · {' › '.join(unit['code_path'])}"
        self.app.push_screen(UnitEditor(heading, unit["text"], unit["condensed"], unit["memo"]), edited)

    def action_recode_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return
        project = self.app.project

        def chosen(code_id: str | None) -> None:
            if code_id is not None:
                self._act(lambda: project.update_coding(unit["id"], code=code_id, coder=self.app.coder),
                          f"unit {unit['id']} now {code_id}")

        self.app.push_screen(CodePicker(project.codebook(), project.recent_codes(self.app.coder),
                                        title=f"Change the code of unit {unit['id']}"), chosen)

    def action_adjust_unit(self) -> None:
        unit = self._need_unit()
        selection = self.view.selection
        if unit is None:
            return
        if selection is None:
            self.notify("Select the new extent of the unit first, then press a.")
            return
        start, end = _trim(self.text, *selection)
        self._act(lambda: self.app.project.update_coding(unit["id"], start=start, end=end, coder=self.app.coder),
                  f"unit {unit['id']} now {start}-{end}")

    def action_delete_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act(lambda: self.app.project.delete_coding(unit["id"], coder=self.app.coder),
                          f"deleted unit {unit['id']} (ctrl+z brings it back)")

        self.app.push_screen(Confirm(f"Delete unit {unit['id']} ({unit['code']}): «{unit['text'][:80]}»?"), confirmed)

    def action_star_unit(self) -> None:
        unit = self._need_unit()
        if unit is not None:
            star = not unit["starred"]
            self._act(lambda: self.app.project.update_coding(unit["id"], starred=star, coder=self.app.coder),
                      f"unit {unit['id']} {'starred as a quote' if star else 'unstarred'}")

    # --- moving around -----------------------------------------------------------------------

    def action_next_unit(self, direction: int) -> None:
        if not self.units:
            self.notify("No meaning units in this transcript yet.")
            return
        starts = [u["start"] for u in self.units]
        cursor = self.view.cursor
        if direction > 0:
            i = bisect_right(starts, cursor)
            unit = self.units[i] if i < len(self.units) else self.units[0]
        else:
            i = bisect_right(starts, cursor - 1) - 1
            current = self._unit(self.current)
            if current and current["start"] <= cursor and i >= 0 and self.units[i]["id"] == current["id"]:
                i -= 1
            unit = self.units[i] if i >= 0 else self.units[-1]
        self._jump_to(unit)

    def _jump_to(self, unit: dict) -> None:
        self.current = unit["id"]
        self.view.go_to(unit["start"], center=True)
        self.view.set_spans(self.view.spans, self.current)
        self._show_current()

    def action_next_uncoded(self) -> None:
        mine = [(u["start"], u["end"]) for u in self.units if u["coder"] == self.app.coder]
        index = self.view.layout_.turn_at(self.view.cursor) or 0
        order = list(range(index + 1, len(self.turns))) + list(range(0, index + 1))
        for i in order:
            turn = self.turns[i]
            if turn.speaker is None or (turn.role or "").casefold() in MODERATOR_ROLES:
                continue
            if not any(s < turn.end and turn.start < e for s, e in mine):
                self.view.go_to(turn.start, center=True)
                self.app.status_text = f"turn {i}: not coded yet"
                return
        self.notify("Every participant turn has at least one of your units.")

    def action_follow_code(self) -> None:
        project = self.app.project

        def chosen(code_id: str | None) -> None:
            if code_id is not None:
                self.follow = code_id
                self.action_follow_again()

        self.app.push_screen(CodePicker(project.codebook(), project.recent_codes(self.app.coder),
                                        title="Jump to the next unit of which code?"), chosen)

    def action_follow_again(self) -> None:
        if self.follow is None:
            self.action_follow_code()
            return
        book = self.app.project.codebook()
        family = {self.follow, *(d.id for d in book.descendants(self.follow))}
        hits = [u for u in self.units if u["code"] in family]
        if not hits:
            self.notify(f"No unit of {self.follow} in this transcript.")
            return
        after = [u for u in hits if u["start"] > self.view.cursor]
        self._jump_to(after[0] if after else hits[0])

    # --- search ------------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.add_class("visible")
        box.value = self.query_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        self.query_text = event.value.strip()
        event.input.remove_class("visible")
        self.view.focus()
        if not self.query_text:
            self.view.set_matches([])
            return
        matches = _find(self.text, self.query_text, self.turns)
        self.view.set_matches(matches)
        if not matches:
            self.notify(f"«{self.query_text}» is not in this transcript.")
            return
        self.action_next_match(1, from_offset=self.view.cursor - 1)

    def action_next_match(self, direction: int, from_offset: int | None = None) -> None:
        matches = self.view.matches
        if not matches:
            self.notify("Search first with /")
            return
        cursor = self.view.cursor if from_offset is None else from_offset
        starts = [s for s, _ in matches]
        if direction > 0:
            i = bisect_right(starts, cursor)
            i = i if i < len(matches) else 0
        else:
            i = bisect_right(starts, cursor - 1) - 1
            i = i if i >= 0 else len(matches) - 1
        self.view.go_to(matches[i][0], center=True)
        self.app.status_text = f"match {i + 1} of {len(matches)} for «{self.query_text}»"

    # --- NLP assistance: suggestions and proposed units ---------------------------------------

    def _span_to_suggest(self) -> tuple[int, int] | None:
        if self.view.selection is not None:
            return _trim(self.text, *self.view.selection)
        unit = self._unit(self.current)
        if unit is not None and unit["start"] <= self.view.cursor < unit["end"]:
            return unit["start"], unit["end"]
        if self.view.layout_ is None:
            return None
        return self.view.layout_.sentence_bounds(self.view.cursor)

    def action_suggest(self) -> None:
        span = self._span_to_suggest()
        if span is None or span[0] >= span[1]:
            self.notify("Nothing to suggest codes for here.")
            return
        self.query_one("#suggestions", Static).update("Suggesting codes…")
        self._nlp(span=span)

    def action_propose(self) -> None:
        self.query_one("#suggestions", Static).update("Proposing meaning units…")
        self._nlp(propose=True)

    @work(thread=True, exclusive=True, group="nlp", exit_on_error=False)
    def _nlp(self, span: tuple[int, int] | None = None, propose: bool = False) -> None:
        """Analyse this transcript once (cached in the project), then suggest or propose.

        Runs in a thread on a connection of its own; results come back by call_from_thread."""
        from ...nlp.analysis import analyse
        from ...nlp.model import load_pipeline
        from ...store import Project

        app = self.app
        try:
            pipeline = load_pipeline()
            app.call_from_thread(self._progress, 0, 1)
            analyse(app.project_path, [self.tid], pipeline=pipeline,
                    progress=lambda done, total: app.call_from_thread(self._progress, done, total))
            with Project.open(app.project_path, backup=False) as project:
                if propose:
                    from ...nlp.proposals import propose_units

                    result = propose_units(project, self.tid, pipeline=pipeline)
                else:
                    from ...nlp.suggest import suggest_codes

                    result = suggest_codes(project, self.tid, span[0], span[1], top=5, pipeline=pipeline)
        except UserError as exc:
            app.call_from_thread(self._nlp_failed, str(exc))
            return
        notice = pipeline.notice() if pipeline.basic else ""
        if propose:
            app.call_from_thread(self._show_proposals, result, notice)
        else:
            app.call_from_thread(self._show_suggestions, span, result, notice)

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#nlp-progress", ProgressBar)
        bar.display = done < total
        bar.update(total=max(total, 1), progress=done)

    def _nlp_failed(self, message: str) -> None:
        self.query_one("#nlp-progress", ProgressBar).display = False
        self.query_one("#suggestions", Static).update("")
        self.notify(message, severity="error")

    def _show_suggestions(self, span: tuple[int, int], suggestions: list, notice: str) -> None:
        self.query_one("#nlp-progress", ProgressBar).display = False
        self.suggestions, self.suggested_span = suggestions, span
        quote = self.text[span[0]:span[1]].replace("\n", " ")
        lines = [f"Suggestions for «{quote[:50]}{'…' if len(quote) > 50 else ''}»"]
        if notice:
            lines.append(notice)
        if not suggestions:
            lines.append("  none: no keyword or coded unit is like this text")
        for n, suggestion in enumerate(suggestions, 1):
            lines.append(f"[{n}] {suggestion.score:.2f} {suggestion.code}  {suggestion.name}")
            lines.append(f"    {suggestion.explain()}")
        if suggestions:
            lines.append("1-5 codes the span with that code")
        self.query_one("#suggestions", Static).update("\n".join(lines))

    def action_accept_suggestion(self, n: int) -> None:
        if not self.suggestions or self.suggested_span is None:
            self.notify("No suggestions yet: press i for codes for the selection or the sentence here.")
            return
        if n > len(self.suggestions):
            self.notify(f"There are {len(self.suggestions)} suggestions.")
            return
        code = self.suggestions[n - 1].code
        start, end = self.suggested_span
        unit = self._act(lambda: self.app.project.add_coding(self.tid, start, end, code, self.app.coder),
                         f"coded {code} (suggestion {n})")
        if unit:
            self.current = unit.id
            self.reload()

    def _show_proposals(self, proposals: list, notice: str) -> None:
        self.query_one("#nlp-progress", ProgressBar).display = False
        self.proposals = proposals
        open_ones = [p for p in proposals if not p.coded]
        text = f"{len(proposals)} proposed meaning units, {len(open_ones)} not coded yet: p selects the next"
        self.query_one("#suggestions", Static).update("\n".join(x for x in (text, notice) if x))
        if open_ones:
            self.action_next_proposal()

    def action_next_proposal(self) -> None:
        if not self.proposals:
            self.action_propose()
            return
        mine = [(u["start"], u["end"]) for u in self.units if u["coder"] == self.app.coder]
        uncoded = [p for p in self.proposals if not any(s < p.end and p.start < e for s, e in mine)]
        if not uncoded:
            self.notify("Every proposed unit overlaps one of your units.")
            return
        after = [p for p in uncoded if p.start > self.view.cursor]
        proposal = (after or uncoded)[0]
        self.view.select(proposal.start, proposal.end)
        self.view.scroll_to_cursor(center=True)
        self.action_suggest()

    # --- other -------------------------------------------------------------------------------

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self.reload()
        self.notify("Showing all coders' units" if self.show_others else "Showing only your units (blind)")

    def action_memos(self) -> None:
        from .memos import MemosScreen

        self.app.push_screen(MemosScreen("transcript", self.tid))

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("visible"):
            search.remove_class("visible")
            self.view.focus()
            return
        self.app.pop_screen()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A selection without the white space at its edges (a unit is what was said)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _find(text: str, query: str, turns) -> list[tuple[int, int]]:
    """Case-insensitive matches of ``query`` inside the spoken text of turns."""
    folded, needle = text.casefold(), query.casefold()
    if len(folded) != len(text):  # casefold changed lengths (e.g. ß): fall back to lower()
        folded, needle = text.lower(), query.lower()
    out = []
    for turn in turns:
        i = folded.find(needle, turn.start, turn.end)
        while i != -1:
            out.append((i, i + len(needle)))
            i = folded.find(needle, i + 1, turn.end)
    return out

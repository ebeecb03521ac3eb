"""The coding screen: a transcript, its meaning units, and every coding action on the keyboard.

Each action calls one :class:`~qualcode.store.Project` method (which commits before returning)
and then shows exactly what it changed: the unit the store wrote is made here
(:class:`~qualcode.tui.units.UnitMaker`) and put into the list and the text, so coding a
selection repaints a few rows, never the whole screen. The code is chosen in a chooser kept on
the screen (``c``), not in a dialog screen. Changes made elsewhere (another process, undo)
come through :meth:`CodingScreen.reload`, which re-reads the units and redraws them only if
they differ (and the transcript, if it was repaired: :mod:`.coding_repair` holds the repairs of
turns). The screen keeps no state the store does not have, apart from the cursor, the selection
and the search.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Key
from textual.widgets import Header, Input, Label, ProgressBar, Static

from ...core.codebook import Codebook
from ...core.errors import UserError
from ...core.models import MODERATOR_ROLES, Coding, Turn
from ...core.units import MeaningUnit
from ..navigation import OpenMemos
from ..text import find_in_turns, trim_span
from ..units import UnitMaker
from ..widgets.code_chooser import CodeChooser
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..widgets.transcript_view import Span, TranscriptView
from ..widgets.unit_list import UnitList
from .coding_repair import TurnRepairs
from .dialogs import Confirm, UnitEdit, UnitEditor

NO_COLOUR = "#888888"
DETAIL_ROWS = 12  # the most the detail of the current unit shows (styles: max-height)
DETAIL_MIN_ROWS = 2  # and the least (styles: min-height): a unit's code path and its id


def _unit_on(units: list[MeaningUnit], start: int, end: int) -> int | None:
    """The unit on exactly ``start..end``, else the smallest one around ``start``."""
    same = [u for u in units if (u.start, u.end) == (start, end)]
    around = same or [u for u in units if u.start <= start < u.end]
    return min(around, key=lambda u: u.end - u.start).id if around else None


def _order(unit: MeaningUnit) -> tuple[int, int, int]:
    """Units are listed as the store lists them: by start, end and id."""
    return (unit.start, unit.end, unit.id)


class CodingScreen(TurnRepairs):
    BINDINGS = [
        Binding("c", "code_selection", "Code", id="coding.code",
                tooltip="Code the selection with a code from the codebook"),
        Binding("e", "edit_unit", "Condense/memo", id="coding.edit"),
        Binding("r", "recode_unit", "Change code", id="coding.recode", show=False),
        Binding("a", "adjust_unit", "Unit to selection", id="coding.adjust", show=False),
        Binding("delete,D", "delete_unit", "Delete unit", id="coding.delete", show=False),
        Binding("s", "star_unit", "Star quote", id="coding.star", show=False),
        Binding("j", "next_unit(1)", "Next unit", id="coding.next_unit"),
        Binding("k", "next_unit(-1)", "Previous unit", id="coding.prev_unit", show=False),
        Binding("g", "next_uncoded", "Next uncoded turn", id="coding.next_uncoded"),
        Binding("f", "follow_code", "Next unit of a code", id="coding.follow", show=False),
        Binding("semicolon", "follow_again", "Again: next unit of that code", id="coding.follow_again",
                show=False),
        Binding("slash", "search", "Search", id="coding.search"),
        Binding("n", "next_match(1)", "Next match", id="coding.next_match", show=False),
        Binding("N", "next_match(-1)", "Previous match", id="coding.prev_match", show=False),
        Binding("o", "toggle_others", "Show other coders", id="coding.others", show=False),
        Binding("i", "suggest", "Suggest codes", id="coding.suggest",
                tooltip="Codes for the selection (or the unit or sentence here), with the words behind each"),
        *[Binding(str(n), f"accept_suggestion({n})", f"Accept suggestion {n}", id=f"coding.accept_{n}",
                  show=False) for n in range(1, 6)],
        Binding("P", "propose", "Propose units", id="coding.propose", show=False,
                tooltip="Proposed meaning units in the participants' turns, at sentence boundaries"),
        Binding("p", "next_proposal", "Next proposed unit", id="coding.next_proposal", show=False),
        Binding("m", "memos", "Memos", id="coding.memos", show=False),
        Binding("escape", "back", "Back", id="coding.back"),
    ]

    FOOTER = ("view.select_sentence", "coding.code", "coding.edit", "coding.next_unit", "coding.search",
              "coding.suggest", "coding.next_uncoded", "view.select_turn", "app.undo")

    def __init__(self, tid: str, goto: tuple[int, int] | None = None):
        super().__init__()
        self.tid = tid
        self.goto = goto
        self.units: list[MeaningUnit] = []
        self._keys: list[tuple[int, int, int]] = []  # _order() of self.units, for bisect
        self.current: int | None = None
        self.show_others = False
        self.query_text = ""
        self.follow: str | None = None
        self.text = ""
        self.turns: list[Turn] = []
        self._recent: list[str] | None = None  # this coder's codes, latest first (None: read it)
        self._picked: Callable[[str], None] | None = None  # what the open chooser is for
        self._detail_rows = -1  # rows the unit's detail takes now

    # --- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield TranscriptView(id="view")
            with Vertical(id="side"):
                yield Label("Meaning units", id="units-title")
                yield UnitList(id="units")
                yield Static("", id="unit-detail", markup=False)  # users' words, not markup
                yield ProgressBar(id="nlp-progress", show_eta=False)
                yield Static("", id="suggestions", markup=False)
        yield CodeChooser(id="chooser", classes="dialog")
        yield Input(placeholder="search the transcript (Enter; n / N for next / previous)", id="search")
        yield StatusBar()
        yield KeysFooter()

    def on_mount(self) -> None:
        project = self.app.project
        self.transcript = project.transcript(self.tid)
        self.tid = self.transcript.id
        self.text = project.text(self.tid)
        self.turns = project.turns(self.tid)
        self.title = f"{self.transcript.id} {self.transcript.title}"
        self.query_one(StatusBar).set_where(f"{self.transcript.id} {self.transcript.title}")
        self._own_changes_seen = self.app.own_changes
        self._read_codebook()
        view = self.view
        view.load(self.text, self.turns, cursor=self.goto[0] if self.goto else None)
        units = self._read_units()
        if self.goto:
            view.select(self.goto[1], self.goto[0])  # the cursor at the start, where the text is centred
            # (from units by code, co-occurring passages, a KWIC hit: the unit there is the current
            # one, highlighted in the list too)
            self.current = _unit_on(units, *self.goto)
        self._show_units(units, list_later=True)
        view.focus()

    @property
    def unit_list(self) -> UnitList:
        return self.query_one(UnitList)

    def _read_codebook(self) -> None:
        self.codebook: Codebook = self.app.project.codebook()
        self.make_unit = UnitMaker(self.transcript, self.text, self.turns, self.codebook)
        self._recent = None

    def _read_units(self) -> list[MeaningUnit]:
        return self.app.project.units(transcript=self.tid, coder=None if self.show_others else self.app.coder)

    def _span(self, unit: MeaningUnit) -> Span:
        return Span(unit.id, unit.start, unit.end, self.make_unit.colours.get(unit.code) or NO_COLOUR)

    # --- redrawing from the store ------------------------------------------------------------

    def on_screen_resume(self) -> None:
        if self.stale:  # undone or saved elsewhere while a dialog or another screen was on top
            self.stale = False
            self.reload()

    def reload(self) -> None:
        """Re-read this transcript (repaired or undone here, or changed by another process) and
        its units, and redraw what changed."""
        if not hasattr(self, "transcript"):  # a refresh before the screen has mounted
            return
        changed_here = self._changed_here()
        if self.show_transcript_as_stored():
            if not changed_here:
                self.notify("The transcript was changed by another qualcode; shown as it is now.")
            self.units = []  # draw everything anew below
        self._read_codebook()
        units = self._read_units()
        if units != self.units or not self._keys:
            self._show_units(units)
        else:
            self._show_current()  # (a memo or the codebook may have changed what it says)

    def _show_as_stored(self) -> None:
        self._show_units(self._read_units())

    def _show_units(self, units: list[MeaningUnit], *, list_later: bool = False) -> None:
        """Show ``units`` everywhere (the text's highlights, the list, the detail); ``list_later``
        fills the side list after the next paint, so a big transcript shows its text first."""
        self.units = units
        self._keys = [_order(u) for u in units]
        if self.current not in {u.id for u in units}:
            self.current = None
        self.view.set_spans([self._span(u) for u in units], self.current)
        if list_later:
            self.call_after_refresh(self._fill_list)
        else:
            self._fill_list()

    def _fill_list(self) -> None:
        self.unit_list.set_units(self.units, self.app.coder)
        self._show_count()
        self._show_current()

    def _show_count(self) -> None:
        self.query_one("#units-title", Label).update(  # one line (styles): no new layout
            f"Meaning units ({len(self.units)})" + (" · all coders" if self.show_others else ""), layout=False
        )

    def _index(self, unit_id: int | None) -> int | None:
        return next((i for i, u in enumerate(self.units) if u.id == unit_id), None)

    def _unit(self, unit_id: int | None) -> MeaningUnit | None:
        i = self._index(unit_id)
        return None if i is None else self.units[i]

    def _set_current(self, unit_id: int | None) -> None:
        self.current = unit_id
        self.view.set_current(unit_id)
        self._show_current()

    def _show_current(self) -> None:
        i = self._index(self.current)
        if i is None:
            self._show_detail([])
            return
        unit = self.units[i]
        self.unit_list.move_cursor(i)
        lines = [" › ".join(unit.code_path), f"unit {unit.id} · {unit.coder} · {unit.start}-{unit.end}"
                 + (" · ★ quote" if unit.starred else "")]
        if unit.condensed:
            lines.append(f"condensed: {unit.condensed}")
        if unit.memo:
            lines.append(f"memo: {unit.memo}")
        self._show_detail(lines)

    def _show_detail(self, lines: list[str]) -> None:
        """The current unit's detail under the list; the list's height changes (a new layout)
        only when the detail's does."""
        detail = self.query_one("#unit-detail", Static)
        width = max(1, detail.content_size.width)
        rows = max(DETAIL_MIN_ROWS, min(DETAIL_ROWS, sum(max(1, -(-cell_len(line) // width)) for line in lines)))
        detail.update("\n".join(lines), layout=rows != self._detail_rows)
        self._detail_rows = rows

    # --- showing one change ------------------------------------------------------------------

    def _add_unit(self, coding: Coding) -> MeaningUnit:
        """The unit the store just wrote, in the list and the text; it becomes the current one."""
        unit = self.make_unit(coding)
        i = bisect_right(self._keys, _order(unit))
        self.units.insert(i, unit)
        self._keys.insert(i, _order(unit))
        self.view.add_span(self._span(unit))
        self.unit_list.insert_unit(i, unit)
        self._show_count()
        self._set_current(unit.id)
        return unit

    def _drop_unit(self, unit_id: int) -> None:
        i = self._index(unit_id)
        if i is None:
            return
        del self.units[i], self._keys[i]
        self.view.remove_span(unit_id)
        self.unit_list.remove_unit(i)
        self._show_count()
        if self.current == unit_id:
            self._set_current(None)

    def _changed_unit(self, coding: Coding) -> None:
        """A unit the store just changed (code, extent, star, condensed meaning, memo)."""
        unit = self.make_unit(coding)
        i = self._index(unit.id)
        if i is not None and self._keys[i] == _order(unit):  # still in its place in the list
            self.units[i] = unit
            self.view.remove_span(unit.id)
            self.view.add_span(self._span(unit))
            self.unit_list.replace_unit(i, unit)
            self._set_current(unit.id)
        else:
            self._drop_unit(unit.id)
            self._add_unit(coding)

    def _coded(self, code_id: str) -> None:
        """This coder just used ``code_id``: first in the chooser from now on."""
        if self._recent is not None:
            self._recent = [code_id, *(c for c in self._recent if c != code_id)]

    # --- following the cursor ----------------------------------------------------------------

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        if self.chooser.is_open:  # a click in the text while choosing: the user moved on, as Escape
            self.chooser.action_cancel()
        self.mark_suggestions()
        inside = self.view.spans_at(event.offset)
        if self.view.selection is not None and self.current in {s.unit_id for s in inside}:
            return  # (selecting inside the current unit: it stays the current one)
        if inside:
            smallest = min(inside, key=lambda s: s.end - s.start)
            if smallest.unit_id != self.current:
                self._set_current(smallest.unit_id)

    def on_unit_list_highlighted(self, event: UnitList.Highlighted) -> None:
        # Only the user's own moves in the list choose the unit; the screen moves the list's
        # cursor itself (without a message) to follow the text cursor.
        if event.unit_id != self.current:
            self.current = event.unit_id
            self.view.set_current(event.unit_id)
            self._show_current()

    def on_unit_list_selected(self, event: UnitList.Selected) -> None:
        unit = self._unit(event.unit_id)
        if unit:
            self.view.select(unit.start, unit.end)
            self.set_focus(self.view)

    # --- the code chooser --------------------------------------------------------------------

    @property
    def chooser(self) -> CodeChooser:
        return self.query_one(CodeChooser)

    def _choose_code(self, title: str, then: Callable[[str], None], span: tuple[int, int] | None = None) -> None:
        """Open the chooser, with the words of ``span`` (the ones being coded) under its title;
        ``then`` gets the chosen code id (nothing happens on Escape). The focus stays where it is:
        :meth:`on_key` hands the chooser the keys typed meanwhile."""
        if self._recent is None:
            self._recent = self.app.project.recent_codes(self.app.coder)
        self._picked = then
        if self.has_class("-narrow"):
            # The chooser spans the screen: the units under the transcript give it their rows
            # meanwhile, and it opens at the bottom, or at the top if the words being coded are in
            # the lower half of the transcript.
            layout, view = self.view.layout_, self.view
            middle = (layout.row_of(span[0]) + layout.row_of(max(span[0], span[1] - 1))) / 2 if layout and span else 0
            self.chooser.set_class(middle - view.scroll_offset.y > (self.size.height - 3) / 2, "-top")
            self.add_class("-choosing")
        self.chooser.open(self.codebook, self._recent, title, self.text[span[0]:span[1]] if span else "")

    def on_key(self, event: Key) -> None:
        """While the chooser is open every key goes to it (keys reach the screen before the
        bindings; stopping them here keeps the transcript's and the screen's keys quiet)."""
        if self.chooser.is_open:
            event.stop()
            event.prevent_default()
            self.chooser.take_key(event)

    def on_code_chooser_chosen(self, message: CodeChooser.Chosen) -> None:
        message.stop()
        then, self._picked = self._picked, None
        self.chooser.close()
        if self.has_class("-choosing"):
            self.remove_class("-choosing")
        if not self.view.has_focus:  # (a click into the chooser took it)
            self.set_focus(self.view)
        if then is not None and message.code_id is not None:
            then(message.code_id)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        chooser = self.chooser
        if chooser.is_open and chooser not in event.widget.ancestors_with_self:
            chooser.action_cancel()  # the user went elsewhere (a click): as Escape

    # --- coding ------------------------------------------------------------------------------

    def _save(self, label: str, change: Callable[[], Coding | None]) -> Coding | bool:
        """Run one store change; say it is saved, or explain the user's (or the disk's) problem."""
        try:
            result = change()
        except UserError as exc:
            self.app.report(exc)
            return False
        self.app.saved(label)
        return result if result is not None else True

    def action_code_selection(self) -> None:
        selection = self.view.selection
        if selection is None:
            self.notify("Select a span first: shift+arrows, W/>/} to extend, x sentence, t turn, or the mouse.")
            return
        start, end = trim_span(self.text, *selection)

        def chosen(code_id: str) -> None:
            coding = self._save(f"coded {code_id}",
                                lambda: self.app.project.add_coding(self.tid, start, end, code_id, self.app.coder))
            if isinstance(coding, Coding):
                self._coded(coding.code)
                self._add_unit(coding)
                self.settle_suggestions(start, end, coding.code)

        self._choose_code("Code the selection", chosen, (start, end))

    def _need_unit(self) -> MeaningUnit | None:
        unit = self._unit(self.current)
        if unit is None:
            self.notify("No meaning unit here: move into one (j / k) or pick it in the list.")
        elif unit.coder != self.app.coder:
            self.notify(f"That unit is {unit.coder}'s; you can change only your own.", severity="warning")
            return None
        return unit

    def _update(self, unit: MeaningUnit, label: str, **fields: object) -> None:
        coding = self._save(label, lambda: self.app.project.update_coding(unit.id, coder=self.app.coder, **fields))
        if isinstance(coding, Coding):
            self._changed_unit(coding)

    def action_edit_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return

        def edited(result: UnitEdit | None) -> None:
            if result is not None:
                self._update(unit, f"unit {unit.id} condensed meaning and memo",
                             condensed=result.condensed, memo=result.memo)

        heading = f"Unit {unit.id} · {' › '.join(unit.code_path)}"
        self.app.push_screen(UnitEditor(heading, unit.text, unit.condensed, unit.memo), edited)

    def action_recode_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return

        def chosen(code_id: str) -> None:
            self._coded(code_id)
            self._update(unit, f"unit {unit.id} now {code_id}", code=code_id)

        self._choose_code(f"Change the code of unit {unit.id}", chosen, (unit.start, unit.end))

    def action_adjust_unit(self) -> None:
        unit = self._need_unit()
        selection = self.view.selection
        if unit is None:
            return
        if selection is None:
            self.notify("Select the new extent of the unit first, then press a.")
            return
        start, end = trim_span(self.text, *selection)
        self._update(unit, f"unit {unit.id} now {start}-{end}", start=start, end=end)

    def action_delete_unit(self) -> None:
        unit = self._need_unit()
        if unit is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes and self._save(f"deleted unit {unit.id} (ctrl+z brings it back)",
                                  lambda: self.app.project.delete_coding(unit.id, coder=self.app.coder)):
                self._drop_unit(unit.id)

        self.app.push_screen(Confirm(f"Delete unit {unit.id} ({unit.code}): «{unit.text[:80]}»?"), confirmed)

    def action_star_unit(self) -> None:
        unit = self._need_unit()
        if unit is not None:
            star = not unit.starred
            self._update(unit, f"unit {unit.id} {'starred as a quote' if star else 'unstarred'}", starred=star)

    # --- moving around -----------------------------------------------------------------------

    def action_next_unit(self, direction: int) -> None:
        if not self.units:
            self.notify("No meaning units in this transcript yet.")
            return
        starts = [u.start for u in self.units]
        cursor = self.view.cursor
        if direction > 0:
            i = bisect_right(starts, cursor)
            unit = self.units[i] if i < len(self.units) else self.units[0]
        else:
            i = bisect_right(starts, cursor - 1) - 1
            current = self._unit(self.current)
            if current and current.start <= cursor and i >= 0 and self.units[i].id == current.id:
                i -= 1
            unit = self.units[i] if i >= 0 else self.units[-1]
        self._jump_to(unit)

    def _jump_to(self, unit: MeaningUnit) -> None:
        self.current = unit.id
        self.view.go_to(unit.start, center=True)
        self._set_current(unit.id)

    def action_next_uncoded(self) -> None:
        mine = [(u.start, u.end) for u in self.units if u.coder == self.app.coder]
        layout = self.view.layout_
        index = (layout.turn_at(self.view.cursor) if layout else None) or 0
        order = list(range(index + 1, len(self.turns))) + list(range(0, index + 1))
        for i in order:
            turn = self.turns[i]
            if turn.speaker is None or (turn.role or "").casefold() in MODERATOR_ROLES:
                continue
            if not any(s < turn.end and turn.start < e for s, e in mine):
                self.view.go_to(turn.start, center=True)
                self.app.say(f"turn {i}: not coded yet", self)
                return
        self.notify("Every participant turn has at least one of your units.")

    def action_follow_code(self) -> None:
        def chosen(code_id: str) -> None:
            self.follow = code_id
            self.action_follow_again()

        self._choose_code("Jump to the next unit of which code?", chosen)

    def action_follow_again(self) -> None:
        if self.follow is None:
            self.action_follow_code()
            return
        family = {self.follow, *(d.id for d in self.codebook.descendants(self.follow))}
        hits = [u for u in self.units if u.code in family]
        if not hits:
            self.notify(f"No unit of {self.follow} in this transcript.")
            return
        after = [u for u in hits if u.start > self.view.cursor]
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
        matches = find_in_turns(self.text, self.query_text, self.turns)
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
        self.app.say(f"match {i + 1} of {len(matches)} for «{self.query_text}»", self)

    # --- other -------------------------------------------------------------------------------

    def action_toggle_others(self) -> None:
        self.show_others = not self.show_others
        self._show_units(self._read_units())
        self.notify("Showing all coders' units" if self.show_others else "Showing only your units (blind)")

    def action_memos(self) -> None:
        self.post_message(OpenMemos("transcript", self.tid))

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("visible"):
            search.remove_class("visible")
            self.view.focus()
            return
        self.app.pop_screen()

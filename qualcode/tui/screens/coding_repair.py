"""The coding screen's transcript repairs, on the turn under the cursor: split it at the cursor
(``S``), merge it with the next (``M``), drop it (``X``), correct its words (``E``), and say who
speaks in it, or in every turn the selection touches (``A``); ``U`` walks the turns without a
speaker and ``L`` opens the speakers panel.

Each repair is one :class:`~qualcode.store.Project` call (:mod:`qualcode.store.repair`), one
undoable action: ctrl+z takes it back exactly, and every meaning unit stays on its words. After
it the screen re-reads this one transcript (:meth:`TurnRepairs.show_transcript_as_stored`): a
new speaker or role only repaints the headers, anything that moves text lays the transcript out
anew with the cursor on the same words, on the same row of the screen. Undo (and changes saved by
another qualcode) come through the same method from the screen's ``reload``.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from ...core.codebook import Codebook
from ...core.errors import UserError
from ...core.models import Transcript, Turn
from ..navigation import OpenSpeakers
from ..text import find_in_turns, follow_offset, plural, shorten
from ..units import UnitMaker
from ..widgets.status_bar import StatusBar
from ..workers import Job, screen_worker
from .coding_nlp import NlpAssist
from .dialogs import Confirm, SpeakerChoice, SpeakerChooser, TurnEditor

SAME = ":same"  # the split's "same speaker" (a label cannot hold a colon)
UNDO_HINT = "ctrl+z undoes it"


class TurnRepairs(NlpAssist):
    """The base of :class:`~qualcode.tui.screens.coding.CodingScreen` for repairs of turns."""

    BINDINGS = [
        Binding("S", "split_turn", "Split turn", id="coding.split_turn", key_display="S", show=False,
                tooltip="Split the turn under the cursor where the cursor's word begins; say who speaks from there"),
        Binding("M", "merge_turn", "Merge with next turn", id="coding.merge_turn", key_display="M", show=False,
                tooltip="One turn of this turn and the next (by this turn's speaker)"),
        Binding("X", "drop_turn", "Drop turn", id="coding.drop_turn", key_display="X", show=False,
                tooltip="Take the turn under the cursor out of the transcript (asks first)"),
        Binding("E", "correct_turn", "Correct turn", id="coding.correct_turn", key_display="E", show=False,
                tooltip="Correct the words of the turn under the cursor (ctrl+s saves)"),
        Binding("A", "attribute", "Speaker of turn", id="coding.speaker", key_display="A", show=False,
                tooltip="Who speaks in the turn under the cursor, or in every turn the selection touches"),
        Binding("U", "next_unattributed", "Next turn without speaker", id="coding.next_unattributed",
                key_display="U", show=False),
        Binding("L", "speakers", "Speakers", id="coding.speakers", key_display="L", show=False,
                tooltip="The speakers panel: rename or merge labels, set roles"),
    ]

    transcript: Transcript
    turns: list[Turn]
    query_text: str
    show_others: bool
    make_unit: UnitMaker
    codebook: Codebook
    _own_changes_seen = 0  # the app's own_changes when this screen last showed the transcript

    def _show_as_stored(self) -> None:
        raise NotImplementedError  # the coding screen's: units re-read and shown

    # --- re-reading the transcript ------------------------------------------------------------

    def show_transcript_as_stored(self) -> bool:
        """Re-read the transcript's text and turns and show what changed, the cursor on the same
        words; True if anything did. Units are the caller's to re-read."""
        project = self.app.project
        transcript, text, turns = project.transcript(self.tid), project.text(self.tid), project.turns(self.tid)
        self._own_changes_seen = self.app.own_changes
        if text == self.text and turns == self.turns and transcript == self.transcript:
            return False
        view = self.view
        if text == self.text and [(t.start, t.end) for t in turns] == [(t.start, t.end) for t in self.turns]:
            view.set_turns(turns)  # speakers or roles only: the headers change, the layout stays
        else:
            cursor = follow_offset(self.text, self.turns, text, turns, view.cursor)
            view.reload(text, turns, cursor)
            view.set_matches(find_in_turns(text, self.query_text, turns) if self.query_text else [])
            self.suggestions, self.suggested_span, self.proposals = [], None, []
        self.transcript, self.text, self.turns = transcript, text, turns
        self.make_unit = UnitMaker(transcript, text, turns, self.codebook)
        self.title = f"{transcript.id} {transcript.title}"
        self.query_one(StatusBar).set_where(self.title)
        return True

    def _changed_here(self) -> bool:
        """Whether this workbench changed the project (an undo, a redo, a repair on another screen)
        since the transcript was last shown."""
        return self.app.own_changes != self._own_changes_seen

    def _repair(self, label: str, change: Callable[[], object]) -> bool:
        """Run one repair; show the transcript and units as stored and say so, or explain."""
        try:
            change()
        except UserError as exc:
            self.app.report(exc)
            return False
        self.show_transcript_as_stored()
        self._show_as_stored()
        self.app.saved(f"{label} ({UNDO_HINT})")
        return True

    # --- where ------------------------------------------------------------------------------

    def _turn_here(self) -> Turn | None:
        layout = self.view.layout_
        index = layout.turn_at(self.view.cursor) if layout is not None else None
        if index is None:
            self.notify("This transcript has no turns.")
            return None
        return self.turns[index]

    def _turns_touched(self) -> list[Turn]:
        """The turns the selection touches, or the turn under the cursor."""
        layout, selection = self.view.layout_, self.view.selection
        if layout is None or not self.turns:
            return []
        if selection is None:
            here = layout.turn_at(self.view.cursor)
            return [] if here is None else [self.turns[here]]
        first, last = layout.turn_at(selection[0]) or 0, layout.turn_at(max(selection[0], selection[1] - 1)) or 0
        return self.turns[first:last + 1]

    def _split_at(self, turn: Turn) -> int | None:
        """Where the word under the cursor begins, in characters into ``turn``; None at the
        turn's first or past its last word."""
        text, at = self.text, self.view.cursor
        if at < turn.end and text[at].isspace():
            while at < turn.end and text[at].isspace():
                at += 1
        else:
            while at > turn.start and not text[at - 1].isspace():
                at -= 1
        return at - turn.start if turn.start < at < turn.end else None

    def _speakers(self) -> list[tuple[str, str | None]]:
        return [(s.label, s.role) for s in self.app.project.speaker_summary(self.tid)]

    def show_span(self, span: tuple[int, int]) -> None:
        """Select ``span`` with the cursor at its start, in view (from the speakers panel)."""
        view = self.view
        view.select(span[1], span[0])
        view.scroll_to_cursor(center=True)
        view.focus()

    # --- the repairs --------------------------------------------------------------------------

    @screen_worker("repair")
    async def action_split_turn(self, job: Job) -> None:
        turn = self._turn_here()
        if turn is None:
            return
        at = self._split_at(turn)
        if at is None:
            self.notify("Put the cursor on the word where the second part begins (not the turn's first word).")
            return
        words = shorten(self.text[turn.start + at:turn.end], 40)
        same = SpeakerChoice(SAME, f"the same speaker ({turn.speaker or 'no speaker'})")
        speaker = await self.app.push_screen_wait(SpeakerChooser(
            f"Split turn {turn.index} before «{words}». Who speaks from there?", self._speakers(), first=same))
        if speaker is None:
            return
        project, coder = self.app.project, self.app.coder
        self._repair(f"split turn {turn.index}: «{shorten(words, 20)}» is turn {turn.index + 1}",
                     lambda: project.split_turn(self.tid, turn.index, at, speaker=None if speaker == SAME else speaker,
                                                coder=coder))

    @screen_worker("repair")
    async def action_merge_turn(self, job: Job) -> None:
        turn = self._turn_here()
        if turn is None:
            return
        if turn.index + 1 >= len(self.turns):
            self.notify(f"Turn {turn.index} is the last turn: there is no next turn to merge it with.")
            return
        following = self.turns[turn.index + 1]
        if following.speaker != turn.speaker:
            question = (f"Merge turn {turn.index} ({turn.speaker or 'no speaker'}) with turn {following.index} "
                        f"({following.speaker or 'no speaker'})?\nThe merged turn is "
                        f"{turn.speaker + chr(39) + 's' if turn.speaker else 'without a speaker'}. {UNDO_HINT}.")
            if not await self.app.push_screen_wait(Confirm(question)):
                return
        project, coder = self.app.project, self.app.coder
        self._repair(f"merged turns {turn.index} and {following.index}",
                     lambda: project.merge_turns(self.tid, turn.index, following.index, coder=coder))

    @screen_worker("repair")
    async def action_drop_turn(self, job: Job) -> None:
        turn = self._turn_here()
        if turn is None:
            return
        project, coder = self.app.project, self.app.coder
        on_it = [c for c in project.codings(transcript=self.tid) if c.start < turn.end and c.end > turn.start]
        question = (f"Drop turn {turn.index} ({turn.speaker or 'no speaker'})?\n«{shorten(turn.text, 60)}»\n"
                    "Its words leave the transcript.")
        if on_it:  # (another coder's codes stay unsaid unless shown: blind coding)
            mine = [c for c in on_it if c.coder == coder]
            others = len(on_it) - len(mine)
            shown = mine if not self.show_others else on_it
            listed = ", ".join(f"{c.id} {c.code}" + (f" [{c.coder}]" if c.coder != coder else "") for c in shown[:6])
            question += (f"\n\n{plural(len(on_it), 'unit')} on it will be deleted too"
                         + (f": {listed}" if listed else "") + (" …" if len(shown) > 6 else "")
                         + (f"\n({others} of them another coder's)" if others else ""))
        question += f"\n{UNDO_HINT}."
        if not await self.app.push_screen_wait(Confirm(question)):
            return
        deleted: list[int] = []
        if not self._repair(f"dropped turn {turn.index}", lambda: deleted.extend(
                project.drop_turn(self.tid, turn.index, force=bool(on_it), coder=coder))):
            return
        if turn.index < len(self.turns):  # the cursor to the turn that follows (its words are gone)
            self.view.go_to(self.turns[turn.index].start)
        if deleted:
            self.app.saved(f"dropped turn {turn.index} and {plural(len(deleted), 'unit')} "
                           f"{', '.join(map(str, deleted))} ({UNDO_HINT})")

    @screen_worker("repair")
    async def action_correct_turn(self, job: Job) -> None:
        turn = self._turn_here()
        if turn is None:
            return
        heading = f"Correct the words of turn {turn.index} ({turn.speaker or 'no speaker'})"
        words = await self.app.push_screen_wait(TurnEditor(heading, turn.text))
        if words is None:
            return
        if words.strip() == turn.text.strip():
            self.notify("The words are as they were: nothing changed.")
            return
        project, coder = self.app.project, self.app.coder
        self._repair(f"corrected turn {turn.index}",
                     lambda: project.edit_turn(self.tid, turn.index, words, coder=coder))

    @screen_worker("repair")
    async def action_attribute(self, job: Job) -> None:
        turns = self._turns_touched()
        if not turns:
            self.notify("This transcript has no turns.")
            return
        which = f"turn {turns[0].index}" if len(turns) == 1 else f"turns {turns[0].index}-{turns[-1].index}"
        speakers = {t.speaker for t in turns}
        current = next(iter(speakers)) if len(speakers) == 1 else None
        speaker = await self.app.push_screen_wait(
            SpeakerChooser(f"Who speaks in {which}?", self._speakers(), current=current))
        if speaker is None:
            return
        if speaker == current:
            self.notify(f"{which.capitalize()} is {speaker}'s already.")
            return
        project, coder, indexes = self.app.project, self.app.coder, [t.index for t in turns]
        self._repair(f"{which} → {speaker}",
                     lambda: project.set_turn_speaker(self.tid, indexes, speaker, coder=coder))

    # --- finding speakers -------------------------------------------------------------------

    def action_next_unattributed(self) -> None:
        loose = [t for t in self.turns if t.speaker is None]
        if not loose:
            self.notify("Every turn has a speaker.")
            return
        layout = self.view.layout_
        here = (layout.turn_at(self.view.cursor) if layout is not None else None) or 0
        after = [t for t in loose if t.index > here]
        turn = (after or loose)[0]
        self.show_span((turn.start, turn.end))
        self.app.say(f"turn {turn.index}: no speaker ({plural(len(loose), 'turn')} without one); A says who speaks",
                     self)

    def action_speakers(self) -> None:
        self.post_message(OpenSpeakers(self.tid))

"""The coding screen's NLP assistance: codes suggested for a span (``i``, accepted with 1-5) and
meaning units proposed at sentence boundaries (``P``, walked with ``p``).

The model is loaded and the transcript analysed (once; the project caches it) in a thread
worker (:func:`~qualcode.tui.workers.screen_worker`) that posts its progress and its result
back as messages; errors go the way of every worker's (a notification).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import ProgressBar, Static

from ...core.errors import UserError
from ...core.models import Coding
from ...core.units import MeaningUnit
from ...nlp.defaults import WEAK_MARK
from ..base import WorkbenchScreen
from ..text import plural, shorten, trim_span
from ..widgets.nlp_status import AnalysisProgress
from ..widgets.transcript_view import TranscriptView
from ..workers import Job, WorkFailed, screen_worker

if TYPE_CHECKING:
    from ...nlp.proposals import Proposal
    from ...nlp.suggest import Suggestion


class NlpAssist(WorkbenchScreen[None]):
    """The base of :class:`~qualcode.tui.screens.coding.CodingScreen` (its keys are there), which
    gives it the transcript, the units and the way to save a coding."""

    tid: str
    text: str
    units: list[MeaningUnit]
    current: int | None

    @dataclass
    class Suggested(Message):
        """Codes for ``span``, best first, and what basic mode leaves out (``notice``)."""

        span: tuple[int, int]
        suggestions: list[Suggestion]
        notice: str

    @dataclass
    class Proposed(Message):
        """Proposed meaning units of the transcript, in text order."""

        proposals: list[Proposal]
        notice: str

    def __init__(self) -> None:
        super().__init__()
        self.suggestions: list[Suggestion] = []
        self.suggested_span: tuple[int, int] | None = None
        self.decided: set[str] = set()  # codes of the shown suggestions already taken or passed over
        self.proposals: list[Proposal] = []

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def _screen(self) -> NlpAssist:
        return self

    def _unit(self, unit_id: int | None) -> MeaningUnit | None:
        raise NotImplementedError  # the coding screen's

    def _save(self, label: str, change: Callable[[], Coding | None]) -> Coding | bool:
        raise NotImplementedError

    def _coded(self, code_id: str) -> None:
        raise NotImplementedError

    def _add_unit(self, coding: Coding) -> MeaningUnit:
        raise NotImplementedError

    def _span_to_suggest(self) -> tuple[int, int] | None:
        screen = self._screen
        view = screen.view
        if view.selection is not None:
            return trim_span(screen.text, *view.selection)
        unit = screen._unit(screen.current)
        if unit is not None and unit.start <= view.cursor < unit.end:
            return unit.start, unit.end
        if view.layout_ is None:
            return None
        return view.layout_.sentence_bounds(view.cursor)

    def action_suggest(self) -> None:
        span = self._span_to_suggest()
        screen = self._screen
        if span is None or span[0] >= span[1]:
            screen.notify("Nothing to suggest codes for here.")
            return
        screen.query_one("#suggestions", Static).update("Suggesting codes…")
        self._nlp(self.app.project_path, self.tid, span=span, coder=self.app.coder)

    def action_propose(self) -> None:
        self._screen.query_one("#suggestions", Static).update("Proposing meaning units…")
        self._nlp(self.app.project_path, self.tid, propose=True)

    @screen_worker("nlp")
    def _nlp(self, job: Job, path: str | Path, tid: str, span: tuple[int, int] | None = None,
             propose: bool = False, coder: str | None = None) -> None:
        """Analyse this transcript once (cached in the project), then suggest (learning from
        ``coder``'s own units and decisions) or propose."""
        from ...nlp.analysis import analyse
        from ...nlp.model import load_pipeline
        from ...store import Project

        def progress(done: int, total: int) -> None:
            job.post(AnalysisProgress(done, total))

        pipeline = load_pipeline()
        progress(0, 1)
        analyse(path, [tid], pipeline=pipeline, should_stop=job.should_stop, progress=progress)
        notice = pipeline.notice() if pipeline.basic else ""
        with Project.open(path, backup=False) as project:
            if propose:
                from ...nlp.proposals import propose_units

                job.post(self.Proposed(propose_units(project, tid, pipeline=pipeline), notice))
            elif span is not None:
                from ...nlp.suggest import suggest_codes

                job.post(self.Suggested(span, suggest_codes(project, tid, span[0], span[1], top=5,
                                                            pipeline=pipeline, coder=coder), notice))

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        bar = self._screen.query_one("#nlp-progress", ProgressBar)
        bar.display = message.done < message.total
        bar.update(total=max(message.total, 1), progress=message.done)

    def on_work_failed(self, message: WorkFailed) -> None:
        """(the app says what went wrong; here the panel is tidied)"""
        if message.group == "nlp":
            self._screen.query_one("#nlp-progress", ProgressBar).display = False
            self._screen.query_one("#suggestions", Static).update("")
            self._screen.remove_class("-suggesting")

    def on_nlp_assist_suggested(self, message: Suggested) -> None:
        screen = self._screen
        screen.query_one("#nlp-progress", ProgressBar).display = False
        span, suggestions = message.span, message.suggestions
        self.suggestions, self.suggested_span, self.decided = suggestions, span, set()
        quote = screen.text[span[0]:span[1]].replace("\n", " ")
        lines = [f"Suggestions for «{quote[:50]}{'…' if len(quote) > 50 else ''}»"]
        if message.notice:
            lines.append(message.notice)
        if not suggestions:
            lines.append("  none: no keyword or coded unit is like this text")
        for n, suggestion in enumerate(suggestions, 1):
            lines.append(f"[{n}] {suggestion.score:.2f} {suggestion.code}  {suggestion.name}"
                         + (f"  {WEAK_MARK}" if suggestion.weak else ""))
            lines.append(f"    {suggestion.explain()}")
        if suggestions:
            lines.append("1-5 codes the span with that code")
        screen.query_one("#suggestions", Static).update("\n".join(lines))
        screen.set_class(bool(suggestions), "-suggesting")

    def action_accept_suggestion(self, n: int) -> None:
        screen = self._screen
        if self.suggested_span is None:
            screen.notify("No suggestions yet: press i for codes for the selection or the sentence here.")
            return
        if not self.suggestions:
            start, end = self.suggested_span
            screen.notify(f"No code was suggested for «{shorten(screen.text[start:end], 40)}»: choose one with c.")
            return
        if n > len(self.suggestions):
            screen.notify(f"There {'is' if len(self.suggestions) == 1 else 'are'} only "
                          f"{plural(len(self.suggestions), 'suggestion')}.")
            return
        start, end = self.suggested_span
        if not self.suggestions_here():  # the coder moved on: never code a span out of sight
            screen.notify(f"These suggestions are for «{shorten(screen.text[start:end], 40)}», not here: "
                          "press i for codes here.")
            return
        code = self.suggestions[n - 1].code
        coding = screen._save(f"coded {code} (suggestion {n})",
                              lambda: screen.app.project.add_coding(screen.tid, start, end, code, screen.app.coder,
                                                                    origin="suggestion"))
        if isinstance(coding, Coding):
            screen._coded(coding.code)
            screen._add_unit(coding)
            self.settle_suggestions(start, end, code)

    def suggestions_here(self) -> bool:
        """Whether the shown suggestions are for where the coder is: the cursor in their span,
        or a selection overlapping it."""
        if self.suggested_span is None:
            return False
        start, end = self.suggested_span
        view = self._screen.view
        if view.selection is not None:
            return view.selection[0] < end and start < view.selection[1]
        return start <= view.cursor <= end

    def mark_suggestions(self) -> None:
        """The panel's first line says when its suggestions are for another place than the cursor's."""
        here = self.suggestions_here()
        self._screen.set_class(bool(self.suggestions) and here, "-suggesting")  # they take a small panel
        if self.suggested_span is None or not self.suggestions:
            return
        panel = self._screen.query_one("#suggestions", Static)
        lines = str(panel.render()).split("\n")
        stale = " (not here: press i for codes here)"
        first = lines[0].removesuffix(stale)
        lines[0] = first if here else first + stale
        panel.update("\n".join(lines))

    def settle_suggestions(self, start: int, end: int, code: str | None) -> None:
        """Record what became of the codes suggested for a span the coder has now coded with
        ``code`` (``None``: dismissed them): that code accepted, the ones shown above it (all, if
        it was not among them) rejected. Each shown code is decided once; a second code taken for
        the unit is accepted without rejecting the first."""
        span = self.suggested_span
        if not self.suggestions or span is None or not (start < span[1] and span[0] < end):
            return
        codes = [s.code for s in self.suggestions]
        if code is not None and code in self.decided:
            return
        shown = self.suggestions[:codes.index(code) + 1] if code in codes else self.suggestions
        decisions = [(s.code, rank, s.score, "accepted" if s.code == code else "rejected")
                     for rank, s in enumerate(shown, 1) if s.code not in self.decided]
        self.decided.update(d[0] for d in decisions)
        try:
            self._screen.app.project.record_suggestions(self._screen.tid, span[0], span[1],
                                                        self._screen.app.coder, decisions)
        except UserError as exc:  # a record for the methods section: say it, never stop the coding
            self._screen.app.report(exc)

    def on_nlp_assist_proposed(self, message: Proposed) -> None:
        screen = self._screen
        screen.query_one("#nlp-progress", ProgressBar).display = False
        self.proposals = message.proposals
        open_ones = [p for p in self.proposals if not p.coded]
        text = (f"{plural(len(self.proposals), 'proposed meaning unit')}, {len(open_ones)} not coded yet"
                + (": p selects the next" if open_ones else ""))
        screen.query_one("#suggestions", Static).update("\n".join(x for x in (text, message.notice) if x))
        if open_ones:
            self.action_next_proposal()

    def action_next_proposal(self) -> None:
        screen = self._screen
        if not self.proposals:
            self.action_propose()
            return
        mine = [(u.start, u.end) for u in screen.units if u.coder == screen.app.coder]
        uncoded = [p for p in self.proposals if not any(s < p.end and p.start < e for s, e in mine)]
        if not uncoded:
            screen.notify("Every proposed unit overlaps one of your units.")
            return
        after = [p for p in uncoded if p.start > screen.view.cursor]
        proposal = (after or uncoded)[0]
        screen.view.select(proposal.start, proposal.end)
        screen.view.scroll_to_cursor(center=True)
        self.action_suggest()

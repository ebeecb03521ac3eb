"""What the NLP screens say while they work: which model (or basic mode), and how far the first
analysis of the transcripts has come.

Loading spaCy and analysing a study the first time take seconds to minutes, so the screens do
both in a thread worker (:func:`prepare`) that only posts messages; the screen hands them to
this widget. The messages go to one queue, the screen's, so they arrive in the order they were
sent, and a flood of progress messages collapses into the newest (``can_replace``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import ProgressBar, Static

if TYPE_CHECKING:
    from ...nlp.model import Pipeline
    from ...store import Project


@dataclass
class ModelReady(Message):
    """The pipeline is loaded: its label, and in basic mode the notice that says what is missing."""

    label: str
    basic: bool
    notice: str | None


@dataclass
class AnalysisProgress(Message):
    """Words of turn text analysed so far (transcripts already in the cache count at once)."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgress)


def prepare(target: MessagePump, project: Project, model: str | None,
            should_stop: Callable[[], bool]) -> Pipeline:
    """In a worker thread: load the pipeline and analyse what the cache does not hold yet,
    posting :class:`ModelReady` and :class:`AnalysisProgress` to ``target``. ``project`` must be
    the worker's own connection (SQLite connections stay on their thread)."""
    from ...nlp.analysis import analyse
    from ...nlp.model import load_pipeline

    pipeline = load_pipeline(model)
    target.post_message(ModelReady(pipeline.label, pipeline.basic, pipeline.notice() if pipeline.basic else None))

    def progress(done: int, total: int) -> None:
        target.post_message(AnalysisProgress(done, total))

    analyse(project, None, pipeline=pipeline, should_stop=should_stop, progress=progress)
    return pipeline


class NlpStatus(Vertical):
    """One line for the model, and a progress bar shown only while the transcripts are analysed."""

    DEFAULT_CSS = """
    NlpStatus { height: auto; padding: 0 1; }
    NlpStatus #nlp-model { height: auto; color: $text-muted; }
    NlpStatus #nlp-model.basic { color: $text-warning; }
    NlpStatus #nlp-progress { display: none; height: 1; }
    NlpStatus #nlp-progress.busy { display: block; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model_label: str | None = None
        self.basic = False

    def compose(self) -> ComposeResult:
        yield Static("", id="nlp-model", markup=False)
        yield ProgressBar(id="nlp-progress", show_eta=False)

    @property
    def line(self) -> str:
        """The model line as shown (for tests and the status of the screen)."""
        return str(self.query_one("#nlp-model", Static).render())

    def starting(self) -> None:
        if self.model_label is None:
            self._say(Text("loading the language model (the first time takes a few seconds)…"), basic=False)
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one(ProgressBar).add_class("busy")

    def model_ready(self, message: ModelReady) -> None:
        self.model_label, self.basic = message.label, message.basic
        if message.basic:
            notice = (message.notice or message.label).removeprefix("qualcode: ")
            self._say(Text(notice), basic=True)
        else:
            self._say(Text(f"language model: {message.label} (lemmas and name recognition)"), basic=False)

    def progress(self, message: AnalysisProgress) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)

    def idle(self) -> None:
        self.query_one(ProgressBar).remove_class("busy")

    def failed(self, why: str) -> None:
        self.idle()
        self._say(Text(why, style="bold"), basic=True)

    def _say(self, text: Text, *, basic: bool) -> None:
        line = self.query_one("#nlp-model", Static)
        line.update(text)
        line.set_class(basic, "basic")

"""One way for a screen to run work off its key handlers: :func:`screen_worker`.

A decorated method runs as a Textual worker of its screen and gets a :class:`Job` as its first
argument. A *plain* method runs in a thread: it opens its own project handle (which shares the
process's connection, see :mod:`qualcode.store.connection`), never touches widgets, and sends
what it found back as messages with :meth:`Job.post`, which drops them once the work was
cancelled (a newer search replaced it, the screen closed). An ``async`` method runs on the
screen's own loop: the dialog flows that ``await push_screen_wait(...)`` one question after
another.

Errors are handled in one place. A :class:`~qualcode.core.errors.UserError` (a model that
cannot be loaded, a busy or full disk) or a bug is posted as :class:`WorkFailed` to the screen,
which may tidy its own widgets (a loading table) and lets the message bubble on to the app: the
app says it in a notification, or closes the workbench with one line on a fatal storage error
(:meth:`qualcode.tui.app.QualcodeApp.report`). A worker never takes the app down with a
traceback.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from ..core.errors import StorageError

P = ParamSpec("P")
S = TypeVar("S", bound=DOMNode)


@dataclass
class WorkFailed(Message):
    """A worker of ``group`` ended on ``error``; posted to the screen that started it."""

    group: str
    error: BaseException
    worker: Worker[Any] | None = None

    @property
    def fatal(self) -> bool:
        return isinstance(self.error, StorageError) and self.error.fatal


class Job:
    """What a worker method gets: where its messages go, and whether it should stop."""

    def __init__(self, target: MessagePump, worker: Worker[Any] | None):
        self.target = target
        self.worker = worker

    @property
    def cancelled(self) -> bool:
        return self.worker is not None and self.worker.is_cancelled

    def should_stop(self) -> bool:
        """For long loops (``analyse(..., should_stop=job.should_stop)``)."""
        return self.cancelled

    def post(self, message: Message) -> bool:
        """Send ``message`` to the screen, unless the work was cancelled meanwhile."""
        if self.cancelled:
            return False
        return self.target.post_message(message)

    def failed(self, group: str, error: BaseException) -> None:
        # A fatal storage error is said even by a cancelled worker: nothing more can be saved.
        if not self.cancelled or (isinstance(error, StorageError) and error.fatal):
            self.target.post_message(WorkFailed(group, error, self.worker))


def screen_worker(
    group: str, *, exclusive: bool = True
) -> Callable[[Callable[Concatenate[S, Job, P], Any]], Callable[Concatenate[S, P], Worker[None]]]:
    """Run the decorated method as a worker in ``group`` (a new one cancels the running one when
    ``exclusive``); a plain method in a thread, an ``async`` one on the screen's loop. Calling the
    method starts the worker and returns it; the method itself receives a :class:`Job` first."""

    def decorate(method: Callable[Concatenate[S, Job, P], Any]) -> Callable[Concatenate[S, P], Worker[None]]:
        is_async = inspect.iscoroutinefunction(method)

        @functools.wraps(method)
        def start(self: S, *args: P.args, **kwargs: P.kwargs) -> Worker[None]:
            if is_async:
                async def run_async() -> None:
                    job = Job(self, get_current_worker())
                    try:
                        await method(self, job, *args, **kwargs)
                    except Exception as exc:
                        job.failed(group, exc)

                return self.run_worker(run_async, name=method.__name__, group=group, exclusive=exclusive,
                                       exit_on_error=False)

            def run_thread() -> None:
                job = Job(self, get_current_worker())
                try:
                    method(self, job, *args, **kwargs)
                except Exception as exc:
                    job.failed(group, exc)

            return self.run_worker(run_thread, name=method.__name__, group=group, exclusive=exclusive,
                                   thread=True, exit_on_error=False)

        return start

    return decorate

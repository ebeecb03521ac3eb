"""Where a screen wants to go, as messages: a screen posts one and the app pushes the screen.

Screens do not import one another to move between them (the codebook does not know the units
screen, the units screen does not know the coding screen); they post these and the app, which
knows every screen, handles them (:class:`~qualcode.tui.app.QualcodeApp`). The messages bubble
from the screen that posts them up to the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenTranscript(Message):
    """The coding screen on transcript ``tid``, with ``goto`` (start, end) selected if given."""

    tid: str
    goto: tuple[int, int] | None = None


@dataclass
class OpenUnitsOfCode(Message):
    """Every meaning unit of a code (None: ask which code first)."""

    code_id: str | None = None


@dataclass
class OpenMemos(Message):
    """The memos on the project (the journal), a transcript, a code or a meaning unit."""

    target_type: str = "project"
    target_id: str | None = None


@dataclass
class OpenCodebook(Message):
    """The codebook, with ``highlight`` highlighted if given."""

    highlight: str | None = None


@dataclass
class OpenKwic(Message):
    """Keyword in context, searching ``query`` at once if given."""

    query: str = ""


@dataclass
class OpenNames(Message):
    """The review of names to hide."""


@dataclass
class OpenReconcile(Message):
    """Reconciling the units of two coders."""

    coders: tuple[str, str]


@dataclass
class OpenSpeakers(Message):
    """The speakers of transcript ``tid``: labels, names and roles, and turns without a speaker."""

    tid: str


@dataclass
class OpenCooccurrence(Message):
    """The codes coded together with ``code_id``, and the passages coded with both."""

    code_id: str

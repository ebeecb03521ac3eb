"""What every screen of the workbench shares: the app as screens see it (typed), and the screen
class that gives them that view.

Screens never import the app module (the app imports them, to push them on the messages of
:mod:`.navigation`), so the app's own attributes (the open project, the coder) are declared
here for the type checker: :class:`Workbench` is what ``self.app`` is on a
:class:`WorkbenchScreen`. At run time it is Textual's ``App`` and the object is the
:class:`~qualcode.tui.app.QualcodeApp`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import getters
from textual.app import App
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from ..core.errors import UserError
    from ..store import Project
    from ..store.pg.url import ServerAddress

    class Workbench(App[object]):
        """The app as screens use it (declared for the type checker; see the module doc)."""

        project: Project
        project_path: Path | ServerAddress
        coder: str
        status_text: str
        nlp_model: str | None
        own_changes: int

        status_screen: Screen | None
        project_status: str

        def saved(self, label: str) -> None: ...
        def say(self, text: str, screen: Screen | None = None) -> None: ...
        def changed(self) -> None: ...
        def report(self, error: UserError) -> None: ...
else:
    Workbench = App

ResultType = TypeVar("ResultType")

NARROW = 100  # columns: below, side panels go under the text (the screen has the class -narrow)
SHORT = 30  # rows: below, dialogs give their text boxes fewer rows (the screen has the class -short)


class WorkbenchScreen(Screen[ResultType]):
    """A screen of the workbench: ``self.app`` is typed as :class:`Workbench`.

    ``stale``: the project changed (undo, another process) while another screen was on top;
    a screen that does not redraw each time it is shown checks it when it is shown again.
    """

    app = getters.app(Workbench)
    stale = False
    # The binding ids of the keys the footer shows first, most important first (keys.screen_keys).
    FOOTER: tuple[str, ...] = ()

    async def on_screen_suspend(self) -> None:
        """The keys panel belongs to this screen: another screen in front closes it (a dialog
        over this one, or the command palette, leaves it open)."""
        panels = self.query("KeysPanel")
        if panels and not isinstance(self.app.screen, ModalScreen):
            await panels.remove()
            self.refresh_bindings()  # (the footer says "Keys" again)

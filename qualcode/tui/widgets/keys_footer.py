"""The footer of every screen: Textual's, recomposed only when the keys it shows change.

Textual's footer builds all its key widgets anew whenever the focus moves, which costs more
than everything else a keystroke does on the coding screen. Most focus moves leave the keys as
they were; this footer compares what it would show with what it shows and rebuilds only on a
difference.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] | None = None

    def _signature(self) -> tuple[object, ...]:
        return tuple(
            (key, binding.key_display, binding.description, binding.action, binding.tooltip, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._signature()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and self._signature() == self._shown:
            return  # the same keys: nothing to rebuild
        super().bindings_changed(screen)

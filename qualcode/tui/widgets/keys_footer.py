"""The footer of every screen: one line of the screen's keys, the most important first.

A key that does not fit is left out whole, never cut: the footer shows as many keys as the width
allows, in the order of :func:`~qualcode.tui.keys.screen_keys` (the screen's ``FOOTER`` first),
and keeps the way out (Back or Quit) and ``? Keys`` at its right end at every width, so the keys
left out are one key away. A click on a key runs it, as in Textual's footer.

Textual's footer builds a widget per key anew whenever the focus moves; this one draws one line,
and only when the keys it would show, or its width, changed.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from ..keys import KEYS_ACTION, Key, screen_keys

GAP = 1  # cells between two keys
_DIM = Style(dim=True)


class KeysFooter(Widget):
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        width: 100%;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeysFooter > .keys-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFooter > .keys-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.keys: list[Key] = []
        self.placed: list[tuple[int, int, Key]] = []  # (first cell, end cell, key) of each key shown
        self._signature: tuple[object, ...] | None = None
        self._line = Text()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = [k for k in screen_keys(screen) if k.show]
        signature = (bool(screen.query("KeysPanel")), *((k.keys, k.description, k.enabled, k.action) for k in keys))
        if signature != self._signature:
            self._signature = signature
            self.keys = keys
            self._place()

    def on_resize(self, event: events.Resize) -> None:
        self._place()

    @property
    def shown(self) -> list[str]:
        """What the line says, key by key (``"c Code"``), left to right."""
        return [f"{key.key} {self._description(key)}" for _, _, key in self.placed]

    def _description(self, key: Key) -> str:
        if key.action == KEYS_ACTION and self.screen.query("KeysPanel"):
            return "Hide keys"
        return key.description

    def _place(self) -> None:
        """Choose the keys that fit, the important ones first; the way out and ``?`` at the right."""
        width = self.size.width
        cells = [(key, f" {key.key} ", self._description(key)) for key in self.keys]
        right = [c for c in cells if c[0].leaves]
        left = [c for c in cells if not c[0].leaves]
        room = width - sum(cell_len(k) + cell_len(d) + GAP for _, k, d in right)
        chosen = []
        for cell in left:
            need = cell_len(cell[1]) + cell_len(cell[2]) + GAP
            if need > room:
                break  # the rest are less important: left out whole (? lists them)
            chosen.append(cell)
            room -= need
        key_style = self.get_component_rich_style("keys-footer--key", partial=True)
        text_style = self.get_component_rich_style("keys-footer--description", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        placed = []

        def add(cell: tuple[Key, str, str]) -> None:
            start = cell_len(line.plain)
            line.append(cell[1], key_style if cell[0].enabled else key_style + _DIM)
            line.append(cell[2], text_style if cell[0].enabled else text_style + _DIM)
            placed.append((start, cell_len(line.plain), cell[0]))
            line.append(" " * GAP)

        for cell in chosen:
            add(cell)
        used = sum(cell_len(k) + cell_len(d) + GAP for _, k, d in right)
        if right and cell_len(line.plain) + used <= width:
            line.append(" " * (width - cell_len(line.plain) - used))
        for cell in right:
            if cell_len(line.plain) + cell_len(cell[1]) + cell_len(cell[2]) > width:
                break  # (a very narrow terminal: not even the way out fits)
            add(cell)
        self.placed = placed
        self._line = line
        self.refresh()

    def render(self) -> Text:
        return self._line

    async def on_click(self, event: events.Click) -> None:
        for start, end, key in self.placed:
            if start <= event.x < end:
                event.stop()
                if key.enabled:
                    await self.app.run_action(key.action, key.node)
                return



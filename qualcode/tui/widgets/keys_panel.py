"""The keys panel (``?``): every qualcode key of the screen in front, beside it.

The screen's own keys come first, then those of the part that has the focus (the transcript, the
list of units), then the keys that work everywhere; the plain moves (arrows, page up and down)
come last. Textual's generic keys (a table's cursor keys, focus next) are left out: they are the
same everywhere and drowned qualcode's. ``?`` or Escape closes the panel, and it belongs to its
screen: it closes when another screen comes in front (:meth:`WorkbenchScreen.on_screen_suspend
<qualcode.tui.base.WorkbenchScreen.on_screen_suspend>`).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from ..keys import APP, KEYS_ACTION, SCREEN, WIDGET, Key, screen_keys

EVERYWHERE = [("^p", "Commands: every action by name")]


class KeysPanel(Widget):
    # Beside the screen's widgets on a narrow screen (they get narrower); over the right of a wide
    # one, the side panel, so the transcript keeps its width (styles/app.tcss).
    DEFAULT_CSS = """
    KeysPanel {
        layer: overlay;
        dock: right;
        margin: 1 0 2 0;
        width: 33%;
        min-width: 30;
        max-width: 56;
        height: 100%;
        border-left: vkey $foreground 30%;
        background: $surface;
        padding: 0 1;
    }
    KeysPanel VerticalScroll { height: 1fr; scrollbar-size-vertical: 1; }
    KeysPanel Static { width: 100%; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.plain = ""  # what the panel says, as plain text, a line per key

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="keys-panel-text")

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.query_one("#keys-panel-text", Static).update(self.describe(screen_keys(screen)))

    def describe(self, keys: list[Key]) -> Group:
        """The sections of the panel, each a grid of keys and what they do (the description
        wraps under itself, the keys stay in their column)."""
        own: list[tuple[str, str]] = []
        widgets: dict[int, tuple[str, list[tuple[str, str]]]] = {}
        everywhere: list[tuple[str, str]] = []
        moves: list[tuple[str, str]] = []
        for key in keys:
            if not key.description:
                continue
            row = (" ".join(key.keys), key.description)
            if key.place == SCREEN:
                own.append(row)
            elif key.place == WIDGET and key.binding_id is None:  # the plain moves (arrows, pages): last
                moves.append(row)
            elif key.place == WIDGET:
                title = getattr(key.node, "KEYS_TITLE", "Where the focus is")
                widgets.setdefault(id(key.node), (title, []))[1].append(row)
            elif key.place == APP:
                everywhere.append((row[0], "Close this panel" if key.action == KEYS_ACTION else row[1]))
        everywhere += EVERYWHERE
        sections = [("This screen", _runs(own)), *((t, _runs(rows)) for t, rows in widgets.values()),
                    ("Everywhere", everywhere), ("Moving", moves)]
        parts: list[RenderableType] = []
        plain: list[str] = []
        for title, rows in sections:
            if not rows:
                continue
            parts.append(Text(title, style="bold underline"))
            plain.append(title)
            grid = Table.grid(padding=(0, 1))
            grid.add_column(justify="right", no_wrap=True, style="bold")
            grid.add_column(ratio=1)
            for shown, description in rows:
                grid.add_row(Text(shown), Text(description))  # (descriptions are plain text)
                plain.append(f"{shown} {description}")
            parts += [grid, Text("")]
        parts.append(Text("? or Escape closes this panel", style="dim"))
        plain.append("? or Escape closes this panel")
        self.plain = "\n".join(plain)
        return Group(*parts)


def _runs(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``1 Accept suggestion 1`` … ``5 Accept suggestion 5`` as one row: ``1-5 Accept suggestion 1-5``."""
    out: list[tuple[str, str]] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if len(run) > 2:
            first, last = run[0][0], run[-1][0]
            out.append((f"{first}-{last}", f"{run[0][1][:-len(first)]}{first}-{last}"))
        else:
            out.extend(run)
        run.clear()

    for key, description in rows:
        numbered = key.isdigit() and description.endswith(f" {key}")
        follows = numbered and bool(run) and int(key) == int(run[-1][0]) + 1
        if numbered and follows and description[:-len(key)] == run[-1][1][:-len(run[-1][0])]:
            run.append((key, description))
            continue
        flush()
        if numbered:
            run.append((key, description))
        else:
            out.append((key, description))
    flush()
    return out

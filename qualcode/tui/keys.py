"""The keys of the screen in front, as qualcode shows them: in the footer, in the keys panel (``?``)
and in the command palette (ctrl+p).

Textual's own widgets bring keys of their own (a table's "Cursor down" and "Bottom", the screen's
"Focus Next"): the same in every Textual app, and noise beside qualcode's. A key is qualcode's when
a qualcode class declares it in its ``BINDINGS``; only those are listed. They come in the order a
user needs them: the screen's own keys first (those named in the screen's ``FOOTER``, most
important first, then the rest as declared), then the keys of the part that has the focus (the
transcript, the list of units), then the keys that work everywhere (undo, redo, the keys panel).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

SCREEN, WIDGET, APP = "screen", "widget", "app"
# The keys that leave a screen, and the keys panel itself: the footer keeps them in view always.
LEAVING = frozenset({"back", "app.quit", "quit", "app.pop_screen"})
KEYS_ACTION = "toggle_keys"


@dataclass(frozen=True, slots=True)
class Key:
    """One action and the keys that run it, as the user sees them."""

    keys: tuple[str, ...]  # as shown: ("c",), ("del", "D"), ("^z",)
    description: str
    tooltip: str
    action: str
    node: DOMNode  # where the action runs
    enabled: bool
    binding_id: str | None
    place: str  # SCREEN, WIDGET or APP
    show: bool  # the binding asks to be in the footer

    @property
    def key(self) -> str:
        return self.keys[0]

    @property
    def leaves(self) -> bool:
        return self.action in LEAVING or self.action == KEYS_ACTION


_OWN: dict[type, dict[str, int]] = {}


def own_actions(cls: type) -> dict[str, int]:
    """The actions bound by qualcode's classes in the ancestry of ``cls`` (not Textual's), each
    with how far up the ancestry it is declared (0: by ``cls`` itself)."""
    if cls in _OWN:
        return _OWN[cls]
    actions = _OWN[cls] = {}
    for depth, base in enumerate(cls.__mro__):
        if not base.__module__.startswith("qualcode."):
            continue
        for binding in base.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding):
                actions.setdefault(binding.action, depth)
    return actions


def screen_keys(screen: Screen) -> list[Key]:
    """qualcode's keys on ``screen`` as it is now (the focus decides which part's keys count):
    the screen's, then the focused part's, then the app's; each as declared. Actions the screen
    switched off (``check_action`` False) are left out; those it greys out are not enabled."""
    app = screen.app
    chain = screen._modal_binding_chain  # (node, bindings) from the focused widget up to the app
    order = {SCREEN: 0, WIDGET: 1, APP: 2}
    found: dict[tuple[int, str], Key] = {}
    # A key with a priority binding (reconcile's b) is that binding's, whoever else binds it.
    taken = {key: (node, binding.action) for node, bindings in chain for key, binding in bindings
             if binding.priority and app._check_action_state(binding.action, node) is not False}
    for node, bindings in chain:
        actions = own_actions(type(node))
        if not actions:
            continue
        place = SCREEN if node is screen else APP if isinstance(node, App) else WIDGET
        for raw, binding in bindings:
            if binding.action not in actions or taken.get(raw, (node, binding.action)) != (node, binding.action):
                continue
            state = app._check_action_state(binding.action, node)
            if state is False:
                continue
            shown = app.get_key_display(binding)
            slot = (id(node), binding.action)
            if slot in found:
                old = found[slot]
                if shown not in old.keys:
                    found[slot] = _with_key(old, shown)
                continue
            found[slot] = Key((shown,), binding.description, binding.tooltip, binding.action, node, bool(state),
                              binding.id, place, binding.show)
    # The screen's, the focused part's, the app's; each class's own keys before those it inherits
    # (the coding screen's before its transcript repairs'), else as declared (the sort is stable).
    keys = sorted(found.values(), key=lambda k: (order[k.place], own_actions(type(k.node))[k.action]))
    ranked = getattr(screen, "FOOTER", ())
    if ranked:
        rank = {binding_id: i for i, binding_id in enumerate(ranked)}
        keys.sort(key=lambda k: rank.get(k.binding_id or "", len(rank)))
    return keys


def _with_key(key: Key, shown: str) -> Key:
    return Key((*key.keys, shown), key.description, key.tooltip, key.action, key.node, key.enabled,
               key.binding_id, key.place, key.show)

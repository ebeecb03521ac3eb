"""The codebook screen: the theme tree with this coder's counts, a code's definition beside it,
and the edits a deductive analysis makes as it goes (add, rename, move, merge, split, delete).

Every edit is one :class:`~qualcode.store.Project` call with ``coder=``, so it is committed and
undoable (ctrl+z) before the screen redraws; a :class:`UserError` from the store becomes a
notification, never a crash.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Header, Label, SelectionList, Static, Tree
from textual.widgets.selection_list import Selection
from textual.widgets.tree import TreeNode

from ...core.codebook import Codebook
from ...core.errors import UserError
from ...core.models import CodeNode, Coding
from ..base import NARROW, WorkbenchScreen
from ..navigation import OpenCooccurrence, OpenMemos, OpenUnitsOfCode
from ..text import plural, shorten
from ..widgets.keys_footer import KeysFooter
from ..widgets.status_bar import StatusBar
from ..workers import Job, screen_worker
from .dialogs import CodePicker, Confirm, TextPrompt

TOP_LEVEL = "(top level)"  # not a valid code id, so it cannot clash with one


@dataclass(slots=True)
class Tally:
    units: int = 0
    transcripts: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{plural(self.units, 'unit')} · {plural(len(self.transcripts), 'transcript')}"


def code_tallies(codebook: Codebook, codings: Iterable[Coding]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """(own, subtree) counts per code id: units and transcripts of the code itself, and of the
    code with all its subcodes."""
    own: dict[str, Tally] = defaultdict(Tally)
    for coding in codings:
        tally = own[coding.code]
        tally.units += 1
        tally.transcripts.add(coding.transcript)
    subtree: dict[str, Tally] = {}
    for code in reversed(codebook.codes):  # children come after their parent: fold bottom-up
        total = subtree.setdefault(code.id, Tally())
        total.units += own[code.id].units
        total.transcripts |= own[code.id].transcripts
        if code.parent is not None:
            parent = subtree.setdefault(code.parent, Tally())
            parent.units += total.units
            parent.transcripts |= total.transcripts
    return own, subtree


def code_label(codebook: Codebook, code: CodeNode, own: Tally, subtree: Tally, depth: int, *,
               compact: bool = False) -> Text:
    """``■ Name  id   12 units · 3 transcripts``, and for a code with subcodes the total of its
    subtree after a Σ (the screen's subtitle explains it). Long names are cut here; the detail
    pane has them whole. ``compact`` (a narrow screen): ``■ Name   12 units · Σ 30``, the id and
    the transcripts in the detail pane."""
    label = Text.assemble(
        ("■ ", codebook.colour_of(code.id) or "dim"),
        (shorten(code.name, 32), "bold" if depth == 0 else ""),
    )
    if compact:
        label.append(f"   {plural(own.units, 'unit')}")
        if codebook.children(code.id):
            label.append(f" · Σ {subtree.units}", style="italic")
        return label
    label.append(f"  {code.id}", style="dim")
    label.append(f"   {own}")
    if codebook.children(code.id):
        label.append(f"   Σ {subtree}", style="italic")
    return label


class ParentPicker(CodePicker):
    """The code picker with a first choice that stands for 'no parent: a main theme'."""

    def __init__(self, codebook: Codebook, recent: list[str], title: str, top_level: bool):
        super().__init__(codebook, recent, title,
                         extra=[(TOP_LEVEL, "⤒ top level: a main theme")] if top_level else [])


class UnitChooser(ModalScreen[list[int] | None]):
    """Tick meaning units (space or enter); ctrl+s returns their coding ids, Escape None."""

    BINDINGS = [
        Binding("ctrl+s", "done", "Continue", id="units.done"),
        Binding("escape", "cancel", "Cancel", id="units.cancel"),
    ]

    def __init__(self, title: str, units: list[tuple[int, Text]]):
        super().__init__()
        self.title_text = title
        self.units = units

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            yield SelectionList[int](*(Selection(prompt, cid) for cid, prompt in self.units), id="split-units")
            yield Label("space/enter tick a unit · ctrl+s continue · escape cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_done(self) -> None:
        chosen = self.query_one(SelectionList).selected
        if not chosen:
            self.notify("Tick at least one unit (space), or Escape to cancel.", severity="warning")
            return
        self.dismiss(sorted(chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodebookScreen(WorkbenchScreen[None]):
    """Themes and subthemes with live counts; the highlighted code's definition on the right."""

    BINDINGS = [
        Binding("enter", "open_filter", "Units of code", id="codebook.units", priority=True),
        Binding("a", "add_code", "Add subcode", id="codebook.add"),
        Binding("A", "add_theme", "Add theme", id="codebook.add_theme", key_display="A"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("e", "edit_definition", "Definition", id="codebook.definition"),
        Binding("m", "move", "Move", id="codebook.move"),
        Binding("M", "merge", "Merge into…", id="codebook.merge", key_display="M"),
        Binding("s", "split", "Split", id="codebook.split"),
        Binding("d", "delete", "Delete", id="codebook.delete"),
        Binding("w", "memos", "Memos on code", id="codebook.memos"),
        Binding("c", "cooccurrence", "Co-occurring", id="codebook.cooccurrence"),
        Binding("escape", "back", "Back", id="codebook.back"),
    ]

    def __init__(self, highlight: str | None = None):
        super().__init__()
        self.current: str | None = highlight  # the highlighted code id, kept across reloads
        self.current_parent: str | None = None  # where to go if the highlighted code disappears
        self.codebook = Codebook()
        self._drawn_compact = False  # the tree's labels are compact (a narrow screen)
        self.own: dict[str, Tally] = {}
        self.subtree: dict[str, Tally] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="codebook-body"):
            tree: Tree[str] = Tree("Codebook", id="codebook-tree")
            tree.show_root = False
            tree.auto_expand = False
            yield tree
            with VerticalScroll(id="code-detail"):
                yield Static(id="code-detail-text")
        yield StatusBar("codebook")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()

    @property
    def _compact(self) -> bool:
        return 0 < self.size.width < NARROW

    def on_resize(self, event: events.Resize) -> None:
        if self._compact != self._drawn_compact and self.is_current:
            self.reload()  # (labels for the new width)

    def on_screen_resume(self) -> None:
        self.reload()  # shown first, or back from coding: codings made elsewhere change the counts

    # --- drawing ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Redraw the tree from the store, keeping collapsed themes and the highlighted code."""
        project, coder = self.app.project, self.app.coder
        self.codebook = project.codebook()
        self.own, self.subtree = code_tallies(self.codebook, project.codings(coder=coder))
        self.title = f"Codebook — {self.codebook.name}"
        self.sub_title = f"units coded by {coder} · Σ with subthemes"

        tree: Tree[str] = self.query_one(Tree)
        self._drawn_compact = self._compact
        collapsed = {n.data for n in _all_nodes(tree.root) if n.data and n.is_collapsed and n.children}
        previous_line = max(tree.cursor_line, 0)
        tree.clear()
        tree.root.expand()
        nodes: dict[str | None, TreeNode[str]] = {None: tree.root}
        for depth, code in self.codebook.walk():
            label = code_label(self.codebook, code, self.own[code.id], self.subtree[code.id], depth,
                               compact=self._compact)
            has_children = bool(self.codebook.children(code.id))
            nodes[code.id] = nodes[code.parent].add(
                label, data=code.id, expand=code.id not in collapsed, allow_expand=has_children
            )

        target = self.current if self.current in nodes else None
        if target is None and self.current is not None and self.current_parent in nodes:
            target = self.current_parent  # the code went away (merged, deleted, undone): stay near it
        if target is not None:
            node = nodes[target]
            parent = node.parent
            while parent is not None:  # a code inside a collapsed theme: open the way to it
                parent.expand()
                parent = parent.parent
            _lay_out(tree)
            tree.move_cursor(node)
            self.current = target
        elif _lay_out(tree) >= 0:
            tree.move_cursor_to_line(min(previous_line, tree.last_line))
            self.current = tree.cursor_node.data if tree.cursor_node else None
        else:
            self.current = None  # no codes at all
        self._show_detail()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        self.current = event.node.data
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#code-detail-text", Static)
        if self.current is None:
            self.current_parent = None
            detail.update(Text("No codes yet. Press A to add a main theme.", style="dim"))
            return
        code = self.codebook.get(self.current)
        self.current_parent = code.parent
        path = self.codebook.path(code.id)
        colour = self.codebook.colour_of(code.id)
        kind = "main theme" if code.parent is None else "subtheme of " + " › ".join(n.name for n in path[:-1])
        text = Text()
        text.append("■ ", style=colour or "dim")
        text.append(code.name, style="bold")
        text.append(f"\n{code.id} · {kind}", style="dim")
        text.append(f"\n\nYour units: {self.own[code.id]}")
        if self.codebook.children(code.id):
            text.append(f"\nWith subthemes: {self.subtree[code.id]}")
        for heading, value in (
            ("Definition", code.definition),
            ("Inclusion", code.inclusion),
            ("Exclusion", code.exclusion),
        ):
            text.append(f"\n\n{heading}\n", style="bold")
            text.append(value or "—", style="" if value else "dim")
        text.append("\n\nExamples\n", style="bold")
        if code.examples:
            text.append("\n".join(f"• «{example}»" for example in code.examples))
        else:
            text.append("—", style="dim")
        text.append("\n\nKeywords\n", style="bold")
        text.append(", ".join(code.keywords) or "—", style="" if code.keywords else "dim")
        detail.update(text)

    # --- helpers ---------------------------------------------------------------------------

    def _highlighted(self) -> CodeNode | None:
        """The highlighted code, read afresh: another process may have changed the codebook."""
        wanted = self.current
        if self.app.project.codebook() != self.codebook:
            self.reload()
        if wanted is None or wanted not in self.codebook.by_id():
            gone = f"The code {wanted} is no longer in the codebook." if wanted else "No code is highlighted."
            self.notify(gone, severity="warning")
            return None
        return self.codebook.get(wanted)

    def _change(self, label: str, change: Callable[[], object], highlight: str | None = None) -> bool:
        """Run one store change; on success say it is saved and redraw, on a UserError explain."""
        try:
            change()
        except UserError as exc:
            self.app.report(exc)
            return False
        if highlight is not None:
            self.current = highlight
        self.app.saved(label)
        self.reload()
        return True

    async def _ask_new_code(self, where: str) -> tuple[str, str] | None:
        """Ask for the id and the name of a new code; None if cancelled or invalid."""
        code_id = await self.app.push_screen_wait(
            TextPrompt(f"Id of the new code {where} (letters, digits, - _ .):", placeholder="hap-ny")
        )
        code_id = (code_id or "").strip()
        if not code_id:
            return None
        try:
            CodeNode.from_user(id=code_id, name="-")
        except UserError as exc:
            self.notify(str(exc), severity="error")
            return None
        if code_id in self.codebook.by_id():
            self.notify(f"a code with id {code_id!r} exists already", severity="error")
            return None
        name = await self.app.push_screen_wait(TextPrompt(f"Name of {code_id}:"))
        name = (name or "").strip()
        if not name:
            return None
        return code_id, name

    # --- actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_filter(self) -> None:
        if (code := self._highlighted()) is not None:
            self.post_message(OpenUnitsOfCode(code.id))

    def action_memos(self) -> None:
        if (code := self._highlighted()) is not None:
            self.post_message(OpenMemos("code", code.id))

    def action_cooccurrence(self) -> None:
        if (code := self._highlighted()) is not None:
            self.post_message(OpenCooccurrence(code.id))

    def action_add_code(self) -> None:
        if self.current is None:  # an empty codebook: the first code is a main theme
            self._add(None)
        elif (code := self._highlighted()) is not None:
            self._add(code.id)

    def action_add_theme(self) -> None:
        self._add(None)

    @screen_worker("codebook-edit")
    async def _add(self, job: Job, parent: str | None) -> None:
        where = f"under {parent}" if parent else "(a main theme)"
        answer = await self._ask_new_code(where)
        if answer is None:
            return
        code_id, name = answer
        self._change(
            f"added code {code_id}",
            lambda: self.app.project.add_code(
                CodeNode.from_user(id=code_id, name=name, parent=parent), coder=self.app.coder
            ),
            highlight=code_id,
        )

    @screen_worker("codebook-edit")
    async def action_rename(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        name = await self.app.push_screen_wait(TextPrompt(f"New name for {code.id}:", value=code.name))
        if name is None or name.strip() == code.name:
            return
        self._change(
            f"renamed {code.id}",
            # the name the prompt showed: a rename by another coder meanwhile is a conflict, said
            lambda: self.app.project.rename_code(code.id, name.strip(), coder=self.app.coder, was=code.name),
        )

    @screen_worker("codebook-edit")
    async def action_edit_definition(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        definition = await self.app.push_screen_wait(
            TextPrompt(f"Definition of {code.id} {code.name}:", value=code.definition)
        )
        if definition is None or definition.strip() == code.definition:
            return
        self._change(
            f"definition of {code.id}",
            lambda: self.app.project.update_code(code.id, definition=definition.strip(), coder=self.app.coder,
                                                 expected={"definition": code.definition}),
        )

    @screen_worker("codebook-edit")
    async def action_move(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        # A code cannot go under itself or one of its own subcodes.
        barred = {code.id, *(d.id for d in self.codebook.descendants(code.id))}
        choices = Codebook(codes=[c for c in self.codebook.codes if c.id not in barred])
        if not choices.codes and code.parent is None:
            self.notify("There is no other code to move it under.", severity="warning")
            return
        picked = await self.app.push_screen_wait(ParentPicker(
            choices, self.app.project.recent_codes(self.app.coder),
            f"Move {code.id} {code.name} under…", top_level=code.parent is not None,
        ))
        if picked is None:
            return
        parent = None if picked == TOP_LEVEL else picked
        if parent == code.parent:
            return
        where = "the top level" if parent is None else parent
        self._change(
            f"moved {code.id} to {where}",
            lambda: self.app.project.move_code(code.id, parent, coder=self.app.coder),
        )

    @screen_worker("codebook-edit")
    async def action_merge(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        barred = {code.id, *(d.id for d in self.codebook.descendants(code.id))}
        choices = Codebook(codes=[c for c in self.codebook.codes if c.id not in barred])
        if not choices.codes:
            self.notify("There is no other code to merge into.", severity="warning")
            return
        target = await self.app.push_screen_wait(CodePicker(
            choices, self.app.project.recent_codes(self.app.coder),
            f"Merge {code.id} {code.name} into…",
        ))
        if target is None:
            return
        project = self.app.project
        units = project.codings(code=code.id)
        mine = sum(1 for c in units if c.coder == self.app.coder)
        children = self.codebook.children(code.id)
        # (short lines: the dialog does not wrap)
        question = (
            f"Merge {code.id} «{shorten(code.name, 40)}»\n"
            f"into {target} «{shorten(self.codebook.get(target).name, 40)}»?\n\n"
            f"{plural(len(units), 'unit')} move ({mine} of them yours)"
            + (f", and {plural(len(children), 'subcode')}" if children else "")
            + f";\n{code.id} is removed. ctrl+z undoes it."
        )
        if not await self.app.push_screen_wait(Confirm(question)):
            return
        moved: list[int] = []
        self._change(
            f"merged {code.id} into {target}",
            lambda: moved.append(project.merge_codes(code.id, target, coder=self.app.coder)),
            highlight=target,
        )
        if moved and moved[0] != len(units):
            self.notify(f"{plural(len(units) - moved[0], 'unit')} already coded {target} by the same coder: dropped")

    @screen_worker("codebook-edit")
    async def action_split(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        project = self.app.project
        units = project.units(code=code.id)
        if not units:
            self.notify(f"{code.id} has no units of its own to split off.", severity="warning")
            return
        show_coder = any(u.coder != self.app.coder for u in units)
        prompts = []
        for u in units:
            who = " ".join(filter(None, [u.transcript, u.speaker, f"({u.role})" if u.role else ""]))
            prompt = Text(f"{who}: ", style="bold")
            if show_coder:
                prompt.append(f"[{u.coder}] ", style="dim")
            prompt.append(f"«{shorten(u.text, 110)}»")
            prompts.append((u.id, prompt))
        chosen = await self.app.push_screen_wait(
            UnitChooser(f"Which units of {escape(code.id)} {escape(code.name)} go to the new subtheme?", prompts)
        )
        if not chosen:
            return
        answer = await self._ask_new_code(f"under {code.id}")
        if answer is None:
            return
        new_id, name = answer
        question = (
            f"Move {plural(len(chosen), 'unit')} from {code.id}\n"
            f"to a new subtheme {new_id} «{shorten(name, 40)}»?\n\nctrl+z undoes it."
        )
        if not await self.app.push_screen_wait(Confirm(question)):
            return
        self._change(
            f"split {plural(len(chosen), 'unit')} from {code.id} into {new_id}",
            lambda: project.split_code(
                code.id, CodeNode.from_user(id=new_id, name=name, parent=code.id), chosen, coder=self.app.coder
            ),
            highlight=new_id,
        )

    @screen_worker("codebook-edit")
    async def action_delete(self, job: Job) -> None:
        if (code := self._highlighted()) is None:
            return
        project = self.app.project
        children = self.codebook.children(code.id)
        if children:
            self.notify(
                f"{code.id} has {plural(len(children), 'subcode')}: move or merge them first, "
                "or merge the whole theme into another code with M.",
                severity="warning",
            )
            return
        used = Counter(c.coder for c in project.codings(code=code.id))
        if used:
            who = ", ".join(f"{coder} {n}" for coder, n in sorted(used.items()))
            self.notify(
                f"{code.id} is used by {plural(sum(used.values()), 'unit')} ({who}); only unused codes "
                "can be deleted. Merge it into another code with M instead.",
                severity="warning",
            )
            return
        question = f"Delete the unused code {code.id}\n«{shorten(code.name, 60)}»?"
        if not await self.app.push_screen_wait(Confirm(question)):
            return
        self._change(f"deleted {code.id}", lambda: project.delete_code(code.id, coder=self.app.coder))


def _lay_out(tree: Tree[str]) -> int:
    """Lay out a changed tree now (reading ``last_line`` does it), so that its nodes know their
    lines before the cursor is moved to one. Returns the last line, -1 for an empty tree."""
    return tree.last_line


def _all_nodes(node: TreeNode[str]) -> Iterator[TreeNode[str]]:
    for child in node.children:
        yield child
        yield from _all_nodes(child)

"""The codebook screen, driven with the Pilot: the tree and its counts, and every edit checked
both on screen and in the store, with undo."""

from __future__ import annotations

from textual.widgets import Input, SelectionList, Static, Tree

from qualcode.tui.screens.codebook import TOP_LEVEL, CodebookScreen, ParentPicker, UnitChooser
from qualcode.tui.screens.dialogs import CodePicker, Confirm, TextPrompt
from qualcode.tui.screens.filter import FilterScreen
from qualcode.tui.screens.memos import MemosScreen
from qualcode.tui.widgets.code_chooser import CodeList

from .conftest import Notes

SIZE = (120, 36)


async def open_codebook(app, pilot):
    await pilot.press("k")
    await pilot.pause()
    assert isinstance(app.screen, CodebookScreen)
    return app.screen.query_one(Tree)


def labels(tree: Tree) -> dict[str, str]:
    out = {}
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        out[node.data] = str(node.label)
    return out


def parents(app) -> dict[str, str | None]:
    return {c.id: c.parent for c in app.project.codebook().codes}


async def highlight(pilot, tree: Tree, code_id: str) -> None:
    lines = (tree.get_node_at_line(i) for i in range(tree.last_line + 1))
    node = next(n for n in lines if n.data == code_id)
    tree.move_cursor(node)
    await pilot.pause()
    assert tree.cursor_node.data == code_id


async def answer(pilot, app, text: str) -> None:
    """Type an answer into the TextPrompt on top and submit it."""
    assert isinstance(app.screen, TextPrompt), app.screen
    app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def pick(pilot, app, code_id: str) -> None:
    """Search the code picker for ``code_id`` and choose it."""
    assert isinstance(app.screen, CodePicker), app.screen
    await pilot.press(*code_id)
    options = app.screen.query_one(CodeList)
    options.highlighted = options.get_option_index(code_id)
    await pilot.press("enter")
    await pilot.pause()


async def test_tree_shows_this_coders_counts_colours_and_the_definition(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        shown = labels(tree)
        assert list(shown) == ["hap", "hap-sol", "hap-gjen", "rec"]
        # hap has one unit of its own, four with its subthemes; CD's unit under rec is not AB's.
        assert "hap   1 unit · 1 transcript" in shown["hap"]
        assert "Σ 4 units · 1 transcript" in shown["hap"]
        assert "Σ with subthemes" in app.screen.sub_title
        assert "2 units · 1 transcript" in shown["hap-sol"] and "Σ" not in shown["hap-sol"]
        assert "0 units · 0 transcripts" in shown["rec"]
        # the colour swatch is inherited from the theme
        swatch = tree.get_node_at_line(1).label.spans[0]
        assert str(swatch.style) == "#E69F00"
        detail = str(app.screen.query_one("#code-detail-text", Static).render())
        assert "Opplevelser av håp" in detail and "håp, kjenne seg igjen" in detail
        assert "With subthemes: 4 units · 1 transcript" in detail
        await pilot.press("down")
        await pilot.pause()
        assert "Solskinnshistorier" in str(app.screen.query_one("#code-detail-text", Static).render())


async def test_add_a_subcode_and_a_theme_then_undo(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap")
        await pilot.press("a")
        await answer(pilot, app, "hap-ansatt")
        await answer(pilot, app, "Ansattes håp")
        assert parents(app)["hap-ansatt"] == "hap"
        assert app.project.code("hap-ansatt").name == "Ansattes håp"
        assert tree.cursor_node.data == "hap-ansatt"  # the new code is highlighted
        assert "saved" in app.status_text

        await pilot.press("A")
        await answer(pilot, app, "bruk")
        await answer(pilot, app, "Brukermedvirkning")
        assert parents(app)["bruk"] is None
        assert tree.cursor_node.data == "bruk"

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "bruk" not in parents(app)
        assert "bruk" not in labels(tree)
        assert "hap-ansatt" in labels(tree)


async def test_bad_or_duplicate_ids_are_explained_not_crashed(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        tree = await open_codebook(app, pilot)
        await pilot.press("a")
        await answer(pilot, app, "hap sol")  # a space: not an id
        assert "must start with a letter or digit" in notes.of("error")[-1]
        await pilot.press("a")
        await answer(pilot, app, "rec")  # exists
        assert "exists already" in notes.of("error")[-1]
        assert isinstance(app.screen, CodebookScreen)
        assert len(app.project.codebook().codes) == 4
        # Escape in the prompt adds nothing either.
        await pilot.press("a")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen) and len(labels(tree)) == 4


async def test_rename_and_edit_the_definition_keep_the_highlight(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-gjen")
        await pilot.press("r")
        assert app.screen.query_one(Input).value == "Gjenkjennelse"
        await answer(pilot, app, "Håpet ligger i gjenkjennelsen")
        assert app.project.code("hap-gjen").name == "Håpet ligger i gjenkjennelsen"
        assert tree.cursor_node.data == "hap-gjen"
        assert "Håpet ligger i gjenkjennelsen" in labels(tree)["hap-gjen"]

        await pilot.press("e")
        await answer(pilot, app, "Håp som kommer av å kjenne seg igjen i andres historie")
        assert app.project.code("hap-gjen").definition.startswith("Håp som kommer")
        detail = str(app.screen.query_one("#code-detail-text", Static).render())
        assert "Håp som kommer av å kjenne seg igjen" in detail

        await pilot.press("ctrl+z", "ctrl+z")
        await pilot.pause()
        assert app.project.code("hap-gjen").name == "Gjenkjennelse"
        assert app.project.code("hap-gjen").definition == ""
        assert "Gjenkjennelse" in labels(tree)["hap-gjen"]


async def test_a_rename_by_another_coder_while_the_prompt_is_open_is_said_not_overwritten(coded, make_app):
    import subprocess
    import sys

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-gjen")
        await pilot.press("r")
        done = subprocess.run([sys.executable, "-m", "qualcode", "code-rename", str(app.project.path), "hap-gjen",
                               "Å kjenne seg igjen", "--coder", "CD"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        await answer(pilot, app, "Gjenkjennelse i andres historier")
        assert app.project.code("hap-gjen").name == "Å kjenne seg igjen"
        assert "changed meanwhile by CD" in notes.of("error")[-1]


async def test_move_under_another_theme_and_back_to_the_top_level(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-sol")
        await pilot.press("m")
        assert isinstance(app.screen, ParentPicker)
        offered = [o.id for o in app.screen.query_one(CodeList).options]
        assert offered[0] == TOP_LEVEL and "hap-sol" not in offered
        await pick(pilot, app, "rec")
        assert parents(app)["hap-sol"] == "rec"
        assert tree.cursor_node.data == "hap-sol" and tree.cursor_node.parent.data == "rec"
        assert "Σ 2 units · 1 transcript" in labels(tree)["rec"]  # the units came along

        await pilot.press("m")
        await pilot.press("enter")  # the first choice: top level
        await pilot.pause()
        assert parents(app)["hap-sol"] is None
        assert tree.cursor_node.data == "hap-sol" and tree.cursor_node.parent is tree.root

        # a theme cannot go under its own subtheme: it is not offered
        await highlight(pilot, tree, "hap")
        await pilot.press("m")
        offered = [o.id for o in app.screen.query_one(CodeList).options]
        assert "hap-gjen" not in offered and "hap" not in offered and TOP_LEVEL not in offered
        await pilot.press("escape")
        await pilot.pause()
        assert parents(app)["hap"] is None


async def test_merge_moves_the_units_after_confirming_and_undo_restores(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-sol")
        await pilot.press("M")
        await pick(pilot, app, "hap-gjen")
        assert isinstance(app.screen, Confirm)
        question = str(app.screen.query_one(".dialog-title", Static).render())
        assert "2 units move (2 of them yours)" in question
        await pilot.press("y")
        await pilot.pause()
        assert "hap-sol" not in parents(app)
        moved = {coded["igjen"], coded["ho"]}
        assert {c.code for c in app.project.codings() if c.id in moved} == {"hap-gjen"}
        assert tree.cursor_node.data == "hap-gjen"
        assert "3 units · 1 transcript" in labels(tree)["hap-gjen"]

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert parents(app)["hap-sol"] == "hap"
        assert {c.code for c in app.project.codings() if c.id in moved} == {"hap-sol"}
        assert "2 units" in labels(tree)["hap-sol"]


async def test_declining_the_merge_changes_nothing(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-sol")
        await pilot.press("M")
        await pick(pilot, app, "rec")
        await pilot.press("n")
        await pilot.pause()
        assert parents(app)["hap-sol"] == "hap"
        assert app.project.coding(coded["igjen"]).code == "hap-sol"


async def test_split_moves_only_the_chosen_units_to_a_new_subtheme(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-sol")
        await pilot.press("s")
        assert isinstance(app.screen, UnitChooser)
        units = app.screen.query_one(SelectionList)
        prompts = [str(units.get_option_at_index(i).prompt) for i in range(units.option_count)]
        assert len(prompts) == 2 and "P1 (pasient)" in prompts[0] and "ho klarte seg" in prompts[1]
        await pilot.press("ctrl+s")  # nothing ticked: the chooser stays
        assert isinstance(app.screen, UnitChooser)
        await pilot.press("down", "space", "ctrl+s")
        await pilot.pause()
        await answer(pilot, app, "hap-sol-p2")
        await answer(pilot, app, "Å høre at andre klarte seg")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert parents(app)["hap-sol-p2"] == "hap-sol"
        assert app.project.coding(coded["ho"]).code == "hap-sol-p2"
        assert app.project.coding(coded["igjen"]).code == "hap-sol"
        assert tree.cursor_node.data == "hap-sol-p2"
        assert "Σ 2 units" in labels(tree)["hap-sol"]

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "hap-sol-p2" not in parents(app)
        assert app.project.coding(coded["ho"]).code == "hap-sol"
        assert tree.cursor_node.data == "hap-sol"  # back to where the new code hung


async def test_delete_only_unused_codes(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "rec")  # used by CD, not by AB
        await pilot.press("d")
        await pilot.pause()
        assert "used by 1 unit (CD 1)" in notes.of("warning")[-1]
        await highlight(pilot, tree, "hap")
        await pilot.press("d")
        await pilot.pause()
        assert "has 2 subcodes" in notes.of("warning")[-1]
        assert isinstance(app.screen, CodebookScreen)

        await pilot.press("A")
        await answer(pilot, app, "tom")
        await answer(pilot, app, "Ubrukt")
        await pilot.press("d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause()
        assert "tom" not in parents(app) and "tom" not in labels(tree)
        assert len(parents(app)) == 4


async def test_enter_opens_the_units_and_w_the_memos_of_the_code(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap-sol")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen) and app.screen.code_id == "hap-sol"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen) and tree.cursor_node.data == "hap-sol"
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, MemosScreen) and app.screen.title == "Memos on code hap-sol Solskinnshistorier"


async def test_the_edits_are_commands_in_the_palette(coded, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Add subcode", "Add theme", "Rename", "Move", "Merge into…", "Split", "Delete",
                "Definition", "Units of code"} <= titles


async def test_collapsed_themes_stay_collapsed_and_outside_changes_are_noticed(coded, make_app):
    from qualcode.store import Project

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = Notes(app)
        tree = await open_codebook(app, pilot)
        await highlight(pilot, tree, "hap")
        await pilot.press("space")  # collapse hap
        await highlight(pilot, tree, "rec")
        await pilot.press("r")
        await answer(pilot, app, "Recovery")
        assert list(labels(tree)) == ["hap", "rec"]  # hap is still collapsed

        # Another process (a second coder's window) merges the highlighted code away.
        with Project.open(app.project.path, backup=False) as other:
            other.merge_codes("rec", "hap", coder="CD")
        await pilot.press("r")  # rec is gone: explained, the tree redrawn, nothing renamed
        await pilot.pause()
        assert "no longer in the codebook" in notes.of("warning")[-1]
        assert isinstance(app.screen, CodebookScreen)
        assert "rec" not in labels(tree) and tree.cursor_node.data == "hap"

"""Memos, driven with the Pilot: a journal entry and a memo on a transcript, written in the
modal editor and found in the store and on screen."""

from __future__ import annotations

from textual.widgets import Static, TextArea

from qualcode.tui.screens.memos import JOURNAL_TITLE, MemoEditor, MemosScreen

SIZE = (120, 36)


def shown(screen) -> list[str]:
    return [str(memo.render()) for memo in screen.query(".memo").results(Static)]


async def write(pilot, app, text: str) -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, MemoEditor)
    app.screen.query_one(TextArea).insert(text[:-6])  # (typing it all key by key is slow)
    await pilot.press(*text[-6:])
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_j_opens_the_journal_and_n_writes_an_entry(project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemosScreen) and screen.title == JOURNAL_TITLE
        assert shown(screen) == []
        assert "No memos yet" in str(screen.query_one(".memo-empty", Static).render())

        await write(pilot, app, "Jeg har selv jobbet i TSB; det farger lesningen min.")
        assert app.screen is screen
        [memo] = app.project.memos(target_type="project")
        assert (memo.text, memo.author, memo.target_id) == (
            "Jeg har selv jobbet i TSB; det farger lesningen min.", "AB", None
        )
        [entry] = shown(screen)
        assert entry.startswith("AB  ") and "det farger lesningen min." in entry
        assert "saved: journal entry" in app.status_text

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.project.memos() == [] and shown(screen) == []


async def test_memos_on_a_transcript_and_t_switches_to_the_journal(project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.project.add_memo("Første inntrykk: mye håp", author="CD")
        app.push_screen(MemosScreen("transcript", "t1"))  # ids as the user types them
        await pilot.pause()
        screen = app.screen
        assert screen.title == "Memos on T1 Fokusgruppe 1"
        assert shown(screen) == []  # the journal entry is not about T1

        await write(pilot, app, "P2 snakker dialekt: ikkje, æ, kor då, søstra")
        [memo] = app.project.memos(target_type="transcript", target_id="T1")
        assert memo.text == "P2 snakker dialekt: ikkje, æ, kor då, søstra" and memo.author == "AB"
        assert "P2 snakker dialekt" in shown(screen)[0]

        await pilot.press("t")
        await pilot.pause()
        assert screen.title == JOURNAL_TITLE
        [entry] = shown(screen)
        assert entry.startswith("CD ") and "Første inntrykk" in entry
        await pilot.press("t")  # already the journal: nothing happens
        await pilot.pause()
        assert screen.title == JOURNAL_TITLE


async def test_an_empty_memo_is_not_saved_and_escape_cancels(project, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MemosScreen("code", "hap"))
        await pilot.pause()
        assert app.screen.title == "Memos on code hap Opplevelser av håp"
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")  # empty: the editor stays open
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        app.screen.query_one(TextArea).text = "halvferdig tanke"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MemosScreen)
        assert app.project.memos() == []

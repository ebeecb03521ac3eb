"""Workbench bench: a 100-page transcript (~50,000 words) driven headless with Textual's Pilot.

Prints medians of: opening the coding screen until its first screen is painted, and one
keystroke (cursor, selection, word, sentence, page) until the screen is updated, and how many
transcript lines were rendered per keystroke (only visible lines that changed, never the whole
document). Goals: first paint under 300 ms, a keystroke under 50 ms.

Then coding itself: ``c`` until the code picker is painted, and Enter in the picker until the
new unit is shown, with the SQL statements each runs (``set_trace_callback`` on the project's
connection) and how often the screen re-read everything from the store. Goals: under 50 ms CPU
each at 50,000 words with 300 units, under 100 ms at 500,000 words with 1,500 units:

    python bench/bench_tui.py --words 50000 --units 300
    python bench/bench_tui.py --words 500000 --units 1500

Then transcript repairs on the coding screen, each from its last key until the screen shows the
transcript as stored: a turn split (Enter in the speaker chooser: the transcript laid out anew),
the speaker of a turn (Enter in the chooser: only the headers repainted), a turn's words corrected
(ctrl+s in the editor), and ctrl+z of a repair; beside them the floor of a repair, its dialog
closed with Escape (Textual repaints the whole screen under a dialog that closes). Goal: under
150 ms CPU each at 50,000 words, the store's write and the dialog's repaint included.

The figure that counts is the process's CPU time from the key to the painted screen: Pilot waits
for idleness by polling with short sleeps, which inflates wall-clock times by a roughly fixed
amount; the wall time and a baseline key that nothing handles are printed beside it.

    python bench/bench_tui.py [--words 50000] [--units 300] [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import ROLE_RULES, WORDS

from qualcode.core.codebook import load_codebook
from qualcode.importers import parse_transcript
from qualcode.store import Project
from qualcode.store.project import RoleRule

REPO = Path(__file__).resolve().parent.parent


def make_project(folder: Path, words: int, units: int = 300) -> Path:
    rng = random.Random(5)
    lines, count = [], 0
    speakers = ["Intervjuer", "P1", "P2", "P3", "Ansatt 1", "Ansatt 2"]
    while count < words:
        sentences = []
        for _ in range(rng.randint(1, 8)):
            n = rng.randint(4, 18)
            sentence = " ".join(rng.choice(WORDS) for _ in range(n))
            sentences.append(sentence.capitalize() + rng.choice([".", ".", "?", "!", " --"]))
            count += n
        lines.append(f"{rng.choice(speakers)}: {' '.join(sentences)}\n")
    source = folder / "stor.txt"
    source.write_text("".join(lines), encoding="utf-8")
    path = folder / "bench.qualcode"
    project = Project.create(path, codebook=load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml"))
    parsed = parse_transcript(source)
    roles = [RoleRule.parse(rule) for rule in ROLE_RULES]
    project.import_transcript(parsed, title="Stor fokusgruppe", group="FG", roles=roles)
    turns = project.turns("T1")
    codes = [c.id for c in project.codebook().codes]
    spaced = turns[1::3] if len(turns[1::3]) >= units else turns[1:]
    for i, turn in enumerate(spaced[:units]):  # a realistically coded transcript
        project.add_coding("T1", turn.start, min(turn.end, turn.start + 120), codes[i % len(codes)], "AB")
    project.close()
    return path


async def measure(path: Path, repeat: int, coding_repeat: int) -> dict[str, list[float]]:
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.widgets.transcript_view import TranscriptView

    rendered = [0]
    painted: list[tuple[float, float] | None] = [None]  # (wall, cpu) when the view's last row first rendered
    original = TranscriptView.render_line

    def counting(self, y):
        rendered[0] += 1
        strip = original(self, y)
        if painted[0] is None and self.layout_ is not None and y == self.size.height - 1:
            painted[0] = (time.perf_counter(), time.process_time())
        return strip

    TranscriptView.render_line = counting
    figures: dict[str, list[float]] = {}
    app = QualcodeApp(path, coder="AB")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(5):
            painted[0] = None
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            wall, cpu = painted[0]
            figures.setdefault("open coding screen, first paint", []).append(cpu - c0)
            figures.setdefault("wall:open coding screen, first paint", []).append(wall - t0)
            figures.setdefault("open coding screen, until idle", []).append(time.process_time() - c0)
            figures.setdefault("wall:open coding screen, until idle", []).append(time.perf_counter() - t0)
            assert isinstance(app.screen, CodingScreen)
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        keys = {
            "baseline: a key nobody handles": "f12",
            "cursor right": "right",
            "cursor down": "down",
            "extend selection (shift+right)": "shift+right",
            "extend by word (W)": "W",
            "next sentence (.)": "full_stop",
            "page down": "pagedown",
        }
        lines_per_key: dict[str, list[int]] = {}
        for name, key in keys.items():
            for _ in range(repeat):
                rendered[0] = 0
                t0, c0 = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                figures.setdefault(name, []).append(time.process_time() - c0)
                figures.setdefault(f"wall:{name}", []).append(time.perf_counter() - t0)
                lines_per_key.setdefault(name, []).append(rendered[0])
            if key in ("shift+right", "W"):
                await pilot.press("escape")
        figures["_lines"] = lines_per_key  # type: ignore[assignment]
        figures["_coding"] = await measure_coding(app, pilot, coding_repeat, figures)  # type: ignore[assignment]
        figures["_repairs"] = await measure_repairs(app, pilot, coding_repeat, figures)  # type: ignore[assignment]
        view = app.screen.query_one(TranscriptView)
        figures["_document_lines"] = len(view.layout_.lines)  # type: ignore[assignment]
    TranscriptView.render_line = original
    return figures


async def measure_coding(app, pilot, repeat: int, figures: dict[str, list[float]]) -> dict[str, list[int]]:
    """``c`` until the picker is painted, Enter until the unit is shown (then ctrl+z, unmeasured).
    Returns the SQL statements and full re-reads of the screen for each of the two steps."""
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.widgets.code_chooser import CodeChooser

    statements = [0]
    reloads = [0]
    original_reload = CodingScreen.reload

    def counting_reload(self, *args, **kwargs):
        reloads[0] += 1
        return original_reload(self, *args, **kwargs)

    def trace(sql: str) -> None:
        if not sql.startswith("PRAGMA data_version"):  # (the watch for other processes' saves)
            statements[0] += 1

    CodingScreen.reload = counting_reload
    raw = app.project.conn.raw
    raw.set_trace_callback(trace)
    counts: dict[str, list[int]] = {}
    try:
        for _ in range(repeat):
            await pilot.press("right_square_bracket", "x")  # the first sentence of the next turn
            await pilot.pause()
            for name, key in (("open the code picker (c)", "c"), ("code the selection (Enter in picker)", "enter")):
                statements[0] = reloads[0] = 0
                t0, c0 = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                figures.setdefault(name, []).append(time.process_time() - c0)
                figures.setdefault(f"wall:{name}", []).append(time.perf_counter() - t0)
                counts.setdefault(f"sql:{name}", []).append(statements[0])
                counts.setdefault(f"reloads:{name}", []).append(reloads[0])
                if key == "c":
                    assert app.screen.query_one(CodeChooser).is_open, "the code chooser did not open"
            assert isinstance(app.screen, CodingScreen)
            reloads[0] = 0
            await pilot.pause(app.WATCH_INTERVAL * 2.5)  # the watch for other processes' saves
            counts.setdefault("reloads:after the save, by the watch", []).append(reloads[0])
            await pilot.press("ctrl+z")
            await pilot.pause()
    finally:
        raw.set_trace_callback(None)
        CodingScreen.reload = original_reload
    return counts


async def measure_repairs(app, pilot, repeat: int, figures: dict[str, list[float]]) -> dict[str, list[int]]:
    """Repairs of the turn under the cursor, each timed from its last key (the dialog before it is
    open already) until the screen is idle, with its SQL statements; each repair is undone, and
    the undo timed too."""
    from qualcode.tui.screens.coding import CodingScreen

    statements = [0]

    def trace(sql: str) -> None:
        if not sql.startswith("PRAGMA data_version"):
            statements[0] += 1

    raw = app.project.conn.raw
    counts: dict[str, list[int]] = {}
    screen = app.screen
    assert isinstance(screen, CodingScreen)

    async def timed(name: str, key: str) -> None:
        statements[0] = 0
        raw.set_trace_callback(trace)
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures.setdefault(name, []).append(time.process_time() - c0)
        figures.setdefault(f"wall:{name}", []).append(time.perf_counter() - t0)
        raw.set_trace_callback(None)
        counts.setdefault(f"sql:{name}", []).append(statements[0])

    try:
        for _ in range(repeat):
            await pilot.press("right_square_bracket", "w", "w")  # the third word of the next turn
            await pilot.pause()
            before = app.project.text("T1"), app.project.turns("T1")
            await pilot.press("A")  # the floor of a repair: its dialog closed, the screen under it repainted
            await pilot.pause()
            await timed("repair floor: chooser closed (Escape)", "escape")
            for name, keys, last in (
                ("repair: split a turn (Enter)", ("S",), "enter"),
                ("repair: speaker of a turn (Enter)", ("A", *"P9"), "enter"),
                ("repair: correct a turn (ctrl+s)", ("E", *" ja"), "ctrl+s"),
            ):
                await pilot.press(*keys)
                await pilot.pause()
                await timed(name, last)
                assert app.screen is screen, "the repair left a dialog open"
                await timed("repair: undo it (ctrl+z)", "ctrl+z")
            assert (app.project.text("T1"), app.project.turns("T1")) == before, "undo did not restore the transcript"
    finally:
        raw.set_trace_callback(None)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=50_000)
    ap.add_argument("--units", type=int, default=300, help="meaning units coded in the transcript")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--coding-repeat", type=int, default=10, help="selections coded (each undone after)")
    args = ap.parse_args()
    os.environ.setdefault("QUALCODE_CONFIG_DIR", tempfile.mkdtemp())
    with tempfile.TemporaryDirectory() as tmp:
        path = make_project(Path(tmp), args.words, args.units)
        with Project.open(path, backup=False) as p:
            words = p.transcript("T1").words
            units = len(p.codings())
        figures = asyncio.run(measure(path, args.repeat, args.coding_repeat))
    lines = figures.pop("_lines")
    coding = figures.pop("_coding")
    coding.update(figures.pop("_repairs"))
    document = figures.pop("_document_lines")
    floor = statistics.median(figures["baseline: a key nobody handles"]) * 1000
    print(f"transcript: {words:,} words, {document:,} display lines, {units} units; terminal 120x40; "
          f"medians of {args.repeat} keystrokes (5 opens, {args.coding_repeat} codings)")
    print(f"floor: a key nobody handles, {floor:.1f} ms CPU; ratio = CPU / floor")
    print(f"{'':<38} {'CPU':>9} {'ratio':>6} {'wall':>9}")
    for name, times in figures.items():
        if name.startswith("wall:"):
            continue
        cpu, wall = statistics.median(times) * 1000, statistics.median(figures[f"wall:{name}"]) * 1000
        extra = ""
        if name in lines:
            extra = f"  lines rendered: median {statistics.median(lines[name]):.0f}, max {max(lines[name])}"
        if f"sql:{name}" in coding:
            extra += f"  SQL statements: median {statistics.median(coding[f'sql:{name}']):.0f}"
        if f"reloads:{name}" in coding:
            extra += f", full re-reads: {max(coding[f'reloads:{name}'])}"
        print(f"{name:<38} {cpu:6.1f} ms {cpu / floor:5.1f}x {wall:6.1f} ms{extra}")
    watched = max(coding["reloads:after the save, by the watch"])
    print(f"full re-reads by the watch after one's own save (max): {watched}")
    first = statistics.median(figures["open coding screen, first paint"]) * 1000
    coding_names = ("open the code picker (c)", "code the selection (Enter in picker)")
    worst_key = max(statistics.median(t) for n, t in figures.items()
                    if not n.startswith(("open", "baseline", "wall:", "repair")) and n not in coding_names) * 1000
    worst_repair = max(statistics.median(t) for n, t in figures.items() if n.startswith("repair:")) * 1000
    worst_coding = max(statistics.median(figures[n]) for n in coding_names) * 1000
    coding_goal = 50 if args.words <= 50_000 else 100
    print(f"goals (CPU): first paint < 300 ms -> {'met' if first < 300 else 'NOT met'} ({first:.0f} ms); "
          f"keystroke < 50 ms -> {'met' if worst_key < 50 else 'NOT met'} (slowest median {worst_key:.1f} ms); "
          f"coding < {coding_goal} ms -> {'met' if worst_coding < coding_goal else 'NOT met'} "
          f"(slowest median {worst_coding:.1f} ms); repair < 150 ms -> "
          f"{'met' if worst_repair < 150 else 'NOT met'} (slowest median {worst_repair:.1f} ms)")

if __name__ == "__main__":
    main()

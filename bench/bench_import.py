"""Import bench: a study-sized corpus (8 transcripts, ~130,000 words) parsed and stored.

Prints parse time, store time and words/second, and the ratio of the whole import to a baseline
measured in the same run (reading the files and splitting them into words), because these
machines are noisy. Goal: the whole corpus imported and stored in under 3 s.

    python bench/bench_import.py [--words 130000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import ROLE_RULES, SPEAKERS, utterance

from qualcode.importers import parse_transcript
from qualcode.store import Project
from qualcode.store.project import RoleRule


def make_corpus(folder: Path, total_words: int, rng: random.Random) -> list[Path]:
    per_file = total_words // 8
    files = []
    for i in range(8):
        kind = "vtt" if i == 6 else "docx" if i == 7 else "txt"
        turns, count = [], 0
        while count < per_file:
            n = rng.randint(8, 120)
            turns.append((SPEAKERS[rng.randrange(len(SPEAKERS))], utterance(rng, n)))
            count += n
        path = folder / f"fg{i + 1}.{kind}"
        if kind == "txt":
            path.write_text("".join(f"{s}: {t}\n\n" for s, t in turns), encoding="utf-8")
        elif kind == "vtt":
            lines, clock = ["WEBVTT", ""], 0.0
            for s, t in turns:
                end = clock + max(1.0, len(t) / 15)
                lines += [f"{_ts(clock)} --> {_ts(end)}", f"<v {s}>{t}</v>", ""]
                clock = end
            path.write_text("\n".join(lines), encoding="utf-8")
        else:
            import docx

            document = docx.Document()
            for s, t in turns:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{s}:").bold = True
                paragraph.add_run(" " + t)
            document.save(path)
        files.append(path)
    return files


def _ts(seconds: float) -> str:
    ms = int(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def run_once(files: list[Path], workdir: Path, n: int) -> tuple[float, float, float, int]:
    t0 = time.perf_counter()
    words = 0
    for f in files:
        words += len(f.read_bytes().decode("utf-8", errors="replace").split())
    baseline = time.perf_counter() - t0

    t0 = time.perf_counter()
    parsed = [parse_transcript(f) for f in files]
    parse = time.perf_counter() - t0

    project = Project.create(workdir / f"bench{n}.qualcode")
    roles = [RoleRule.parse(rule) for rule in ROLE_RULES]
    t0 = time.perf_counter()
    for f, p in zip(files, parsed):
        project.import_transcript(p, title=f.stem, group=f"Fokusgruppe {f.stem[2:]}", roles=roles)
    store = time.perf_counter() - t0
    stored_words = sum(t.words for t in project.transcripts())
    project.close()
    return baseline, parse, store, stored_words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=130_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_corpus(folder, args.words, rng)
        runs = [run_once(files, folder, n) for n in range(args.repeat)]
    baseline, parse, store, words = (statistics.median(r[i] for r in runs) for i in range(4))
    total = parse + store
    print(f"corpus: {len(files)} transcripts (6 txt, 1 vtt, 1 docx), {int(words):,} words; median of {args.repeat} runs")
    print(f"baseline (read + split words): {baseline * 1000:8.1f} ms")
    print(f"parse (importers):             {parse * 1000:8.1f} ms")
    print(f"store (SQLite, one transaction per transcript): {store * 1000:8.1f} ms")
    print(f"import total:                  {total * 1000:8.1f} ms  = {words / total:,.0f} words/s"
          f"  ({total / baseline:.1f}x baseline)")
    print(f"goal: under 3000 ms -> {'met' if total < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()

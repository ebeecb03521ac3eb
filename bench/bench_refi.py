"""REFI-QDA import bench: a qualcode export of 5,000 units, and a large NVivo-for-Windows project.

Two cases, each imported into a new project by :func:`qualcode.refi.importer.import_qdpx`:

* **qualcode, 5,000 units**: a project of ``--transcripts`` generated focus groups and ``--units``
  meaning units by two coders (a third condensed, a tenth starred), built with the store API and
  exported with :func:`qualcode.refi.write.write_qdpx`. Goal: well under the ~4 s it took.
* **NVivo (Windows), 1.2 MB**: a ``.qdpx`` made by hand the way NVivo for Windows writes one:
  origin "NVivo", lowercase GUIDs, one ``TextSource`` whose text member is ~``--mb`` MB of invented
  Norwegian dialogue in UTF-8 *with* a BOM and CRLF line endings, with emoji (outside the BMP)
  and decomposed characters (``e`` + combining acute), and ``--codings`` ``PlainTextSelection``s
  with a ``Coding`` each whose positions are UTF-16 code units, CRLF counted as two and the BOM
  not counted. Goal: under 2 s (it took 15 s and 260 MB). The imported units' texts are checked.

Every run is a new process (as ``qualcode import`` is), with qualcode's modules imported before
the clock starts; it reports wall and CPU seconds (``time.process_time``) of the work and its
peak resident memory (``VmHWM``), both whole and above what the process held before the work.
Floors, measured in the same rounds in the same way (these machines are noisy and shared):

* **floor: unzip + lxml parse**: the ``.qde`` decompressed and parsed with plain lxml, and every
  text member read and decoded: what any import must do before it understands the file.
* **floor: same text(s) as .txt**: the same transcripts, written as ``.txt`` with LF endings,
  imported by ``parse_transcript`` + ``Project.import_transcript`` (what ``qualcode import``
  of a text file does): storing the text, without a single coding.

Each case runs ``--repeat`` times, one round after another (every case once per round); the
median is shown.

    python bench/bench_refi.py [--repeat 3] [--quick] [--only qualcode|nvivo]
                               [--units 5000] [--transcripts 10] [--mb 1.2] [--codings 300]
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus
from corpus import ROLE_RULES, SPEAKERS

REPO = Path(__file__).resolve().parent.parent
UNITS_GOAL = 4.0  # seconds it took; "well under"
NVIVO_GOAL = 2.0
EMOJI = ["😊", "👍", "😂", "🙏", "❤️", "🤔"]
ACCENTED = ["ide\u0301", "kafe\u0301", "alle\u0301", "entre\u0301", "ide\u0301en"]  # e + combining acute


# --- case a: a qualcode export ----------------------------------------------------------------


def build_qualcode(folder: Path, n_units: int, n_transcripts: int, rng: random.Random) -> tuple[Path, list[Path]]:
    """A project with ``n_units`` units, exported to ``qualcode.qdpx``; its texts also as ``.txt``."""
    from qualcode.core.codebook import load_codebook
    from qualcode.refi.write import write_qdpx
    from qualcode.store import Project
    from qualcode.store.project import RoleRule

    roles = [RoleRule.parse(rule) for rule in ROLE_RULES]
    project = Project.create(folder / "source.qualcode", codebook=load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml"))
    project.conn.execute("PRAGMA synchronous = OFF")  # setting up only
    texts = []
    for i in range(n_transcripts):
        parsed = corpus.transcript(rng, 220)
        text = parsed.text
        texts.append(folder / f"fg{i + 1}.txt")
        texts[-1].write_text(text, encoding="utf-8")
        project.import_transcript(parsed, title=f"Fokusgruppe {i + 1}",
                                  group=f"Fokusgruppe {i + 1}", group_attributes={"institusjon": f"Senter {i + 1}"},
                                  roles=roles)
    corpus.code_at_random(project, rng, n_units)
    write_qdpx(project, folder / "qualcode.qdpx")
    project.close()
    return folder / "qualcode.qdpx", texts


# --- case b: NVivo for Windows ------------------------------------------------------------------


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))  # lowercase, as NVivo writes them


def nvivo_text(rng: random.Random, size: int) -> str:
    """Dialogue with CRLF endings (no BOM: that is added to the bytes), emoji and decomposed é."""
    turns, total, n = [], 0, 0
    words = [*corpus.WORDS, *ACCENTED]
    while total < size:
        said = corpus.utterance(rng, rng.randint(8, 120), words)
        if n % 7 == 3:
            said += " " + rng.choice(EMOJI)
        turn = f"{SPEAKERS[rng.randrange(len(SPEAKERS))]}: {said}"
        turns.append(turn)
        total += len(turn.encode("utf-8")) + 4
        n += 1
    return "Fokusgruppe Solvang, fagdag\r\n\r\n" + "\r\n\r\n".join(turns) + "\r\n"


def build_nvivo(folder: Path, mb: float, n_codings: int, rng: random.Random) -> tuple[Path, Path, list]:
    """The .qdpx, the same text as .txt, and the expected (code name, unit text) of every coding."""
    import zipfile

    from qualcode.core.text import normalize_text

    body = nvivo_text(rng, int(mb * 1024 * 1024))
    users = [(_guid(rng), "KN", "Kari Nordmann"), (_guid(rng), "OH", "Ola Hansen"), (_guid(rng), "IB", "Ingrid Berg")]
    codes = [(_guid(rng), name, colour) for name, colour in [
        ("Håp", "#1F77B4"), ("Relasjoner", "#FF7F0E"), ("Behandling", "#2CA02C"), ("Hverdagen", "#D62728"),
        ("Arbeid og skole", "#9467BD"), ("Mestring", "#8C564B"), ("Skam", "#E377C2")]]
    # Selections on word boundaries: most inside one turn, some across turns (and so across CRLFs).
    starts = [m for m in range(1, len(body)) if body[m - 1] in " \n" and body[m] not in " \r\n"]
    ends = [m for m in range(1, len(body)) if body[m] in " \r" and body[m - 1] not in " \r\n"]
    selections = []
    while len(selections) < n_codings:
        a = rng.choice(starts)
        k = bisect.bisect_right(ends, a)
        span = rng.randint(2, 40) if len(selections) % 5 else rng.randint(100, 400)
        if k + span >= len(ends):
            continue
        selections.append((a, ends[k + span]))

    def utf16(i: int) -> int:  # the BOM is not counted; CRLF is two units, an emoji two
        return len(body[:i].encode("utf-16-le")) // 2

    expected = []
    stamp = "2025-03-14T10:21:07Z"
    sel_xml = []
    for n, (a, b) in enumerate(selections):
        user = users[n % len(users)][0]
        code = codes[n % len(codes)]
        expected.append((code[1], normalize_text(body[a:b])))
        sel_xml.append(
            f'<PlainTextSelection guid="{_guid(rng)}" startPosition="{utf16(a)}" endPosition="{utf16(b)}" '
            f'creatingUser="{user}" creationDateTime="{stamp}">'
            f'<Coding guid="{_guid(rng)}" creatingUser="{user}" creationDateTime="{stamp}">'
            f'<CodeRef targetGUID="{code[0]}"/></Coding></PlainTextSelection>')
    source = _guid(rng)
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Fagdager NVivo" origin="NVivo" '
        f'creatingUserGUID="{users[0][0]}" creationDateTime="{stamp}">'
        "<Users>" + "".join(f'<User guid="{g}" id="{i}" name="{n}"/>' for g, i, n in users) + "</Users>"
        "<CodeBook><Codes>" + "".join(f'<Code guid="{g}" name="{n}" isCodable="true" color="{c}"/>'
                                      for g, n, c in codes) + "</Codes></CodeBook>"
        f'<Sources><TextSource guid="{source}" name="Fokusgruppe Solvang" '
        f'richTextPath="internal://{source}.docx" plainTextPath="internal://{source}.txt" '
        f'creatingUser="{users[0][0]}" creationDateTime="{stamp}">' + "".join(sel_xml) + "</TextSource></Sources>"
        "</Project>")
    path = folder / "nvivo.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde.encode("utf-8"))
        z.writestr(f"sources/{source}.txt", b"\xef\xbb\xbf" + body.encode("utf-8"))
    txt = folder / "nvivo.txt"
    txt.write_text(normalize_text(body), encoding="utf-8")
    return path, txt, expected


# --- one run, in a child process -----------------------------------------------------------------


def child(kind: str, files: list[str], out: str) -> None:
    """Run one case in this (new) process and print wall, CPU and memory as JSON."""
    import zipfile

    from lxml import etree

    from qualcode.importers import parse_transcript
    from qualcode.refi import importer
    from qualcode.store import Project, backup, staging  # noqa: F401  (imported before the clock starts)

    def work() -> None:
        if kind == "import":
            importer.import_qdpx(Path(files[0]), Path(out))
        elif kind == "parse":
            with zipfile.ZipFile(files[0]) as z:
                for name in z.namelist():
                    data = z.read(name)
                    if name.endswith(".qde"):
                        etree.fromstring(data)
                    elif name.endswith(".txt"):
                        data.decode("utf-8")
        elif kind == "txt":
            with Project.create(Path(out)) as project:
                for f in files:
                    project.import_transcript(parse_transcript(Path(f)), title=Path(f).stem)
        else:
            raise SystemExit(f"unknown kind {kind}")

    before = peak_kb()
    w0, c0 = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    peak = peak_kb()
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": peak / 1024, "work_mb": (peak - before) / 1024}))


def peak_kb() -> int:
    """This process's peak resident memory in KB. Linux's VmHWM, which starts anew at exec;
    ``ru_maxrss`` keeps the parent's peak across fork + exec, so it is only the fallback."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(kind: str, files: list[Path], out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(out), *map(str, files)],
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode:
        raise SystemExit(f"{kind} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- checks -------------------------------------------------------------------------------------


def unit_texts(path: Path) -> list[tuple[str, str]]:
    from qualcode.store import Project

    with Project.open(path, backup=False) as project:
        names = {n.id: n.name for _, n in project.codebook().walk()}
        return sorted((names[u.code], u.text) for u in project.units())


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[4:], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round, 1,000 units, a 0.3 MB NVivo text")
    parser.add_argument("--only", choices=["qualcode", "nvivo"], help="only this case (and its floors)")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--transcripts", type=int, default=10)
    parser.add_argument("--mb", type=float, default=1.2, help="size of the NVivo text in MB")
    parser.add_argument("--codings", type=int, default=300)
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.units, args.mb = 1, 1000, 0.3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: dict[str, tuple[str, list[Path]]] = {}
        checks = {}
        if args.only in (None, "qualcode"):
            t0 = time.perf_counter()
            qdpx, texts = build_qualcode(folder, args.units, args.transcripts, rng)
            print(f"built a qualcode export of {args.units:,} units in {len(texts)} transcripts "
                  f"({qdpx.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s (not timed)")
            cases["qualcode: floor: unzip + lxml parse"] = ("parse", [qdpx])
            cases["qualcode: floor: same texts as .txt"] = ("txt", texts)
            cases[f"qualcode: import {args.units:,} units"] = ("import", [qdpx])
            checks[f"qualcode: import {args.units:,} units"] = unit_texts(folder / "source.qualcode")
        if args.only in (None, "nvivo"):
            qdpx, txt, expected = build_nvivo(folder, args.mb, args.codings, rng)
            size = len(txt.read_bytes())
            print(f"built an NVivo-like .qdpx: a {size / 1e6:.2f} MB text (BOM, CRLF, emoji, decomposed é), "
                  f"{args.codings} codings")
            cases["nvivo: floor: unzip + lxml parse"] = ("parse", [qdpx])
            cases["nvivo: floor: same text as .txt"] = ("txt", [txt])
            cases[f"nvivo: import {args.mb:g} MB, {args.codings} codings"] = ("import", [qdpx])
            checks[f"nvivo: import {args.mb:g} MB, {args.codings} codings"] = sorted(expected)
        runs: dict[str, list[dict]] = {name: [] for name in cases}
        counter = iter(range(1_000_000))
        for _ in range(args.repeat):
            for name, (kind, files) in cases.items():
                out = folder / f"run{next(counter)}.qualcode"
                runs[name].append(run_child(kind, files, out))
                if name in checks:
                    got = unit_texts(out)
                    if got != checks.pop(name):
                        raise SystemExit(f"{name}: the imported units' texts are not the ones selected")
                out.unlink(missing_ok=True)
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
    print(f"median of {args.repeat} rounds, each run a new process; the units' texts were checked")
    print(f"{'':<38} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'work MB':>8} {'x parse':>8} {'x .txt':>8}")
    goals = []
    for name, m in med.items():
        case = name.partition(":")[0]
        ratios = ["", ""]
        if "floor" not in name:
            ratios = [f"{m['wall'] / med[f'{case}: floor: unzip + lxml parse']['wall']:>7.1f}x",
                      f"{m['wall'] / med[next(k for k in med if k.startswith(case + ': floor: same'))]['wall']:>7.1f}x"]
            goal = UNITS_GOAL if case == "qualcode" else NVIVO_GOAL
            goals.append(f"{case}: {m['wall']:.2f} s (goal under {goal:g} s: {'met' if m['wall'] < goal else 'NOT met'})")
        print(f"{name:<38} {m['wall']:>7.3f} {m['cpu']:>7.3f} {m['peak_mb']:>8.0f} {m['work_mb']:>8.0f} "
              f"{ratios[0]:>8} {ratios[1]:>8}")
    print("(peak MB: the process's peak resident memory; work MB: the part above what it held before the work)")
    print("; ".join(goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())

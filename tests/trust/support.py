"""Shared pieces of the trust tests: a project big enough to code for a while, the CLI as a
subprocess, and plain-sqlite3 looks at a project file from outside qualcode."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from qualcode.core.codebook import parse_codebook
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project

from ..conftest import CODEBOOK_YAML, ROLES

PY = sys.executable
BUSY_TEXT = "another qualcode process is writing"
PROGRESS = re.compile(r"^analysing .*\d+%")
WORDS = ["jeg", "kjente", "meg", "igjen", "det", "var", "som", "å", "høre", "min", "egen", "historie", "for", "meg", "ga", "det", "håp", "faktisk", "man", "ser", "at", "går", "an", "æ", "veit", "ikkje", "helt", "men", "fint", "ho", "klarte", "seg"]


def build_project(path: Path, *, transcripts: int = 3, turns: int = 60, seed: int = 1) -> Path:
    """A project with ``transcripts`` focus groups of ``turns`` turns each (a quarter by the
    interviewer), several sentences a turn: room for hundreds of distinct meaning units."""
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize() + "."

    with Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "test.yaml")) as project:
        for t in range(transcripts):
            dialogue = []
            for i in range(turns):
                speaker = "Intervjuer" if i % 4 == 0 else rng.choice(["P1", "P2", "Ansatt 1"])
                dialogue.append((speaker, " ".join(sentence() for _ in range(rng.randint(2, 4)))))
            project.import_transcript(ParsedTranscript.from_dialogue(dialogue), title=f"Fokusgruppe {t + 1}",
                                      group=f"FG{t + 1}", roles=ROLES)
    return path


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QUALCODE_CONFIG_DIR"] = str(tmp_path / "config")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "qualcode", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def error_lines(stderr: str) -> list[str]:
    """stderr's lines without blank ones and without progress reports ('analysing ...: 75% ...')."""
    return [line for line in stderr.splitlines() if line.strip() and not PROGRESS.match(line)]


def is_one_line_error(result: subprocess.CompletedProcess) -> bool:
    lines = error_lines(result.stderr)
    return len(lines) == 1 and lines[0].startswith("qualcode: error:")


def describe(result: subprocess.CompletedProcess) -> str:
    tail = "\n".join(result.stderr.strip().splitlines()[-3:])
    return f"{' '.join(map(str, result.args[3:]))} -> exit {result.returncode}: {tail}"


def read_codings(path: Path) -> list[tuple]:
    """(id, coder, transcript, start, end, code) of every row, read with plain sqlite3.
    Only for a file no Project in this process has open (closing a second descriptor of the
    file would drop that Project's locks)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, coder, transcript_id, start, end, code_id FROM codings ORDER BY id").fetchall()
    finally:
        conn.close()


def integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` from a separate process."""
    code = ("import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "rows = [r[0] for r in c.execute('PRAGMA integrity_check')]\n"
            "rows += ['fk: %r' % (r,) for r in c.execute('PRAGMA foreign_key_check')]\n"
            "print('\\n'.join(rows))\n")
    out = subprocess.run([PY, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    if out.returncode:
        return [f"integrity check could not run: {out.stderr.strip()[-300:]}"]
    return [line for line in out.stdout.splitlines() if line != "ok"]


def dead_pid() -> int:
    """The id of a process that has just ended (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid

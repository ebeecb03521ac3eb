"""``qualcode units --json`` streams: the first unit is on stdout before the last is read, and the
bytes are those of the whole list dumped at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from qualcode.cli import main
from qualcode.store import Project

QUOTES = [  # (quote, code, coder, condensed, memo)
    ("jeg kjente meg igjen", "hap-gjen", "AB", "Kjente seg igjen", ""),
    ("Det var som å høre min egen historie", "hap-gjen", "CD", "", "«egen historie» – sitat?"),
    ("For meg ga det håp", "hap", "AB", "Ga håp", ""),
    ("Æ veit ikkje helt", "rec", "CD", "", ""),
    ("det var fint å høre at ho klarte seg", "hap-sol", "AB", "", "dialekt: ho = hun"),
]


@pytest.fixture
def coded(project) -> Project:
    for quote, code, coder, condensed, memo in QUOTES:
        start, end = project.find_quote("T1", quote)[0]
        project.add_coding("T1", start, end, code, coder, condensed=condensed, memo=memo)
    return project


def dumped(project: Project, **filters) -> str:
    """What ``units --json`` has always printed: the whole list, dumped at once."""
    return json.dumps([u.as_dict() for u in project.units(**filters)], ensure_ascii=False, indent=2) + "\n"


def test_each_unit_is_written_before_the_next_is_read(coded, capsys, monkeypatch):
    reading = Project.iter_units
    before_each: list[str] = []  # stdout written since the previous unit was read

    def watched(self, *args, **kwargs):
        for unit in reading(self, *args, **kwargs):
            before_each.append(capsys.readouterr().out)
            yield unit

    monkeypatch.setattr(Project, "iter_units", watched)
    assert main(["units", str(coded.path), "--json"]) == 0
    rest = capsys.readouterr().out
    monkeypatch.undo()

    assert len(before_each) == len(QUOTES)
    assert before_each[0] == ""  # nothing before the first unit: an error could still leave stdout empty
    first = json.loads(before_each[1].removeprefix("[\n"))
    assert first["text"] == "jeg kjente meg igjen" and first["code_path"] == ["Opplevelser av håp", "Gjenkjennelse"]
    assert all(piece for piece in before_each[1:])  # every unit out before the next one is read
    assert "".join(before_each) + rest == dumped(coded)


@pytest.mark.parametrize("filters", [
    [], ["--coder", "AB"], ["--code", "hap", "--subcodes"], ["--role", "PASIENT"], ["--starred"],
    ["--transcript", "T1", "--coder", "CD", "--role", "pasient"],
])
def test_the_bytes_are_those_of_the_whole_list(coded, capsys, filters):
    coded.update_coding(2, starred=True)
    assert main(["units", str(coded.path), *filters, "--json"]) == 0
    options = dict(zip(filters[::2], filters[1::2], strict=False))
    expected = dumped(coded, transcript=options.get("--transcript"), coder=options.get("--coder"),
                      code=options.get("--code"), include_subcodes="--subcodes" in filters,
                      role=options.get("--role"), starred="--starred" in filters)
    out = capsys.readouterr().out
    assert out == expected
    assert json.loads(out)  # and it is one JSON document


def test_no_unit_is_an_empty_list_and_an_error_writes_nothing(coded, capsys):
    assert main(["units", str(coded.path), "--coder", "XY", "--json"]) == 0
    assert capsys.readouterr().out == "[]\n"
    assert main(["units", str(coded.path), "--code", "no-such-code", "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no-such-code" in err


def test_the_text_listing_is_unchanged(coded, capsys):
    assert main(["units", str(coded.path), "--role", "pasient"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["1", "T1", lines[0].split()[2], "P1"]
    assert "«jeg kjente meg igjen»" in lines[1] and "condensed: Kjente seg igjen" in lines[2]
    assert not any("For meg ga det håp" in line for line in lines)  # Ansatt 1 is not pasient
    assert main(["units", str(coded.path), "--coder", "XY"]) == 0
    assert capsys.readouterr().out == "no meaning units match\n"


def test_a_reader_gets_the_first_unit_while_the_rest_are_made(coded, tmp_path):
    """End to end, in a process of its own: the start of the list is on the pipe before the end
    is made (the units are slowed down, one by one, after the first)."""
    script = tmp_path / "slow.py"
    script.write_text(
        "import sys, time\n"
        "from qualcode.store import Project\n"
        "from qualcode.cli import main\n"
        "reading = Project.iter_units\n"
        "def slow(self, *a, **k):\n"
        "    for n, unit in enumerate(reading(self, *a, **k)):\n"
        "        if n:\n"
        "            sys.stdout.flush()\n"
        "            sys.stdin.readline()  # wait for the reader's go-ahead\n"
        "        yield unit\n"
        "Project.iter_units = slow\n"
        "sys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), "units", str(coded.path), "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdin is not None and proc.stdout is not None
    watchdog = threading.Timer(60, proc.kill)  # a list built whole would never come: fail, not hang
    watchdog.start()
    try:
        head = proc.stdout.readline() + proc.stdout.readline()
        assert head == "[\n  {\n"  # the first unit, while the second is not read yet
        proc.stdin.write("\n" * len(QUOTES))
        proc.stdin.close()
        out = head + proc.stdout.read()
        assert proc.wait() == 0
    finally:
        watchdog.cancel()
    assert out == dumped(coded)

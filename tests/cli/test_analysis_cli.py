"""``qualcode cooccurrence`` and ``qualcode saturation`` on the invented study of
:mod:`tests.core.test_cooccurrence` (its docstring has the table of units the counts come from)."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

from qualcode.cli import analysis_commands, main, parser
from qualcode.store import Project, deid

from ..core.test_cooccurrence import UNITS, build_study


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The commands as 'qualcode' will have them once the parser lists the module (until then, here)."""
    if analysis_commands.register not in parser.REGISTRARS:
        monkeypatch.setattr(parser, "REGISTRARS", (*parser.REGISTRARS, analysis_commands.register))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def studie(tmp_path):
    project, ids = build_study(tmp_path / "studie.qualcode")
    project.close()
    return tmp_path / "studie.qualcode", ids


def pairs(document) -> dict[tuple[str, str], tuple[int, int, int, float]]:
    return {(p["a"], p["b"]): (p["n_a"], p["n_b"], p["both"], p["c"]) for p in document["pairs"]}


# --- cooccurrence ---------------------------------------------------------------------------------


def test_cooccurrence_counts_one_coders_overlapping_units(studie, capsys):
    path, _ = studie
    found = run_json(capsys, "cooccurrence", path, "--coder", "AB")
    assert (found["coder"], found["level"], found["subcodes"], found["units"]) == ("AB", "unit", False, 13)
    assert {c["id"]: c["n"] for c in found["codes"]} == {"hap": 2, "hap-sol": 2, "hap-gjen": 1, "rec": 5,
                                                       "hverdag": 2, "bruk": 1}
    assert pairs(found) == {("hap-sol", "rec"): (2, 5, 2, 0.4), ("hap-gjen", "rec"): (1, 5, 1, 0.2),
                            ("rec", "hverdag"): (5, 2, 1, 0.1667)}

    code, out, err = run(capsys, "cooccurrence", path, "--coder", "AB")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Co-occurrence of codes") and "Coder: AB" in out
    assert "each code as itself" in out
    assert any(line.split() == ["hap-sol", "rec", "2", "5", "2", "0.40"] for line in lines)
    assert any(line.split()[:3] == ["rec", "Opplevelser", "av"] for line in lines)  # the codes and their names


def test_cooccurrence_with_subcodes_and_at_turn_level(studie, capsys):
    path, _ = studie
    themed = run_json(capsys, "cooccurrence", path, "--coder", "AB", "--subcodes")
    assert pairs(themed)[("hap", "rec")] == (5, 5, 3, 0.4286)
    assert next(p for p in themed["pairs"] if p["a"] == "hap")["several"] is True
    code, out, _ = run(capsys, "cooccurrence", path, "--coder", "AB", "--subcodes")
    assert code == 0
    assert "a code with its subcodes" in out and "0.43*" in out and "* " in out  # the flag is explained

    turns = run_json(capsys, "cooccurrence", path, "--coder", "AB", "--level", "turn")
    assert turns["level"] == "turn"
    assert pairs(turns) == {("hap-sol", "hap-gjen"): (2, 1, 1, 0.5), ("hap-gjen", "rec"): (1, 5, 1, 0.2),
                            ("hap-sol", "rec"): (2, 5, 2, 0.4), ("hap", "rec"): (2, 5, 1, 0.1667),
                            ("rec", "hverdag"): (5, 2, 1, 0.1667), ("rec", "bruk"): (5, 1, 1, 0.2)}


def test_cooccurrence_by_role_and_by_group(studie, capsys):
    path, _ = studie
    found = run_json(capsys, "cooccurrence", path, "--coder", "AB", "--by", "role")
    assert found["by"] == "role"
    split = {s["value"]: s for s in found["split"]}
    assert list(split) == ["ansatt", "pasient"]
    assert split["pasient"]["units"] == 8 and split["ansatt"]["units"] == 5
    assert pairs(split["pasient"]) == {("hap-sol", "rec"): (2, 3, 2, 0.6667), ("hap-gjen", "rec"): (1, 3, 1, 0.3333),
                                       ("rec", "hverdag"): (3, 2, 1, 0.25)}
    assert split["ansatt"]["pairs"] == []
    code, out, _ = run(capsys, "cooccurrence", path, "--coder", "AB", "--by", "role")
    assert code == 0
    header = next(line for line in out.splitlines() if line.split()[:2] == ["A", "B"])
    assert header.split()[-2:] == ["ansatt", "pasient"]
    row = next(line for line in out.splitlines() if line.split()[:2] == ["hap-sol", "rec"])
    assert row.split()[-3:] == ["-", "2", "(0.67)"]

    groups = run_json(capsys, "cooccurrence", path, "--coder", "AB", "--by", "group")
    assert [s["value"] for s in groups["split"]] == ["FG1", "FG2", "FG3"]
    assert pairs(groups["split"][1]) == {("hap-sol", "rec"): (1, 1, 1, 1.0)}


def test_cooccurrence_lists_the_passages_coded_with_both(studie, capsys):
    path, ids = studie
    code, out, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap-sol,rec")
    assert code == 0, err
    assert "2 passages coded with both hap-sol" in out
    assert "«det ga meg håp»" in out
    assert "«Å høre at han fikk tilbake familien sin, det ga meg håp.»" in out
    assert f"units {ids[2]} + {ids[3]}" in out and "P1 (pasient)" in out and "FG1" in out
    found = run_json(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "REC,hap-sol")  # any case, any order
    assert found["codes"] == ["rec", "hap-sol"]
    assert [(p["transcript"], p["text"], p["units_a"], p["units_b"]) for p in found["passages"]] == [
        ("T1", "det ga meg håp", [ids[3]], [ids[2]]),
        ("T2", "Å høre at han fikk tilbake familien sin, det ga meg håp.", [ids[9]], [ids[8]]),
    ]
    code, out, _ = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap,bruk")
    assert code == 0 and "no passage is coded with both hap and bruk" in out


def test_cooccurrence_writes_csv_files(studie, tmp_path, capsys):
    path, _ = studie
    out_file = tmp_path / "par.csv"
    code, out, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--by", "role", "--csv", out_file)
    assert code == 0, err
    assert f"wrote {out_file}" in out
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert rows[0] == {"scope": "all", "value": "", "code_a": "hap-sol", "name_a": "Solskinnshistorier",
                       "code_b": "rec", "name_b": "Opplevelser av recovery", "n_a": "2", "n_b": "5", "both": "2",
                       "c": "0.4000", "several": "no"}
    patients = [r for r in rows if r["value"] == "pasient"]
    assert [(r["code_a"], r["code_b"], r["both"]) for r in patients] == [("hap-sol", "rec", "2"),
                                                                         ("hap-gjen", "rec", "1"),
                                                                         ("rec", "hverdag", "1")]
    # the passages, de-identified like every export
    with Project.open(path, backup=False) as project:
        deid.add_term(project, "familien", "PER")
    listed = tmp_path / "passasjer.csv"
    code, out, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap-sol,rec", "--csv", listed,
                         "--nlp-model", "basic")
    assert code == 0, err
    text = listed.read_text(encoding="utf-8-sig")
    assert "familien" not in text and "[Navn 1]" in text
    assert "familien" in out  # the terminal shows the transcript as it is, as 'qualcode units' does
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["text"] == "det ga meg håp"


def test_cooccurrence_chooses_one_coder(studie, capsys):
    path, _ = studie
    code, out, err = run(capsys, "cooccurrence", path)
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0
    assert "2 coders (AB, CD)" in err and "--coder" in err
    only_cd = run_json(capsys, "cooccurrence", path, "--coder", "CD")
    assert pairs(only_cd) == {("hap-gjen", "rec"): (1, 1, 1, 1.0)}
    # after reconciling, the consensus is the default, and the output says so
    with Project.open(path, backup=False) as project:
        for n in (8, 9, 10):
            tid, quote, code_id, _ = UNITS[n]
            start = project.text(tid).index(quote)
            project.add_coding(tid, start, start + len(quote), code_id, "consensus")
    code, out, err = run(capsys, "cooccurrence", path)
    assert code == 0, err
    assert "Coder: consensus" in out and "--coder" in out
    assert run_json(capsys, "cooccurrence", path)["coder"] == "consensus"


def test_cooccurrence_errors_are_one_line(studie, tmp_path, capsys):
    path, _ = studie
    code, out, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap-sl,rec")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "no code 'hap-sl'" in err and "did you mean 'hap-sol'" in err
    code, _, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap")
    assert code == 1 and "two codes" in err
    code, _, err = run(capsys, "cooccurrence", path, "--coder", "AB", "--codes", "hap,hap-sol", "--subcodes")
    assert code == 1 and "hap-sol is a subcode of hap" in err
    code, _, err = run(capsys, "cooccurrence", path, "--coder", "XY")
    assert code == 1 and "no units by coder 'XY'" in err and "AB, CD" in err
    empty = tmp_path / "tom.qualcode"
    Project.create(empty).close()
    code, out, err = run(capsys, "cooccurrence", empty)
    assert code == 1 and out == "" and err.count("\n") == 1 and "no meaning units" in err


# --- saturation -----------------------------------------------------------------------------------


def steps(document) -> list[tuple[str, int, list[str], int]]:
    return [(s["group"], s["units"], s["new_codes"], s["codes_so_far"]) for s in document["steps"]]


def test_saturation_in_import_order(studie, capsys):
    path, _ = studie
    found = run_json(capsys, "saturation", path, "--coder", "AB")
    assert found["order"] == "in import order" and found["coder"] == "AB"
    assert steps(found) == [("FG1", 7, ["hap", "hap-sol", "hap-gjen", "rec", "hverdag"], 5), ("FG2", 3, [], 5),
                            ("FG3", 3, ["bruk"], 6)]
    assert found["steps"][2]["themes"] == {"hap": 5, "rec": 5, "hverdag": 2, "bruk": 1, "fagdag": 0}
    assert found["steps"][0]["roles"] == {"pasient": 5, "ansatt": 2}
    assert found["unused_codes"] == ["fagdag"]

    code, out, err = run(capsys, "saturation", path, "--coder", "AB")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert any(line.split()[:6] == ["1", "FG1", "T1", "7", "5", "5"] for line in lines)
    assert any(line.split() == ["2", "FG2", "T2", "3", "0", "5"] for line in lines)
    assert any(line.split()[:4] == ["hap", "Opplevelser", "av", "håp"] and line.split()[-3:] == ["3", "4", "5"]
               for line in lines)
    assert any(line.split() == ["pasient", "5", "8", "8"] for line in lines)
    assert "Codes never used: fagdag" in out
    assert lines[-1] == ("Did the last focus groups add anything new? Yes: the last one, FG3, added 1 new code "
                         "(bruk), so new codes were still appearing.")


def test_saturation_by_date_and_by_attribute(studie, capsys):
    path, _ = studie
    dated = run_json(capsys, "saturation", path, "--coder", "AB", "--order", "date")
    assert [(s["group"], s["value"], s["new"]) for s in dated["steps"]] == [
        ("FG2", "2024-03-07", 3), ("FG1", "2024-03-14", 2), ("FG3", None, 1)]
    code, out, _ = run(capsys, "saturation", path, "--coder", "AB", "--order", "date")
    assert "FG3 has no date: placed last" in out
    last = run_json(capsys, "saturation", path, "--coder", "AB", "--order", "attr=rekke")
    assert steps(last)[-1] == ("FG2", 3, [], 6)
    assert last["verdict"].startswith("Did the last focus groups add anything new? No: the last one, FG2,")
    code, out, _ = run(capsys, "saturation", path, "--coder", "AB", "--order", "attr=rekke")
    assert code == 0
    assert out.splitlines()[-1] == last["verdict"]


def test_saturation_chart(studie, tmp_path, capsys):
    path, _ = studie
    with Project.open(path, backup=False) as project:
        deid.add_term(project, "FG2", "ORG")  # a group named after its institution: hidden in the file
    png, svg = tmp_path / "metning.png", tmp_path / "metning.svg"
    for target in (png, svg):
        code, out, err = run(capsys, "saturation", path, "--coder", "AB", "--chart", target, "--nlp-model", "basic")
        assert code == 0, err
        assert f"wrote {target}" in out and out.splitlines()[-1].startswith("Did the last")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawing = svg.read_text(encoding="utf-8")
    assert "FG1" in drawing and "FG3" in drawing and "FG2" not in drawing
    assert "new codes" in drawing and "codes so far" in drawing
    code, _, err = run(capsys, "saturation", path, "--coder", "AB", "--chart", tmp_path / "metning.pdf")
    assert code == 1 and ".png or .svg" in err
    assert not (tmp_path / "metning.pdf").exists()


def test_saturation_errors(studie, tmp_path, capsys):
    path, _ = studie
    code, out, err = run(capsys, "saturation", path, "--coder", "AB", "--order", "attr=dat")
    assert code == 1 and out == "" and err.count("\n") == 1 and "did you mean 'dato'" in err
    code, _, err = run(capsys, "saturation", path)
    assert code == 1 and "--coder" in err
    empty = tmp_path / "tom.qualcode"
    Project.create(empty).close()
    code, out, err = run(capsys, "saturation", empty)
    assert code == 1 and out == "" and "no meaning units" in err

"""``qualcode agreement`` on a project: the figures, the disagreements, the reports, the errors.

The project is the one of tests/conftest.py (T1) with a second focus group (T2) coded by AB and
CD, and a third (T3) that only AB has coded. All dialogue and names are invented.
"""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest

import qualcode.cli as cli
from qualcode.core.agreement import DEFINITIONS, Coded
from qualcode.store import Project, deid
from qualcode.store.agreement import agreement

from ..conftest import ROLES, make_parsed
from .test_agreement_stats import brute_units, char_vector, check_report, participant_chars, ref_alpha, ref_kappa

T2 = [
    ("Intervjuer", "Hva betyr recovery for dere?"),
    ("P1", "For meg handler det om små steg. Jeg begynte å sove om natta igjen, og så kom lysten til å gå ut."),
    ("Ansatt 1", "Vi ser jo at det tar tid. Kari Nordmann sa det fint i går: det er ikke én ting, men mange."),
    ("P2", "Æ har fått tilbake ungan mine. Det er det viktigste for meg."),
]
T3 = [("Intervjuer", "Noe mer?"), ("P1", "Nei, egentlig ikke. Det var en fin dag.")]


def quote(project: Project, tid: str, text: str) -> tuple[int, int]:
    start = project.text(tid).index(text)
    return start, start + len(text)


@pytest.fixture
def studie(project: Project) -> Project:
    project.import_transcript(make_parsed(T2), title="Fokusgruppe 2", group="FG2", roles=ROLES)
    project.import_transcript(make_parsed(T3), title="Fokusgruppe 3", group="FG3", roles=ROLES)

    def code(tid, text, code_id, coder):
        project.add_coding(tid, *quote(project, tid, text), code_id, coder)

    code("T1", "jeg kjente meg igjen", "hap-gjen", "AB")
    code("T1", "jeg kjente meg igjen", "hap-gjen", "CD")  # agreed
    code("T1", "For meg ga det håp, faktisk.", "hap", "AB")
    code("T1", "ga det håp", "rec", "CD")  # another code
    code("T1", "Æ veit ikkje helt, men det var fint å høre at ho klarte seg.", "hap-sol", "AB")  # CD silent
    code("T2", "små steg", "rec", "AB")
    code("T2", "For meg handler det om små steg", "rec", "CD")  # agreed, other length
    code("T2", "Kari Nordmann sa det fint i går", "rec", "AB")
    code("T2", "Kari Nordmann sa det fint i går", "rec", "CD")
    code("T2", "Kari Nordmann sa det fint i går", "hap", "CD")  # a second code
    code("T2", "fått tilbake ungan mine", "rec", "CD")  # AB silent
    code("T3", "Det var en fin dag.", "hap", "AB")  # only AB coded T3: left out
    return project


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def project_inputs(project: Project, tids: list[str]):
    codings = [Coded(c.id, c.transcript, c.start, c.end, c.code, c.coder) for c in project.codings()
               if c.coder in ("AB", "CD")]
    return codings, {tid: project.turns(tid) for tid in tids}


def test_the_figures_from_a_project_match_the_reference_packages(studie, capsys):
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD")
    assert data["transcripts"] == ["T1", "T2"]
    assert data["left_out"] == [{"transcript": "T3", "not_coded_by": ["CD"]}]
    codings, turns = project_inputs(studie, ["T1", "T2"])
    check_report(codings, ["AB", "CD"], turns)  # every figure, per code, transcript and role

    units = brute_units([c for c in codings if c.transcript != "T3"], ["AB", "CD"])
    overall = data["overall"]
    assert abs(overall["alpha"] - ref_alpha([[frozenset(u[3][c]) for u in units] for c in ("AB", "CD")])) < 1e-9
    a, b = [], []
    for code in data["codes"]:
        for tid in ("T1", "T2"):
            chars = participant_chars(turns[tid])
            a += char_vector(codings, tid, "AB", code, chars)
            b += char_vector(codings, tid, "CD", code, chars)
    assert abs(overall["kappa"] - ref_kappa(a, b)) < 1e-9
    assert overall["units"] == 6 and overall["units_agreed"] == 2
    assert overall["alpha_ci"][0] <= overall["alpha"] <= overall["alpha_ci"][1]

    by_index = {u["index"]: u for u in data["units"]}
    disagreeing = [by_index[i] for i in overall["disagreements"]]
    assert [(u["transcript"], u["codes"]) for u in disagreeing] == [
        ("T1", {"AB": ["hap"], "CD": ["rec"]}),
        ("T1", {"AB": ["hap-sol"], "CD": []}),
        ("T2", {"AB": ["rec"], "CD": ["hap", "rec"]}),
        ("T2", {"AB": [], "CD": ["rec"]}),
    ]
    assert disagreeing[1]["text"].startswith("Æ veit ikkje helt") and disagreeing[1]["roles"] == ["pasient"]
    assert disagreeing[0]["roles"] == ["ansatt"]
    assert {r["scope_value"] for r in data["rows"] if r["scope"] == "role"} == {"pasient", "ansatt"}
    assert [r["code"] for r in data["theme_rows"] if r["code"]] == ["hap", "rec"]
    assert all(s["text"] for s in data["segments"])


def test_the_report_for_the_terminal(studie, capsys):
    code, out, err = run(capsys, "agreement", studie.path, "--coders", "AB,CD")
    assert code == 0
    assert "T3 is left out: no units by CD there" in err
    lines = out.splitlines()
    assert lines[0].startswith("Agreement between AB, CD: 2 transcript(s) (T1, T2)")
    header = next(line for line in lines if line.startswith("code "))
    assert header.split() == ["code", "name", "units", "%units", "alpha", "95%", "CI", "%chars", "kappa", "u-alpha"]
    assert any(line.startswith("hap-gjen ") and "Gjenkjennelse" in line for line in lines)
    assert "Per theme (subthemes counted as their theme)" in lines
    assert any(line.startswith("pasient ") for line in lines) and any(line.startswith("T2 ") for line in lines)
    assert "Meaning units with a disagreement (4)" in lines
    assert any("AB: hap-sol   CD: (none)" in line and "«Æ veit ikkje helt" in line for line in lines)


def test_code_narrows_what_is_shown_not_the_figures(studie, capsys):
    whole = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD")
    hap = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD", "--code", "hap")
    assert hap["focus"] == ["hap", "hap-sol", "hap-gjen"]
    assert hap["overall"] == whole["overall"]
    _code, out, _ = run(capsys, "agreement", studie.path, "--coders", "AB,CD", "--code", "hap")
    table_codes = [line.split()[0] for line in out.split("Per code\n")[1].split("\n\n")[0].splitlines()[2:]]
    assert table_codes == ["hap", "hap-sol", "hap-gjen"]  # codebook order
    assert "Meaning units with a disagreement (3)" in out  # the T2 unit with only rec is not shown
    assert "Per transcript (code hap-sol)" in out and "Per role (code hap-gjen)" in out
    assert "Per transcript (all codes)" not in out


def test_a_named_transcript_is_compared_even_if_a_coder_has_not_coded_it(studie, capsys):
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD", "--transcript", "t3", "--bootstrap", "0")
    assert data["transcripts"] == ["T3"] and data["left_out"] == []
    assert data["overall"]["units"] == 1 and data["overall"]["units_agreed"] == 0
    assert data["overall"]["alpha_ci"] is None


def test_seed_and_bootstrap(studie, capsys):
    a = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD", "--seed", "3", "--bootstrap", "400")
    b = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD", "--seed", "3", "--bootstrap", "400")
    c = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD", "--seed", "4", "--bootstrap", "400")
    assert a["overall"]["alpha_ci"] == b["overall"]["alpha_ci"] != c["overall"]["alpha_ci"]
    assert a["bootstrap"] == 400 and a["seed"] == 3


@pytest.mark.parametrize("argv, message", [
    (["--coders", "AB"], "agreement needs at least two coders: --coders AB,CD"),
    (["--coders", "AB,AB"], "coder 'AB' is named twice in --coders"),
    (["--coders", "AB,XY"], "no units by coder 'XY' (coders: AB, CD)"),
    (["--coders", "AB,CD", "--code", "nope"], "nope"),
    (["--coders", "AB,CD", "--transcript", "T9"], "T9"),
    (["--coders", "AB,CD", "--bootstrap", "-1"], "--bootstrap must be 0 (no intervals) or more"),
    (["--coders", "AB,CD", "--out", "rapport.docx"], "--out needs --report md or xlsx"),
])
def test_mistakes_give_one_line(studie, capsys, argv, message):
    code, out, err = run(capsys, "agreement", studie.path, *argv)
    assert code == 1 and out == ""
    assert err.startswith("qualcode: error: ") and message in err and err.count("\n") == 1


def test_no_transcript_coded_by_both(project, capsys):
    project.add_coding("T1", 40, 60, "hap", "AB")
    project.import_transcript(make_parsed(T2), title="FG2", group="FG2", roles=ROLES)
    project.add_coding("T2", 40, 60, "hap", "CD")
    code, _, err = run(capsys, "agreement", project.path, "--coders", "AB,CD")
    assert code == 1 and "no transcript has units by all of AB, CD" in err and err.count("\n") == 1


def test_markdown_report_has_the_figures_the_definitions_and_the_disagreements(studie, capsys):
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD")
    code, out, _ = run(capsys, "agreement", studie.path, "--coders", "AB,CD", "--report", "md")
    path = studie.path.parent / "exports" / "studie-agreement-AB-CD.md"
    assert code == 0 and out.strip() == f"wrote {path}"
    text = path.read_text(encoding="utf-8")
    o = data["overall"]
    assert f"Krippendorff's α (nominal; a coder's value is the set of codes given to the unit) was {o['alpha']:.2f}" in text
    assert "| hap-gjen | Gjenkjennelse | 1 |" in text
    assert f"All codes: α {o['alpha']:.3f} (95 % CI {o['alpha_ci'][0]:.3f} to {o['alpha_ci'][1]:.3f})" in text
    assert f"κ pooled {o['kappa']:.3f}" in text and f"uα {o['u_alpha']:.3f}" in text
    for term, definition in DEFINITIONS:
        assert f"- **{term}.** {definition}" in text
    assert "## Meaning units with a disagreement (4)" in text
    assert "- AB: hap-sol (Solskinnshistorier) — characters" in text and "- CD: (none)" in text
    assert "> Æ veit ikkje helt, men det var fint å høre at ho klarte seg." in text
    assert "Left out (not coded by every coder): T3 «Fokusgruppe 3» (no units by CD)" in text
    assert "| Code | Transcript | Characters | Role | Coded by | Not by | Text |" in text
    # nobody reviewed a name: the one the finder proposes (Kari Nordmann, said in T2) is hidden anyway
    assert "De-identified: 0 reviewed name(s) hidden; 1 name(s) not reviewed yet also hidden" in text
    assert "Kari" not in text and "Nordmann" not in text
    assert not list(path.parent.glob(".*partial*"))


def test_xlsx_report_reads_back(studie, capsys, tmp_path):
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD")
    out = tmp_path / "enighet.xlsx"
    code, _, _ = run(capsys, "agreement", studie.path, "--coders", "AB,CD", "--out", out)
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Per code", "Per theme", "Per transcript", "Per role", "Per code and scope",
                             "Kappa by pair", "Unit disagreements", "Character disagreements", "Definitions"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Krippendorff's α (overall)"] == pytest.approx(data["overall"]["alpha"], abs=1e-12)
    assert summary["Cohen's κ, pooled"] == pytest.approx(data["overall"]["kappa"], abs=1e-12)
    assert summary["Unitized α (uα)"] == pytest.approx(data["overall"]["u_alpha"], abs=1e-12)
    per_code = list(wb["Per code"].iter_rows(values_only=True))
    assert per_code[0][:5] == ("Code", "Name", "Units with the code", "% units agreed", "α")
    rows = {r["code"]: r for r in data["rows"] if r["scope"] == "all" and r["code"]}
    for line in per_code[1:]:
        row = rows[line[0]]
        assert line[4] == (None if row["alpha"] is None else pytest.approx(row["alpha"]))
        assert list(line[5:7]) == (pytest.approx(row["alpha_ci"], abs=1e-12) if row["alpha_ci"] else [None, None])
        assert line[8] == pytest.approx(row["kappa"])
    roles = list(wb["Per role"].iter_rows(values_only=True))
    assert roles[0][:6] == ("Role", "Units", "% units agreed", "α", "α 95 % CI low", "α 95 % CI high")
    assert {line[0] for line in roles[1:]} == {"pasient", "ansatt"}
    units = list(wb["Unit disagreements"].iter_rows(values_only=True))
    assert units[0] == ("Unit", "Transcript", "Start", "End", "Roles", "AB codes", "CD codes", "AB spans", "CD spans",
                        "Text")
    assert [u[5:7] for u in units[1:]] == [("hap", "rec"), ("hap-sol", "(none)"), ("rec", "hap, rec"), ("(none)", "rec")]
    assert len(list(wb["Character disagreements"].iter_rows())) - 1 == len(data["segments"])
    assert [r[0] for r in wb["Definitions"].iter_rows(values_only=True)][1:] == [t for t, _ in DEFINITIONS]


def test_texts_are_de_identified(studie, capsys):
    deid.add_term(studie, "Kari Nordmann", "PER")
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD")
    texts = [u["text"] for u in data["units"]] + [s["text"] for s in data["segments"]]
    assert not any("Kari" in t for t in texts)
    assert any("sa det fint i går" in t for t in texts)
    run(capsys, "agreement", studie.path, "--coders", "AB,CD", "--report", "md")
    md = (studie.path.parent / "exports" / "studie-agreement-AB-CD.md").read_text(encoding="utf-8")
    assert "Kari" not in md and "De-identified: 1 reviewed name(s) hidden" in md


def test_a_failed_report_leaves_no_file_and_keeps_the_old_one(studie, capsys, monkeypatch):
    out = studie.path.parent / "r.xlsx"
    out.write_bytes(b"old")

    def broken(self, filename):
        filename.write(b"half")  # the workbook is finished in memory, then written atomically
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(OSError):
        cli.main(["agreement", str(studie.path), "--coders", "AB,CD", "--out", str(out)])
    assert out.read_bytes() == b"old"
    assert [p.name for p in out.parent.iterdir() if "partial" in p.name] == []


def test_three_coders(studie, capsys):
    studie.add_coding("T1", *quote(studie, "T1", "jeg kjente meg igjen"), "hap-gjen", "EF")
    studie.add_coding("T2", *quote(studie, "T2", "små steg"), "rec", "EF")
    data = run_json(capsys, "agreement", studie.path, "--coders", "AB,CD,EF", "--bootstrap", "0")
    assert [p["coders"] for p in data["overall"]["kappa_pairs"]] == [["AB", "CD"], ["AB", "EF"], ["CD", "EF"]]
    pairs = [p["kappa"] for p in data["overall"]["kappa_pairs"]]
    assert data["overall"]["kappa"] == pytest.approx(sum(pairs) / 3)
    codings, turns = project_inputs(studie, ["T1", "T2"])
    codings += [Coded(c.id, c.transcript, c.start, c.end, c.code, c.coder) for c in studie.codings(coder="EF")]
    check_report(codings, ["AB", "CD", "EF"], turns)
    _code, out, _ = run(capsys, "agreement", studie.path, "--coders", "AB,CD,EF", "--bootstrap", "0")
    assert "Pairs of coders (all codes, pooled kappa)" in out


def test_store_helper_names_codes_and_transcripts(studie):
    result = agreement(studie, ["AB", "CD"], bootstrap=0)
    assert result.titles == {"T1": "Fokusgruppe 1", "T2": "Fokusgruppe 2", "T3": "Fokusgruppe 3"}
    assert result.name("hap-gjen") == "Gjenkjennelse" and result.left_out == {"T3": ["CD"]}
    assert len(result.unit_texts) == len(result.report.units)


def test_registering_the_command_loads_nothing_heavy():
    code = ("import sys, argparse; from qualcode.cli import agreement_commands; "
            "p = argparse.ArgumentParser(); agreement_commands.register(p.add_subparsers()); "
            "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert {"numpy", "openpyxl", "textual", "spacy", "docx", "odf"}.isdisjoint(loaded)

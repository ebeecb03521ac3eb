"""The evaluation studies of bench/gold/studies/ hold together, and bench/bench_suggest.py runs on
them end to end (a tiny slice, basic mode): the figures themselves are the bench's business."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDIES = ROOT / "bench" / "gold" / "studies"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_suggest", ROOT / "bench" / "bench_suggest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_suggest"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _bench()


def test_there_is_a_tuning_study_and_a_held_out_one():
    names = bench.study_names()
    assert set(names) == {"hjemmetjeneste", "lar-hverdag", "overgang-kommune", "fengsel-helse", "ungdom-nav",
                          "familie-rus", "fact-team"}
    assert set(names[4:]) == set(bench.HELD_OUT) == {"ungdom-nav", "familie-rus", "fact-team"}  # the tuned ones first
    readme = " ".join((STUDIES / "README.md").read_text(encoding="utf-8").replace("`", "").lower().split())
    assert "never tune on ungdom-nav, familie-rus or fact-team; report them separately" in readme


@pytest.mark.parametrize(("name", "coders"), [("hjemmetjeneste", ["IH", "TK"]), ("ungdom-nav", ["MB", "SR"]),
                                              ("lar-hverdag", ["AL", "JN"]), ("overgang-kommune", ["EK", "OT"]),
                                              ("fengsel-helse", ["HB", "RS"]), ("familie-rus", ["GL", "MV"]),
                                              ("fact-team", ["KH", "PS"])])
def test_a_study_loads_and_its_gold_units_are_consistent(tmp_path, name, coders):
    study = bench.load_study(name)  # codes codable in the codebook, transcripts in the manifest
    assert study.coders == coders
    per_coder = Counter(u.coder for u in study.units)
    assert all(100 <= per_coder[c] <= 160 for c in coders), per_coder
    project = bench.build_project(study, tmp_path / f"{name}.qualcode")  # every quote found exactly once
    try:
        assert len(project.transcripts()) == 3
        for t in project.transcripts():
            turns = project.turns(t.id)
            assert 60 <= len(turns) <= 120, (t.title, len(turns))
            unroled = {s.label for s in t.speakers if not s.role}
            assert not unroled, f"{t.title}: speakers without a role: {unroled}"
        roles = {(t.id, s.label): s.role for t in project.transcripts() for s in t.speakers}
        for unit in study.units:
            text = project.text(unit.tid)
            assert text.count(unit.quote) == 1 or unit.occurrence > 1, unit.quote
            assert text[unit.start:unit.end] == unit.quote
            inside = [turn for turn in project.turns(unit.tid) if turn.start <= unit.start and unit.end <= turn.end]
            assert len(inside) == 1, f"{unit.transcript}:{unit.line}: a unit lies inside one speaker turn"
            assert roles[(unit.tid, inside[0].speaker)] != "moderator", f"{unit.transcript}:{unit.line}"
            assert len(set(unit.codes)) == len(unit.codes)
        for coder in coders:  # no coder coded the same span twice
            spans = Counter((u.tid, u.start, u.end) for u in study.units if u.coder == coder)
            assert max(spans.values()) == 1
    finally:
        project.close()


def test_the_held_out_codebook_has_no_examples_and_the_tuning_one_has(tmp_path):
    held_out = bench.load_study("ungdom-nav").codebook
    tuning = bench.load_study("hjemmetjeneste").codebook
    assert not any(c.examples for c in held_out.codes)
    second = bench.load_study("lar-hverdag").codebook  # examples for some codes only
    assert 0 < sum(bool(c.examples) for c in second.codes) < len(second.codes)
    assert all(c.examples and c.definition and c.inclusion and c.exclusion and c.keywords for c in tuning.codes)


def test_a_broken_gold_file_names_the_file_and_line(tmp_path):
    folder = tmp_path / "studie"
    folder.mkdir()
    source = STUDIES / "hjemmetjeneste"
    for name in ("manifest.yaml", "codebook.yaml", "fg1.txt", "fg2.txt", "fg3.txt"):
        (folder / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "gold.yaml").write_text(
        "- {transcript: fg1.txt, coder: IH, codes: [tid-brukere], quote: Det finnes ikke}\n"
        "- {transcript: fg1.txt, coder: IH, codes: [ukjent], quote: Kona døde}\n", encoding="utf-8")
    with pytest.raises(bench.StudyError, match=r"gold.yaml:2: code\(s\) not codable.*ukjent"):
        bench.load_study("studie", folder)
    (folder / "gold.yaml").write_text("- {transcript: fg1.txt, coder: IH, codes: [tid], quote: Det finnes ikke}\n",
                                      encoding="utf-8")
    study = bench.load_study("studie", folder)
    with pytest.raises(bench.StudyError, match=r"gold.yaml:1: the quote occurs 0 time"):
        bench.build_project(study, tmp_path / "p.qualcode")


def test_the_scores_and_the_keyword_baseline():
    scored = bench.Scored()
    unit = bench.GoldUnit("fg1.txt", "IH", "x", ["a", "b"], 1)
    scored.add(unit, ["b", "c", "a"])
    scored.add(bench.GoldUnit("fg1.txt", "IH", "y", ["c"], 2), [])
    assert scored.p1() == 0.5 and scored.r3() == 0.5 and scored.coverage() == 0.5
    assert scored.per_code("b") == (1, 1, 1.0, 1.0, 1.0)
    assert scored.confusions() == Counter({("c", "(none)"): 1})
    table = [("a", [("vente",)]), ("b", [("dårlig", "samvittighet"), ("vente",)]), ("c", [])]
    order = ["a", "b", "c"]
    text = "Eg går heim med dårlig samvittighet, og så må dei vente."
    assert bench.keyword_baseline(table, order, None, text) == ["b", "a"]  # cold: keywords only
    assert bench.keyword_baseline(table, order, None, "Ingenting her.") == []
    assert bench.keyword_baseline(table, order, Counter({"c": 3, "a": 1}), "Vi må vente.") == ["a", "b", "c"]


@pytest.mark.parametrize(("name", "label"), [("hjemmetjeneste", "tuning study"), ("ungdom-nav", "HELD OUT"),
                                             ("lar-hverdag", "tuning study"), ("overgang-kommune", "tuning study"),
                                             ("fengsel-helse", "tuning study"), ("familie-rus", "HELD OUT"),
                                             ("fact-team", "HELD OUT")])
def test_the_bench_runs_end_to_end_in_basic_mode(capsys, name, label):
    assert bench.main(["--study", name, "--quick", "3", "--model", "basic"]) == 0
    out = capsys.readouterr().out
    assert f"== {name}: {label}" in out
    for line in ("cold    suggester", "LOO     suggester", "keyword baseline", "frequency baseline",
                 "ms per suggest call after analysis", "ms to build the Suggester cold", "top confusions LOO"):
        assert line in out
    assert "old gold set" not in out  # --quick leaves it out

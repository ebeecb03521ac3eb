"""The NLP commands: JSON for scripts, one-line errors, the basic-mode notice, 'auto' said aloud."""

from __future__ import annotations

import json

import pytest

from qualcode.cli import main
from qualcode.store import Project, deid

from .conftest import create_project, span_of


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "studie.qualcode"
    create_project(path).close()
    return str(path)


@pytest.fixture(params=["model", "basic"])
def model_arg(request):
    if request.param == "basic":
        return "basic"
    return request.getfixturevalue("model_pipeline").requested


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_nlp_status_names_the_model_and_says_basic_mode_aloud(capsys, model_pipeline):
    code, out, err = run(capsys, "nlp-status", "--nlp-model", model_pipeline.requested, "--json")
    status = json.loads(out)
    assert code == 0 and status["model"] == "nb_ud_norne_sm" and status["version"] == "0.1.0"
    assert status["basic_mode"] is False and "ner" in status["components"] and err == ""
    code, out, err = run(capsys, "nlp-status", "--nlp-model", "basic")
    assert code == 0 and "basic-nb" in out
    assert err.count("\n") == 1 and "basic mode" in err and "python -m spacy download nb_core_news_sm" in err


def test_an_unloadable_model_is_one_line_on_stderr(capsys, tmp_path, project_path):
    code, out, err = run(capsys, "propose", project_path, "T1", "--nlp-model", str(tmp_path / "nope"))
    assert code == 1 and out == "" and err.count("\n") == 1 and "cannot load the spaCy model" in err


def test_analyse_reports_progress_on_stderr_and_uses_the_cache_after(capsys, project_path, model_arg):
    code, out, err = run(capsys, "analyse", project_path, "--nlp-model", model_arg)
    assert code == 0 and "analysed T1 with" in out and "100%" in err
    code, out, err = run(capsys, "analyse", project_path, "--nlp-model", model_arg, "--json")
    assert json.loads(out)["cached"] == ["T1"]


def test_propose_and_suggest_as_json(capsys, project_path, model_arg):
    code, out, err = run(capsys, "propose", project_path, "T1", "--nlp-model", model_arg, "--json")
    proposals = json.loads(out)
    assert code == 0 and proposals and {p["role"] for p in proposals} == {"pasient", "ansatt"}
    assert ("basic mode" in err) == (model_arg == "basic")
    with Project.open(project_path, backup=False) as project:
        start, end = span_of(project, "T1", "Eh, jeg kjente meg faktisk igjen, altså.")
    code, out, _ = run(capsys, "suggest", project_path, "T1", "--start", str(start), "--end", str(end),
                       "--nlp-model", model_arg, "--json")
    result = json.loads(out)
    best = result["suggestions"][0]
    assert best["code"] == "hap-gjen" and "kjenne seg igjen" in best["explanation"]
    assert [w["text"] for w in best["evidence"][0]["words"]] == ["kjente", "meg", "igjen"]
    code, out, _ = run(capsys, "suggest", project_path, "T1", "--nlp-model", model_arg, "--json")
    assert len(json.loads(out)) == len(proposals)
    code, out, err = run(capsys, "suggest", project_path, "T1", "--start", "5", "--nlp-model", model_arg)
    assert code == 1 and "--start and --end go together" in err


def test_autocode_says_it_codes_as_auto(capsys, project_path, model_arg):
    code, out, err = run(capsys, "autocode", project_path, "--min-score", "0.3", "--nlp-model", model_arg)
    assert code == 0 and "coder 'auto' only" in err and "units coded by 'auto'" in out
    with Project.open(project_path, backup=False) as project:
        assert project.codings() and {c.coder for c in project.codings()} == {"auto"}


def test_kwic_lists_hits_with_context(capsys, project_path, model_arg):
    code, out, _ = run(capsys, "kwic", project_path, "håp", "--nlp-model", model_arg, "--json")
    assert [h["word"] for h in json.loads(out)] == ["håp", "håper", "Håpet"]
    code, out, _ = run(capsys, "kwic", project_path, "håp", "--role", "pasient", "--nlp-model", model_arg)
    assert code == 0 and "[håper]" in out and "3 occurrences" in out
    code, out, _ = run(capsys, "kwic", project_path, "håp", "--fuzzy", "--nlp-model", model_arg)
    assert "[håpløst]" in out and "(compound)" in out


def test_the_de_identification_review_from_the_command_line(capsys, project_path, model_arg):
    code, out, _ = run(capsys, "deidentify", project_path, "--nlp-model", model_arg, "--json")
    findings = json.loads(out)
    kari = [f for f in findings if f["term"] == "Kari"]
    assert kari and all(f["decision"] == "pending" for f in kari)
    assert {"surface", "kind", "start", "end", "transcript", "source", "decision"} <= set(kari[0])

    code, out, _ = run(capsys, "names", project_path, "--hide", "Kari", "--coder", "AB")
    assert code == 0 and "hide Kari (PER)" in out and "[Navn 1]" in out
    code, out, _ = run(capsys, "names", project_path, "--hide", "Karri", "--same-as", "Kari")
    assert "as a variant of Kari" in out
    code, out, _ = run(capsys, "names", project_path, "--hide", "Hamar", "--kind", "GPE_LOC")
    code, out, _ = run(capsys, "names", project_path, "--keep", "Hamar", "--json")
    rows = {r["term"]: r for r in json.loads(out)}
    assert rows["Kari"]["occurrences"] == 3 and rows["Karri"]["replacement"] == "[Navn 1]"
    assert rows["Hamar"]["hide"] is False
    code, out, _ = run(capsys, "deidentify", project_path, "--nlp-model", model_arg, "--json")
    decisions = {(f["surface"], f["decision"]) for f in json.loads(out)}
    assert ("Karis", "hidden") in decisions and ("Hamar", "kept") in decisions
    code, out, err = run(capsys, "names", project_path, "--forget", "Oslo")
    assert code == 1 and "not in the project's name list" in err
    code, out, err = run(capsys, "names", project_path, "--hide", "X", "--same-as", "Nobody")
    assert code == 1 and "'Nobody' is not a hidden name" in err
    with Project.open(project_path, backup=False) as project:
        assert [t.term for t in deid.terms(project, hidden_only=True)] == ["Kari", "Karri"]


def test_vocabulary_lists_words_by_code(capsys, project_path, model_arg):
    with Project.open(project_path, backup=False) as project:
        for quote, code in (("Jeg håper det går bra. Håpet er der nå.", "hap"),
                            ("Og det gir håp for framtida.", "hap"), ("For meg ga det påfyll.", "hap-ansatte")):
            project.add_coding("T1", *span_of(project, "T1", quote), code, "AB")
    code, out, _err = run(capsys, "vocabulary", project_path, "--nlp-model", model_arg, "--json")
    words = json.loads(out)
    assert code == 0 and words["hap-ansatte"][0]["lemma"] == "påfyll"
    assert words["hverdag"] == []
    code, out, _err = run(capsys, "vocabulary", project_path)
    assert "hap-ansatte  Ansattes håp" in out


def test_every_nlp_command_has_help(capsys):
    for command in ("nlp-status", "analyse", "propose", "suggest", "autocode", "kwic", "deidentify",
                    "names", "redact", "vocabulary"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert "usage: qualcode " + command in capsys.readouterr().out


def test_suggest_marks_a_guess_in_its_text_and_json(capsys, project_path, monkeypatch):
    with Project.open(project_path, backup=False) as project:
        start, end = span_of(project, "T1", "Eh, jeg kjente meg faktisk igjen, altså.")
    args = ["suggest", project_path, "T1", "--start", str(start), "--end", str(end), "--nlp-model", "basic"]
    code, out, _ = run(capsys, *args, "--json")
    [strong, *_] = json.loads(out)["suggestions"]
    assert code == 0 and strong["weak"] is False
    code, out, _ = run(capsys, *args)
    assert "(weak: a guess)" not in out.splitlines()[1]
    monkeypatch.setattr("qualcode.nlp.suggest.MIN_SCORE", 1.0)  # now nothing has evidence enough
    code, out, _ = run(capsys, *args, "--json")
    assert all(s["weak"] for s in json.loads(out)["suggestions"])
    code, out, _ = run(capsys, *args)
    assert f"{strong['code']}  {strong['name']}  (weak: a guess)" in out

"""A review that takes minutes: header lines offer no names, kinds are guessed from context, a
first name said aloud belongs to its speaker, the texts around the transcripts are searched too,
and what was found is kept for the exports (private by default). Every name is invented."""

from __future__ import annotations

import json
import re

import pytest

from qualcode.cli import main
from qualcode.nlp.names import find_names, free_text_names, guess_kind, refresh_findings
from qualcode.store import Project, deid

from .conftest import create_project

HEADER = ("Fokusgruppeintervju Lysheim\nDato: Torsdag 14. Mars 2024\nDeltakere: P1, P2, Ansatt 1, Intervjuer\n"
          "Transkribert av: Fokus Transkribering\nVarighet: 62 minutter")
DIALOGUE = [
    (None, HEADER),
    ("Intervjuer", "Velkommen. Hva tenkte dere om fagdagen?"),
    ("P1", "Jeg kjente meg igjen da Sigrid fortalte. Før bodde jeg i Fjellvik, og så var jeg på Brattlisenteret."),
    ("Ansatt 1", "Vi som jobber på Lysheim fikk påfyll. Torbjørn fra Vestby kommune var der også."),
    ("P2", "Jeg var på Kafé Brua etterpå, sammen med Sigrid."),
]


@pytest.fixture
def review(tmp_path):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE)
    yield project
    project.close()


def terms(findings) -> dict[str, str]:
    return {f.term: f.kind for f in findings}


def test_header_lines_offer_no_header_words_dates_or_labels(review, pipeline):
    found = find_names(review, pipeline=pipeline)
    header_end = review.text("T1").index("Intervjuer:")
    in_header = {f.term for f in found if f.start < header_end}
    offered = {f.term for f in found}
    for word in ("Fokusgruppeintervju", "Dato", "Torsdag", "Mars", "Deltakere", "Ansatt", "Intervjuer",
                 "Transkribert", "Varighet", "P1"):
        assert not any(word in term.split() for term in offered), (word, offered)
    assert in_header <= {"Lysheim", "Fokus"}  # a name in a header line is still a name
    assert "Lysheim" in offered


def test_the_kind_is_guessed_from_the_word_and_its_context(review, pipeline):
    kinds = terms(find_names(review, pipeline=pipeline))
    assert kinds["Fjellvik"] == "GPE_LOC"        # bodde i Fjellvik
    assert kinds["Brattlisenteret"] == "ORG"     # -senteret
    assert kinds["Sigrid"] == "PER"
    assert kinds["Kafé Brua"] == "ORG"
    assert kinds.get("Vestby kommune", "GPE_ORG") == "GPE_ORG"


@pytest.mark.parametrize("term,votes,kind", [
    ("Lysheimsenteret", {"PER": 3}, "ORG"),
    ("Nordli sykehus", {"GPE_LOC": 2}, "ORG"),
    ("Solbakken klinikk", {}, "ORG"),
    ("Stiftelsen Lysheim", {}, "ORG"),
    ("Blå Kors DPS", {"PER": 1}, "ORG"),
    ("Vestby kommune", {"GPE_LOC": 1}, "GPE_ORG"),
    ("Lysheim", {"GPE_LOC": 2, "ORG": 1}, "GPE_LOC"),   # på Lysheim, twice
    ("Fjellvik", {}, "GPE_LOC"),                         # a place-name ending
    ("Ingrid", {"PER": 3, "GPE_LOC": 2}, "PER"),
    ("Ukjent", {}, "PER"),
])
def test_guess_kind(term, votes, kind):
    assert guess_kind(term, votes) == kind


def test_a_first_name_said_aloud_is_linked_to_the_speakers_full_name(tmp_path, pipeline):
    dialogue = [("Moderator", "Hva tenkte du, Kari?"), ("Kari Nordmann", "Det var fint."),
                ("Ola Hansen", "Enig med Kari. Og Olas historie var sterk."), ("Ola Berg", "Ja.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    found = find_names(project, pipeline=pipeline)
    kari = [f for f in found if f.term == "Kari"]
    assert kari and all(f.variant_of == "Kari Nordmann" for f in kari)
    assert all(f.variant_of is None for f in found if f.term == "Ola")  # two speakers are called Ola
    refresh_findings(project, pipeline)
    redactor = deid.Redactor(project)
    assert redactor.text("Kari og Kari Nordmann") == "[Navn 1?] og [Navn 1?]"
    project.close()


def test_names_around_the_transcripts_are_found_too(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", [("P1", "Det var en fin dag.")], group="Gruppe Nord",
                             title="Fokusgruppe 1 på Lysheim")
    project.set_group_attributes("Gruppe Nord", {"institusjon": "Brattli", "type": "blandet", "dato": "2024-03-14"})
    unit = project.add_coding("T1", 0, 10, "hap", "AB", condensed="Skal flytte hjem til Vardøy etter behandlingen",
                              memo="Sigrid Holm er innleder")
    project.add_memo("Vi møtte Halvard Brekke på fagdagen.", author="AB")
    found = {term: kind for term, kind, _ in free_text_names(project, pipeline)}
    assert {"Lysheim", "Brattli", "Vardøy"} <= set(found)
    assert found["Brattli"] == "ORG" and found["Vardøy"] == "GPE_LOC"
    assert any("Brekke" in t for t in found) and any("Sigrid" in t for t in found)
    assert not {"blandet", "2024-03-14", "Fokusgruppe", "Gruppe"} & set(found)
    refresh_findings(project, pipeline)
    redactor = deid.Redactor(project)
    assert re.fullmatch(r"Skal flytte hjem til \[Sted \d\?\] etter behandlingen",
                        redactor.text(project.coding(unit.id).condensed))
    assert "Brattli" not in redactor.text("Brattli")
    project.close()


def test_deidentify_keeps_its_findings_for_the_exports(tmp_path, capsys, model_arg_or_basic):
    path = tmp_path / "p.qualcode"
    create_project(path, DIALOGUE).close()
    assert main(["deidentify", str(path), "--nlp-model", model_arg_or_basic]) == 0
    capsys.readouterr()
    with Project.open(path, backup=False) as project:
        key = "basic" if model_arg_or_basic == "basic" else model_arg_or_basic
        assert deid.findings_current(project, key)
        assert {"Sigrid", "Fjellvik", "Brattlisenteret"} <= {f.term for f in deid.stored_findings(project).names}


def test_bulk_decisions_from_the_command_line(tmp_path, capsys, model_arg_or_basic):
    path = tmp_path / "p.qualcode"
    create_project(path, DIALOGUE).close()

    def run(*argv):
        code = main(["names", str(path), "--nlp-model", model_arg_or_basic, *argv])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out, err

    out, _ = run("--pending", "--json")
    pending = {r["term"]: r for r in json.loads(out)}
    assert {"Sigrid", "Fjellvik", "Brattlisenteret"} <= set(pending)
    assert all(r["decision"] == "pending" and r["replacement"].endswith("?]") for r in pending.values())
    out, _ = run("--keep-kind", "institution", "--coder", "AB")
    assert "keep" in out and "Brattlisenteret (ORG)" in out
    out, _ = run("--hide-kind", "place", "--coder", "AB")
    assert "Fjellvik (GPE_LOC)" in out and "Sigrid" not in out
    out, _ = run("--hide-pending", "--coder", "AB")
    assert "Sigrid (PER)" in out and "undo" in out
    out, _ = run("--pending")
    assert "no name is waiting for a decision" in out
    out, _ = run("--json")
    rows = {r["term"]: r for r in json.loads(out)}
    assert rows["Brattlisenteret"]["hide"] is False and rows["Fjellvik"]["hide"] is True
    assert re.fullmatch(r"\[Navn \d+\]", rows["Sigrid"]["replacement"])  # reviewed now: no '?'
    assert main(["undo", str(path), "--coder", "AB"]) == 0  # the whole bulk decision at once
    capsys.readouterr()
    with Project.open(path, backup=False) as project:
        assert "Sigrid" not in {t.term for t in deid.terms(project)}
        assert "Fjellvik" in {t.term for t in deid.terms(project)}
    code = main(["names", str(path), "--hide-kind", "planet"])
    assert code == 1 and "unknown kind" in capsys.readouterr().err


@pytest.fixture(params=["model", "basic"])
def model_arg_or_basic(request):
    if request.param == "basic":
        return "basic"
    return request.getfixturevalue("model_pipeline").requested

"""Permanent redaction: the text changes for good, every coding still covers the same words."""

from __future__ import annotations

from qualcode.cli import main
from qualcode.nlp.analysis import analyse, cached_analysis
from qualcode.store import Project, deid
from qualcode.store import analysis as cache

from .conftest import create_project, span_of

DIALOGUE = [
    ("Intervjuer", "Hva tenkte du om det Kari sa?"),
    ("Kari Nordmann", "Jeg het Kari Nordmann før, og Karis mor bodde i Hamar. Det ga meg håp."),
    ("P2", "Kari er flink. Hamar er fint om sommeren, men jeg bor i Bodø."),
]


def test_codings_cover_the_same_words_after_redaction(tmp_path, basic_pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE)
    quotes = ["Det ga meg håp.", "Karis mor bodde i Hamar", "Hamar er fint om sommeren", "jeg bor i Bodø"]
    units = {q: project.add_coding("T1", *span_of(project, "T1", q), "hap", "AB") for q in quotes}
    analyse(project, pipeline=basic_pipeline)
    old_checksum = project.transcript("T1").checksum
    deid.add_term(project, "Kari")
    deid.add_term(project, "Kari Nordmann")
    deid.add_term(project, "Hamar", "GPE_LOC")

    plans = deid.redact(project)

    text = project.text("T1")
    assert "Kari" not in text and "Hamar" not in text
    after = {q: text[project.coding(u.id).start:project.coding(u.id).end] for q, u in units.items()}
    assert after == {
        "Det ga meg håp.": "Det ga meg håp.",
        "Karis mor bodde i Hamar": "[Navn 1]s mor bodde i [Sted 1]",
        "Hamar er fint om sommeren": "[Sted 1] er fint om sommeren",
        "jeg bor i Bodø": "jeg bor i Bodø",
    }
    turns = project.turns("T1")
    assert [t.speaker for t in turns] == ["Intervjuer", "[Navn 2]", "P2"]  # the label is renamed too
    assert turns[1].text.startswith("Jeg het [Navn 2] før")
    assert text[turns[2].start - 4:turns[2].start] == "P2: "
    assert plans[0].tags == {"[Navn 1]": 3, "[Navn 2]": 2, "[Sted 1]": 2}
    # the analysis of the old text held the names: it is gone
    assert cache.entries(project, old_checksum) == [] and cached_analysis(project, "T1", basic_pipeline) is None
    assert project.integrity_check() == []
    project.close()


def test_the_redact_command_shows_the_plan_and_needs_yes(tmp_path, capsys):
    path = tmp_path / "p.qualcode"
    project = create_project(path, DIALOGUE)
    unit = project.add_coding("T1", *span_of(project, "T1", "Kari er flink."), "hap", "AB", condensed="Kari er flink")
    deid.add_term(project, "Kari")
    project.close()

    assert main(["redact", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "T1  Fokusgruppe 1: 5 replacements ([Navn 1] ×5)" in out
    assert "speakers renamed: Kari Nordmann → [Navn 1] Nordmann" in out
    assert f"unit {unit.id} (condensed meaning or note) still holds a hidden name" in err
    assert "add --yes to redact" in err
    with Project.open(path, backup=False) as p:
        assert "Kari er flink" in p.text("T1")  # nothing changed without --yes

    assert main(["redact", str(path), "--yes"]) == 0
    out, _ = capsys.readouterr()
    assert "every unit still covers the same words" in out and "before-redaction" in out
    with Project.open(path, backup=False) as p:
        assert "Kari" not in p.text("T1")
        coding = p.coding(unit.id)
        assert p.text("T1")[coding.start:coding.end] == "[Navn 1] er flink."

"""Finding names: NER, speakers, the project's list with inflected forms and spelling variants."""

from __future__ import annotations

from qualcode.core.edits import apply_edits
from qualcode.nlp.names import find_names, is_name_label
from qualcode.store import deid

from .conftest import create_project


def by_surface(findings):
    out = {}
    for f in findings:
        out.setdefault(f.surface, []).append(f)
    return out


def test_a_listed_name_is_found_with_its_genitive_and_its_spelling_variants(nlp_project, pipeline):
    deid.add_term(nlp_project, "Kari")
    found = by_surface(find_names(nlp_project, pipeline=pipeline))
    assert {f.term for f in found["Kari"]} == {"Kari"} and len(found["Kari"]) == 2
    [karis] = found["Karis"]
    assert karis.term == "Kari" and karis.decision == "hidden" and "list" in karis.sources
    [karris] = found["Karris"]
    assert karris.variant_of == "Kari" and karris.term == "Karri" and karris.decision == "pending"


def test_inflected_and_variant_names_are_hidden_with_one_tag(nlp_project):
    deid.add_term(nlp_project, "Kari")
    deid.add_term(nlp_project, "Hamar", "GPE_LOC")
    deid.add_term(nlp_project, "Karri", variant_of="Kari")
    text = nlp_project.text("T1")
    hidden = apply_edits(text, deid.redactions(nlp_project, "T1"))[0]
    assert "Kari" not in hidden and "Hamar" not in hidden
    assert "[Navn 1]s mor var også der" in hidden and "[Navn 1]s mor og [Navn 1] bodde i [Sted 1]" in hidden


def test_speakers_names_are_findings_and_generic_labels_are_not(tmp_path, basic_pipeline):
    dialogue = [("Moderator", "Hva tenkte du, Tommy?"), ("Tommy Hansen", "Det var fint."), ("P1", "Enig med Tommy.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    found = find_names(project, pipeline=basic_pipeline)
    speaker = [f for f in found if "speaker" in f.sources]
    assert {f.surface for f in speaker} == {"Tommy", "Tommy Hansen"}
    assert len([f for f in speaker if f.surface == "Tommy"]) == 2
    assert not any(f.surface in ("Moderator", "P1") for f in found)
    assert is_name_label("Kari") and not is_name_label("Ansatt 2") and not is_name_label("Deltaker 3")
    project.close()


def test_ner_finds_people_and_places_and_splits_joined_names(tmp_path, model_pipeline):
    dialogue = [("P1", "Jeg snakket med Kari og Ingrid etterpå. Vi bodde begge i Tromsø den gangen.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    found = {f.surface: f for f in find_names(project, pipeline=model_pipeline)}
    assert found["Kari"].kind == "PER" and found["Ingrid"].kind == "PER"
    assert found["Tromsø"].kind == "GPE_LOC" and "ner" in found["Tromsø"].sources
    assert "Kari og Ingrid" not in found
    project.close()


def test_basic_mode_finds_capitalised_names_inside_sentences(tmp_path, basic_pipeline):
    dialogue = [("P1", "Jeg snakket med Sigrun etterpå. Hun bor i Bodø nå.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    found = {f.surface: f for f in find_names(project, pipeline=basic_pipeline)}
    assert found["Sigrun"].source == "pattern" and found["Sigrun"].kind == "PER"
    assert found["Bodø"].kind == "GPE_LOC"
    assert "Jeg" not in found and "Hun" not in found
    project.close()


def test_decisions_show_on_the_findings(nlp_project, pipeline):
    deid.add_term(nlp_project, "Hamar", "GPE_LOC", hide=False)
    found = by_surface(find_names(nlp_project, pipeline=pipeline))
    assert {f.decision for f in found["Hamar"]} == {"kept"}
    assert {f.decision for f in found["Kari"]} == {"pending"}


def test_a_variant_decision_is_journaled_and_undone(nlp_project):
    deid.add_term(nlp_project, "Kari", coder="AB")
    deid.add_term(nlp_project, "Karri", variant_of="kari", coder="AB")
    assert deid.terms(nlp_project)[-1].variant_of == "Kari"
    assert nlp_project.undo("AB") == "hide name Karri"
    assert [t.term for t in deid.terms(nlp_project)] == ["Kari"]
    assert nlp_project.redo("AB") == "hide name Karri"
    assert deid.terms(nlp_project)[-1].variant_of == "Kari"


def test_a_version_3_file_keeps_its_decisions_when_upgraded(tmp_path, monkeypatch):
    from qualcode.store import Project, schema

    path = tmp_path / "v3.qualcode"
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        m.setattr(schema, "SCHEMA_VERSION", 3)
        m.setattr("qualcode.store.project.SCHEMA_VERSION", 3)
        old = Project.create(path)  # no codebook: today's code writes code columns a v3 file lacks
        with old.action("hide name Kari", "AB") as conn:
            conn.execute("INSERT INTO deid_terms (term, kind, hide, source, created_at)"
                         " VALUES ('Kari', 'PER', 1, 'user', '2026-01-01')")
        old.close()
    with Project.open(path, backup=False) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert [(t.term, t.variant_of) for t in deid.terms(project)] == [("Kari", None)]
        deid.add_term(project, "Karri", variant_of="Kari", coder="AB")
        assert project.undo("AB") == "hide name Karri"
        assert project.undo("AB") == "hide name Kari"  # a v3 journal image, without variant_of
        assert deid.terms(project) == []

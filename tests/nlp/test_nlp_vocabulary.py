"""Theme vocabulary: distinctive lemmas of a theme's units against all other coded text."""

from __future__ import annotations

from qualcode.nlp.analysis import analyse
from qualcode.nlp.vocabulary import distinctive_words

from .conftest import create_project

DIALOGUE = [
    ("P1", "Håpet kom tilbake da hun fortalte. Jeg fikk håp igjen, ekte håp."),
    ("P2", "Jeg kjente meg igjen i historien hennes. Historien var min historie."),
    ("P3", "Jobben på lageret gir meg noe å stå opp til. Jobben og lageret er alt."),
    ("P4", "Håpet er der, og framtida ser lysere ut. Jeg håper på en god framtid."),
]


def code_turns(project, codes, coder="AB"):
    for turn, code in zip(project.turns("T1"), codes):
        if code:
            project.add_coding("T1", turn.start, turn.end, code, coder)


def test_each_theme_gets_its_own_words_and_a_theme_speaks_for_its_subthemes(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE)
    code_turns(project, ["hap", "hap-gjen", "hverdag", "hap"])
    analyse(project, pipeline=pipeline)
    words = distinctive_words(project, top=5, pipeline=pipeline)
    assert set(words) == {"hap", "hap-gjen", "hap-ansatte", "hverdag", "fagdag"}
    assert words["fagdag"] == [] and words["hap-ansatte"] == []
    hap = [w for w, _ in words["hap"]]
    assert {"håp", "håpet"} & set(hap[:3])
    assert "historie" in hap or "historien" in hap  # the subtheme's units count for the theme
    hverdag = [w for w, _ in words["hverdag"]]
    assert hverdag[0] in ("jobb", "jobben", "lager", "lageret")
    assert not {"jeg", "og", "meg", "er"} & set(hap + hverdag)  # stop words are left out
    assert all(score > 0 for pairs in words.values() for _, score in pairs)
    project.close()


def test_auto_units_are_left_out_unless_asked_for(tmp_path, basic_pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE)
    code_turns(project, ["hap", None, "hverdag", None])
    code_turns(project, [None, None, None, "fagdag"], coder="auto")
    words = distinctive_words(project, pipeline=basic_pipeline)
    assert words["fagdag"] == []
    assert distinctive_words(project, coder="auto", pipeline=basic_pipeline)["fagdag"]
    assert distinctive_words(project, coder="AB", pipeline=basic_pipeline)["hverdag"]
    project.close()


def test_without_a_pipeline_the_cache_is_used_and_basic_mode_otherwise(tmp_path, model_pipeline):
    project = create_project(tmp_path / "p.qualcode", DIALOGUE)
    code_turns(project, ["hap", "hap-gjen", "hverdag", "hap"])
    basic = [w for w, _ in distinctive_words(project)["hverdag"]]
    assert "jobben" in basic  # word forms: nothing was analysed by a model
    analyse(project, pipeline=model_pipeline)
    lemmas = [w for w, _ in distinctive_words(project)["hverdag"]]
    assert "jobb" in lemmas and "jobben" not in lemmas  # the model's cached lemmas
    project.close()


def test_names_never_make_a_themes_vocabulary(tmp_path, pipeline):
    dialogue = [("P1", "Jeg snakket med Sigrun om håpet. Sigrun ga meg håp, og Sigrun forsto."),
                ("P2", "Jobben på lageret gir meg noe å stå opp til.")]
    project = create_project(tmp_path / "p.qualcode", dialogue)
    code_turns(project, ["hap", "hverdag"])
    words = [w for w, _ in distinctive_words(project, pipeline=pipeline)["hap"]]
    assert words and "sigrun" not in words
    project.close()

"""Theme vocabulary: distinctive lemmas of a theme's units against all other coded text."""

from __future__ import annotations

from qualcode.nlp.analysis import analyse
from qualcode.nlp.vocabulary import distinctive_words

from .conftest import ROLES, create_project, make_parsed

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


# --- the words, pinned: a faster count must give the same lists ------------------------------------

SECOND = [
    ("Intervjuer", "Hva betyr jobben for dere i hverdagen?"),
    ("P4", "Jobben på lageret gir meg noe å stå opp til. Lageret er stedet mitt, og Sigrun der er snill."),
    ("P5", "Æ har ikkje jobb, men æ går tur med hunden hver morgen. Hunden får meg opp. [pause] Det hjelper."),
    ("Ansatt 2", "Vi ser at faste rutiner i hverdagen gir håp. Rutiner og jobb, det er nøkkelen for mange."),
    ("P4", "Sigrun sa det samme: jobben og rutinene holder meg oppe. Uten jobben hadde jeg ligget."),
]


def two_groups(tmp_path, pipeline):
    """Two transcripts; overlapping units (a code inside its theme's unit, two coders on one
    span, cut turns), the auto coder, a name and a transcription note."""
    project = create_project(tmp_path / "p.qualcode")
    project.import_transcript(make_parsed(SECOND), title="Fokusgruppe 2", group="FG2", roles=ROLES)
    turns = {"T1": project.turns("T1"), "T2": project.turns("T2")}

    units = [  # (transcript, turn, code, coder, characters cut from the turn's start)
        ("T1", 1, "hap-gjen", "AB", 0), ("T1", 1, "hap", "AB", 5), ("T1", 2, "hap", "AB", 0), ("T1", 2, "hap", "CD", 0),
        ("T1", 3, "hap-ansatte", "AB", 0), ("T1", 5, "fagdag", "AB", 0), ("T1", 5, "hap", "AB", 12),
        ("T1", 6, "hverdag", "AB", 0), ("T1", 8, "hap", "CD", 0), ("T2", 1, "hverdag", "AB", 0),
        ("T2", 2, "hverdag", "CD", 0), ("T2", 3, "hap-ansatte", "AB", 0), ("T2", 3, "hverdag", "AB", 20),
        ("T2", 4, "hverdag", "AB", 0), ("T2", 4, "fagdag", "auto", 0),
    ]
    for tid, k, code, coder, cut in units:
        project.add_coding(tid, turns[tid][k].start + cut, turns[tid][k].end, code, coder)
    analyse(project, pipeline=pipeline)
    return project


PINNED = {
    "basic": {
        None: {
            "fagdag": [("bra", 0.518), ("håper", 0.518), ("håpet", 0.518), ("lang", 0.518), ("pauser", 0.518),
                       ("trengte", 0.518), ("dagen", 0.317)],
            "hap": [("håp", 0.524), ("rutiner", 0.524), ("alene", 0.367), ("bodde", 0.367), ("bra", 0.367),
                    ("egen", 0.367), ("framtid", 0.367), ("historie", 0.367)],
            "hap-ansatte": [("rutiner", 0.705), ("jobbet", 0.493), ("lenge", 0.493), ("nytter", 0.493),
                            ("nøkkelen", 0.493), ("påfyll", 0.493), ("hverdagen", 0.492), ("faste", 0.281)],
            "hap-gjen": [("kjente", 0.554), ("egen", 0.537), ("historie", 0.537), ("høre", 0.537)],
            "hverdag": [("jobb", 0.406), ("hunden", 0.348), ("hver", 0.348), ("holder", 0.281), ("lage", 0.281),
                        ("lageret", 0.281), ("morgen", 0.281), ("stå", 0.281)],
        },
        "CD": {
            "fagdag": [], "hap-ansatte": [], "hap-gjen": [],
            "hap": [("alene", 0.291), ("bodde", 0.291), ("framtid", 0.291), ("hjelp", 0.291), ("håpløst", 0.291),
                    ("karris", 0.291), ("skjønte", 0.291), ("håp", 0.208)],
            "hverdag": [("hunden", 0.368), ("hjelper", 0.304), ("morgen", 0.227), ("tur", 0.227), ("hver", 0.193),
                        ("jobb", 0.173)],
        },
        "auto": {
            "hap": [], "hap-ansatte": [], "hap-gjen": [], "hverdag": [],
            "fagdag": [("holder", 0.134), ("ligget", 0.134), ("oppe", 0.134), ("rutinene", 0.134), ("jobben", 0.11)],
        },
    },
    "model": {
        None: {
            "fagdag": [("bra", 0.512), ("håpe", 0.512), ("lang", 0.512), ("pause", 0.512), ("trenge", 0.316),
                       ("håp", 0.219)],
            "hap": [("håp", 0.643), ("alene", 0.363), ("bo", 0.363), ("bra", 0.363), ("egen", 0.363),
                    ("framtid", 0.363), ("historie", 0.363), ("hjelp", 0.363)],
            "hap-ansatte": [("rutine", 0.506), ("jobbe", 0.479), ("lenge", 0.479), ("nytte", 0.479),
                            ("nøkkel", 0.479), ("påfyll", 0.479), ("hverdag", 0.476), ("fast", 0.269)],
            "hap-gjen": [("høre", 0.579), ("kjenne", 0.54), ("egen", 0.525), ("historie", 0.525)],
            "hverdag": [("jobb", 0.471), ("hund", 0.334), ("hver", 0.334), ("holde", 0.269), ("lage", 0.269),
                        ("ligge", 0.269), ("morgen", 0.269), ("plan", 0.269)],
        },
        "CD": {
            "fagdag": [], "hap-ansatte": [], "hap-gjen": [],
            "hap": [("alene", 0.288), ("bo", 0.288), ("framtid", 0.288), ("hjelp", 0.288), ("håpløs", 0.288),
                    ("skjønne", 0.288), ("mor", 0.209), ("håp", 0.172)],
            "hverdag": [("hund", 0.356), ("hjelpe", 0.295), ("morgen", 0.218), ("tur", 0.218), ("hver", 0.183),
                        ("jobb", 0.126)],
        },
        "auto": {
            "hap": [], "hap-ansatte": [], "hap-gjen": [], "hverdag": [],
            "fagdag": [("holde", 0.134), ("ligge", 0.134), ("oppe", 0.134), ("jobb", 0.062), ("rutine", 0.038)],
        },
    },
}


def test_the_words_and_scores_stay_as_they_were(tmp_path, pipeline):
    project = two_groups(tmp_path, pipeline)
    pinned = PINNED["basic" if pipeline.basic else "model"]
    for coder, expected in pinned.items():
        assert distinctive_words(project, coder=coder, top=8, pipeline=pipeline) == expected, coder
    project.close()

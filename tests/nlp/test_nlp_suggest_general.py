"""Suggestions on a codebook they were never tuned on (issue 13): what a word is worth in this
project's talk, the codebook's definitions, role families, the coder's own units and rejections,
and the talk around a span."""

from __future__ import annotations

from qualcode.nlp.autocode import autocode_takes
from qualcode.nlp.corpus import content_keys, corpus_stats
from qualcode.nlp.suggest import Suggester

from .conftest import create_project, span_of

CARE_BOOK = """\
codebook: Hjemme
codes:
  - id: tid
    name: Tidspress
    definition: Erfaringer med at det er for lite tid til besøkene, stress og hastverk.
    keywords: [tid, stress]
    children:
      - id: tid-brukere
        name: Tidspress – brukernes erfaringer
        definition: Hvordan brukerne opplever at hjelperne har dårlig tid.
      - id: tid-ansatte
        name: Tidspress – de ansattes erfaringer
        definition: Hvordan sykepleiere og helsefagarbeidere opplever stramme lister og for mange besøk.
  - id: mat
    name: Måltider
    definition: Mat, middag, matlyst og hjelp til å spise.
    keywords: [mat]
  - id: nett
    name: Nettverk
    definition: Naboer, venner og familie som stikker innom og hjelper til.
"""


def test_content_words_leave_out_names_fillers_and_numbers(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", [
        ("P1", "I går kom Hilde rett og slett innom i Tromsø, på en måte, tre ganger med middag."),
    ], codebook=CARE_BOOK)
    analysis = __import__("qualcode.nlp.analysis", fromlist=["get_analysis"]).get_analysis(project, "T1", pipeline)
    [turn] = project.turns("T1")
    keys = {k for _, k in content_keys(analysis, turn.start, turn.end)}
    assert keys & {"middag"} and not keys & {"hilde", "tromsø", "rett", "slett", "måte", "tre"}
    project.close()


def test_a_keyword_said_everywhere_counts_less_than_a_rare_one(tmp_path, pipeline):
    dialogue = [("P1", "Det er stress hver eneste dag, stress og mas.")] + [
        ("P2", f"Vi snakker om tid igjen, dag {n}, for tid er det alle snakker om.") for n in range(40)]
    dialogue.append(("P3", "Det handler om tid, og det handler om mat."))
    project = create_project(tmp_path / "p.qualcode", dialogue, codebook=CARE_BOOK)
    suggester = Suggester(project, pipeline)
    stats = corpus_stats(project, pipeline)
    assert stats.rarity("tid") < stats.rarity("mat")
    last = project.turns("T1")[-1]
    found = {s.code: s for s in suggester.suggest("T1", last.start, last.end, top=10)}
    # "mat" is said once; "tid" in almost every turn: the keyword tid says too little to show
    assert "mat" in found
    assert found["mat"].score > (found["tid"].score if "tid" in found else 0)
    assert suggester.term_weight["mat"] > suggester.term_weight["tid"]
    project.close()


def test_a_codebook_without_examples_or_units_suggests_from_its_definitions(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", [
        ("P1", "Naboen stikker innom med avisa, og venninna mi kommer på søndager."),
    ], codebook=CARE_BOOK)
    [turn] = project.turns("T1")
    [best, *_] = Suggester(project, pipeline).suggest("T1", turn.start, turn.end)
    assert best.code == "nett"
    [definition] = [e for e in best.evidence if e.kind == "definition"]
    assert {w.text.lower() for w in definition.words} & {"naboen", "venninna", "stikker", "innom"}
    assert "like the code's definition" in best.explain()
    project.close()


def test_a_speakers_role_meets_a_subtheme_through_its_family(tmp_path, pipeline):
    """A sykepleier is staff: "de ansattes erfaringer" is hers, the users' subtheme is not, and the
    subtheme for her role ranks above its theme."""
    from qualcode.store.project import RoleRule

    project = create_project(tmp_path / "p.qualcode", [
        ("Sykepleier 1", "Lista er så stram at vi får dårlig tid og stress på hvert besøk."),
    ], codebook=CARE_BOOK)
    project.set_roles("T1", [RoleRule.parse("Sykepleier*=sykepleier")])
    [turn] = project.turns("T1")
    found = [s.code for s in Suggester(project, pipeline).suggest("T1", turn.start, turn.end)]
    assert found.index("tid-ansatte") < found.index("tid")
    assert "tid-brukere" not in found[:2]
    project.close()


def test_the_talk_around_a_span_says_what_it_is_about(tmp_path, pipeline):
    """A short answer ("Ja, alltid.") takes its topic from the question before it."""
    project = create_project(tmp_path / "p.qualcode", [
        ("Intervjuer", "Hvordan er det med middag og mat, får dere hjelp til å spise?"),
        ("P1", "Ja, alltid. Hver dag."),
    ], codebook=CARE_BOOK)
    answer = project.turns("T1")[1]
    [best, *_] = Suggester(project, pipeline).suggest("T1", answer.start, answer.end)
    assert best.code == "mat"
    project.close()


def test_a_coder_learns_from_their_own_units_and_rejections_only(tmp_path, pipeline):
    dialogue = [
        ("P1", "Kaffen og vaflene på kafeen hver onsdag, det var det beste."),
        ("P2", "Vaflene og kaffen på kafeen om onsdagen holdt meg oppe."),
        ("P3", "Onsdagskafeen med kaffe og vafler, ja."),
    ]
    project = create_project(tmp_path / "p.qualcode", dialogue, codebook=CARE_BOOK)
    first, second, third = project.turns("T1")
    project.add_coding("T1", first.start, first.end, "nett", "AB")
    mine = Suggester(project, pipeline, coder="AB").suggest("T1", second.start, second.end)
    theirs = Suggester(project, pipeline, coder="CD").suggest("T1", second.start, second.end)
    assert any(e.kind == "similar" for s in mine if s.code == "nett" for e in s.evidence)
    assert not any(e.kind == "similar" for s in theirs for e in s.evidence)  # never another coder's units
    before = {s.code: s.score for s in Suggester(project, pipeline, coder="AB").suggest("T1", third.start, third.end)}
    project.record_suggestions("T1", second.start, second.end, "AB", [("nett", 1, before.get("nett", 0.5), "rejected")])
    after = Suggester(project, pipeline, coder="AB").suggest("T1", third.start, third.end)
    scores = {s.code: s.score for s in after}
    assert scores.get("nett", 0) < before["nett"]
    assert any(e.kind == "rejected" for s in after if s.code == "nett" for e in s.evidence) or "nett" not in scores
    project.close()


def test_autocode_takes_only_keyword_evidence_at_its_threshold(tmp_path, pipeline):
    project = create_project(tmp_path / "p.qualcode", [("P1", "Maten er god, og mat er viktig for meg.")],
                             codebook=CARE_BOOK)
    [turn] = project.turns("T1")
    [best, *_] = Suggester(project, pipeline).suggest("T1", turn.start, turn.end)
    assert best.code == "mat" and autocode_takes(best, 0.0) and not autocode_takes(best, 1.01)
    start, end = span_of(project, "T1", "Maten er god")
    assert start < end
    project.close()


def test_a_decision_on_a_suggestion_changes_the_next_suggestions_at_once(tmp_path, basic_pipeline):
    from qualcode.nlp.suggest import suggester_for

    project = create_project(tmp_path / "p.qualcode", [("P1", "Maten er god.")], codebook=CARE_BOOK)
    first = suggester_for(project, basic_pipeline, coder="AB")
    assert suggester_for(project, basic_pipeline, coder="AB") is first
    assert suggester_for(project, basic_pipeline, coder="CD") is not first  # another coder learns apart
    first = suggester_for(project, basic_pipeline, coder="AB")
    project.record_suggestions("T1", 0, 5, "AB", [("mat", 1, 0.5, "rejected")])
    assert suggester_for(project, basic_pipeline, coder="AB") is not first
    project.close()


def test_a_word_the_tokeniser_kept_its_full_stop_on_is_not_content(tmp_path, pipeline):
    from qualcode.nlp.analysis import get_analysis

    project = create_project(tmp_path / "p.qualcode", [("P1", "Det trur eg. Og så var det no.")], codebook=CARE_BOOK)
    [turn] = project.turns("T1")
    keys = {k for _, k in content_keys(get_analysis(project, "T1", pipeline), turn.start, turn.end)}
    assert not any(k.endswith(".") for k in keys) and not keys & {"eg", "no", "jeg", "nå"}
    project.close()


VISIT_TALK = [("P1", "Han kom på besøk i går, og vi drakk kaffe."),
              ("P1", "Vi spiste kake etterpå, og det var fint vær."),
              ("P1", "Det var en lang dag, med mye prat om familie og folk."),
              ("P1", "Jeg leste avisa og hørte på radio."),
              ("Sykepleier 1", "Det er stress og hastverk hele dagen.")]


def test_a_suggestion_with_little_evidence_is_shown_as_a_guess(tmp_path, pipeline):
    """A codebook with definitions only often has little to go on: the best guess is still shown
    (with its evidence), marked weak, rather than nothing; a suggestion with real evidence is not."""
    from qualcode.nlp.suggest import MIN_SCORE, SHOWN_SCORE

    project = create_project(tmp_path / "p.qualcode", VISIT_TALK, codebook=CARE_BOOK)
    suggester = Suggester(project, pipeline)
    turns = project.turns("T1")
    found = {n: suggester.suggest("T1", t.start, t.end) for n, t in enumerate(turns)}
    every = [s for shown in found.values() for s in shown]
    assert all(s.weak == (round(s.score, 2) < MIN_SCORE) and s.score >= SHOWN_SCORE and s.evidence for s in every)
    [family] = [s for s in found[2] if s.code == "nett"]
    assert family.weak and family.to_dict()["weak"] is True
    assert "familie" in family.explain()
    assert not found[4][0].weak and found[4][0].to_dict()["weak"] is False
    project.close()


def test_a_subtheme_by_role_shows_the_words_its_themes_definition_shares(tmp_path, pipeline):
    """A sykepleier's "stress og hastverk" is like the theme's definition, not the staff subtheme's
    own: the evidence names the span's words and says whose definition it is."""
    from qualcode.store.project import RoleRule

    project = create_project(tmp_path / "p.qualcode", VISIT_TALK, codebook=CARE_BOOK)
    project.set_roles("T1", [RoleRule.parse("Sykepleier*=sykepleier")])
    turn = project.turns("T1")[4]
    found = {s.code: s for s in Suggester(project, pipeline).suggest("T1", turn.start, turn.end)}
    [definition] = [e for e in found["tid-ansatte"].evidence if e.kind == "definition"]
    assert {w.text for w in definition.words} == {"stress", "hastverk"}
    assert definition.term == "stress, hastverk (its theme's, for this role)"
    project.close()


EXAMPLE_BOOK = CARE_BOOK.replace("""    keywords: [mat]
""", """    keywords: [mat]
    examples: ["Middagen kommer i en boks med lokk, og jeg varmer den i mikroen."]
""")


def test_examples_describe_a_code_until_the_coder_has_units_of_their_own(tmp_path, pipeline):
    """Cold, a code's examples are part of what the codebook says about it (like its definition),
    not units it is alike to: as units they would give the codes that have examples a similarity
    the codes without examples cannot have. Once the coder has units, they count as units too."""
    project = create_project(tmp_path / "p.qualcode", [
        ("P1", "Jeg varmer boksen i mikroen, da."),
        ("P2", "Naboen stikker innom med avisa, og venninna mi kommer på søndager."),
    ], codebook=EXAMPLE_BOOK)
    heated, visits = project.turns("T1")
    cold = {s.code: s for s in Suggester(project, pipeline, coder="AB").suggest("T1", heated.start, heated.end)}
    [definition] = [e for e in cold["mat"].evidence if e.kind == "definition"]
    assert {w.text for w in definition.words} >= {"mikroen"}
    assert "like the code's definition and examples: " in cold["mat"].explain()
    assert not any(e.kind == "similar" for s in cold.values() for e in s.evidence)
    project.add_coding("T1", visits.start, visits.end, "nett", "AB")
    warm = {s.code: s for s in Suggester(project, pipeline, coder="AB").suggest("T1", heated.start, heated.end)}
    assert any(e.kind == "similar" and e.unit is None for e in warm["mat"].evidence)  # the codebook's example
    assert "like the codebook's examples" in warm["mat"].explain()
    project.close()


PRISON_BOOK = """\
codebook: Fengsel
codes:
  - id: tilgang
    name: Tilgang til helsehjelp
    definition: Hvordan det er å få time hos lege og sykepleier, ventetid og lapper.
    children:
      - id: tilgang-innsatte
        name: Tilgang – de innsattes erfaringer
        definition: Slik de innsatte opplever ventetid og svar på lapper.
      - id: tilgang-ansatte
        name: Tilgang – de ansattes erfaringer
        definition: Slik betjenter og helsepersonell opplever å sortere lapper og ventelister.
"""


def test_a_role_the_tool_does_not_know_meets_the_subthemes_named_for_it(tmp_path, pipeline):
    """An innsatt and a fengselsbetjent: each gets the subtheme for their own side first, though
    neither word is in qualcode's lists of patients and staff the same way (the project's roles
    are families of their own, and a role word inside a role, *betjent*, is found)."""
    from qualcode.store.project import RoleRule

    text = "Det er ventetid på lapper, tre uker før noen svarer, og da er vondtene borte."
    project = create_project(tmp_path / "p.qualcode", [("Innsatt 1", text), ("Betjent 1", text)],
                             codebook=PRISON_BOOK)
    project.set_roles("T1", [RoleRule.parse("Innsatt*=innsatt"), RoleRule.parse("Betjent*=fengselsbetjent")])
    inmate, officer = project.turns("T1")
    suggester = Suggester(project, pipeline)
    for turn, mine, theirs in ((inmate, "tilgang-innsatte", "tilgang-ansatte"),
                               (officer, "tilgang-ansatte", "tilgang-innsatte")):
        codes = [s.code for s in suggester.suggest("T1", turn.start, turn.end)]
        assert mine in codes and (theirs not in codes or codes.index(mine) < codes.index(theirs)), codes
        assert codes.index(mine) < codes.index("tilgang") if "tilgang" in codes else True
    project.close()


def test_the_workbenchs_suggester_follows_edited_definitions_and_speaker_roles(tmp_path, basic_pipeline):
    """The workbench keeps one suggester while nothing it depends on changes: a code's definition
    or criteria edited in the codebook screen, or speakers given other roles, change it."""
    from qualcode.nlp.suggest import suggester_for
    from qualcode.store.project import RoleRule

    project = create_project(tmp_path / "p.qualcode", [("P1", "Maten er god.")], codebook=CARE_BOOK)
    first = suggester_for(project, basic_pipeline, coder="AB")
    project.update_code("mat", definition="Mat, middag og kaffe.")
    second = suggester_for(project, basic_pipeline, coder="AB")
    assert second is not first
    project.update_code("mat", inclusion="Kaffe og kaker på besøk.")
    third = suggester_for(project, basic_pipeline, coder="AB")
    assert third is not second
    project.set_roles("T1", [RoleRule.parse("P1=sykepleier")])
    assert suggester_for(project, basic_pipeline, coder="AB") is not third
    project.close()

"""Co-occurrence of codes, checked against counts worked out by hand for a small invented study.

The study (every word invented) has three focus groups, patients and staff, two coders and
overlapping units. AB's units, by number (``ids[n]`` is the coding id the store gave it):

====  =====  ====  ========  ========  =================================================  ========
 n    group  turn  speaker   role      text                                               code
====  =====  ====  ========  ========  =================================================  ========
 1    FG1    1     P1        pasient   Jeg kjente meg igjen i historien hans               hap-gjen
 2    FG1    1     P1        pasient   det ga meg håp om at jeg også kan klare det         hap-sol
 3    FG1    1     P1        pasient   historien hans, og det ga meg håp                   rec
 4    FG1    2     Ansatt 1  ansatt    Som ansatt får jeg håp når jeg ser at folk ...      hap
 5    FG1    2     Ansatt 1  ansatt    recovery er jo noe som skjer ute                    rec
 6    FG1    3     P2        pasient   Æ treng ein jobb og nokon å vere saman med          hverdag
 7    FG1    3     P2        pasient   nokon å vere saman med, det er det som er ...       rec
 8    FG2    1     P3        pasient   Å høre at han fikk tilbake familien sin, ...        hap-sol
 9    FG2    1     P3        pasient   (the same span as 8)                                rec
10    FG2    2     P4        pasient   Jeg vil ha en jobb å gå til om morgenen.            hverdag
11    FG3    0     Ansatt 2  ansatt    Vi må slippe pasientene mer til i planene           bruk
12    FG3    0     Ansatt 2  ansatt    det er recovery for meg                             rec
13    FG3    1     Ansatt 3  ansatt    fikk håp igjen for egen del                         hap
====  =====  ====  ========  ========  =================================================  ========

Overlaps of AB's units: 1 with 3 ("historien hans"), 2 with 3 ("det ga meg håp"), 6 with 7
("nokon å vere saman med"), 8 with 9 (the whole span). CD coded 21 "Jeg kjente meg igjen"
(hap-gjen), 22 "kjente meg igjen i historien hans" (rec, overlapping 21 and AB's 1 and 3) and
23 "Jeg vil ha en jobb" (hverdag). A co-occurrence is between one coder's units, never across.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.cooccurrence import (
    NO_VALUE,
    Pair,
    cooccurrence,
    passages,
    split_units,
)
from qualcode.core.errors import UserError
from qualcode.core.parsed import ParsedTranscript
from qualcode.store import Project
from qualcode.store.project import RoleRule

STUDY_CODEBOOK = """\
codebook: Studiebok
codes:
  - id: hap
    name: Opplevelser av håp
    children:
      - id: hap-sol
        name: Solskinnshistorier
      - id: hap-gjen
        name: Gjenkjennelse
  - id: rec
    name: Opplevelser av recovery
  - id: hverdag
    name: Meningsfull hverdag
  - id: bruk
    name: Brukermedvirkning
  - id: fagdag
    name: Fagdagen videre
"""

FG1 = [
    ("Intervjuer", "Hva tenkte dere om fagdagen?"),
    ("P1", "Jeg kjente meg igjen i historien hans, og det ga meg håp om at jeg også kan klare det."),
    ("Ansatt 1", "Som ansatt får jeg håp når jeg ser at folk kommer seg, og recovery er jo noe som skjer ute."),
    ("P2", "Æ treng ein jobb og nokon å vere saman med, det er det som er recovery for meg."),
]
FG2 = [
    ("Intervjuer", "Hva var viktig for dere?"),
    ("P3", "Å høre at han fikk tilbake familien sin, det ga meg håp. Det er sånn recovery ser ut."),
    ("P4", "Jeg vil ha en jobb å gå til om morgenen."),
]
FG3 = [
    ("Ansatt 2", "Vi må slippe pasientene mer til i planene, det er recovery for meg."),
    ("Ansatt 3", "Og jeg fikk håp igjen for egen del."),
]
ROLES = [RoleRule.parse("P*=pasient"), RoleRule.parse("Ansatt*=ansatt"), RoleRule.parse("Intervjuer=moderator")]

# n: (transcript, quote, code, coder)
UNITS = {
    1: ("T1", "Jeg kjente meg igjen i historien hans", "hap-gjen", "AB"),
    2: ("T1", "det ga meg håp om at jeg også kan klare det", "hap-sol", "AB"),
    3: ("T1", "historien hans, og det ga meg håp", "rec", "AB"),
    4: ("T1", "Som ansatt får jeg håp når jeg ser at folk kommer seg", "hap", "AB"),
    5: ("T1", "recovery er jo noe som skjer ute", "rec", "AB"),
    6: ("T1", "Æ treng ein jobb og nokon å vere saman med", "hverdag", "AB"),
    7: ("T1", "nokon å vere saman med, det er det som er recovery for meg", "rec", "AB"),
    8: ("T2", "Å høre at han fikk tilbake familien sin, det ga meg håp.", "hap-sol", "AB"),
    9: ("T2", "Å høre at han fikk tilbake familien sin, det ga meg håp.", "rec", "AB"),
    10: ("T2", "Jeg vil ha en jobb å gå til om morgenen.", "hverdag", "AB"),
    11: ("T3", "Vi må slippe pasientene mer til i planene", "bruk", "AB"),
    12: ("T3", "det er recovery for meg", "rec", "AB"),
    13: ("T3", "fikk håp igjen for egen del", "hap", "AB"),
    21: ("T1", "Jeg kjente meg igjen", "hap-gjen", "CD"),
    22: ("T1", "kjente meg igjen i historien hans", "rec", "CD"),
    23: ("T2", "Jeg vil ha en jobb", "hverdag", "CD"),
}


def build_study(path: Path, units: dict = UNITS) -> tuple[Project, dict[int, int]]:
    """The study above as a project file; returns it open, and the coding id of each unit number."""
    project = Project.create(path, codebook=parse_codebook(STUDY_CODEBOOK, "studie.yaml"))
    for dialogue, title, group, attributes in (
        (FG1, "Fokusgruppe 1", "FG1", {"dato": "2024-03-14", "nr": "10", "rekke": "2"}),
        (FG2, "Fokusgruppe 2", "FG2", {"dato": "07.03.2024", "nr": "2", "rekke": "3"}),
        (FG3, "Fokusgruppe 3", "FG3", {"nr": "3", "rekke": "1"}),
    ):
        project.import_transcript(ParsedTranscript.from_dialogue(dialogue), title=title, group=group,
                                  group_attributes=attributes, roles=ROLES)
    ids = {}
    for n, (tid, quote, code, coder) in units.items():
        start = project.text(tid).index(quote)
        ids[n] = project.add_coding(tid, start, start + len(quote), code, coder).id
    return project, ids


@pytest.fixture
def study(tmp_path):
    project, ids = build_study(tmp_path / "studie.qualcode")
    yield project, ids
    project.close()


def counts(table) -> dict[tuple[str, str], tuple[int, int, int]]:
    """{(a, b): (n_a, n_b, both)} for every pair coded together."""
    return {(p.a, p.b): (p.n_a, p.n_b, p.both) for p in table.pairs}


def test_units_of_one_coder_whose_spans_overlap_are_co_coded(study):
    project, _ = study
    table = cooccurrence(project.units(coder="AB"), project.codebook())
    assert table.level == "unit" and not table.subcodes
    assert table.counts == {"hap": 2, "hap-sol": 2, "hap-gjen": 1, "rec": 5, "hverdag": 2, "bruk": 1}
    assert counts(table) == {
        ("hap-sol", "rec"): (2, 5, 2),   # 2 with 3, 8 with 9
        ("hap-gjen", "rec"): (1, 5, 1),  # 1 with 3
        ("rec", "hverdag"): (5, 2, 1),   # 6 with 7 (codebook order: rec before hverdag)
    }
    by_pair = {(p.a, p.b): p for p in table.pairs}
    assert by_pair["hap-sol", "rec"].c == pytest.approx(2 / (2 + 5 - 2))
    assert by_pair["hap-gjen", "rec"].c == pytest.approx(1 / 5)
    assert by_pair["rec", "hverdag"].c == pytest.approx(1 / 6)
    assert not any(p.several for p in table.pairs)
    # the strongest first; a pair asked for either way round is the same pair
    assert (table.pairs[0].a, table.pairs[0].b) == ("hap-sol", "rec")
    assert table.pair("rec", "hap-sol").both == 2 and table.pair("rec", "hap-sol").a == "rec"
    assert table.pair("hap", "bruk") == Pair("hap", "bruk", 2, 1, 0, False)
    assert table.pair("hap", "bruk").c == 0.0


def test_codings_of_two_coders_never_co_occur(study):
    project, _ = study
    table = cooccurrence(project.units(coder="CD"), project.codebook())
    assert counts(table) == {("hap-gjen", "rec"): (1, 1, 1)}
    assert table.pairs[0].c == 1.0
    # all coders at once: each coder's overlaps counted, AB's unit 1 and CD's 22 are not a pair
    both = cooccurrence(project.units(), project.codebook())
    assert counts(both)[("hap-gjen", "rec")] == (2, 6, 2)


def test_with_subcodes_a_theme_holds_its_subthemes_units(study):
    project, _ = study
    table = cooccurrence(project.units(coder="AB"), project.codebook(), subcodes=True)
    assert table.counts["hap"] == 5 and table.counts["hap-sol"] == 2
    found = counts(table)
    assert found[("hap", "rec")] == (5, 5, 3)  # 1-3, 2-3 and 8-9
    assert ("hap", "hap-sol") not in found and ("hap-sol", "hap") not in found  # a code and its subcode: no pair
    assert found[("hap-sol", "rec")] == (2, 5, 2)
    pair = table.pair("hap", "rec")
    assert pair.c == pytest.approx(3 / 7)
    assert pair.several  # unit 3 overlaps two units of hap (1 and 2): c overstates the relation


def test_a_unit_overlapping_two_of_the_other_code_is_flagged(tmp_path):
    extra = {**UNITS, 14: ("T2", "det ga meg håp", "rec", "AB")}
    project, _ = build_study(tmp_path / "x.qualcode", extra)
    with project:
        pair = cooccurrence(project.units(coder="AB"), project.codebook()).pair("hap-sol", "rec")
    assert (pair.n_a, pair.n_b, pair.both, pair.several) == (2, 6, 3, True)  # unit 8 overlaps 9 and 14


def test_at_turn_level_turns_holding_both_codes_count(study):
    project, _ = study
    table = cooccurrence(project.units(coder="AB"), project.codebook(), level="turn")
    assert table.counts == {"hap": 2, "hap-sol": 2, "hap-gjen": 1, "rec": 5, "hverdag": 2, "bruk": 1}
    assert counts(table) == {
        ("hap-sol", "hap-gjen"): (2, 1, 1),  # FG1 turn 1
        ("hap-gjen", "rec"): (1, 5, 1),
        ("hap-sol", "rec"): (2, 5, 2),
        ("hap", "rec"): (2, 5, 1),           # FG1 turn 2: not overlapping, but the same turn
        ("rec", "hverdag"): (5, 2, 1),
        ("rec", "bruk"): (5, 1, 1),          # FG3 turn 0
    }
    assert table.pair("hap-gjen", "hap-sol").c == pytest.approx(0.5)
    assert table.pair("rec", "bruk").c == pytest.approx(0.2)


def test_split_by_role_and_by_group(study):
    project, _ = study
    units = project.units(coder="AB")
    book = project.codebook()
    by_role = split_units(units, "role")
    assert list(by_role) == ["ansatt", "pasient"]
    assert [len(v) for v in by_role.values()] == [5, 8]
    patients = cooccurrence(by_role["pasient"], book)
    assert counts(patients) == {("hap-sol", "rec"): (2, 3, 2), ("hap-gjen", "rec"): (1, 3, 1),
                                ("rec", "hverdag"): (3, 2, 1)}
    assert patients.pair("hap-sol", "rec").c == pytest.approx(2 / 3)
    assert cooccurrence(by_role["ansatt"], book).pairs == []
    by_group = split_units(units, "group")
    assert list(by_group) == ["FG1", "FG2", "FG3"]
    assert counts(cooccurrence(by_group["FG2"], book)) == {("hap-sol", "rec"): (1, 1, 1)}  # units 8 and 9
    assert counts(cooccurrence(by_group["FG1"], book)) == {
        ("hap-sol", "rec"): (1, 3, 1), ("hap-gjen", "rec"): (1, 3, 1), ("rec", "hverdag"): (3, 1, 1)}
    unrolled = [u.replace(role=None) for u in units[:2]]
    assert list(split_units(unrolled, "role")) == [NO_VALUE]
    with pytest.raises(ValueError):
        split_units(units, "speaker")


def test_the_passages_coded_with_both(study):
    project, ids = study
    units = project.units(coder="AB")
    found = passages(units, project.codebook(), "hap-sol", "rec")
    assert [(p.transcript, p.text, p.units_a, p.units_b) for p in found] == [
        ("T1", "det ga meg håp", (ids[2],), (ids[3],)),
        ("T2", "Å høre at han fikk tilbake familien sin, det ga meg håp.", (ids[8],), (ids[9],)),
    ]
    first = found[0]
    assert (first.speaker, first.role, first.group, first.turn) == ("P1", "pasient", "FG1", 1)
    text = project.text("T1")
    assert text[first.start:first.end] == "det ga meg håp"
    # either order, the same passages; the order of the codes decides which ids come first
    assert [p.units_a for p in passages(units, project.codebook(), "rec", "hap-sol")] == [(ids[3],), (ids[9],)]
    assert passages(units, project.codebook(), "hap", "bruk") == []


def test_passages_at_turn_level_and_with_subcodes(study):
    project, ids = study
    units = project.units(coder="AB")
    book = project.codebook()
    turns = passages(units, book, "hap", "rec", level="turn")
    assert [(p.transcript, p.turn, p.units_a, p.units_b) for p in turns] == [("T1", 2, (ids[4],), (ids[5],))]
    assert turns[0].text == "Som ansatt får jeg håp når jeg ser at folk kommer seg […] recovery er jo noe som skjer ute"
    apart = passages(units, book, "hap-sol", "hap-gjen", level="turn")
    # in transcript order, what lies between them left out as in a quote
    assert apart[0].text == "Jeg kjente meg igjen i historien hans […] det ga meg håp om at jeg også kan klare det"
    merged = passages(units, book, "hap-sol", "rec", level="turn")  # overlapping spans are joined
    assert [(p.transcript, p.text) for p in merged] == [
        ("T1", "historien hans, og det ga meg håp om at jeg også kan klare det"),
        ("T2", "Å høre at han fikk tilbake familien sin, det ga meg håp."),
    ]
    themed = passages(units, book, "hap", "rec", subcodes=True)
    assert [(p.units_a, p.units_b) for p in themed] == [((ids[1],), (ids[3],)), ((ids[2],), (ids[3],)),
                                                        ((ids[8],), (ids[9],))]
    with pytest.raises(UserError, match="hap-sol is a subcode of hap"):
        passages(units, book, "hap", "hap-sol", subcodes=True)
    with pytest.raises(UserError, match="two different codes"):
        passages(units, book, "rec", "rec")


def test_no_units_no_pairs(study):
    project, _ = study
    table = cooccurrence([], project.codebook())
    assert table.counts == {} and table.pairs == [] and table.units == 0
    with pytest.raises(ValueError):
        cooccurrence([], project.codebook(), level="sentence")

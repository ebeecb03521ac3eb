"""Saturation: new codes focus group by focus group, checked against counts worked out by hand
on the invented study of :mod:`tests.core.test_cooccurrence` (see its table of units).

AB's units by focus group (codebook order hap, hap-sol, hap-gjen, rec, hverdag, bruk, fagdag):

* FG1 (units 1-7): hap-gjen, hap-sol, rec, hap, rec, hverdag, rec
* FG2 (units 8-10): hap-sol, rec, hverdag
* FG3 (units 11-13): bruk, rec, hap

Attributes: FG1 dato 2024-03-14, nr 10, rekke 2; FG2 dato 07.03.2024, nr 2, rekke 3; FG3 no
dato, nr 3, rekke 1.
"""

from __future__ import annotations

import pytest

from qualcode.core.errors import UserError
from qualcode.core.saturation import Group, order_groups, saturation

from .test_cooccurrence import build_study


@pytest.fixture
def study(tmp_path):
    project, _ = build_study(tmp_path / "studie.qualcode")
    yield project
    project.close()


def groups_of(project) -> list[Group]:
    attributes = {g.name: g.attributes for g in project.groups()}
    return [Group(t.group, (t.id,), attributes.get(t.group, {})) for t in project.transcripts()]


def table(result) -> list[tuple[str, int, tuple[str, ...], int]]:
    return [(s.group, s.units, s.new_codes, s.codes_so_far) for s in result.steps]


def test_in_import_order(study):
    result = saturation(study.units(coder="AB"), order_groups(groups_of(study), "import"), study.codebook())
    assert table(result) == [
        ("FG1", 7, ("hap", "hap-sol", "hap-gjen", "rec", "hverdag"), 5),
        ("FG2", 3, (), 5),
        ("FG3", 3, ("bruk",), 6),
    ]
    assert result.themes == ("hap", "rec", "hverdag", "bruk", "fagdag")
    assert [s.themes for s in result.steps] == [
        {"hap": 3, "rec": 3, "hverdag": 1, "bruk": 0, "fagdag": 0},
        {"hap": 4, "rec": 4, "hverdag": 2, "bruk": 0, "fagdag": 0},
        {"hap": 5, "rec": 5, "hverdag": 2, "bruk": 1, "fagdag": 0},
    ]
    assert result.roles == ("pasient", "ansatt")  # the most units first
    assert [s.roles for s in result.steps] == [{"pasient": 5, "ansatt": 2}, {"pasient": 8, "ansatt": 2},
                                               {"pasient": 8, "ansatt": 5}]
    assert result.unused == ("fagdag",)
    assert result.verdict() == ("Did the last focus groups add anything new? Yes: the last one, FG3, added 1 new "
                                "code (bruk), so new codes were still appearing.")


def test_by_date_groups_without_a_date_last(study):
    ordering = order_groups(groups_of(study), "date")
    assert [g.name for g in ordering.groups] == ["FG2", "FG1", "FG3"]  # 07.03.2024 is 7 March
    assert ordering.values == ["2024-03-07", "2024-03-14", None]
    assert ordering.unplaced == ["FG3"]
    assert "dato" in ordering.description
    result = saturation(study.units(coder="AB"), ordering, study.codebook())
    assert table(result) == [
        ("FG2", 3, ("hap-sol", "rec", "hverdag"), 3),
        ("FG1", 7, ("hap", "hap-gjen"), 5),
        ("FG3", 3, ("bruk",), 6),
    ]


def test_by_an_attribute_in_natural_order(study):
    ordering = order_groups(groups_of(study), "attr=nr")
    assert [g.name for g in ordering.groups] == ["FG2", "FG3", "FG1"]  # 2, 3, 10
    result = saturation(study.units(coder="AB"), ordering, study.codebook())
    assert table(result) == [
        ("FG2", 3, ("hap-sol", "rec", "hverdag"), 3),
        ("FG3", 3, ("hap", "bruk"), 5),
        ("FG1", 7, ("hap-gjen",), 6),
    ]


def test_the_closing_line_when_the_last_groups_add_nothing(study):
    ordering = order_groups(groups_of(study), "attr=REKKE")  # the key's case does not matter
    result = saturation(study.units(coder="AB"), ordering, study.codebook())
    assert table(result) == [
        ("FG3", 3, ("hap", "rec", "bruk"), 3),
        ("FG1", 7, ("hap-sol", "hap-gjen", "hverdag"), 6),
        ("FG2", 3, (), 6),
    ]
    assert result.verdict() == ("Did the last focus groups add anything new? No: the last one, FG2, added no new "
                                "code; all 6 codes in use had appeared by FG1 (focus group 2 of 3).")


def test_a_group_without_units_is_left_out_of_the_answer(study):
    # CD coded in FG1 (hap-gjen, rec) and FG2 (hverdag) only
    result = saturation(study.units(coder="CD"), order_groups(groups_of(study), "import"), study.codebook())
    assert table(result) == [("FG1", 2, ("hap-gjen", "rec"), 2), ("FG2", 1, ("hverdag",), 3), ("FG3", 0, (), 3)]
    assert result.verdict() == ("Did the last focus groups add anything new? Yes: the last one, FG2, added 1 new "
                                "code (hverdag), so new codes were still appearing (FG3 has no units yet and is "
                                "left out).")
    one = saturation(study.units(coder="CD", transcript="T1"), order_groups(groups_of(study), "import"),
                     study.codebook())
    assert "Only one focus group has units (FG1)" in one.verdict()


def test_several_transcripts_in_one_group_and_transcripts_without_one():
    groups = [Group("FG1", ("T1", "T4")), Group("FG2", ("T2",)), Group("T3", ("T3",))]
    ordering = order_groups(groups, "import")
    assert [g.name for g in ordering.groups] == ["FG1", "FG2", "T3"]


def test_orders_that_cannot_be_followed(study):
    groups = groups_of(study)
    with pytest.raises(UserError, match=r"no focus group has the attribute 'dat'.*did you mean 'dato'"):
        order_groups(groups, "attr=dat")
    with pytest.raises(UserError, match="import, date or attr=KEY"):
        order_groups(groups, "alphabet")
    with pytest.raises(UserError, match="attr=KEY"):
        order_groups(groups, "attr=")
    undated = [Group("FG1", ("T1",), {"type": "blandet"})]
    with pytest.raises(UserError, match="no focus group has a date"):
        order_groups(undated, "date")
    wrong = [Group("FG1", ("T1",), {"dato": "7. mars"})]
    with pytest.raises(UserError, match=r"FG1.*'7. mars' is not a date.*2024-03-07"):
        order_groups(wrong, "date")

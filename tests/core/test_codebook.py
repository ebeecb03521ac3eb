"""Codebook files: the shipped one loads, and every mistake is reported at its line."""

from __future__ import annotations

import pytest

from qualcode.core.codebook import codebook_to_yaml, load_codebook, parse_codebook
from qualcode.core.errors import UserError
from tests.conftest import CODEBOOK_YAML, REPO


def test_tree_order_paths_and_inherited_colour():
    book = parse_codebook(CODEBOOK_YAML, "cb.yaml")
    assert [c.id for c in book.codes] == ["hap", "hap-sol", "hap-gjen", "rec"]
    assert [n.name for n in book.path("hap-gjen")] == ["Opplevelser av håp", "Gjenkjennelse"]
    assert book.colour_of("hap-sol") == "#E69F00"
    assert book.get("hap").keywords == ["håp", "kjenne seg igjen"]


def test_flat_list_with_parent_references():
    book = parse_codebook("codes:\n  - {id: b, name: B, parent: a}\n  - {id: a, name: A}\n", "cb.yaml")
    assert [(c.id, c.parent) for c in book.codes] == [("a", None), ("b", "a")]


def test_yaml_round_trip_keeps_everything():
    book = parse_codebook(CODEBOOK_YAML, "cb.yaml")
    again = parse_codebook(codebook_to_yaml(book), "again.yaml")
    assert again == book


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("codes:\n  - id: a\n    name: A\n  - id: a\n    name: B\n", "cb.yaml:4:", "duplicate code id 'a' (first defined on line 2)"),
        ("codes:\n  - id: a\n    name: '  '\n", "cb.yaml:3:", "empty name"),
        ("codes:\n  - id: a\n    name: A\n    parent: nope\n", "cb.yaml:4:", "unknown parent 'nope'"),
        ("codes:\n  - id: a\n    name: A\n    parent: b\n  - id: b\n    name: B\n    parent: a\n", "cb.yaml:4:", "cycle"),
        ("codes:\n  - id: a\n    nmae: A\n", "cb.yaml:3:", "unknown code field 'nmae'"),
        ("codes:\n  - id: a\n    name: A\n    colour: rød\n", "cb.yaml:4:", "#RRGGBB"),
        ("codes:\n  - id: a b\n    name: A\n", "cb.yaml:2:", "code id 'a b'"),
        ("codes:\n  - id: a\n    name: A\n    name: B\n", "cb.yaml:4:", "appears twice"),
        ("codes: [\n", "cb.yaml:2:", "not valid YAML"),
        ("", "cb.yaml:1:", "empty"),
        ("codes: []\n", "cb.yaml:1:", "non-empty list"),
    ],
)
def test_mistakes_are_reported_with_file_and_line(text, where, message):
    with pytest.raises(UserError) as err:
        parse_codebook(text, "cb.yaml")
    assert str(err.value).startswith(where)
    assert message in str(err.value)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load_codebook(tmp_path / "nope.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("codes:\n  - id: a\n    name: H\xe5p\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"latin.yaml:3: codebook file is not UTF-8"):
        load_codebook(bad)


def test_shipped_codebook_has_the_study_themes_with_criteria_and_keywords():
    book = load_codebook(REPO / "codebooks" / "et_bedre_liv.yaml")
    names = {c.name for c in book.codes}
    for theme in ("Opplevelser av håp", "Solskinnshistorier som kan gi håp", "Ansattes håp",
                  "Håpet kan ligge i gjenkjennelsen", "Opplevelser av recovery"):
        assert theme in names
    for code in book.codes:
        assert code.definition and code.inclusion and code.exclusion, code.id
        assert 5 <= len(code.keywords) <= 10, code.id
    assert all(book.colour_of(c.id) for c in book.codes)


def test_every_mistake_is_reported_at_once_with_its_line():
    text = ("codes:\n"
            "  - id: a\n    name: A\n    colour: rød\n"      # line 4
            "  - id: b\n    name: '  '\n"                     # line 6
            "  - id: c\n    nmae: C\n"                        # line 8
            "  - id: a\n    name: A igjen\n")                 # line 9 (a is not defined: its colour failed)
    with pytest.raises(UserError) as err:
        parse_codebook(text, "cb.yaml")
    message = str(err.value)
    assert message.startswith("cb.yaml:4: 3 problems in this codebook:")
    assert "cb.yaml:4:" in message and "cb.yaml:6: code 'b' has an empty name" in message
    assert "cb.yaml:8: unknown code field 'nmae'" in message


def test_a_hostile_codebook_lists_only_the_first_problems():
    text = "codes:\n" + "".join(f"  - id: k{i}\n    name: ''\n" for i in range(500))
    with pytest.raises(UserError) as err:
        parse_codebook(text, "cb.yaml")
    assert "500 problems" in str(err.value) and "... and 480 more" in str(err.value)
    assert str(err.value).count("\n") == 21


def test_criteria_may_be_lists_and_ids_may_have_dots():
    book = parse_codebook(
        "codes:\n"
        "  - id: hap\n    name: Håp\n"
        "    definition: [Uttrykk for håp, Om framtida]\n"
        "    inclusion:\n      - Egen erfaring\n      - Andres erfaring som gir håp\n"
        "    exclusion: Generelle utsagn\n"
        "    children:\n      - id: hap.solskinn\n        name: Solskinnshistorier\n", "cb.yaml")
    hap = book.get("hap")
    assert hap.inclusion == "- Egen erfaring\n- Andres erfaring som gir håp"
    assert hap.definition == "- Uttrykk for håp\n- Om framtida" and hap.exclusion == "Generelle utsagn"
    assert book.get("hap.solskinn").parent == "hap"
    assert parse_codebook(codebook_to_yaml(book), "again.yaml") == book

"""Quotes for articles: guillemets, block quotes, […], attribution by role and group, sources."""

from __future__ import annotations

import docx

from qualcode.core.codebook import parse_codebook
from qualcode.exports.base import ExportData, Selection
from qualcode.exports.quotes import quote_text, quotes_by_code, write_docx, write_markdown
from qualcode.store import Project

from ..conftest import CODEBOOK_YAML, make_parsed
from .conftest import ROLES, docx_paragraphs, zip_texts


def test_short_quotes_in_guillemets_long_ones_as_blocks_attributed_by_role_and_group(coded):
    quotes = quotes_by_code(ExportData(coded))
    [gjen] = quotes["hap-gjen"]  # AB's and CD's unit on the same span: one quote
    assert gjen.inline == "«Jeg kjente meg igjen i historien til [Navn 1]» (pasient, FG1)"
    assert not gjen.long and gjen.unit.coder == "AB, CD"
    long = quotes["rec"][0]
    assert long.long and len(long.text.split()) > 40 and "«" not in long.text
    assert long.attribution == "(pasient, FG2)"
    kari = quotes["rec"][1]  # spoken by a speaker labelled with a hidden name
    assert kari.attribution == "(pasient, FG2)" and "Kari" not in kari.reference


def test_attribution_lowercases_a_group_name_inside_the_sentence(tmp_path):
    project = Project.create(tmp_path / "p.qualcode", codebook=parse_codebook(CODEBOOK_YAML, "t.yaml"))
    project.import_transcript(make_parsed([("P1", "Det var som å høre min egen historie.")]),
                              title="FG 2", group="Fokusgruppe 2", roles=ROLES)
    project.add_coding("T1", 4, 4 + len("Det var som å høre min egen historie."), "hap", "AB")
    [q] = quotes_by_code(ExportData(project))["hap"]
    assert q.inline == "«Det var som å høre min egen historie.» (pasient, fokusgruppe 2)"
    project.close()


def test_an_interjection_inside_a_unit_becomes_an_omission(tmp_path):
    project = Project.create(tmp_path / "p.qualcode", codebook=parse_codebook(CODEBOOK_YAML, "t.yaml"))
    project.import_transcript(make_parsed([
        ("P1", "Det første var at jeg fikk sove."), ("Intervjuer", "Mm."),
        ("P1", "Og så begynte jeg å spise «ordentlig» frokost igjen."),
    ]), title="FG", group="FG3", roles=ROLES)
    text = project.text("T1")
    project.add_coding("T1", text.index("Det første"), text.index(" igjen.") + 7, "rec", "AB")
    data = ExportData(project)
    [unit] = data.units
    assert quote_text(data, unit) == "Det første var at jeg fikk sove. […] Og så begynte jeg å spise «ordentlig» frokost igjen."
    [q] = quotes_by_code(data)["rec"]
    assert q.inline.startswith("«Det første var at jeg fikk sove. […] Og så") and "‘ordentlig’" in q.inline
    project.close()


def test_docx_quotes_carry_their_source_in_comments(coded, tmp_path):
    write_docx(ExportData(coded, lang="en"), tmp_path / "q.docx")
    paragraphs = docx_paragraphs(tmp_path / "q.docx")
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    assert headings == ["Opplevelser av håp", "Solskinnshistorier", "Gjenkjennelse", "Opplevelser av recovery"]
    assert ("Normal", "«For meg som ansatt ga det håp for jobben, faktisk.» (ansatt, FG1)") in paragraphs
    block = [text for style, text in paragraphs if style == "Quote"]
    assert len(block) == 1 and block[0].startswith("Det første som skjedde") and block[0].endswith("(pasient, FG2)")
    comments = list(docx.Document(str(tmp_path / "q.docx")).comments)
    assert len(comments) == 6  # seven units, two of them on one span
    assert all(c.text.startswith(("T1 «", "T2 «")) and ", turn " in c.text and "characters " in c.text for c in comments)
    assert len({c.comment_id for c in comments}) == 6
    references = zip_texts((tmp_path / "q.docx").read_bytes())["word/document.xml"].count("<w:commentReference")
    assert references == 6
    first = next(c for c in comments if "unit 1 " in c.text)
    assert "Condensed meaning: Kjente seg igjen i [Navn 2]s historie" in first.text


def test_markdown_quotes_with_footnotes(coded, tmp_path):
    write_markdown(ExportData(coded, lang="en"), tmp_path / "q.md")
    text = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "## Opplevelser av håp\n" in text and "### Gjenkjennelse\n" in text
    assert "«Jeg kjente meg igjen i historien til [Navn 1]» (pasient, FG1)[^q" in text
    assert "\n> Det første som skjedde" in text
    notes = [line for line in text.splitlines() if line.startswith("[^q")]
    assert len(notes) == 6 and all("characters" in n for n in notes)


def test_only_starred_units_on_request(coded, tmp_path):
    quotes = quotes_by_code(ExportData(coded, Selection(starred=True)))
    assert sorted(q.unit.id for qs in quotes.values() for q in qs) == [1, 4]
    write_docx(ExportData(coded, Selection(starred=True)), tmp_path / "q.docx")
    assert len(list(docx.Document(str(tmp_path / "q.docx")).comments)) == 2


def test_an_empty_selection_still_makes_a_document(coded, tmp_path):
    coded.update_coding(1, starred=False)
    coded.update_coding(4, starred=False)
    write_docx(ExportData(coded, Selection(starred=True), lang="en"), tmp_path / "q.docx")
    assert ("Normal", "No meaning units match this selection.") in docx_paragraphs(tmp_path / "q.docx")


def test_the_turns_over_a_span_are_found_by_bisection_as_by_looking_at_each():
    import random

    from qualcode.core.models import Turn
    from qualcode.exports.base import _Turns

    def turns(spans):
        return [Turn(index=i, speaker="P1", start=s, end=e, text="") for i, (s, e) in enumerate(spans)]

    rng = random.Random(5)
    ordered = turns([(0, 10), (12, 20), (20, 20), (20, 35), (40, 41)])  # an empty turn, turns that touch
    overlapping = turns([(0, 10), (5, 30), (12, 20)])  # turns out of order (a foreign file): looked at one by one
    for case in (ordered, overlapping):
        found = _Turns(case)
        assert found.ordered == (case is ordered)
        for _ in range(300):
            start = rng.randrange(0, 45)
            end = rng.randrange(start + 1, 46)
            expected = [t for t in case if t.start < end and start < t.end and t.end > t.start]
            assert found.over(start, end) == expected, (start, end)

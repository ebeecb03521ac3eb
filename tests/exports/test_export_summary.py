"""The theme summary: counts by role and group, the matrix, exemplars, words, and the chart."""

from __future__ import annotations

import sys
import types

import docx

from qualcode.cli.export_commands import distinctive_words_or_note
from qualcode.exports.base import ExportData, Selection
from qualcode.exports.summary import _matrix, summarise, write_chart, write_summary

from .conftest import zip_texts


def by_id(summary):
    return {t.node.id: t for t in summary.themes}


def test_counts_by_role_and_group_for_a_hand_made_project(coded):
    summary = summarise(ExportData(coded), words=None)
    themes = by_id(summary)
    hap, sol, gjen, rec = themes["hap"], themes["hap-sol"], themes["hap-gjen"], themes["rec"]
    assert (hap.units, hap.own_units, hap.transcripts) == (5, 1, 2)
    assert hap.by_role == {"pasient": 4, "ansatt": 1}
    assert hap.by_group == {"FG1": 4, "FG2": 1}
    assert (sol.units, sol.by_role, sol.by_group) == (2, {"pasient": 2}, {"FG1": 1, "FG2": 1})
    assert (gjen.units, gjen.transcripts, gjen.by_group) == (2, 1, {"FG1": 2})
    assert (rec.units, rec.by_role, rec.by_group) == (2, {"pasient": 2}, {"FG2": 2})
    assert summary.roles == ["pasient", "ansatt"] and summary.groups == ["FG1", "FG2"]
    assert [t.depth for t in summary.themes] == [0, 1, 1, 0]


def test_the_matrix_covers_the_whole_codebook_with_totals(coded):
    summary = summarise(ExportData(coded, lang="en"), words=None)
    headers, rows = _matrix(summary, summary.roles, "by_role")
    assert headers == ["Theme", "pasient", "ansatt", "Total"]
    assert [r[1:] for r in rows] == [[4, 1, 5], [2, 0, 2], [2, 0, 2], [2, 0, 2], [6, 1, 7]]
    assert rows[1][0] == "\u2003Solskinnshistorier" and rows[-1][0] == "All units"
    headers, rows = _matrix(summary, summary.groups, "by_group")
    assert headers == ["Theme", "FG1", "FG2", "Total"] and rows[-1][1:] == [4, 3, 7]
    one = summarise(ExportData(coded, Selection(coder="CD")), words=None)
    assert [r[1:] for r in _matrix(one, one.roles, "by_role")[1]] == [[2, 2], [1, 1], [1, 1], [0, 0], [2, 2]]


def test_exemplars_prefer_starred_units_and_merge_coders(coded):
    summary = summarise(ExportData(coded), words=None)
    themes = by_id(summary)
    [gjen] = themes["hap-gjen"].exemplars  # units 1 and 6 are one span
    assert gjen.unit.starred and gjen.text.endswith("historien til [Navn 1]")
    assert themes["rec"].exemplars[0].unit.id == 4  # the starred one first
    assert themes["rec"].exemplars[0].long


def test_distinctive_words_come_from_the_nlp_layer_without_hidden_names(coded, monkeypatch):
    fake = types.ModuleType("qualcode.nlp.vocabulary")
    fake.distinctive_words = lambda project, *, coder=None, top=10: {
        "hap-gjen": [("kjenne", 3.1), ("kari", 2.5), ("nordmann", 2.0), ("historie", 1.2)]}
    monkeypatch.setitem(sys.modules, "qualcode.nlp.vocabulary", fake)
    summary = summarise(ExportData(coded), words=distinctive_words_or_note(coded, None))
    assert by_id(summary)["hap-gjen"].words == [("kjenne", 3.1), ("historie", 1.2)]
    assert summary.words_note is None


def test_without_the_nlp_layer_the_words_are_left_out_with_a_note(coded, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "qualcode.nlp.vocabulary", None)  # import fails
    note = distinctive_words_or_note(coded, None)
    summary = summarise(ExportData(coded), words=note)
    assert "not available" in summary.words_note and not any(t.words for t in summary.themes)
    write_summary(ExportData(coded), tmp_path / "s.md", "md", words=note)
    assert "Distinctive words need the NLP layer" in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_markdown_summary_has_definitions_counts_quotes_and_its_chart_beside_it(coded, tmp_path):
    written = write_summary(ExportData(coded, lang="en"), tmp_path / "summary.md", "md", words=None)
    assert written == [tmp_path / "summary.md", tmp_path / "summary-chart.png"]
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "![Meaning units per theme, by role](summary-chart.png)" in text
    assert "| Opplevelser av håp | 4 | 1 | 5 |" in text
    # every count with its noun (the task of issue 14: not "FG2 1")
    assert "**By role:** pasient: 4 units; ansatt: 1 unit" in text
    assert "**By focus group:** FG1: 4 units; FG2: 1 unit" in text
    assert "**Units:** 5 units (including subthemes) in 2 transcripts" in text
    assert "(pasient, FG1)" in text  # an exemplar with its attribution
    assert (tmp_path / "summary-chart.png").read_bytes().startswith(b"\x89PNG")


def test_docx_and_html_embed_the_chart(coded, tmp_path):
    write_summary(ExportData(coded), tmp_path / "summary.docx", "docx", words=None)
    parts = zip_texts((tmp_path / "summary.docx").read_bytes())
    document = docx.Document(str(tmp_path / "summary.docx"))
    assert len(document.inline_shapes) == 1
    assert any(name.startswith("word/media/") for name in _names(tmp_path / "summary.docx"))
    assert len(document.tables) == 2 and document.tables[0].rows[1].cells[0].text.startswith("Opplevelser av håp")
    assert "Opplevelser av recovery" in parts["word/document.xml"]
    write_summary(ExportData(coded), tmp_path / "summary.html", "html", words=None)
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and "<?xml" not in html
    assert "Opplevelser av håp" in html[html.index("<svg"):html.index("</svg>")]  # chart text kept as text
    assert '<td class="n">4</td>' in html


def test_chart_alone_as_png_and_svg(coded, tmp_path):
    write_chart(ExportData(coded), tmp_path / "c.png", "png")
    write_chart(ExportData(coded), tmp_path / "c.svg", "svg")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "c.svg").read_text(encoding="utf-8")
    assert "pasient" in svg and "<dc:date>" not in svg


def _names(path):
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.namelist()

"""Exports that look finished: A4 pages, the document's language, tables whose columns hold their
longest word, headings and counts in Norwegian or English, the HTML chart also as a PNG.

The DOCX is checked in its XML; a word's width is measured in DejaVu Serif (through matplotlib's
FreeType, independently of the exporter's own estimate), the wide font LibreOffice falls back to.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree
from openpyxl import load_workbook

from qualcode.cli import main
from qualcode.exports.base import ExportData
from qualcode.exports.framework import write_framework
from qualcode.exports.quotes import write_docx as write_quotes_docx
from qualcode.exports.summary import summarise, write_summary
from qualcode.exports.units import write_xlsx
from qualcode.store import Project

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
A4_TWIPS = (11906, 16838)
CELL_MARGINS_CM = 2 * 0.19  # Table Grid's left and right cell margins


def part(path, name: str):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def word_width_cm(word: str, pt: float, bold: bool) -> float:
    import matplotlib
    from matplotlib.ft2font import FT2Font

    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    font = FT2Font(f"{matplotlib.get_data_path()}/fonts/ttf/{name}")
    font.set_size(pt, 7200)  # at 100 times 72 dpi, so hinting does not round the advances
    font.set_text(word, 0.0)
    return font.get_width_height()[0] / 64 / 100 * 2.54 / 72


def write_all_docx(project, folder, lang):
    data = ExportData(project, lang=lang)
    write_summary(data, folder / f"summary-{lang}.docx", "docx", words=None)
    write_quotes_docx(data, folder / f"quotes-{lang}.docx")
    write_framework(data, folder / f"framework-{lang}.docx", "docx")
    return [folder / f"{kind}-{lang}.docx" for kind in ("summary", "quotes", "framework")]


@pytest.mark.parametrize("lang, locale", [("nb", "nb-NO"), ("en", "en-GB")])
def test_every_docx_is_on_a4_in_its_language(coded, tmp_path, lang, locale):
    for path in write_all_docx(coded, tmp_path, lang):
        document = part(path, "word/document.xml")
        [size] = document.iter(f"{W}pgSz")
        width, height = int(size.get(f"{W}w")), int(size.get(f"{W}h"))
        if path.name.startswith("framework"):
            assert (height, width) == A4_TWIPS and size.get(f"{W}orient") == "landscape", path.name
        else:
            assert (width, height) == A4_TWIPS and size.get(f"{W}orient") in (None, "portrait"), path.name
        [margins] = document.iter(f"{W}pgMar")
        assert all(int(margins.get(f"{W}{side}")) >= 1000 for side in ("left", "right", "top", "bottom"))
        styles = part(path, "word/styles.xml")
        langs = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val", namespaces=NS)
        assert langs == [locale], path.name
        assert docx.Document(str(path)).core_properties.language == locale


def test_table_columns_hold_their_longest_word_on_the_page(example, tmp_path):
    with Project.open(example, backup=False) as project:
        write_summary(ExportData(project), tmp_path / "s.docx", "docx", words=None)
        write_framework(ExportData(project), tmp_path / "f.docx", "docx")
        write_framework(ExportData(project), tmp_path / "r.docx", "docx", rows="role", cells="excerpt")
    for name, usable_cm in (("s.docx", 21 - 2 * 2.5), ("f.docx", 29.7 - 2 * 2.0), ("r.docx", 29.7 - 2 * 2.0)):
        document = part(tmp_path / name, "word/document.xml")
        tables = list(document.iter(f"{W}tbl"))
        assert tables
        for table in tables:
            assert table.xpath("w:tblPr/w:tblLayout/@w:type", namespaces=NS) == ["fixed"]
            grid = [int(w) / 1440 * 2.54 for w in table.xpath("w:tblGrid/w:gridCol/@w:w", namespaces=NS)]
            assert sum(grid) <= usable_cm + 0.01, name
            rows = table.findall(f"{W}tr")
            assert rows[0].xpath("w:trPr/w:tblHeader", namespaces=NS), "the header row repeats on each page"
            for row in rows:
                for j, cell in enumerate(row.findall(f"{W}tc")):
                    for run in cell.iter(f"{W}r"):
                        size = run.xpath("w:rPr/w:sz/@w:val", namespaces=NS)
                        pt = int(size[0]) / 2 if size else 11
                        bold = bool(run.xpath("w:rPr/w:b", namespaces=NS))
                        text = "".join(run.itertext())
                        for word in text.split():
                            need = word_width_cm(word, pt, bold) + CELL_MARGINS_CM
                            assert grid[j] >= need, (name, word, round(grid[j], 2), round(need, 2))


def test_counts_name_their_noun_in_both_languages(coded):
    nb = {t.node.id: t for t in summarise(ExportData(coded), words=None).themes}
    en = {t.node.id: t for t in summarise(ExportData(coded, lang="en"), words=None).themes}
    from qualcode.exports.summary import _details

    def details(lang, code):
        data = ExportData(coded, lang=lang)
        summary = summarise(data, words=None)
        return dict(_details(summary, {t.node.id: t for t in summary.themes}[code]))

    assert nb["hap-sol"].by_group == en["hap-sol"].by_group == {"FG1": 1, "FG2": 1}
    assert details("nb", "hap-sol")["Etter fokusgruppe"] == "FG1: 1 enhet; FG2: 1 enhet"
    assert details("nb", "hap")["Etter rolle"] == "pasient: 4 enheter; ansatt: 1 enhet"
    assert details("nb", "hap")["Enheter"] == "5 enheter (medregnet undertemaene) i 2 transkripsjoner"
    assert details("nb", "hap-gjen")["Enheter"] == "2 enheter i 1 transkripsjon"
    assert details("en", "hap-sol")["By focus group"] == "FG1: 1 unit; FG2: 1 unit"
    assert details("en", "hap-gjen")["Units"] == "2 units in 1 transcript"


def test_headings_and_fixed_labels_follow_the_language(coded, tmp_path):
    write_all_docx(coded, tmp_path, "nb")
    summary = docx.Document(str(tmp_path / "summary-nb.docx"))
    headings = [p.text for p in summary.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:3] == ["Temaoversikt: studie", "Temaer × roller", "Temaer × fokusgrupper"]
    header = [c.text for c in summary.tables[0].rows[0].cells]
    assert header[0] == "Tema" and header[-1] == "Totalt"
    assert summary.tables[0].rows[-1].cells[0].text == "Alle enheter"
    quotes = docx.Document(str(tmp_path / "quotes-nb.docx"))
    assert quotes.paragraphs[0].text == "Sitater: studie"
    assert any(line.startswith("Prosjekt: studie") for p in quotes.paragraphs for line in p.text.splitlines())
    comments = [c.text for c in quotes.comments]
    assert all(", tur " in c and ", tegn " in c and " kodet " in c for c in comments)
    write_xlsx(ExportData(coded), tmp_path / "u.xlsx")
    book = load_workbook(tmp_path / "u.xlsx")
    assert book.sheetnames == ["Enheter", "Om eksporten"]
    assert [c.value for c in book["Enheter"][1]][:3] == ["enhet", "transkripsjon", "tittel"]
    assert book.properties.language == "nb-NO"


def test_the_language_is_the_projects_unless_chosen(coded, tmp_path, capsys):
    assert ExportData(coded).lang == "nb"
    with coded.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('language', 'en-GB')")
    assert ExportData(coded).lang == "en" and ExportData(coded, lang="nb").lang == "nb"
    path = coded.path
    coded.close()
    assert main(["export", str(path), "summary", "--format", "md", "--out", str(tmp_path / "en.md")]) == 0
    assert (tmp_path / "en.md").read_text(encoding="utf-8").startswith("# Theme summary:")
    assert main(["export", str(path), "summary", "--format", "md", "--lang", "nb", "--out", str(tmp_path / "nb.md")]) == 0
    assert (tmp_path / "nb.md").read_text(encoding="utf-8").startswith("# Temaoversikt:")
    with pytest.raises(SystemExit):
        main(["export", str(path), "summary", "--lang", "de"])  # argparse: not a choice
    assert "invalid choice: 'de'" in capsys.readouterr().err


def test_the_html_summary_has_its_chart_as_a_png_beside_it(coded, tmp_path):
    written = write_summary(ExportData(coded), tmp_path / "s.html", "html", words=None)
    assert written == [tmp_path / "s.html", tmp_path / "s-chart.png"]
    assert (tmp_path / "s-chart.png").read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in page and page.count("<svg") == 1
    assert '<img class="chart-png" src="s-chart.png"' in page and '<a href="s-chart.png">' in page
    assert "Temaer × roller" in page and "Meningsbærende enheter per tema, etter rolle" in page


def test_the_units_xlsx_prints_on_a4_and_its_rows_are_as_high_as_their_text(coded, tmp_path):
    coded.update_coding(4, memo="Et langt notat. " * 30)
    write_xlsx(ExportData(coded), tmp_path / "u.xlsx")
    ws = load_workbook(tmp_path / "u.xlsx")["Enheter"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
    ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    long_row = ids.index(4) + 2
    assert ws.row_dimensions[long_row].height >= 15 * 5  # the memo wraps over several lines
    short = next(i for i, uid in enumerate(ids, 2) if uid == 2)  # its longest text is its title: at most two lines
    assert (ws.row_dimensions[short].height or 15) <= 15 * 2 + 2


def test_a_docx_is_one_zip_with_no_letter_sized_section_left(coded, tmp_path):
    """python-docx's template is US Letter: no section of any export may keep it."""
    for path in write_all_docx(coded, tmp_path, "en"):
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        assert 'w:w="12240"' not in xml and 'w:h="15840"' not in xml, path.name  # Letter, in twips

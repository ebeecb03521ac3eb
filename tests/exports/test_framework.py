"""The framework matrix (rows: speakers, groups or roles; columns: themes), checked against what
the test works out from the project's units itself."""

from __future__ import annotations

import re
from collections import defaultdict

import docx
import pytest
from docx.shared import Cm
from openpyxl import load_workbook

from qualcode.cli import main
from qualcode.exports.base import ExportData, Selection
from qualcode.exports.framework import framework_matrix, write_framework
from qualcode.store.deid import Redactor

from .conftest import PLANTED, visible_text, zip_texts

REFERENCE = re.compile(r"\bT\d+, (?:tur|turn) \d+, (?:enhet|unit|enheter|units) (\d+(?:, \d+)*)\)")


def ids_in(text: str) -> list[int]:
    return [int(x) for found in REFERENCE.findall(text or "") for x in found.split(", ")]


def expected_cells(project, rows: str, *, coder: str | None = None) -> dict[tuple[str, str], set[int]]:
    """(row, theme id) → ids of the units shown there, worked out from the project's own units
    (a speaker counted once per focus group)."""
    book = project.codebook()
    redactor = Redactor(project)
    cells: dict[tuple[str, str], set[int]] = defaultdict(set)
    for u in project.units():
        if coder and u.coder != coder:
            continue
        if rows == "speaker":
            row = f"{redactor.text(u.group or '')}|{redactor.text(u.speaker or '')}"
        elif rows == "group":
            row = redactor.text(u.group or "")
        else:
            row = u.role or ""
        cells[(row, book.path(u.code)[0].id)].add(u.id)
    return dict(cells)


def shown_cells(matrix, rows: str) -> dict[tuple[str, str], set[int]]:
    out: dict[tuple[str, str], set[int]] = {}
    for row in matrix.rows:
        if rows == "speaker":
            key = f"{row.group}|{row.speaker}"
        elif rows == "group":
            key = row.group
        else:
            key = row.role
        for column in matrix.columns:
            entries = matrix.cell(row, column)
            if entries:
                out[(key, column.id)] = {u.id for e in entries for u in e.units}
    return out


@pytest.mark.parametrize("rows", ["speaker", "group", "role"])
def test_each_cell_holds_the_rows_units_in_the_theme(coded, rows):
    matrix = framework_matrix(ExportData(coded), rows=rows)
    assert [c.id for c in matrix.columns] == ["hap", "rec"]
    assert shown_cells(matrix, rows) == expected_cells(coded, rows)


def test_a_speaker_label_is_one_person_per_focus_group_and_names_are_hidden(coded):
    matrix = framework_matrix(ExportData(coded))
    labels = [(r.group, r.speaker, r.role) for r in matrix.rows]
    assert ("FG1", "P1", "pasient") in labels and ("FG2", "P1", "pasient") in labels  # two people called P1
    assert not any("Kari" in r.label for r in matrix.rows)  # the speaker label "Kari" is a name
    assert len(matrix.rows) == 5


def test_a_cell_gives_the_condensed_meaning_else_a_short_excerpt_with_the_units_reference(coded):
    matrix = framework_matrix(ExportData(coded, lang="en"))
    by_unit = {e.unit.id: e for row in matrix.rows for c in matrix.columns for e in matrix.cell(row, c)}
    assert by_unit[1].text == "Kjente seg igjen i [Navn 2]s historie" and not by_unit[1].excerpt
    assert by_unit[1].reference == "T1, turn 1, unit 1"
    assert by_unit[4].text == "Bedring er mange små steg"
    assert by_unit[2].excerpt and by_unit[2].text == "«For meg som ansatt ga det håp for jobben, faktisk.»"
    long = framework_matrix(ExportData(coded), cells="excerpt")
    entries = {e.unit.id: e for row in long.rows for c in long.columns for e in long.cell(row, c)}
    assert entries[4].excerpt and entries[4].text.startswith("«Det første som skjedde")
    assert entries[4].text.endswith("…»") and len(entries[4].text.split()) <= 26
    assert entries[1].reference == "T1, tur 1, enheter 1, 6"  # CD's unit 6 is the same passage


def test_a_passage_that_several_units_give_alike_stands_once_with_every_units_number(coded):
    matrix = framework_matrix(ExportData(coded), cells="excerpt")
    [p1] = [r for r in matrix.rows if (r.group, r.speaker) == ("FG1", "P1")]
    [entry] = matrix.cell(p1, matrix.columns[0])  # units 1 (AB) and 6 (CD): one passage, one code
    assert [u.id for u in entry.units] == [1, 6] and entry.reference == "T1, tur 1, enheter 1, 6"
    condensed = framework_matrix(ExportData(coded))  # AB wrote a condensed meaning, CD did not: two texts
    assert [e.reference for e in condensed.cell(p1, condensed.columns[0])] == ["T1, tur 1, enhet 1",
                                                                              "T1, tur 1, enhet 6"]


def test_the_selection_options_choose_the_units_and_columns(coded):
    one = framework_matrix(ExportData(coded, Selection(coder="CD")))
    assert shown_cells(one, "speaker") == expected_cells(coded, "speaker", coder="CD")
    hap = framework_matrix(ExportData(coded, Selection(theme="hap")))
    assert [c.id for c in hap.columns] == ["hap", "hap-sol", "hap-gjen"]  # the theme's own units, then subthemes
    assert {e.unit.code for r in hap.rows for e in hap.cell(r, hap.columns[0])} == {"hap"}
    patients = framework_matrix(ExportData(coded, Selection(role="pasient")), rows="role")
    assert [r.role for r in patients.rows] == ["pasient"]


def test_xlsx_has_frozen_header_and_first_column_wrapped_cells_and_the_counts(coded, tmp_path):
    path = tmp_path / "f.xlsx"
    write_framework(ExportData(coded), path, "xlsx")
    book = load_workbook(path)
    ws = book.worksheets[0]
    assert ws.freeze_panes == "B2"
    header = [c.value for c in ws[1]]
    assert header == ["Deltaker", "Opplevelser av håp", "Opplevelser av recovery"]
    shown = []
    for row in ws.iter_rows(min_row=2):
        for theme, cell in zip(["hap", "rec"], row[1:]):
            if cell.value:
                shown.append((theme, sorted(ids_in(cell.value))))
                assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert sorted(shown) == sorted((t, sorted(ids)) for (_, t), ids in expected_cells(coded, "speaker").items())
    assert ws.column_dimensions["A"].width >= 12 and ws.column_dimensions["B"].width >= 30
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert book.properties.language == "nb-NO"


def test_docx_is_a_landscape_a4_table_in_the_chosen_language(coded, tmp_path):
    path = tmp_path / "f.docx"
    write_framework(ExportData(coded, lang="en"), path, "docx", rows="group")
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (29.7, 21.0)
    assert section.orientation == 1  # landscape
    styles = zip_texts(path.read_bytes())["word/styles.xml"]
    assert 'w:lang w:val="en-GB"' in styles
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Focus group", "Opplevelser av håp", "Opplevelser av recovery"]
    assert [r.cells[0].text for r in table.rows[1:]] == ["FG1", "FG2"]
    expected = expected_cells(coded, "group")
    for row in table.rows[1:]:
        group = row.cells[0].text
        for theme, cell in zip(["hap", "rec"], row.cells[1:]):
            assert set(ids_in(cell.text)) == expected.get((group, theme), set())
    widths = [w.width for w in table.columns]
    assert sum(widths) <= Cm(25.7) + Cm(0.05) and widths[1] > widths[0]


def test_no_planted_name_in_a_deidentified_framework_and_they_are_there_without(coded, tmp_path):
    for fmt in ("xlsx", "docx"):
        write_framework(ExportData(coded), tmp_path / f"f.{fmt}", fmt, cells="excerpt")
        text = visible_text((tmp_path / f"f.{fmt}").read_bytes(), f".{fmt}")
        assert not [n for n in PLANTED if n in text], fmt
    write_framework(ExportData(coded, deidentify=False), tmp_path / "open.xlsx", "xlsx")
    text = visible_text((tmp_path / "open.xlsx").read_bytes(), ".xlsx")
    assert "Kari" in text and "IKKE AVIDENTIFISERT" in text


def test_the_command_writes_the_framework_with_its_options(example, capsys):
    code = main(["export", str(example), "framework", "--rows", "role", "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 0, err
    path = example.parent / "exports" / "example-framework.xlsx"
    assert f"wrote {path}" in out
    ws = load_workbook(path).worksheets[0]
    assert ws["A1"].value == "Role" and {ws.cell(r, 1).value for r in range(2, ws.max_row + 1)} <= {"pasient", "ansatt"}
    code = main(["export", str(example), "framework", "--format", "docx", "--cells", "excerpt", "--coder", "AB"])
    assert code == 0 and (example.parent / "exports" / "example-framework-AB.docx").exists()
    assert main(["export", str(example), "units", "--rows", "role"]) == 1
    assert "--rows and --cells shape the framework matrix" in capsys.readouterr().err

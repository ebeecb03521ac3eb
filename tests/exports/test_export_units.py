"""The units table: CSV that Excel opens right, XLSX with the comforts, JSON for scripts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from qualcode.core.errors import UserError
from qualcode.exports import units
from qualcode.exports.base import ExportData, Selection
from qualcode.exports.units import write_csv, write_json, write_xlsx

from .conftest import zip_texts


def read_csv(path, delimiter=","):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM so Excel reads æøå"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=delimiter))


def test_csv_has_a_bom_keeps_norwegian_letters_and_takes_a_semicolon(coded, tmp_path):
    data = ExportData(coded)
    write_csv(data, tmp_path / "units.csv", delimiter=";")
    rows = read_csv(tmp_path / "units.csv", ";")
    header = rows[0]
    assert header[:5] == ["unit", "transcript", "title", "group", "group: institusjon"]
    assert {"speaker", "role", "timestamp", "start", "end", "text", "condensed meaning", "theme", "subtheme",
            "code path", "coder", "memo"} <= set(header)
    assert len(rows) == 1 + 7
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_id["3"]["text"] == "det var fint å høre at ho klarte seg på [Institusjon 1]"
    assert by_id["2"]["theme"] == "Opplevelser av håp" and by_id["2"]["subtheme"] == ""
    assert by_id["1"]["code path"] == "Opplevelser av håp > Gjenkjennelse"
    assert by_id["1"]["starred"] == "yes" and by_id["2"]["starred"] == ""
    assert (by_id["4"]["role"], by_id["4"]["group"], by_id["4"]["group: type"]) == ("pasient", "FG2", "pasienter")
    assert "Æ veit ikkje" not in by_id["3"]["text"]  # the unit, not the turn
    text = coded.text("T1")
    start, end = int(by_id["2"]["start"]), int(by_id["2"]["end"])
    assert text[start:end] == by_id["2"]["text"]  # offsets are into the stored text


def test_csv_guards_cells_a_spreadsheet_would_run_as_formulas(coded, tmp_path):
    unit = coded.codings()[0]
    coded.update_coding(unit.id, condensed="=HYPERLINK(\"x\")", memo="-- avbrutt")
    write_csv(ExportData(coded), tmp_path / "units.csv")
    rows = read_csv(tmp_path / "units.csv")
    row = dict(zip(rows[0], next(r for r in rows if r[0] == str(unit.id))))
    assert row["condensed meaning"] == "'=HYPERLINK(\"x\")" and row["memo"] == "'-- avbrutt"


def test_xlsx_has_header_frozen_panes_autofilter_widths_and_sheets_per_theme(coded, tmp_path):
    unit = coded.codings()[0]
    coded.update_coding(unit.id, condensed="=1+1")
    write_xlsx(ExportData(coded, lang="en"), tmp_path / "units.xlsx", sheet_per_theme=True)
    book = load_workbook(tmp_path / "units.xlsx")
    assert book.sheetnames == ["Units", "Opplevelser av håp", "Opplevelser av recovery", "About"]
    ws = book["Units"]
    header = [c.value for c in ws[1]]
    assert header[0] == "unit" and "text" in header
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}8"
    text_column = ws.cell(1, header.index("text") + 1).column_letter
    assert ws.column_dimensions[text_column].width == 80
    assert ws.max_row == 8
    values = {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert values[unit.id]["condensed meaning"] == "=1+1"  # text, not a formula
    column = ws.cell(1, header.index("condensed meaning") + 1).column_letter
    assert next(c for c in ws[column] if c.value == "=1+1").data_type == "s"
    assert values[3]["text"].endswith("på [Institusjon 1]")
    hap = book["Opplevelser av håp"]
    assert {r[header.index("theme")] for r in hap.iter_rows(min_row=2, values_only=True)} == {"Opplevelser av håp"}
    assert hap.max_row == 1 + 5 and hap.freeze_panes == "A2"
    about = [r[0] for r in book["About"].iter_rows(values_only=True) if r[0]]
    assert any(line.startswith("De-identified: 3 reviewed name(s) hidden") for line in about)


@pytest.mark.parametrize("deidentify", [True, False])
def test_xlsx_rows_written_the_fast_way_are_those_openpyxl_writes_cell_by_cell(coded, tmp_path, monkeypatch,
                                                                               deidentify):
    """The units' rows refill one cell per column; openpyxl's public way (a new styled cell per
    value) must give the very same sheets: values, types, styles."""
    first, second = coded.codings()[:2]
    coded.update_coding(first.id, condensed="=1+1", memo="#N/A")
    coded.update_coding(second.id, condensed="bjelle\x07 og\x0b tabulator\tslutt", memo="x" * 40_000)
    data = ExportData(coded, deidentify=deidentify)
    write_xlsx(data, tmp_path / "fast.xlsx", sheet_per_theme=True)
    monkeypatch.setattr(units, "FAST_ROWS", False)
    write_xlsx(data, tmp_path / "cell-by-cell.xlsx", sheet_per_theme=True)
    fast, slow = zip_texts((tmp_path / "fast.xlsx").read_bytes()), zip_texts((tmp_path / "cell-by-cell.xlsx").read_bytes())
    assert fast.keys() == slow.keys()
    for name in fast:
        if name != "docProps/core.xml":  # the time it was written
            assert fast[name] == slow[name], name
    sheet = fast["xl/worksheets/sheet1.xml"]
    assert 't="inlineStr"' in sheet and "<f>" not in sheet and "\x07" not in sheet and "bjelle og tabulator" in sheet


def test_xlsx_sheet_names_are_made_valid_and_unique(coded, tmp_path):
    coded.rename_code("hap", "Håp: [del 1/2] * ? med et svært langt navn som ikke får plass")
    coded.rename_code("rec", "Håp: [del 1/2] * ? med et svært langt navn som ikke får plass")
    write_xlsx(ExportData(coded), tmp_path / "units.xlsx", sheet_per_theme=True)
    names = load_workbook(tmp_path / "units.xlsx").sheetnames
    assert len(set(names)) == 4 and all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_json_describes_itself_and_holds_every_unit(coded, tmp_path):
    write_json(ExportData(coded, Selection(coder="AB")), tmp_path / "units.json")
    document = json.loads((tmp_path / "units.json").read_text(encoding="utf-8"))
    assert document["deidentified"] is True and document["hidden_terms"] == 3
    assert document["selection"]["coder"] == "AB"
    assert [u["id"] for u in document["units"]] == [1, 2, 3, 4, 5]
    unit = document["units"][0]
    assert unit["code_path"] == ["Opplevelser av håp", "Gjenkjennelse"]
    assert unit["group_attributes"] == {"institusjon": "[Institusjon 1]", "type": "blandet"}
    assert "Opplevelser av håp" in (tmp_path / "units.json").read_text(encoding="utf-8")  # not \u00e5


def test_filters_choose_units_and_unknown_values_are_clear_errors(coded):
    assert [u.id for u in ExportData(coded, Selection(coder="CD")).units] == [6, 7]
    assert {u.code for u in ExportData(coded, Selection(theme="hap")).units} == {"hap", "hap-sol", "hap-gjen"}
    assert {u.role for u in ExportData(coded, Selection(role="Ansatt")).units} == {"ansatt"}
    assert [u.id for u in ExportData(coded, Selection(starred=True)).units] == [1, 4]
    with pytest.raises(UserError, match="no units by coder 'XY'.*AB, CD"):
        ExportData(coded, Selection(coder="XY"))
    with pytest.raises(UserError, match="no code 'nope'"):
        ExportData(coded, Selection(theme="nope"))
    with pytest.raises(UserError, match="no speaker has the role 'lege'.*ansatt, moderator, pasient"):
        ExportData(coded, Selection(role="lege"))


def test_an_identifiable_xlsx_says_so_above_the_header(coded, tmp_path):
    write_xlsx(ExportData(coded, deidentify=False, lang="en"), tmp_path / "units.xlsx")
    ws = load_workbook(tmp_path / "units.xlsx")["Units"]
    assert ws["A1"].value.startswith("NOT DE-IDENTIFIED") and ws["A1"].font.color.rgb.endswith("C00000")
    assert ws["A2"].value == "unit" and ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert any("Kari Nordmann" in str(v) for row in ws.iter_rows(values_only=True) for v in row)

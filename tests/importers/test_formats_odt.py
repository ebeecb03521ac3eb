"""OpenDocument text: paragraphs with ODF's encoded white space, tables, damaged files."""

from __future__ import annotations

import zipfile

import pytest
from odf import office, text
from odf.table import Table, TableCell, TableRow

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript


def fill_transcript(body) -> None:
    body.addElement(text.H(outlinelevel=1, text="Fokusgruppe 4"))
    question = text.P(text="Intervjuer: Hva")
    question.addElement(text.S(c=2))
    question.addText("betyr")
    question.addElement(text.Tab())
    question.addText("håp for dere?")
    body.addElement(question)
    answer = text.P()
    answer.addElement(text.Span(text="P1: Det "))
    answer.addText("er å våkne")
    note = text.Note(noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body_of_note = text.NoteBody()
    body_of_note.addElement(text.P(text="Fotnote som ikke er tale."))
    note.addElement(body_of_note)
    answer.addElement(note)
    answer.addText(" og glede seg.")
    answer.addElement(text.LineBreak())
    answer.addText("Sånn liksom.")
    body.addElement(answer)
    items = text.List()
    item = text.ListItem()
    item.addElement(text.P(text="[latter]"))
    items.addElement(item)
    body.addElement(items)
    table = Table(name="Transkripsjon")
    for speaker, said in [("P2", "Æ e enig."), ("Intervjuer", "Takk."), ("P2", "Bare hyggelig.")]:
        row = TableRow()
        for value in (speaker, said):
            cell = TableCell()
            cell.addElement(text.P(text=value))
            row.addElement(cell)
        table.addElement(row)
    body.addElement(table)


def test_paragraphs_spans_spaces_and_tables(make_odt, spoken):
    parsed = parse_transcript(make_odt(fill_transcript))
    assert parsed.format == "odt"
    assert spoken(parsed) == [
        (None, "Fokusgruppe 4"),
        ("Intervjuer", "Hva  betyr\thåp for dere?"),
        ("P1", "Det er å våkne og glede seg.\nSånn liksom.\n[latter]"),
        ("P2", "Æ e enig."),
        ("Intervjuer", "Takk."),
        ("P2", "Bare hyggelig."),
    ]
    assert "Fotnote" not in parsed.text


def test_truncated_odt(make_odt, tmp_path):
    data = make_odt(fill_transcript).read_bytes()
    broken = tmp_path / "avbrutt.odt"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError) as err:
        parse_transcript(broken)
    assert str(err.value) == f"{broken}: not a readable .odt (damaged or not an OpenDocument text file)"


@pytest.mark.parametrize("damage", [
    lambda xml: xml[:200],  # truncated
    lambda xml: xml.replace(b"xmlns:text=", b"xmlns:tekst=", 1),  # an undeclared prefix
])
def test_broken_content_xml_is_refused_quietly(make_odt, tmp_path, capsys, damage):
    source = make_odt(fill_transcript)
    broken = tmp_path / "rot.odt"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, damage(data) if item.filename == "content.xml" else data)
    with pytest.raises(UserError, match="not a readable .odt"):
        parse_transcript(broken)
    assert capsys.readouterr().out == ""  # refused quietly, never half-read with the part dumped


def test_text_file_named_odt(write):
    with pytest.raises(UserError, match="not a readable .odt"):
        parse_transcript(write("notat.odt", "P1: Hei.\n"))


def test_spreadsheet_named_odt(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    document.spreadsheet.addElement(Table(name="Ark1"))
    path = tmp_path / "regneark.odt"
    document.save(str(path))
    with pytest.raises(UserError, match="not an OpenDocument text"):
        parse_transcript(path)


def test_empty_odt(make_odt):
    with pytest.raises(UserError, match="no text"):
        parse_transcript(make_odt(lambda body: body.addElement(text.P())))


def test_annotations_are_not_speech(make_odt, spoken):
    def fill(body):
        p = text.P(text="P1: Ja")
        comment = office.Annotation()
        comment.addElement(text.P(text="Sjekk lydfila her"))
        p.addElement(comment)
        p.addText(", det var fint.")
        body.addElement(p)

    assert spoken(parse_transcript(make_odt(fill))) == [("P1", "Ja, det var fint.")]

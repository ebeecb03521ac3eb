"""Word transcripts: bold labels, plain labels, transcript tables, and damaged files."""

from __future__ import annotations

import zipfile

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import parse_transcript


def test_bold_labels(make_docx, spoken):
    path = make_docx([
        [("Fokusgruppe 1, fagdag", True)],  # an all-bold heading is not a label
        [("Intervjuer:", True), (" Hva tok dere med dere hjem?", False)],
        [("P1", True), (" At det går an å komme seg, ", False), ("virkelig", True), (".", False)],
        [("P2", True), (": Jeg kjente meg igjen i ", False), ("alt", True)],
        "",
        [("Intervjuer", True), (" ", False)],  # a bold label alone on its paragraph
        "Fortell mer om det.",
        [("Viktig", True), (" å huske at jeg ikke visste det da.", False)],  # emphasis, once
    ])
    parsed = parse_transcript(path)
    assert parsed.format == "docx" and parsed.encoding is None
    assert spoken(parsed) == [
        (None, "Fokusgruppe 1, fagdag"),
        ("Intervjuer", "Hva tok dere med dere hjem?"),
        ("P1", "At det går an å komme seg, virkelig."),
        ("P2", "Jeg kjente meg igjen i alt"),
        ("Intervjuer", "Fortell mer om det.\nViktig å huske at jeg ikke visste det da."),
    ]
    assert parsed.text.startswith("Fokusgruppe 1, fagdag\nIntervjuer: Hva tok")


def test_bold_name_used_twice_without_colon(make_docx, spoken):
    path = make_docx([
        [("Kari", True), (" Hei, alle sammen.", False)],
        [("Ola", True), (" Hei.", False)],
        [("Kari", True), (" Hvordan var dagen?", False)],
        [("Ola", True), (" Sånn passe, æ.", False)],
    ])
    assert spoken(parse_transcript(path)) == [
        ("Kari", "Hei, alle sammen."), ("Ola", "Hei."),
        ("Kari", "Hvordan var dagen?"), ("Ola", "Sånn passe, æ."),
    ]


def test_plain_labels_and_line_breaks(make_docx, spoken):
    path = make_docx([
        "Intervjuer: Hva betyr en meningsfull hverdag?",
        "Deltaker 3: Å ha noe å gjøre.\nÅ bli sett.",  # a manual line break inside a paragraph
        "",
        "Deltaker 4: Det samme, ja.",
    ])
    parsed = parse_transcript(path)
    assert spoken(parsed) == [
        ("Intervjuer", "Hva betyr en meningsfull hverdag?"),
        ("Deltaker 3", "Å ha noe å gjøre.\nÅ bli sett."),
        ("Deltaker 4", "Det samme, ja."),
    ]
    assert parsed.warnings == []


def test_table_transcript_with_time_column(make_docx, spoken):
    path = make_docx(
        ["Transkripsjon, fokusgruppe 5"],
        table=[["Tid", "Taler", "Tekst"],
               ["00:01:02", "Intervjuer", "Hva gir dere håp?"],
               ["00:01:09", "Pasient 1", "Å se at andre har klart det."],
               ["", "", "Og at de er ærlige om det."],
               ["00:02:30", "Ansatt 1", "Jeg fikk håp på deres vegne."]],
        after=["Slutt på opptaket."])
    parsed = parse_transcript(path)
    assert parsed.text.split("\n")[1:3] == ["[00:01:02] Intervjuer: Hva gir dere håp?",
                                            "[00:01:09] Pasient 1: Å se at andre har klart det."]
    assert spoken(parsed) == [
        (None, "Transkripsjon, fokusgruppe 5"),
        ("Intervjuer", "Hva gir dere håp?"),
        ("Pasient 1", "Å se at andre har klart det.\nOg at de er ærlige om det."),
        ("Ansatt 1", "Jeg fikk håp på deres vegne.\nSlutt på opptaket."),
    ]
    assert [t.time_start for t in parsed.turns] == [None, 62, 69, 150]


def test_table_transcript_without_time_column(make_docx, spoken):
    path = make_docx([], table=[["Kari Nordmann (intervjuer)", "Velkommen."],
                                ["Likeperson", "Takk for at jeg fikk komme."],
                                ["Kari Nordmann (intervjuer)", "Fortell."]])
    assert spoken(parse_transcript(path)) == [
        ("Kari Nordmann (intervjuer)", "Velkommen."),
        ("Likeperson", "Takk for at jeg fikk komme."),
        ("Kari Nordmann (intervjuer)", "Fortell."),
    ]


def test_empty_document(make_docx):
    with pytest.raises(UserError, match="the document contains no text"):
        parse_transcript(make_docx(["", "  "]))


def test_corrupt_docx(make_docx, tmp_path):
    good = make_docx(["P1: Hei."]).read_bytes()
    broken = tmp_path / "avbrutt.docx"
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(UserError) as err:
        parse_transcript(broken)
    assert str(err.value) == f"{broken}: not a readable .docx (damaged or not a Word file)"


def test_damaged_document_xml(tmp_path):
    path = tmp_path / "rot.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    with pytest.raises(UserError, match="not a readable .docx"):
        parse_transcript(path)


def test_text_file_named_docx(write):
    with pytest.raises(UserError, match=r"not a readable \.docx \(damaged or not a Word file\)"):
        parse_transcript(write("notat.docx", "P1: Dette er egentlig tekst.\n"))


def test_zip_without_document(tmp_path):
    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hei.txt", "P1: Hei")
    with pytest.raises(UserError, match="not a readable .docx"):
        parse_transcript(path)


def test_password_protected_or_old_doc(write):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    with pytest.raises(UserError, match="encrypted or old .doc format; save it as .docx"):
        parse_transcript(write("passord.docx", data))


def test_odt_named_docx(make_odt, tmp_path):
    from odf import text

    odt = make_odt(lambda body: body.addElement(text.P(text="P1: Hei.")))
    renamed = tmp_path / "feil.docx"
    renamed.write_bytes(odt.read_bytes())
    with pytest.raises(UserError, match="rename it to .odt"):
        parse_transcript(renamed)


def test_encoding_option_is_ignored_with_a_warning(make_docx):
    parsed = parse_transcript(make_docx(["P1: Hei."]), encoding="cp1252")
    assert parsed.warnings == ["--encoding cp1252 ignored: a .docx file has no text encoding"]


def test_tracked_insertions_and_hyperlinks_are_read(tmp_path, spoken):
    """Text inside w:ins and w:hyperlink is part of the paragraph; w:del text is not."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.element.body.insert(0, parse_xml(
        f'<w:p {w}><w:r><w:t xml:space="preserve">P1: Det var </w:t></w:r>'
        f'<w:ins w:id="1" w:author="x"><w:r><w:t>veldig </w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="x"><w:r><w:delText>ikke </w:delText></w:r></w:del>'
        f'<w:hyperlink><w:r><w:t>fint</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>'))
    path = tmp_path / "sporing.docx"
    document.save(path)
    assert spoken(parse_transcript(path)) == [("P1", "Det var veldig fint.")]


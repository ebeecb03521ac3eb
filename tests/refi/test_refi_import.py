"""REFI-QDA import: round trips, files from other tools, and bad files that change nothing."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.core.errors import UserError
from qualcode.refi.importer import import_qdpx
from qualcode.refi.write import write_qdc, write_qdpx
from qualcode.store import Project

from .conftest import SHARED, build_coded

SAMPLES = SHARED / "samples"


def snapshot(project: Project) -> dict:
    """What a round trip must keep, independent of ids the import may number anew."""
    book = project.codebook()
    titles = {t.id: t.title for t in project.transcripts()}
    return {
        "texts": {t.title: project.text(t.id) for t in project.transcripts()},
        "groups": {g.name: g.attributes for g in project.groups()},
        "speakers": {t.title: [(s.label, s.role) for s in t.speakers] for t in project.transcripts()},
        "turns": {titles[t]: [(u.speaker, u.start, u.end, u.time_start) for u in project.turns(t)] for t in titles},
        "codes": [(n.id, n.name, n.parent, n.colour, n.definition, n.inclusion, n.exclusion, n.examples, n.keywords)
                  for _, n in book.walk()],
        "units": sorted((titles[u.transcript], u.start, u.end, u.text, u.code, u.coder, u.condensed, u.memo, u.starred)
                        for u in project.units()),
        "memos": sorted((m.target_type, m.text, m.author) for m in project.memos()),
        "coders": project.coders(),
    }


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def digest(path: Path) -> str:
    """The project's content (not its bytes: opening a file in WAL mode may touch them)."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


# --- round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("utf16", [False, True])
def test_round_trip_into_a_new_project_keeps_everything(coded, tmp_path, utf16):
    write_qdpx(coded, tmp_path / "p.qdpx", utf16=utf16)
    report = import_qdpx(tmp_path / "p.qdpx", tmp_path / "copy.qualcode")
    assert report.created and report.transcripts_added == ["T1", "T2"] and report.codings == 7
    with Project.open(tmp_path / "copy.qualcode", backup=False) as copy:
        before, after = snapshot(coded), snapshot(copy)
        for key in before:
            assert after[key] == before[key], key
        assert copy.history() == []  # an import is not undone coding by coding
        assert copy.integrity_check() == []
    assert not [n for n in files_in(tmp_path) if n.startswith(".")]


def test_round_trip_of_the_example_project(example, tmp_path, capsys):
    assert main(["export", str(example), "qdpx", "--out", str(tmp_path / "ex.qdpx")]) == 0
    assert main(["import", str(tmp_path / "ny.qualcode"), str(tmp_path / "ex.qdpx")]) == 0
    out = capsys.readouterr().out
    with Project.open(example, backup=False) as a:
        count = len(a.codings())
    assert "created" in out and f"{count} meaning units by AB, CD, consensus" in out
    with Project.open(example, backup=False) as a, Project.open(tmp_path / "ny.qualcode", backup=False) as b:
        assert snapshot(a) == snapshot(b)


def test_importing_back_into_the_same_project_adds_only_what_is_new(coded, tmp_path):
    write_qdpx(coded, tmp_path / "p.qdpx")
    # Another tool added a coding by a new user: mimic it in the XML.
    data = _edit_qde(tmp_path / "p.qdpx", lambda xml: _add_foreign_coding(xml))
    (tmp_path / "back.qdpx").write_bytes(data)
    path = coded.path
    before = snapshot(coded)
    coded.close()
    report = import_qdpx(tmp_path / "back.qdpx", path)
    assert not report.created and report.transcripts_matched == ["T1", "T2"] and report.transcripts_added == []
    assert (report.codes_added, report.codes_matched) == (0, 4)
    assert (report.codings, report.codings_duplicate, report.memos) == (1, 7, 0)
    assert report.backup is not None and report.backup.exists()
    with Project.open(path, backup=False) as project:
        after = snapshot(project)
        assert after["memos"] == before["memos"] and after["codes"] == before["codes"]
        [new] = [u for u in after["units"] if u not in before["units"]]
        assert new[3] == "Det ga meg håp." and new[5] == "Ola_Normann"
        assert project.integrity_check() == []


def _edit_qde(path: Path, change) -> bytes:
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["project.qde"] = change(files["project.qde"].decode("utf-8")).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _add_foreign_coding(xml: str) -> str:
    from lxml import etree

    ns = "urn:QDA-XML:project:1.0"
    root = etree.fromstring(xml.encode())
    users = root.find(f"{{{ns}}}Users")
    etree.SubElement(users, f"{{{ns}}}User", guid="11111111-2222-3333-4444-555555555555", name="Ola Normann")
    source = root.find(f"{{{ns}}}Sources")[0]
    text_before = "Intervjuer: Hva tenkte dere om fagdagen i går?\nP1: Jeg kjente meg igjen i historien til Kari Nordmann. "
    start = len(text_before)
    selection = etree.Element(f"{{{ns}}}PlainTextSelection", guid="11111111-2222-3333-4444-666666666666",
                              startPosition=str(start), endPosition=str(start + len("Det ga meg håp.")))
    coding = etree.SubElement(selection, f"{{{ns}}}Coding", guid="11111111-2222-3333-4444-777777777777",
                              creatingUser="11111111-2222-3333-4444-555555555555")
    code = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes/{{{ns}}}Code")
    etree.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=code.get("guid"))
    source.find(f"{{{ns}}}PlainTextSelection").addprevious(selection)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8").decode()


# --- all or nothing --------------------------------------------------------------------------------


def test_an_import_that_fails_halfway_changes_nothing(coded, tmp_path, monkeypatch):
    write_qdpx(coded, tmp_path / "p.qdpx")
    other = build_coded(tmp_path / "other.qualcode")
    for unit in (4, 5, 6, 7):  # the file brings these four back
        other.delete_coding(unit)
    other.close()
    before = digest(tmp_path / "other.qualcode")
    real = Project.insert_units

    def flaky(self, units, **options):
        real(self, units[:1], **options)  # halfway: one unit is in already
        raise UserError("the disk is full (simulated)")

    monkeypatch.setattr(Project, "insert_units", flaky)
    with pytest.raises(UserError, match="simulated"):
        import_qdpx(tmp_path / "p.qdpx", tmp_path / "other.qualcode")
    assert digest(tmp_path / "other.qualcode") == before
    with pytest.raises(UserError, match="simulated"):
        import_qdpx(tmp_path / "p.qdpx", tmp_path / "new.qualcode")
    assert not (tmp_path / "new.qualcode").exists()
    leftovers = [n for n in files_in(tmp_path) if n.startswith(".") or "importing" in n]
    assert leftovers == []


def test_bad_files_give_one_clear_line_and_change_nothing(coded, tmp_path, capsys):
    good = tmp_path / "good.qdpx"
    write_qdpx(coded, good)
    path = coded.path
    coded.close()
    with zipfile.ZipFile(good) as archive:
        qde = archive.read("project.qde").decode()

    def archive_with(files: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name, content in files.items():
                z.writestr(name, content)
        return buffer.getvalue()

    cases = {
        "not-zip.qdpx": (b"PK\x03\x04 not really", "must be a ZIP archive"),
        "no-qde.qdpx": (archive_with({"readme.txt": b"x"}), "no project.qde"),
        "bad-xml.qdpx": (archive_with({"project.qde": b"<Project><Users>"}), "not well-formed XML"),
        "wrong-root.qdpx": (archive_with({"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}),
                            "not a REFI-QDA project"),
        "no-sources.qdpx": (archive_with({"project.qde": qde.encode()}), "not inside the file"),
        "unknown-code.qdpx": (_edit_qde(good, lambda x: x.replace('<CodeRef targetGUID="', '<CodeRef targetGUID="0', 1)
                                        .replace('targetGUID="0', 'targetGUID="00000000-0000-0000-0000-000000000000" x="', 1)),
                              "not in the codebook"),
        "bad-position.qdpx": (_edit_qde(good, lambda x: x.replace('startPosition="', 'startPosition="x', 1)),
                              "not a whole number"),
        "entity.qdpx": (archive_with({"project.qde": b'<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                                      b'<Project xmlns="urn:QDA-XML:project:1.0" name="&e;"/>'}),
                        "has a DOCTYPE"),  # refused before parsing, so /etc/passwd is never read
    }
    before = digest(path)
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        code = main(["import", str(path), str(tmp_path / name)])
        out, err = capsys.readouterr()
        assert code == 1 and "root:" not in out + err, (name, out, err)
        assert err.count("\n") == 1 and err.startswith("qualcode: error: ") and message in err, (name, err)
        assert digest(path) == before, name
        code = main(["import", str(tmp_path / f"new-{name}.qualcode"), str(tmp_path / name)])
        capsys.readouterr()
        assert code == 1 and not (tmp_path / f"new-{name}.qualcode").exists()
    assert not [n for n in files_in(tmp_path) if "importing" in n]


def test_a_qdpx_is_imported_on_its_own(coded, tmp_path, capsys):
    write_qdpx(coded, tmp_path / "p.qdpx")
    code = main(["import", str(tmp_path / "x.qualcode"), str(tmp_path / "p.qdpx"), "--group", "FG9"])
    assert code == 1 and "--group cannot be used with a .qdpx" in capsys.readouterr().err


# --- files from other tools ------------------------------------------------------------------------


def _foreign_qdpx(path: Path, raw: bytes, selections: list[tuple[int, int, str]], origin: str) -> None:
    """A one-source project as another tool writes it: ``raw`` is the source file's bytes."""
    code = "AAAAAAAA-0000-0000-0000-000000000001"
    sel = "".join(
        f'<PlainTextSelection guid="BBBBBBBB-0000-0000-0000-{i:012d}" name="{name}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="CCCCCCCC-0000-0000-0000-{i:012d}"><CodeRef targetGUID="{code}"/>'
        f"</Coding></PlainTextSelection>"
        for i, (s, e, name) in enumerate(selections))
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Fremmed" '
           f'origin="{origin}"><CodeBook><Codes><Code guid="{code}" name="Håp" isCodable="true" color="#00AA00"/>'
           f'</Codes></CodeBook><Sources><TextSource guid="DDDDDDDD-0000-0000-0000-000000000001" name="Intervju" '
           f'plainTextPath="internal://DDDDDDDD-0000-0000-0000-000000000001.txt">{sel}</TextSource></Sources>'
           f"</Project>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("Sources/DDDDDDDD-0000-0000-0000-000000000001.txt", raw)


WINDOWS_TEXT = "Intervjuer: Hva gir håp?\r\nP1: Å se at det går an 🙂 for andre.\r\nP2: Det ga meg mot, også på dårlige dager.\r\n"


def _utf16_units(text: str, upto: int) -> int:
    return len(text[:upto].encode("utf-16-le")) // 2


@pytest.mark.parametrize("origin,named", [("NVivo 14.23 (Windows)", True), ("NVivo 14.23 (Windows)", False),
                                           ("MAXQDA 2022", True)])
def test_positions_counted_in_utf16_units_of_a_crlf_text_with_a_bom(tmp_path, origin, named):
    raw = "\ufeff" + WINDOWS_TEXT
    wanted = ["Å se at det går an 🙂 for andre.", "Det ga meg mot, også på dårlige dager."]
    selections = []
    for quote in wanted:  # NVivo for Windows: UTF-16 units, CRLF as two, the BOM not counted
        start = WINDOWS_TEXT.index(quote)
        selections.append((_utf16_units(WINDOWS_TEXT, start), _utf16_units(WINDOWS_TEXT, start + len(quote)),
                           quote if named else "Quotation 1:1"))
    _foreign_qdpx(tmp_path / "w.qdpx", raw.encode("utf-8"), selections, origin)
    import_qdpx(tmp_path / "w.qdpx", tmp_path / "w.qualcode")
    with Project.open(tmp_path / "w.qualcode", backup=False) as project:
        assert "\r" not in project.text("T1")
        assert [u.text for u in project.units()] == wanted
        assert [(s.label, s.role) for s in project.transcript("T1").speakers] == [("Intervjuer", None), ("P1", None),
                                                                                 ("P2", None)]
        assert project.codebook().codes[0].colour == "#00AA00"


def test_positions_of_atlas_crlf_as_one_and_a_decomposed_letter(tmp_path):
    text = "P1: Jeg ga\u030a hjem.\r\nP2: Og så fikk jeg håp igjen.\r\n"  # "gå" written as g + a + ring
    wanted = "Og så fikk jeg håp igjen."
    flat = text.replace("\r\n", "\n")
    start = flat.index(wanted)  # ATLAS.ti: CRLF counts as one; code points of the text as written
    _foreign_qdpx(tmp_path / "a.qdpx", text.encode("utf-8"), [(start, start + len(wanted), wanted)],
                  "ATLAS.ti 9.1")
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "a.qualcode", roles=[_rule("P*=pasient")])
    with Project.open(tmp_path / "a.qualcode", backup=False) as project:
        assert project.text("T1").startswith("P1: Jeg gå hjem.\nP2:")
        [unit] = project.units()
        assert unit.text == wanted and unit.role == "pasient" and unit.coder == "imported"


def _rule(spec: str):
    from qualcode.store.project import RoleRule

    return RoleRule.parse(spec)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the REFI-QDA samples in ../shared are not here")
def test_the_nvivo_sample_imports_its_deep_codebook_and_skips_its_empty_sources(tmp_path, capsys):
    code = main(["import", str(tmp_path / "nv.qualcode"), str(SAMPLES / "nvivo-15.0-mac_codebook-empty-sources.qdpx")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "262 codes (262 new" in out and err.count("is empty; skipped") == 2
    with Project.open(tmp_path / "nv.qualcode", backup=False) as project:
        book = project.codebook()
        assert len(book.codes) == 262 and max(depth for depth, _ in book.walk()) == 6
        assert len({c.id for c in book.codes}) == 262  # "programming" twice, under different parents
        assert project.transcripts() == []


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the REFI-QDA samples in ../shared are not here")
def test_the_atlas_sample_without_its_sources_fails_clearly_but_its_codebook_loads(tmp_path, capsys):
    sample = SAMPLES / "atlasti-8.4-mac_refi-standard-project_no-sources.qdpx"
    code = main(["import", str(tmp_path / "at.qualcode"), str(sample)])
    err = capsys.readouterr().err
    assert code == 1 and "6 text source(s) are not inside the file" in err and "--import" in err
    assert not (tmp_path / "at.qualcode").exists()
    assert main(["init", str(tmp_path / "at.qualcode")]) == 0
    assert main(["codebook", str(tmp_path / "at.qualcode"), "--import", str(sample)]) == 0
    assert "14 codes added" in capsys.readouterr().out
    with Project.open(tmp_path / "at.qualcode", backup=False) as project:
        book = project.codebook()
        coke = next(c for c in book.codes if c.name == "Coke")
        assert sorted(c.name for c in book.children(coke.id)) == ["diet Coke", "full-fat Coke"]
        assert book.get("rushed").name == '"rushed"'


# --- codebooks -------------------------------------------------------------------------------------


def test_a_qdc_round_trip_keeps_the_codebook(coded, tmp_path, capsys):
    write_qdc(coded, tmp_path / "bok.qdc")
    before = snapshot(coded)["codes"]
    assert main(["init", str(tmp_path / "tom.qualcode")]) == 0
    assert main(["codebook", str(tmp_path / "tom.qualcode"), "--import", str(tmp_path / "bok.qdc")]) == 0
    assert "4 codes added, 0 updated" in capsys.readouterr().out
    with Project.open(tmp_path / "tom.qualcode", backup=False) as project:
        assert snapshot(project)["codes"] == before
    assert main(["codebook", str(coded.path), "--import", str(tmp_path / "bok.qdc")]) == 0
    assert "0 codes added, 4 updated" in capsys.readouterr().out


def test_a_taguette_style_codebook_loads_and_a_broken_one_is_refused(tmp_path, capsys):
    qdc = tmp_path / "taguette.qdc"
    qdc.write_text('<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="Taguette 1.4">'
                   '<Codes><Code guid="51B2B2B7-27EB-4ECB-9D56-E75B0A0496C2" name="håp" isCodable="true"/>'
                   '<Code guid="51B2B2B7-27EB-4ECB-9D56-E75B0A0496C3" name="motløshet" isCodable="true"/></Codes>'
                   "<Sets/></CodeBook>", encoding="utf-8")
    assert main(["init", str(tmp_path / "t.qualcode")]) == 0
    assert main(["codebook", str(tmp_path / "t.qualcode"), "--import", str(qdc)]) == 0
    with Project.open(tmp_path / "t.qualcode", backup=False) as project:
        assert [(c.id, c.name) for c in project.codebook().codes] == [("hap", "håp"), ("motloshet", "motløshet")]
    capsys.readouterr()
    broken = tmp_path / "broken.qdc"
    broken.write_text("<CodeBook><Codes>", encoding="utf-8")
    assert main(["codebook", str(tmp_path / "t.qualcode"), "--import", str(broken)]) == 1
    assert "broken.qdc: the codebook is not well-formed XML" in capsys.readouterr().err


def test_an_import_waits_for_another_writer_and_then_stops_clearly(coded, tmp_path, monkeypatch):
    write_qdpx(coded, tmp_path / "p.qdpx")
    path = coded.path
    coded.close()
    before = digest(path)
    monkeypatch.setenv("QUALCODE_BUSY_TIMEOUT_MS", "200")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        with pytest.raises(UserError, match="another qualcode process is writing"):
            import_qdpx(tmp_path / "p.qdpx", path)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert digest(path) == before
    assert not [n for n in files_in(tmp_path) if "importing" in n]


@pytest.mark.skipif(not (SHARED / "samples" / "qualcoder-4.0_native.qdpx").is_file(), reason="no QualCoder sample")
def test_qualcoders_export_with_file_attributes_imports(tmp_path, capsys):
    """Issue 12, finding 7: QualCoder writes a file's attributes as TextSource/VariableValue with
    no focus group; they were refused ("group attributes need a --group"). They are kept on a
    focus group named after the source."""
    target = tmp_path / "fra-qualcoder.qualcode"
    code = main(["import", str(target), str(SHARED / "samples" / "qualcoder-4.0_native.qdpx")])
    _out, err = capsys.readouterr()
    assert code == 0, err
    with Project.open(target, backup=False) as project:
        transcripts = project.transcripts()
        assert transcripts and all(t.group for t in transcripts)
        groups = {g.name: g.attributes for g in project.groups()}
        assert any(attributes for attributes in groups.values())
        assert project.codings()

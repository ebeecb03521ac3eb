"""REFI-QDA import of the conventions QualCoder, NVivo and qualcode's own writer use (issue 12,
findings 8 and 9): speaker cases as codes, annotations with their spans, journals, condensed
meanings and stars, descriptions, case memos and variables, the other tool's times, isCodable,
unique code names, and GUIDs kept for the next export. Files are written by hand here; all text is
invented."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.refi.importer import import_qdpx
from qualcode.refi.write import project_archive, write_qdpx
from qualcode.store import Project

from .conftest import SHARED

NS = "urn:QDA-XML:project:1.0"
QUALCODER_SAMPLE = SHARED / "samples" / "qualcoder-4.0_native.qdpx"
TEXT = ("Intervjuer: Hva ga dere håp?\n"
        "P1: Å se at andre har klart det.\n"
        "P2: Jeg ble møtt med respekt, og det var nytt.\n")
TEXT2 = "Intervjuer: Og etterpå?\nP1: Vi snakket lenge i stua.\n"


def g(n: int) -> str:
    """A GUID for the n-th object of a hand-written file."""
    return f"00000000-0000-4000-8000-{n:012d}"


def span(quote: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def write(path: Path, body: str, sources: dict[int, str] | None = None, *, origin: str = "Testverktøy 1.0",
          attributes: str = "") -> Path:
    """A .qdpx with ``body`` inside its Project element and each source's text as sources/GUID.txt."""
    qde = (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Prosjekt" origin="{origin}"'
           f"{attributes}>{body}</Project>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for n, text in (sources or {}).items():
            archive.writestr(f"sources/{g(n)}.txt", text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
    return path


def source(n: int, name: str, inner: str = "", extra: str = "") -> str:
    return f'<TextSource guid="{g(n)}" name="{name}" plainTextPath="internal://{g(n)}.txt"{extra}>{inner}</TextSource>'


def selection(n: int, where: tuple[int, int], inner: str = "", extra: str = "") -> str:
    return (f'<PlainTextSelection guid="{g(n)}" startPosition="{where[0]}" endPosition="{where[1]}"{extra}>'
            f"{inner}</PlainTextSelection>")


def coding(n: int, code: int, user: int | None = None, inner: str = "", extra: str = "") -> str:
    who = f' creatingUser="{g(user)}"' if user else ""
    return f'<Coding guid="{g(n)}"{who}{extra}><CodeRef targetGUID="{g(code)}"/>{inner}</Coding>'


USERS = f'<Users><User guid="{g(1)}" name="Kari" id="KN"/><User guid="{g(2)}" name="speaker turns"/></Users>'


def opened(path: Path) -> Project:
    return Project.open(path, backup=False)


# --- cases as codes (NVivo, QualCoder, qualcode) ---------------------------------------------------


def speaker_case_file(tmp_path: Path, *, variable: str = "speaker group") -> Path:
    """Two speaker cases whose codes sit under a non-codable "Speakers" folder; the turns are
    selections coded with the case's code by a user who codes nothing else."""
    codes = (f'<CodeBook><Codes><Code guid="{g(10)}" name="Håp" isCodable="true"/>'
             f'<Code guid="{g(11)}" name="Speakers" isCodable="false">'
             f'<Code guid="{g(20)}" name="FG1: P1" isCodable="true"/>'
             f'<Code guid="{g(21)}" name="FG1: P2" isCodable="true"/></Code></Codes></CodeBook>')
    variables = (f'<Variables><Variable guid="{g(30)}" name="speaker" typeOfVariable="Text"/>'
                 f'<Variable guid="{g(31)}" name="role" typeOfVariable="Text"/>'
                 f'<Variable guid="{g(32)}" name="{variable}" typeOfVariable="Text"/>'
                 f'<Variable guid="{g(33)}" name="alder" typeOfVariable="Text"/>'
                 f'<Variable guid="{g(34)}" name="group" typeOfVariable="Text"/></Variables>')

    def value(var: int, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{g(var)}"/><TextValue>{text}</TextValue></VariableValue>'

    cases = (f'<Cases><Case guid="{g(20)}" name="FG1: P1">{value(30, "P1")}{value(31, "pasient")}{value(32, "FG1")}'
             f'{value(33, "34")}<Description>Kom sent.</Description></Case>'
             f'<Case guid="{g(21)}" name="FG1: P2">{value(30, "P2")}{value(32, "FG1")}</Case></Cases>')
    p1, p2 = span("Å se at andre har klart det."), span("Jeg ble møtt med respekt, og det var nytt.")
    inner = (selection(40, p1, coding(41, 20, 2), ' name="P1 00:00:04.000–00:00:09.500"')
             + selection(42, p2, coding(43, 21, 2), ' name="P2"')
             + selection(44, span("andre har klart det"), coding(45, 10, 1))
             + value(34, "FG1"))
    body = USERS + codes + variables + cases + f"<Sources>{source(50, 'Fokusgruppe 1', inner)}</Sources>"
    return write(tmp_path / "cases.qdpx", body, {50: TEXT})


def test_a_code_with_a_cases_guid_is_that_case_and_its_codings_are_the_speakers_turns(tmp_path):
    report = import_qdpx(speaker_case_file(tmp_path), tmp_path / "p.qualcode")
    assert report.coders == ["KN"] and report.codings == 1
    with opened(tmp_path / "p.qualcode") as project:
        assert [c.name for c in project.codebook().codes] == ["Håp"]  # no speaker codes, no "Speakers" folder
        [unit] = project.units()
        assert (unit.text, unit.coder, unit.speaker, unit.role) == ("andre har klart det", "KN", "P1", "pasient")
        speakers = {s.label: (s.role, s.attributes) for s in project.transcript("T1").speakers}
        assert speakers["P1"] == ("pasient", {"alder": "34"})
        assert speakers["P2"] == (None, {})
        turns = [(t.speaker, t.time_start) for t in project.turns("T1")]
        assert ("P1", 4.0) in turns and ("P2", None) in turns
        assert project.coders() == ["KN"]
        assert [g.name for g in project.groups()] == ["FG1"]
        [memo] = project.memos()
        assert (memo.target_type, memo.target_id, memo.text) == ("transcript", "T1", "Case «FG1: P1»: Kom sent.")


@pytest.mark.parametrize("variable", ["group", "speaker group"])
def test_the_speakers_group_is_not_an_attribute_of_the_speaker(tmp_path, variable):
    import_qdpx(speaker_case_file(tmp_path, variable=variable), tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        assert {s.label: s.attributes for s in project.transcript("T1").speakers}["P1"] == {"alder": "34"}


def test_a_codebook_folder_with_codings_of_its_own_is_kept(tmp_path):
    path = speaker_case_file(tmp_path)
    rewrite(path, lambda qde: qde.replace(f'<CodeRef targetGUID="{g(10)}"/>'.encode(),
                                          f'<CodeRef targetGUID="{g(11)}"/>'.encode()))
    report = import_qdpx(path, tmp_path / "p.qualcode")
    assert any("marked not codable but the file codes with it" in w for w in report.warnings)
    with opened(tmp_path / "p.qualcode") as project:
        assert [(c.name, c.codable) for c in project.codebook().codes] == [("Håp", True), ("Speakers", True)]


# --- notes: annotations, journals, condensed meanings, stars ----------------------------------------


def notes_file(tmp_path: Path, *, refer_from_source: bool = True, two_sources: bool = False) -> Path:
    unit = span("Å se at andre har klart det.")
    note_dates = ' creationDateTime="2025-03-01T09:30:00Z" modifiedDateTime="2025-03-02T10:00:00Z"'
    notes = (
        f'<Note guid="{g(60)}" name="Condensed meaning" creatingUser="{g(1)}"{note_dates}>'
        f"<PlainTextContent>Condensed meaning: Andres bedring gir håp</PlainTextContent>"
        f'{selection(61, unit)}</Note>'
        f'<Note guid="{g(62)}" name="Candidate quote" creatingUser="{g(1)}"{note_dates}>'
        f"<PlainTextContent>Candidate quote: starred</PlainTextContent>{selection(63, unit)}</Note>"
        f'<Note guid="{g(64)}" creatingUser="{g(1)}"{note_dates}>'
        f"<PlainTextContent>Intervjueren leder an her.</PlainTextContent>"
        f'{selection(65, span("Hva ga dere håp?"))}</Note>'
        f'<Note guid="{g(66)}" name="Refleksjonslogg" creatingUser="{g(1)}"{note_dates} '
        f'plainTextPath="internal://{g(67)}.txt"><Description/></Note>'
        f'<Note guid="{g(68)}" name="Merknad" creatingUser="{g(1)}"{note_dates}>'
        f"<PlainTextContent>Sjekk lydopptaket.</PlainTextContent>{selection(69, unit)}</Note>")
    codes = f'<CodeBook><Codes><Code guid="{g(10)}" name="Håp" isCodable="true"/></Codes></CodeBook>'
    refs = "".join(f'<NoteRef targetGUID="{g(n)}"/>' for n in (60, 62, 64, 68)) if refer_from_source else ""
    inner = selection(44, unit, coding(45, 10, 1, "".join(f'<NoteRef targetGUID="{g(n)}"/>' for n in (60, 62, 68)),
                                       ' creationDateTime="2025-02-01T08:00:00Z"'),
                      ' modifiedDateTime="2025-02-03T08:00:00Z"') + refs
    sources = source(50, "Fokusgruppe 1", inner)
    files = {50: TEXT, 67: "\ufeffJournal: tre grupper gjennomført 😀"}
    if two_sources:
        sources += source(51, "Fokusgruppe 2")
        files[51] = TEXT2
    body = (USERS + codes + f"<Sources>{sources}</Sources><Notes>{notes}</Notes>"
            "<Description>Prosjektet om håp.</Description>")
    return write(tmp_path / "notes.qdpx", body, files,
                 attributes=' creationDateTime="2025-01-01T12:00:00Z" modifiedDateTime="2025-01-05T12:00:00Z"')


def test_notes_go_where_the_file_puts_them_with_their_spans_and_times(tmp_path):
    import_qdpx(notes_file(tmp_path), tmp_path / "p.qualcode")
    march1, march2 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC), datetime(2025, 3, 2, 10, tzinfo=UTC)
    with opened(tmp_path / "p.qualcode") as project:
        [unit] = project.units()
        assert unit.condensed == "Andres bedring gir håp" and unit.starred
        [coding] = project.codings()
        assert (coding.created_at, coding.updated_at) == (datetime(2025, 2, 1, 8, tzinfo=UTC),
                                                           datetime(2025, 2, 3, 8, tzinfo=UTC))
        memos = {m.text: m for m in project.memos()}
        assert set(memos) == {"Intervjueren leder an her.", "Merknad\n\nSjekk lydopptaket.",
                              "Refleksjonslogg\n\nJournal: tre grupper gjennomført 😀", "Prosjektet om håp."}
        annotation = memos["Intervjueren leder an her."]
        assert (annotation.target_type, annotation.target_id) == ("transcript", "T1")
        assert (annotation.start, annotation.end) == span("Hva ga dere håp?")
        assert (annotation.author, annotation.created_at, annotation.updated_at) == ("KN", march1, march2)
        on_unit = memos["Merknad\n\nSjekk lydopptaket."]  # a coding refers to it: the unit's only
        assert (on_unit.target_type, on_unit.target_id, on_unit.start) == ("coding", str(coding.id), None)
        journal = memos["Refleksjonslogg\n\nJournal: tre grupper gjennomført 😀"]
        assert (journal.target_type, journal.created_at) == ("project", march1)
        described = memos["Prosjektet om håp."]
        assert (described.target_type, described.created_at) == ("project", datetime(2025, 1, 1, 12, tzinfo=UTC))


def test_an_annotation_no_source_refers_to_goes_to_the_only_source(tmp_path):
    """QualCoder refers only to a source's first annotation."""
    import_qdpx(notes_file(tmp_path, refer_from_source=False), tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        memo = next(m for m in project.memos() if m.text == "Intervjueren leder an her.")
        assert (memo.target_type, memo.target_id, (memo.start, memo.end)) == \
            ("transcript", "T1", span("Hva ga dere håp?"))


def test_an_annotation_no_source_refers_to_goes_to_the_one_source_it_fits_else_the_project(tmp_path):
    report = import_qdpx(notes_file(tmp_path, refer_from_source=False, two_sources=True), tmp_path / "p.qualcode")
    # "Hva ga dere håp?" ends at 28; the second text is 50 characters long, so both fit: the project.
    assert any("an annotation ('Intervjueren leder an her.') is on no source; kept on the project" in w
               for w in report.warnings)
    with opened(tmp_path / "p.qualcode") as project:
        memo = next(m for m in project.memos() if m.text == "Intervjueren leder an her.")
        assert (memo.target_type, memo.start) == ("project", None)


def test_a_memo_without_a_time_gets_the_import_time(tmp_path):
    before = datetime.now(UTC)
    body = (f'<Sources>{source(50, "Fokusgruppe 1")}</Sources>'
            f'<Notes><Note guid="{g(60)}" name="Notat"><PlainTextContent>Notat uten dato.</PlainTextContent></Note>'
            "</Notes>")
    import_qdpx(write(tmp_path / "n.qdpx", body, {50: TEXT}), tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        [memo] = project.memos()
        assert memo.created_at >= before.replace(microsecond=0)


# --- codes, sources, cases -------------------------------------------------------------------------


def test_code_names_made_unique_for_qualcoder_come_back_and_is_codable_is_kept(tmp_path):
    codes = (f'<CodeBook><Codes><Code guid="{g(10)}" name="Familie" isCodable="false">'
             f'<Code guid="{g(11)}" name="Annet" isCodable="true"/></Code>'
             f'<Code guid="{g(12)}" name="Jobb" isCodable="false">'
             f'<Code guid="{g(13)}" name="Annet (Jobb)" isCodable="true">'
             "<Description>Det som ikke passer andre steder.\n\nqualcode id: annet-jobb\n\n"
             "qualcode name: Annet</Description></Code></Code></Codes></CodeBook>")
    import_qdpx(write(tmp_path / "c.qdpx", codes), tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        book = project.codebook()
        assert [(c.id, c.name, c.codable) for c in book.codes] == [
            ("familie", "Familie", False), ("annet", "Annet", True), ("jobb", "Jobb", False),
            ("annet-jobb", "Annet", True)]
        assert book.get("annet-jobb").definition == "Det som ikke passer andre steder."


def test_a_sources_description_and_a_cases_memo_and_variables_are_kept(tmp_path):
    variables = f'<Variables><Variable guid="{g(30)}" name="alder" typeOfVariable="Float"/></Variables>'
    cases = (f'<Cases><Case guid="{g(20)}" name="P1"><Description>Deltok i begge gruppene.</Description>'
             f'<VariableValue><VariableRef targetGUID="{g(30)}"/><FloatValue>34</FloatValue></VariableValue>'
             f'<SourceRef targetGUID="{g(50)}"/><SourceRef targetGUID="{g(51)}"/></Case></Cases>')
    sources = (source(50, "Fokusgruppe 1", "<Description>Første gruppe.</Description>",
                      ' creationDateTime="2025-01-10T08:00:00Z"') + source(51, "Fokusgruppe 2"))
    import_qdpx(write(tmp_path / "s.qdpx", variables + cases + f"<Sources>{sources}</Sources>", {50: TEXT, 51: TEXT2}),
                tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        memos = sorted((m.target_id, m.text, m.created_at.year) for m in project.memos())
        this_year = datetime.now(UTC).year
        assert memos == [("T1", "Case «P1»: Deltok i begge gruppene.", this_year), ("T1", "Første gruppe.", 2025),
                         ("T2", "Case «P1»: Deltok i begge gruppene.", this_year)]
        for tid in ("T1", "T2"):  # P1 speaks in both: the case is that speaker
            p1 = next(s for s in project.transcript(tid).speakers if s.label == "P1")
            assert p1.attributes == {"alder": "34"}
        assert project.groups() == []


def test_an_uncoded_selection_with_a_description_is_a_memo_on_its_span(tmp_path):
    inner = selection(44, span("Jeg ble møtt med respekt"), "<Description>Viktig for analysen.</Description>",
                      f' creatingUser="{g(1)}" creationDateTime="2024-11-11T11:11:11Z"')
    import_qdpx(write(tmp_path / "a.qdpx", USERS + f"<Sources>{source(50, 'Fokusgruppe 1', inner)}</Sources>",
                      {50: TEXT}), tmp_path / "p.qualcode")
    with opened(tmp_path / "p.qualcode") as project:
        [memo] = project.memos()
        assert (memo.text, memo.target_id, (memo.start, memo.end), memo.author, memo.created_at.year) == \
            ("Viktig for analysen.", "T1", span("Jeg ble møtt med respekt"), "KN", 2024)


# --- QualCoder's own export ------------------------------------------------------------------------


@pytest.mark.skipif(not QUALCODER_SAMPLE.is_file(), reason="no QualCoder sample")
def test_qualcoders_export_imports_with_attributes_case_annotation_journal_and_dates(tmp_path, capsys):
    target = tmp_path / "fra-qualcoder.qualcode"
    assert main(["import", str(target), str(QUALCODER_SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "5 meaning units by Kari, Ola" in out
    with opened(target) as project:
        titles = {t.title: t for t in project.transcripts()}
        assert set(titles) == {"emoji.txt", "gruppe2.txt"}
        assert {g.name: g.attributes for g in project.groups()} == {
            "emoji.txt": {"institusjon": "Solbakken"}, "gruppe2.txt": {"institusjon": "Fjordtun"}}
        gruppe2 = titles["gruppe2.txt"]
        # The case P1 (alder 34, a numeric variable) is linked to the whole of gruppe2.txt, where P1 speaks.
        assert {s.label: s.attributes for s in gruppe2.speakers}["P1"] == {"alder": "34"}
        text = project.text(gruppe2.id)
        memos = {m.text: m for m in project.memos()}
        annotation = memos["annotasjon på intervjuer"]
        assert (annotation.target_id, annotation.start, annotation.end, annotation.author) == (gruppe2.id, 4, 14, "Kari")
        assert text[4:14] == "rvjuer: Hv"  # where QualCoder's annotation was put (positions 4-14)
        journal = memos["Refleksjonslogg\n\nJournal tekst æøå 😀"]
        assert (journal.target_type, journal.created_at) == ("project", datetime(2026, 1, 15, 10, tzinfo=UTC))
        assert memos["Prosjektmemo fra QualCoder"].target_type == "project"
        assert memos["memo for gruppe2.txt"].target_id == gruppe2.id
        assert memos["Case «P1»: case memo"].target_id == gruppe2.id
        codings = project.codings()
        assert len(codings) == 5 and all(c.created_at == datetime(2026, 1, 15, 10, tzinfo=UTC) for c in codings)
        book = project.codebook()
        assert not book.get("hap-kategori").codable and book.get("hap").codable
        assert sorted(u.text for u in project.units())[0] == "Den ga meg håp."


# --- GUIDs kept for the next export ----------------------------------------------------------------


def _guids(data: bytes, themes: set[str]) -> dict[str, set[tuple[str, str]]]:
    """(name, GUID) of the sources, the codes named ``themes`` and the users who code."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    found = {kind: {(e.get("name"), e.get("guid")) for e in root.iter(f"{{{NS}}}{kind}")}
             for kind in ("TextSource", "Code", "User")}
    found["Code"] = {c for c in found["Code"] if c[0] in themes}
    found["User"] = {u for u in found["User"] if u[0] in ("AB", "CD")}
    return found


def rewrite(path: Path, change) -> None:
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["project.qde"] = change(files["project.qde"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_guids_of_sources_codes_and_users_survive_export_import_export(coded, tmp_path):
    themes = {c.name for c in coded.codebook().codes}
    first = project_archive(coded)[0]
    (tmp_path / "a.qdpx").write_bytes(first)
    import_qdpx(tmp_path / "a.qdpx", tmp_path / "copy.qualcode")
    with opened(tmp_path / "copy.qualcode") as copy:
        again = project_archive(copy)[0]
    before, after = _guids(first, themes), _guids(again, themes)
    assert len(before["TextSource"]) == 2 and len(before["Code"]) == 4 and len(before["User"]) == 2
    assert after == before


def test_a_matched_source_and_code_take_the_files_guid_unless_one_is_kept(coded, tmp_path):
    path = coded.path
    write_qdpx(coded, tmp_path / "p.qdpx")
    coded.close()
    import_qdpx(tmp_path / "p.qdpx", path)  # the same project: everything matched
    with opened(path) as project:
        sources, codes = project.refi_guids("source"), project.refi_guids("code")
    assert set(sources) == {"T1", "T2"} and set(codes) == {"hap", "hap-sol", "hap-gjen", "rec"}
    # Another file with another GUID for the same transcript does not replace the one kept.
    rewrite(tmp_path / "p.qdpx", lambda qde: qde.replace(f'guid="{sources["T1"]}"'.encode(),
                                                         b'guid="99999999-9999-4999-8999-999999999999"'))
    import_qdpx(tmp_path / "p.qdpx", path)
    with opened(path) as project:
        assert project.refi_guids("source") == sources


def test_memos_units_and_their_times_come_back_from_qualcodes_own_export(coded, tmp_path):
    start = coded.text("T1").index("Det ga meg håp.")
    coded.add_memo("Her snur samtalen.", target_type="transcript", target_id="T1", start=start, end=start + 15,
                   author="AB")
    write_qdpx(coded, tmp_path / "p.qdpx")

    def seconds(moment: datetime) -> datetime:
        return moment.astimezone(UTC).replace(microsecond=0)

    def memos(project: Project) -> list:
        return sorted((m.target_type, m.target_id if m.target_type != "coding" else None, m.text, m.author, m.start,
                       m.end, seconds(m.created_at), seconds(m.updated_at)) for m in project.memos())

    def units(project: Project) -> list:
        return sorted((c.transcript, c.start, c.end, c.code, c.coder, c.condensed, c.memo, c.starred,
                       seconds(c.created_at), seconds(c.updated_at)) for c in project.codings())

    import_qdpx(tmp_path / "p.qdpx", tmp_path / "kopi.qualcode")
    with opened(tmp_path / "kopi.qualcode") as copy:
        assert memos(copy) == memos(coded)
        assert units(copy) == units(coded)
        [on_unit] = [m for m in copy.memos() if m.target_type == "coding"]
        assert copy.codings()[int(on_unit.target_id) - 1].condensed == "Bedring er mange små steg"

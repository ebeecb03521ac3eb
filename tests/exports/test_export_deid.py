"""No export made with de-identification on contains a name the project hides: checked on the
bytes of every file, and inside the XML of every docx, xlsx and qdpx part."""

from __future__ import annotations

import pytest

from qualcode.cli import main
from qualcode.exports.base import ExportData, Redactor
from qualcode.store import deid

from .conftest import PLANTED, visible_text

DEIDENTIFIED_EXPORTS = [
    ("units", "csv"), ("units", "xlsx"), ("units", "json"),
    ("summary", "md"), ("summary", "docx"), ("summary", "html"),
    ("quotes", "docx"), ("quotes", "md"), ("chart", "svg"),
]


def export(capsys, project_path, *argv):
    code = main(["export", str(project_path), *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


@pytest.mark.parametrize("kind,fmt", DEIDENTIFIED_EXPORTS)
def test_a_planted_name_appears_in_no_deidentified_export(coded, tmp_path, capsys, kind, fmt):
    path = coded.path
    coded.close()
    folder = tmp_path / "out"
    folder.mkdir()
    extra = ["--sheet-per-theme"] if fmt == "xlsx" else []
    export(capsys, path, kind, "--format", fmt, "--out", folder, *extra)
    files = list(folder.iterdir())
    assert files, "nothing written"
    for file in files:
        text = visible_text(file.read_bytes(), file.suffix)
        for name in PLANTED:
            assert name.casefold() not in text.casefold(), (file.name, name)
    if kind in ("units", "quotes", "summary"):
        assert any("[Navn 1]" in visible_text(f.read_bytes(), f.suffix) for f in files)


def test_a_deidentified_qdpx_holds_no_planted_name_and_its_positions_follow_the_text(coded, tmp_path, capsys):
    from qualcode.refi.read import read_qdpx

    path = coded.path
    coded.close()
    export(capsys, path, "qdpx", "--deid", "--out", tmp_path / "shared.qdpx")
    text = visible_text((tmp_path / "shared.qdpx").read_bytes(), ".qdpx")
    for name in PLANTED:
        assert name.casefold() not in text.casefold(), name
    refi = read_qdpx(tmp_path / "shared.qdpx")
    t1 = next(s for s in refi.sources if s.name == "Fokusgruppe 1 på [Institusjon 1]")
    spans = [t1.raw[c.start:c.end] for sel in t1.selections for c in sel.codings]
    assert "Jeg kjente meg igjen i historien til [Navn 1]" in spans
    assert "det var fint å høre at ho klarte seg på [Institusjon 1]" in spans


def test_without_deid_the_names_are_there_and_the_file_says_so_loudly(coded, tmp_path, capsys):
    path = coded.path
    coded.close()
    _, err = export(capsys, path, "quotes", "--format", "md", "--no-deid", "--out", tmp_path / "q.md", "--lang", "en")
    text = (tmp_path / "q.md").read_text(encoding="utf-8")
    assert "Kari Nordmann" in text and "**NOT DE-IDENTIFIED" in text and "not de-identified" in err
    export(capsys, path, "units", "--format", "csv", "--no-deid", "--out", tmp_path / "u.csv")
    header = (tmp_path / "u.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("WARNING,")
    export(capsys, path, "units", "--no-deid")  # the default name says it too
    assert (tmp_path / "exports" / "studie-units-IDENTIFIABLE.xlsx").exists()
    _, err = export(capsys, path, "qdpx", "--out", tmp_path / "work.qdpx")
    assert "Kari" in visible_text((tmp_path / "work.qdpx").read_bytes(), ".qdpx")
    assert "3 name(s) the project hides" in err and "--deid" in err


def test_unit_text_is_cut_from_the_redacted_transcript_exactly_as_deidentify_does(coded):
    redactor = Redactor(coded)
    text = coded.text("T1")
    name = text.index("Nordmann")
    for start, end in [(0, len(text)), (name - 10, name + 3), (name + 2, name + 20), (name, name + 8),
                       (text.index("Solbakken") + 1, len(text))]:
        assert redactor.span("T1", start, end) == deid.deidentify(coded, "T1", start, end)


def test_speaker_labels_titles_group_attributes_memos_and_condensed_meanings_are_redacted(coded):
    data = ExportData(coded)
    unit = data.units[0]
    assert unit.title == "Fokusgruppe 1 på [Institusjon 1]"
    assert unit.condensed == "Kjente seg igjen i [Navn 2]s historie"
    assert unit.memo == "[Navn 1] er innleder"
    assert next(u for u in data.units if u.id == 5).speaker == "[Navn 2]"
    assert not ExportData(coded, deidentify=False).units[0].memo.startswith("[")

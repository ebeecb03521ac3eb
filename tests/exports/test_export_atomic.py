"""Exports are written to a temporary file and renamed: a failure leaves no file and no temp file."""

from __future__ import annotations

import pytest

from qualcode.exports import atomic
from qualcode.exports import summary as export_summary
from qualcode.exports import units as export_units
from qualcode.exports.base import ExportData
from qualcode.exports.quotes import write_docx
from qualcode.refi.write import write_qdpx


class Boom(Exception):
    pass


def test_a_failing_export_leaves_no_file_and_no_temporary_file(coded, tmp_path, monkeypatch):
    data = ExportData(coded)

    def fail(*args, **kwargs):  # the file is written in full; the rename into place fails
        raise Boom

    monkeypatch.setattr(atomic.os, "replace", fail)
    out = tmp_path / "out"
    out.mkdir()
    for write in (lambda: export_units.write_xlsx(data, out / "units.xlsx"),
                  lambda: export_units.write_csv(data, out / "units.csv"),
                  lambda: write_docx(data, out / "quotes.docx"),
                  lambda: export_summary.write_summary(data, out / "summary.md", "md", words=None),
                  lambda: write_qdpx(coded, out / "p.qdpx")):
        with pytest.raises(Boom):
            write()
    assert list(out.iterdir()) == []


def test_a_failure_after_bytes_were_written_removes_the_partial_file(tmp_path):
    target = tmp_path / "units.csv"
    with pytest.raises(Boom), atomic.atomic_path(target) as temp:
        temp.write_bytes(b"half a fi")
        assert temp.parent == tmp_path and temp.name.startswith(".units.") and temp.suffix == ".csv"
        raise Boom
    assert list(tmp_path.iterdir()) == []


def test_an_old_export_stays_whole_when_a_new_one_fails(coded, tmp_path, monkeypatch):
    data = ExportData(coded)
    target = tmp_path / "summary.md"
    export_summary.write_summary(data, target, "md", words=None)
    before = target.read_bytes(), (tmp_path / "summary-chart.png").read_bytes()

    def fail(*args, **kwargs):
        raise Boom

    monkeypatch.setattr(export_summary, "render_markdown", fail)  # after the chart is written
    with pytest.raises(Boom):
        export_summary.write_summary(data, target, "md", words=None)
    assert (target.read_bytes(), (tmp_path / "summary-chart.png").read_bytes()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

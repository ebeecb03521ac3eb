"""``qualcode export`` as a new user meets it, on the example project."""

from __future__ import annotations

import zipfile

import docx
from openpyxl import load_workbook

from qualcode.cli import main
from qualcode.store import Project, deid


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_from_the_example_project_a_new_user_gets_every_export(example, capsys):
    folder = example.parent / "exports"
    with Project.open(example, backup=False) as project:
        units = project.units()
        hidden = len(deid.terms(project, hidden_only=True))
    assert len(units) > 60 and hidden >= 15  # the example is coded by two coders and hides its names
    for kind in ("units", "summary", "quotes", "qdpx"):
        code, out, err = run(capsys, "export", example, kind)
        assert code == 0, (kind, err)
        if kind == "qdpx":
            assert f"with the {hidden} name(s) the project hides and " in err and "add --deid" in err
        else:  # the names the finder proposed that nobody reviewed are hidden too, and the user is told
            assert "not reviewed yet; they are hidden as [Navn 1?]" in err and "Traceback" not in err
        assert out.startswith("wrote ")
    assert sorted(p.name for p in folder.iterdir()) == [
        "example-quotes.docx", "example-summary.docx", "example-units.xlsx", "example.qdpx"]

    book = load_workbook(folder / "example-units.xlsx")
    ws = book["Enheter"]  # Norwegian by default
    assert ws.freeze_panes == "A2" and ws.max_row == 1 + len(units)
    texts = [row[[c.value for c in ws[1]].index("tekst")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "Han [Navn 4], han som snakka først" in texts  # Rune is on the project's list of names
    assert not any("Rune" in t or "Kari" in t for t in texts)

    summary = docx.Document(str(folder / "example-summary.docx"))
    assert len(summary.inline_shapes) == 1  # the chart
    assert summary.tables[0].rows[0].cells[1].text in ("pasient", "ansatt")

    quotes = docx.Document(str(folder / "example-quotes.docx"))
    lines = [p.text for p in quotes.paragraphs]
    assert "«kjente meg igjen» (pasient, fokusgruppe 1)" in lines
    # a consensus layer exists: quotes come from it by default, one per span and code
    quoted = {(u.transcript, u.start, u.end, u.code) for u in units if u.coder == "consensus"}
    assert len(list(quotes.comments)) == len(quoted)
    assert any("konsensuslaget" in line and "som standard" in line for line in lines)

    with zipfile.ZipFile(folder / "example.qdpx") as archive:
        assert archive.namelist()[0] == "project.qde" and len(archive.namelist()) == 4


def test_options_choose_format_output_and_units(example, tmp_path, capsys):
    code, out, _ = run(capsys, "export", example, "units", "--out", tmp_path / "u.csv", "--delimiter", ";",
                       "--coder", "consensus")
    assert code == 0 and "2 meaning units (coder consensus)" in out
    assert (tmp_path / "u.csv").read_bytes().startswith(b"\xef\xbb\xbfunit;transcript;")
    code, out, _ = run(capsys, "export", example, "quotes", "--format", "md", "--starred", "--out", tmp_path)
    assert code == 0 and (tmp_path / "example-quotes-starred.md").exists()
    code, out, _ = run(capsys, "export", example, "summary", "--format", "html", "--theme", "hap", "--role", "pasient")
    assert code == 0 and (example.parent / "exports" / "example-summary-hap-pasient.html").exists()
    code, out, _ = run(capsys, "export", example, "chart", "--format", "svg")
    assert code == 0 and (example.parent / "exports" / "example-chart.svg").exists()


def test_mistakes_are_one_line_errors(example, tmp_path, capsys):
    cases = [
        (["units", "--format", "pdf"], "units can be written as csv, xlsx, json; not 'pdf'"),
        (["quotes", "--coder", "XY"], "no units by coder 'XY'"),
        (["units", "--theme", "finnes-ikke"], "no code 'finnes-ikke'"),
        (["qdpx", "--coder", "AB"], "a .qdpx carries the whole project"),
        (["qdpx", "--no-deid"], "--no-deid is for the other exports"),
        (["units", "--deid"], "--deid is for qdpx and qdc"),
        (["units", "--format", "csv", "--delimiter", "::"], "--delimiter '::'"),
        (["units", "--out", tmp_path / "nope" / "u.xlsx"], "the folder for the export does not exist"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, "export", example, *argv)
        assert code == 1, (argv, out, err)
        assert err.count("\n") == 1 and message in err, (argv, err)
    code, out, err = run(capsys, "export", tmp_path / "missing.qualcode", "units")
    assert code == 1 and "no such project" in err
    assert not list((example.parent / "exports").glob("*")) if (example.parent / "exports").exists() else True


def test_an_empty_selection_says_so(example, capsys):
    code, out, err = run(capsys, "export", example, "quotes", "--theme", "hap-ansatte", "--role", "pasient")
    assert code == 0 and "0 meaning units" in out and "no meaning units match" in err

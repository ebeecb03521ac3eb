"""Private by default (issue 9, finding 3): no export or report holds a name the finder proposes
unless a person kept it, even when nobody has reviewed a single name.

The planted project has invented names in every place a file can carry them: first names said
aloud, a Teams display name as a speaker label (and its first name said aloud), a place only in a
condensed meaning, a name in a memo and in a unit's note, an institution in a group attribute, in
the transcript's title and in the project file's own name. Nothing is decided: no ``names``, no
``deidentify`` was run. Every byte of every export is searched, inside archives too.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from qualcode.cli import main
from qualcode.core.codebook import parse_codebook
from qualcode.store import Project, deid
from qualcode.store.project import RoleRule

from ..conftest import CODEBOOK_YAML, make_parsed

# Every name here is invented.
PLANTED = ("Ingrid", "Solheim", "Torbjørn", "Sigrid", "Vardøy", "Halvard", "Brekke", "Lysheim", "Fjellvik")

HEADER = "Fokusgruppe 1 på Lysheim\nDato: 14. mars 2024\nDeltakere: Ingrid Solheim, P2, Ansatt 1\nTranskribert av Tekstbyrået"
T1 = [
    (None, HEADER),
    ("Intervjuer", "Velkommen alle sammen. Hva tenkte dere om fagdagen i går? Ingrid, vil du begynne?"),
    ("Ingrid Solheim", "Ja. Jeg kjente meg igjen da Sigrid fortalte om hvordan hun kom seg ut av rusen. Det ga meg håp."),
    ("P2", "Jeg snakket med Torbjørn i pausen, og han sa det samme. Før bodde jeg i Fjellvik, og der fikk jeg ingen hjelp."),
    ("Ansatt 1", "For oss som jobber på Lysheim ga det påfyll å høre historiene deres."),
    ("Ingrid Solheim", "Etter behandlingen skal jeg flytte hjem igjen. Det gleder jeg meg til, faktisk."),
]
ROLES = [RoleRule.parse(r) for r in ("P*=pasient", "Ansatt*=ansatt", "Intervjuer=moderator", "Ingrid*=pasient")]
UNITS = [  # (quote, code, condensed meaning, note)
    ("Jeg kjente meg igjen da Sigrid fortalte om hvordan hun kom seg ut av rusen", "hap-gjen",
     "Kjente seg igjen i innlederens historie", "Sigrid er innleder"),
    ("Jeg snakket med Torbjørn i pausen, og han sa det samme", "hap-sol", "", ""),
    ("Før bodde jeg i Fjellvik, og der fikk jeg ingen hjelp", "rec", "Fikk ikke hjelp der hun bodde", ""),
    ("For oss som jobber på Lysheim ga det påfyll å høre historiene deres", "hap", "", ""),
    ("Etter behandlingen skal jeg flytte hjem igjen", "rec", "Skal flytte hjem til Vardøy etter behandlingen", ""),
]


def build_planted(folder: Path) -> Path:
    """The planted project, ``lysheim.qualcode`` in ``folder``: two coders (AB, CD) coded the same
    units, every unit is starred; no name decided."""
    path = folder / "lysheim.qualcode"
    project = Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "test.yaml"))
    project.import_transcript(make_parsed(T1), title="Fokusgruppe 1 på Lysheim", group="Fokusgruppe 1",
                              group_attributes={"institusjon": "Lysheim", "type": "blandet"}, roles=ROLES)
    text = project.text("T1")
    for coder in ("AB", "CD"):
        for quote, code, condensed, note in UNITS:
            start = text.index(quote)
            unit = project.add_coding("T1", start, start + len(quote), code, coder, condensed=condensed, memo=note)
            project.update_coding(unit.id, starred=True)
    project.add_memo("Halvard Brekke ledet fagdagen; vi kjente ham fra før.", author="AB")
    project.close()
    return path


@pytest.fixture
def planted(tmp_path) -> Path:
    return build_planted(tmp_path)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def every_text(path: Path) -> str:
    """A file's bytes as text, and for a ZIP (docx, xlsx, qdpx) every part's name and text, with
    and without its XML tags (a name split over two runs is found too), and with character
    references decoded (openpyxl writes ø as ``&#248;``)."""
    data = path.read_bytes()
    texts = [path.name, data.decode("utf-8", errors="replace"), data.decode("latin-1")]
    texts.append(html.unescape(texts[1]))
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                part = archive.read(name).decode("utf-8", errors="replace")
                bare = re.sub(r"<[^>]+>", "", part)
                texts += [name, part, bare, html.unescape(part), html.unescape(bare)]
    return "\n".join(texts)


def leaks(folder: Path, names=PLANTED) -> dict[str, list[str]]:
    """{file name: the planted names found in it}, over every file written to ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            text = every_text(path).casefold()
            hits = [n for n in names if n.casefold() in text]
            if hits:
                found[path.name] = hits
    return found


# --- the regression test of finding 3 --------------------------------------------------------------


def test_quotes_of_starred_units_hold_no_planted_name_without_any_review(planted, capsys):
    code, _, err = run(capsys, "export", planted, "quotes", "--starred")
    assert code == 0, err
    folder = planted.parent / "exports"
    assert [p.suffix for p in folder.iterdir()] == [".docx"]
    assert leaks(folder) == {}


# --- every kind and format -------------------------------------------------------------------------


EXPORTS = [
    ("units", "xlsx"), ("units", "csv"), ("units", "json"),
    ("summary", "docx"), ("summary", "md"), ("summary", "html"),
    ("quotes", "docx"), ("quotes", "md"),
    ("chart", "png"), ("chart", "svg"),
    ("framework", "xlsx"), ("framework", "docx"),
    ("qdpx", "qdpx"), ("qdc", "qdc"),
    ("agreement", "md"), ("agreement", "xlsx"),
]


def export(capsys, project: Path, folder: Path, kind: str, fmt: str, *, private: bool = True) -> tuple[str, str]:
    folder.mkdir(exist_ok=True)
    if kind == "agreement":
        argv = ["agreement", project, "--coders", "AB,CD", "--report", fmt, "--out", folder]
        if not private:
            pytest.skip("agreement reports are always de-identified")
    else:
        argv = ["export", project, kind, "--format", fmt, "--out", folder]
        if kind in ("qdpx", "qdc"):
            argv += ["--deid"] if private else []
        elif not private:
            argv.append("--no-deid")
        if fmt == "xlsx":
            argv.append("--sheet-per-theme")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "Traceback" not in err
    return out, err


@pytest.mark.parametrize("review", ["no review", "hide-pending"])
@pytest.mark.parametrize("kind,fmt", EXPORTS, ids=[f"{k}-{f}" for k, f in EXPORTS])
def test_no_planted_name_in_any_byte_of_any_export_without_review(planted, tmp_path, capsys, kind, fmt, review):
    if review == "hide-pending":  # a review in one command: every name found is hidden, now reviewed
        assert run(capsys, "names", planted, "--hide-pending")[0] == 0
    folder = tmp_path / "out"
    export(capsys, planted, folder, kind, fmt)
    assert list(folder.iterdir()), "nothing written"
    assert leaks(folder) == {}


# the framework matrix shows condensed meanings, not the memo or the text behind them, where Sigrid
# is (test_framework.py checks that its names are there without de-identification)
@pytest.mark.parametrize("kind,fmt", [e for e in EXPORTS if e[0] not in ("agreement", "chart", "qdc", "framework")],
                         ids=[f"{k}-{f}" for k, f in EXPORTS if k not in ("agreement", "chart", "qdc", "framework")])
def test_without_deidentification_the_planted_names_are_there(planted, tmp_path, capsys, kind, fmt):
    """The same search finds the names when de-identification is off: the test above can fail."""
    folder = tmp_path / "out"
    export(capsys, planted, folder, kind, fmt, private=False)
    found = {n for names in leaks(folder).values() for n in names}
    assert {"Sigrid", "Torbjørn", "Lysheim"} <= found


def test_the_export_says_how_many_names_were_hidden_unreviewed(planted, tmp_path, capsys):
    _, err = export(capsys, planted, tmp_path / "out", "quotes", "md")
    text = next((tmp_path / "out").iterdir()).read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("Avidentifisert:"))  # Norwegian by default
    n = int(re.search(r"(\d+) navn som ikke er gjennomgått ennå", line).group(1))
    assert n >= len({"Ingrid Solheim", "Sigrid", "Torbjørn", "Fjellvik", "Lysheim", "Vardøy", "Halvard Brekke"})
    assert "not reviewed" in err and "qualcode names" in err
    assert re.search(r"\[Navn \d+\?\]", text)  # unreviewed names have tags of their own


def test_a_name_a_person_kept_appears_and_the_rest_stay_hidden(planted, tmp_path, capsys):
    code, _, err = run(capsys, "names", planted, "--keep", "Fjellvik", "--hide", "Torbjørn")
    assert code == 0, err
    _, err = export(capsys, planted, tmp_path / "out", "quotes", "md")
    text = next((tmp_path / "out").iterdir()).read_text(encoding="utf-8")
    assert "Fjellvik" in text
    assert "[Navn 1]" in text  # Torbjørn, reviewed: a tag without '?'
    assert leaks(tmp_path / "out", [n for n in PLANTED if n != "Fjellvik"]) == {}


def test_a_first_name_said_aloud_shares_the_speakers_tag(planted, tmp_path, capsys):
    export(capsys, planted, tmp_path / "out", "units", "json")
    units = json.loads(next((tmp_path / "out").iterdir()).read_text(encoding="utf-8"))["units"]
    speaker = next(u["speaker"] for u in units if u["code"] == "hap-gjen")
    assert re.fullmatch(r"\[Navn \d+\?\]", speaker)
    with Project.open(planted, backup=False) as project:
        redactor = deid.Redactor(project)
        turn = redactor.text("Ingrid, vil du begynne?")
    assert turn == f"{speaker}, vil du begynne?"  # one person, one tag


# --- identifiers never derive from hidden names ------------------------------------------------------


def guids(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("project.qde").decode("utf-8")
        names = archive.namelist()
    found = set(re.findall(r'(?:guid|targetGUID|creatingUser)="([0-9A-Fa-f-]{36})"', xml))
    return found | {n[len("sources/"):-len(".txt")] for n in names if n.startswith("sources/")}


def test_a_deidentified_qdpx_has_guids_no_one_can_work_back_from(planted, tmp_path, capsys):
    from qualcode.refi.write import Guids, _project_key

    run(capsys, "export", planted, "qdpx", "--deid", "--out", tmp_path / "a.qdpx")
    run(capsys, "export", planted, "qdpx", "--deid", "--out", tmp_path / "b.qdpx")
    run(capsys, "export", planted, "qdpx", "--out", tmp_path / "work.qdpx")
    first, second, working = guids(tmp_path / "a.qdpx"), guids(tmp_path / "b.qdpx"), guids(tmp_path / "work.qdpx")
    assert len(first) > 20 and first.isdisjoint(second)  # a fresh random salt for each shared copy
    assert first.isdisjoint(working)
    with Project.open(planted, backup=False) as project:
        stable = Guids(_project_key(project))
        guessable = {stable("speaker", f"T1:{label}") for label in ("Ingrid Solheim", "P2", "Ansatt 1")}
        guessable |= {stable(kind, key) for kind, key in (("source", "T1"), ("code", "hap"), ("user", "AB"))}
    assert guessable <= working  # the working copy keeps stable GUIDs for re-imports
    assert guessable.isdisjoint(first | second)


# --- counts that mean what an author expects ----------------------------------------------------------


def add_consensus(path: Path) -> None:
    with Project.open(path, backup=False) as project:
        text = project.text("T1")
        for quote, code, *_ in UNITS[:2]:
            start = text.index(quote)
            unit = project.add_coding("T1", start, start + len(quote), code, "consensus")
            project.update_coding(unit.id, starred=True)


def test_before_reconciling_an_export_says_several_coders_are_counted_together(planted, tmp_path, capsys):
    code, out, err = run(capsys, "export", planted, "summary", "--format", "md", "--out", tmp_path / "s.md",
                         "--lang", "en")
    assert code == 0, err
    text = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "Units: 10 (all coders)" in text
    assert "the units of 2 coders (AB, CD) are counted together" in text and "counted together" in out
    run(capsys, "export", planted, "summary", "--format", "md", "--coder", "AB", "--out", tmp_path / "ab.md")
    assert "counted together" not in (tmp_path / "ab.md").read_text(encoding="utf-8")


def test_once_there_is_a_consensus_summaries_and_quotes_use_it_by_default(planted, tmp_path, capsys):
    add_consensus(planted)
    for kind, fmt in (("summary", "md"), ("quotes", "md"), ("summary", "html")):
        code, out, err = run(capsys, "export", planted, kind, "--format", fmt, "--out", tmp_path / f"{kind}.{fmt}",
                             "--lang", "en")
        assert code == 0, err
        text = (tmp_path / f"{kind}.{fmt}").read_text(encoding="utf-8")
        assert "Units: 2 (coder consensus)" in text, kind
        assert "consensus layer (coder" in text and "used by default" in text
        assert "consensus layer" in out
    run(capsys, "export", planted, "summary", "--format", "md", "--all-coders", "--out", tmp_path / "all.md",
        "--lang", "en")
    text = (tmp_path / "all.md").read_text(encoding="utf-8")
    assert "Units: 12 (all coders)" in text and "3 coders (AB, CD, consensus) are counted together" in text
    run(capsys, "export", planted, "quotes", "--format", "md", "--coder", "CD", "--out", tmp_path / "cd.md",
        "--lang", "en")
    assert "Units: 5 (coder CD)" in (tmp_path / "cd.md").read_text(encoding="utf-8")
    run(capsys, "export", planted, "units", "--format", "json", "--out", tmp_path / "u.json")
    document = json.loads((tmp_path / "u.json").read_text(encoding="utf-8"))
    assert len(document["units"]) == 12  # units list every coder's units: the raw data, said so
    assert "3 coders (AB, CD, consensus) are counted together" in document["coders_note"]
    code, _, err = run(capsys, "export", planted, "summary", "--coder", "AB", "--all-coders")
    assert code == 1 and err.count("\n") == 1 and "--all-coders" in err

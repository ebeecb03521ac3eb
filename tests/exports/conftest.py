"""Projects for the export tests, built in ``tmp_path``. All dialogue and every name is invented.

``coded`` is small and hand-made so that every count of the summary is known:

=====  ======  ==========  =======  =========  =====  ======================================
unit   coder   transcript  speaker  role       group  code
=====  ======  ==========  =======  =========  =====  ======================================
1      AB      T1          P1       pasient    FG1    hap-gjen  (names Kari Nordmann; starred)
2      AB      T1          Ansatt 1 ansatt     FG1    hap
3      AB      T1          P2       pasient    FG1    hap-sol   (names Solbakken)
4      AB      T2          P1       pasient    FG2    rec       (over 40 words; starred)
5      AB      T2          Kari     pasient    FG2    rec       (the speaker label is a name)
6      CD      T1          P1       pasient    FG1    hap-gjen  (the same span as unit 1)
7      CD      T2          P1       pasient    FG2    hap-sol   (after an emoji)
=====  ======  ==========  =======  =========  =====  ======================================

The project hides ``Kari Nordmann``, ``Kari`` and ``Solbakken``; they also stand in a memo, a
condensed meaning, a unit's note, a transcript title, a group attribute and a speaker label.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.store import Project, deid
from qualcode.store.project import RoleRule

from ..conftest import CODEBOOK_YAML, REPO, make_parsed

SHARED = REPO.parent / "shared" / "refi-qda"
PLANTED = ("Kari", "Nordmann", "Solbakken")

T1 = [
    ("Intervjuer", "Hva tenkte dere om fagdagen i går?"),
    ("P1", "Jeg kjente meg igjen i historien til Kari Nordmann. Det ga meg håp."),
    ("Ansatt 1", "For meg som ansatt ga det håp for jobben, faktisk."),
    ("P2", "Æ veit ikkje, men det var fint å høre at ho klarte seg på Solbakken."),
]
LONG = ("Det første som skjedde var at jeg begynte å sove om natta igjen, og så kom maten, og så "
        "kom lysten til å gå ut, og etter hvert turte jeg å ringe søstera mi, og det var vel da jeg "
        "skjønte at bedring ikke er én ting, men mange små steg som du tar hver eneste dag, også de "
        "dagene det går dårlig.")
T2 = [
    ("Intervjuer", "Hva betyr recovery for dere?"),
    ("P1", LONG + " Og så smilte jeg 🙂 for første gang på lenge, det var stort."),
    ("Kari", "Jeg er enig, det handler om små steg hver dag."),
]
ROLES = [RoleRule.parse(r) for r in ("P*=pasient", "Ansatt*=ansatt", "Intervjuer=moderator", "Kari=pasient")]


def span(project: Project, tid: str, quote: str) -> tuple[int, int]:
    start = project.text(tid).index(quote)
    return start, start + len(quote)


def build_coded(path: Path) -> Project:
    project = Project.create(path, codebook=parse_codebook(CODEBOOK_YAML, "test.yaml"))
    project.import_transcript(make_parsed(T1), title="Fokusgruppe 1 på Solbakken", group="FG1",
                              group_attributes={"institusjon": "Solbakken", "type": "blandet"}, roles=ROLES)
    project.import_transcript(make_parsed(T2), title="Fokusgruppe 2", group="FG2",
                              group_attributes={"institusjon": "Fjordtun", "type": "pasienter"}, roles=ROLES)
    code = project.add_coding
    u1 = code("T1", *span(project, "T1", "Jeg kjente meg igjen i historien til Kari Nordmann"), "hap-gjen", "AB",
              condensed="Kjente seg igjen i Karis historie", memo="Kari Nordmann er innleder")
    code("T1", *span(project, "T1", "For meg som ansatt ga det håp for jobben, faktisk."), "hap", "AB")
    code("T1", *span(project, "T1", "det var fint å høre at ho klarte seg på Solbakken"), "hap-sol", "AB")
    u4 = code("T2", *span(project, "T2", LONG), "rec", "AB", condensed="Bedring er mange små steg")
    code("T2", *span(project, "T2", "Jeg er enig, det handler om små steg hver dag."), "rec", "AB")
    code("T1", *span(project, "T1", "Jeg kjente meg igjen i historien til Kari Nordmann"), "hap-gjen", "CD")
    code("T2", *span(project, "T2", "for første gang på lenge"), "hap-sol", "CD")
    project.update_coding(u1.id, starred=True)
    project.update_coding(u4.id, starred=True)
    project.add_memo("Førforståelse: vi har selv møtt Kari Nordmann på en fagdag.", author="AB")
    project.add_memo("Gjenkjennelse går igjen hos pasientene.", target_type="code", target_id="hap-gjen", author="CD")
    project.add_memo("Samtalen var rolig.", target_type="transcript", target_id="T1", author="AB")
    project.add_memo("Sjekk konteksten.", target_type="coding", target_id=str(u4.id), author="CD")
    deid.add_term(project, "Kari Nordmann", "PER")
    deid.add_term(project, "Kari", "PER")
    deid.add_term(project, "Solbakken", "ORG")
    return project


@pytest.fixture
def coded(tmp_path: Path) -> Project:
    project = build_coded(tmp_path / "studie.qualcode")
    yield project
    project.close()


# Meaning units to code in the example project: (transcript, quote, code, coder).
EXAMPLE_UNITS = [
    ("T1", "kjente meg igjen", "hap-gjenkjennelse", "AB"),
    ("T2", "Han Rune, han som snakka først", "hap-solskinn", "AB"),
    ("T2", "Æ tenker at det gir håp, liksom", "hap", "AB"),
    ("T3", "Folk satt og prata i stua lenge etter at innlederne hadde reist", "hap-ansatte", "AB"),
    ("T2", "Det er de små tingene", "recovery-pasienter", "AB"),
    ("T3", "Én av pasientene kom bort til meg", "recovery-ansatte", "AB"),
    ("T1", "kjente meg igjen", "hap-gjenkjennelse", "consensus"),
    ("T2", "Det er de små tingene", "recovery-pasienter", "consensus"),
]


@pytest.fixture
def example(tmp_path: Path, capsys) -> Path:
    """The example project (``qualcode example``) with a few meaning units, two of them starred."""
    from qualcode.cli import main

    path = tmp_path / "example.qualcode"
    assert main(["example", str(path), "--from", str(REPO / "transcripts_example")]) == 0
    capsys.readouterr()
    with Project.open(path, backup=False) as project:
        for tid, quote, code, coder in EXAMPLE_UNITS:
            start, end = project.find_quote(tid, quote)[0]
            unit = project.add_coding(tid, start, end, code, coder)
            if coder == "AB" and code.startswith("recovery"):
                project.update_coding(unit.id, starred=True)
        deid.add_term(project, "Rune", "PER")
    return path


# --- reading what was written ----------------------------------------------------------------------


def zip_texts(data: bytes) -> dict[str, str]:
    """Every XML/text part of a ZIP-based file (docx, xlsx, qdpx), decoded."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n).decode("utf-8", errors="replace") for n in archive.namelist()
                if not n.endswith((".png", ".jpeg", ".jpg"))}


def visible_text(data: bytes, suffix: str) -> str:
    """All the text a reader could find in a file: its bytes as text and, for ZIP-based files,
    each part with the XML tags taken out (so a name split over two runs is found too)."""
    if suffix in (".docx", ".xlsx", ".qdpx"):
        parts = zip_texts(data)
        return "\n".join(list(parts.values()) + [re.sub(r"<[^>]+>", "", p) for p in parts.values()])
    return data.decode("utf-8", errors="replace")


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    import docx

    return [(p.style.name, p.text) for p in docx.Document(str(path)).paragraphs]

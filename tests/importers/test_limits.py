"""Hostile inputs are refused quickly, in bounded memory, with one line naming the file and the limit.

Each input is built here (see :mod:`.hostile`). Most tests lower a limit of
:mod:`qualcode.core.limits` so that they stay small and fast; the ``full size`` ones use the real
limits on files like those that exhausted memory before (a 0.9 MB .docx that unpacks to 300 MB,
a 2.5 MB .qdpx with a huge source, a 1 MB YAML codebook that aliases one long string 500 times)
and run in a child process, whose peak memory is measured on its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import hostile_inputs as hostile  # tests/importers is on sys.path (no __init__.py)
import pytest

from qualcode.cli import main
from qualcode.core import limits
from qualcode.core.codebook import Codebook, codebook_to_yaml, load_codebook, parse_codebook
from qualcode.core.errors import UserError
from qualcode.core.models import CodeNode
from qualcode.importers import parse_transcript
from qualcode.refi.read import read_codebook_file, read_qdpx

MB = limits.MB
REPO = Path(__file__).resolve().parents[2]


@contextmanager
def bounded(seconds: float = 10, megabytes: int = 200):
    """The block finishes within ``seconds`` and raises this process's peak memory by less than
    ``megabytes`` (a weak check in a long test run, whose peak may be higher already; the full-size
    tests measure a child process instead)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - peak
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert grown < megabytes, f"peak memory grew by {grown} MB"


def refused(call, path: Path, *fragments: str) -> str:
    """``call()`` raises one UserError, on one line, naming ``path`` and each of ``fragments``."""
    with pytest.raises(UserError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:"), message
    for fragment in fragments:
        assert fragment in message, message
    return message


_CHILD = """
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
start = time.monotonic()
from qualcode.core.errors import UserError
try:
    if kind == "transcript":
        from qualcode.importers import parse_transcript
        parse_transcript(path)
    elif kind == "qdpx":
        from qualcode.refi.read import read_qdpx
        read_qdpx(path)
    else:
        from qualcode.core.codebook import load_codebook
        load_codebook(path)
    error = None
except UserError as exc:
    error = str(exc)
try:  # this program's own peak (ru_maxrss would count the parent's, kept across exec)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"error": error, "seconds": time.monotonic() - start, "peak_mb": peak}))
"""


def in_child(kind: str, path: Path) -> dict:
    """Read ``path`` in a fresh Python (memory capped at 3 GB): its error, time and peak memory."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    done = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path)], capture_output=True, text=True,
                          timeout=120, cwd=REPO, preexec_fn=cap)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- plain text ----------------------------------------------------------------------------------


def test_an_over_size_text_transcript_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "TEXT_FILE_MAX_BYTES", 1 * MB)
    for suffix in (".txt", ".vtt", ".srt"):
        path = tmp_path / f"stor{suffix}"
        path.write_bytes(b"P1: Ja, det var fint.\n" * 100_000)  # 2.2 MB
        with bounded(seconds=2, megabytes=50):
            refused(lambda path=path: parse_transcript(path), path, "too large for a transcript", "the limit is 1 MB")


def test_a_text_file_of_unknown_size_is_cut_off_at_the_limit_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "TEXT_FILE_MAX_BYTES", 1 * MB)
    path = tmp_path / "uendelig.txt"
    path.symlink_to("/dev/zero")  # a device: no size on disk, and no end
    with bounded(seconds=2, megabytes=50):
        refused(lambda: parse_transcript(path), path, "too large for a transcript", "the limit is 1 MB")


# --- HTML (noScribe) and JSON (aTrain) -----------------------------------------------------------


def test_an_over_size_html_or_json_transcript_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from qualcode.importers import atrain, htmlfile

    monkeypatch.setattr(htmlfile, "HTML_FILE_MAX_BYTES", 1 * MB)
    monkeypatch.setattr(atrain, "JSON_FILE_MAX_BYTES", 1 * MB)
    html = tmp_path / "stor.html"
    html.write_bytes(b"<p>P1: Ja, det var fint.</p>\n" * 50_000)
    json_file = tmp_path / "stor.json"
    json_file.write_bytes(b'{"segments": [' + b'{"start": 0, "end": 1, "text": "Ja."},' * 50_000 + b"]}")
    for path in (html, json_file):
        with bounded(seconds=2, megabytes=50):
            refused(lambda path=path: parse_transcript(path), path, "too large for a transcript",
                    "the limit is 1 MB")


def test_deeply_nested_html_is_read_without_recursion(tmp_path, spoken):
    path = tmp_path / "dyp.html"
    path.write_text(hostile.html_nested(200_000))
    with bounded(seconds=10, megabytes=200):
        parsed = parse_transcript(path)
    assert spoken(parsed) == [("P1", "Ja, det var fint.")]


def test_an_html_entity_bomb_is_not_expanded(tmp_path):
    path = tmp_path / "latter.html"
    path.write_text(hostile.html_entity_bomb())
    with bounded(seconds=2, megabytes=50):
        parsed = parse_transcript(path)
    assert "lollol" not in parsed.text and len(parsed.text) < 1000


def test_a_large_html_file_of_tags_is_read_in_seconds_and_bounded_memory(tmp_path):
    """Two million tags (16 MB, half the limit; 30 MB took 9 s and 0.6 GB): in a child process."""
    path = tmp_path / "tagger.html"
    with open(path, "wb") as fh:
        for chunk in hostile.html_tags(16 * MB):
            fh.write(chunk)
    result = in_child("transcript", path)
    assert result["error"] is None, result
    assert result["seconds"] < 30 and result["peak_mb"] < 600, result


def test_a_full_size_json_of_empty_objects_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "tomme.json"
    with open(path, "wb") as fh:
        for chunk in hostile.json_of_empty_objects(31 * MB):
            fh.write(chunk)
    result = in_child("transcript", path)
    assert result["error"] == f"{path}: not an aTrain transcript: segment 1 has no 'start' and 'end' in seconds", result
    assert result["seconds"] < 20 and result["peak_mb"] < 1200, result


def test_a_five_megabyte_noscribe_paragraph_is_one_line_with_a_warning(tmp_path):
    segments = "".join(f'<a name="ts_{i * 1000}_{i * 1000 + 900}_" > Setning {i} uten noen som snakker.</a>'
                       for i in range(90_000))
    path = tmp_path / "uten-talere.html"
    path.write_text(f"<html><body><p>{segments}</p></body></html>", encoding="utf-8")
    with bounded(seconds=20, megabytes=400):
        parsed = parse_transcript(path)
    assert parsed.format == "noscribe-html"
    assert len(parsed.turns) == 1 and parsed.turns[0].time_end == 89_999.9
    assert [w for w in parsed.warnings if w.startswith("line 1 is 3,")]


# --- .docx ---------------------------------------------------------------------------------------


def test_a_docx_zip_bomb_is_refused_at_the_limit_for_one_part(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_PART_BYTES", 4 * MB)
    monkeypatch.setattr(limits, "ARCHIVE_RATIO_FROM_BYTES", 64 * MB)  # the part limit speaks first
    path = hostile.docx_bomb(tmp_path / "bombe.docx", 16 * MB)
    with bounded(seconds=3, megabytes=100):
        refused(lambda: parse_transcript(path), path,
                "word/document.xml expands past 4 MB (the limit for one part)")


def test_a_docx_zip_bomb_is_refused_by_its_compression_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_RATIO_FROM_BYTES", 1 * MB)
    path = hostile.docx_bomb(tmp_path / "bombe.docx", 16 * MB)
    assert zipfile.ZipFile(path).getinfo("word/document.xml").compress_size < 80_000
    with bounded(seconds=3, megabytes=100):
        refused(lambda: parse_transcript(path), path, "word/document.xml expands more than 200 times",
                "refusing it as a zip bomb")


def test_a_real_document_is_far_from_the_ratio_limit(make_docx):
    """Ordinary Word XML compresses a few times, not hundreds."""
    path = make_docx([f"P{i % 5 + 1}: Jeg kjente meg igjen i historien, det ga meg håp nummer {i}."
                      for i in range(5_000)])
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    assert info.file_size / info.compress_size < limits.ARCHIVE_MAX_RATIO / 4
    assert len(parse_transcript(path).turns) == 5_000


@pytest.mark.parametrize("size, lie, refusal", [
    (300 * MB, None, "word/document.xml expands past 64 MB (the limit for one part)"),  # as its header says
    (300 * MB, 1000, "not a readable .docx"),  # its header says 1000 bytes: unpacking stops there, the CRC fails
    (60 * MB, None, "word/document.xml expands more than 200 times its compressed size"),  # found while unpacking
])
def test_a_full_size_docx_bomb_is_refused_in_a_second_and_little_memory(tmp_path, size, lie, refusal):
    """About 1 MB on disk, hundreds unpacked: 256 MB used to import for 82 s at 4.5 GB."""
    path = hostile.docx_bomb(tmp_path / "bombe.docx", size)
    if lie:
        hostile.lie_about_size(path, "word/document.xml", lie)
    assert path.stat().st_size < 2 * MB
    result = in_child("transcript", path)
    assert result["error"].startswith(f"{path}: {refusal}"), result
    assert result["seconds"] < 5 and result["peak_mb"] < 250, result


def test_a_docx_member_whose_header_understates_its_size_is_refused_without_unpacking_it(tmp_path):
    path = hostile.docx_bomb(tmp_path / "løgn.docx", 64 * MB)
    hostile.lie_about_size(path, "word/document.xml", 1000)  # "1000 bytes", says the header
    with bounded(seconds=3, megabytes=100):
        refused(lambda: parse_transcript(path), path, "not a readable .docx")


def test_a_docx_member_whose_header_overstates_its_size_is_refused_by_the_header(tmp_path, monkeypatch):
    path = hostile.docx(tmp_path / "stor.docx", [hostile.DOC_HEAD.encode(), hostile.PARAGRAPH.encode(),
                                                  hostile.DOC_TAIL.encode()])
    hostile.lie_about_size(path, "word/document.xml", 1 << 30)
    with bounded(seconds=3, megabytes=50):
        refused(lambda: parse_transcript(path), path, "word/document.xml expands past 64 MB")


def test_an_archive_of_too_many_members_is_refused_before_its_directory_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_MEMBERS", 100)
    template = hostile._docx_template()
    members = [(name, [data]) for name, data in template.items()]
    members += [(f"word/media/image{i}.png", [b"x"]) for i in range(200)]
    path = hostile.write_zip(tmp_path / "mange.docx", members)
    refused(lambda: parse_transcript(path), path, f"{len(members)} members (the limit is 100)")


def test_members_under_the_part_limit_are_still_bounded_in_total(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_TOTAL_BYTES", 8 * MB)
    members = [(name, [data]) for name, data in hostile._docx_template().items()]
    members += [(f"word/media/image{i}.bin", hostile.repeated("", "0123456789", 1 * MB)) for i in range(12)]
    path = hostile.write_zip(tmp_path / "bilder.docx", members)
    with bounded(seconds=3, megabytes=100):
        refused(lambda: parse_transcript(path), path, "expands past 8 MB in all (the limit for one file)")


def test_a_docx_with_an_entity_bomb_is_refused_for_its_doctype(tmp_path):
    path = hostile.docx_billion_laughs(tmp_path / "latter.docx")
    with bounded(seconds=2, megabytes=50):
        refused(lambda: parse_transcript(path), path, "word/document.xml has a DOCTYPE",
                "entity expansion and external DTDs are not allowed")


def test_a_docx_part_python_docx_would_parse_under_another_name_is_checked_too(tmp_path):
    """The main part may be called anything; [Content_Types].xml says what python-docx parses."""
    template = hostile._docx_template()
    types = template["[Content_Types].xml"].replace(b'PartName="/word/document.xml"',
                                                     b'PartName="/word/document.bin"')
    rels = template["word/_rels/document.xml.rels"]
    members = [(name, [data]) for name, data in template.items()
               if name not in ("[Content_Types].xml", "word/document.xml", "_rels/.rels",
                               "word/_rels/document.xml.rels")]
    members += [("[Content_Types].xml", [types]),
                ("_rels/.rels", [template["_rels/.rels"].replace(b"word/document.xml", b"word/document.bin")]),
                ("word/_rels/document.bin.rels", [rels]),
                ("word/document.bin", [hostile.billion_laughs("w:document", xmlns=f' xmlns:w="{hostile.W_NS}"')])]
    path = hostile.write_zip(tmp_path / "gjemt.docx", members)
    refused(lambda: parse_transcript(path), path, "word/document.bin has a DOCTYPE")


def test_docx_xml_nested_past_the_depth_limit_is_refused(tmp_path):
    depth = limits.XML_MAX_DEPTH + 50
    sdt = "<w:sdt><w:sdtContent>"
    document = hostile.nested_xml(hostile.DOC_HEAD, sdt, "</w:sdtContent></w:sdt>", depth // 2, hostile.DOC_TAIL)
    path = hostile.docx(tmp_path / "dyp.docx", [document])
    with bounded(seconds=2, megabytes=50):
        refused(lambda: parse_transcript(path), path,
                f"word/document.xml nests XML elements deeper than {limits.XML_MAX_DEPTH} levels")


def test_docx_nesting_within_the_limit_still_imports(tmp_path):
    sdt = "<w:sdt><w:sdtContent>"
    inner = "<w:p><w:r><w:t>P1: Ja, det var fint.</w:t></w:r></w:p>"
    document = (hostile.DOC_HEAD + sdt * 100 + inner + "</w:sdtContent></w:sdt>" * 100 + hostile.DOC_TAIL).encode()
    path = hostile.docx(tmp_path / "ok.docx", [document])
    assert [(t.speaker) for t in parse_transcript(path).turns] == ["P1"]


# --- .odt ----------------------------------------------------------------------------------------

ODT_CONTENT_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>')
ODT_CONTENT_TAIL = "</office:text></office:body></office:document-content>"


def odt(path: Path, content: bytes) -> Path:
    return hostile.write_zip(path, [("mimetype", [b"application/vnd.oasis.opendocument.text"]),
                                    ("content.xml", [content])])


def test_an_odt_with_an_entity_bomb_is_refused_for_its_doctype(tmp_path):
    laughs = hostile.billion_laughs("office:document-content").decode()
    content = laughs.split("<office:document-content>")[0] + ODT_CONTENT_HEAD.split("\n", 1)[1] + \
        "<text:p>&lol9;</text:p>" + ODT_CONTENT_TAIL
    path = odt(tmp_path / "latter.odt", content.encode())
    refused(lambda: parse_transcript(path), path, "content.xml has a DOCTYPE")


def test_odt_nested_past_the_depth_limit_is_refused_not_a_recursion_error(tmp_path):
    content = hostile.nested_xml(ODT_CONTENT_HEAD, "<text:section>", "</text:section>", 2000, ODT_CONTENT_TAIL)
    path = odt(tmp_path / "dyp.odt", content)
    refused(lambda: parse_transcript(path), path, "content.xml nests XML elements deeper than 256 levels")


def test_an_odt_zip_bomb_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_RATIO_FROM_BYTES", 1 * MB)
    path = hostile.write_zip(tmp_path / "bombe.odt", [
        ("mimetype", [b"application/vnd.oasis.opendocument.text"]),
        ("content.xml", hostile.repeated(ODT_CONTENT_HEAD, "<text:p>P1: Ja.</text:p>", 16 * MB, ODT_CONTENT_TAIL))])
    with bounded(seconds=3, megabytes=100):
        refused(lambda: parse_transcript(path), path, "content.xml expands more than 200 times")


# --- .qdpx and .qdc ------------------------------------------------------------------------------


def test_a_qdpx_with_a_huge_source_is_refused_at_the_limit_for_one_source(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_SOURCE_BYTES", 1 * MB)
    path = hostile.qdpx_big_source(tmp_path / "stor.qdpx", 4 * MB)
    with bounded(seconds=3, megabytes=100):
        refused(lambda: read_qdpx(path), path, "sources/big.txt expands past 1 MB (the limit for one text source)")


def test_a_full_size_qdpx_with_a_huge_source_is_refused_in_little_memory(tmp_path):
    """A 1 GB source in 2.5 MB ended in MemoryError; 64 MB is enough to show the limit works."""
    path = hostile.qdpx_big_source(tmp_path / "stor.qdpx", 64 * MB)
    result = in_child("qdpx", path)
    assert result["error"] == (f"{path}: sources/big.txt expands past 32 MB (the limit for one text source); "
                               "refusing the file as damaged or a zip bomb")
    assert result["seconds"] < 5 and result["peak_mb"] < 250, result


def test_a_qdpx_import_of_a_huge_source_changes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "ARCHIVE_MAX_SOURCE_BYTES", 1 * MB)
    path = hostile.qdpx_big_source(tmp_path / "stor.qdpx", 4 * MB)
    assert main(["import", str(tmp_path / "ny.qualcode"), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("qualcode: error: ") and "limit for one text source" in err
    assert not (tmp_path / "ny.qualcode").exists()


def test_a_qdpx_with_an_entity_bomb_is_refused_for_its_doctype(tmp_path):
    path = hostile.qdpx_billion_laughs(tmp_path / "latter.qdpx")
    with bounded(seconds=2, megabytes=50):
        refused(lambda: read_qdpx(path), path, "project.qde has a DOCTYPE")
        refused(lambda: read_codebook_file(path), path, "project.qde has a DOCTYPE")


def test_a_qdc_with_an_entity_bomb_is_refused_for_its_doctype(tmp_path):
    path = tmp_path / "latter.qdc"
    path.write_bytes(hostile.billion_laughs("CodeBook", xmlns=' xmlns="urn:QDA-XML:codebook:1.0"'))
    refused(lambda: read_codebook_file(path), path, "the codebook has a DOCTYPE")


def test_a_qdc_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "QDC_FILE_MAX_BYTES", 64 * 1024)
    path = tmp_path / "stor.qdc"
    path.write_bytes(b"<CodeBook/>" + b" " * 100_000)
    refused(lambda: read_codebook_file(path), path, "too large", "the limit is 64 KB")


def _qde_codes(depth: int) -> str:
    code = '<Code guid="00000000-0000-0000-0001-{:012d}" name="Nivå {}" isCodable="true">'
    opening = "".join(code.format(i, i) for i in range(depth))
    return f"<CodeBook><Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"


def test_qdpx_codes_nested_past_the_codebook_limit_are_refused(tmp_path):
    path = hostile.write_zip(tmp_path / "dyp.qdpx", [
        ("project.qde", [hostile.qde(extra=_qde_codes(limits.CODEBOOK_MAX_DEPTH + 1)).encode()]),
        ("sources/big.txt", [b"P1: Ja."])])
    refused(lambda: read_qdpx(path), path, f"nested {limits.CODEBOOK_MAX_DEPTH + 1} levels deep",
            f"the limit is {limits.CODEBOOK_MAX_DEPTH} levels")
    path = hostile.write_zip(tmp_path / "dypere.qdpx", [
        ("project.qde", [hostile.qde(extra=_qde_codes(400)).encode()])])
    refused(lambda: read_qdpx(path), path, "project.qde nests XML elements deeper than 256 levels")


def test_atlas_code_names_cannot_nest_past_the_limit(tmp_path):
    name = "::".join(f"g{i}" for i in range(limits.CODEBOOK_MAX_DEPTH + 5))
    qde = hostile.qde(extra=f'<CodeBook><Codes><Code guid="00000000-0000-0000-0001-000000000001" '
                            f'name="{name}" isCodable="true"/></Codes></CodeBook>')
    path = hostile.write_zip(tmp_path / "atlas.qdpx", [("project.qde", [qde.replace('origin="test"', 'origin="ATLAS.ti"')
                                                                       .encode()]),
                                                       ("sources/big.txt", [b"P1: Ja."])])
    refused(lambda: read_qdpx(path), path, "levels deep; the limit is 50 levels")


# --- YAML codebooks ------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_codebook_is_refused_while_it_is_read(tmp_path, capsys):
    """A 1 MB file that aliases one 1 MB definition 500 times made a 1 GB project."""
    path = tmp_path / "bombe.yaml"
    path.write_text(hostile.yaml_alias_bomb(), encoding="utf-8")
    with bounded(seconds=5, megabytes=100):
        message = refused(lambda: load_codebook(path), path, "aliases (*long) expand the file past 32 MB",
                          "the limit for YAML aliases")
    line = int(message.split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == "definition: *long"
    assert main(["init", str(tmp_path / "p.qualcode"), "--codebook", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "limit for YAML aliases" in err
    assert not (tmp_path / "p.qualcode").exists()


def test_nested_yaml_aliases_are_refused_by_what_they_stand_for(tmp_path):
    path = tmp_path / "latter.yaml"
    path.write_text(hostile.yaml_laughs(), encoding="utf-8")
    with bounded(seconds=2, megabytes=50):
        refused(lambda: load_codebook(path), path, "expand the file past 32 MB")


def test_too_many_yaml_aliases_are_refused(tmp_path):
    path = tmp_path / "alias.yaml"
    lines = ["codebook: Mange", "codes:", "  - id: k0", "    name: &n Kode", "    keywords:"]
    lines += ["      - *n"] * (limits.YAML_MAX_ALIASES + 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(lambda: load_codebook(path), path, f"more than {limits.YAML_MAX_ALIASES} aliases")


def test_a_few_yaml_aliases_are_fine():
    book = parse_codebook("codebook: A\ncodes:\n  - id: a\n    name: &n Håp\n    keywords: [*n, *n]\n", "a.yaml")
    assert book.codes[0].keywords == ["Håp", "Håp"]


def test_a_codebook_of_400_nested_levels_is_one_line_not_a_recursion_error(tmp_path):
    path = tmp_path / "dyp.yaml"
    path.write_text(hostile.nested_codebook(400), encoding="utf-8")
    with bounded(seconds=3, megabytes=100):
        message = refused(lambda: load_codebook(path), path, f"nested deeper than {limits.YAML_MAX_DEPTH} levels")
    assert message.split(":")[1].isdigit()


def test_a_codebook_one_level_past_the_limit_names_the_code_and_line(tmp_path):
    path = tmp_path / "dyp.yaml"
    path.write_text(hostile.nested_codebook(limits.CODEBOOK_MAX_DEPTH + 1), encoding="utf-8")
    message = refused(lambda: load_codebook(path), path, f"codes nested deeper than {limits.CODEBOOK_MAX_DEPTH}")
    line = int(message.split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == f"- id: k{limits.CODEBOOK_MAX_DEPTH}"


def test_a_chain_of_parents_past_the_limit_is_refused(tmp_path):
    path = tmp_path / "kjede.yaml"
    path.write_text(hostile.flat_chain_codebook(400), encoding="utf-8")
    message = refused(lambda: load_codebook(path), path, f"is nested {limits.CODEBOOK_MAX_DEPTH + 1} levels deep")
    line = int(message.split(":")[1])
    assert path.read_text().splitlines()[line - 1].strip() == f"parent: k{limits.CODEBOOK_MAX_DEPTH - 1}"


def test_a_codebook_at_the_depth_limit_loads_and_round_trips(tmp_path):
    for text in (hostile.nested_codebook(limits.CODEBOOK_MAX_DEPTH),
                 hostile.flat_chain_codebook(limits.CODEBOOK_MAX_DEPTH)):
        book = parse_codebook(text, "ok.yaml")
        assert [depth for depth, _ in book.walk()] == list(range(limits.CODEBOOK_MAX_DEPTH))
        again = parse_codebook(codebook_to_yaml(book), "again.yaml")
        assert [(c.id, c.parent) for c in again.codes] == [(c.id, c.parent) for c in book.codes]


def test_walking_and_writing_a_deeper_tree_never_overflows_the_stack():
    """A tree from elsewhere (the project file) may be deeper than a file allows."""
    codes = [CodeNode(id=f"k{i}", name=f"Nivå {i}", parent=f"k{i - 1}" if i else None) for i in range(3000)]
    book = Codebook(codes=codes)
    assert [depth for depth, _ in book.walk()] == list(range(3000))
    with pytest.raises(UserError, match="a codebook file allows 50"):
        codebook_to_yaml(book)


def test_an_over_size_yaml_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "YAML_FILE_MAX_BYTES", 64 * 1024)
    path = tmp_path / "stor.yaml"
    path.write_text("codebook: Stor\n# " + "x" * 100_000 + "\ncodes: [{id: a, name: A}]\n", encoding="utf-8")
    refused(lambda: load_codebook(path), path, "too large for a codebook file", "the limit is 64 KB")


def test_the_limits_are_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Limits"):]
    for figure in ("32 MB", "128 MB", "64 MB", "512 MB", "200:1", "10,000", "256", "50 levels", "8 MB", "1,000 aliases"):
        assert figure in section, figure


@pytest.mark.parametrize("setting", [name for name in dir(limits) if name.isupper() and name != "MB"])
def test_every_limit_is_a_positive_whole_number(setting):
    value = getattr(limits, setting)
    assert isinstance(value, int) and value > 0


def test_the_childs_measurement_is_not_fooled(tmp_path):
    """The child process really reads: an ordinary transcript is imported, not refused."""
    path = tmp_path / "vanlig.txt"
    path.write_text("Intervjuer: Hva tenker du?\nP1: Det ga meg håp.\n", encoding="utf-8")
    result = in_child("transcript", path)
    assert result["error"] is None and result["peak_mb"] < 500
    assert os.path.getsize(path) > 0

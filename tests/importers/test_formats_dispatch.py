"""parse_transcript: choosing the importer, and refusing what cannot be read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcode.core.errors import UserError
from qualcode.importers import SUPPORTED_SUFFIXES, parse_transcript


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".docx", ".vtt", ".srt", ".odt", ".html", ".htm", ".json")


def test_suffix_is_case_insensitive(write):
    parsed = parse_transcript(write("INTERVJU.TXT", "P1: Hei.\n"))
    assert parsed.format == "txt"


def test_unknown_suffix_lists_the_supported_ones(write):
    with pytest.raises(UserError) as err:
        parse_transcript(write("intervju.pdf", b"%PDF-1.4"))
    assert ("unsupported file type ('.pdf'); supported: .txt, .docx, .vtt, .srt, .odt, .html, .htm, "
            ".json" in str(err.value))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        parse_transcript(tmp_path / "borte.txt")
    folder = tmp_path / "mappe.txt"
    folder.mkdir()
    with pytest.raises(UserError, match="is a directory"):
        parse_transcript(folder)


def test_unreadable_file(write):
    import os

    path = write("hemmelig.txt", "P1: Hei.\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read anything")
        with pytest.raises(UserError, match="permission denied"):
            parse_transcript(path)
    finally:
        path.chmod(0o644)


def test_import_is_cheap_and_free_of_ui_and_nlp():
    code = ("import sys, qualcode.importers, qualcode.importers.labels, qualcode.importers.decode; "
            "heavy = {'docx', 'odf', 'charset_normalizer', 'textual', 'spacy'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

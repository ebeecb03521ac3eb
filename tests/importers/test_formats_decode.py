"""decode_bytes: encodings, guesses and refusals, each with the file (and line) named."""

from __future__ import annotations

import codecs
import io

import pytest

from qualcode.core.errors import UserError
from qualcode.importers.decode import decode_bytes

SAMPLE = "Intervjuer: Hva betydde fagdagen?\nP1: Den ga meg håp, særlig når de fortalte. Ærlig!\n"


def decode(data: bytes, forced: str | None = None):
    return decode_bytes(data, "intervju.txt", forced)


def test_utf8_is_taken_as_is():
    text, encoding, warnings = decode(SAMPLE.encode("utf-8"))
    assert (text, encoding, warnings) == (SAMPLE, "utf-8", [])


def test_utf8_bom_is_stripped():
    text, encoding, warnings = decode(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert (text, encoding, warnings) == (SAMPLE, "utf-8-sig", [])


@pytest.mark.parametrize("codec, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-32-be", codecs.BOM_UTF32_BE),
])
def test_utf16_and_utf32_with_bom(codec, bom):
    text, encoding, warnings = decode(bom + SAMPLE.replace("\n", "\r\n").encode(codec))
    assert text == SAMPLE
    assert encoding == codec[:6]
    assert warnings == []


def test_utf16_without_bom_is_recognised_and_reported():
    text, encoding, warnings = decode(SAMPLE.encode("utf-16-le"))
    assert text == SAMPLE
    assert encoding == "utf-16-le"
    assert "no byte-order mark" in warnings[0]


def test_cp1252_is_detected_and_reported():
    text, encoding, warnings = decode(SAMPLE.encode("cp1252"))
    assert text == SAMPLE  # æ, ø, å and Æ all survive
    assert encoding == "cp1252"
    assert warnings == ["decoded as cp1252 (not UTF-8); check æ, ø and å in the result"]


def test_old_dos_codepage_is_not_taken_for_cp1252():
    # cp865 (Norwegian DOS) puts å ø æ where cp1252 has † › ‘: cp1252 "works" but looks wrong.
    sample = "P1: Det var fint å høre, særlig på slutten, og så kom håpet.\n" * 5
    text, encoding, warnings = decode(sample.encode("cp865"))
    assert text == sample
    assert encoding != "cp1252"
    assert "not UTF-8" in warnings[0]


def test_forced_encoding_is_used_without_warning():
    text, encoding, warnings = decode(SAMPLE.encode("cp1252"), forced="cp1252")
    assert (text, encoding, warnings) == (SAMPLE, "cp1252", [])


def test_forced_encoding_that_fails_names_the_line():
    data = "P1: ja\nP2: nei\nP1: blåbær\n".encode("cp1252")
    with pytest.raises(UserError) as err:
        decode(data, forced="utf-8")
    assert err.value.line == 3
    assert str(err.value).startswith("intervju.txt:3: cannot decode as utf-8")


def test_forced_unknown_encoding():
    with pytest.raises(UserError, match="unknown encoding 'klingon'"):
        decode(b"P1: hei\n", forced="klingon")


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b" \n\r\n\t", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_file(data):
    with pytest.raises(UserError) as err:
        decode(data)
    assert str(err.value) == "intervju.txt: file is empty"


def test_nul_bytes_are_binary_with_line():
    with pytest.raises(UserError) as err:
        decode(b"P1: hei\nP2: hallo\x00 der\nP1: ja\n")
    assert err.value.line == 2
    assert "binary content, not a text transcript" in str(err.value)


def test_png_is_binary():
    with pytest.raises(UserError, match="binary content, not a text transcript.*PNG"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_many_control_bytes_are_binary():
    with pytest.raises(UserError, match="binary content") as err:
        decode(b"P1: hei\n" + bytes(range(1, 32)) * 20)
    assert err.value.line == 2


def test_a_few_control_characters_are_kept_with_a_warning():
    text, _, warnings = decode(b"P1: hei\nP2: ja\x0bnei\n")
    assert "\x0b" in text
    assert warnings == ["1 control character(s) in the text, the first on line 2"]


def test_docx_renamed_to_txt_says_it_is_a_word_file():
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Intervjuer: Hei")
    document.save(buffer)
    with pytest.raises(UserError, match="looks like a Word file"):
        decode(buffer.getvalue())


def test_pdf_and_rtf_are_refused_with_advice():
    with pytest.raises(UserError, match="PDF"):
        decode(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    with pytest.raises(UserError, match="RTF"):
        decode(b"{\\rtf1\\ansi Intervjuer: hei}")


def test_mixed_encodings_name_both_lines():
    data = (b"Intervjuer: Hva tenkte du om fagdagen?\n"
            + "P1: Det var et bedre liv, å høre dem.\n".encode()
            + b"P2: Helt enig.\n"
            + "P3: Jeg ble rørt, ærlig talt.\n".encode("cp1252"))
    with pytest.raises(UserError) as err:
        decode(data)
    assert err.value.line == 4
    assert str(err.value) == (
        "intervju.txt:4: mixed encodings: line 2 is UTF-8 but line 4 is not (looks like cp1252); "
        "save the file as UTF-8 or pass --encoding")


def test_line_numbers_follow_normalised_line_endings():
    data = "P1: ja\r\nP2: nei\rP1: blåbær\r\n".encode("cp1252")
    with pytest.raises(UserError) as err:
        decode(data, forced="utf-8")
    assert err.value.line == 3


def test_nfd_becomes_nfc():
    nfd = "P1: Sa\u030anne ting he\u0301r.\n"  # å and é decomposed, as macOS may write them
    text, _, _ = decode(nfd.encode("utf-8"))
    assert text == "P1: Sånne ting hér.\n"

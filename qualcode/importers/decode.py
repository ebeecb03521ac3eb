"""Reading transcript files: bytes from disk, and bytes to text for the plain-text formats.

Transcripts reach us from Word exports, transcription services and old Windows machines, so the
bytes may be UTF-8, UTF-8 with a BOM, UTF-16 from Notepad, or cp1252. A wrong guess silently
turns every *ø* into *Ã¸*, and a researcher may code a whole interview before noticing, so this
module is strict where it can be: it refuses binary files and files that mix two encodings, it
says which line is at fault, and it warns whenever it had to guess.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from qualcode.core import limits
from qualcode.core.errors import UserError
from qualcode.core.text import normalize_text
from qualcode.importers.archive import Archive, Damaged, read_file

# Longest BOM first: the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# An OLE compound file: an old .doc, or any password-protected Office file.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Signatures of files people drag into the import by mistake, with what to tell them.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "binary content, not a text transcript: it looks like a PNG image"),
    (b"\xff\xd8\xff", "binary content, not a text transcript: it looks like a JPEG image"),
    (b"GIF8", "binary content, not a text transcript: it looks like a GIF image"),
    (b"%PDF-", "binary content, not a text transcript: it looks like a PDF; "
               "export the transcript as .docx or plain text"),
    (OLE_SIGNATURE, "binary content, not a text transcript: it looks like an old .doc or a "
                    "password-protected Word file; save it as .docx"),
    (b"{\\rtf", "this is an RTF document, not plain text; save it as .docx or plain text"),
)

# Control characters (Unicode category Cc) other than the four a text file may hold:
# tab, newline, form feed and carriage return.
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BAD_CONTROL_BYTE = re.compile(rb"[\x01-\x08\x0b\x0e-\x1f\x7f]")  # NUL is reported on its own
_ASCII_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# Characters cp1252 produces from the Norwegian letters of other code pages (cp865/cp850 give
# † › ‘ for å ø æ, Mac Roman gives Œ ¿ ¾ ®). In real Norwegian text they are rare.
_ODD_IN_CP1252 = re.compile(r"[†‡‰Œœ‹›‘¿¾¼½®¯ƒˆ˜ŠšŽžŸ¤¦¨¸¹²³µ¶¬±ÐðÞþ÷×ÌÍÎÏÑÒÓÔÕ\x80-\x9f]")


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a transcript file of at most ``limit`` bytes (default: the limit for a plain-text
    transcript), checked before and while reading, turning every OS-level failure into a
    :class:`UserError`."""
    return read_file(Path(path), limits.TEXT_FILE_MAX_BYTES if limit is None else limit, "transcript")


def zip_members(data: bytes, path: str | Path, wanted: Iterable[str] = (),
                xml: Callable[[Archive], set[str]] | None = None) -> tuple[set[str], dict[str, bytes]] | None:
    """The member names of a ZIP-based document and the bytes of those ``wanted`` that exist,
    or None if the archive cannot be read.

    Every member is read in full within the limits of :mod:`qualcode.core.limits` (a zip bomb or a
    member whose header understates its size is a :class:`UserError` naming the limit), and the
    members ``xml(archive)`` names are checked as XML while they stream past (no DOCTYPE, bounded
    nesting), so that whatever parses the file afterwards only ever sees checked bytes.

    A damaged archive fails in many ways (BadZipFile, zlib.error, EOFError, NotImplementedError
    for an unknown compression, RuntimeError for an encrypted member, ...); every one of them is
    the file's fault, so the callers turn None into one clear message.
    """
    try:
        with Archive(data, path) as archive:
            names = set(archive.names)
            xml_names = xml(archive) if xml is not None else {n for n in names if _looks_xml(n)}
            return names, archive.check_all(xml_names, wanted=tuple(n for n in wanted if n in names))
    except Damaged:
        return None


def _looks_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def decode_bytes(data: bytes, path: str | Path, forced: str | None = None) -> tuple[str, str, list[str]]:
    """Decode a text transcript: ``(normalised text, encoding name, warnings)``.

    ``forced`` (the user's ``--encoding``) is applied strictly. Otherwise a BOM decides, then
    UTF-8, then cp1252, then charset_normalizer's best guess; every guess is reported.
    """
    if not data:
        raise UserError("file is empty", path=path)
    if forced is not None:
        warnings: list[str] = []
        text, encoding = _decode_forced(data, path, forced), forced
    else:
        text, encoding, warnings = _detect(data, path)
    if "\x00" in text:
        raise UserError("binary content, not a text transcript (NUL character)",
                        path=path, line=text.count("\n", 0, text.index("\x00")) + 1)
    text = normalize_text(text)
    if not text.strip():
        raise UserError("file is empty", path=path)
    stray = _count_controls(text)
    if stray:
        found = _BAD_CONTROL.search(text)
        first = found.start() if found is not None else 0
        warnings.append(f"{stray} control character(s) in the text, the first on line "
                        f"{text.count(chr(10), 0, first) + 1}")
    return text, encoding, warnings


def _decode_forced(data: bytes, path: str | Path, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UserError(f"unknown encoding '{encoding}'", path=path) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of_prefix(data[: exc.start].decode(encoding, errors="replace"))
        raise UserError(f"cannot decode as {encoding}: byte 0x{data[exc.start]:02x} is not valid "
                        f"in that encoding", path=path, line=line) from None


def _detect(data: bytes, path: str | Path) -> tuple[str, str, list[str]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError as exc:
                line = _line_of_prefix(data[: exc.start].decode(encoding, errors="replace"))
                raise UserError(f"the file starts with a {encoding.upper()} byte-order mark but is "
                                f"not valid {encoding.upper()}", path=path, line=line) from None
    _refuse_binary(data, path)
    if b"\x00" in data:
        guessed = _bomless_utf16(data)
        if guessed is not None:
            return guessed
        raise UserError("binary content, not a text transcript (NUL byte)",
                        path=path, line=_line_in_bytes(data, data.index(b"\x00")))
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    _refuse_mixed(data, path)
    return _guess_legacy(data, path)


def _refuse_binary(data: bytes, path: str | Path) -> None:
    """Stop early on files that are not text at all, naming what they look like."""
    if data.startswith(b"PK\x03\x04"):
        head = data[:4096]
        if b"word/" in head or b"[Content_Types].xml" in head:
            what = "a Word file; rename it to .docx"
        elif b"opendocument.text" in head:
            what = "an OpenDocument text; rename it to .odt"
        else:
            what = "a ZIP archive"
        raise UserError(f"binary content, not a text transcript: it looks like {what}", path=path)
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            raise UserError(message, path=path)
    sample = data[:65536]
    controls = [m.start() for m in _BAD_CONTROL_BYTE.finditer(sample)]
    if len(controls) >= 4 and len(controls) > len(sample) * 0.02:
        raise UserError("binary content, not a text transcript (control bytes)",
                        path=path, line=_line_in_bytes(data, controls[0]))


def _bomless_utf16(data: bytes) -> tuple[str, str, list[str]] | None:
    """UTF-16 without a BOM: Latin text has a NUL in every other byte, on one side only."""
    if len(data) % 2:
        return None
    halves = len(data) // 2
    for encoding, nul_side in (("utf-16-le", 1), ("utf-16-be", 0)):
        nuls = data[nul_side::2].count(0)
        if nuls >= 0.7 * halves and data[1 - nul_side::2].count(0) == 0:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _count_controls(text):
                return text, encoding, [f"decoded as {encoding} (no byte-order mark); "
                                        "check æ, ø and å in the result"]
    return None


def _refuse_mixed(data: bytes, path: str | Path) -> None:
    """A file edited in two programs can hold UTF-8 lines and cp1252 lines; no single
    decoding is right for it, so the user must fix it rather than get half the æøå wrong."""
    utf8_line = bad_line = None
    bad_bytes = b""
    for number, raw in enumerate(data.splitlines(), start=1):
        if raw.isascii():
            continue
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            if bad_line is None:
                bad_line, bad_bytes = number, raw
        else:
            if utf8_line is None and any(
                    ord(ch) > 127 and unicodedata.category(ch)[0] in "LP" for ch in decoded):
                utf8_line = number
        if utf8_line is not None and bad_line is not None:
            break
    if utf8_line is None or bad_line is None:
        return
    try:
        bad_bytes.decode("cp1252")
        looks = " (looks like cp1252)"
    except UnicodeDecodeError:
        looks = ""
    raise UserError(f"mixed encodings: line {utf8_line} is UTF-8 but line {bad_line} is not"
                    f"{looks}; save the file as UTF-8 or pass --encoding", path=path, line=bad_line)


def _guess_legacy(data: bytes, path: str | Path) -> tuple[str, str, list[str]]:
    """Not UTF-8: most likely cp1252 from a Norwegian Windows machine, else ask charset_normalizer.

    A guess is only accepted if it adds no control characters to the ones already in the bytes:
    a decoding that invents them is decoding the wrong alphabet. (cp1252 never does: it keeps
    ASCII as it is and refuses the five bytes it has no character for.)
    """
    raw_controls = len(data) - len(data.translate(None, _ASCII_CONTROL_BYTES))
    cp1252 = None
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    if cp1252 is not None and _oddness(cp1252) <= 0.1:
        return cp1252, "cp1252", [_guess_warning("cp1252")]

    from charset_normalizer import from_bytes  # only needed for the rare odd file

    # charset_normalizer ranks its guesses by general plausibility; among them, prefer the one
    # that reads most like Norwegian (cp1250 decodes cp865 bytes into the same odd symbols as
    # cp1252 and is often ranked first).
    guesses = [(str(match), match.encoding) for match in from_bytes(data)]
    guesses = [(text, name) for text, name in guesses if _count_controls(text) <= raw_controls]
    if guesses:
        guess, name = min(guesses, key=lambda item: _oddness(item[0]))
        if cp1252 is None or _oddness(guess) < _oddness(cp1252):
            return guess, name, [_guess_warning(name)]
    if cp1252 is not None:
        return cp1252, "cp1252", [_guess_warning("cp1252")]
    raise UserError("cannot tell which encoding this file uses; save it as UTF-8 or pass --encoding",
                    path=path)


def _guess_warning(encoding: str) -> str:
    return f"decoded as {encoding} (not UTF-8); check æ, ø and å in the result"


def _oddness(text: str) -> float:
    """Share of the non-ASCII characters that are unlikely in Norwegian text."""
    non_ascii = len(_NON_ASCII.findall(text))
    return len(_ODD_IN_CP1252.findall(text)) / non_ascii if non_ascii else 0.0


def _count_controls(text: str) -> int:
    return len(_BAD_CONTROL.findall(text))


def _line_of_prefix(prefix: str) -> int:
    """1-based line number at the end of ``prefix``, counting line breaks as normalize_text does."""
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


def _line_in_bytes(data: bytes, pos: int) -> int:
    prefix = data[:pos]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1

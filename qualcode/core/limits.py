"""How much qualcode reads from one input file: every limit in one place.

A transcript, a codebook or a REFI-QDA project is read whole into memory, so a file that
unpacks or expands to gigabytes (a zip bomb, an XML entity bomb, a YAML alias bomb, a damaged
size field) would exhaust memory or run for minutes before anything could be said about it.
Each limit below is checked *while* reading, never trusting what a file says about itself (ZIP
headers can lie): a size a ZIP header declares over a limit is refused before anything is
unpacked (a .qdpx checks every text it refers to so, together, before reading any), and one
that understates is caught while unpacking. Each is far above what real research data needs
and far below what exhausts a laptop's memory. A file over a limit is refused with one line
naming the file and the limit; nothing is stored.

The figures behind the choices: a 100-minute focus group is about 15,000 words, 100 KB of text
and 1-2 MB of Word XML; a 500,000-word transcript (the longest anyone is likely to import) is
about 3 MB of text and 5-10 MB of Word XML; a REFI-QDA project of a whole study with its
sources is tens, at most a few hundred, megabytes; the study's codebook is 15 KB of YAML with
three levels of codes.
"""

from __future__ import annotations

MB = 1024 * 1024

# --- files read whole --------------------------------------------------------------------------

#: A plain-text transcript (.txt, .vtt, .srt): about five million words.
TEXT_FILE_MAX_BYTES = 32 * MB
#: A Word or OpenDocument transcript file as it is on disk (pictures included).
DOCUMENT_FILE_MAX_BYTES = 128 * MB
#: A YAML file a person wrote (codebook, manifest, coding list) and a .qdc codebook.
YAML_FILE_MAX_BYTES = 8 * MB
QDC_FILE_MAX_BYTES = 64 * MB

# --- ZIP archives (.docx, .odt, .qdpx) ---------------------------------------------------------

#: Members in one archive (a .docx has a few dozen; a .qdpx one per source).
ARCHIVE_MAX_MEMBERS = 10_000
#: Bytes unpacked from one archive, all members together.
ARCHIVE_MAX_TOTAL_BYTES = 512 * MB
#: Bytes unpacked from one member. An XML part (word/document.xml, content.xml, project.qde) is
#: parsed into a tree: 64 MB of Word XML (six times the largest real transcript) takes about
#: 1.2 GB and 20 s to import, a 64 MB project.qde (some 150,000 codings) 0.6 GB and 7 s.
ARCHIVE_MAX_PART_BYTES = 64 * MB
#: A REFI-QDA text source, which becomes a transcript: as much as a plain-text file.
ARCHIVE_MAX_SOURCE_BYTES = TEXT_FILE_MAX_BYTES
#: A member that unpacks to more than this many times its compressed size is a zip bomb (real
#: XML and text compress 5-20 times) once it is past ARCHIVE_RATIO_FROM_BYTES.
ARCHIVE_MAX_RATIO = 200
ARCHIVE_RATIO_FROM_BYTES = 8 * MB

# --- XML ---------------------------------------------------------------------------------------

#: Element nesting (Word's body > table > row > cell > paragraph > run > text is 8 deep; a
#: REFI-QDA code tree of 50 levels is about 55).
XML_MAX_DEPTH = 256
# A DOCTYPE (and with it every entity declaration and external DTD) is refused outright in the
# XML of .docx, .odt, .qdpx and .qdc files: none of these formats uses one.

# --- YAML --------------------------------------------------------------------------------------

#: Aliases (``*name``) in one YAML file; hand-written codebooks and manifests rarely use any.
YAML_MAX_ALIASES = 1000
#: Characters the document would hold with every alias written out in full.
YAML_MAX_EXPANDED_CHARS = 32 * MB
#: Nesting of lists and mappings (a code level in a nested codebook takes two).
YAML_MAX_DEPTH = 128

# --- codebooks ---------------------------------------------------------------------------------

#: Levels of codes under one theme (the study uses three).
CODEBOOK_MAX_DEPTH = 50


def size_text(n: int) -> str:
    """``128 MB``, ``300 KB``, ``12 bytes``: a limit or a size as the messages show it."""
    if n >= MB:
        return f"{n / MB:.0f} MB" if n % MB == 0 or n >= 10 * MB else f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def read_limited(path, limit: int, what: str) -> bytes:
    """A whole file of at most ``limit`` bytes, else a :class:`UserError` naming the limit.

    The size on disk is checked first, for a quick answer; the read itself stops at the limit
    too, for files whose size the file system does not tell (a pipe, a device, a file that is
    growing). OS errors (no such file, permission denied) are left to the caller to word.
    """
    import os
    import stat

    from .errors import UserError

    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            raise UserError(f"file is too large for a {what} ({size_text(st.st_size)}); the limit is "
                            f"{size_text(limit)}", path=path)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise UserError(f"file is too large for a {what}; the limit is {size_text(limit)}", path=path)
    return data

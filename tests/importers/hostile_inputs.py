"""Hostile input files, built in code: zip bombs, lying ZIP headers, entity bombs, deep nesting.

Used by ``test_limits.py`` and ``tests/exports/test_full_disk.py``; each builder streams what it writes, so a bomb of hundreds of
megabytes is made without holding it in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOC_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
DOC_TAIL = "</w:body></w:document>"
PARAGRAPH = "<w:p><w:r><w:t>P1: Ja, det var fint å høre at det går an.</w:t></w:r></w:p>"


def _docx_template() -> dict[str, bytes]:
    """The members of python-docx's empty document."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, members: Iterable[tuple[str, Iterable[bytes]]], *, level: int = 9) -> Path:
    """A ZIP whose members are written chunk by chunk (deflated at ``level``)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, chunks in members:
            with archive.open(name, "w") as fh:
                for chunk in chunks:
                    fh.write(chunk)
    return path


def repeated(head: str, unit: str, size: int, tail: str = "") -> Iterator[bytes]:
    """``head``, then ``unit`` repeated to about ``size`` bytes, then ``tail``, in 1 MiB chunks."""
    yield head.encode()
    block = (unit * max(1, (1 << 20) // len(unit.encode()))).encode()
    written = 0
    while written < size:
        yield block
        written += len(block)
    yield tail.encode()


def docx(path: Path, document: Iterable[bytes]) -> Path:
    """A .docx (python-docx's template) with ``document`` as word/document.xml."""
    members = [(name, [data]) for name, data in _docx_template().items() if name != "word/document.xml"]
    members.append(("word/document.xml", document))
    return write_zip(path, members)


def docx_bomb(path: Path, size: int) -> Path:
    """A docx whose document.xml is ``size`` bytes of one repeated paragraph (compresses ~1000:1)."""
    return docx(path, repeated(DOC_HEAD, PARAGRAPH, size, DOC_TAIL))


def billion_laughs(root: str = "lolz", levels: int = 10, xmlns: str = "") -> bytes:
    """The classic entity-expansion bomb: 10 ** ``levels`` ``lol``s from a few hundred bytes."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(entities) + "\n]>\n"
            f'<{root}{xmlns}>&lol{levels - 1};</{root}>').encode()


def docx_billion_laughs(path: Path) -> Path:
    data = billion_laughs("w:document", xmlns=f' xmlns:w="{W_NS}"').replace(
        b"&lol9;</w:document>", b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")
    return docx(path, [data])


def nested_xml(head: str, open_tag: str, close_tag: str, depth: int, tail: str) -> bytes:
    return (head + open_tag * depth + close_tag * depth + tail).encode()


QDE_NS = "urn:QDA-XML:project:1.0"


def qde(source_path: str = "internal://big.txt", extra: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{QDE_NS}" name="bomb" origin="test">'
            '<Users><User guid="00000000-0000-0000-0000-000000000001" name="AB" id="AB"/></Users>'
            '<Sources><TextSource guid="00000000-0000-0000-0000-000000000002" name="big" '
            f'plainTextPath="{source_path}"/></Sources>{extra}</Project>')


def qdpx_big_source(path: Path, size: int) -> Path:
    """A .qdpx whose one text source unpacks to ``size`` bytes."""
    return write_zip(path, [("project.qde", [qde().encode()]),
                            ("sources/big.txt", repeated("", "P1: Ja, det var fint.\n", size))])


def qdpx_billion_laughs(path: Path) -> Path:
    data = billion_laughs("Project", xmlns=f' xmlns="{QDE_NS}" name="x"')
    return write_zip(path, [("project.qde", [data])])


def lie_about_size(path: Path, member: str, declared: int) -> Path:
    """Rewrite the uncompressed size ``member`` declares, in its local header and the central
    directory, to ``declared`` (the data and its CRC stay as they are)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    assert info.file_size < 0xFFFFFFFF and info.compress_size < 0xFFFFFFFF, "not for ZIP64 members"
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, declared)
    name = member.encode()
    position = 0
    while True:  # this member's entry in the central directory
        position = data.find(b"PK\x01\x02", position)
        assert position >= 0
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + name_length]) == name:
            struct.pack_into("<I", data, position + 24, declared)
            break
        position += 4
    path.write_bytes(bytes(data))
    return path


def yaml_alias_bomb(long: int = 1 << 20, copies: int = 500) -> str:
    """A codebook whose codes all alias one long definition: small file, huge project."""
    lines = ["codebook: Bombe", "codes:", "  - id: c0", "    name: Kode 0",
             f"    definition: &long \"{'x' * long}\""]
    for i in range(1, copies):
        lines += [f"  - id: c{i}", f"    name: Kode {i}", "    definition: *long"]
    return "\n".join(lines) + "\n"


def yaml_laughs(levels: int = 9) -> str:
    """Nested lists of aliases: each level ten times the one before."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append(f"codes: [{{id: x, name: *a{levels - 1}}}]")
    return "\n".join(lines) + "\n"


def nested_codebook(depth: int) -> str:
    """A codebook with ``depth`` levels of children."""
    lines = ["codebook: Dyp", "codes:"]
    indent = "  "
    for i in range(depth):
        lines += [f"{indent}- id: k{i}", f"{indent}  name: Nivå {i}"]
        if i < depth - 1:
            lines.append(f"{indent}  children:")
            indent += "    "
    return "\n".join(lines) + "\n"


def flat_chain_codebook(depth: int) -> str:
    """A chain of ``depth`` codes made with ``parent:`` in a flat list."""
    lines = ["codebook: Kjede", "codes:", "  - id: k0", "    name: Nivå 0"]
    for i in range(1, depth):
        lines += [f"  - id: k{i}", f"    name: Nivå {i}", f"    parent: k{i - 1}"]
    return "\n".join(lines) + "\n"


def html_nested(depth: int) -> str:
    """An HTML page whose one paragraph is ``depth`` elements deep."""
    return ("<html><body>" + "<div>" * depth + "<p>P1: Ja, det var fint.</p>" + "</div>" * depth
            + "</body></html>")


def html_tags(size: int) -> Iterator[bytes]:
    """An HTML page of about ``size`` bytes of short spans, a million tags in 7 MB."""
    return repeated("<html><body><p>P1: ", "<span>ja </span>", size, "</p></body></html>")


def html_entity_bomb() -> str:
    """Billion laughs in an HTML DOCTYPE: an HTML parser must not expand it."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return ("<!DOCTYPE html [\n" + "\n".join(entities) + "\n]>\n"
            "<html><body><p>P1: &lol9;</p></body></html>")


def json_of_empty_objects(size: int) -> Iterator[bytes]:
    """``{"segments": [{}, {}, ...]}`` of about ``size`` bytes: the most objects per byte."""
    return repeated('{"segments": [{}', ",{}", size, "]}")

"""Shared helpers for the importer tests: files are generated in ``tmp_path`` from code.

All dialogue is invented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from qualcode.core.parsed import ParsedTranscript
from qualcode.core.text import normalize_text


def turn_texts(parsed: ParsedTranscript) -> list[tuple[str | None, str]]:
    """``(speaker, spoken text)`` per turn, after checking the invariants every importer keeps."""
    text = parsed.text
    assert normalize_text(text) == text, "stored text must be normalised"
    previous_end = 0
    result = []
    for turn in parsed.turns:
        assert previous_end <= turn.start < turn.end <= len(text), turn
        spoken = text[turn.start:turn.end]
        assert spoken == spoken.strip(), f"span has surrounding white space: {spoken!r}"
        previous_end = turn.end
        result.append((turn.speaker, spoken))
    return result


@pytest.fixture
def spoken() -> Callable[[ParsedTranscript], list[tuple[str | None, str]]]:
    return turn_texts


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes | str], Path]:
    """Write bytes (or UTF-8 text) to ``tmp_path/name``."""

    def _write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return _write


# A paragraph for make_docx: a plain string, or runs as (text, bold) pairs.
Paragraph = str | Sequence[tuple[str, bool]]


@pytest.fixture
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    """Build a .docx with python-docx: paragraphs, then optionally a table and more paragraphs."""

    def _make(paragraphs: Sequence[Paragraph], table: Sequence[Sequence[str]] | None = None,
              after: Sequence[Paragraph] = (), name: str = "intervju.docx") -> Path:
        import docx

        document = docx.Document()

        def add(paragraph: Paragraph) -> None:
            if isinstance(paragraph, str):
                document.add_paragraph(paragraph)
                return
            p = document.add_paragraph()
            for text, bold in paragraph:
                p.add_run(text).bold = bold or None

        for paragraph in paragraphs:
            add(paragraph)
        if table:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    grid.cell(r, c).text = value
        for paragraph in after:
            add(paragraph)
        path = tmp_path / name
        document.save(path)
        return path

    return _make


@pytest.fixture
def make_odt(tmp_path: Path) -> Callable[..., Path]:
    """Build a .odt with odfpy from a callback that fills ``document.text``."""

    def _make(fill: Callable[[object], None], name: str = "intervju.odt") -> Path:
        from odf.opendocument import OpenDocumentText

        document = OpenDocumentText()
        fill(document.text)
        path = tmp_path / name
        document.save(str(path))
        return path

    return _make

#!/usr/bin/env python3
"""Regenerate transcripts_example/fg1.docx from fg1_source.txt.

Usage (from the repository root):

    .venv/bin/python transcripts_example/make_fg1_docx.py [SOURCE] [OUTPUT]

Source format (plain UTF-8 text):

* The first line starting with "# " is the document title; later "#" lines are comments.
* "Label: text" starts a new speaker turn (Label is one of LABELS below).
* Any other non-empty line is a continuation paragraph of the previous turn
  (written to the docx without a label, as a transcriber in Word would do).

Each turn becomes one paragraph: the label as a bold run ("P1:") followed by a
plain run with the text. The output is deterministic: core properties are fixed
and the zip entries get a fixed timestamp, so re-running gives identical bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
LABELS = ("Intervjuer", "P1", "P2", "P3", "Ansatt 1", "Ansatt 2")
LABEL_RE = re.compile(r"^(" + "|".join(re.escape(label) for label in LABELS) + r"):\s*(.*)$")
FIXED_TIME = dt.datetime(2024, 3, 7, 12, 0, 0)
ZIP_TIME = (2024, 3, 7, 12, 0, 0)


def parse_source(text: str) -> tuple[str, list[tuple[str | None, str]]]:
    """Return (title, paragraphs); each paragraph is (label or None, text)."""
    title = ""
    paragraphs: list[tuple[str | None, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not title and line.startswith("# "):
                title = line[2:].strip()
            continue
        match = LABEL_RE.match(line)
        if match:
            paragraphs.append((match.group(1), match.group(2)))
        else:
            if not paragraphs:
                raise ValueError(f"continuation line before any turn: {line!r}")
            paragraphs.append((None, line))
    if not title:
        raise ValueError("source has no '# title' line")
    return title, paragraphs


def build(title: str, paragraphs: list[tuple[str | None, str]]) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    doc.add_paragraph(title, style="Title")
    for label, text in paragraphs:
        para = doc.add_paragraph()
        if label is not None:
            run = para.add_run(f"{label}:")
            run.bold = True
            para.add_run(f" {text}")
        else:
            para.add_run(text)

    props = doc.core_properties
    props.author = "qualcode"
    props.last_modified_by = "qualcode"
    props.title = title
    props.subject = "Et bedre liv – oppdiktet eksempeltranskripsjon"
    props.keywords = "fokusgruppe; fagdag; eksempel"
    props.comments = "Oppdiktet dialog. Generert av make_fg1_docx.py fra fg1_source.txt."
    props.language = "nb-NO"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1

    raw = io.BytesIO()
    doc.save(raw)
    return normalise_zip(raw.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed entry timestamps and a stable entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        # [Content_Types].xml first, as Word does; keep python-docx's order otherwise.
        names.sort(key=lambda n: n != "[Content_Types].xml")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else HERE / "fg1_source.txt"
    output = Path(argv[2]) if len(argv) > 2 else HERE / "fg1.docx"
    title, paragraphs = parse_source(source.read_text(encoding="utf-8"))
    output.write_bytes(build(title, paragraphs))
    turns = sum(1 for label, _ in paragraphs if label is not None)
    words = sum(len(text.split()) + (len(label.split()) if label else 0) for label, text in paragraphs)
    print(f"wrote {output} ({turns} turns, {len(paragraphs)} paragraphs, ~{words} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

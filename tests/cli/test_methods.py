"""``qualcode methods``: every number in the methods paragraph is the project's, checked here
against counts made independently (SQL on the project file, and the ``agreement`` command)."""

from __future__ import annotations

import json
import sqlite3
import zipfile

import pytest

from qualcode.cli import main
from qualcode.core.models import MODERATOR_ROLES
from qualcode.store import Project
from tests.exports.conftest import example  # noqa: F401  (fixture)


@pytest.fixture
def study(example):  # noqa: F811
    """The example project with memos, a unit from a suggestion, one passed over, and a decision."""
    with Project.open(example, backup=False) as p:
        p.add_memo("Vi starter med kodeboka.", author="AB")
        p.add_memo("Rolig gruppe.", target_type="transcript", target_id="T1", author="CD")
        start, end = p.find_quote("T1", "kjente meg igjen")[0]
        p.add_coding("T1", start, end + 1, "hap", "AB", origin="suggestion")
        p.record_suggestions("T1", start, end, "AB", [("rec", 1, 0.4, "rejected"), ("hap", 2, 0.3, "accepted")])
        p.conn.execute("BEGIN IMMEDIATE")
        p.conn.execute(
            "INSERT INTO reconciliation (transcript_id, start, end, coders, action, accepted_from, source_ids,"
            " result_ids, decided_by, decided_at) VALUES ('T1', ?, ?, 'AB,CD', 'accept', 'AB', '[]', '[]', 'AB',"
            " '2026-01-01T00:00:00')", (start, end))
        p.conn.execute("COMMIT")
    return example


def facts_by_sql(path) -> dict:
    conn = sqlite3.connect(path)
    speakers = conn.execute("SELECT role FROM speakers").fetchall()
    participants = [r for (r,) in speakers if (r or "").casefold() not in MODERATOR_ROLES]
    coders = dict(conn.execute("SELECT coder, count(*) FROM codings WHERE coder NOT IN ('auto', 'consensus')"
                               " GROUP BY coder").fetchall())
    out = {
        "transcripts": conn.execute("SELECT count(*) FROM transcripts").fetchone()[0],
        "participants": len(participants),
        "moderators": len(speakers) - len(participants),
        "words": conn.execute("SELECT sum(words) FROM transcripts").fetchone()[0],
        "coders": coders,
        "memos": conn.execute("SELECT count(*) FROM memos").fetchone()[0],
        "hidden": conn.execute("SELECT count(*) FROM deid_terms WHERE hide = 1 AND variant_of IS NULL").fetchone()[0],
        "themes": conn.execute("SELECT count(*) FROM codes WHERE parent_id IS NULL").fetchone()[0],
        "subthemes": conn.execute("SELECT count(*) FROM codes WHERE parent_id IS NOT NULL").fetchone()[0],
        "from_suggestions": conn.execute("SELECT count(*) FROM codings WHERE origin = 'suggestion'").fetchone()[0],
        "rejected": conn.execute("SELECT count(*) FROM suggestion_decisions WHERE decision = 'rejected'").fetchone()[0],
    }
    conn.close()
    return out


def test_every_number_in_the_english_paragraph_is_the_projects(study, capsys):
    expected = facts_by_sql(study)
    assert main(["agreement", str(study), "--coders", "AB,CD", "--json"]) == 0
    overall = json.loads(capsys.readouterr().out)["overall"]
    assert main(["methods", str(study), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    first = text.split("## COREQ")[0]
    assert f"{expected['transcripts']} transcripts" in first
    assert f"with {expected['participants']} participants" in first
    assert f"and {expected['moderators']} moderators" in first
    assert f"{expected['words']:,} words" in first
    assert f"{expected['themes']} themes and {expected['subthemes']} subthemes" in first
    units = sum(expected["coders"].values())
    assert f"coded {units} meaning units (AB {expected['coders']['AB']}, CD {expected['coders']['CD']})" in first
    assert f"kept {expected['memos']} memos" in first
    assert f"{expected['hidden']} names were replaced" in first
    assert f"{expected['from_suggestions']} unit came from accepted code suggestions" in first
    assert f"{expected['rejected']} suggestion was passed over" in first
    assert f"on {overall['units']} units was Krippendorff's α = {overall['alpha']:.2f}" in first
    low, high = overall["alpha_ci"]
    assert f"95 % CI {low:.2f}–{high:.2f}" in first
    assert "A joint reconciliation made 1 decision (1 by accepting one coder's coding)" in first
    # COREQ: 32 items, the ones the project answers filled and pointing to where
    rows = [line for line in text.split("## COREQ")[1].split("## SRQR")[0].splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 32
    assert f"| 12 | Sample size | {expected['participants']} participants" in text
    assert "| 24 | Number of data coders | 2 (AB, CD)" in text
    assert "| 1 | Interviewer/facilitator | *for the authors* |" in text
    srqr = [line for line in text.split("## SRQR")[1].splitlines() if line.startswith("| ")][1:]
    assert len(srqr) == 21


def test_norwegian_and_docx_on_an_a4_page_in_the_documents_language(study, tmp_path, capsys):
    assert main(["methods", str(study), "--lang", "nb"]) == 0
    text = capsys.readouterr().out
    words = facts_by_sql(study)["words"]
    assert f"{words:,}".replace(",", "\u00a0") + " ord" in text and "Metode" in text and "for forfatterne" in text
    out = tmp_path / "metode.docx"
    assert main(["methods", str(study), "--lang", "nb", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as docx:
        document = docx.read("word/document.xml").decode()
        styles = docx.read("word/styles.xml").decode()
    assert 'w:w="11906"' in document and 'w:h="16838"' in document  # A4 in twentieths of a point
    assert 'w:val="nb-NO"' in styles
    assert "Materialet besto av" in document


def test_mistakes_are_one_line(study, tmp_path, capsys):
    assert main(["methods", str(study), "--format", "docx"]) == 1
    assert "needs --out" in capsys.readouterr().err
    assert main(["methods", str(tmp_path / "nope.qualcode")]) == 1


def test_every_file_an_export_or_the_methods_writes_is_in_the_audit_trail_with_its_checksum(study, tmp_path,
                                                                                                capsys):
    import hashlib

    from qualcode.store.audit import entries

    doc = tmp_path / "metode.docx"
    units = tmp_path / "enheter.csv"
    assert main(["methods", str(study), "--lang", "nb", "--out", str(doc)]) == 0
    assert main(["export", str(study), "units", "--format", "csv", "--out", str(units)]) == 0
    capsys.readouterr()
    with Project.open(study, backup=False) as p:
        written = [e for e in entries(p) if e.kind == "export"]
    recorded = {f["path"]: f["sha256"] for e in written for f in e.detail["files"]}
    for path in (doc, units):
        assert recorded[str(path)] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["audit", str(study), "--verify"]) == 0

"""Coder B works in a copy; merging brings B's work in, once, and asks about unknown codes."""

from __future__ import annotations

import json

import pytest

from qualcode.cli import main
from qualcode.core.errors import UserError
from qualcode.core.models import CodeNode
from qualcode.store import Project
from qualcode.store.copying import copy_project
from qualcode.store.merge import merge_project
from tests.conftest import make_parsed


@pytest.fixture
def pair(project, tmp_path):
    """A's project with one unit, and B's copy of it (made before A's unit) with B's own work."""
    turns = project.turns("T1")
    copy = tmp_path / "studie-B.qualcode"
    project.close()
    copy_project(project.path, copy)  # B's copy: of a file or of a server project
    with Project.open(project.path, backup=False) as a:
        a.add_coding("T1", turns[1].start, turns[1].end, "hap-gjen", "AB")
    with Project.open(copy, backup=False) as b:
        b.add_coding("T1", turns[1].start, turns[1].end, "hap-sol", "CD", condensed="Gjenkjennelse")
        b.add_coding("T1", turns[2].start, turns[2].end, "rec", "CD")
        unit = b.add_coding("T1", turns[3].start, turns[3].end, "hap", "CD")
        b.add_memo("Jeg leste dette som håp.", target_type="coding", target_id=str(unit.id), author="CD")
        b.add_memo("Min forforståelse som sykepleier.", author="CD")
    return project.path, copy


def test_merging_brings_codings_and_memos_once(pair):
    a_path, b_path = pair
    with Project.open(a_path, backup=False) as a:
        report = merge_project(a, b_path)
        assert (report.codings_added, report.memos_added, report.coders) == (3, 2, ["CD"])
        assert len(a.codings(coder="CD")) == 3 and len(a.codings(coder="AB")) == 1
        memo_on_unit = a.memos(target_type="coding")[0]
        assert a.coding(int(memo_on_unit.target_id)).coder == "CD"
        again = merge_project(a, b_path)  # merging twice changes nothing
        assert (again.codings_added, again.memos_added) == (0, 0)
        assert (again.codings_already_there, again.memos_already_there) == (3, 2)
        assert len(a.codings()) == 4
        assert a.undo() == f"merge from {b_path.name}"  # the first merge is one undoable action
        assert len(a.codings()) == 1


def test_unknown_codes_need_the_users_word_and_nothing_changes_until_then(pair):
    a_path, b_path = pair
    with Project.open(b_path, backup=False) as b:
        b.add_code(CodeNode(id="hap-fellesskap", name="Fellesskap", parent="hap"))
        b.add_code(CodeNode(id="hv", name="opplevelser av RECOVERY"))  # the same name as A's rec
        t = b.turns("T1")[0]
        b.add_coding("T1", t.start, t.end, "hap-fellesskap", "CD")
        b.add_coding("T1", t.start, t.start + 3, "hv", "CD")
    with Project.open(a_path, backup=False) as a:
        with pytest.raises(UserError, match=r"1 code\(s\).*hap-fellesskap \(Fellesskap\).*--map"):
            merge_project(a, b_path)
        assert len(a.codings()) == 1  # nothing came in
        report = merge_project(a, b_path, mapping={"hap-fellesskap": "hap-gjen"})
        assert ("hv", "rec") in report.codes_by_name
        assert {c.code for c in a.codings(coder="CD")} >= {"hap-gjen", "rec"}
    with Project.open(a_path, backup=False) as a:
        a.undo()
        report = merge_project(a, b_path, add_new_codes=True)
        assert report.codes_added == ["hap-fellesskap"]
        assert a.code("hap-fellesskap").parent == "hap"


def test_a_transcript_only_b_has_is_added_and_matched_next_time(pair):
    a_path, b_path = pair
    with Project.open(b_path, backup=False) as b:
        b.import_transcript(make_parsed([("P9", "Noe bare B har importert.")]), title="FG9", group="FG9")
        b.add_coding("T2", 4, 8, "rec", "CD")
    with Project.open(a_path, backup=False) as a:
        first = merge_project(a, b_path)
        assert first.transcripts_added == [("T2", "T2")]
        assert a.text("T2").endswith("Noe bare B har importert.\n")
        assert [c.transcript for c in a.codings(coder="CD") if c.code == "rec" and c.start == 4] == ["T2"]
        assert merge_project(a, b_path).transcripts_added == []


def test_merge_cli_dry_run_json_and_errors(pair, capsys):
    a_path, b_path = pair
    assert main(["merge", str(a_path), str(b_path), "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["codings_added"] == 3
    with Project.open(a_path, backup=False) as a:
        assert len(a.codings()) == 1  # a dry run changes nothing
    assert main(["merge", str(a_path), str(b_path)]) == 0
    assert "brought in 3 meaning unit(s) by CD" in capsys.readouterr().out
    assert main(["merge", str(a_path), str(a_path)]) == 1
    assert "into itself" in capsys.readouterr().err
    assert main(["merge", str(a_path), str(b_path), "--map", "x=nope"]) == 1
    assert "has no code 'nope'" in capsys.readouterr().err

"""From two coders' independent codings to a reconciled consensus, with provenance."""

from __future__ import annotations

import json

import pytest

from qualcode.cli import main
from qualcode.core.errors import UserError
from qualcode.store import reconcile


@pytest.fixture
def two_coders(project):
    t = project.turns("T1")
    project.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "AB")      # agreed
    project.add_coding("T1", t[1].start, t[1].end, "hap-gjen", "CD")
    project.add_coding("T1", t[2].start, t[2].end, "hap-sol", "AB")       # different codes
    project.add_coding("T1", t[2].start, t[2].start + 28, "rec", "CD")
    project.add_coding("T1", t[3].start, t[3].end, "hap", "CD")           # only CD
    return project


def test_disagreements_decisions_and_consensus_with_provenance(two_coders):
    p = two_coders
    coders = ["AB", "CD"]
    all_items = reconcile.items(p, coders)
    assert [it.unit.agreed for it in all_items] == [True, False, False]
    assert reconcile.progress(all_items) == (0, 2)

    assert reconcile.accept_agreed(p, coders, decided_by="AB") == 1
    second, third = reconcile.items(p, coders, disagreements_only=True)
    reconcile.decide(p, second, "accept", accept="CD", decided_by="AB", coders=coders, note="Enige etter samtale")
    reconcile.decide(p, third, "drop", decided_by="AB", coders=coders)
    consensus = p.codings(coder="consensus")
    assert [(c.code, c.end - c.start) for c in consensus] == [("hap-gjen", len(p.turns("T1")[1].text)), ("rec", 28)]
    again = reconcile.items(p, coders)
    assert reconcile.progress(again) == (2, 2)
    decision = again[1].decision
    assert (decision["action"], decision["accepted_from"], decision["note"], decision["decided_by"]) == (
        "accept", "CD", "Enige etter samtale", "AB")
    assert set(json.loads(decision["source_ids"])) == {c.id for cs in again[1].unit.by_coder.values() for c in cs}
    assert json.loads(decision["result_ids"]) == [consensus[1].id]


def test_deciding_again_replaces_and_undo_takes_a_decision_back(two_coders):
    p, coders = two_coders, ["AB", "CD"]
    item = reconcile.items(p, coders, disagreements_only=True)[0]
    reconcile.decide(p, item, "both", decided_by="AB", coders=coders)
    assert sorted(c.code for c in p.codings(coder="consensus")) == ["hap-sol", "rec"]
    item = reconcile.items(p, coders, disagreements_only=True)[0]
    t = p.turns("T1")[2]
    reconcile.decide(p, item, "adjust", span=(t.start, t.start + 10), codes=["hap-sol"], decided_by="AB", coders=coders)
    assert [(c.code, c.start, c.end) for c in p.codings(coder="consensus")] == [("hap-sol", t.start, t.start + 10)]
    assert p.undo("AB").endswith(": adjust")
    assert sorted(c.code for c in p.codings(coder="consensus")) == ["hap-sol", "rec"]
    assert reconcile.items(p, coders, disagreements_only=True)[0].decision["action"] == "both"


def test_reconciling_needs_two_known_coders(two_coders):
    with pytest.raises(UserError, match="two different coders"):
        reconcile.items(two_coders, ["AB"])
    with pytest.raises(UserError, match="no codings by 'XY'"):
        reconcile.items(two_coders, ["AB", "XY"])


def test_reconcile_from_the_cli(two_coders, capsys):
    path = str(two_coders.path)
    two_coders.close()
    assert main(["reconcile", path, "--coders", "AB,CD", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert (listing["decided"], listing["disagreements"]) == (0, 2)
    first = listing["units"][0]
    assert first["coders"]["AB"][0]["code"] == "hap-sol" and first["coders"]["CD"][0]["code"] == "rec"
    assert main(["reconcile", path, "--coders", "AB,CD", "--accept-agreed", "--by", "AB"]) == 0
    assert capsys.readouterr().out == "1 unit(s) the coders agree on went into the consensus\n"
    assert main(["reconcile", path, "--coders", "AB,CD", "--unit", str(first["unit"]), "--accept", "AB",
                 "--note", "AB sin lesning", "--by", "AB"]) == 0
    capsys.readouterr()
    assert main(["reconcile", path, "--coders", "AB,CD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 of 2 disagreements between AB and CD decided")
    assert "[accept AB]" in out and "[open]" in out  # whose coding was accepted
    assert main(["reconcile", path, "--coders", "AB,CD", "--unit", "99", "--drop", "--by", "AB"]) == 1
    assert "no unit 99" in capsys.readouterr().err
    assert main(["units", path, "--coder", "consensus", "--json"]) == 0
    assert [u["code"] for u in json.loads(capsys.readouterr().out)] == ["hap-gjen", "hap-sol"]

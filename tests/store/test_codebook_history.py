"""Codebook history: a version of the whole codebook at every change, compared here against the
operations performed (the expected codebook kept by hand beside the project, the unit counts
from the codings the test made)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from qualcode.core.codebook import parse_codebook
from qualcode.core.errors import UserError
from qualcode.core.models import CodeNode
from qualcode.store import Project, schema
from qualcode.store.codebook_history import FIRST_LABEL, codebook_to_markdown

from ..conftest import CODEBOOK_YAML, make_parsed

FIELDS = ("name", "parent", "definition", "inclusion", "exclusion", "examples", "keywords", "colour", "codable")


def node(name: str, parent: str | None = None, **fields) -> dict:
    return {"name": name, "parent": parent, "definition": "", "inclusion": "", "exclusion": "", "examples": [],
            "keywords": [], "colour": None, "codable": True} | fields


# CODEBOOK_YAML (tests/conftest.py), written out by hand.
START = {
    "hap": node("Opplevelser av håp", colour="#E69F00", keywords=["håp", "kjenne seg igjen"]),
    "hap-sol": node("Solskinnshistorier", "hap"),
    "hap-gjen": node("Gjenkjennelse", "hap"),
    "rec": node("Opplevelser av recovery"),
}


def codes_of(version) -> dict:
    return {c.id: {f: getattr(c, f) for f in FIELDS} for c in version.book().codes}


def latest(project: Project):
    return project.codebook_versions()[-1]


def spans(project: Project, code: str, n: int, coder: str = "AB", first: int = 0) -> list[int]:
    return [project.add_coding("T1", first + 5 * i, first + 5 * i + 4, code, coder).id for i in range(n)]


def test_a_project_made_with_a_codebook_starts_its_history_with_it(project):
    [first] = project.codebook_versions()
    assert first.id == 1 and first.who is None
    assert first.label == "create project with codebook Testbok"
    assert codes_of(first) == START
    assert first.book().name == "Testbok"
    assert [c.id for c in first.book().codes] == ["hap", "hap-sol", "hap-gjen", "rec"]  # tree order
    assert first.moved == {}
    assert abs(first.at - datetime.now(UTC)) < timedelta(minutes=5)


def test_every_change_to_the_codebook_is_a_version_with_who_what_and_the_units_it_moved(project):
    expected = copy.deepcopy(START)
    count = 1

    def check(label: str, who: str | None, moved: dict | None = None) -> None:
        nonlocal count
        count += 1
        versions = project.codebook_versions()
        assert len(versions) == count, [v.label for v in versions]
        v = versions[-1]
        assert (v.label, v.who, v.moved) == (label, who, moved or {})
        assert codes_of(v) == expected
        assert codes_of(v) == {c.id: {f: getattr(c, f) for f in FIELDS} for c in project.codebook().codes}

    sol = spans(project, "hap-sol", 3)                      # units 1-3 (AB)
    sol += spans(project, "hap-sol", 1, coder="CD")          # unit 4 (CD), same span as unit 1
    gjen = spans(project, "hap-gjen", 2, first=40)           # units 5-6
    assert project.codebook_versions()[-1].id == 1           # coding is not a codebook change

    project.add_code(CodeNode(id="hap-ans", name="Ansattes historier", parent="hap"), coder="AB")
    expected["hap-ans"] = node("Ansattes historier", "hap")
    check("add code hap-ans", "AB")

    project.rename_code("rec", "Recovery", coder="CD")
    expected["rec"]["name"] = "Recovery"
    check("rename code rec (Opplevelser av recovery → Recovery)", "CD")

    project.update_code("hap", definition="Når noe gir håp.", inclusion="Håp uttrykt av deltakerne",
                        keywords=["håp"], examples=["Det ga meg håp"], coder="AB")
    expected["hap"] |= {"definition": "Når noe gir håp.", "inclusion": "Håp uttrykt av deltakerne",
                        "keywords": ["håp"], "examples": ["Det ga meg håp"]}
    check("edit code hap (definition, inclusion, examples, keywords)", "AB")

    project.update_code("hap-gjen", colour="#123456", codable=False, coder="AB")
    expected["hap-gjen"] |= {"colour": "#123456", "codable": False}
    check("edit code hap-gjen (colour, codable)", "AB")

    project.move_code("hap-gjen", "rec", coder="AB")
    expected["hap-gjen"]["parent"] = "rec"
    check("move code hap-gjen", "AB", {"hap-gjen": {"how": "move", "from": "hap", "to": "rec", "units": len(gjen)}})

    new = CodeNode(id="hap-sol-ans", name="Ansattes solskinn", parent="hap-sol")
    project.split_code("hap-sol", new, [sol[1], sol[2]], coder="CD")
    expected["hap-sol-ans"] = node("Ansattes solskinn", "hap-sol")
    check("split code hap-sol", "CD", {"hap-sol": {"how": "split", "to": "hap-sol-ans", "units": 2}})

    # hap-sol keeps units 1 (AB) and 4 (CD) on one span; AB already has that span on hap-ans:
    # the AB unit is a duplicate and is dropped, only the CD unit moves.
    project.add_coding("T1", 0, 4, "hap-ans", "AB")
    project.move_code("hap-sol-ans", "hap", coder="CD")   # hap-sol is merged away below
    expected["hap-sol-ans"]["parent"] = "hap"
    check("move code hap-sol-ans", "CD", {"hap-sol-ans": {"how": "move", "from": "hap-sol", "to": "hap", "units": 2}})
    moved = project.merge_codes("hap-sol", "hap-ans", coder="AB")
    assert moved == 1
    del expected["hap-sol"]
    check("merge code hap-sol into hap-ans", "AB", {"hap-sol": {"how": "merge", "to": "hap-ans", "units": 1}})

    project.add_code(CodeNode(id="tom", name="Tom kode"))
    expected["tom"] = node("Tom kode")
    check("add code tom", None)
    project.delete_code("tom", coder="CD")
    del expected["tom"]
    check("delete code tom", "CD")

    ids = [v.id for v in project.codebook_versions()]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    times = [v.at for v in project.codebook_versions()]
    assert times == sorted(times)


def test_loading_a_codebook_is_a_version_and_loading_it_again_is_not(project):
    extra = parse_codebook("codebook: Annen\ncodes:\n  - id: rec\n    name: Recovery\n"
                           "    definition: Bedring.\n  - id: ny\n    name: Ny kode\n    parent: rec\n", "b.yaml")
    project.load_codebook(extra, coder="AB")
    v = latest(project)
    assert (v.id, v.label, v.who) == (2, "load codebook Annen", "AB")
    expected = copy.deepcopy(START)
    expected["rec"] |= {"name": "Recovery", "definition": "Bedring."}
    expected["ny"] = node("Ny kode", "rec")
    assert codes_of(v) == expected
    assert v.book().name == "Testbok"  # the project's codebook keeps its name
    project.load_codebook(extra)
    assert latest(project).id == 2


def test_nothing_is_written_when_the_codebook_did_not_change(project):
    project.rename_code("hap", "Opplevelser av håp", coder="AB")          # the same name
    project.update_code("rec", definition="", coder="AB")                 # the same definition
    spans(project, "hap", 2)
    with pytest.raises(UserError):
        project.delete_code("hap", coder="AB")                            # refused: nothing happens
    with pytest.raises(UserError):
        project.add_code(CodeNode(id="hap", name="Dobbel"))
    assert [v.id for v in project.codebook_versions()] == [1]


def test_undo_and_redo_of_a_codebook_change_are_new_versions_the_history_only_grows(project):
    spans(project, "hap-sol", 2)
    before = codes_of(latest(project))
    assert project.merge_codes("hap-sol", "hap-gjen", coder="AB") == 2
    after = codes_of(latest(project))
    assert before != after

    assert project.undo("AB") == "merge code hap-sol into hap-gjen"
    v = latest(project)
    assert (v.id, v.label, v.who) == (3, "undo merge code hap-sol into hap-gjen", "AB")
    assert codes_of(v) == before
    assert v.moved == {"hap-gjen": {"how": "undo merge", "to": "hap-sol", "units": 2}}

    assert project.redo("AB") == "merge code hap-sol into hap-gjen"
    v = latest(project)
    assert (v.id, v.label, v.who) == (4, "redo merge code hap-sol into hap-gjen", "AB")
    assert codes_of(v) == after
    assert v.moved == {"hap-sol": {"how": "merge", "to": "hap-gjen", "units": 2}}

    # undoing a coding leaves the codebook alone: no version
    project.add_coding("T1", 50, 60, "rec", "AB")
    project.undo("AB")
    assert [v.id for v in project.codebook_versions()] == [1, 2, 3, 4]


def test_undoing_a_split_and_a_rename(project):
    units = spans(project, "hap", 3)
    project.split_code("hap", CodeNode(id="hap-ny", name="Ny", parent="hap"), units[:2], coder="AB")
    project.rename_code("rec", "Recovery", coder="AB")
    project.undo("AB")
    project.undo("AB")
    labels = [v.label for v in project.codebook_versions()]
    assert labels[1:] == ["split code hap", "rename code rec (Opplevelser av recovery → Recovery)",
                          "undo rename code rec", "undo split code hap"]
    assert codes_of(latest(project)) == START
    assert latest(project).moved == {"hap-ny": {"how": "undo split", "to": "hap", "units": 2}}


def test_undoing_a_move_moves_the_units_back(project):
    spans(project, "hap-gjen", 2)
    spans(project, "hap-sol", 1, first=20)
    project.move_code("hap-sol", "hap-gjen", coder="AB")
    assert latest(project).moved == {"hap-sol": {"how": "move", "from": "hap", "to": "hap-gjen", "units": 1}}
    project.move_code("hap-gjen", "rec", coder="AB")  # with its subcode hap-sol: 3 units
    assert latest(project).moved == {"hap-gjen": {"how": "move", "from": "hap", "to": "rec", "units": 3}}
    project.undo("AB")
    v = latest(project)
    assert (v.id, v.label) == (4, "undo move code hap-gjen")
    assert v.moved == {"hap-gjen": {"how": "undo move", "from": "rec", "to": "hap", "units": 3}}
    assert _changes(project, 2, 4) == []
    assert _changes(project, 3, 4) == [
        ("moved", "hap-gjen", {"name": "Gjenkjennelse", "from": "rec", "to": "hap", "units": 3})]


def _v11_project(path, codebook: str | None = CODEBOOK_YAML, monkeypatch=None) -> None:
    """A project file as qualcode wrote it before codebook history (schema 11)."""
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:11])
        m.setattr(schema, "SCHEMA_VERSION", 11)
        m.setattr("qualcode.store.project.SCHEMA_VERSION", 11)
        old = Project.create(path, codebook=parse_codebook(codebook, "t.yaml") if codebook else None)
        old.import_transcript(make_parsed(), title="Fokusgruppe 1")
        if codebook:
            old.add_coding("T1", 0, 4, "hap-gjen", "AB")
            old.rename_code("rec", "Recovery", coder="AB")
        assert old.conn.execute("PRAGMA user_version").fetchone()[0] == 11
        assert not old.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'codebook_versions'").fetchone()
        old.close()


def test_a_project_from_before_codebook_history_gets_its_first_version_on_first_use(tmp_path, monkeypatch):
    path = tmp_path / "v11.qualcode"
    _v11_project(path, monkeypatch=monkeypatch)
    expected = copy.deepcopy(START)
    expected["rec"]["name"] = "Recovery"
    with Project.open(path, backup=False) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        [first] = p.codebook_versions()
        assert (first.id, first.label, first.who, first.moved) == (1, FIRST_LABEL, None, {})
        assert "made before" in FIRST_LABEL
        assert codes_of(first) == expected
        p.merge_codes("hap-gjen", "hap-sol", coder="AB")
        assert [v.label for v in p.codebook_versions()] == [FIRST_LABEL, "merge code hap-gjen into hap-sol"]
        assert latest(p).moved == {"hap-gjen": {"how": "merge", "to": "hap-sol", "units": 1}}
    with Project.open(path, backup=False) as p:
        assert len(p.codebook_versions()) == 2


def test_an_upgraded_project_whose_first_use_is_a_change_keeps_the_codebook_from_before_it(tmp_path, monkeypatch):
    path = tmp_path / "v11.qualcode"
    _v11_project(path, monkeypatch=monkeypatch)
    with Project.open(path, backup=False) as p:
        p.add_code(CodeNode(id="ny", name="Ny"), coder="CD")
        first, second = p.codebook_versions()
        assert first.label == FIRST_LABEL and "ny" not in codes_of(first)
        assert (second.label, second.who) == ("add code ny", "CD") and "ny" in codes_of(second)


def test_an_upgraded_project_with_an_empty_codebook_starts_its_history_at_the_first_code(tmp_path, monkeypatch):
    path = tmp_path / "tom.qualcode"
    _v11_project(path, codebook=None, monkeypatch=monkeypatch)
    with Project.open(path, backup=False) as p:
        assert p.codebook_versions() == []
        p.add_code(CodeNode(id="ny", name="Ny"), coder="CD")
        [first] = p.codebook_versions()
        assert first.label == "add code ny"


def test_a_codebook_change_outside_the_codebook_methods_is_recorded_too(tmp_path, project):
    from qualcode.store.merge import merge_project

    other = tmp_path / "b.qualcode"
    with Project.create(other, codebook=parse_codebook(CODEBOOK_YAML + "  - id: b-ny\n    name: Bs kode\n",
                                                      "b.yaml")) as b:
        b.import_transcript(make_parsed(), title="Fokusgruppe 1")
        b.add_coding("T1", 0, 4, "b-ny", "CD")
    merge_project(project, other, add_new_codes=True)
    v = latest(project)
    assert v.label == "merge from b.qualcode" and "b-ny" in codes_of(v)


def _at(project: Project, stamps: dict[int, str]) -> None:
    for vid, stamp in stamps.items():
        project.conn.execute("UPDATE codebook_versions SET at = ? WHERE id = ?", (stamp, vid))


def test_the_codebook_as_of_a_date_or_a_moment(project):
    project.rename_code("rec", "Recovery", coder="AB")
    project.add_code(CodeNode(id="ny", name="Ny"), coder="AB")
    _at(project, {1: "2026-03-01T09:00:00.000+00:00", 2: "2026-03-02T10:00:00.000+00:00",
                  3: "2026-03-05T12:00:00.000+00:00"})
    cases = {
        "2026-03-01": 1, "2026-03-02T09:59": 1, "2026-03-02 10:00": 2, "2026-03-02T11:00+02:00": 1,
        "2026-03-02T10:30:00Z": 2, "2026-03-04": 2, "2026-03-05": 3, "2030-01-01": 3,
    }
    for moment, vid in cases.items():
        assert project.codebook_as_of(moment).id == vid, moment
    assert project.codebook_as_of("2026-03-04").book().get("rec").name == "Recovery"
    assert "ny" not in project.codebook_as_of("2026-03-04").book().by_id()
    for bad, message in [("2026-02-28", "before the first version"), ("2026-03-01T08:59", "before the first"),
                         ("i går", "not a date"), ("2026-13-01", "not a date"), ("", "not a date")]:
        with pytest.raises(UserError, match=message):
            project.codebook_as_of(bad)
    with pytest.raises(UserError, match="no codebook version 9"):
        project.codebook_version(9)


def _changes(project: Project, a: int, b: int) -> list[tuple]:
    out = []
    for c in project.codebook_diff(a, b):
        rest = {k: v for k, v in c.items() if k not in ("change", "code")}
        out.append((c["change"], c.get("code"), rest))
    return sorted(out, key=lambda x: (x[0], str(x[1])))


def test_the_difference_between_two_versions_by_code_id_with_the_units_each_change_moved(project):
    sol = spans(project, "hap-sol", 3)
    gjen = spans(project, "hap-gjen", 2, first=40)
    project.rename_code("rec", "Recovery", coder="AB")                                           # 2
    project.move_code("hap-gjen", "rec", coder="AB")                                             # 3
    project.split_code("hap-sol", CodeNode(id="hap-sol-b", name="Andre solskinn", parent="hap"),
                       sol[:2], coder="AB")                                                     # 4
    project.merge_codes("hap-gjen", "rec", coder="AB")                                           # 5
    project.update_code("hap", definition="Når noe gir håp.", keywords=["håp", "lys"], coder="AB")  # 6
    project.add_code(CodeNode(id="ny", name="Ny kode", parent="rec"), coder="AB")                # 7
    project.rename_code("hap-sol-b", "Solskinn fra andre", coder="AB")                           # 8
    assert latest(project).id == 8

    assert _changes(project, 1, 8) == sorted([
        ("renamed", "rec", {"name": "Recovery", "from": "Opplevelser av recovery", "to": "Recovery"}),
        ("split", "hap-sol-b", {"name": "Solskinn fra andre", "from": "hap-sol", "units": 2, "how": "split"}),
        ("merged", "hap-gjen", {"name": "Gjenkjennelse", "into": "rec", "units": len(gjen), "how": "merge"}),
        ("changed", "hap", {"name": "Opplevelser av håp", "fields": {
            "definition": {"from": "", "to": "Når noe gir håp."},
            "keywords": {"from": ["håp", "kjenne seg igjen"], "to": ["håp", "lys"]}}}),
        ("added", "ny", {"name": "Ny kode", "parent": "rec"}),
    ], key=lambda x: (x[0], str(x[1])))
    assert _changes(project, 2, 3) == [
        ("moved", "hap-gjen", {"name": "Gjenkjennelse", "from": "hap", "to": "rec", "units": len(gjen)})]
    assert _changes(project, 3, 3) == []
    # A code split off and merged away between two versions is in neither, but its units moved.
    project.split_code("rec", CodeNode(id="kort", name="Kortlivet"), gjen, coder="AB")            # 9
    project.merge_codes("kort", "hap", coder="AB")                                               # 10
    assert _changes(project, 8, 10) == sorted([
        ("split", "kort", {"name": "Kortlivet", "from": "rec", "units": 2, "how": "split"}),
        ("merged", "kort", {"name": "Kortlivet", "into": "hap", "units": 2, "how": "merge"}),
    ], key=lambda x: (x[0], str(x[1])))
    assert _changes(project, 3, 5) == sorted([
        ("split", "hap-sol-b", {"name": "Andre solskinn", "from": "hap-sol", "units": 2, "how": "split"}),
        ("merged", "hap-gjen", {"name": "Gjenkjennelse", "into": "rec", "units": len(gjen), "how": "merge"}),
    ], key=lambda x: (x[0], str(x[1])))
    for a, b, message in [(1, 99, "no codebook version 99"), (0, 2, "no codebook version 0"),
                          (5, 2, "older version first")]:
        with pytest.raises(UserError, match=message):
            project.codebook_diff(a, b)


def test_a_change_undone_leaves_no_difference(project):
    spans(project, "hap-sol", 2)
    project.merge_codes("hap-sol", "hap-gjen", coder="AB")
    project.undo("AB")
    assert latest(project).id == 3
    assert _changes(project, 1, 3) == []
    assert _changes(project, 2, 3) == [
        ("split", "hap-sol", {"name": "Solskinnshistorier", "from": "hap-gjen", "units": 2, "how": "undo merge"})]


def test_the_codebook_as_markdown_for_an_appendix(project):
    project.update_code("hap", definition="Når noe gir håp.", inclusion="Håp uttrykt av deltakerne",
                        exclusion="Håp som intervjueren uttrykker", coder="AB")
    project.update_code("hap-sol", definition="Historier om det som gikk bra.", coder="AB")
    book = project.codebook()
    md = codebook_to_markdown(book, lang="nb", note="Versjon 3, 2026-03-02")
    lines = md.splitlines()
    assert lines[0] == "# Testbok"
    assert "Versjon 3, 2026-03-02" in md
    i = lines.index("## 1 Opplevelser av håp (`hap`)")
    assert "**Definisjon:** Når noe gir håp." in lines[i:]
    assert "**Inklusjon:** Håp uttrykt av deltakerne" in lines[i:]
    assert "**Eksklusjon:** Håp som intervjueren uttrykker" in lines[i:]
    j = lines.index("### 1.1 Solskinnshistorier (`hap-sol`)")
    assert j > i and "**Definisjon:** Historier om det som gikk bra." in lines[j:]
    assert "### 1.2 Gjenkjennelse (`hap-gjen`)" in lines
    assert "## 2 Opplevelser av recovery (`rec`)" in lines
    en = codebook_to_markdown(book, lang="en")
    assert "**Definition:** Når noe gir håp." in en and "**Inclusion:**" in en and "**Exclusion:**" in en

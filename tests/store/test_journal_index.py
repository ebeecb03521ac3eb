"""Coding stays flat as the undo journal grows: the statements every action and undo run on the
journal use the redo-stack index, never a scan of the whole journal (bench/bench_journal.py
measures the speed)."""

from __future__ import annotations

import pytest


def plan(project, sql: str, *args) -> str:
    return " ".join(row[3] for row in project.conn.execute("EXPLAIN QUERY PLAN " + sql, args))


@pytest.mark.file_only
def test_clearing_the_redo_stack_and_undoing_search_the_index(project):
    for sql, args in (
        ("DELETE FROM actions WHERE undone > 0 AND coder IS ?", ("AB",)),
        ("DELETE FROM actions WHERE undone > 0", ()),
        ("SELECT coalesce(max(undone), 0) + 1 FROM actions WHERE undone > 0", ()),
    ):
        shown = plan(project, sql, *args)
        assert "actions_redo" in shown and shown.strip() != "SCAN actions", (sql, shown)


def test_undo_and_redo_still_work_with_the_index(project):
    first = project.add_coding("T1", 0, 5, "hap", "AB")
    project.add_coding("T1", 6, 9, "rec", "AB")
    assert project.undo("AB") and project.undo("AB")
    assert project.redo("AB")
    assert [c.id for c in project.codings()] == [first.id]
    project.add_coding("T1", 10, 12, "rec", "AB")  # clears AB's redo stack
    assert project.redo("AB") is None

"""Reconciling two coders: walk their disagreements and build a consensus layer.

The consensus is ordinary codings under the coder ``consensus``. Every decision is a row of
``reconciliation`` that says which unit it settled (transcript and extent, as
:func:`qualcode.core.agreement.align` found it), what was decided (accept one coder's codings,
keep both, drop both, an adjusted span, or agreed from the start), which codings it came from and
which consensus codings it made, a note on the discussion, who decided and when. A decision is
one undoable action; deciding a unit again replaces its earlier decision and consensus codings.
Work can stop at any point: the next session starts at the first undecided unit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ..core.agreement import AlignedUnit, Coded, align
from ..core.errors import UserError
from .project import Project

CONSENSUS = "consensus"
ACTIONS = ("accept", "both", "drop", "adjust", "agreed")


@dataclass(slots=True)
class Item:
    """One unit to reconcile, with the decision made on it (if any)."""

    number: int  # 1-based position among all units of the comparison
    unit: AlignedUnit
    decision: dict | None

    @property
    def decided(self) -> bool:
        return self.decision is not None


def coded(project: Project, coders: tuple[str, str] | list[str], transcript: str | None = None) -> list[Coded]:
    return [
        Coded(c.id, c.transcript, c.start, c.end, c.code, c.coder)
        for coder in coders for c in project.codings(coder=coder, transcript=transcript)
    ]


def items(project: Project, coders: list[str], *, transcript: str | None = None,
          disagreements_only: bool = False) -> list[Item]:
    """Every aligned unit of ``coders`` with its decision, in transcript order."""
    _check_coders(project, coders)
    units = align(coded(project, coders, transcript), coders)
    key = ",".join(coders)
    decisions = {
        (r["transcript_id"], r["start"], r["end"]): dict(r)
        for r in project.conn.execute("SELECT * FROM reconciliation WHERE coders = ?", (key,))
    }
    out = [Item(i + 1, u, decisions.get((u.transcript, u.start, u.end))) for i, u in enumerate(units)]
    return [it for it in out if not it.unit.agreed] if disagreements_only else out


def decide(project: Project, item: Item, action: str, *, decided_by: str, coders: list[str],
           accept: str | None = None, span: tuple[int, int] | None = None, codes: list[str] | None = None,
           note: str = "") -> dict:
    """Settle one unit. ``accept`` names the coder whose codings become consensus; ``adjust``
    takes ``span`` and ``codes`` (default: the codes either coder gave)."""
    if action not in ACTIONS:
        raise UserError(f"unknown decision {action!r}; use one of {', '.join(ACTIONS)}")
    unit = item.unit
    if action == "accept":
        if accept not in unit.by_coder:
            raise UserError(f"accept whose codings? one of {', '.join(unit.by_coder)}")
        chosen = [(c.start, c.end, c.code) for c in unit.by_coder[accept]]
    elif action in ("both", "agreed"):
        chosen = sorted({(c.start, c.end, c.code) for cs in unit.by_coder.values() for c in cs})
    elif action == "adjust":
        if span is None or not span[0] < span[1]:
            raise UserError("an adjusted unit needs a span (start < end)")
        wanted = codes or sorted({c.code for cs in unit.by_coder.values() for c in cs})
        chosen = [(span[0], span[1], code) for code in wanted]
    else:  # drop
        chosen = []
    source_ids = [c.id for cs in unit.by_coder.values() for c in cs]
    key = ",".join(coders)
    with project.action(f"reconcile {unit.transcript} {unit.start}-{unit.end}: {action}", decided_by,
                        kind="reconcile") as conn:
        previous = conn.execute(
            "SELECT id, result_ids FROM reconciliation"
            " WHERE coders = ? AND transcript_id = ? AND start = ? AND end = ?",
            (key, unit.transcript, unit.start, unit.end),
        ).fetchone()
        if previous:
            old = json.loads(previous["result_ids"])
            if old:
                conn.execute(f"DELETE FROM codings WHERE id IN ({','.join('?' * len(old))})", old)
            conn.execute("DELETE FROM reconciliation WHERE id = ?", (previous["id"],))
        project._ensure_coder(conn, CONSENSUS)
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        result_ids = []
        for start, end, code in sorted(set(chosen)):
            exists = conn.execute(
                "SELECT id FROM codings"
                " WHERE transcript_id = ? AND start = ? AND end = ? AND code_id = ? AND coder = ?",
                (unit.transcript, start, end, code, CONSENSUS),
            ).fetchone()
            if exists:  # made by the decision on an overlapping unit: share it
                result_ids.append(exists[0])
                continue
            cur = conn.execute(
                "INSERT INTO codings (transcript_id, start, end, code_id, coder, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (unit.transcript, start, end, code, CONSENSUS, now, now),
            )
            result_ids.append(cur.lastrowid)
        made = conn.execute(
            "INSERT INTO reconciliation (transcript_id, start, end, coders, action, accepted_from, source_ids,"
            " result_ids, note, decided_by, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (unit.transcript, unit.start, unit.end, key, action, accept, json.dumps(source_ids),
             json.dumps(result_ids), note, decided_by, now),
        )
        row = conn.execute("SELECT * FROM reconciliation WHERE id = ?", (made.lastrowid,)).fetchone()
    return dict(row)


def set_note(project: Project, item: Item, note: str, *, decided_by: str, coders: list[str]) -> None:
    """Write the discussion note of a decided unit (decide first)."""
    if item.decision is None:
        raise UserError("decide this unit first; the note goes with the decision")
    with project.action(f"note on reconciliation of {item.unit.transcript} {item.unit.start}-{item.unit.end}",
                        decided_by, kind="reconcile") as conn:
        conn.execute("UPDATE reconciliation SET note = ? WHERE id = ?", (note, item.decision["id"]))


def accept_agreed(project: Project, coders: list[str], *, decided_by: str) -> int:
    """Put every unit the coders agree on into the consensus (one decision each). Returns how many."""
    done = 0
    for item in items(project, coders):
        if item.unit.agreed and not item.decided:
            decide(project, item, "agreed", decided_by=decided_by, coders=coders)
            done += 1
    return done


def progress(all_items: list[Item]) -> tuple[int, int]:
    """(decided, total) over the disagreements."""
    disagreements = [it for it in all_items if not it.unit.agreed]
    return sum(it.decided for it in disagreements), len(disagreements)


def _check_coders(project: Project, coders: list[str]) -> None:
    if len(coders) != 2 or coders[0] == coders[1]:
        raise UserError("reconcile two different coders, e.g. --coders AB,CD")
    known = set(project.coders())
    for coder in coders:
        if coder not in known:
            raise UserError(f"no codings by {coder!r} in this project (coders: {', '.join(sorted(known)) or 'none'})")

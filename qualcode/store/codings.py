"""Codings in a project: finding quotes, adding and changing codings, and reading meaning units."""

from __future__ import annotations

import re
import sqlite3
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from ..core.text import check_coder, format_timestamp, normalize_text
from ..core.units import MeaningUnit, NewUnit, UnitFilter
from . import audit
from .base import _now, unjournaled
from .codes import CodebookStore
from .connection import SharedConnection

if TYPE_CHECKING:
    from ..core.models import CodeNode, Coding


# Lengths of transcript texts by the SHA-256 of the text (transcripts.checksum): the same text
# has the same length, whichever project or process stored it.
_TEXT_LENGTHS: dict[str, int] = {}


class CodingStore(CodebookStore):
    # --- codings -------------------------------------------------------------------------------

    def find_quote(
        self, tid: str, quote: str, occurrence: int | None = None, turn: int | None = None
    ) -> list[tuple[int, int]]:
        """Where ``quote`` stands in a transcript (or in one turn): exact matches, else matches
        ignoring case and runs of white space. With ``occurrence`` only that one (1-based).
        """
        text = self.text(tid)
        lo, hi = 0, len(text)
        if turn is not None:
            turns = self.turns(tid)
            if not 0 <= turn < len(turns):
                raise UserError(f"{self.transcript(tid).id} has turns 0 to {len(turns) - 1}, not {turn}")
            lo, hi = turns[turn].start, turns[turn].end
        quote = normalize_text(quote).strip()
        if not quote:
            raise UserError("the quote is empty")
        hits = _find_all(text, quote, lo, hi) or _find_loose(text, quote, lo, hi)
        if not hits:
            where = f"turn {turn} of {self.transcript(tid).id}" if turn is not None else self.transcript(tid).id
            raise UserError(f"quote not found in {where}: {quote!r}")
        if occurrence is not None:
            if not 1 <= occurrence <= len(hits):
                raise UserError(f"the quote occurs {len(hits)} time(s); --occurrence must be 1 to {len(hits)}")
            return [hits[occurrence - 1]]
        return hits

    def add_coding(
        self, tid: str, start: int, end: int, code_id: str, coder: str, *, condensed: str = "", memo: str = "",
        origin: str = "manual",
    ) -> Coding:
        """Code a span. ``origin`` says where the unit came from (``suggestion``: the coder took a
        suggested code; ``autocode``), for the disclosure of NLP assistance."""
        from ..core.models import ORIGINS, Coding

        if origin not in ORIGINS:
            raise ValueError(f"unknown origin of a unit: {origin}")
        # The workbench codes a selection with this: a few small statements, never the whole text.
        tid, length = self._text_length(tid)
        code = self._codable(code_id)
        coder = check_coder(coder)
        if not 0 <= start < end <= length:
            raise UserError(
                f"span {start}-{end} is not inside {tid} (offsets 0-{length}, start before end)"
            )
        with self.action(f"code {tid} {start}-{end} as {code.id}", coder) as conn:
            dup = conn.execute(
                "SELECT id FROM codings WHERE transcript_id = ? AND start = ? AND end = ? AND code_id = ?"
                " AND coder = ?",
                (tid, start, end, code.id, coder),
            ).fetchone()
            if dup:
                raise UserError(f"{coder} has already coded this span as {code.id!r} (unit {dup[0]})")
            self._ensure_coder(conn, coder)
            now = _now()
            cur = conn.execute(
                "INSERT INTO codings (transcript_id, start, end, code_id, coder, condensed, memo, created_at,"
                " updated_at, origin) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (tid, start, end, code.id, coder, condensed, memo, now, now, origin),
            )
            coding_id = cur.lastrowid
        assert coding_id is not None
        stamp = datetime.fromisoformat(now)
        return Coding(id=coding_id, transcript=tid, start=start, end=end, code=code.id, coder=coder,
                      condensed=condensed, memo=memo, starred=False, created_at=stamp, updated_at=stamp,
                      origin=origin)

    def _codable(self, code_id: str) -> CodeNode:
        code = self.code(code_id)
        if not code.codable:
            raise UserError(f"code {code.id!r} ({code.name}) is a folder for its subcodes, not a code to code with "
                            "(codable: false in the codebook); choose one of its subcodes")
        return code

    def insert_units(self, units: Sequence[NewUnit], *, audit_batch: bool = True) -> list[int]:
        """Store many units at once, as an import does: every span, code and coder checked first,
        then one pass of inserts. Not undoable step by step (no journal entries) and no duplicate
        check: the caller (an import, all or nothing on a staging copy) decides what is new.
        Returns the new units' ids in order. The audit trail gets one entry for the batch unless
        ``audit_batch`` is false (a REFI-QDA import writes its own entry, naming the file)."""
        lengths: dict[str, tuple[str, int]] = {}
        codes: dict[str, str] = {}
        rows = []
        now = _now()
        for unit in units:
            if unit.transcript not in lengths:
                lengths[unit.transcript] = self._text_length(unit.transcript)
            tid, length = lengths[unit.transcript]
            if not 0 <= unit.start < unit.end <= length:
                raise UserError(f"span {unit.start}-{unit.end} is not inside {tid} (offsets 0-{length})")
            if unit.code not in codes:
                codes[unit.code] = self._codable(unit.code).id
            created = unit.created_at.isoformat() if unit.created_at else now
            updated = unit.updated_at.isoformat() if unit.updated_at else created
            rows.append((tid, unit.start, unit.end, codes[unit.code], check_coder(unit.coder), unit.condensed,
                         unit.memo, int(unit.starred), created, updated))
        ids: list[int] = []
        with self.transaction() as conn, unjournaled(conn):
            for coder in dict.fromkeys(r[4] for r in rows):
                self._ensure_coder(conn, coder)
            for row in rows:
                cur = conn.execute(
                    "INSERT INTO codings (transcript_id, start, end, code_id, coder, condensed, memo, starred,"
                    " created_at, updated_at, origin) VALUES (?,?,?,?,?,?,?,?,?,?,'import')", row)
                assert cur.lastrowid is not None
                ids.append(cur.lastrowid)
            if ids and audit_batch and self.audit_recording:
                audit.append(conn, None, "import", f"{len(ids)} units in one batch",
                             {"units": audit.ranges(ids), "unit_count": len(ids)})
        return ids

    def _text_length(self, tid: str) -> tuple[str, int]:
        """A transcript's id as stored and the length of its text. The text is read once: its
        checksum (SHA-256 of the text) names the length from then on."""
        row = self.conn.execute("SELECT id, checksum FROM transcripts WHERE id = ? COLLATE NOCASE", (tid,)).fetchone()
        if row is None:
            raise self._no_transcript(tid)
        length = _TEXT_LENGTHS.get(row[1])
        if length is None:
            length = len(self.text(row[0]))
            if len(_TEXT_LENGTHS) >= 256:
                _TEXT_LENGTHS.clear()
            _TEXT_LENGTHS[row[1]] = length
        return row[0], length

    def _ensure_coder(self, conn: SharedConnection, coder: str) -> None:
        conn.execute("INSERT INTO coders (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING", (coder, _now()))

    def coding(self, coding_id: int) -> Coding:
        row = self.conn.execute("SELECT * FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            raise UserError(f"no meaning unit with id {coding_id}")
        return _coding_from_row(row)

    def update_coding(self, coding_id: int, *, coder: str | None = None, **fields: Any) -> Coding:
        """Change a unit's code, boundaries, condensed meaning or memo."""
        current = self.coding(coding_id)
        allowed = {"code", "start", "end", "condensed", "memo", "starred"}
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"cannot update {sorted(unknown)}")
        if "code" in fields:
            fields["code"] = self.code(fields["code"]).id
        start, end = fields.get("start", current.start), fields.get("end", current.end)
        if "start" in fields or "end" in fields:
            _, length = self._text_length(current.transcript)
            if not 0 <= start < end <= length:
                raise UserError(f"span {start}-{end} is not inside {current.transcript} (offsets 0-{length})")
        with self.action(f"edit unit {coding_id}", coder or current.coder) as conn:
            # Fields not named keep what the file holds now, not what this process last read:
            # never write another process's newer change back over it.
            current = self.coding(coding_id)
            now = _now()
            changed = current.model_copy(update={
                "code": fields.get("code", current.code), "start": start, "end": end,
                "condensed": fields.get("condensed", current.condensed), "memo": fields.get("memo", current.memo),
                "starred": bool(fields.get("starred", current.starred)), "updated_at": datetime.fromisoformat(now),
            })
            conn.execute(
                "UPDATE codings SET code_id=?, start=?, end=?, condensed=?, memo=?, starred=?, updated_at=?"
                " WHERE id=?",
                (changed.code, start, end, changed.condensed, changed.memo, int(changed.starred), now, coding_id),
            )
        return changed

    def delete_coding(self, coding_id: int, *, coder: str | None = None) -> None:
        current = self.coding(coding_id)
        with self.action(f"delete unit {coding_id}", coder or current.coder) as conn:
            # Its memos go with it (and come back with an undo): never onto another unit.
            conn.execute("DELETE FROM memos WHERE target_type = 'coding' AND target_id = ?", (str(coding_id),))
            conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))

    def codings(
        self, *, transcript: str | None = None, coder: str | None = None, code: str | None = None,
        include_subcodes: bool = False,
    ) -> list[Coding]:
        sql = "SELECT * FROM codings WHERE 1=1"
        args: list[Any] = []
        if transcript is not None:
            sql += " AND transcript_id = ?"
            args.append(self.transcript_id(transcript))
        if coder is not None:
            sql += " AND coder = ?"
            args.append(coder)
        if code is not None:
            ids = [self.code(code).id]
            if include_subcodes:
                ids += [d.id for d in self.codebook().descendants(ids[0])]
            sql += f" AND code_id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY transcript_id, start, end, id"
        return [_coding_from_row(r) for r in self.conn.execute(sql, args)]

    def units(self, selection: UnitFilter | None = None, /, **filters: Any) -> list[MeaningUnit]:
        """The meaning units a filter chooses (see :meth:`iter_units`), as a list."""
        return list(self.iter_units(selection, **filters))

    def iter_units(self, selection: UnitFilter | None = None, /, **filters: Any) -> Iterator[MeaningUnit]:
        """Meaning units in transcript order, streamed: one query for the codings (filters in SQL),
        and each transcript's text and turns read once, when its first unit comes.

        Takes a :class:`UnitFilter`, or its fields as keywords (``units(coder="AB")``).
        """
        s = selection if selection is not None else UnitFilter(**filters)
        book = self.codebook()
        paths = {code_id: tuple(n.name for n in chain) for code_id, chain in book.paths().items()}
        sql = ("SELECT c.id, c.transcript_id, c.start, c.end, c.code_id, c.coder, c.condensed, c.memo, c.starred,"
               " c.created_at, c.updated_at FROM codings c WHERE 1=1")
        args: list[Any] = []
        if s.transcript is not None:
            sql += " AND c.transcript_id = ?"
            args.append(self.transcript_id(s.transcript))
        if s.coder is not None:
            sql += " AND c.coder = ?"
            args.append(s.coder)
        if s.code is not None:
            ids = [self.code(s.code).id]  # a clear error for an unknown code
            if s.include_subcodes:
                ids += [d.id for d in book.descendants(ids[0])]
            sql += f" AND c.code_id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        if s.starred:
            sql += " AND c.starred = 1"
        sql += " ORDER BY c.transcript_id, c.start, c.end, c.id"
        rows = self.conn.execute(sql, args).fetchall()
        current: str | None = None
        title = text = ""
        group: str | None = None
        turns: list[sqlite3.Row] = []
        starts: list[int] = []
        for r in rows:
            tid = r["transcript_id"]
            if tid != current:
                current = tid
                head = self.conn.execute("SELECT title, group_name, text FROM transcripts WHERE id = ?",
                                         (tid,)).fetchone()
                title, group, text = head["title"], head["group_name"], head["text"]
                turns = self.conn.execute(
                    "SELECT t.idx, t.speaker, s.role, t.start, t.end, t.time_start FROM turns t"
                    " LEFT JOIN speakers s ON s.transcript_id = t.transcript_id AND s.label = t.speaker"
                    " WHERE t.transcript_id = ? ORDER BY t.idx", (tid,)).fetchall()
                starts = [t["start"] for t in turns]
            turn = _turn_at(turns, starts, r["start"])
            role = turn["role"] if turn is not None else None
            if not s.matches_role(role):
                continue
            path = paths[r["code_id"]]
            yield MeaningUnit(
                id=r["id"], transcript=tid, title=title, group=group,
                turn=turn["idx"] if turn is not None else None,
                speaker=turn["speaker"] if turn is not None else None, role=role,
                timestamp=format_timestamp(turn["time_start"]) if turn is not None else None,
                start=r["start"], end=r["end"], text=text[r["start"]:r["end"]],
                code=r["code_id"], code_name=path[-1], code_path=path, coder=r["coder"],
                condensed=r["condensed"], memo=r["memo"], starred=bool(r["starred"]),
                created_at=r["created_at"], updated_at=r["updated_at"],
            )

    def recent_codes(self, coder: str) -> list[str]:
        """This coder's codes, most recently used first (the code picker's order on an empty query)."""
        rows = self.conn.execute(
            "SELECT code_id FROM codings WHERE coder = ? GROUP BY code_id ORDER BY max(updated_at) DESC",
            (coder,),
        ).fetchall()
        return [r[0] for r in rows]

    def coders(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM coders ORDER BY id")]

    # --- NLP assistance ------------------------------------------------------------------------

    def record_suggestions(self, tid: str, start: int, end: int, coder: str,
                           decisions: Sequence[tuple[str, int, float, str]]) -> None:
        """Keep what became of codes suggested to ``coder`` for a span: (code, rank shown, score,
        ``accepted`` or ``rejected``), for the disclosure of assistance and for the suggester to
        learn from. Not undoable: it is a record of what happened."""
        coder = check_coder(coder)
        tid = self.transcript_id(tid)
        now = _now()
        rows = [(tid, start, end, code, coder, rank, score, decision, now) for code, rank, score, decision in decisions]
        if any(d not in ("accepted", "rejected") for *_, d in decisions):
            raise ValueError("a suggestion is accepted or rejected")
        if rows:
            with self.transaction() as conn:
                conn.executemany(
                    "INSERT INTO suggestion_decisions (transcript_id, start, end, code_id, coder, rank, score,"
                    " decision, created_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def suggestion_decisions(self, coder: str | None = None) -> list[tuple[str, int, int, str, str, str]]:
        """(transcript, start, end, code, coder, decision) for every suggestion taken or passed over."""
        sql = "SELECT transcript_id, start, end, code_id, coder, decision FROM suggestion_decisions"
        rows = self.conn.execute(sql + (" WHERE coder = ?" if coder else "") + " ORDER BY id",
                                 (coder,) if coder else ()).fetchall()
        return [tuple(r) for r in rows]

    def assistance(self) -> dict[str, int]:
        """How much NLP assistance a project's units had, for a methods section: units by origin
        (``auto`` units are those ``autocode`` made), and suggestions accepted and rejected."""
        out = {f"units_{origin}": 0 for origin in ("manual", "suggestion", "autocode", "import")}
        for origin, n in self.conn.execute("SELECT origin, count(*) FROM codings GROUP BY origin"):
            out[f"units_{origin}"] = n
        out["suggestions_accepted"] = out["suggestions_rejected"] = 0
        for decision, n in self.conn.execute("SELECT decision, count(*) FROM suggestion_decisions GROUP BY decision"):
            out[f"suggestions_{decision}"] = n
        return out


def _coding_from_row(r: sqlite3.Row) -> Coding:
    from ..core.models import Coding

    return Coding(
        id=r["id"], transcript=r["transcript_id"], start=r["start"], end=r["end"], code=r["code_id"],
        coder=r["coder"], condensed=r["condensed"], memo=r["memo"], starred=bool(r["starred"]),
        created_at=datetime.fromisoformat(r["created_at"]), updated_at=datetime.fromisoformat(r["updated_at"]),
        origin=r["origin"],
    )


def _turn_at(turns: Sequence[sqlite3.Row], starts: list[int], offset: int) -> sqlite3.Row | None:
    """The turn row a span starting at ``offset`` belongs to (the next one if it starts in a label)."""
    if not turns:
        return None
    i = bisect_right(starts, offset) - 1
    if i >= 0 and offset < turns[i]["end"]:
        return turns[i]
    return turns[i + 1] if i + 1 < len(turns) else turns[i]


def _find_all(text: str, needle: str, lo: int, hi: int) -> list[tuple[int, int]]:
    hits, i = [], text.find(needle, lo, hi)
    while i != -1:
        hits.append((i, i + len(needle)))
        i = text.find(needle, i + 1, hi)
    return hits


def _find_loose(text: str, quote: str, lo: int, hi: int) -> list[tuple[int, int]]:
    pattern = re.compile(r"\s+".join(re.escape(word) for word in quote.split()), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text, lo, hi)]

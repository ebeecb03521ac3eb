"""Repairing a transcript after import: speakers renamed, merged and attributed, turns split,
merged, dropped and corrected, titles changed. Every repair is one undoable action, and every
meaning unit stays on the same words.

How undo works for a repair: the codings of the transcript are *not* journaled row by row (their
offsets move with the text); instead the action holds one change of the pseudo-table
``transcript``, whose old and new images are the transcript's structure (title, checksum, turns,
speakers, and every coding's offsets) plus the text edits that lead from one to the other. Undo
checks that the structure is still what the repair left, applies the inverse edits, puts turns
and speakers back, and gives each coding its old offsets if it still has the offsets the repair
gave it, or maps it through the inverse edits if it was changed or made since. Codings a repair
deleted (a dropped turn's units, with ``force``) are journaled as ordinary row changes and come
back with the undo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ..core.edits import TextEdit
from ..core.errors import UserError
from .codings import CodingStore
from .connection import SharedConnection
from .transcripts import RoleRule, rewrite_text

if TYPE_CHECKING:
    from ..core.models import Speaker

STATE_TABLE = "transcript"  # the pseudo-table of repair changes in the journal


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    """A speaker of one transcript, for ``qualcode speakers``: how often and how they begin."""

    label: str
    role: str | None
    turns: int
    first_words: str


@dataclass
class _Repair:
    tid: str
    edits: list[TextEdit]


class RepairStore(CodingStore):
    # --- reading ---------------------------------------------------------------------------------

    def speaker_summary(self, tid: str) -> list[SpeakerSummary]:
        """Every speaker with a turn count and their first words, in order of first turn (turns
        without a speaker: :meth:`unattributed_turns`)."""
        tid = self.transcript_id(tid)
        text = self.text(tid)
        rows = self.conn.execute(
            "SELECT s.label, s.role, count(t.idx) AS n, min(t.idx) AS first FROM speakers s"
            " LEFT JOIN turns t ON t.transcript_id = s.transcript_id AND t.speaker = s.label"
            " WHERE s.transcript_id = ? GROUP BY s.transcript_id, s.label, s.role"
            " ORDER BY min(t.idx) IS NULL, min(t.idx), s.label",
            (tid,),
        ).fetchall()
        out = []
        for r in rows:
            first = self.conn.execute(
                "SELECT start, end FROM turns WHERE transcript_id = ? AND idx = ?", (tid, r["first"])
            ).fetchone() if r["first"] is not None else None
            words = " ".join(text[first["start"]:first["end"]].split()[:8]) if first else ""
            out.append(SpeakerSummary(r["label"], r["role"], r["n"], words))
        return out

    def unattributed_turns(self, tid: str) -> list[int]:
        """Indexes of the turns that have no speaker."""
        tid = self.transcript_id(tid)
        return [r[0] for r in self.conn.execute(
            "SELECT idx FROM turns WHERE transcript_id = ? AND speaker IS NULL ORDER BY idx", (tid,))]

    # --- speakers --------------------------------------------------------------------------------

    def rename_speaker(self, tid: str, old: str, new: str, *, coder: str | None = None) -> bool:
        """Give speaker ``old`` the label ``new``; if ``new`` is already a speaker of the
        transcript, the two are merged (``new`` keeps its role, or takes ``old``'s if it has
        none). The label is rewritten in the text too, where it stands before each of the turns,
        so a name used as a label does not stay in the text. Returns True for a merge."""
        tid = self.transcript_id(tid)
        new = _check_label(new)
        # The trail's line names no speaker: a label may be a name that is being hidden.
        with self._repair(tid, f"speaker {old} → {new} in {tid}", coder,
                          summary=f"rename a speaker in {tid}") as repair:
            conn = self.conn
            speakers = {r["label"]: r["role"] for r in conn.execute(
                "SELECT label, role FROM speakers WHERE transcript_id = ?", (tid,))}
            old = _known_speaker(speakers, old, tid)
            if old == new:
                raise UserError(f"{old} is already called {new}")
            merge = new in speakers
            repair.edits = self._label_edits(tid, old, new)
            if merge:
                conn.execute("UPDATE turns SET speaker = ? WHERE transcript_id = ? AND speaker = ?", (new, tid, old))
                if speakers[new] is None and speakers[old] is not None:
                    conn.execute("UPDATE speakers SET role = ? WHERE transcript_id = ? AND label = ?",
                                 (speakers[old], tid, new))
                conn.execute("DELETE FROM speakers WHERE transcript_id = ? AND label = ?", (tid, old))
            else:
                conn.execute("UPDATE speakers SET label = ? WHERE transcript_id = ? AND label = ?", (new, tid, old))
            self._apply(conn, repair)
        return merge

    def set_turn_speaker(self, tid: str, turns: Sequence[int], speaker: str, *, coder: str | None = None) -> None:
        """Attribute turns (by index) to ``speaker``, a new speaker of the transcript if need be."""
        tid = self.transcript_id(tid)
        speaker = _check_label(speaker)
        indexes = sorted(set(turns))
        if not indexes:
            raise UserError("say which turns, for example --turns 1,4-6")
        with self._repair(tid, f"turns {_ranges(indexes)} of {tid} to {speaker}", coder,
                          summary=f"turns {_ranges(indexes)} of {tid} to a speaker"):
            conn = self.conn
            count = self._turn_count(tid)
            bad = [i for i in indexes if not 0 <= i < count]
            if bad:
                raise UserError(f"{tid} has turns 0 to {count - 1}; no turn {bad[0]}")
            known = {r[0] for r in conn.execute("SELECT label FROM speakers WHERE transcript_id = ?", (tid,))}
            existing = {k.casefold(): k for k in known}
            speaker = existing.get(speaker.casefold(), speaker)
            if speaker not in known:
                conn.execute("INSERT INTO speakers (transcript_id, label) VALUES (?, ?)", (tid, speaker))
            conn.executemany("UPDATE turns SET speaker = ? WHERE transcript_id = ? AND idx = ?",
                             [(speaker, tid, i) for i in indexes])
            self._drop_unused_speakers(conn, tid)

    def set_roles(self, tid: str, rules: Iterable[RoleRule], *, strict: bool = True,
                  coder: str | None = None) -> list[Speaker]:
        """Give speakers of a transcript roles by label pattern. The first rule that matches a
        label wins, as at import (``--role``). ``strict``: a rule that matches no speaker is
        refused, and then nothing changes (not strict: as at import, such a rule does nothing).
        Undoable, like every repair."""
        transcript = self.transcript(tid)
        rules = list(rules)
        labels = [s.label for s in transcript.speakers]
        if strict and rules and not labels:
            raise UserError(f"{transcript.id} has no speakers yet: attribute its turns first, for example "
                            f"qualcode speakers PROJECT {transcript.id} --set Moderator --turns 0-2")
        for rule in rules if strict else ():
            if not any(rule.matches(label) for label in labels):
                raise UserError(f"no speaker in {transcript.id} matches {rule.pattern!r} "
                                f"(speakers: {', '.join(labels)})")
        chosen = [(next(r.role for r in rules if r.matches(label)), transcript.id, label)
                  for label in labels if any(r.matches(label) for r in rules)]
        with self._repair(transcript.id, f"roles in {transcript.id}", coder, noop_ok=True):
            self.conn.executemany("UPDATE speakers SET role = ? WHERE transcript_id = ? AND label = ?", chosen)
        return self.transcript(transcript.id).speakers

    # --- turns -----------------------------------------------------------------------------------

    def split_turn(self, tid: str, index: int, at: int, *, speaker: str | None = None,
                   coder: str | None = None) -> None:
        """Split turn ``index`` ``at`` characters into its text; the second part becomes turn
        ``index + 1`` (by ``speaker`` if given, else by the same speaker). Blanks at the cut go
        with neither part. A unit across the cut stays as it is (it now spans two turns)."""
        tid = self.transcript_id(tid)
        with self._repair(tid, f"split turn {index} of {tid}", coder):
            conn = self.conn
            turn = self._turn(tid, index)
            text = self.text(tid)
            cut = turn["start"] + at
            if not turn["start"] < cut < turn["end"]:
                raise UserError(f"turn {index} of {tid} has {turn['end'] - turn['start']} characters; "
                                f"split it between 1 and {turn['end'] - turn['start'] - 1}")
            first_end = cut
            while first_end > turn["start"] and text[first_end - 1].isspace():
                first_end -= 1
            second_start = cut
            while second_start < turn["end"] and text[second_start].isspace():
                second_start += 1
            if first_end == turn["start"] or second_start == turn["end"]:
                raise UserError("one part of the split would be empty")
            who = turn["speaker"]
            if speaker is not None:
                who = self._ensure_speaker(conn, tid, _check_label(speaker))
            self._shift_turns(conn, tid, index + 1, +1)
            conn.execute("UPDATE turns SET end = ?, time_end = NULL WHERE transcript_id = ? AND idx = ?",
                         (first_end, tid, index))
            conn.execute(
                "INSERT INTO turns (transcript_id, idx, speaker, start, end, time_start, time_end)"
                " VALUES (?,?,?,?,?,NULL,?)",
                (tid, index + 1, who, second_start, turn["end"], turn["time_end"]),
            )

    def merge_turns(self, tid: str, first: int, last: int, *, coder: str | None = None) -> None:
        """Merge turns ``first`` to ``last`` into one, by the first turn's speaker: what stood
        between them in the text (labels, time stamps, line breaks) becomes one space, so the
        merged turn reads as one piece of speech; a pause, overlap or sound mark there stays."""
        tid = self.transcript_id(tid)
        if last <= first:
            raise UserError("merge needs a range of two turns or more, like 3-5")
        with self._repair(tid, f"merge turns {first}-{last} of {tid}", coder) as repair:
            conn = self.conn
            turns = [self._turn(tid, i) for i in range(first, last + 1)]
            text = self.text(tid)
            kept = [(s, e) for s, e, kind in self.annotations(tid) if kind != "time"]
            repair.edits = [edit for a, b in pairwise(turns)
                            for edit in _gap_edits(text, a["end"], b["start"], kept)]
            conn.execute("UPDATE turns SET end = ?, time_end = ? WHERE transcript_id = ? AND idx = ?",
                         (turns[-1]["end"], turns[-1]["time_end"], tid, first))
            conn.execute("DELETE FROM turns WHERE transcript_id = ? AND idx > ? AND idx <= ?", (tid, first, last))
            self._shift_turns(conn, tid, last + 1, -(last - first))
            self._apply(conn, repair)
            self._drop_unused_speakers(conn, tid)

    def drop_turn(self, tid: str, index: int, *, force: bool = False, coder: str | None = None) -> list[int]:
        """Take turn ``index`` out of the transcript, its label and text with it (the lines a
        speech recogniser invents on silence). Units on it are refused unless ``force``, which
        deletes them (and undo brings them back). Returns the ids of the units deleted."""
        tid = self.transcript_id(tid)
        with self._repair(tid, f"drop turn {index} of {tid}", coder) as repair:
            conn = self.conn
            turn = self._turn(tid, index)
            text = self.text(tid)
            count = self._turn_count(tid)
            if index > 0:  # from the turn's own line (or the last mark before it) to its end
                previous_end = self._turn(tid, index - 1)["end"]
                marks_before = [e for s, e, _kind in self.annotations(tid) if previous_end <= s and e <= turn["start"]]
                line = text.rfind("\n", previous_end, turn["start"])
                start, end = max([previous_end, line, *marks_before]), turn["end"]
            else:
                start = text.rfind("\n", 0, turn["start"]) + 1
                end = self._turn(tid, 1)["start"] if count > 1 else len(text)
                end = text.rfind("\n", turn["end"], end) + 1 or end  # keep the next turn's label line
            hit = [r[0] for r in conn.execute(
                "SELECT id FROM codings WHERE transcript_id = ? AND start < ? AND end > ? ORDER BY id",
                (tid, turn["end"], turn["start"]))]
            if hit and not force:
                raise UserError(f"turn {index} of {tid} has units {', '.join(map(str, hit))} on it; "
                                "recode or delete them first, or drop it with --force (deleting them)")
            for coding_id in hit:  # journaled row by row: undo brings them back
                conn.execute("DELETE FROM memos WHERE target_type = 'coding' AND target_id = ?", (str(coding_id),))
                conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
            conn.execute("DELETE FROM turns WHERE transcript_id = ? AND idx = ?", (tid, index))
            self._shift_turns(conn, tid, index + 1, -1)
            repair.edits = [TextEdit(start, end, "")]
            self._apply(conn, repair)
            self._drop_unused_speakers(conn, tid)
        return hit

    def edit_turn(self, tid: str, index: int, new_text: str, *, coder: str | None = None) -> None:
        """Replace what turn ``index`` says. Units inside keep their words where the words are
        kept; a unit on replaced words covers what replaced them."""
        tid = self.transcript_id(tid)
        replacement = " ".join(new_text.split()) if "\n" not in new_text.strip() else new_text.strip()
        if not replacement:
            raise UserError("the new text is empty; drop the turn instead")
        with self._repair(tid, f"edit turn {index} of {tid}", coder) as repair:
            turn = self._turn(tid, index)
            old = self.text(tid)[turn["start"]:turn["end"]]
            repair.edits = _word_edits(turn["start"], old, replacement)
            self._apply(self.conn, repair)

    def set_title(self, tid: str, title: str, *, coder: str | None = None) -> None:
        tid = self.transcript_id(tid)
        title = " ".join(title.split())
        if not title:
            raise UserError("the title is empty")
        with self._repair(tid, f"title of {tid}", coder):
            self.conn.execute("UPDATE transcripts SET title = ? WHERE id = ?", (title, tid))

    # --- the machinery ---------------------------------------------------------------------------

    @contextmanager
    def _repair(self, tid: str, label: str, coder: str | None, *, noop_ok: bool = False,
                summary: str | None = None) -> Iterator[_Repair]:
        """One undoable repair: the structure before and after, and the edits between, go into the
        journal as one change of the pseudo-table ``transcript`` (and into the audit trail, with
        the text's checksums before and after, as ``summary`` or the label)."""
        repair = _Repair(tid, [])
        with self.action(label, coder, kind="repair", summary=summary) as conn:
            before = self._state(conn, tid)
            old_text = self.text(tid)
            yield repair
            after = self._state(conn, tid)
            if before == after:
                if noop_ok:  # nothing changed: no action in the history either
                    conn.execute("DELETE FROM actions WHERE id = (SELECT max(id) FROM actions)")
                    return
                raise UserError("nothing to change")
            before["edits"] = _edits_json(_inverse(old_text, repair.edits))
            after["edits"] = _edits_json(repair.edits)
            conn.execute(
                "INSERT INTO changes (action_id, tbl, old, new) VALUES ((SELECT max(id) FROM actions), ?, ?, ?)",
                (STATE_TABLE, json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)),
            )

    def _apply(self, conn: SharedConnection, repair: _Repair) -> None:
        """Apply the repair's text edits: the text, and every turn and coding of the transcript
        mapped onto the new text (codings not journaled row by row: see the module docstring)."""
        if not repair.edits:
            return
        rewrite_text(conn, repair.tid, repair.edits)

    def _state(self, conn: SharedConnection, tid: str) -> dict[str, Any]:
        row = conn.execute("SELECT title, checksum FROM transcripts WHERE id = ?", (tid,)).fetchone()
        return {
            "id": tid,
            "title": row["title"],
            "checksum": row["checksum"],
            "turns": [list(r) for r in conn.execute(
                "SELECT idx, speaker, start, end, time_start, time_end FROM turns WHERE transcript_id = ?"
                " ORDER BY idx", (tid,))],
            "speakers": [list(r) for r in conn.execute(
                "SELECT label, role, attributes FROM speakers WHERE transcript_id = ? ORDER BY label", (tid,))],
            "codings": [list(r) for r in conn.execute(
                "SELECT id, start, end FROM codings WHERE transcript_id = ? ORDER BY id", (tid,))],
            "annotations": [list(r) for r in conn.execute(
                "SELECT start, end, kind FROM annotations WHERE transcript_id = ? ORDER BY start, end, kind", (tid,))],
        }

    def replay_repair(self, conn: SharedConnection, old: dict[str, Any], new: dict[str, Any], *,
                      backwards: bool) -> None:
        """Undo (or redo) one repair; called by the journal's replay with recording off."""
        expected, wanted = (new, old) if backwards else (old, new)
        tid = expected["id"]
        if conn.execute("SELECT 1 FROM transcripts WHERE id = ?", (tid,)).fetchone() is None:
            raise UserError(f"cannot {'undo' if backwards else 'redo'}: transcript {tid} is gone")
        current = self._state(conn, tid)
        if any(current[k] != expected[k] for k in ("title", "checksum", "turns", "speakers")):
            raise UserError(f"cannot {'undo' if backwards else 'redo'}: {tid} has been repaired again since")
        edits = [TextEdit(*e) for e in wanted["edits"]]
        if edits:
            mapping = rewrite_text(conn, tid, edits, remap_codings=False)
            here = {c[0]: (c[1], c[2]) for c in expected["codings"]}
            there = {c[0]: (c[1], c[2]) for c in wanted["codings"]}
            moved = []
            for coding_id, start, end in current["codings"]:
                if here.get(coding_id) == (start, end) and coding_id in there:
                    moved.append((*there[coding_id], coding_id))
                else:  # made or changed since the repair: follow the text
                    new_start = mapping.start(start)
                    moved.append((new_start, max(mapping.end(end), new_start + 1), coding_id))
            conn.executemany("UPDATE codings SET start = ?, end = ? WHERE id = ?", moved)
        conn.execute("DELETE FROM turns WHERE transcript_id = ?", (tid,))
        conn.execute("DELETE FROM speakers WHERE transcript_id = ?", (tid,))
        conn.executemany("INSERT INTO speakers (transcript_id, label, role, attributes) VALUES (?,?,?,?)",
                         [(tid, *s) for s in wanted["speakers"]])
        conn.executemany(
            "INSERT INTO turns (transcript_id, idx, speaker, start, end, time_start, time_end) VALUES (?,?,?,?,?,?,?)",
            [(tid, *t) for t in wanted["turns"]])
        conn.execute("UPDATE transcripts SET title = ? WHERE id = ?", (wanted["title"], tid))
        if "annotations" in wanted:
            conn.execute("DELETE FROM annotations WHERE transcript_id = ?", (tid,))
            conn.executemany("INSERT INTO annotations (transcript_id, start, end, kind) VALUES (?,?,?,?)",
                             [(tid, *a) for a in wanted["annotations"]])

    def _turn(self, tid: str, index: int) -> Any:
        row = self.conn.execute(
            "SELECT idx, speaker, start, end, time_start, time_end FROM turns WHERE transcript_id = ? AND idx = ?",
            (tid, index)).fetchone()
        if row is None:
            count = self._turn_count(tid)
            raise UserError(f"{tid} has turns 0 to {count - 1}; no turn {index}" if count
                            else f"{tid} has no turns")
        return row

    def _turn_count(self, tid: str) -> int:
        return self.conn.execute("SELECT count(*) FROM turns WHERE transcript_id = ?", (tid,)).fetchone()[0]

    @staticmethod
    def _shift_turns(conn: SharedConnection, tid: str, first: int, by: int) -> None:
        """Renumber turns from ``first`` on by ``by`` (through negative numbers: no clash on the way)."""
        conn.execute("UPDATE turns SET idx = -1 - idx WHERE transcript_id = ? AND idx >= ?", (tid, first))
        conn.execute("UPDATE turns SET idx = -1 - idx + ? WHERE transcript_id = ? AND idx < 0", (by, tid))

    @staticmethod
    def _ensure_speaker(conn: SharedConnection, tid: str, label: str) -> str:
        known = {r[0].casefold(): r[0] for r in conn.execute("SELECT label FROM speakers WHERE transcript_id = ?",
                                                              (tid,))}
        if label.casefold() in known:
            return known[label.casefold()]
        conn.execute("INSERT INTO speakers (transcript_id, label) VALUES (?, ?)", (tid, label))
        return label

    @staticmethod
    def _drop_unused_speakers(conn: SharedConnection, tid: str) -> None:
        conn.execute("DELETE FROM speakers WHERE transcript_id = ? AND label NOT IN"
                     " (SELECT speaker FROM turns WHERE transcript_id = ? AND speaker IS NOT NULL)", (tid, tid))

    def _label_edits(self, tid: str, old: str, new: str) -> list[TextEdit]:
        """Where ``old`` stands as the label right before one of its turns, ``new`` in its place."""
        text = self.text(tid)
        rows = self.conn.execute("SELECT idx, speaker, start, end FROM turns WHERE transcript_id = ? ORDER BY idx",
                                 (tid,)).fetchall()
        edits = []
        previous_end = 0
        pattern = re.compile(r"(?<![\w])" + re.escape(old) + r"(?![\w])", re.IGNORECASE)
        for r in rows:
            if r["speaker"] == old:
                # Between the previous turn and this one stand only labels, times and marks (a
                # label may have a line of its own above its first turn, as aTrain writes it).
                hits = list(pattern.finditer(text, previous_end, r["start"]))
                if hits:
                    edits.append(TextEdit(hits[-1].start(), hits[-1].end(), new))
            previous_end = r["end"]
        return edits


def _gap_edits(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> list[TextEdit]:
    """Edits that make ``text[start:end]`` (between two merged turns) one space, keeping the
    marks in it, each between single spaces."""
    inside = sorted((s, e) for s, e in marks if start <= s and e <= end)
    edits, position = [], start
    for s, e in [*inside, (end, end)]:
        if text[position:s] != " ":
            edits.append(TextEdit(position, s, " "))
        position = e
    return edits


def _inverse(old_text: str, edits: list[TextEdit]) -> list[TextEdit]:
    """The edits that take the edited text back to ``old_text``."""
    out, shift = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        start = edit.start + shift
        out.append(TextEdit(start, start + len(edit.replacement), old_text[edit.start:edit.end]))
        shift += len(edit.replacement) - (edit.end - edit.start)
    return out


def _edits_json(edits: list[TextEdit]) -> list[list[Any]]:
    return [[e.start, e.end, e.replacement] for e in edits]


def _word_edits(offset: int, old: str, new: str) -> list[TextEdit]:
    """The smallest edit from ``old`` to ``new``: the common beginning and end are kept, so units
    on the words that stay keep their exact span."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return [TextEdit(offset + head, offset + len(old) - tail, new[head:len(new) - tail])]


def _check_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise UserError("a speaker label cannot be empty")
    if ":" in label or len(label) > 60:
        raise UserError(f"speaker label {label!r} must be short and without a colon")
    return label


def _known_speaker(speakers: dict[str, Any], label: str, tid: str) -> str:
    if label in speakers:
        return label
    folded = {k.casefold(): k for k in speakers}
    if label.casefold() in folded:
        return folded[label.casefold()]
    raise UserError(f"no speaker {label!r} in {tid} (speakers: {', '.join(sorted(speakers)) or 'none'})")


def _ranges(indexes: list[int]) -> str:
    parts, start = [], indexes[0]
    for a, b in zip(indexes, [*indexes[1:], None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b if b is not None else start
    return ",".join(parts)

"""The codebook in a project: codes, their tree, the journaled changes to it, and its history
(a version of the whole codebook at every change; see :mod:`.codebook_history`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from . import codebook_history as history
from .connection import SharedConnection
from .transcripts import TranscriptStore

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.models import CodeNode
    from .codebook_history import CodebookVersion

_EDITABLE = ("name", "definition", "inclusion", "exclusion", "examples", "keywords", "colour", "codable")


class CodebookStore(TranscriptStore):
    # --- every write transaction watches the codebook --------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[SharedConnection]:
        """A write transaction (see :meth:`ProjectBase.transaction`) that also keeps the codebook's
        history: a change to the codebook that no codebook edit recorded (an undo, a redo, a
        merge of projects) becomes a version before the transaction commits."""
        with super().transaction() as conn:
            watched = history.watch(conn)
            yield conn
            if watched:
                history.settle(conn)

    # --- history ---------------------------------------------------------------------------------

    def codebook_versions(self) -> list[CodebookVersion]:
        """Every version of the codebook, oldest first (a project from before codebook history
        gets its first version now)."""
        self._begin_history()
        return history.versions(self.conn)

    def codebook_version(self, version_id: int) -> CodebookVersion:
        self._begin_history()
        return history.version(self.conn, version_id)

    def codebook_as_of(self, when: str | datetime) -> CodebookVersion:
        """The codebook as it was at ``when`` (a date: the end of that day; UTC unless an offset is
        given)."""
        if isinstance(when, str):
            history.parse_moment(when)  # a malformed date is refused before anything is written
        self._begin_history()
        return history.as_of(self.conn, when)

    def codebook_diff(self, first: int, second: int) -> list[dict[str, Any]]:
        """What changed from version ``first`` to ``second`` (see :func:`.codebook_history.changes`)."""
        self._begin_history()
        return history.diff(self.conn, first, second)[2]

    def _begin_history(self) -> None:
        if history.wants_first_version(self.conn):
            with self.transaction():
                pass  # watching a transaction gives a codebook without history its first version

    # --- codebook ------------------------------------------------------------------------------

    def codebook(self) -> Codebook:
        from ..core.codebook import Codebook

        rows = self.conn.execute("SELECT * FROM codes ORDER BY position, rowid").fetchall()
        nodes = [self._code_from_row(r) for r in rows]
        book = Codebook(
            name=self.meta("codebook_name") or "Kodebok",
            description=self.meta("codebook_description") or "",
            codes=nodes,
        )
        return Codebook(name=book.name, description=book.description, codes=[n for _, n in book.walk()])

    @staticmethod
    def _code_from_row(r: sqlite3.Row) -> CodeNode:
        from ..core.models import CodeNode

        return CodeNode(
            id=r["id"], name=r["name"], parent=r["parent_id"], definition=r["definition"],
            inclusion=r["inclusion"], exclusion=r["exclusion"], examples=json.loads(r["examples"]),
            keywords=json.loads(r["keywords"]), colour=r["colour"], codable=bool(r["codable"]),
        )

    def code(self, code_id: str) -> CodeNode:
        row = self.conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            row = self.conn.execute("SELECT * FROM codes WHERE id = ? COLLATE NOCASE", (code_id,)).fetchone()
        if row is None:
            raise UserError(f"no code {code_id!r} in the codebook{self._did_you_mean(code_id)} "
                            "(see 'qualcode codebook PROJECT')")
        return self._code_from_row(row)

    def _did_you_mean(self, wrong: str) -> str:
        """``; did you mean 'hap-gjenkjennelse'?`` for a code id or name close to ``wrong``."""
        import difflib

        rows = self.conn.execute("SELECT id, name FROM codes").fetchall()
        by_name = {r[1].casefold(): r[0] for r in rows}
        ids = [r[0] for r in rows]
        close = difflib.get_close_matches(wrong, ids, n=3, cutoff=0.6)
        close += [by_name[n] for n in difflib.get_close_matches(wrong.casefold(), list(by_name), n=2, cutoff=0.6)
                  if by_name[n] not in close]
        return f"; did you mean {' or '.join(repr(c) for c in close[:3])}?" if close else ""

    def _insert_codes(self, nodes: Iterable[CodeNode]) -> None:
        for position, node in enumerate(nodes):
            self._insert_code(node, position)

    def _insert_code(self, node: CodeNode, position: int) -> None:
        self.conn.execute(
            "INSERT INTO codes (id, name, parent_id, position, definition, inclusion, exclusion, examples,"
            " keywords, colour, codable) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (node.id, node.name, node.parent, position, node.definition, node.inclusion, node.exclusion,
             json.dumps(node.examples, ensure_ascii=False), json.dumps(node.keywords, ensure_ascii=False),
             node.colour, int(node.codable)),
        )

    def load_codebook(self, codebook: Codebook, *, coder: str | None = None) -> tuple[list[str], list[str]]:
        """Add a codebook's codes to the project; codes with a known id are updated. Undoable.

        Returns (added ids, updated ids).
        """
        added: list[str] = []
        updated: list[str] = []
        label = f"load codebook {codebook.name}"
        with self.action(label, coder) as conn:
            next_position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            for node in codebook.codes:
                exists = conn.execute("SELECT 1 FROM codes WHERE id = ?", (node.id,)).fetchone()
                if exists:
                    conn.execute(
                        "UPDATE codes SET name=?, parent_id=?, definition=?, inclusion=?, exclusion=?,"
                        " examples=?, keywords=?, colour=?, codable=? WHERE id=?",
                        (node.name, node.parent, node.definition, node.inclusion, node.exclusion,
                         json.dumps(node.examples, ensure_ascii=False), json.dumps(node.keywords, ensure_ascii=False),
                         node.colour, int(node.codable), node.id),
                    )
                    updated.append(node.id)
                else:
                    self._insert_code(node, next_position)
                    next_position += 1
                    added.append(node.id)
            self._check_no_cycle(conn)
            if not self.meta("codebook_name"):
                conn.execute("INSERT INTO meta VALUES ('codebook_name', ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (codebook.name,))
                conn.execute("INSERT INTO meta VALUES ('codebook_description', ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (codebook.description,))
            history.record(conn, label, coder)
        return added, updated

    def _check_no_cycle(self, conn: SharedConnection) -> None:
        parents = dict(conn.execute("SELECT id, parent_id FROM codes").fetchall())
        for start in parents:
            seen = {start}
            current = parents[start]
            while current is not None:
                if current in seen:
                    raise UserError(f"that would make code {start!r} its own ancestor")
                seen.add(current)
                current = parents.get(current)

    def add_code(self, node: CodeNode, *, coder: str | None = None) -> CodeNode:
        if node.parent is not None:
            self.code(node.parent)
        with self.action(f"add code {node.id}", coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE id = ?", (node.id,)).fetchone():
                raise UserError(f"a code with id {node.id!r} exists already")
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            self._insert_code(node, position)
            history.record(conn, f"add code {node.id}", coder)
        return self.code(node.id)

    def update_code(self, code_id: str, *, coder: str | None = None, expected: dict[str, Any] | None = None,
                    **fields: Any) -> CodeNode:
        """Change a code's name, definition, criteria, examples, keywords, colour or codable.

        Only ``fields`` change: the rest is read under the write lock, so another coder's edit
        of another field made meanwhile stays. ``expected``: the values the editor showed for
        the fields it changes; if someone changed them since, nothing is changed and the
        :class:`UserError` says who and what (two people renaming one code)."""
        from ..core.models import CodeNode

        code_id = self.code(code_id).id
        verb = "rename" if set(fields) == {"name"} else "edit"
        with self.action(f"{verb} code {code_id}", coder) as conn:
            current = self.code(code_id)
            for field, seen in (expected or {}).items():
                now = getattr(current, field)
                if now != seen:
                    row = conn.execute("SELECT who, label FROM codebook_versions ORDER BY id DESC LIMIT 1").fetchone()
                    by = f" by {row[0]}" if row and row[0] else ""
                    raise UserError(f"code {code_id} was changed meanwhile{by}: its {field} is now «{now}», not "
                                    f"«{seen}»; nothing was changed. Look again, then edit it once more")
            changed = CodeNode.from_user(**(current.model_dump() | fields))
            if verb == "rename":
                what = f"rename code {current.id} ({current.name} → {changed.name})"
            else:
                edited = [f for f in _EDITABLE if getattr(current, f) != getattr(changed, f)]
                what = f"edit code {current.id} ({', '.join(edited)})"
            conn.execute(
                "UPDATE codes SET name=?, definition=?, inclusion=?, exclusion=?, examples=?, keywords=?,"
                " colour=?, codable=? WHERE id=?",
                (changed.name, changed.definition, changed.inclusion, changed.exclusion,
                 json.dumps(changed.examples, ensure_ascii=False), json.dumps(changed.keywords, ensure_ascii=False),
                 changed.colour, int(changed.codable), current.id),
            )
            history.record(conn, what, coder)
        return self.code(current.id)

    def rename_code(self, code_id: str, name: str, *, coder: str | None = None, was: str | None = None) -> CodeNode:
        """Rename a code; ``was``: the name the renamer saw (a rename since is a conflict)."""
        return self.update_code(code_id, name=name, coder=coder, expected=None if was is None else {"name": was})

    def move_code(self, code_id: str, new_parent: str | None, *, coder: str | None = None) -> CodeNode:
        node = self.code(code_id)
        parent = self.code(new_parent).id if new_parent is not None else None
        label = f"move code {node.id}"
        with self.action(label, coder) as conn:
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            conn.execute("UPDATE codes SET parent_id = ?, position = ? WHERE id = ?", (parent, position, node.id))
            self._check_no_cycle(conn)
            moved: dict[str, Any] = {}
            if parent != node.parent:  # the code's units, and its subcodes', now count under another theme
                subtree = [node.id, *(d.id for d in self.codebook().descendants(node.id))]
                units = conn.execute(f"SELECT count(*) FROM codings WHERE code_id IN ({','.join('?' * len(subtree))})",
                                     subtree).fetchone()[0]
                moved = {node.id: {"how": "move", "from": node.parent, "to": parent, "units": units}}
            history.record(conn, label, coder, moved)
        return self.code(node.id)

    def merge_codes(self, source: str, target: str, *, coder: str | None = None) -> int:
        """Fold ``source`` into ``target``: its codings and children move, then it is removed.

        A coding that would duplicate one the same coder already has on ``target`` is dropped.
        Returns how many codings moved.
        """
        src, dst = self.code(source), self.code(target)
        if src.id == dst.id:
            raise UserError("cannot merge a code into itself")
        if dst.id in {d.id for d in self.codebook().descendants(src.id)}:
            raise UserError(f"cannot merge {src.id!r} into its own subcode {dst.id!r}")
        label = f"merge code {src.id} into {dst.id}"
        with self.action(label, coder) as conn:
            conn.execute(
                "DELETE FROM codings WHERE code_id = ? AND EXISTS (SELECT 1 FROM codings d WHERE d.code_id = ?"
                " AND d.transcript_id = codings.transcript_id AND d.start = codings.start AND d.end = codings.end"
                " AND d.coder = codings.coder)",
                (src.id, dst.id),
            )
            moved = conn.execute("UPDATE codings SET code_id = ? WHERE code_id = ?", (dst.id, src.id)).rowcount
            conn.execute("UPDATE codes SET parent_id = ? WHERE parent_id = ?", (dst.id, src.id))
            conn.execute(
                "UPDATE memos SET target_id = ? WHERE target_type = 'code' AND target_id = ?", (dst.id, src.id)
            )
            conn.execute("DELETE FROM codes WHERE id = ?", (src.id,))
            history.record(conn, label, coder, {src.id: {"how": "merge", "to": dst.id, "units": moved}})
        return moved

    def split_code(
        self, code_id: str, new: CodeNode, coding_ids: Iterable[int], *, coder: str | None = None
    ) -> CodeNode:
        """Split a code: create ``new`` and move the given codings of ``code_id`` to it.

        ``new.parent`` decides where the new code sits: under ``code_id`` to make a subtheme, or
        beside it.
        """
        source = self.code(code_id)
        ids = sorted(set(coding_ids))
        if not ids:
            raise UserError("name the codings (meaning units) that go to the new code")
        label = f"split code {source.id}"
        with self.action(label, coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE id = ?", (new.id,)).fetchone():
                raise UserError(f"a code with id {new.id!r} exists already")
            parent_found = new.parent is None or conn.execute(
                "SELECT 1 FROM codes WHERE id = ?", (new.parent,)).fetchone()
            if not parent_found:
                raise UserError(f"no code {new.parent!r} to put the new code under")
            placeholders = ",".join("?" * len(ids))
            found = {
                r[0]: r[1]
                for r in conn.execute(f"SELECT id, code_id FROM codings WHERE id IN ({placeholders})", ids)
            }
            for cid in ids:
                if cid not in found:
                    raise UserError(f"no meaning unit with id {cid}")
                if found[cid] != source.id:
                    raise UserError(f"meaning unit {cid} is coded {found[cid]!r}, not {source.id!r}")
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            self._insert_code(new, position)
            conn.execute(f"UPDATE codings SET code_id = ? WHERE id IN ({placeholders})", [new.id, *ids])
            history.record(conn, label, coder, {source.id: {"how": "split", "to": new.id, "units": len(ids)}})
        return self.code(new.id)

    def delete_code(self, code_id: str, *, coder: str | None = None) -> None:
        node = self.code(code_id)
        with self.action(f"delete code {node.id}", coder) as conn:
            if conn.execute("SELECT 1 FROM codes WHERE parent_id = ?", (node.id,)).fetchone():
                raise UserError(f"code {node.id!r} has subcodes; move or merge them first")
            used = conn.execute("SELECT count(*) FROM codings WHERE code_id = ?", (node.id,)).fetchone()[0]
            if used:
                raise UserError(f"code {node.id!r} is used by {used} meaning unit(s); "
                                "merge it into another code instead")
            conn.execute("DELETE FROM codes WHERE id = ?", (node.id,))
            history.record(conn, f"delete code {node.id}", coder)

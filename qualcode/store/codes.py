"""The codebook in a project: codes, their tree, and the journaled changes to it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from .connection import SharedConnection
from .transcripts import TranscriptStore

if TYPE_CHECKING:
    from ..core.codebook import Codebook
    from ..core.models import CodeNode



class CodebookStore(TranscriptStore):
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
            raise UserError(f"no code {code_id!r} in the codebook (see 'qualcode codebook PROJECT')")
        return self._code_from_row(row)

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

    def load_codebook(self, codebook: Codebook) -> tuple[list[str], list[str]]:
        """Add a codebook's codes to the project; codes with a known id are updated. Undoable.

        Returns (added ids, updated ids).
        """
        added: list[str] = []
        updated: list[str] = []
        with self.action(f"load codebook {codebook.name}") as conn:
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
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('codebook_name', ?)", (codebook.name,))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('codebook_description', ?)", (codebook.description,))
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
        return self.code(node.id)

    def update_code(self, code_id: str, *, coder: str | None = None, **fields: Any) -> CodeNode:
        """Change a code's name, definition, criteria, examples, keywords, colour or codable."""
        from ..core.models import CodeNode

        current = self.code(code_id)
        changed = CodeNode.from_user(**(current.model_dump() | fields))
        verb = "rename" if set(fields) == {"name"} else "edit"
        with self.action(f"{verb} code {current.id}", coder) as conn:
            conn.execute(
                "UPDATE codes SET name=?, definition=?, inclusion=?, exclusion=?, examples=?, keywords=?,"
                " colour=?, codable=? WHERE id=?",
                (changed.name, changed.definition, changed.inclusion, changed.exclusion,
                 json.dumps(changed.examples, ensure_ascii=False), json.dumps(changed.keywords, ensure_ascii=False),
                 changed.colour, int(changed.codable), current.id),
            )
        return self.code(current.id)

    def rename_code(self, code_id: str, name: str, *, coder: str | None = None) -> CodeNode:
        return self.update_code(code_id, name=name, coder=coder)

    def move_code(self, code_id: str, new_parent: str | None, *, coder: str | None = None) -> CodeNode:
        node = self.code(code_id)
        parent = self.code(new_parent).id if new_parent is not None else None
        with self.action(f"move code {node.id}", coder) as conn:
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM codes").fetchone()[0]
            conn.execute("UPDATE codes SET parent_id = ?, position = ? WHERE id = ?", (parent, position, node.id))
            self._check_no_cycle(conn)
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
        with self.action(f"merge code {src.id} into {dst.id}", coder) as conn:
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
        with self.action(f"split code {source.id}", coder) as conn:
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

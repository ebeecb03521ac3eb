"""Who is who on a server project: members are database roles, each coding as one coder.

The server enforces what each may do (see ``_TEAM`` in :mod:`.schema`), not only the workbench:

* a **coder** reads the project and changes it; a **blind** coder's queries return only their
  own units, their suggestions, memos and journal, and the audit entries of their own work (plus
  the consensus), and the server refuses a unit written under another coder's initials;
* a **reader** (an author exporting quotes, a supervisor) reads and exports; the server refuses
  every change, and the exports still go into the audit trail;
* roles that are not members (the project's owner, an administrator) see and may do everything,
  as on a project file.

The owner of the project's tables (the role that made it) adds and removes members; each member
must be a role the institution has made (``CREATE ROLE ... LOGIN``): qualcode stores no password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg import sql

from ...core.errors import UserError
from ...core.models import check_coder
from .. import audit
from .connection import PgConnection


@dataclass(frozen=True)
class Member:
    role: str
    coder: str
    blind: bool
    read_only: bool

    @property
    def access(self) -> str:
        return "reader" if self.read_only else "blind coder" if self.blind else "coder"

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "coder": self.coder, "blind": self.blind, "read_only": self.read_only,
                "access": self.access}


def _conn(project: Any) -> PgConnection:
    conn = project.conn
    if conn.dialect != "postgresql":
        raise UserError("team members are database roles: for a project on a PostgreSQL server (put this one "
                        "there with 'qualcode copy FILE URL')", path=str(project.path))
    return conn


def members(project: Any) -> list[Member]:
    rows = _conn(project).execute("SELECT role, coder, blind, read_only FROM team_members ORDER BY role").fetchall()
    return [Member(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]


def _check_owner(conn: PgConnection) -> None:
    owner = conn.execute("SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables"
                         " WHERE schemaname = current_schema() AND tablename = 'team_members'").fetchone()
    if not owner or not owner[0]:
        raise UserError("only the project's owner (the role that made it) can change who is on the team")


def add_member(project: Any, role: str, *, coder: str | None, blind: bool = False, read_only: bool = False) -> Member:
    conn = _conn(project)
    _check_owner(conn)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone() is None:
        raise UserError(f"the server has no role {role!r}; ask its administrator to make it "
                        f"(CREATE ROLE \"{role}\" LOGIN), then add it")
    if read_only:
        coder = check_coder(coder) if coder else role
    elif not coder:
        raise UserError("a coder on the team needs their initials: --coder AB")
    else:
        coder = check_coder(coder)
    taken = conn.execute("SELECT role FROM team_members WHERE coder = ? AND role <> ?", (coder, role)).fetchone()
    if taken is not None and not read_only:
        raise UserError(f"the initials {coder} belong to role {taken[0]} already")
    schema = conn.execute("SELECT current_schema()").fetchone()[0]
    who, where = sql.Identifier(role), sql.Identifier(schema)
    grants = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(where, who),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(where, who),
        sql.SQL("GRANT SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
    ]
    if read_only:  # its exports are recorded: the trail is the one thing it adds to
        grants.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} FROM {}").format(where, who))
        grants.append(sql.SQL("GRANT INSERT ON audit_log TO {}").format(who))
    else:
        grants += [
            sql.SQL("GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(where, who),
            sql.SQL("GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(where, who),
        ]
    # Nobody but the owner changes who is who or the schema's version.
    grants.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON team_members, qualcode_schema FROM {}").format(who))
    with project.transaction():
        for statement in grants:
            conn.pg.execute(statement)
        conn.execute("DELETE FROM team_members WHERE role = ?", (role,))
        conn.execute("INSERT INTO team_members (role, coder, blind, read_only, added_at) VALUES (?, ?, ?, ?, ?)",
                     (role, coder, int(blind), int(read_only), datetime.now(UTC).isoformat(timespec="seconds")))
        member = Member(role, coder, blind, read_only)
        audit.append(conn, None, "team", f"team: role {role} is a {member.access} as {coder}", member.as_dict())
    return member


def remove_member(project: Any, role: str) -> None:
    conn = _conn(project)
    _check_owner(conn)
    if conn.execute("SELECT 1 FROM team_members WHERE role = ?", (role,)).fetchone() is None:
        raise UserError(f"role {role!r} is not on the team (see: qualcode team PROJECT)")
    schema = conn.execute("SELECT current_schema()").fetchone()[0]
    who, where = sql.Identifier(role), sql.Identifier(schema)
    with project.transaction():
        conn.pg.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(where, who))
        conn.pg.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(where, who))
        conn.pg.execute(sql.SQL("REVOKE USAGE ON SCHEMA {} FROM {}").format(where, who))
        conn.execute("DELETE FROM team_members WHERE role = ?", (role,))
        audit.append(conn, None, "team", f"team: role {role} removed", {"role": role})

"""``qualcode doctor [FOLDER_OR_PROJECT]``: is this installation ready to work, offline?

Checks, each as one line (``ok``, ``warn`` or ``FAIL``): the Python version; every package
qualcode needs, importable and in the range it was built for; the spaCy model (or basic mode);
write access to the project folder and whether it is a network folder; the terminal's colours
and size. Exits 1 when anything fails, so a script on a locked-down server can call it after an
offline install.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import UserError

# (distribution, module to import): what 'pip install qualcode' brings.
PACKAGES = [
    ("pydantic", "pydantic"), ("PyYAML", "yaml"), ("python-docx", "docx"),
    ("charset-normalizer", "charset_normalizer"), ("rapidfuzz", "rapidfuzz"), ("textual", "textual"),
    ("spacy", "spacy"), ("openpyxl", "openpyxl"), ("platformdirs", "platformdirs"),
    ("matplotlib", "matplotlib"), ("lxml", "lxml"), ("numpy", "numpy"),
]
MIN_PYTHON = (3, 11)
MIN_SIZE = (80, 24)


@dataclass
class Check:
    status: str  # "ok", "warn", "FAIL"
    what: str
    detail: str


def python_check() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        return Check("FAIL", "python", f"{version}; qualcode needs {'.'.join(map(str, MIN_PYTHON))} or newer")
    return Check("ok", "python", f"{version} ({sys.executable})")


def package_checks() -> list[Check]:
    from importlib import metadata  # here, not at the top: only doctor reads package metadata

    wanted = _requirements()
    checks = []
    for dist, module in PACKAGES:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            checks.append(Check("FAIL", dist, "not installed; install qualcode's wheelhouse again (see the README)"))
            continue
        try:
            importlib.import_module(module)
        except Exception as exc:  # a broken install says why, whatever it is
            checks.append(Check("FAIL", dist, f"{version} is installed but does not import: {exc}"))
            continue
        spec = wanted.get(dist.lower())
        if spec is not None and not spec.contains(version, prereleases=True):
            checks.append(Check("warn", dist, f"{version}, but qualcode was built for {spec}"))
        else:
            checks.append(Check("ok", dist, version))
    return checks


def _requirements() -> dict:
    """qualcode's own requirement ranges, from its installed metadata."""
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:  # packaging comes with pip and most installs; without it, no range check
        return {}
    out = {}
    for line in metadata.requires("qualcode") or []:
        req = Requirement(line)
        if req.marker is None:
            out[req.name.lower()] = req.specifier
    return out


def model_check(name_or_path: str | None) -> Check:
    from ..nlp.model import INSTALL_HINT, load_pipeline

    try:
        pipeline = load_pipeline(name_or_path)
    except UserError as exc:
        return Check("FAIL", "nlp model", str(exc))
    if pipeline.basic:
        return Check("warn", "nlp model", f"basic mode (no lemmas, no name recognition); for the real model: "
                                          f"{INSTALL_HINT}, or a wheel of it in the wheelhouse")
    return Check("ok", "nlp model", f"{pipeline.name} {pipeline.version}")


def folder_checks(target: Path) -> list[Check]:
    from ..store import fsinfo

    folder = target if target.is_dir() else target.parent
    checks = []
    probe = folder / f".qualcode-doctor-{os.getpid()}"
    try:
        probe.write_bytes(b"\0" * 4096)
        probe.unlink()
        checks.append(Check("ok", "project folder", f"{folder.resolve()} can be written"))
    except OSError as exc:
        checks.append(Check("FAIL", "project folder", f"{folder.resolve()} cannot be written: {exc.strerror}"))
    kind = fsinfo.filesystem_type(folder) or "unknown"
    if fsinfo.is_network(folder):
        checks.append(Check("warn", "file system", f"{kind}, a network folder: qualcode uses a rollback journal "
                                                   "and one qualcode at a time per project (a lock file)"))
    else:
        checks.append(Check("ok", "file system", f"{kind}, local: several qualcode processes at once"))
    return checks


def terminal_checks() -> list[Check]:
    if not sys.stdout.isatty():
        return [Check("ok", "terminal", "not a terminal (a script or a pipe): the workbench needs one")]
    import shutil

    columns, lines = shutil.get_terminal_size()
    checks = []
    if (columns, lines) < MIN_SIZE or columns < MIN_SIZE[0] or lines < MIN_SIZE[1]:
        checks.append(Check("warn", "terminal size", f"{columns}×{lines}; the workbench wants at least "
                                                     f"{MIN_SIZE[0]}×{MIN_SIZE[1]}"))
    else:
        checks.append(Check("ok", "terminal size", f"{columns}×{lines}"))
    term, colorterm = os.environ.get("TERM", ""), os.environ.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        checks.append(Check("ok", "colours", "true colour"))
    elif "256" in term:
        checks.append(Check("ok", "colours", f"256 colours ({term})"))
    else:
        checks.append(Check("warn", "colours", f"TERM={term or 'unset'}: code colours may look alike; "
                                               "try TERM=xterm-256color"))
    return checks


def server_checks(where: str) -> list[Check]:
    """A server project: the driver, the connection, the project there, and what this role may do."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return [Check("FAIL", "server", "psycopg is not installed: pip install 'qualcode[team]'")]
    from ..core.errors import UserError as Refused
    from ..store import Project

    try:
        project = Project.open(where, backup=False)
    except Refused as exc:
        return [Check("FAIL", "server", exc.message)]
    with project:
        conn = project.conn
        version = conn.execute("SHOW server_version").fetchone()[0]
        role = conn.execute("SELECT current_user").fetchone()[0]
        checks = [Check("ok", "server", f"PostgreSQL {version}, connected as role {role}"),
                  Check("ok", "project", f"{project.name}, schema {project.info().schema_version}")]
        member = conn.execute("SELECT coder, blind, read_only FROM team_members WHERE role = ?", (role,)).fetchone()
        if member is None:
            access = "not a team member: sees everything" + ("" if project.may_write() else ", may not change it")
        else:
            access = (f"team member as {member[0]}: " + ("reader" if member[2] else "blind coder" if member[1]
                                                         else "coder"))
        checks.append(Check("ok" if project.may_write() or (member and member[2]) else "warn", "access", access))
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    from ..store.pg.url import is_server_address

    if is_server_address(args.where):
        place = server_checks(args.where)
    else:
        target = Path(args.where)
        if not target.exists():
            raise UserError("no such folder or project", path=target)
        place = folder_checks(target)
    checks = [python_check(), *package_checks(), model_check(args.nlp_model), *place, *terminal_checks()]
    if args.json:
        from .output import emit_json

        emit_json([c.__dict__ for c in checks])
    else:
        width = max(len(c.what) for c in checks)
        for c in checks:
            print(f"{c.status:<4}  {c.what:<{width}}  {c.detail}")
    failed = [c for c in checks if c.status == "FAIL"]
    if failed and not args.json:
        print(f"{len(failed)} problem(s): qualcode will not work properly until they are fixed", file=sys.stderr)
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check this installation: Python, packages, NLP model, folder, terminal",
                       description="check this installation: Python, packages, NLP model, folder, terminal")
    p.add_argument("where", nargs="?", default=".", metavar="FOLDER_OR_PROJECT",
                   help="where projects are kept (default: this folder), or a server project's URL")
    p.add_argument("--nlp-model", metavar="NAME_OR_PATH", help="the spaCy model to check (default as everywhere)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_doctor)

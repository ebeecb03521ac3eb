"""The ``qualcode`` argument parser, put together from the command modules.

Each command module has a ``register(sub)`` that adds its subcommands next to their handlers,
with the calls argparse knows (``sub.add_parser``, ``p.add_argument``, ``p.set_defaults``). Here
they register into a :class:`CommandTable`, which only notes the calls; argparse objects are
made afterwards, in the order of :data:`ORDER` (the order ``qualcode --help`` lists them), and
only for the command being run when the command line names one: ``qualcode info X`` does not
build forty other parsers it will not use. What argparse prints and does is the same either way.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from . import (
    agreement_commands,
    analysis_commands,
    audit_commands,
    codebook_commands,
    coding_commands,
    doctor,
    export_commands,
    history_commands,
    methods_commands,
    nlp_commands,
    project_commands,
    repair_commands,
    serve_commands,
    team_commands,
    transcript_commands,
)

# Who registers commands. Typed loosely: each takes argparse's subparsers, or a CommandTable.
REGISTRARS: tuple[Callable[[Any], None], ...] = (
    project_commands.register, transcript_commands.register, repair_commands.register, codebook_commands.register,
    coding_commands.register, team_commands.register, history_commands.register, audit_commands.register,
    nlp_commands.register,
    export_commands.register, agreement_commands.register, analysis_commands.register, methods_commands.register,
    doctor.register,
    serve_commands.register,
)

# The order of `qualcode --help`: a project's life, roughly; the NLP, export and check tools last.
ORDER = (
    "init", "example", "import", "info", "transcripts", "show", "roles", "group", "speakers", "turns",
    "transcript",
    "codebook", "code-add", "code-rename", "code-move", "code-merge", "code-split", "code-delete",
    "code", "units", "unit", "memo", "merge", "reconcile", "team", "undo", "redo", "history", "audit",
    "backup", "backups", "restore", "copy", "check", "open", "serve",
    "nlp-status", "analyse", "propose", "suggest", "autocode", "kwic", "deidentify", "names", "redact",
    "vocabulary", "export", "agreement", "cooccurrence", "saturation", "methods", "doctor",
)


class PendingCommand:
    """A subcommand as its module described it: the calls, kept to be made on a real parser."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name = name
        self.options = options
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(("add_argument", args, kwargs))

    def set_defaults(self, **kwargs: Any) -> None:
        self.calls.append(("set_defaults", (), kwargs))

    def build(self, sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
        parser = sub.add_parser(self.name, **self.options)
        for method, args, kwargs in self.calls:
            getattr(parser, method)(*args, **kwargs)
        return parser


class CommandTable:
    """Stands in for argparse's subparsers while the modules register: ``add_parser`` notes a
    command and hands back a :class:`PendingCommand` for its arguments."""

    def __init__(self) -> None:
        self.commands: dict[str, PendingCommand] = {}

    def add_parser(self, name: str, **options: Any) -> PendingCommand:
        if name in self.commands:
            raise ValueError(f"two commands named {name!r}")
        self.commands[name] = PendingCommand(name, options)
        return self.commands[name]

    def ordered(self) -> list[PendingCommand]:
        """Every command, in the order of :data:`ORDER`; one missing from it comes last."""
        rank = {name: i for i, name in enumerate(ORDER)}
        return sorted(self.commands.values(), key=lambda c: rank.get(c.name, len(ORDER)))


def command_table() -> CommandTable:
    table = CommandTable()
    for register in REGISTRARS:
        register(table)
    return table


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: when its first word names a command, with that command alone
    (all argparse needs to parse it, or to print its help and errors); else with every command."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="qualcode",
        description="Code qualitative interview data: transcripts, codebooks, meaning units.",
        epilog="Run 'qualcode COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"qualcode {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    table = command_table()
    first = argv[0] if argv else None
    if first is not None and first in table.commands:
        table.commands[first].build(sub)
    else:
        for command in table.ordered():
            command.build(sub)
    return parser

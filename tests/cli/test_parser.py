"""The parser put together from the command modules: every command once, in the order of
``qualcode --help``, and the same parser whether it is built whole or for one command."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from qualcode.cli import build_parser, main
from qualcode.cli.parser import ORDER, CommandTable, command_table


def commands_of(parser: argparse.ArgumentParser) -> list[str]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def printed(capsys, parser: argparse.ArgumentParser, argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_every_registered_command_is_listed_once_in_order():
    assert sorted(command_table().commands) == sorted(ORDER)
    assert len(set(ORDER)) == len(ORDER)
    assert commands_of(build_parser()) == list(ORDER)


def test_a_command_named_twice_is_a_mistake():
    table = CommandTable()
    table.add_parser("info", help="x")
    with pytest.raises(ValueError, match="two commands named 'info'"):
        table.add_parser("info", help="y")


def test_naming_a_command_builds_that_command_alone():
    assert commands_of(build_parser(["info", "studie.qualcode"])) == ["info"]
    assert commands_of(build_parser(["--version"])) == list(ORDER)
    assert commands_of(build_parser(["no-such-command"])) == list(ORDER)


@pytest.mark.parametrize("name", ORDER)
def test_help_and_errors_are_the_same_from_the_whole_parser(name, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    whole = printed(capsys, build_parser(), [name, "--help"])
    alone = printed(capsys, build_parser([name, "--help"]), [name, "--help"])
    assert whole == alone and whole[0] == 0 and f"usage: qualcode {name}" in whole[1]
    # A mistake in the command's own arguments (an option it does not have):
    wrong = [name, "--no-such-option"]
    assert printed(capsys, build_parser(), wrong) == printed(capsys, build_parser(wrong), wrong)


def test_an_unknown_command_lists_them_all(capsys):
    with pytest.raises(SystemExit):
        main(["bogus"])
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus' (choose from " + ", ".join(f"'{n}'" for n in ORDER) + ")" in err


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"import sys\n{code}\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_the_parser_loads_no_store_models_or_yaml():
    loaded = _modules_after("import qualcode.cli; qualcode.cli.build_parser()")
    assert {"pydantic", "yaml", "textual", "spacy", "docx", "odf"}.isdisjoint(loaded)


def test_info_reads_no_yaml(tmp_path):
    from qualcode.store import Project

    Project.create(tmp_path / "p.qualcode").close()
    loaded = _modules_after("import io, contextlib\nfrom qualcode.cli import main\n"
                            f"with contextlib.redirect_stdout(io.StringIO()): main(['info', {str(tmp_path / 'p.qualcode')!r}])")
    assert "yaml" not in loaded and "textual" not in loaded

"""``qualcode serve``: the workbench in a web browser, for colleagues who avoid terminals.

The server is :mod:`qualcode.tui.serve` (textual-serve behind an access token); it is imported
only when the command runs, so ``qualcode --help`` loads neither textual-serve nor aiohttp.
"""

from __future__ import annotations

import argparse

from ..core.errors import UserError
from .common import add_command

# What `pip install 'qualcode[serve]'` brings; a missing one of these is the extra not installed.
WEB_PACKAGES = {"textual_serve", "aiohttp", "aiohttp_jinja2", "jinja2"}
INSTALL_HINT = "serving the workbench in a browser needs textual-serve: pip install 'qualcode[serve]'"


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 picks a free one)")
    return port


def cmd_serve(args: argparse.Namespace) -> int:
    from ..core.text import check_coder

    coder = check_coder(args.coder) if args.coder is not None else None
    try:
        from ..tui import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in WEB_PACKAGES:
            raise UserError(INSTALL_HINT) from None
        raise
    from ..store import Project
    from ..store.pg.url import location

    project = location(args.project)  # a server's URL: its password goes to each session by environment
    Project.open(project, backup=False).close()  # refuses a bad file or server before anything listens
    return serve.serve(project, host=args.host, port=args.port, coder=coder)


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "serve", cmd_serve, "the workbench in a web browser, for this computer only (an access token "
                    "in the address; reach it from elsewhere over an SSH tunnel)")
    p.add_argument("--port", type=port_number, default=8000, help="the port to listen on (default: 8000)")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default: 127.0.0.1, this computer only); any other is reachable "
                        "from the network and prints a warning")
    p.add_argument("--coder", help="who is coding, in every browser session (default: each session asks)")

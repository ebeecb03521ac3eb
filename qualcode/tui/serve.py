"""The workbench in a web browser (``qualcode serve``), through textual-serve.

textual-serve starts a command once for every browser connection (a websocket) and relays its
screen and keys; the command here is ``qualcode open PROJECT``, so each colleague gets the same
workbench in a process of their own, asked who is coding (or coding as ``--coder``). What this
module adds is the gate, because projects hold health data:

* it listens on 127.0.0.1 unless ``--host`` says otherwise, and warns when that is not loopback;
* every request needs the random access token: the printed address carries it, and the first page
  moves it into a cookie (HttpOnly, SameSite=Strict) and off the address bar; a request without it
  gets 403 and a line that names nothing of the project;
* a websocket must come from the page's own origin (another site open in the same browser cannot
  drive the workbench);
* there is no access log, so the token is printed once, in the address;
* each session has a settings folder of its own (the user's keys, no remembered coder), so that
  one colleague's initials are not the next one's;
* the page asks for no web fonts, so nothing leaves the machine.

A project on a PostgreSQL server is served the same way: each session opens its URL, without a
password on the session's command line (``ps`` shows it to every user of the machine); a password
the URL had goes to the session in its environment, as ``PGPASSWORD`` (~/.pgpass is better still:
then the URL has none).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import getpass
import hashlib
import ipaddress
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from ..core.errors import UserError
from ..store.pg.url import ServerAddress
from . import settings
from .location import child_environment

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN = "token"  # the query parameter of the printed address
FORBIDDEN = "403 Forbidden: open the address that 'qualcode serve' printed, with its token.\n"
# Answers carry these: no caching of the workbench, no referrer, no framing by another page.
SAFE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
# How long a workbench may take to quit when its session or the server ends (seconds).
QUIT_TIMEOUT = 5.0


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    return f"[{host}]" if ":" in host else host


def address(host: str, port: int, token: str) -> str:
    return f"http://{_url_host(host)}:{port}/?{TOKEN}={token}"


def host_warning(host: str, port: int) -> str | None:
    """The warning for a listen address that is not this computer alone (None for loopback)."""
    if is_loopback(host):
        return None
    return (f"qualcode: warning: listening on {host} port {port}, not on this computer alone: anyone who can reach "
            "it and has the address can read and change the project, unencrypted; the default (127.0.0.1) with "
            "an SSH tunnel is safer")


def banner(project: Path | ServerAddress, host: str, port: int, token: str, coder: str | None) -> list[str]:
    """What ``qualcode serve`` prints once it listens: the address with its token, how to reach it."""
    lines = [
        f"Serving {project.name} in a web browser. Open this address; its token is the key to the project,",
        "so share it only with colleagues who may see the project:",
        f"  {address(host, port, token)}",
    ]
    if is_loopback(host):
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "user"
        lines += [
            "It listens on this computer only: from another, tunnel over SSH first, then open the address there:",
            f"  ssh -L {port}:{_url_host(host)}:{port} {user}@{socket.gethostname()}",
        ]
    who = f"codes as {coder}" if coder else "asks who is coding"
    lines.append(f"Each browser tab is a workbench of its own and {who}. Ctrl+C stops.")
    return lines


def session_command(project: Path | ServerAddress, coder: str | None = None) -> str:
    """``qualcode open PROJECT``, with this Python, as each browser session runs it (textual-serve
    runs it in a shell; ``exec`` makes the workbench the session's process, not a shell's child).
    A server's URL is the one shown, without a password (see :class:`SessionService`)."""
    where = str(project) if isinstance(project, ServerAddress) else str(project.resolve())
    argv = [sys.executable, "-m", "qualcode", "open", where]
    if coder:
        argv += ["--coder", coder]
    return ("exec " if os.name == "posix" else "") + shlex.join(argv)


def session_settings() -> dict[str, Any]:
    """The user's settings without the remembered coders (each session asks, or has ``--coder``)."""
    try:
        data = json.loads(settings.settings_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    data.pop("coders", None)
    return data


def _same(given: str | None, token: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), token.encode())


class SessionService(AppService):
    """One browser session's workbench process: with a settings folder of its own, and in a process
    session of its own (Ctrl+C in the server's terminal is for the server, which asks each
    workbench to quit). ``environment``: what the workbench needs besides the server's own (the
    password of a server project's URL)."""

    def __init__(self, command: str, *, config_dir: Path, environment: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.config_dir = config_dir
        self.environment = environment or {}

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self.environment)
        environment["QUALCODE_CONFIG_DIR"] = str(self.config_dir)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # As textual-serve's, with start_new_session.
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def end(self) -> None:
        """Ask the workbench to quit; end its process if it has not within :data:`QUIT_TIMEOUT`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop(), QUIT_TIMEOUT)
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class WorkbenchServer(Server):
    """textual-serve's server behind the token gate, one :class:`SessionService` per websocket."""

    def __init__(self, project: Path | ServerAddress, *, token: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 coder: str | None = None, say: Callable[[str], None] | None = None) -> None:
        super().__init__(session_command(project, coder), host=host, port=port, title="qualcode")
        self.project = project
        self.token = token
        self.coder = coder
        self.cookie = "qualcode-" + hashlib.sha256(token.encode()).hexdigest()[:12]
        self.say = say or (lambda line: print(line, flush=True))
        self.sockets: set[web.WebSocketResponse] = set()
        self._endings: set[asyncio.Future[None]] = set()
        self.stopping = False
        self._runner: web.AppRunner | None = None
        self._page: jinja2.Template | None = None

    # -- the aiohttp application ---------------------------------------------------------------

    async def make_app(self) -> web.Application:
        app = await self._make_app()
        app.middlewares.append(self._gate)
        app.on_response_prepare.append(_safe_headers)
        app.on_shutdown.append(self._close_sockets)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a logo and the command here; qualcode prints its own lines."""

    @web.middleware
    async def _gate(self, request: web.Request,
                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if _same(request.query.get(TOKEN), self.token):
            if request.path == "/":
                # The token goes into a cookie and off the address bar (and the browser's history).
                rest = [(k, v) for k, v in request.query.items() if k != TOKEN]
                response = web.Response(status=303, headers={"Location": "/" + (f"?{urlencode(rest)}" if rest else "")})
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
                return response
        elif not _same(request.cookies.get(self.cookie), self.token):
            return web.Response(status=403, text=FORBIDDEN)
        if request.path == "/ws" and not _same_origin(request):
            return web.Response(status=403, text=FORBIDDEN)
        return await handler(request)

    async def handle_index(self, request: web.Request) -> web.Response:
        """textual-serve's page, with the addresses of this request's host (an SSH tunnel may use
        another port) and without the web fonts."""
        if self._page is None:
            self._page = _page_template(self.templates_path / "app_index.html")
        scheme = "https" if request.secure else "http"
        html = self._page.render(
            font_size=to_int(request.query.get("fontsize", "16"), 16),
            app_websocket_url=f"{'wss' if request.secure else 'ws'}://{request.host}/ws",
            config={"static": {"url": f"{scheme}://{request.host}/static/"}},
            application={"name": "qualcode"},
        )
        return web.Response(text=html, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's: one workbench process for the websocket's life; with its own
        settings folder, a line when it starts and ends, and its process ended for sure."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        config_dir = Path(tempfile.mkdtemp(prefix="qualcode-session-"))
        (config_dir / "settings.json").write_text(json.dumps(session_settings(), ensure_ascii=False), encoding="utf-8")
        service: SessionService | None = None
        self.sockets.add(websocket)
        try:
            await websocket.prepare(request)
            service = SessionService(
                self.command, config_dir=config_dir, environment=child_environment(self.project),
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug,
            )
            self._tell("started")
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            self.say(f"qualcode: a browser session failed: {error!r}")
        finally:
            # aiohttp cancels this handler when the browser goes away: the ending is shielded, or the
            # workbench would live on without its browser.
            ending = asyncio.ensure_future(self._end_session(websocket, service, config_dir))
            self._endings.add(ending)
            ending.add_done_callback(self._endings.discard)
            await asyncio.shield(ending)
        return websocket

    async def _end_session(self, websocket: web.WebSocketResponse, service: SessionService | None,
                           config_dir: Path) -> None:
        try:
            if service is not None:
                await service.end()
        finally:
            self.sockets.discard(websocket)
            shutil.rmtree(config_dir, ignore_errors=True)
            if service is not None:
                self._tell("ended")

    def _tell(self, what: str) -> None:
        if not self.stopping:
            self.say(f"{time.strftime('%H:%M:%S')} a browser session {what} ({len(self.sockets)} open)")

    async def _close_sockets(self, app: web.Application) -> None:
        await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"qualcode serve stopped")
                               for ws in list(self.sockets)), return_exceptions=True)

    # -- running --------------------------------------------------------------------------------

    async def start(self) -> int:
        """Listen, print the address; the port listened on (``--port 0`` picks a free one)."""
        runner = web.AppRunner(await self.make_app(), access_log=None, handle_signals=False,
                               shutdown_timeout=QUIT_TIMEOUT + 2)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise UserError(_cannot_listen(exc, self.host, self.port)) from None
        self._runner = runner
        self.port = runner.addresses[0][1]
        if warning := host_warning(self.host, self.port):
            print(warning, file=sys.stderr, flush=True)
        for line in banner(self.project, self.host, self.port, self.token, self.coder):
            self.say(line)
        return self.port

    async def stop(self) -> None:
        self.stopping = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await asyncio.gather(*self._endings, return_exceptions=True)

    async def run(self) -> None:
        """Serve until Ctrl+C or SIGTERM."""
        await self.start()
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        handled = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stopped.set)
                handled.append(sig)
            except (NotImplementedError, RuntimeError):  # not on Windows, nor outside the main thread
                pass
        try:
            await stopped.wait()
        finally:
            self.stopping = True
            for sig in handled:
                loop.remove_signal_handler(sig)
            await self.stop()


def serve(project: Path | ServerAddress, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          coder: str | None = None) -> int:
    """Serve ``project`` until Ctrl+C; one line then. A port in use is a :class:`UserError`."""
    server = WorkbenchServer(project, token=new_token(), host=host, port=port, coder=coder)
    try:
        asyncio.run(server.run())
    except KeyboardInterrupt:  # where signal handlers cannot be set
        pass
    after_ctrl_c = "\n" if sys.stdout.isatty() else ""  # not on the line of the terminal's ^C
    print(f"{after_ctrl_c}qualcode: stopped serving {project.name}", flush=True)
    return 0


async def _safe_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SAFE_HEADERS.items():
        response.headers.setdefault(name, value)


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _page_template(path: Path) -> jinja2.Template:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\s*<link[^>]*fonts\.googleapis\.com[^>]*>", "", text)
    text = text.replace("<head>", "<head>\n    <title>qualcode</title>", 1)
    return jinja2.Environment(autoescape=True).from_string(text)


def _cannot_listen(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use on {host}; choose another with --port"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"

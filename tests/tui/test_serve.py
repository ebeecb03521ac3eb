"""``qualcode serve``: the workbench in a browser through textual-serve, safe by default. The gate
(no token, no project), the listen address and its warning, the lines it prints, and a session's
own process and coder; tests/browser/test_serve_browser.py drives it from a real browser."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.cli import build_parser, main

from ..conftest import REPO

# Nothing of the project may show before the token: its file name, title, codebook, transcript.
SECRETS = ("studie", "Testbok", "Fokusgruppe", "FG1", "kjente meg igjen", "hap-gjen")
ANSI = re.compile(r"\x1b(\[[0-9;?$]*[A-Za-z]|\][^\x07]*\x07)")


def web():
    return pytest.importorskip("qualcode.tui.serve", reason="textual-serve is not installed: pip install -e '.[test]'")


@pytest.fixture
def path(project) -> Path:
    project.close()
    return project.path


def nothing_of_the_project(body: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in body.lower(), f"{secret!r} shown without the token"


# -- the command line ------------------------------------------------------------------------------


def test_serve_listens_on_this_computer_alone_by_default():
    args = build_parser(["serve", "studie.qualcode"]).parse_args(["serve", "studie.qualcode"])
    assert (args.host, args.port, args.coder) == ("127.0.0.1", 8000, None)


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_a_port_that_is_not_one_is_an_argument_error(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "studie.qualcode", "--port", port])
    assert exit_.value.code == 2 and "not a port number" in capsys.readouterr().err


def test_help_loads_neither_textual_serve_nor_aiohttp():
    probe = ("import sys\nfrom qualcode.cli import main\n"
             "for argv in (['--help'], ['serve', '--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in {'textual_serve', 'aiohttp'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_without_textual_serve_one_line_says_what_to_install(path, capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "qualcode.tui.serve", raising=False)
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import textual_serve fails
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "qualcode: error: serving the workbench in a browser needs textual-serve: pip install 'qualcode[serve]'"]


def test_a_bad_coder_or_a_missing_project_is_one_line_before_anything_listens(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nope.qualcode")]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert main(["serve", str(tmp_path / "nope.qualcode"), "--coder", "A B"]) == 1
    assert "without spaces" in capsys.readouterr().err


def test_a_port_in_use_is_one_line_and_exit_1(path, capsys):
    web()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", str(path), "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"qualcode: error: port {port} is in use on 127.0.0.1; choose another with --port"]


# -- what it prints ----------------------------------------------------------------------------------


def test_the_banner_gives_the_address_with_its_token_and_the_ssh_tunnel():
    serve = web()
    token = serve.new_token()
    assert len(token) >= 32 and token != serve.new_token()
    lines = serve.banner(Path("/data/studie.qualcode"), "127.0.0.1", 8000, token, None)
    assert f"  http://127.0.0.1:8000/?token={token}" in lines
    assert any(line.strip().startswith("ssh -L 8000:127.0.0.1:8000 ") for line in lines)
    assert "asks who is coding" in lines[-1] and "Ctrl+C" in lines[-1]
    assert "codes as AB" in serve.banner(Path("studie.qualcode"), "127.0.0.1", 8000, token, "AB")[-1]
    assert serve.host_warning("127.0.0.1", 8000) is None
    assert serve.host_warning("localhost", 8000) is None and serve.host_warning("::1", 8000) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::", "server.example.org"])
def test_any_other_listen_address_warns(host):
    serve = web()
    warning = serve.host_warning(host, 8000)
    assert warning is not None and warning.startswith("qualcode: warning: ") and host in warning
    assert "\n" not in warning
    assert not any(line.strip().startswith("ssh -L") for line in serve.banner(Path("s.qualcode"), host, 8000, "t", None))


async def test_the_warning_is_printed_once_the_server_listens(path, capsys, monkeypatch):
    serve = web()
    monkeypatch.setattr(serve, "is_loopback", lambda host: False)  # stands in for --host 0.0.0.0
    server = serve.WorkbenchServer(path, token="t0ken", host="127.0.0.1", port=0)
    port = await server.start()
    await server.stop()
    out, err = capsys.readouterr()
    assert err.splitlines() == [serve.host_warning("127.0.0.1", port)]
    assert f"http://127.0.0.1:{port}/?token=t0ken" in out


# -- the gate ------------------------------------------------------------------------------------------


@pytest.fixture
async def client(path):
    from aiohttp import test_utils

    serve = web()
    server = serve.WorkbenchServer(path, token="the-right-token", say=lambda line: None)
    client = test_utils.TestClient(test_utils.TestServer(await server.make_app()))
    await client.start_server()
    client.workbench = server
    yield client
    await client.close()


@pytest.mark.parametrize("where", ["/", "/?token=wrong", "/?token=", "/?token=the-right-tokenX", "/ws",
                                   "/ws?width=80&height=24", "/static/js/textual.js", "/static/", "/download/abc",
                                   "/no-such-page"])
async def test_without_the_right_token_nothing_of_the_project_is_shown(client, where):
    response = await client.get(where, allow_redirects=False)
    body = await response.text()
    assert response.status in (403, 404)
    nothing_of_the_project(body)
    assert "the-right-token" not in body and "Set-Cookie" not in response.headers


async def test_the_token_opens_the_page_and_moves_into_a_cookie(client):
    response = await client.get("/?token=the-right-token&fontsize=18", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/?fontsize=18"  # off the address bar
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = await client.get("/?fontsize=18")
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'data-session-websocket-url="ws://127.0.0.1:{client.port}/ws"' in html
    assert "<title>qualcode</title>" in html and 'data-font-size="18"' in html
    assert "googleapis" not in html and "the-right-token" not in html  # nothing fetched from elsewhere
    assert (await client.get("/static/js/textual.js")).status == 200


async def test_a_websocket_from_another_site_is_refused(client):
    from aiohttp import WSServerHandshakeError

    await client.get("/?token=the-right-token", allow_redirects=False)
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws?width=80&height=24", headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403


# -- sessions -----------------------------------------------------------------------------------------


def test_each_session_runs_qualcode_open_with_the_users_keys_and_no_remembered_coder(path, config_dir):
    serve = web()
    config_dir.mkdir()
    (config_dir / "settings.json").write_text(json.dumps(
        {"coders": {str(path.resolve()): "KN"}, "keys": {"coding.code": "C"}}), encoding="utf-8")
    assert serve.session_settings() == {"keys": {"coding.code": "C"}}
    command = serve.session_command(path)
    assert command.startswith("exec ") and command.endswith(f"-m qualcode open {path.resolve()}")
    assert serve.session_command(path, "AB").endswith(" --coder AB")


async def screen_until(ws, wanted: str, seen: list[str], timeout: float = 60) -> str:
    """The terminal output the session sent, without escape sequences, once it shows ``wanted``."""
    end = time.monotonic() + timeout
    while wanted not in (text := ANSI.sub("", "".join(seen))):
        left = end - time.monotonic()
        assert left > 0, f"no {wanted!r} on the screen: {text[-1500:]!r}"
        message = await ws.receive(timeout=left)
        if isinstance(message.data, bytes):
            seen.append(message.data.decode("utf-8", "replace"))
    return text


async def test_a_session_is_a_workbench_process_of_its_own_that_asks_who_is_coding(client, path, config_dir):
    """The user's remembered coder (KN) is not the next colleague's: the session asks."""
    config_dir.mkdir()
    settings = json.dumps({"coders": {str(path.resolve()): "KN"}})
    (config_dir / "settings.json").write_text(settings, encoding="utf-8")
    await client.get("/?token=the-right-token", allow_redirects=False)
    ws = await client.ws_connect("/ws?width=100&height=30", headers={"Origin": f"http://127.0.0.1:{client.port}"})
    seen: list[str] = []
    await screen_until(ws, "Who is coding", seen)
    await ws.send_json(["stdin", "CD\r"])
    await screen_until(ws, "Fokusgruppe 1", seen)
    assert "coder CD" in ANSI.sub("", "".join(seen))
    await ws.close()
    for _ in range(100):  # the session's process ends with its websocket
        if not client.workbench.sockets:
            break
        await __import__("asyncio").sleep(0.1)
    assert not client.workbench.sockets
    assert (config_dir / "settings.json").read_text(encoding="utf-8") == settings  # the user's own, untouched


# -- the whole command ---------------------------------------------------------------------------------


def test_serve_prints_the_token_once_refuses_without_it_and_stops_on_ctrl_c_with_one_line(path):
    web()
    server = subprocess.Popen([sys.executable, "-m", "qualcode", "serve", str(path), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=path.parent)
    try:
        printed = []
        for line in server.stdout:  # type: ignore[union-attr]
            printed.append(line)
            if "Ctrl+C" in line:
                break
        [url] = [m.group(0) for line in printed if (m := re.search(r"http://\S+", line))]
        port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", url).groups()
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        for where in ("/", "/?token=nope", "/ws"):
            connection.request("GET", where)
            response = connection.getresponse()
            body = response.read().decode()
            assert response.status == 403
            nothing_of_the_project(body)
        connection.request("GET", f"/?token={token}")
        response = connection.getresponse()
        response.read()
        assert response.status == 303
        connection.close()
    finally:
        server.send_signal(signal.SIGINT)
        rest, err = server.communicate(timeout=30)
    output = "".join(printed) + rest + err
    assert server.returncode == 0, output
    assert output.count(token) == 1  # the printed address alone; no access log
    assert rest.splitlines() == [f"qualcode: stopped serving {path.name}"] and err == ""

"""``qualcode serve`` in a real browser: the system's Chromium driven by Playwright (pointed at that
executable; nothing is downloaded). A request without the token sees nothing of the project; with
it, two colleagues work at once, each in a workbench of their own: the transcripts list, a
transcript opened, a sentence coded with the keyboard, and the units found by ``qualcode units``.
Ctrl+C then stops the server with one line while both pages are still open."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ANSI = re.compile(r"\x1b(\[[0-9;?$]*[A-Za-z]|\][^\x07]*\x07)")
SECRETS = ("studie", "Testbok", "Fokusgruppe", "FG1", "kjente meg igjen", "hap-gjen")
VIEWPORT = {"width": 1400, "height": 900}  # about 150 x 45 cells


class Terminal:
    """A page of the workbench, and what its websocket has sent (the terminal's output) as text.
    Playwright delivers the frames while it is called, so waiting is done with the page's own
    ``wait_for_timeout``."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_context(viewport=VIEWPORT).new_page()
        self.frames: list[str] = []
        self.mark = 0
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._received))
        self.response = self.page.goto(url)

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            self.frames.append(payload.decode("utf-8", "replace"))

    def text(self) -> str:
        return ANSI.sub("", "".join(self.frames[self.mark:]))

    def wait_for(self, wanted: str, timeout: float = 60) -> None:
        """Until ``wanted`` has been drawn since the last wait (what comes after it is looked at next)."""
        end = time.monotonic() + timeout
        while wanted not in self.text():
            assert time.monotonic() < end, f"{wanted!r} never shown: {self.text()[-2000:]!r}"
            self.page.wait_for_timeout(100)
        self.mark = len(self.frames)

    def keys(self, *keys: str) -> None:
        for key in keys:
            if len(key) == 1:
                self.page.keyboard.type(key)
            else:
                self.page.keyboard.press(key)
            self.page.wait_for_timeout(60)


def qualcode(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualcode", *argv], capture_output=True, text=True, env=env,
                          timeout=120)


def session_processes(path: Path, server: int) -> list[int]:
    """Processes besides the server whose command line names the project: the sessions' workbenches."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != server:
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_two_colleagues_code_in_chromium_and_nobody_without_the_token_sees_anything(project, chromium_path,
                                                                                     tmp_path):
    from playwright.sync_api import sync_playwright

    path = project.path
    project.close()
    env = {**os.environ, "QUALCODE_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen([sys.executable, "-m", "qualcode", "serve", str(path), "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    printed: list[str] = []
    try:
        for line in server.stdout:  # type: ignore[union-attr]
            printed.append(line)
            if "Ctrl+C" in line:
                break
        [url] = [m.group(0) for line in printed if (m := re.search(r"http://\S+", line))]
        base = url.split("?")[0]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path)

            stranger = Terminal(browser, base)  # the address without its token
            assert stranger.response is not None and stranger.response.status == 403
            seen = stranger.page.content() + stranger.page.title()
            assert not any(s.lower() in seen.lower() for s in SECRETS), seen
            wrong = Terminal(browser, base + "?token=not-the-token")
            assert wrong.response is not None and wrong.response.status == 403
            assert not stranger.frames and not wrong.frames  # no workbench was started for them

            ab = Terminal(browser, url)
            cd = Terminal(browser, url)  # a colleague, in a browser of their own, at the same time
            for page, coder in ((ab, "AB"), (cd, "CD")):
                assert page.response is not None and page.response.ok and "token" not in page.page.url
                page.wait_for("Who is coding")
                page.page.click("#terminal")
                page.keys(*coder, "Enter")
                page.wait_for(f"coder {coder}")
                page.wait_for("Fokusgruppe 1")  # the transcripts list
                page.keys("Enter")  # open T1
                page.wait_for("Eh, jeg kjente meg igjen")

            ab.keys("]", "x", "c", *"gjenkj", "Enter")  # P1's first sentence, as Gjenkjennelse
            cd.keys("]", "]", "x", "c", *"recovery", "Enter")  # Ansatt 1's first sentence, as recovery
            ab.wait_for("saved")
            cd.wait_for("saved")

            units = qualcode("units", str(path), "--json", env=env)
            assert units.returncode == 0, units.stderr
            found = {(u["coder"], u["code"], u["text"]) for u in json.loads(units.stdout)}
            assert found == {("AB", "hap-gjen", "Eh, jeg kjente meg igjen, altså."),
                             ("CD", "rec", "For meg ga det håp, faktisk.")}
            assert len(session_processes(path, server.pid)) == 2  # a workbench for each colleague

            server.send_signal(signal.SIGINT)  # Ctrl+C with both pages open
            rest, err = server.communicate(timeout=60)
            browser.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    output = "".join(printed) + rest + err
    assert server.returncode == 0, output
    assert rest.splitlines()[-1] == f"qualcode: stopped serving {path.name}" and err == "", output
    assert "Traceback" not in output
    assert output.count(url.split("token=")[1]) == 1  # the token: in the printed address alone
    assert session_processes(path, server.pid) == []  # the workbenches ended with the server

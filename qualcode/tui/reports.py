"""Every export and report of the command line, from the workbench's command palette.

A report runs the very command the CLI runs (``qualcode export PROJECT quotes --format docx``), in
a process of its own: the options are the CLI's, typed in a prompt that starts with sensible ones,
so nothing here can drift from what ``--help`` documents. While it runs a dialog shows a progress
bar (Escape stops it); then the app says which file it wrote, or the command's one-line error.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar

from ..store.pg.url import working_folder


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    command: tuple[str, ...]  # the CLI's words before the project: ("export",), then after it
    after: tuple[str, ...]    # words after the project: ("quotes",)
    options: str              # the options the prompt starts with ({folder}: the project's exports folder)
    help: str


REPORTS: tuple[Report, ...] = (
    Report("Export meaning units", ("export",), ("units",), "--format xlsx",
           "every unit with its text, code, coder and speaker (xlsx, csv or json)"),
    Report("Export theme summary", ("export",), ("summary",), "--format docx",
           "units per theme and role with exemplars (docx, md or html)"),
    Report("Export quotes", ("export",), ("quotes",), "--format docx",
           "de-identified quotes with their source references (docx or md)"),
    Report("Export chart", ("export",), ("chart",), "--format png", "units per theme and role (png or svg)"),
    Report("Export framework matrix", ("export",), ("framework",), "--format xlsx",
           "speakers × themes, condensed meanings in the cells (xlsx or docx)"),
    Report("Export REFI-QDA project", ("export",), ("qdpx",), "",
           "the whole project for NVivo, ATLAS.ti, MAXQDA, QualCoder (add --deid to share it)"),
    Report("Export REFI-QDA codebook", ("export",), ("qdc",), "", "the codebook as a .qdc"),
    Report("Methods section", ("methods",), (), "--out {folder}/methods.docx",
           "the methods paragraph and the COREQ and SRQR checklists (docx or md)"),
    Report("Agreement report", ("agreement",), (), "--coders AB,CD --report xlsx",
           "Krippendorff's alpha and Cohen's kappa between coders, and where they differ"),
    Report("Co-occurrence of codes", ("cooccurrence",), (), "--csv {folder}/cooccurrence.csv",
           "pairs of codes on the same passages, with the c-coefficient"),
    Report("Saturation", ("saturation",), (), "--chart {folder}/saturation.png",
           "new codes after each focus group"),
    Report("Check the audit trail", ("audit",), (), "--verify", "whether the log of changes is intact"),
)


def exports_folder(project: str | Path) -> Path:
    """What ``{folder}`` in a report's options stands for: ``exports`` in the project's folder (for
    a server project, in the folder the workbench was started in)."""
    return working_folder(project) / "exports"


def make_folder(project: str | Path, options: str) -> None:
    """Make the exports folder if the options write into it (the commands want an existing folder
    for ``--out``); OSError if it cannot be made."""
    if "{folder}" in options:
        exports_folder(project).mkdir(exist_ok=True)


def argv(report: Report, project: str | Path, options: str) -> list[str]:
    """The command line for a report, its options as typed (``{folder}`` filled in)."""
    folder = exports_folder(project)
    typed = shlex.split(options.replace("{folder}", shlex.quote(str(folder))))
    return [*report.command, str(project), *report.after, *typed]


def outcome(returncode: int, stdout: str, stderr: str) -> tuple[bool, str]:
    """(succeeded, what to tell the user): the files written, or the command's error line."""
    if returncode == 0:
        wrote = [line for line in stdout.splitlines() if line.startswith("wrote ")]
        return True, "; ".join(wrote) if wrote else (stdout.strip().splitlines() or ["done"])[-1]
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line]
    return False, (errors or lines or [f"the command stopped (exit {returncode})"])[-1]


class RunningReport(ModalScreen[tuple[bool, str] | None]):
    """A report running in its own process: a progress bar; Escape stops it. ``environment``: what
    the process needs besides this one's environment (a server's password, never on its command
    line: :func:`~qualcode.tui.location.child_environment`)."""

    BINDINGS = [Binding("escape", "stop", "Stop", id="report.stop")]

    def __init__(self, title: str, command: list[str], cwd: Path, environment: dict[str, str] | None = None):
        super().__init__()
        self.title_text, self.command, self.cwd = title, command, cwd
        self.environment = environment or {}
        self.process: subprocess.Popen[str] | None = None
        self.stopped = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.title_text}…", classes="dialog-title", markup=False)
            # (a server's long URL is folded, not cut: the options after it stay in view)
            yield Label("qualcode " + " ".join(shlex.quote(a) for a in self.command), id="report-command",
                        markup=False)
            yield ProgressBar(total=None, show_eta=False)
            yield Label("Escape stops it", classes="dialog-hint")

    def on_mount(self) -> None:
        self.run_command()

    @work(thread=True, exclusive=True, group="report")
    def run_command(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "qualcode", *self.command], cwd=self.cwd,
                                        env={**os.environ, **self.environment} if self.environment else None,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stdout, stderr = self.process.communicate()
        if not self.stopped:
            self.app.call_from_thread(self.dismiss, outcome(self.process.returncode, stdout, stderr))

    def action_stop(self) -> None:
        self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        self.dismiss(None)

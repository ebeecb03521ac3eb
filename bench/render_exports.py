"""Render every export of the example project to PNG, to look at what users see.

Builds the example project (``qualcode example``) in a folder, exports it in every format (units,
summary, quotes, chart, framework matrix, the agreement report), then renders each DOCX and XLSX
with LibreOffice headless (``soffice --convert-to pdf``, then ``pdftoppm -png``) and each HTML page
with Chromium headless (``chromium --headless --screenshot``), one PNG per page. It prints what it
wrote; open the PNGs and look at them before calling an export done.

The renderers come from the system's package manager; what is missing is named with the line
that installs it, and those files are skipped:

    apt-get install -y libreoffice-writer libreoffice-calc poppler-utils chromium

    python bench/render_exports.py [--out FOLDER] [--lang nb|en] [--only TEXT] [--dpi 60]

LibreOffice runs with a profile of its own in the output folder, so it does not disturb (or wait
for) another LibreOffice on the machine. Nothing here is a test: CI need not have these programs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualcode.cli import main as qualcode

INSTALL = "apt-get install -y libreoffice-writer libreoffice-calc poppler-utils chromium"

# (name, argv after PROJECT): every export a user can make, each in every format it has.
EXPORTS = [
    ("units.xlsx", ["export", "{p}", "units", "--format", "xlsx", "--sheet-per-theme"]),
    ("units.csv", ["export", "{p}", "units", "--format", "csv"]),
    ("units.json", ["export", "{p}", "units", "--format", "json"]),
    ("summary.docx", ["export", "{p}", "summary", "--format", "docx"]),
    ("summary.html", ["export", "{p}", "summary", "--format", "html"]),
    ("summary.md", ["export", "{p}", "summary", "--format", "md"]),
    ("quotes.docx", ["export", "{p}", "quotes", "--format", "docx"]),
    ("quotes.md", ["export", "{p}", "quotes", "--format", "md"]),
    ("chart.png", ["export", "{p}", "chart", "--format", "png"]),
    ("chart.svg", ["export", "{p}", "chart", "--format", "svg"]),
    ("framework.xlsx", ["export", "{p}", "framework", "--format", "xlsx"]),
    ("framework.docx", ["export", "{p}", "framework", "--format", "docx"]),
    ("framework-role.docx", ["export", "{p}", "framework", "--format", "docx", "--rows", "role", "--cells", "excerpt"]),
    ("agreement.xlsx", ["agreement", "{p}", "--coders", "AB,CD", "--report", "xlsx", "--bootstrap", "200"]),
    ("agreement.md", ["agreement", "{p}", "--coders", "AB,CD", "--report", "md", "--bootstrap", "200"]),
]
SAYS_LANG = {"export"}  # the commands that take --lang


def export_all(folder: Path, lang: str | None, only: str | None) -> list[Path]:
    project = folder / "example.qualcode"
    if not project.exists():
        run_quietly(["example", str(project)])
    out = folder / "exports"
    out.mkdir(exist_ok=True)
    written = []
    for name, argv in EXPORTS:
        if only and only not in name:
            continue
        target = out / name
        args = [a.format(p=project) for a in argv] + ["--out", str(target)]
        if lang and argv[0] in SAYS_LANG:
            args += ["--lang", lang]
        if run_quietly(args) != 0:
            print(f"FAILED: qualcode {' '.join(args)}", file=sys.stderr)
            continue
        written.append(target)
        if name.endswith(".html"):
            written.append(target.with_name(f"{target.stem}-chart.png"))
    return written


def run_quietly(argv: list[str]) -> int:
    """Run a qualcode command, its output kept out of the way (shown only if it fails)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = qualcode(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    if code != 0:
        sys.stderr.write(err.getvalue())
    return code


def render_office(files: list[Path], pngs: Path, dpi: int) -> list[Path]:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print(f"skipping {len(files)} DOCX/XLSX: soffice or pdftoppm missing ({INSTALL})", file=sys.stderr)
        return []
    profile = (pngs / ".lo-profile").resolve()
    out = []
    for suffix in sorted({f.suffix for f in files}):  # a PDF is named by the stem: one folder per suffix
        group = [f for f in files if f.suffix == suffix]
        pdfs = pngs / f".pdf{suffix}"
        pdfs.mkdir(exist_ok=True)
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(pdfs), *map(str, group)], check=False, capture_output=True, timeout=600)
        for f in group:
            pdf = pdfs / f"{f.stem}.pdf"
            if not pdf.exists():
                print(f"LibreOffice did not convert {f.name}", file=sys.stderr)
                continue
            name = f"{f.stem}-{suffix[1:]}"
            for old in pngs.glob(f"{name}-*.png"):
                old.unlink()
            subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(pngs / name)], check=True, timeout=300)
            out += sorted(pngs.glob(f"{name}-*.png"))
    return out


def render_html(files: list[Path], pngs: Path, width: int = 1100, height: int = 2600) -> list[Path]:
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
                   None)
    if not browser:
        print(f"skipping {len(files)} HTML: no Chromium ({INSTALL})", file=sys.stderr)
        return []
    out = []
    for f in files:
        png = pngs / f"{f.stem}-{f.suffix[1:]}.png"
        argv = [browser, "--headless", "--disable-gpu", "--hide-scrollbars", f"--screenshot={png}",
                f"--window-size={width},{height}", f.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        subprocess.run(argv, check=False, capture_output=True, timeout=120)
        if png.exists():
            out.append(png)
        else:
            print(f"Chromium did not render {f.name}", file=sys.stderr)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the project, exports and PNGs (default: a new temp folder)")
    parser.add_argument("--lang", choices=("nb", "en"), help="the exports' language (default: the project's)")
    parser.add_argument("--only", help="only the exports whose file name contains this")
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the page images (default 60)")
    args = parser.parse_args()
    folder = args.out or Path(tempfile.mkdtemp(prefix="qualcode-render-"))
    folder.mkdir(parents=True, exist_ok=True)
    pngs = folder / "png"
    pngs.mkdir(exist_ok=True)
    written = export_all(folder, args.lang, args.only)
    office = [f for f in written if f.suffix in (".docx", ".xlsx")]
    pages = render_office(office, pngs, args.dpi)
    pages += render_html([f for f in written if f.suffix in (".html", ".svg")], pngs)
    for f in written:
        if f.suffix == ".png":
            shutil.copy(f, pngs / f.name)
            pages.append(pngs / f.name)
    print(f"exports in {folder / 'exports'}:")
    for f in written:
        print(f"  {f.name}")
    print(f"{len(pages)} images in {pngs}:")
    by_file: dict[str, int] = {}
    for png in pages:
        stem = png.stem.rsplit("-", 1)[0] if png.stem[-1].isdigit() else png.stem
        by_file[stem] = by_file.get(stem, 0) + 1
    for stem, n in by_file.items():
        print(f"  {stem}: {n} image(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

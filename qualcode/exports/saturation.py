"""The saturation chart: new codes per focus group as bars, the codes in use so far as a line,
as a PNG or SVG made with matplotlib.

Drawn as :mod:`.chart` draws the summary's chart: a bare Figure with the Agg canvas (no display,
no global state, safe in a worker thread), SVG text kept as text and no date in the file, so the
same figures give the same file. The file is written atomically and readable by its owner only
(:mod:`.atomic`); the caller de-identifies the group names it passes.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import UserError
from .atomic import check_target, write_bytes
from .chart import PALETTE

FORMATS = ("png", "svg")


def chart_format(path: Path) -> str:
    """``png`` or ``svg`` from the file's suffix; a :class:`UserError` for any other."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError("the chart is written as .png or .svg: give a file name ending in one of them", path=path)
    return fmt


def saturation_chart(groups: Sequence[str], new: Sequence[int], so_far: Sequence[int], *, fmt: str = "png",
                     title: str = "New codes per focus group") -> bytes:
    """Bars: the codes each group used for the first time; line: the codes in use after it."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    if not len(groups) == len(new) == len(so_far):
        raise ValueError("one count of new codes and one of codes so far per group")
    width = max(6.0, 1.6 + 0.9 * len(groups))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "qualcode",
                                "font.family": "DejaVu Sans"}):
        figure = Figure(figsize=(width, 4.2), layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        positions = list(range(len(groups)))
        bars = ax.bar(positions, new, color=PALETTE[0], width=0.6, label="new codes")
        # inside the bars, so that a bar's number never meets the line's (they are equal for the first group)
        ax.bar_label(bars, labels=[str(v) if v else "" for v in new], label_type="center", fontsize=9,
                     color="white")
        for x, v in zip(positions, new):
            if not v:  # no bar to write in: the 0 just above the axis
                ax.annotate("0", (x, 0), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=9,
                            color=PALETTE[0])
        ax.plot(positions, so_far, color=PALETTE[1], marker="o", linewidth=2, label="codes so far")
        for x, y in zip(positions, so_far):
            ax.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8,
                        color=PALETTE[5])
        ax.set_xticks(positions, [textwrap.fill(g, 14) for g in groups], fontsize=9)
        ax.set_xlabel("focus groups, in the order chosen")
        ax.set_ylabel("codes")
        ax.set_ylim(0, max([*so_far, *new, 1]) * 1.18)
        ax.set_title(title, fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # MaxNLocator takes it
        ax.legend(fontsize=8, frameon=False, loc="upper left")
        if not groups:
            ax.text(0.5, 0.5, "no focus groups", transform=ax.transAxes, ha="center", va="center")
        out = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(out, format=fmt, dpi=150, metadata=metadata)
    return out.getvalue()


def write_saturation_chart(path: Path, groups: Sequence[str], new: Sequence[int], so_far: Sequence[int], *,
                           title: str = "New codes per focus group") -> None:
    """:func:`saturation_chart` written to ``path`` (its suffix chooses PNG or SVG), atomically."""
    fmt = chart_format(path)
    check_target(Path(path))
    write_bytes(Path(path), saturation_chart(groups, new, so_far, fmt=fmt, title=title))

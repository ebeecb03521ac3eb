"""The summary's chart: meaning units per theme, by role, as a PNG or SVG made with matplotlib.

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas, never through ``pyplot``,
so it needs no display, keeps no global state and can run in a TUI worker thread. SVG keeps its
text as text (searchable, and smaller) and carries no date, so the same data gives the same file.
"""

from __future__ import annotations

import io
import textwrap

# Okabe & Ito's colour-blind-safe palette; roles take the colours in order of their counts.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]


def figure_size(themes: int) -> tuple[float, float]:
    """The chart's size in inches (width, height) for this many themes: a bar each."""
    return 8.5, 1.2 + 0.55 * max(themes, 1)


def units_by_role(themes: list[str], roles: list[str], counts: list[list[int]], *, fmt: str = "png",
                  title: str = "Meaning units per theme, by role", axis: str = "meaning units", legend: str = "role",
                  empty: str = "no meaning units yet") -> bytes:
    """A horizontal stacked bar per theme; ``counts[i][j]`` is theme i's units spoken by role j.
    ``title``, ``axis``, ``legend`` and ``empty`` are the chart's words, in the export's language."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown chart format {fmt!r}")
    width, height = figure_size(len(themes))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "qualcode",
                                "font.family": "DejaVu Sans"}):
        figure = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
        labels = [textwrap.fill(t, 34) for t in themes]
        positions = list(range(len(themes)))[::-1]  # first theme on top
        left = [0] * len(themes)
        for j, role in enumerate(roles):
            values = [row[j] for row in counts]
            bars = ax.barh(positions, values, left=left, color=PALETTE[j % len(PALETTE)], label=role,
                           edgecolor="white", linewidth=0.6)
            ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center",
                         fontsize=8, color="white")
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(positions, labels, fontsize=9)
        ax.set_xlabel(axis)
        ax.set_title(title, fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # MaxNLocator takes it
        if roles:
            ax.legend(title=legend, fontsize=8, title_fontsize=8, frameon=False, loc="upper left",
                      bbox_to_anchor=(1.01, 1))
        if not any(left):
            ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center")
        out = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(out, format=fmt, dpi=150, metadata=metadata)
    return out.getvalue()

"""How every DOCX export is laid out: A4 pages, the document's language, tables that fit.

python-docx's template is US Letter in American English, and its tables share the page width
equally between columns, so a long word in a narrow column breaks mid-word ("Solskinnshist
orier", "Fokusgr uppe 1"). Here:

* :func:`setup_page` makes the section A4 (portrait, or landscape for a wide matrix) with 2.5 cm
  margins (2 cm in landscape) and sets the language in the styles (``w:lang`` in the document
  defaults), so Word and LibreOffice check spelling and hyphenate in Norwegian or English;
* :func:`column_widths` gives each column room for its longest word and, as far as the page
  allows, for its typical text, estimated from the characters' widths in a wide serif font (so
  the estimate holds for the narrower fonts Word picks); :func:`fit_table` writes those widths
  into the table (grid, every cell, the table's own width) with a fixed layout, which both Word
  and LibreOffice honour, and marks the first row as a header row repeated on each page.

lxml is python-docx's; nothing here is imported until a DOCX export runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .labels import Labels

A4_CM = (21.0, 29.7)
MARGIN_CM = 2.5
LANDSCAPE_MARGIN_CM = 2.0
CELL_PADDING_CM = 0.6  # Word's default cell margins (0.19 cm each side) and a little air
TWIPS_PER_CM = 1440 / 2.54

# Advance widths in hundredths of an em, from DejaVu Serif and DejaVu Serif Bold (the serif font
# LibreOffice falls back to; wider than Cambria, Calibri, Times New Roman or Arial, so a column sized
# by it is wide enough in any of them).
_CHARS = (" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
          "æøåÆØÅéèüöäÖÄÜ«»‘’“”–—…•\u2003")
_REGULAR = (32, 40, 46, 84, 64, 95, 89, 27, 39, 39, 50, 84, 32, 34, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
            34, 34, 84, 84, 84, 54, 100, 72, 73, 77, 80, 73, 69, 80, 87, 40, 40, 75, 66, 102, 88, 82, 67, 82, 75, 69,
            67, 84, 72, 103, 71, 66, 69, 39, 34, 39, 84, 50, 50, 60, 64, 56, 64, 59, 37, 64, 64, 32, 31, 61, 32, 95,
            64, 60, 64, 64, 48, 51, 40, 64, 56, 86, 56, 56, 53, 64, 34, 64, 84, 94, 60, 60, 100, 82, 72, 59, 59, 64,
            60, 60, 82, 72, 84, 61, 61, 32, 32, 51, 51, 50, 100, 100, 59, 100)
_BOLD = (35, 44, 52, 84, 70, 95, 90, 31, 47, 47, 52, 84, 35, 42, 35, 37, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 37,
         37, 84, 84, 84, 59, 100, 78, 85, 80, 87, 76, 71, 85, 94, 47, 47, 87, 70, 111, 91, 87, 75, 87, 83, 72, 74, 87,
         78, 112, 78, 71, 73, 47, 37, 47, 84, 50, 50, 65, 70, 61, 70, 64, 43, 70, 73, 38, 36, 69, 38, 106, 73, 67, 70,
         70, 53, 56, 46, 73, 58, 86, 60, 58, 57, 64, 36, 64, 84, 98, 67, 65, 103, 87, 78, 64, 64, 73, 67, 65, 87, 78,
         87, 62, 62, 35, 35, 58, 58, 50, 100, 100, 64, 100)
_WIDTHS = ({c: w / 100 for c, w in zip(_CHARS, _REGULAR)}, {c: w / 100 for c, w in zip(_CHARS, _BOLD)})
_OTHER = (0.8, 0.85)  # a character not in the table (an accented capital, a CJK character is wider still)


def text_width_cm(text: str, pt: float, *, bold: bool = False) -> float:
    """The width of ``text`` on one line at ``pt`` points, in the wide font above."""
    widths, other = _WIDTHS[bold], _OTHER[bold]
    em = sum(widths.get(ch, other) for ch in text)
    return em * pt * 2.54 / 72


def usable_width_cm(landscape: bool = False) -> float:
    short, _ = A4_CM
    _, long = A4_CM
    return (long - 2 * LANDSCAPE_MARGIN_CM) if landscape else (short - 2 * MARGIN_CM)


def setup_page(document: Any, labels: Labels, *, landscape: bool = False) -> None:
    """A4 (portrait or landscape) with sensible margins, and the document's language set."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    width, height = A4_CM
    margin = LANDSCAPE_MARGIN_CM if landscape else MARGIN_CM
    for section in document.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Cm(height), Cm(width)) if landscape else (Cm(width), Cm(height))
        section.left_margin = section.right_margin = Cm(margin)
        section.top_margin = section.bottom_margin = Cm(margin)
        section.header_distance = section.footer_distance = Cm(1.25)
    set_language(document, labels.locale)


def set_language(document: Any, locale: str) -> None:
    """``locale`` (``nb-NO``, ``en-GB``) as the language of every run that does not say otherwise:
    ``w:lang`` in the styles' document defaults and in the Normal style, and the core properties."""
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = styles.makeelement(qn("w:docDefaults"), {})
        styles.insert(0, defaults)
    targets = [_child(_child(defaults, "w:rPrDefault"), "w:rPr")]
    normal = document.styles["Normal"].element
    targets.append(_child(normal, "w:rPr"))
    for rpr in targets:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:val"), locale)
    document.core_properties.language = locale


def _child(parent: Any, tag: str) -> Any:
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is None:
        found = parent.makeelement(qn(tag), {})
        parent.append(found)
    return found


Cell = str | tuple[str, bool]  # a cell's text, or its text and whether it is bold


def needs_and_wants(columns: Sequence[Sequence[Cell]], pt: float, *, header_rows: int = 1,
                    minimum_cm: float = 1.2, typical_cap: int = 60) -> tuple[list[float], list[float]]:
    """Each column's need (its longest word) and want (its longest line, up to ``typical_cap``
    characters), in cm with the cell's padding; a header's words, and a cell given as
    ``(text, True)``, measured in bold. A header may wrap between its words: it adds to the
    need, not to the want (a column of counts under "Fokusgruppe 1" stays narrow)."""
    needs, wants = [], []
    for cells in columns:
        need = minimum_cm
        want = minimum_cm
        for i, cell in enumerate(cells):
            text, bold = cell if isinstance(cell, tuple) else (cell, False)
            bold = bold or i < header_rows
            for line in str(text).split("\n"):
                for word in line.split():
                    need = max(need, text_width_cm(word, pt, bold=bold) + CELL_PADDING_CM)
                if i < header_rows:
                    continue
                shown = line if len(line) <= typical_cap else line[:typical_cap]
                want = max(want, text_width_cm(shown, pt, bold=bold) + CELL_PADDING_CM)
        needs.append(need)
        wants.append(max(want, need))
    return needs, wants


def column_widths(columns: Sequence[Sequence[Cell]], available_cm: float, pt: float, *,
                  header_rows: int = 1, minimum_cm: float = 1.2, typical_cap: int = 60,
                  equal_from: int | None = None) -> list[float]:
    """Widths (cm) for a table's columns, each given as its cells (header first; see
    :func:`needs_and_wants`).

    A column needs at least its longest word and would like its typical line. If every column
    can have what it would like, it does (the table is then narrower than the page); otherwise
    each gets its need plus a share of the rest in proportion to what it lacks. Only if the
    longest words alone are wider than the page are the columns scaled down to fit.
    ``equal_from``: the columns from this one on share their room equally (a matrix's themes)
    when each still holds its longest word."""
    needs, wants = needs_and_wants(columns, pt, header_rows=header_rows, minimum_cm=minimum_cm,
                                   typical_cap=typical_cap)
    widths = _share(needs, wants, available_cm)
    if equal_from is not None and len(widths) > equal_from:
        rest = widths[equal_from:]
        equal = sum(rest) / len(rest)
        if all(n <= equal for n in needs[equal_from:]):
            widths[equal_from:] = [equal] * len(rest)
    return widths


def _share(needs: list[float], wants: list[float], available_cm: float) -> list[float]:
    if sum(wants) <= available_cm:
        return wants
    if sum(needs) >= available_cm:
        scale = available_cm / sum(needs)
        return [n * scale for n in needs]
    spare = available_cm - sum(needs)
    lacking = [w - n for w, n in zip(wants, needs)]
    total = sum(lacking)
    return [n + spare * lack / total for n, lack in zip(needs, lacking)]


def fit_table(table: Any, widths_cm: Sequence[float], *, header: bool = True) -> None:
    """Give ``table`` these column widths with a fixed layout (grid, cells, table width), and
    repeat its first row on every page when ``header``."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table.autofit = False
    tbl = table._tbl
    twips = [max(1, math.floor(w * TWIPS_PER_CM)) for w in widths_cm]
    tbl_pr = tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = tbl_pr.makeelement(qn("w:tblW"), {})
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(twips)))
    for grid_col, twip in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips):
        grid_col.set(qn("w:w"), str(twip))
    for row in table.rows:
        for cell, cm in zip(row.cells, widths_cm):
            cell.width = Cm(cm)
    if header and table.rows:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:tblHeader")) is None:
            tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {}))

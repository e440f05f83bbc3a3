"""Printable documents as HTML (the subset Qt's rich text engine lays out and paginates)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from exclusion_monitor.display import uk_date
from exclusion_monitor.reports.tables import Cell, ColumnKind, ReportImage, ReportTable

STYLE = """
body { font-size: POINTSpt; }
h1 { font-size: 15pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 10pt 0 3pt 0; }
p.note { color: #444444; margin: 2pt 0; }
table.data { border-collapse: collapse; margin: 2pt 0 8pt 0; }
table.data th { background-color: #dde5f0; font-weight: bold; text-align: left; }
table.data td, table.data th { border: 1px solid #999999; padding: 2pt 4pt; }
td.num { text-align: right; }
"""


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return uk_date(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True, slots=True)
class PrintableDocument:
    """A document to print: HTML fragments (from heading() and paragraph()) and tables, in order.

    The printer paginates it, keeping table rows whole and repeating each table's header row.
    """

    title: str
    blocks: Sequence[str | ReportTable | ReportImage]
    landscape: bool = False
    font_points: float = 9.0  # the body text and tables; headings keep their size


def table_html(
    table: ReportTable,
    *,
    caption: bool = True,
    rows: Sequence[Sequence[Cell]] | None = None,
    widths: Sequence[int] | None = None,
) -> str:
    """A table (or some of its rows) with its header row; `widths` in per cent."""
    numeric = [c.kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL) for c in table.columns]
    sizes = [f' width="{w}%"' for w in widths] if widths else [""] * len(table.columns)
    head = "".join(
        f"<th{size}>{escape(c.name)}</th>" for c, size in zip(table.columns, sizes, strict=True)
    )
    body = []
    for row in table.rows if rows is None else rows:
        cells = "".join(
            f'<td class="num">{escape(cell_text(v))}</td>'
            if numeric[i]
            else f"<td>{escape(cell_text(v)).replace(chr(10), '<br>')}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    title = f"<h2>{escape(table.title)}</h2>" if caption and table.title else ""
    if not table.rows:
        return f'{title}<p class="note">None.</p>'
    return (
        f'{title}<table class="data" width="100%" cellspacing="0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def image_html(
    image: ReportImage, dots_per_inch: float, max_width: float, max_height: float | None = None
) -> str:
    """An image sized for a device of the given resolution, never wider than `max_width` nor
    taller than `max_height` (a page: a chart taller than the page was cut off)."""
    width = image.width_mm / 25.4 * dots_per_inch
    height = image.height_mm / 25.4 * dots_per_inch
    if width > max_width:
        width, height = max_width, height * max_width / width
    if max_height is not None and height > max_height:
        width, height = width * max_height / height, max_height
    data = base64.b64encode(image.png).decode("ascii")
    return (
        f'<p><img src="data:image/png;base64,{data}" width="{int(width)}" '
        f'height="{int(height)}" alt="{escape(image.title)}"></p>'
    )


def paragraph(text: str, css_class: str = "note") -> str:
    return f'<p class="{css_class}">{escape(text)}</p>'


def heading(text: str, level: int = 1) -> str:
    return f"<h{level}>{escape(text)}</h{level}>"


def document(blocks: Iterable[str], font_points: float = 9.0) -> str:
    """A whole printable document from HTML blocks made by the functions above."""
    style = STYLE.replace("POINTS", f"{font_points:g}")
    return f"<html><head><style>{style}</style></head><body>{''.join(blocks)}</body></html>"

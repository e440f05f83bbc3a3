"""Printing documents to PDF or a printer. Every page carries the protective marking, what the
report is, who produced it and when, the audit chain head and 'Page X of Y'. Pages are laid out
here, not by Qt, so table rows are never split across pages and each table's header row repeats
on every page. PDF files go through the one safe writer (exclusion_monitor/output_files.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTextDocument,
    QTextTable,
)

from exclusion_monitor import output_files
from exclusion_monitor.display import uk_date, uk_time
from exclusion_monitor.errors import OutputFileError
from exclusion_monitor.reports.html import (
    PrintableDocument,
    cell_text,
    document,
    image_html,
    table_html,
)
from exclusion_monitor.reports.tables import ReportContext, ReportImage, ReportTable

FONT_FAMILIES = ["Segoe UI", "Arial", "Liberation Sans", "DejaVu Sans"]
MARGINS_MM = QMarginsF(12, 12, 12, 12)
UNBOUNDED = 1e9


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(points)
    font.setBold(bold)
    # No ligatures: text copied or searched in the PDF must read "officer", not "o\ufb03cer".
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def page_layout(landscape: bool) -> QPageLayout:
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), orientation, MARGINS_MM, QPageLayout.Unit.Millimeter
    )


@dataclass(frozen=True, slots=True)
class _Geometry:
    page: QRectF
    line: float

    @property
    def header_height(self) -> float:
        return self.line * 2.6

    @property
    def footer_height(self) -> float:
        return self.line * 1.8

    @property
    def body_height(self) -> float:
        return self.page.height() - self.header_height - self.footer_height


def _text_document(
    device: QPaintDevice, width: float, html: str, points: float = 9.0
) -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(_font(points))
    doc.setDocumentMargin(0)
    doc.setPageSize(QSizeF(width, UNBOUNDED))
    doc.setHtml(html)
    return doc


def _fill(minimum: list[float], preferred: list[float], width: float) -> list[float]:
    """Give every column its minimum, then share what is left fairly: columns that want a little
    more get all of it before the long free-text columns take the rest."""
    share = list(minimum)
    spare = width - sum(minimum)
    if spare <= 0:
        return share
    wants = sorted((p - m, i) for i, (m, p) in enumerate(zip(minimum, preferred, strict=True)))
    wanting = [(w, i) for w, i in wants if w > 0]
    for k, (want, i) in enumerate(wanting):
        give = min(want, spare / (len(wanting) - k))
        share[i] += give
        spare -= give
    if spare > 0:  # everyone is satisfied: the widest column takes the rest
        widest = max(range(len(share)), key=lambda i: preferred[i])
        share[widest] += spare
    return share


class _Paginator:
    """Packs fragments and table rows into pages of at most `height`, measured on the device."""

    def __init__(
        self, device: QPaintDevice, width: float, height: float, points: float = 9.0
    ) -> None:
        self.device, self.width, self.height = device, width, height * 0.98
        self.points = points
        self.pages: list[list[str]] = [[]]
        self.used = 0.0

    def _measure(self, html: str) -> float:
        return (
            _text_document(self.device, self.width, document([html], self.points), self.points)
            .size()
            .height()
        )

    def _new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
            self.used = 0.0

    def _place(self, html: str, height: float) -> None:
        self.pages[-1].append(html)
        self.used += height

    def add_fragment(self, html: str, keep_with: float = 0.0) -> None:
        height = self._measure(html)
        if self.used + height + keep_with > self.height:
            self._new_page()
        self._place(html, height)

    def _column_widths(self, table: ReportTable) -> list[int]:
        """Per-cent widths: each column at least as wide as its longest word in the printed
        font (so UPNs and codes never break), the rest shared by how much text a column holds."""
        if not table.columns:
            return []
        body = QFontMetricsF(_font(self.points), self.device)
        bold = QFontMetricsF(_font(self.points, bold=True), self.device)
        padding = self.device.logicalDpiX() * 10 / 72  # cell padding and borders, both sides
        minimum, preferred = [], []
        for i, column in enumerate(table.columns):
            texts = [cell_text(row[i]) for row in table.rows]
            words = [w for t in texts for w in t.split()]
            least = max(
                [bold.horizontalAdvance(w) for w in column.name.split()]
                + [body.horizontalAdvance(w) for w in words]
                + [0.0]
            )
            lengths = sorted(
                max((body.horizontalAdvance(x) for x in t.split("\n")), default=0.0) for t in texts
            ) or [0.0]
            typical = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]
            minimum.append(least + padding)
            preferred.append(max(least, min(typical, self.width * 0.5)) + padding)
        share = _fill(minimum, preferred, self.width)
        total = sum(share)
        return [max(1, round(100 * w / total)) for w in share]

    def add_table(self, table: ReportTable) -> None:
        widths = self._column_widths(table)
        header, rows = self._row_heights(table, widths)
        caption = self._measure(table_html(table, rows=[], widths=widths, caption=True))
        if not table.rows:
            self.add_fragment(table_html(table, widths=widths))
            return
        start = 0
        first = True
        while start < len(rows):
            top = caption - header if first else self._measure(self._continued(table))
            room = self.height - self.used - top - header
            if rows[start] > room and self.pages[-1]:
                self._new_page()
                continue
            end = start + 1
            room -= rows[start]
            while end < len(rows) and rows[end] <= room:
                room -= rows[end]
                end += 1
            prefix = "" if first else self._continued(table)
            chunk = table_html(table, rows=table.rows[start:end], widths=widths, caption=first)
            self._place(prefix + chunk, top + header + sum(rows[start:end]))
            start, first = end, False
            if start < len(rows):
                self._new_page()

    @staticmethod
    def _continued(table: ReportTable) -> str:
        return f'<p class="note">{escape(table.title)} (continued)</p>' if table.title else ""

    def _row_heights(self, table: ReportTable, widths: Sequence[int]) -> tuple[float, list[float]]:
        """The header row's height and each row's, from one layout of the whole table."""
        doc = _text_document(
            self.device,
            self.width,
            document([table_html(table, widths=widths, caption=False)], self.points),
            self.points,
        )
        frames = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
        layout = doc.documentLayout()
        if not frames:
            return 0.0, [0.0] * len(table.rows)
        grid = frames[0]
        tops = [
            layout.blockBoundingRect(grid.cellAt(r, 0).firstCursorPosition().block()).top()
            for r in range(grid.rows())
        ]
        bottom = layout.frameBoundingRect(grid).bottom()
        heights = [b - a for a, b in zip(tops, [*tops[1:], bottom], strict=True)]
        return heights[0] + (tops[0] - layout.frameBoundingRect(grid).top()), heights[1:]


def paginate(
    device: QPaintDevice, doc: PrintableDocument, width: float, height: float
) -> list[str]:
    """The document as one HTML string per page."""
    paginator = _Paginator(device, width, height, doc.font_points)
    blocks = list(doc.blocks)
    for i, block in enumerate(blocks):
        if isinstance(block, ReportTable):
            paginator.add_table(block)
            continue
        if isinstance(block, ReportImage):
            # Qt sizes images in CSS pixels (1/96 inch) whatever the device's resolution.
            css_width = width * 96 / device.logicalDpiX()
            # Room for the paragraph's own margins below the picture.
            css_height = paginator.height * 96 / device.logicalDpiY() - 24
            paginator.add_fragment(image_html(block, 96, css_width, css_height))
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        # Keep a heading with the start of the table after it.
        keep = paginator.height * 0.08 if isinstance(following, ReportTable) else 0.0
        paginator.add_fragment(block, keep_with=keep)
    points = doc.font_points
    return [document(page, points) for page in paginator.pages if page] or [document([], points)]


@dataclass(frozen=True, slots=True)
class Layout:
    """A document laid out for a device: one HTML string per page, and the page geometry."""

    pages: list[str]
    geometry: _Geometry


def lay_out(device: QPagedPaintDevice, printable: PrintableDocument) -> Layout:
    """Lay the document out on the device's pages (the header and footer take fixed room, so
    the page count is known before anything is painted)."""
    geometry = _Geometry(QRectF(0, 0, device.width(), device.height()), device.logicalDpiY() * 0.2)
    pages = paginate(device, printable, geometry.page.width(), geometry.body_height)
    return Layout(pages, geometry)


def paint_pages(device: QPagedPaintDevice, layout: Layout, context: ReportContext) -> int:
    """Paint laid-out pages with their header and footer; returns the page count."""
    geometry, pages = layout.geometry, layout.pages
    painter = QPainter(device)
    if not painter.isActive():
        # Qt could not open the device (the file): say so once, instead of a warning per call.
        raise OutputFileError("Nothing was written: the PDF file could not be opened for writing.")
    try:
        for number, html in enumerate(pages, start=1):
            if number > 1:
                device.newPage()
            _header(painter, geometry, context)
            _footer(painter, geometry, context, number, len(pages))
            body = _text_document(device, geometry.page.width(), html)
            painter.save()
            painter.translate(0, geometry.header_height)
            body.drawContents(painter, QRectF(0, 0, geometry.page.width(), geometry.body_height))
            painter.restore()
    finally:
        painter.end()
    return len(pages)


def paint_document(
    device: QPagedPaintDevice, printable: PrintableDocument, context: ReportContext
) -> int:
    """Lay out and paint the whole document on the device's pages; returns the page count."""
    return paint_pages(device, lay_out(device, printable), context)


def _header(painter: QPainter, g: _Geometry, context: ReportContext) -> None:
    width, line = g.page.width(), g.line
    painter.setPen(QColor("#b00020"))
    painter.setFont(_font(10, bold=True))
    painter.drawText(
        QRectF(0, 0, width, line * 1.2), Qt.AlignmentFlag.AlignHCenter, context.marking
    )
    painter.setPen(QColor("#000000"))
    painter.setFont(_font(8))
    as_of = uk_date(context.as_of, "latest data")
    row = QRectF(0, line * 1.2, width, line)
    painter.drawText(
        row, Qt.AlignmentFlag.AlignLeft, f"{context.title} - {context.authority} - as of {as_of}"
    )
    painter.drawText(
        row, Qt.AlignmentFlag.AlignRight, f"Filter: {context.filter_description or 'none'}"
    )
    painter.drawLine(0, int(line * 2.3), int(width), int(line * 2.3))


def _footer(
    painter: QPainter, g: _Geometry, context: ReportContext, number: int, pages: int
) -> None:
    width, line = g.page.width(), g.line
    top = g.page.height() - line * 1.5
    painter.setFont(_font(7.5))
    painter.setPen(QColor("#000000"))
    painter.drawLine(0, int(top - line * 0.2), int(width), int(top - line * 0.2))
    produced = uk_time(context.produced_at)
    left = f"{context.marking} - printed by {context.produced_by} on {produced}"
    if context.audit_hash:
        left += f" - audit {printed_head(context.audit_hash)}"
    row = QRectF(0, top, width, line)
    painter.drawText(row, Qt.AlignmentFlag.AlignLeft, left)
    painter.drawText(row, Qt.AlignmentFlag.AlignRight, f"Page {number} of {pages}")


def printed_head(label: str) -> str:
    """An audit chain head ('id:hash') as a footer prints it: the id and 16 hex digits, which
    `audit --verify --head` accepts."""
    row_id, _, digest = label.partition(":")
    return f"{row_id}:{digest[:16]}"


def _pdf_writer(path: Path, printable: PrintableDocument, title: str) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setPageLayout(page_layout(printable.landscape))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Exclusion Monitor")
    return writer


def render(
    path: Path,
    printable: PrintableDocument,
    context: ReportContext,
    stamp: Callable[[int], ReportContext] | None = None,
) -> int:
    """Write the PDF at `path` (a temporary file of the safe writer) and return its pages.
    `stamp(pages)`, called between layout and painting, gives the context to print (with its
    audit head): `operations.output.print_to_pdf` passes this function as its renderer."""
    writer = _pdf_writer(path, printable, f"{context.marking}: {context.title}")
    try:
        layout = lay_out(writer, printable)
        final = stamp(len(layout.pages)) if stamp is not None else context
        return paint_pages(writer, layout, final)
    finally:
        del writer  # closes the file before it is checked and renamed


def write_pdf(
    path: Path, printable: PrintableDocument, context: ReportContext, *, overwrite: bool = False
) -> int:
    """Write the document to a PDF file (A4, the document's orientation) through the safe
    writer and return its pages; no audit row (a print a person asks for is
    `operations.output.print_to_pdf`)."""
    pages: list[int] = []
    target = output_files.check_destination(path, overwrite=overwrite)
    check = lambda written: output_files.pdf_problem(written, pages[0] if pages else None)  # noqa: E731
    with output_files.replacing(target, overwrite=overwrite, check=check) as temporary:
        pages.append(render(temporary, printable, context))
    return pages[0]

"""Draw the application icon and write build/icon/exclusion_monitor.ico (16 to 256 pixels) and
ui/resources/exclusion_monitor.png (the window icon).

Run after changing the drawing: `.venv/bin/python build/icon/draw_icon.py` (offscreen Qt, no
display needed). The picture: three school bars rising, as a child's record does when exclusions
escalate, under an amber flag, on the app's blue.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ICO_PATH = HERE / "exclusion_monitor.ico"
PNG_PATH = ROOT / "ui" / "resources" / "exclusion_monitor.png"
SIZES = (16, 24, 32, 48, 64, 128, 256)

BLUE_TOP = QColor("#2366a0")
BLUE_BOTTOM = QColor("#123a5e")
WHITE = QColor("#ffffff")
AMBER = QColor("#f5a623")
AMBER_EDGE = QColor("#c77c00")


def draw(size: int) -> QImage:
    """The icon at `size` pixels, drawn on a 100-unit square; small sizes get bolder shapes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 100.0, size / 100.0)
    small = size <= 24

    margin = 2.0 if small else 4.0
    tile = QRectF(margin, margin, 100 - 2 * margin, 100 - 2 * margin)
    gradient = QLinearGradient(QPointF(0, 0), QPointF(0, 100))
    gradient.setColorAt(0.0, BLUE_TOP)
    gradient.setColorAt(1.0, BLUE_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    radius = 14.0 if small else 20.0
    painter.drawRoundedRect(tile, radius, radius)

    # Three bars rising left to right: the school history that escalates.
    painter.setBrush(WHITE)
    bar_width = 20.0 if small else 17.0
    gap = 6.0 if small else 8.0
    left = 16.0 if small else 17.0
    base = 84.0
    heights = (22.0, 38.0, 56.0) if small else (20.0, 34.0, 50.0)
    for i, height in enumerate(heights):
        x = left + i * (bar_width + gap)
        painter.drawRoundedRect(QRectF(x, base - height, bar_width, height), 2.5, 2.5)

    # The flag over the tallest bar: what the app raises for a child who needs a look.
    top_bar_x = left + 2 * (bar_width + gap)
    pole_x = top_bar_x + bar_width - (4.0 if small else 3.5)
    pole_top = 10.0 if small else 12.0
    pole_bottom = base - heights[2]
    if not small:
        pen = QPen(WHITE, 3.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(pole_x, pole_top), QPointF(pole_x, pole_bottom))
        painter.setPen(QPen(AMBER_EDGE, 1.5))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(pole_x - 2.5, pole_top, 5.0, pole_bottom - pole_top))
    flag_height = 22.0 if small else 18.0
    flag_width = 30.0 if small else 28.0
    flag = QPainterPath()
    flag.addPolygon(
        QPolygonF(
            [
                QPointF(pole_x, pole_top),
                QPointF(pole_x - flag_width, pole_top + flag_height / 2),
                QPointF(pole_x, pole_top + flag_height),
            ]
        )
    )
    flag.closeSubpath()
    painter.setBrush(AMBER)
    painter.drawPath(flag)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode the icon as PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """A 32-bit icon bitmap: header, BGRA rows bottom-up, then the 1-bit transparency mask."""
    straight = image.convertToFormat(QImage.Format.Format_ARGB32)
    size = straight.width()
    rows = []
    mask_rows = []
    mask_stride = ((size + 31) // 32) * 4
    for y in range(size - 1, -1, -1):
        row = bytearray()
        mask = bytearray(mask_stride)
        for x in range(size):
            argb = straight.pixel(x, y)
            alpha = (argb >> 24) & 0xFF
            row += struct.pack("<I", argb)  # little-endian ARGB is B, G, R, A in memory
            if alpha == 0:
                mask[x // 8] |= 0x80 >> (x % 8)
        rows.append(bytes(row))
        mask_rows.append(bytes(mask))
    pixels = b"".join(rows) + b"".join(mask_rows)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels), 0, 0, 0, 0)
    return header + pixels


def ico_bytes(images: dict[int, QImage]) -> bytes:
    """An .ico holding every size: bitmaps below 256 (read by every Windows tool), PNG at 256."""
    entries = []
    blobs = []
    offset = 6 + 16 * len(images)
    for size in sorted(images):
        blob = png_bytes(images[size]) if size >= 256 else dib_bytes(images[size])
        dimension = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        entries.append(
            struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(blob), offset)
        )
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(images)) + b"".join(entries) + b"".join(blobs)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    images = {size: draw(size) for size in SIZES}
    ICO_PATH.write_bytes(ico_bytes(images))
    PNG_PATH.parent.mkdir(parents=True, exist_ok=True)
    PNG_PATH.write_bytes(png_bytes(images[256]))
    print(f"wrote {ICO_PATH.relative_to(ROOT)} ({', '.join(map(str, SIZES))} px)")
    print(f"wrote {PNG_PATH.relative_to(ROOT)} (256 px)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Render graphs to real PNG (zlib + struct, drawn pixel by pixel) and SVG bytes."""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from xml.sax.saxutils import escape

from .fmt import fmt_g
from .state import Graph

BACKGROUND = (255, 255, 255)
AXIS = (40, 40, 40)
GRID = (230, 234, 240)
COLORS = [(26, 71, 111), (144, 53, 59), (85, 117, 47), (227, 126, 0)]
MARGIN = {"left": 70, "right": 25, "top": 45, "bottom": 55}

# 3x5 bitmap digits (and - . e +) for tick labels in PNGs.
_FONT = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
    "-": "000000111000000",
    ".": "000000000000010",
    "e": "000111111100111",
    "+": "000010111010000",
}


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _ranges(g: Graph) -> tuple[float, float, float, float]:
    xs = [x for _k, lx, _ly in g.layers for x in lx]
    ys = [y for _k, _lx, ly in g.layers for y in ly]
    if g.kind == "histogram":
        xs = xs + [x + g.bin_width for x in xs]
        ys = [*ys, 0.0]
    if not xs or not ys:
        return 0.0, 1.0, 0.0, 1.0
    xt = nice_ticks(min(xs), max(xs))
    yt = nice_ticks(min(ys), max(ys))
    return min(xt[0], min(xs)), max(xt[-1], max(xs)), min(yt[0], min(ys)), max(yt[-1], max(ys))


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.w = width
        self.h = height
        self.px = bytearray(bytes(BACKGROUND) * (width * height))

    def set(self, x: int, y: int, color: tuple[int, int, int]) -> None:
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i : i + 3] = bytes(color)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        x0, x1 = sorted((max(0, x0), min(self.w - 1, x1)))
        y0, y1 = sorted((max(0, y0), min(self.h - 1, y1)))
        row = bytes(color) * (x1 - x0 + 1)
        for y in range(y0, y1 + 1):
            i = (y * self.w + x0) * 3
            self.px[i : i + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        for _ in range(dx - dy + 2):
            self.set(x0, y0, color)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def disc(self, cx: int, cy: int, r: int, color: tuple[int, int, int]) -> None:
        for y in range(-r, r + 1):
            for x in range(-r, r + 1):
                if x * x + y * y <= r * r:
                    self.set(cx + x, cy + y, color)

    def text(self, x: int, y: int, s: str, color: tuple[int, int, int], scale: int = 2) -> None:
        for ch in s:
            glyph = _FONT.get(ch)
            if glyph is not None:
                for k, bit in enumerate(glyph):
                    if bit == "1":
                        gx, gy = k % 3, k // 3
                        self.rect(
                            x + gx * scale,
                            y + gy * scale,
                            x + gx * scale + scale - 1,
                            y + gy * scale + scale - 1,
                            color,
                        )
            x += 4 * scale

    def png(self) -> bytes:
        stride = self.w * 3
        raw = b"".join(b"\x00" + bytes(self.px[y * stride : (y + 1) * stride]) for y in range(self.h))

        def chunk(tag: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
        )


class _Frame:
    def __init__(self, g: Graph, width: int, height: int) -> None:
        self.x0, self.x1, self.y0, self.y1 = _ranges(g)
        self.left = MARGIN["left"]
        self.right = width - MARGIN["right"]
        self.top = MARGIN["top"]
        self.bottom = height - MARGIN["bottom"]

    def sx(self, x: float) -> float:
        return self.left + (x - self.x0) / ((self.x1 - self.x0) or 1.0) * (self.right - self.left)

    def sy(self, y: float) -> float:
        return self.bottom - (y - self.y0) / ((self.y1 - self.y0) or 1.0) * (self.bottom - self.top)


def render_png(g: Graph, width: int, height: int) -> bytes:
    c = Canvas(width, height)
    f = _Frame(g, width, height)
    for t in nice_ticks(f.y0, f.y1):
        if f.y0 <= t <= f.y1:
            y = round(f.sy(t))
            c.line(f.left, y, f.right, y, GRID)
            c.line(f.left - 6, y, f.left, y, AXIS)
            label = fmt_g(t, 9)
            c.text(f.left - 10 - len(label) * 8, y - 5, label, AXIS)
    for t in nice_ticks(f.x0, f.x1):
        if f.x0 <= t <= f.x1:
            x = round(f.sx(t))
            c.line(x, f.bottom, x, f.bottom + 6, AXIS)
            label = fmt_g(t, 9)
            c.text(x - len(label) * 4, f.bottom + 10, label, AXIS)
    for k, (kind, xs, ys) in enumerate(g.layers):
        color = COLORS[k % len(COLORS)]
        if kind == "bar":
            for x, y in zip(xs, ys, strict=True):
                c.rect(
                    round(f.sx(x)) + 1,
                    round(f.sy(y)),
                    round(f.sx(x + g.bin_width)) - 1,
                    round(f.sy(max(f.y0, 0.0))),
                    color,
                )
        elif kind == "line":
            pts = sorted(zip(xs, ys, strict=True))
            for (xa, ya), (xb, yb) in itertools.pairwise(pts):
                c.line(round(f.sx(xa)), round(f.sy(ya)), round(f.sx(xb)), round(f.sy(yb)), color)
        else:
            for x, y in zip(xs, ys, strict=True):
                c.disc(round(f.sx(x)), round(f.sy(y)), 3, color)
    c.line(f.left, f.top, f.left, f.bottom, AXIS)
    c.line(f.left, f.bottom, f.right, f.bottom, AXIS)
    return c.png()


def render_svg(g: Graph, width: int, height: int) -> bytes:
    f = _Frame(g, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
        "<!-- SIMULATED Stata graph (stata-live simulator) -->",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for t in nice_ticks(f.y0, f.y1):
        if f.y0 <= t <= f.y1:
            y = f.sy(t)
            parts.append(f'<line x1="{f.left}" y1="{y:.1f}" x2="{f.right}" y2="{y:.1f}" stroke="#eaeef0"/>')
            parts.append(
                f'<text x="{f.left - 8}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{fmt_g(t, 9)}</text>'
            )
    for t in nice_ticks(f.x0, f.x1):
        if f.x0 <= t <= f.x1:
            x = f.sx(t)
            parts.append(f'<line x1="{x:.1f}" y1="{f.bottom}" x2="{x:.1f}" y2="{f.bottom + 5}" stroke="#282828"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{f.bottom + 18}" font-size="11" text-anchor="middle">{fmt_g(t, 9)}</text>'
            )
    for k, (kind, xs, ys) in enumerate(g.layers):
        r, gr, b = COLORS[k % len(COLORS)]
        color = f"#{r:02x}{gr:02x}{b:02x}"
        if kind == "bar":
            base = f.sy(max(f.y0, 0.0))
            for x, y in zip(xs, ys, strict=True):
                x0, x1, top = f.sx(x), f.sx(x + g.bin_width), f.sy(y)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{base - top:.1f}" '
                    f'fill="{color}" stroke="#ffffff"/>'
                )
        elif kind == "line":
            pts = " ".join(f"{f.sx(x):.1f},{f.sy(y):.1f}" for x, y in sorted(zip(xs, ys, strict=True)))
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        else:
            for x, y in zip(xs, ys, strict=True):
                parts.append(f'<circle cx="{f.sx(x):.1f}" cy="{f.sy(y):.1f}" r="3" fill="{color}"/>')
    parts.append(f'<line x1="{f.left}" y1="{f.top}" x2="{f.left}" y2="{f.bottom}" stroke="#282828"/>')
    parts.append(f'<line x1="{f.left}" y1="{f.bottom}" x2="{f.right}" y2="{f.bottom}" stroke="#282828"/>')
    if g.title:
        parts.append(f'<text x="{width / 2:.1f}" y="25" font-size="16" text-anchor="middle">{escape(g.title)}</text>')
    if g.xlabel:
        parts.append(
            f'<text x="{(f.left + f.right) / 2:.1f}" y="{height - 12}" font-size="12" '
            f'text-anchor="middle">{escape(g.xlabel)}</text>'
        )
    if g.ylabel:
        cy = (f.top + f.bottom) / 2
        parts.append(
            f'<text x="16" y="{cy:.1f}" font-size="12" text-anchor="middle" '
            f'transform="rotate(-90 16 {cy:.1f})">{escape(g.ylabel)}</text>'
        )
    parts.append("</svg>\n")
    return "\n".join(parts).encode("utf-8")

"""The portal's one chart technique: inline SVG drawn on the server (no script, no CDN).

Bars (a label and a count per row), columns (counts per year), a line (a cumulative count over
time) and the admin dashboard's sparkline. Every chart is an ``<svg role="img">`` whose accessible
name is its title, every bar or point carries a ``<title>`` with its value (shown on hover), and the
templates put a table of the same figures beside it (macros.html ``chart_table``). The SVG scales
to its container (``width="100%"`` over a viewBox), so a chart never makes a phone scroll sideways.

Labels are escaped: subjects and types come from harvested records.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def _open(width: int, height: int, title: str, css: str = "chart") -> str:
    label = escape(title)
    return (f'<svg class="{css}" role="img" viewBox="0 0 {width} {height}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" aria-label="{label}"><title>{label}</title>')


def _empty(title: str) -> Markup:
    return Markup(f'<p class="chart-empty">{escape(title)}: –</p>')


def _number(value: int) -> str:
    return f"{value:,}"


def bar_chart(data: Sequence[tuple[str, int]], title: str, width: int = 560, bar_height: int = 18) -> Markup:
    """Horizontal bars, one per (label, value), the value at the bar's end and in its ``<title>``."""
    if not data:
        return _empty(title)
    label_width = 190
    top = max(v for _, v in data) or 1
    height = len(data) * (bar_height + 6) + 6
    parts = [_open(width, height, title, "chart bars")]
    span = width - label_width - 70
    for i, (label, value) in enumerate(data):
        y = 4 + i * (bar_height + 6)
        w = max(1, round(span * value / top))
        text = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<g><title>{escape(label)}: {_number(value)}</title>'
                     f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" class="chart-label">'
                     f'{escape(text)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar_height}" class="chart-bar"/>'
                     f'<text x="{label_width + w + 4}" y="{y + bar_height - 5}" class="chart-value">'
                     f'{_number(value)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(counts: Sequence[tuple[int, int]], title: str, width: int = 640, height: int = 180) -> Markup:
    """One column per year from the first to the last (years without records stay empty), about
    eight year labels on the axis, each column's year and count in its ``<title>``."""
    if not counts:
        return _empty(title)
    by_year = dict(counts)
    first, last = min(by_year), max(by_year)
    years = list(range(first, last + 1)) if last - first < 80 else sorted(by_year)
    peak = max(by_year.values()) or 1
    slot = width / len(years)
    every = max(1, len(years) // 8)
    parts = [_open(width, height, title, "chart columns")]
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        h = round((height - 30) * n / peak, 1)
        x = round(i * slot + 1, 1)
        parts.append(f'<g><title>{year}: {_number(n)}</title>'
                     f'<rect x="{x}" y="{round(height - 20 - h, 1)}" width="{round(max(slot - 2, 1), 1)}" '
                     f'height="{h}" class="chart-bar"/>')
        if i % every == 0:
            parts.append(f'<text x="{x}" y="{height - 4}" class="chart-label">{year}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: Sequence[tuple[str, int]], title: str, width: int = 640, height: int = 200) -> Markup:
    """A line over (label, value) points: the largest value on the axis, the first, middle and last
    labels under it, and a dot per point whose ``<title>`` holds its label and value."""
    if not points:
        return _empty(title)
    left, right, bottom, top_pad = 56, 12, 24, 12
    top = max(v for _, v in points) or 1
    n = len(points)
    step = (width - left - right) / max(1, n - 1)
    coords = [(left + i * step if n > 1 else (left + width - right) / 2,
               height - bottom - (height - bottom - top_pad) * v / top) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [_open(width, height, title, "chart line"),
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" class="chart-axis"/>',
             f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" class="chart-value">{_number(top)}</text>',
             f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" class="chart-value">0</text>',
             f'<polyline points="{path}" class="chart-line" fill="none"/>']
    radius = 3 if n <= 60 else 1.5
    for (x, y), (label, value) in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" class="chart-point">'
                     f'<title>{escape(label)}: {_number(value)}</title></circle>')
    marks = sorted({0, n // 2, n - 1})
    for i in marks:
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        parts.append(f'<text x="{coords[i][0]:.1f}" y="{height - 6}" text-anchor="{anchor}" class="chart-label">'
                     f'{escape(points[i][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[int], width: int = 100, height: int = 20, label: str = "") -> Markup:
    """A tiny trend line (the admin dashboard's last 30 days) and the change over it."""
    if len(values) < 2:
        return Markup('<span class="spark-empty">–</span>')
    low, high = min(values), max(values)
    spread = (high - low) or 1
    step = width / (len(values) - 1)
    path = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * (v - low) / spread:.1f}" for i, v in enumerate(values))
    change = values[-1] - values[0]
    return Markup(f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
                  f'aria-label="{escape(label)} {change:+d}"><polyline points="{path}" fill="none"/></svg>'
                  f'<span class="spark-change">{change:+d}</span>')


def cumulative(counts: Sequence[tuple[int, int]]) -> list[tuple[str, int]]:
    """(year, records) -> (year, records up to and including that year), every year from the first
    to the last: the growth of a collection over the years its records cover."""
    if not counts:
        return []
    by_year = dict(counts)
    total = 0
    out = []
    for year in range(min(by_year), max(by_year) + 1):
        total += by_year.get(year, 0)
        out.append((str(year), total))
    return out

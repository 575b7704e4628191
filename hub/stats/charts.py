"""Inline SVG charts (no script, no CDN): bars, a line of growth and a sparkline.

Labels are escaped: subjects and types come from harvested records.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup


def bar_chart(data: Sequence[tuple[str, int]], title: str, width: int = 560, bar_height: int = 18) -> Markup:
    """Horizontal bars, one per (label, value), with the value at the bar's end."""
    if not data:
        return Markup(f'<p class="chart-empty">{escape(title)}: –</p>')
    label_width = 170
    top = max(v for _, v in data) or 1
    height = len(data) * (bar_height + 6) + 28
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="0" y="14" class="chart-title">{escape(title)}</text>']
    span = width - label_width - 60
    for i, (label, value) in enumerate(data):
        y = 24 + i * (bar_height + 6)
        w = max(1, round(span * value / top))
        text = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" class="chart-label">'
                     f'{escape(text)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{w}" height="{bar_height}" class="chart-bar">'
                     f'<title>{escape(label)}: {value}</title></rect>'
                     f'<text x="{label_width + w + 4}" y="{y + bar_height - 5}" class="chart-value">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: Sequence[tuple[str, int]], title: str, width: int = 560, height: int = 200) -> Markup:
    """A line over (label, value) points, first and last labels on the axis."""
    if not points:
        return Markup(f'<p class="chart-empty">{escape(title)}: –</p>')
    left, bottom, top_pad = 50, 24, 24
    top = max(v for _, v in points) or 1
    n = len(points)
    step = (width - left - 10) / max(1, n - 1)
    coords = [(left + i * step, height - bottom - (height - bottom - top_pad) * v / top)
              for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title><text x="0" y="14" class="chart-title">{escape(title)}</text>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="chart-axis"/>'
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" class="chart-value">{top}</text>'
        f'<polyline points="{path}" class="chart-line" fill="none"/>'
        f'<text x="{left}" y="{height - 6}" class="chart-label">{escape(points[0][0])}</text>'
        f'<text x="{width - 10}" y="{height - 6}" text-anchor="end" class="chart-label">{escape(points[-1][0])}</text>'
        "</svg>")


def sparkline(values: Sequence[int], width: int = 100, height: int = 20, label: str = "") -> Markup:
    """A tiny trend line (the dashboard's last 30 days)."""
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

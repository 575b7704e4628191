"""The portal's one chart technique: inline SVG drawn on the server (no script, no CDN).

Bars (a label and a count per row), columns (counts per year), a line (a cumulative count over
time) and the admin dashboard's sparkline. Every chart is an ``<svg role="img">`` (``role="group"``
when it holds links, so they stay reachable) whose accessible name is its title, every bar or point carries a ``<title>`` with its value (shown on hover), and the
templates put a table of the same figures beside it (macros.html ``chart_table``). Positions along
the width are percentages and text keeps its size (no viewBox scaling), so a chart fills its
container, never makes a phone scroll sideways, and its labels stay readable at 390 px.

Where a person would explore, a bar or column is a link (``links``): a click goes to the records
behind it (a search with the bar's filters) or to the page of what it counts; a link is focusable and
carries the same accessible name as its ``<title>``.

A network (``network_chart``: members and their collaboration) puts its nodes on an ellipse, a node's
area by its output and an edge's width by its weight; every node is a link to its page.

Labels are escaped: subjects and types come from harvested records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from math import cos, pi, sin, sqrt

from markupsafe import Markup


def _open(height: int, title: str, css: str, interactive: bool = False) -> str:
    """A chart's ``<svg>``: an image named ``title``, or, when it holds links (``interactive``), a
    group so named (an image's content is hidden from assistive technology, its links with it)."""
    label = escape(title)
    role = "group" if interactive else "img"
    return (f'<svg class="chart {css}" role="{role}" width="100%" height="{height}" aria-label="{label}">'
            f"<title>{label}</title>")


def _empty(title: str) -> Markup:
    return Markup(f'<p class="chart-empty">{escape(title)}: –</p>')


def _number(value: int) -> str:
    return f"{value:,}"


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def _linked(body: str, name: str, href: str | None, labelled: bool = True) -> str:
    """``body`` (a bar's shapes) as a focusable link to ``href`` named ``name``, or as a plain group.
    ``labelled=False`` (a bar whose label and value are visible text): the ``<title>`` alone names
    the link, since an ``aria-label`` other than the visible text fails WCAG 2.5.3 (label in name)."""
    if not href:
        return f"<g><title>{escape(name)}</title>{body}</g>"
    label = f' aria-label="{escape(name)}"' if labelled else ""
    return (f'<a href="{escape(href)}" class="chart-link"{label}>'
            f"<title>{escape(name)}</title>{body}</a>")


def bar_chart(data: Sequence[tuple[str, int]], title: str, row: int = 40,
              links: Sequence[str | None] | None = None) -> Markup:
    """Horizontal bars, one per (label, value): the label above its bar, the value at the bar's end
    and in its ``<title>``. Widths are shares of the chart's width and text keeps its size, so the
    chart reads the same on a phone and on a desktop. ``links[i]``, when given, is where bar ``i``
    leads (the records behind it); a bar of 0 has nothing behind it and is no link."""
    if not data:
        return _empty(title)
    top = max(v for _, v in data) or 1
    hrefs = [(links[i] if links and i < len(links) and value else None) for i, (_, value) in enumerate(data)]
    parts = [_open(len(data) * row, title, "bars", any(hrefs))]
    for i, (label, value) in enumerate(data):
        y = i * row
        w = max(0.4, 82 * value / top)
        text = label if len(label) <= 48 else label[:47] + "…"
        href = hrefs[i]
        parts.append(_linked(f'<text x="0" y="{y + 14}" class="chart-label">{escape(text)}</text>'
                             f'<rect x="0" y="{y + 19}" width="{_pct(w)}" height="14" class="chart-bar"/>'
                             f'<text x="{_pct(w)}" dx="6" y="{y + 31}" class="chart-value">{_number(value)}</text>',
                             f"{label}: {_number(value)}", href, labelled=False))
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(counts: Sequence[tuple[int, int]], title: str, height: int = 180,
                 links: Mapping[int, str] | None = None) -> Markup:
    """One column per year from the first to the last (years without records stay empty), at most
    eight year labels on the axis, each column's year and count in its ``<title>``; ``links[year]``,
    when given, is where that year's column leads (the records behind it)."""
    if not counts:
        return _empty(title)
    by_year = dict(counts)
    first, last = min(by_year), max(by_year)
    years = list(range(first, last + 1)) if last - first < 80 else sorted(by_year)
    peak = max(by_year.values()) or 1
    slot = 100 / len(years)
    every = -(-len(years) // 8)
    plot = height - 24
    parts = [_open(height, title, "columns", any((links or {}).get(y) for y in years if by_year.get(y)))]
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        h = round(plot * n / peak, 1)
        x = i * slot
        rect = (f'<rect x="{_pct(x + slot * 0.08)}" y="{round(plot - h, 1)}" width="{_pct(slot * 0.84)}" '
                f'height="{h}" class="chart-bar"/>')
        parts.append(_linked(rect, f"{year}: {_number(n)}", (links or {}).get(year) if n else None))
        if i % every == 0:
            parts.append(f'<text x="{_pct(x)}" y="{height - 6}" class="chart-label">{year}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: Sequence[tuple[str, int]], title: str, height: int = 200) -> Markup:
    """A line over (label, value) points: the largest value and 0 on the axis, the first, middle and
    last labels under it, and a dot per point whose ``<title>`` holds its label and value."""
    if not points:
        return _empty(title)
    bottom, top_pad = 26, 10
    top = max(v for _, v in points) or 1
    n = len(points)
    # x as a share of the width (room on the left for the axis values), y in pixels
    left, right = 12.0, 98.0
    xs = [left + (right - left) * i / (n - 1) if n > 1 else (left + right) / 2 for i in range(n)]
    ys = [round(height - bottom - (height - bottom - top_pad) * v / top, 1) for _, v in points]
    parts = [_open(height, title, "line"),
             f'<line x1="{_pct(left)}" y1="{height - bottom}" x2="{_pct(right)}" y2="{height - bottom}" '
             'class="chart-axis"/>',
             f'<text x="{_pct(left)}" dx="-6" y="{top_pad + 4}" text-anchor="end" class="chart-value">{_number(top)}</text>',
             f'<text x="{_pct(left)}" dx="-6" y="{height - bottom}" text-anchor="end" class="chart-value">0</text>']
    for i in range(1, n):
        parts.append(f'<line x1="{_pct(xs[i - 1])}" y1="{ys[i - 1]}" x2="{_pct(xs[i])}" y2="{ys[i]}" '
                     'class="chart-line"/>')
    radius = 3.5 if n <= 60 else 2
    for x, y, (label, value) in zip(xs, ys, points, strict=True):
        parts.append(f'<circle cx="{_pct(x)}" cy="{y}" r="{radius}" class="chart-point">'
                     f'<title>{escape(label)}: {_number(value)}</title></circle>')
    for i in sorted({0, n // 2, n - 1}):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        parts.append(f'<text x="{_pct(xs[i])}" y="{height - 6}" text-anchor="{anchor}" class="chart-label">'
                     f'{escape(points[i][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _text_width(text: str) -> float:
    """Roughly how many pixels ``text`` takes at the charts' 12 px: CJK characters a full em, others
    a little over half of one (the server cannot measure; this keeps labels inside a phone's width)."""
    return sum(12.0 if ord(ch) > 0x2E7F else 6.6 for ch in text)


def _fit(text: str, pixels: float) -> str:
    """``text`` cut with an ellipsis to about ``pixels`` wide."""
    if _text_width(text) <= pixels:
        return text
    out = ""
    for ch in text:
        if _text_width(out + ch) > pixels - 12:
            break
        out += ch
    return out.rstrip() + "…"


NETWORK_LABELS = 16  # at most this many node labels on the chart (the largest nodes); the rest by hover/focus


def network_chart(nodes: Sequence[tuple[str, int, str]], edges: Sequence[tuple[int, int, int]],
                  title: str) -> Markup:
    """A network: ``nodes`` are (label, size, href) - a member, its output and its page - placed in
    order around an ellipse from the top, clockwise; ``edges`` are (node index a, node index b,
    weight), drawn as lines whose width grows with the weight. A node's area grows with its size;
    each node is a focusable link named "label: size", each edge carries "a – b: weight" in its
    ``<title>``. Positions across are shares of the width and text keeps its size (like the other
    charts), labels are cut to fit a phone's width with the whole label in the link's name, and only
    the largest ``NETWORK_LABELS`` nodes are labelled when there are more. Edges to unknown indices,
    loops and weights below 1 are left out."""
    if not nodes:
        return _empty(title)
    n = len(nodes)
    height = 340 if n <= 12 else 420
    top_size = max(size for _, size, _ in nodes) or 1
    radii = [round(4 + 14 * sqrt(max(size, 0) / top_size), 1) for _, size, _ in nodes]
    if n == 1:
        places = [(50.0, height / 2)]
    else:
        rx, ry = 30.0, height / 2 - 46
        places = [(50 + rx * cos(-pi / 2 + 2 * pi * i / n), height / 2 + ry * sin(-pi / 2 + 2 * pi * i / n))
                  for i in range(n)]
    labelled = set(sorted(range(n), key=lambda i: (-nodes[i][1], i))[:NETWORK_LABELS])
    kept = [(a, b, w) for a, b, w in edges if 0 <= a < n and 0 <= b < n and a != b and w >= 1]
    heaviest = max((w for _, _, w in kept), default=1)
    parts = [_open(height, title, "network", any(href for _, _, href in nodes))]
    for a, b, weight in sorted(kept, key=lambda e: e[2]):
        (xa, ya), (xb, yb) = places[a], places[b]
        line = (f'x1="{_pct(xa)}" y1="{ya:.1f}" x2="{_pct(xb)}" y2="{yb:.1f}"')
        width = round(1 + 7 * weight / heaviest, 1)
        name = f"{nodes[a][0]} – {nodes[b][0]}: {_number(weight)}"
        parts.append(f'<g class="chart-edge-group"><title>{escape(name)}</title>'
                     f'<line {line} class="chart-edge-hit"/>'
                     f'<line {line} stroke-width="{width}" class="chart-edge"/></g>')
    for i, ((label, size, href), (x, y), r) in enumerate(zip(nodes, places, radii, strict=True)):
        shapes = f'<circle cx="{_pct(x)}" cy="{y:.1f}" r="{r}" class="chart-node"/>'
        if i in labelled:
            above = y < height / 2 - 1
            ty = y - r - 6 if above else y + r + 15
            shapes += (f'<text x="{_pct(x)}" y="{ty:.1f}" text-anchor="middle" class="chart-label">'
                       f"{escape(_fit(label, 128))}</text>")
        parts.append(_linked(shapes, f"{label}: {_number(size)}", href or None))
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

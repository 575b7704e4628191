"""The network on a map of China: members by province, drawn on the server as SVG like the other charts.

The outlines are data, ``hub/web/geo/china-provinces.json`` (from Apache ECharts' China map, projected
and simplified by ``scripts/build_china_map.py``; ``hub/web/geo/SOURCE.md`` says how), with the South
China Sea islands inset at the lower right as maps published in China have it. A province is shaded by
its number of members (the legend says what each shade means); a province with members is a link, to
its one member's page or to the member list filtered to it, named (and titled, shown on hover) with
the province in Chinese and English and its members. ``province_rows`` gives the same figures as a
table, the map's alternative.

Members record their province as free text (``Institution.region``): ``province_of`` maps the forms
in use (北京, 北京市, Beijing, Beijing Municipality, Guangxi Zhuang Autonomous Region, inner-mongolia...)
to one ``Province``; any other region is not on the map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape
from pathlib import Path

from flask_babel import gettext, ngettext
from markupsafe import Markup

from hub.web.portal.labels import REGIONS

GEOMETRY = Path(__file__).resolve().parent / "geo" / "china-provinces.json"
LABEL_STRIP = 36.0  # frame units below the map for the inset's label (11 px at a phone's 390 px)
NAMES_IN_TITLE = 8  # members named in a province's hover title; the rest counted
LEVELS = ((1, 1), (2, 3), (4, 7), (8, 15), (16, None))  # members per shade (the legend's steps)

_ZH_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_EN_SUFFIXES = (" special administrative region", " autonomous region", " municipality", " province", " sar",
                " shi", " sheng")
_EN_ALIASES = {"guangxi zhuang": "广西", "ningxia hui": "宁夏", "xinjiang uygur": "新疆", "xinjiang uyghur": "新疆",
               "nei mongol": "内蒙古", "nei menggu": "内蒙古", "hongkong": "香港", "xizang": "西藏", "macau": "澳门"}


@dataclass(frozen=True)
class Province:
    """A provincial-level division: its code (GB/T 2260), its Chinese short name (the key) and English name."""

    code: str
    zh: str
    en: str

    def name(self, lang: str) -> str:
        """The name in ``lang``."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class MapMember:
    """A member as the map shows it: its name in the page's language, its page, its live records."""

    name: str
    href: str
    records: int


@dataclass
class ProvinceRow:
    """One province of the map's table: its members (most records first) and their records."""

    province: Province
    members: list[MapMember] = field(default_factory=list)

    @property
    def records(self) -> int:
        """Live records of the province's members."""
        return sum(m.records for m in self.members)


@dataclass(frozen=True)
class _Shape:
    province: Province
    d: str
    label: tuple[float, float]  # where its marker goes (ECharts' centre point), frame units


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    shapes: tuple[_Shape, ...]
    inset_d: str
    inset_box: tuple[float, float, float, float]
    inset_name: str


_EN_BY_ZH = {zh: en for en, zh in REGIONS.items() if en not in ("Xizang", "Macau")}


@cache
def _geometry() -> _Geometry:
    data = json.loads(GEOMETRY.read_text(encoding="utf-8"))
    shapes = tuple(sorted((_Shape(Province(p["code"], p["name"], _EN_BY_ZH[p["name"]]), p["d"],
                                  (p["label"][0], p["label"][1]))
                           for p in data["provinces"]), key=lambda s: s.province.code))
    x, y, w, h = data["nanhai"]["box"]
    return _Geometry(data["width"], data["height"], shapes, data["nanhai"]["d"], (x, y, w, h), data["nanhai"]["name"])


@cache
def provinces() -> dict[str, Province]:
    """Every province on the map by its Chinese short name, in code order (北京 first)."""
    return {s.province.zh: s.province for s in _geometry().shapes}


def _strip(value: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


@lru_cache(maxsize=4096)  # members' regions repeat; a visitor's query is bounded to 64 characters
def province_of(region: str | None) -> Province | None:
    """The province a region names in any common form (北京, 北京市, Beijing, beijing municipality,
    Inner-Mongolia, Hong Kong SAR...), or None when it names none."""
    value = re.sub(r"\s+", " ", (region or "").strip())
    if not value:
        return None
    known = provinces()
    zh = _strip(value.replace(" ", ""), _ZH_SUFFIXES)
    if zh in known:
        return known[zh]
    en = _strip(re.sub(r"[-_ ]+", " ", value).casefold(), _EN_SUFFIXES)
    by_en = {p.en.casefold(): p for p in known.values()}
    hit = by_en.get(en) or known.get(_EN_ALIASES.get(en, ""))
    if hit is None:
        zh_name = REGIONS.get(en.title())
        hit = known.get(zh_name) if zh_name else None
    return hit


def province_rows(members: Iterable[tuple[str, MapMember]]) -> tuple[list[ProvinceRow], list[MapMember]]:
    """(region, member) pairs grouped by province: the provinces with members, most members first
    (then most records, then code), and the members whose region is on no province of the map."""
    rows: dict[str, ProvinceRow] = {}
    elsewhere: list[MapMember] = []
    for region, member in members:
        province = province_of(region)
        if province is None:
            elsewhere.append(member)
        else:
            rows.setdefault(province.zh, ProvinceRow(province)).members.append(member)
    for row in rows.values():
        row.members.sort(key=lambda m: (-m.records, m.name))
    ordered = sorted(rows.values(), key=lambda r: (-len(r.members), -r.records, r.province.code))
    return ordered, elsewhere


def level(count: int) -> int:
    """The shade of a province with ``count`` members: 0 for none, then 1.. per ``LEVELS``."""
    for i, (low, high) in enumerate(LEVELS, start=1):
        if count >= low and (high is None or count <= high):
            return i
    return 0


def _member_names(members: Sequence[MapMember], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    names = sep.join(m.name for m in members[:NAMES_IN_TITLE])
    if len(members) > NAMES_IN_TITLE:
        names += sep + gettext("and %(n)s more", n=len(members) - NAMES_IN_TITLE)
    return names


def province_label(row: ProvinceRow | None, province: Province, lang: str) -> str:
    """What a province's hover title and link name say: its names, its members and their records."""
    colon, comma, left, right = ("：", "，", "（", "）") if lang == "zh" else (": ", ", ", " (", ")")
    if row is None or not row.members:
        return f"{province.name(lang)}{colon}{gettext('no members')}"
    count = ngettext("%(num)s member", "%(num)s members", len(row.members))
    records = ngettext("%(num)s record", "%(num)s records", row.records)
    return f"{province.name(lang)}{colon}{count}{comma}{records}{left}{_member_names(row.members, lang)}{right}"


def china_map(rows: Sequence[ProvinceRow], *, title: str, lang: str,
              region_href: Callable[[Province], str], selected: Province | None = None) -> Markup:
    """The map: every province, shaded by its members, those with members links (to the one member's
    page, or ``region_href(province)`` for several), ``selected`` marked as the current one; the
    South China Sea inset at the lower right; named ``title``. Positions scale with the width (the
    frame keeps its proportions, the geometry's and ``LABEL_STRIP``, through the stylesheet); the inset's
    label and each province's marker (its member count, a second way in for a finger, out of the tab
    order) keep their size."""
    geo = _geometry()
    by_zh: Mapping[str, ProvinceRow] = {r.province.zh: r for r in rows}
    markers: list[str] = []
    label = escape(title)
    height = geo.height + LABEL_STRIP
    parts = [f'<svg class="chart china-map-frame" role="group" aria-label="{label}" width="100%">',
             f'<svg viewBox="0 0 {geo.width:g} {height:g}" width="100%" height="100%" '
             'preserveAspectRatio="xMidYMid meet">']
    for shape in geo.shapes:
        province = shape.province
        row = by_zh.get(province.zh)
        count = len(row.members) if row else 0
        name = escape(province_label(row, province, lang))
        current = selected is not None and selected.zh == province.zh
        css = f"map-province map-level-{level(count)}" + (" map-selected" if current else "")
        path = f'<path d="{shape.d}" class="{css}"/>'
        if row and row.members:
            href = row.members[0].href if count == 1 else region_href(province)
            aria_current = ' aria-current="true"' if current else ""
            parts.append(f'<a href="{escape(href)}" class="chart-link map-link" aria-label="{name}"{aria_current}>'
                         f"<title>{name}</title>{path}</a>")
            # a marker of its own size with the count: a target a finger can hit on the smallest provinces
            mx, my = 100 * shape.label[0] / geo.width, 100 * shape.label[1] / (geo.height + LABEL_STRIP)
            markers.append(f'<a href="{escape(href)}" class="chart-link map-marker" tabindex="-1" aria-hidden="true">'
                           f'<title>{name}</title><circle cx="{mx:.2f}%" cy="{my:.2f}%" r="9"/>'
                           f'<text x="{mx:.2f}%" y="{my:.2f}%" dy="4" text-anchor="middle">{count}</text></a>')
        else:
            parts.append(f"<g><title>{name}</title>{path}</g>")
    x, y, w, h = geo.inset_box
    inset = escape(geo.inset_name if lang == "zh" else gettext("South China Sea Islands"))
    parts.append(f'<g class="map-inset"><title>{inset}</title>'
                 f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" class="map-inset-box"/>'
                 f'<path d="{geo.inset_d}" class="map-inset-line"/></g></svg>')
    # the inset's label under it in the outer frame, placed by shares of it, so it keeps its size
    parts.append(f'<text x="{100 * (x + w) / geo.width:.2f}%" y="{100 * (y + h) / height:.2f}%" dy="14" '
                 f'text-anchor="end" class="chart-label map-inset-label" aria-hidden="true">{inset}</text>')
    parts += markers
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(rows: Sequence[ProvinceRow]) -> Markup:
    """The shades' meaning, as HTML (its text keeps its size): no members, then each step up to the
    largest province's count."""
    top = max((len(r.members) for r in rows), default=0)
    items = [(0, gettext("no members"))]
    for i, (low, high) in enumerate(LEVELS, start=1):
        if low > top:
            break
        span = str(low) if high == low else f"{low}+" if high is None else f"{low}–{high}"
        items.append((i, span))
    lis = "".join(f'<li><span class="map-swatch map-level-{i}" aria-hidden="true"></span>{escape(text)}</li>'
                  for i, text in items)
    return Markup(f'<ul class="map-legend" aria-label="{escape(gettext("Members per province"))}">{lis}</ul>')

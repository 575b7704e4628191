#!/usr/bin/env python3
"""Build hub/web/geo/china-provinces.json, the portal's map of China, from Apache ECharts' npm package.

    python scripts/build_china_map.py [echarts-4.9.0.tgz]

Without an argument it runs ``npm pack echarts@4.9.0`` in a temporary folder. From the tarball it
reads ``map/json/china.json`` (the provincial-level divisions, coordinates in ECharts' compressed
"UTF8Encoding": zigzag-encoded deltas, two characters a point, 1/1024 degree) and the two fixes
ECharts applies to its China map, ``src/coord/geo/fix/nanhai.js`` (the South China Sea islands inset:
its frame and the dashed boundary line, drawn at the lower right as Chinese maps do) and
``src/coord/geo/fix/diaoyuIsland.js`` (Diaoyu Island, added to Taiwan). It projects the provinces
with an Albers equal-area conic (standard parallels 25° N and 47° N, central meridian 105° E, the
usual projection of maps of China), simplifies each ring with Douglas-Peucker, leaves out islands
too small to see (a province keeps at least its largest part; Diaoyu Island is always kept) and
writes SVG path data in a 1000-unit-wide frame. The portal reads only the written file.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "echarts"
VERSION = "4.9.0"
OUT = Path(__file__).resolve().parent.parent / "hub" / "web" / "geo" / "china-provinces.json"
WIDTH = 1000.0
PAD = 8.0
TOLERANCE = 0.9  # Douglas-Peucker tolerance in frame units (the frame is 1000 wide)
MIN_AREA = 4.0  # rings smaller than this (frame units squared) are left out, but for each province's largest

Point = tuple[float, float]
Ring = list[Point]


def decode_ring(encoded: str, offset: list[int], scale: float = 1024.0) -> Ring:
    """One ring of ECharts' UTF8Encoding: pairs of characters, each less 64, zigzag-decoded, are the
    deltas from the previous point (the first from ``offset``), in 1/``scale`` degree."""
    x, y = offset
    out: Ring = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        out.append((x / scale, y / scale))
    return out


def polygons(feature: dict) -> list[list[Ring]]:
    """A feature's polygons (each a list of rings, the outer one first), decoded to longitude/latitude."""
    geometry = feature["geometry"]
    coords, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        return [[decode_ring(ring, offsets[i]) for i, ring in enumerate(coords)]]
    return [[decode_ring(ring, offsets[p][i]) for i, ring in enumerate(polygon)] for p, polygon in enumerate(coords)]


def albers(lon: float, lat: float) -> Point:
    """Albers equal-area conic on the sphere (25° N, 47° N, 105° E); y grows northwards."""
    p1, p2, lon0 = math.radians(25), math.radians(47), math.radians(105)
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
    rho0 = math.sqrt(c) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
    theta = n * (math.radians(lon) - lon0)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker: the fewest points of ``ring`` that stay within ``tolerance`` of it."""
    if len(ring) < 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        far, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = ring[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / length if length else math.hypot(px - ax, py - ay)
            if d > far:
                far, index = d, i
        if far > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(ring, keep, strict=True) if k]


def area(ring: Ring) -> float:
    """A ring's area (shoelace), whatever its direction."""
    return abs(sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def path(rings: list[Ring]) -> str:
    """SVG path data: each ring a move, then relative lines in tenths of a unit, closed."""
    out = []
    for ring in rings:
        pts = [(round(x * 10), round(y * 10)) for x, y in ring]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(pts) < 3:
            continue
        x0, y0 = pts[0]
        steps = [f"{x - px} {y - py}" for (px, py), (x, y) in zip(pts, pts[1:], strict=False)]
        out.append(f"M{x0 / 10:g} {y0 / 10:g}l" + " ".join(f"{_tenths(s)}" for s in steps) + "z")
    return "".join(out)


def _tenths(step: str) -> str:
    a, b = step.split()
    return f"{int(a) / 10:g} {int(b) / 10:g}"


def js_points(source: str) -> list[Ring]:
    """The ``var points = [...]`` literal of one of ECharts' map fixes, as rings."""
    literal = re.search(r"var points = (\[.*?\n\]);", source, re.S)
    if not literal:
        raise SystemExit("no points literal in the fix")
    return [[(float(x), float(y)) for x, y in ring] for ring in json.loads(re.sub(r"\s+", "", literal.group(1)))]


def read_package(tarball: Path) -> dict[str, str]:
    """The files this build needs from the npm tarball."""
    wanted = {"package/map/json/china.json", "package/src/coord/geo/fix/nanhai.js",
              "package/src/coord/geo/fix/diaoyuIsland.js", "package/package.json"}
    out = {}
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if member.name in wanted:
                handle = tar.extractfile(member)
                if handle:
                    out[member.name.removeprefix("package/")] = handle.read().decode("utf-8")
    missing = {w.removeprefix("package/") for w in wanted} - out.keys()
    if missing:
        raise SystemExit(f"{tarball} lacks {sorted(missing)}")
    return out


def build(files: dict[str, str]) -> dict:
    """The stored map: frame size, provinces (code, Chinese name, path, label point) and the inset."""
    version = json.loads(files["package.json"])["version"]
    china = json.loads(files["map/json/china.json"])
    diaoyu = js_points(files["src/coord/geo/fix/diaoyuIsland.js"])
    projected: list[tuple[dict, list[tuple[list[Ring], bool]], Point]] = []
    for feature in china["features"]:
        # (rings of a polygon, always kept): ECharts' own polygons, and Diaoyu Island for Taiwan
        polys = [(poly, False) for poly in polygons(feature)]
        if feature["properties"]["name"] == "台湾":
            polys += [([ring], True) for ring in diaoyu]
        on_plane = [([[albers(lon, lat) for lon, lat in ring] for ring in poly], keep) for poly, keep in polys]
        projected.append((feature, on_plane, albers(*feature["properties"]["cp"])))
    xs = [x for _, polys, _ in projected for poly, _ in polys for ring in poly for x, _ in ring]
    ys = [y for _, polys, _ in projected for poly, _ in polys for ring in poly for _, y in ring]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    scale = (WIDTH - 2 * PAD) / (right - left)
    height = round((top - bottom) * scale + 2 * PAD, 1)

    def frame(p: Point) -> Point:
        return (p[0] - left) * scale + PAD, (top - p[1]) * scale + PAD

    provinces = []
    for feature, polys, label in projected:
        name = feature["properties"]["name"]
        kept: list[Ring] = []
        parts = []
        for poly, always in polys:
            rings = [[frame(p) for p in ring] for ring in poly]
            parts.append((area(rings[0]), rings, always))
        largest = max(a for a, _, _ in parts)
        for a, rings, always in parts:
            if always:
                kept += rings
            elif a >= MIN_AREA or a == largest:
                kept += [r for r in (simplify(ring, TOLERANCE) for ring in rings) if len(r) >= 3]
        lx, ly = frame(label)
        provinces.append({"code": feature["id"], "name": name, "d": path(kept),
                          "label": [round(lx, 1), round(ly, 1)]})
    # The South China Sea inset: ECharts' points are in a 64 x 93.1 frame (y down), lower right.
    inset = js_points(files["src/coord/geo/fix/nanhai.js"])
    box_w = WIDTH * 0.085
    box_h = box_w * 93.1 / 64
    bx, by = WIDTH - PAD - box_w, height - PAD - box_h
    inset_rings = [[(bx + x / 64 * box_w, by + y / 93.1 * box_h) for x, y in ring] for ring in inset]
    return {
        "source": f"{PACKAGE}@{version} map/json/china.json (Apache-2.0), with src/coord/geo/fix/nanhai.js "
                  "and diaoyuIsland.js; Albers equal-area conic 25/47 N, 105 E; built by scripts/build_china_map.py",
        "width": WIDTH, "height": height,
        "provinces": provinces,
        "nanhai": {"name": "南海诸岛", "d": path(inset_rings),
                   "box": [round(bx, 1), round(by, 1), round(box_w, 1), round(box_h, 1)]},
    }


def main(argv: list[str] | None = None) -> int:
    """Build the map from the given tarball (or one fetched with npm pack) into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tarball", nargs="?", type=Path, help=f"{PACKAGE}-{VERSION}.tgz (npm pack {PACKAGE}@{VERSION})")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball
        if tarball is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            tarball = Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        data = build(read_package(tarball))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    points = sum(p["d"].count(" ") for p in data["provinces"])
    print(f"{args.out}: {len(data['provinces'])} provinces, about {points} points, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

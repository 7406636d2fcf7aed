"""Geography of the demo county: origin, rivers, terrain, town and district outlines."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

XY = tuple[float, float]

CRS = "EPSG:4549"
COUNTY_CODE = "330523"
COUNTY_NAME = "安吉县 (演示)"
# (119.68E, 30.63N) transformed once with pyproj to EPSG:4549 (always_xy: x = easting,
# y = northing; the EPSG axis order of 4549 is northing, easting). tests/demo checks it.
ORIGIN: XY = (469321.197, 3389997.445)

CENTRE_CODE = "330523001"
# Town/street codes (GB/T 10114 style: 001-099 streets, 100-199 towns).
TOWNS: tuple[tuple[str, str, XY], ...] = (
    ("330523001", "递铺街道", (0.0, 0.0)),
    ("330523002", "昌硕街道", (9000.0, -2000.0)),
    ("330523003", "灵峰街道", (-7000.0, 8000.0)),
    ("330523101", "孝丰镇", (-17000.0, -8000.0)),
)

MIN_GROUND = 5.0
MAX_GROUND = 40.0
RIVER_BUFFER = 40.0  # no street node closer than this to a river centre line
BANK = 18.0  # distance from the river centre line to the bank (outfall position)


@dataclass(frozen=True)
class River:
    """A river centre line (local metres, upstream first) with its bed elevations."""

    name: str
    line: LineString
    z_start: float
    z_end: float
    width: float


@dataclass(frozen=True)
class District:
    """An urban district with its own street grid."""

    key: str
    name: str
    town_code: str
    polygon: BaseGeometry  # local metres, river buffer removed
    angle: float  # street grid orientation, degrees
    block: float  # mean street spacing, metres
    years: tuple[int, int]  # pipe install years
    kind: str  # old_town | new_town | industrial


@dataclass(frozen=True)
class Geography:
    """Everything placed on the ground, in local metres relative to ORIGIN."""

    rivers: tuple[River, ...]
    centre: Polygon
    county: Polygon
    towns: dict[str, Polygon]
    districts: tuple[District, ...]
    noise: np.ndarray  # rows of (amplitude, wavelength, direction, phase)
    plants: tuple[tuple[str, str, XY], ...]  # (key, name, position)


_MAIN = [(-27000, -16500), (-22500, -12500), (-19600, -9900), (-16000, -7600),
         (-11500, -5000), (-7000, -2200), (-4300, 600), (-2500, 2300), (-200, 2950),
         (2500, 3150), (5200, 3450), (7600, 4600), (10500, 7600), (14000, 11500),
         (17000, 15500)]
_HUNNI = [(600, -9000), (200, -5200), (-100, -2800), (350, -1000), (150, 800), (450, 2200),
          (700, 2900)]
_CHANNELS: tuple[tuple[str, list[XY], str, float], ...] = (  # urban streams (name, line, joins)
    ("递铺港", [(-1350, -1900), (-1100, -300), (-1250, 1500), (-1300, 2700)], "西苕溪", 12.0),
    ("晓墅港", [(4700, -1300), (4450, 200), (4650, 1800), (4550, 3400)], "西苕溪", 12.0),
    ("龙溪", [(-5300, 5300), (-4100, 3900), (-3200, 2600), (-2900, 1900)], "西苕溪", 12.0),
    ("南溪港", [(2300, -5700), (1900, -3900), (1000, -2700), (200, -2450)], "浑泥港", 10.0),
)

PLANTS: tuple[tuple[str, str, XY], ...] = (
    ("P1", "安吉县第一污水处理厂", (1400.0, 2500.0)),
    ("P2", "孝丰镇污水处理厂", (-17700.0, -9300.0)),
    ("P3", "灵峰污水处理厂", (-600.0, 3500.0)),
)


def _rivers() -> tuple[River, ...]:
    main = River("西苕溪", LineString(_MAIN), 21.0, 5.0, 60.0)
    rivers = [main]

    def join(name: str, pts: list[XY], parent: River, width: float, grade: float) -> River:
        # a tributary ends on its parent where its last reach meets it
        at = parent.line.project(Point(pts[-1]))
        end = parent.line.interpolate(at)
        z_end = parent.z_start + (parent.z_end - parent.z_start) * at / parent.line.length
        line = LineString([*pts, (end.x, end.y)])
        return River(name, line, z_end + grade * line.length, z_end, width)

    hunni = join("浑泥港", _HUNNI, main, 25.0, 0.0006)
    rivers.append(hunni)
    for name, pts, parent, width in _CHANNELS:
        rivers.append(join(name, pts, hunni if parent == "浑泥港" else main, width, 0.001))
    return tuple(rivers)


def terrain(geo: Geography, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ground elevation (m) at local points: valleys along the rivers, gentle slopes up."""
    pts = shapely.points(x, y)
    best = np.full(len(x), np.inf)
    for r in geo.rivers:
        d = shapely.distance(pts, r.line)
        s = shapely.line_locate_point(r.line, pts) / r.line.length
        z = r.z_start + (r.z_end - r.z_start) * s + 0.003 * d + 2.5e-7 * d * d
        best = np.minimum(best, z)
    for amp, wave, ang, phase in geo.noise:
        best += amp * np.sin(2 * math.pi * (x * math.cos(ang) + y * math.sin(ang)) / wave + phase)
    return np.clip(best, MIN_GROUND, MAX_GROUND)


def river_distance(geo: Geography, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to the nearest river and that river's index."""
    pts = shapely.points(x, y)
    d = np.stack([shapely.distance(pts, r.line) for r in geo.rivers])
    return d.min(axis=0), d.argmin(axis=0)


def _centre(rng: np.random.Generator) -> Polygon:
    base = [(-1950, -1650), (250, -1750), (2000, -1600), (2100, 200), (1950, 1750),
            (200, 1800), (-1900, 1700), (-2050, 0)]
    pts = [(x + rng.uniform(-60, 60), y + rng.uniform(-60, 60)) for x, y in base]
    hull = shapely.convex_hull(shapely.multipoints(pts))
    return shapely.set_precision(hull, 0.001)


def _county_outline(rng: np.random.Generator) -> Polygon:
    cx, cy, rx, ry = -5000.0, -1500.0, 24000.0, 18500.0
    t = np.linspace(0, 2 * math.pi, 72, endpoint=False)
    r = np.ones_like(t)
    for k in (2, 3, 5):
        r += rng.uniform(0.01, 0.02) * np.sin(k * t + rng.uniform(0, 2 * math.pi))
    return Polygon(np.column_stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)]))


def _largest(geom: BaseGeometry) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    return max(geom.geoms, key=lambda g: g.area)


def _towns(rng: np.random.Generator, county: Polygon, centre: Polygon) -> dict[str, Polygon]:
    """Tile county − centre between the three outer towns along jagged boundaries."""
    minx, miny, maxx, maxy = county.bounds
    n = 700
    px = rng.uniform(minx, maxx, n)
    py = rng.uniform(miny, maxy, n)
    seeds = np.array([t[2] for t in TOWNS[1:]])
    label = np.argmin((px[:, None] - seeds[:, 0]) ** 2 + (py[:, None] - seeds[:, 1]) ** 2, axis=1)
    cells = shapely.voronoi_polygons(shapely.multipoints(np.column_stack([px, py])),
                                     extend_to=county.buffer(1000), ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    rest = shapely.set_precision(county.difference(centre), 0.001)
    pieces: list[BaseGeometry] = []
    for k in range(len(seeds)):
        region = shapely.union_all(cells[label == k])
        pieces.append(shapely.set_precision(region.intersection(rest), 0.001))
    # Stray fragments (rare) join the neighbour they touch most.
    polys = [_largest(p) for p in pieces]
    for k, p in enumerate(pieces):
        if isinstance(p, MultiPolygon):
            for frag in p.geoms:
                if frag.equals(polys[k]):
                    continue
                j = max((j for j in range(len(polys)) if j != k),
                        key=lambda j: frag.intersection(polys[j].boundary).length)
                polys[j] = _largest(shapely.union(polys[j], frag))
    out = {TOWNS[0][0]: centre}
    for k, p in enumerate(polys):
        out[TOWNS[k + 1][0]] = p
    return out


def _district_polys(rivers: tuple[River, ...], centre: Polygon) -> dict[str, BaseGeometry]:
    cut = shapely.union_all([r.line.buffer(RIVER_BUFFER) for r in rivers])
    main_cut = rivers[0].line.buffer(RIVER_BUFFER)

    def piece(coords: list[XY], inside: XY | None) -> BaseGeometry:
        g = Polygon(coords) if coords else centre
        if inside is not None:  # the side of 西苕溪 the district lies on
            g = next(p for p in shapely.get_parts(g.difference(main_cut))
                     if p.contains(Point(inside)))
        parts = [p for p in shapely.get_parts(g.difference(cut)) if p.area > 3e5]
        return shapely.union_all(parts)

    return {
        "dipu": piece([], None),
        "changshuo": piece([(2300, -900), (6600, -700), (7000, 5000), (2300, 5000)],
                           (4300, 800)),
        "kaifaqu": piece([(-1800, -5300), (2800, -5300), (2800, -2050), (-1800, -2050)], None),
        "lingfeng": piece([(-5600, 1200), (-3600, 1200), (-1000, 2700), (-1000, 4800),
                           (-5600, 4800)], (-3800, 3800)),
        "xiaofeng": piece([(-21000, -11300), (-18100, -11300), (-18100, -8500),
                           (-21000, -8500)], None),
    }


_DISTRICTS = (
    # key, name, town, angle, block, years, kind
    ("dipu", "递铺老城", "330523001", 6.0, 151.0, (1995, 2016), "old_town"),
    ("changshuo", "昌硕新城", "330523002", -10.0, 172.0, (2005, 2024), "new_town"),
    ("kaifaqu", "安吉经济开发区", "330523002", 3.0, 234.0, (2008, 2024), "industrial"),
    ("lingfeng", "灵峰片区", "330523003", 20.0, 172.0, (2003, 2023), "new_town"),
    ("xiaofeng", "孝丰镇区", "330523101", 32.0, 146.0, (1995, 2020), "old_town"),
)


def build_geography(seed: int) -> Geography:
    """Lay out the county; the seed only jitters outlines and the terrain's ripples."""
    rng = np.random.default_rng([seed, 1])
    rivers = _rivers()
    centre = _centre(rng)
    county0 = _county_outline(rng)
    towns = _towns(rng, county0, centre)
    county = shapely.union_all(list(towns.values()))
    polys = _district_polys(rivers, centre)
    districts = tuple(District(k, name, town, polys[k], ang, blk, yrs, kind)
                      for k, name, town, ang, blk, yrs, kind in _DISTRICTS)
    noise = np.column_stack([
        rng.uniform(0.15, 0.3, 3), rng.uniform(1500, 4000, 3),
        rng.uniform(0, math.pi, 3), rng.uniform(0, 2 * math.pi, 3)])
    return Geography(rivers, centre, county, towns, districts, noise, PLANTS)

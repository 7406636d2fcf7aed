"""Divisions, unit grids, org units (centres and departments) and users of the demo county."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from zhishui.demo.geo import CENTRE_CODE, COUNTY_CODE, COUNTY_NAME, ORIGIN, TOWNS, Geography

# User passwords are demo-only ("demo-" + the user's first role) and are meant to be printed
# at start-up of a demo installation; never use them anywhere else.

# Department names (owner_department of pipes and components uses these exact strings).
ZJJ = "安吉县住房和城乡建设局"
ZHZF = "安吉县综合行政执法局"
STHJ = "湖州市生态环境局安吉分局"
SLJ = "安吉县水利局"
SWJT = "安吉县水务集团有限公司"
JTYS = "安吉县交通运输局"
RQ = "安吉县燃气有限公司"
GD = "国网浙江安吉县供电有限公司"
TX = "中国电信安吉分公司"
GA = "安吉县公安局交通警察大队"
KFQ_JS = "安吉经济开发区建设局"

COMMUNITIES = (("001", "凤凰社区"), ("002", "鹤鹿溪社区"), ("003", "古城社区"), ("004", "桃园社区"))
GRIDS_PER_COMMUNITY = (13, 13, 12, 12)


@dataclass
class DivisionSpec:
    """An administrative division with its polygon in EPSG:4549."""

    code: str
    name: str
    level: str  # county | town | community
    parent_code: str | None
    geom: BaseGeometry


@dataclass
class GridSpec:
    """A unit grid: community code (12) + 2-digit serial."""

    code: str
    name: str
    division_code: str
    geom: Polygon
    area_m2: float


@dataclass
class OrgUnitSpec:
    """An operation centre or department."""

    code: str
    name: str
    kind: str  # centre | department
    level: str  # city | district | street
    division_code: str
    parent_code: str | None
    phone: str
    duties: str


@dataclass
class UserSpec:
    """A demo user; the password is demo-only and printed at start-up."""

    username: str
    display_name: str
    roles: list[str]
    org_unit_code: str
    password: str
    phone: str | None = None
    grid_codes: list[str] = field(default_factory=list)


def _abs(g: BaseGeometry) -> BaseGeometry:
    moved = shapely.transform(g, lambda c: c + np.array(ORIGIN))
    return shapely.set_precision(moved, 0.001)


def _quadrants(centre: Polygon, rng: np.random.Generator) -> list[Polygon]:
    """Cut the town centre in four along two slightly skewed streets (NW, NE, SW, SE)."""
    c = np.array(centre.centroid.coords[0]) + rng.uniform(-150, 150, 2)
    a1 = math.radians(90 + rng.uniform(-8, 8))
    a2 = math.radians(rng.uniform(-8, 8))
    t1 = np.array([math.cos(a1), math.sin(a1)])  # "vertical" street
    t2 = np.array([math.cos(a2), math.sin(a2)])  # "horizontal" street
    big = 1e5

    def half(t: np.ndarray, left: bool) -> Polygon:
        nrm = np.array([-t[1], t[0]]) * (1 if left else -1)
        return Polygon([c - big * t, c + big * t, c + big * t + big * nrm, c - big * t + big * nrm])

    west, east = half(t1, True), half(t1, False)
    north, south = half(t2, True), half(t2, False)
    return [centre.intersection(q1.intersection(q2))
            for q1, q2 in ((west, north), (east, north), (west, south), (east, south))]


def _cut(poly: BaseGeometry, fractions: list[float], axis: int) -> list[float]:
    """Positions along x (axis 0) or y (axis 1) splitting poly's area at the given fractions."""
    minx, miny, maxx, maxy = poly.bounds
    lo0, hi0 = (minx, maxx) if axis == 0 else (miny, maxy)
    total = poly.area
    out = []
    for f in fractions:
        lo, hi = lo0, hi0
        for _ in range(40):
            mid = (lo + hi) / 2
            part = shapely.clip_by_rect(poly, minx - 1, miny - 1, mid, maxy + 1) if axis == 0 \
                else shapely.clip_by_rect(poly, minx - 1, miny - 1, maxx + 1, mid)
            if part.area < f * total:
                lo = mid
            else:
                hi = mid
        out.append((lo + hi) / 2)
    return out


def _split(poly: BaseGeometry, count: int) -> list[BaseGeometry]:
    """Split a convex polygon into `count` pieces of about equal area (rows of cells)."""
    rows = [count // 3 + (1 if k < count % 3 else 0) for k in range(3)]
    ys = _cut(poly, [sum(rows[: k + 1]) / count for k in range(2)], axis=1)
    minx, miny, maxx, maxy = poly.bounds
    edges = [miny - 1, *ys, maxy + 1]
    pieces = []
    for k in range(3):
        strip = poly.intersection(box(minx - 1, edges[k], maxx + 1, edges[k + 1]))
        xs = _cut(strip, [(j + 1) / rows[k] for j in range(rows[k] - 1)], axis=0)
        xe = [minx - 1, *xs, maxx + 1]
        pieces += [strip.intersection(box(xe[j], miny - 1, xe[j + 1], maxy + 1))
                   for j in range(rows[k])]
    return pieces


def build_divisions(geo: Geography, rng: np.random.Generator) -> list[DivisionSpec]:
    """County, its four towns/streets and the four communities of the central street."""
    out = [DivisionSpec(COUNTY_CODE, COUNTY_NAME, "county", None, _abs(geo.county))]
    for code, name, _ in TOWNS:
        out.append(DivisionSpec(code, name, "town", COUNTY_CODE, _abs(geo.towns[code])))
    for (suffix, name), q in zip(COMMUNITIES, _quadrants(geo.centre, rng), strict=True):
        out.append(DivisionSpec(CENTRE_CODE + suffix, name, "community", CENTRE_CODE, _abs(q)))
    return out


def build_grids(divisions: list[DivisionSpec]) -> list[GridSpec]:
    """The 50 unit grids tiling the four communities."""
    grids = []
    comms = [d for d in divisions if d.level == "community"]
    for comm, count in zip(comms, GRIDS_PER_COMMUNITY, strict=True):
        for k, piece in enumerate(_split(comm.geom, count), start=1):
            code = f"{comm.code}{k:02d}"
            grids.append(GridSpec(code, f"{comm.name}{k:02d}号网格", comm.code, piece,
                                  round(piece.area, 1)))
    return grids


def locate_division(divisions: list[DivisionSpec]) -> Callable[[np.ndarray, np.ndarray],
                                                               np.ndarray]:
    """A function giving the most specific division code at EPSG:4549 points."""
    ordered = [d for d in divisions if d.level == "town"] + \
        [d for d in divisions if d.level == "community"]
    for d in ordered:
        shapely.prepare(d.geom)

    def locate(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.full(len(x), COUNTY_CODE, dtype=object)
        for d in ordered:
            out[shapely.contains_xy(d.geom, x, y)] = d.code
        return out

    return locate


def locate_grid(grids: list[GridSpec]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A function giving the grid code (or None) at EPSG:4549 points."""
    for g in grids:
        shapely.prepare(g.geom)

    def locate(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.full(len(x), None, dtype=object)
        for g in grids:
            out[shapely.contains_xy(g.geom, x, y)] = g.code
        return out

    return locate


_ORG = (
    # code, name, kind, level, division, parent, phone, duties
    ("330523-ZX", "安吉县城市运行管理中心", "centre", "city", COUNTY_CODE, None, "0572-5123110",
     "全县城市运行监测、告警研判、案件受理派遣、督办考核"),
    ("330523-KFQ-ZX", "安吉经济开发区运行分中心", "centre", "district", "330523002", "330523-ZX",
     "0572-5123120", "开发区范围内案件受理、派遣与督办"),
    ("330523001-ZX", "递铺街道运行中心", "centre", "street", "330523001", "330523-ZX",
     "0572-5123130", "街道网格巡查、案件处置与核查"),
    ("330523002-ZX", "昌硕街道运行中心", "centre", "street", "330523002", "330523-ZX",
     "0572-5123140", "街道网格巡查、案件处置与核查"),
    ("330523003-ZX", "灵峰街道运行中心", "centre", "street", "330523003", "330523-ZX",
     "0572-5123150", "街道网格巡查、案件处置与核查"),
    ("330523101-ZX", "孝丰镇运行中心", "centre", "street", "330523101", "330523-ZX",
     "0572-5123160", "镇域网格巡查、案件处置与核查"),
    ("330523-ZJJ", ZJJ, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122301",
     "市政道路与雨水管网建设养护、路灯、排水许可、化粪池监管"),
    ("330523-ZHZF", ZHZF, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122302",
     "市容环境、环卫保洁、户外广告、占道经营、园林绿化养护"),
    ("330523-STHJ", STHJ, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122303",
     "入河排污口与污染源监管、水质自动站、生态补偿考核"),
    ("330523-SLJ", SLJ, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122304",
     "河道管理、防汛排涝、河长制"),
    ("330523-SWJT", SWJT, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122305",
     "供水管网与消火栓、污水管网与泵站、污水处理厂运维"),
    ("330523-JTYS", JTYS, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122306",
     "公交站亭、道路交通设施、道路运输"),
    ("330523-RQ", RQ, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122307",
     "燃气管网与设施、燃气井盖"),
    ("330523-GD", GD, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122308",
     "电力设施与电力井盖"),
    ("330523-TX", TX, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122309",
     "通信设施与通信井盖"),
    ("330523-GA", GA, "department", "city", COUNTY_CODE, "330523-ZX", "0572-5122310",
     "交通信号灯、电子监控"),
    ("330523-12345", "安吉县12345政务服务热线", "department", "city", COUNTY_CODE, "330523-ZX",
     "12345", "市民诉求受理与回访"),
    ("330523-KFQ-JSJ", KFQ_JS, "department", "district", "330523002", "330523-KFQ-ZX",
     "0572-5123121", "开发区道路、雨水管网与市政设施建设养护"),
    ("330523001-ZFZD", "递铺街道综合执法中队", "department", "street", "330523001",
     "330523001-ZX", "0572-5123131", "街道市容秩序、占道经营、井盖等部件巡查处置"),
    ("330523101-ZFZD", "孝丰镇综合执法中队", "department", "street", "330523101",
     "330523101-ZX", "0572-5123161", "镇区市容秩序、部件巡查处置"),
)


def build_org_units() -> list[OrgUnitSpec]:
    """The operation centres (county = city level, development zone, streets) and departments."""
    return [OrgUnitSpec(*row) for row in _ORG]


_USERS = (
    # username, display name, roles, org unit
    ("admin", "系统管理员", ["admin"], "330523-ZX"),
    ("zhiban", "陈静", ["operator"], "330523-ZX"),
    ("duban", "李华", ["supervisor"], "330523-ZX"),
    ("lingdao", "周建国", ["leader"], "330523-ZX"),
    ("zj_handler", "王磊", ["handler"], "330523-ZJJ"),
    ("zf_handler", "刘洋", ["handler"], "330523-ZHZF"),
    ("hb_handler", "赵敏", ["handler"], "330523-STHJ"),
    ("sl_handler", "吴涛", ["handler"], "330523-SLJ"),
    ("sw_handler", "孙强", ["handler"], "330523-SWJT"),
    ("jt_handler", "郑凯", ["handler"], "330523-JTYS"),
    ("rq_handler", "冯雪", ["handler"], "330523-RQ"),
    ("kfq_operator", "沈佳", ["operator"], "330523-KFQ-ZX"),
    ("kfq_handler", "钱伟", ["handler"], "330523-KFQ-JSJ"),
    ("dp_operator", "杨帆", ["operator"], "330523001-ZX"),
    ("dp_supervisor", "黄丽", ["supervisor"], "330523001-ZX"),
    ("dp_handler", "何军", ["handler"], "330523001-ZFZD"),
    ("xf_operator", "胡斌", ["operator"], "330523101-ZX"),
    ("xf_handler", "朱红", ["handler"], "330523101-ZFZD"),
    ("shimin", "市民张先生", ["citizen"], "330523-12345"),
)
_GRID_WORKERS = (("wangge01", "林晓"), ("wangge02", "徐亮"), ("wangge03", "马丽"),
                 ("wangge04", "高峰"))


def build_users(grids: list[GridSpec]) -> list[UserSpec]:
    """One user per role at least, street-level users, and a grid worker per community.

    Passwords are demo-only ("demo-" + first role), printed at start-up of a demo install.
    """
    users = [UserSpec(u, n, list(r), org, "demo-" + r[0], f"1380572{k:04d}")
             for k, (u, n, r, org) in enumerate(_USERS)]
    for k, ((u, n), (suffix, _)) in enumerate(zip(_GRID_WORKERS, COMMUNITIES, strict=True)):
        mine = [g.code for g in grids if g.division_code == CENTRE_CODE + suffix]
        users.append(UserSpec(u, n, ["grid_worker"], "330523001-ZX", "demo-grid_worker",
                              f"1390572{k:04d}", mine))
    return users

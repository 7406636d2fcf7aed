"""Coded city components (部件): 330523 + major 2 + minor 2 + serial 6 = 16 digits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

from zhishui.demo.classes import class_code
from zhishui.demo.county import GA, GD, JTYS, RQ, SWJT, TX, ZHZF, ZJJ
from zhishui.demo.geo import COUNTY_CODE, ORIGIN, Geography
from zhishui.demo.streets import Streets
from zhishui.demo.supply import ltown_footprint, place_ltown
from zhishui.network.records import FeatureRecord, NetworkModel

# Each component is a FeatureRecord with kind = its 4-digit class code and attrs class_code,
# grid_code (None outside the 50 grids), division_code, owner_department and status; covers
# and grates also carry the network node they sit on (attrs node, network).

Locate = Callable[[np.ndarray, np.ndarray], np.ndarray]
STATUSES = ("normal", "damaged", "missing", "repairing")
STATUS_P = (0.95, 0.03, 0.01, 0.01)


class _Builder:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.serial: dict[str, int] = {}
        self.rows: list[tuple[str, float, float, str, dict[str, Any]]] = []

    def add(self, zh: str, xy: np.ndarray, owner: str | list[str],
            extra: list[dict[str, Any]] | None = None) -> None:
        code4 = class_code(zh)
        for k, (x, y) in enumerate(np.round(xy, 3).tolist()):
            attrs = dict(extra[k]) if extra else {}
            attrs["owner_department"] = owner if isinstance(owner, str) else owner[k]
            self.rows.append((code4, x, y, zh, attrs))

    def records(self, locate_grid: Locate, locate_div: Locate) -> list[FeatureRecord]:
        x = np.array([r[1] for r in self.rows])
        y = np.array([r[2] for r in self.rows])
        grid = locate_grid(x, y)
        div = locate_div(x, y)
        status = self.rng.choice(len(STATUSES), len(self.rows), p=STATUS_P)
        out = []
        for k, (code4, xx, yy, zh, attrs) in enumerate(self.rows):
            n = self.serial[code4] = self.serial.get(code4, 0) + 1
            attrs.update(class_code=code4, grid_code=grid[k], division_code=div[k],
                         status=STATUSES[status[k]])
            out.append(FeatureRecord(f"{COUNTY_CODE}{code4}{n:06d}", code4, xx, yy, zh, attrs))
        return out


def _along(st: Streets, mask: np.ndarray, spacing: float, side: float,
           rng: np.random.Generator) -> np.ndarray:
    """Points every `spacing` m along the selected street segments, `side` m off the axis."""
    a, b = st.xy[st.edges[mask, 0]], st.xy[st.edges[mask, 1]]
    seg = b - a
    ln = np.hypot(*seg.T)
    ends = np.cumsum(ln)
    pos = np.arange(rng.uniform(0.2, 0.8) * spacing, ends[-1], spacing)
    pos = pos + rng.uniform(-0.1, 0.1, len(pos)) * spacing
    pos = np.clip(pos, 0.0, ends[-1] - 1e-6)
    idx = np.searchsorted(ends, pos, side="right")
    t = np.clip((pos - (ends[idx] - ln[idx])) / ln[idx], 0.05, 0.95)
    nrm = np.column_stack([-seg[:, 1], seg[:, 0]]) / ln[:, None]
    sgn = np.where(rng.random(len(idx)) < 0.5, -1.0, 1.0)
    pts = a[idx] + t[:, None] * seg[idx] + nrm[idx] * side * sgn[:, None]
    return pts + np.array(ORIGIN)


def _nodes(model: NetworkModel, kinds: tuple[str, ...]) -> tuple[np.ndarray, list[Any]]:
    sel = [n for n in model.nodes if n.kind in kinds]
    return np.array([(n.x, n.y) for n in sel]).reshape(-1, 2), sel


def build_components(geo: Geography, st: Streets, storm: NetworkModel, sewer: NetworkModel,
                     locate_grid: Locate, locate_div: Locate, rng: np.random.Generator,
                     ltown: dict[str, tuple[float, float]] | None = None
                     ) -> list[FeatureRecord]:
    """Covers on every manhole and grate, lamps, hydrants, bins, bus stops, trees and more."""
    owners = {lk.from_node: lk.owner_department for lk in storm.links}
    b = _Builder(rng)
    for model, kinds, zh, net in ((storm, ("manhole",), "雨水井盖", "storm"),
                                  (storm, ("inlet",), "雨水箅子", "storm"),
                                  (sewer, ("manhole",), "污水井盖", "sewer")):
        xy, nodes = _nodes(model, kinds)
        own = [owners.get(n.external_id, ZJJ) if net == "storm" else SWJT for n in nodes]
        b.add(zh, xy, own, [{"node": n.external_id, "network": net} for n in nodes])
    keys = [d.key for d in geo.districts]
    centre = st.district[st.edges[:, 0]] == keys.index("dipu")
    main = st.main & ~st.crossing
    town = np.isin(st.district[st.edges[:, 0]],
                   [keys.index(k) for k in ("dipu", "changshuo", "xiaofeng")])
    b.add("路灯", _along(st, main & town, 60.0, 9.0, rng), ZJJ)
    b.add("行道树", _along(st, main & centre, 30.0, 6.0, rng), ZHZF)
    b.add("垃圾箱", _along(st, centre & ~st.crossing, 160.0, 7.0, rng), ZHZF)
    b.add("公交站亭", _along(st, main & town, 450.0, 10.0, rng), JTYS)
    for zh, owner, spacing in (("上水井盖", SWJT, 260.0), ("电力井盖", GD, 220.0),
                               ("通讯井盖", TX, 240.0), ("燃气井盖", RQ, 300.0),
                               ("化粪池", ZJJ, 330.0)):
        b.add(zh, _along(st, centre & ~st.crossing, spacing, 5.0, rng), owner)
    inter = _main_crossings(st, centre | town)
    b.add("交通信号灯", inter[rng.random(len(inter)) < 0.5], GA)
    b.add("公共厕所", _along(st, main & town, 900.0, 15.0, rng), ZHZF)
    b.add("垃圾中转站", _along(st, main, 4000.0, 20.0, rng), ZHZF)
    b.add("停车场", _along(st, main & centre, 700.0, 25.0, rng), ZHZF)
    bridges = st.crossing & st.main
    mid = (st.xy[st.edges[bridges, 0]] + st.xy[st.edges[bridges, 1]]) / 2 + np.array(ORIGIN)
    b.add("跨河桥", mid, ZJJ)
    trees = np.array(ORIGIN) + np.column_stack([rng.uniform(-2000, 2000, 24),
                                                rng.uniform(-1700, 1700, 24)])
    b.add("古树名木", trees, ZHZF)
    hx, extra = _hydrants(st, keys.index("xiaofeng"), rng, ltown)
    b.add("消防栓", hx, SWJT, extra)
    return b.records(locate_grid, locate_div)


def _main_crossings(st: Streets, mask: np.ndarray) -> np.ndarray:
    """Intersections where at least three main-road segments meet."""
    deg = np.bincount(st.edges[st.main & mask].ravel(), minlength=len(st.xy))
    return st.xy[deg >= 3] + np.array(ORIGIN)


def _hydrants(st: Streets, district: int, rng: np.random.Generator,
              ltown: dict[str, tuple[float, float]] | None
              ) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Hydrants on the supply network: every third L-TOWN junction, or along the streets."""
    if ltown:
        ids = sorted((k for k in ltown if k.startswith("n")), key=lambda k: int(k[1:]))[::3]
        xy = np.array([place_ltown(*ltown[k]) for k in ids])
        return xy, [{"network": "supply", "supply_node": k} for k in ids]
    mine = (st.district[st.edges[:, 0]] == district) & ~st.crossing
    xy = _along(st, mine, 120.0, 4.0, rng)
    foot = ltown_footprint()
    xy = xy[shapely.contains_xy(foot, xy[:, 0], xy[:, 1])]
    return xy, [{"network": "supply"} for _ in range(len(xy))]


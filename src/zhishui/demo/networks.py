"""Records of the demo storm and sewer networks (NetworkModel, EPSG:4549)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zhishui.demo.county import KFQ_JS, SWJT, ZJJ
from zhishui.demo.design import Design, design_network
from zhishui.demo.drainage import Layout, sewer_layout, storm_layout
from zhishui.demo.geo import CRS, ORIGIN, Geography
from zhishui.demo.streets import Streets
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

SHIFT = {"storm": (2.5, 3.0), "sewer": (-3.0, -2.5)}  # opposite sides of the street
PREFIX = {"storm": ("YS", "YSG"), "sewer": ("WS", "WSG")}
PLASTIC = ("HDPE", "PVC")
INLET_SHARE = 0.5  # of storm branch heads that are gully inlets rather than manholes


def _materials(kind: str, diam: np.ndarray, year: np.ndarray, slope: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    r = rng.random(len(diam))
    small = diam <= 0.6
    if kind == "storm":
        mat = np.where(small, np.select([r < 0.48, r < 0.92], ["HDPE", "concrete"], "PVC"),
                       np.where(r < 0.85, "concrete", "HDPE"))
    else:
        mat = np.where(diam <= 0.4, np.select([r < 0.45, r < 0.72], ["HDPE", "PVC"], "concrete"),
                       np.select([r < 0.3, r < 0.88], ["HDPE", "concrete"], "ductile_iron"))
    old = (year < 2005) & (rng.random(len(diam)) < 0.75)
    mat = np.where(old, "concrete", mat)
    if kind == "sewer":  # DN300 laid at 0.002 must be plastic (GB 50014-2021)
        flat = (diam <= 0.3) & (slope < 0.003 - 1e-9)
        mat = np.where(flat, np.where(r < 0.6, "HDPE", "PVC"), mat)
    return mat


def to_model(lay: Layout, des: Design, xy: np.ndarray, geo: Geography,
             locate: Callable[[np.ndarray, np.ndarray], np.ndarray],
             rng: np.random.Generator) -> NetworkModel:
    """NodeRecords and LinkRecords of a designed forest."""
    kind = lay.kind
    n = len(xy)
    npre, lpre = PREFIX[kind]
    ids = [f"{npre}-{k + 1:06d}" for k in range(n)]
    dists = geo.districts
    div = locate(xy[:, 0], xy[:, 1])
    roots = set(lay.roots.tolist())
    is_inlet = des.leaf & (rng.random(n) < INLET_SHARE) if kind == "storm" else \
        np.zeros(n, dtype=bool)
    counters: dict[str, int] = {}
    nodes = []
    dist_l = lay.district.tolist()
    xs, ys = xy[:, 0].tolist(), xy[:, 1].tolist()
    ground, inv = des.ground.tolist(), des.invert.tolist()
    depth = np.round(des.ground - des.invert, 3).tolist()
    pump_l, inlet_l, div_l = des.pump.tolist(), is_inlet.tolist(), [str(v) for v in div]
    for u in range(n):
        d = dists[dist_l[u]]
        attrs = {"district": d.key, "division_code": div_l[u]}
        name = None
        if u in roots:
            info = lay.root_info[u]
            if kind == "storm":
                node_kind = "outfall"
                attrs["river"] = info["river"]
                k = counters[d.key] = counters.get(d.key, 0) + 1
                name = f"{d.name}{k}号雨水排口 ({info['river']})"
            else:
                node_kind = "treatment_plant"
                attrs["plant"] = info["plant"]
                name = info["name"]
        elif pump_l[u]:
            node_kind = "pump_station"
            k = counters[d.key] = counters.get(d.key, 0) + 1
            name = f"{d.name}{k}号污水提升泵站"
        else:
            node_kind = "inlet" if inlet_l[u] else "manhole"
        nodes.append(NodeRecord(ids[u], node_kind, xs[u], ys[u], name, ground[u], inv[u],
                                depth[u], attrs))
    has = np.flatnonzero(lay.parent >= 0)
    y0 = np.array([d.years[0] for d in dists])[lay.district[has]]
    y1 = np.array([d.years[1] for d in dists])[lay.district[has]]
    year = (y0 + rng.random(len(has)) * (y1 - y0 + 1)).astype(np.int64)
    grade = np.clip(1 + np.floor((2026 - year) / 9 + rng.normal(0, 0.6, len(has))), 1, 4)
    slope = (des.up_invert[has] - des.down_invert[has]) / des.length[has]
    mat = _materials(kind, des.diameter[has], year, slope, rng)
    pump = des.pump[has]
    mat = np.where(pump, "ductile_iron", mat).tolist()
    industrial = np.array([d.kind == "industrial" for d in dists])[lay.district[has]]
    owner = np.where(industrial, KFQ_JS, ZJJ).tolist() if kind == "storm" else [SWJT] * len(has)
    area = np.round(des.area_m2[has] / 1e4, 3).tolist()
    cols = zip(has.tolist(), lay.parent[has].tolist(), pump.tolist(), mat,
               des.diameter[has].tolist(), des.length[has].tolist(), des.up_invert[has].tolist(),
               des.down_invert[has].tolist(), year.tolist(), grade.astype(np.int64).tolist(),
               owner, area, strict=True)
    links = []
    for j, (u, p, is_pump, m, dia, ln, up, dn, yr, gr, own, ha) in enumerate(cols):
        links.append(LinkRecord(
            f"{lpre}-{j + 1:06d}", "pump" if is_pump else "conduit", ids[u], ids[p],
            shape="circular", diameter=dia, material=m, length=ln, up_invert=up,
            down_invert=dn, roughness=0.011 if m in PLASTIC else 0.013, install_year=yr,
            condition_grade=gr, owner_department=own, attrs={"area_ha": ha}))
    return NetworkModel(format="demo", nodes=nodes, links=links, crs=CRS,
                        source=f"zhishui.demo ({kind})")


def build_networks(geo: Geography, st: Streets,
                   locate: Callable[[np.ndarray, np.ndarray], np.ndarray],
                   seed: int) -> tuple[NetworkModel, NetworkModel]:
    """The storm and the sewer network of the county."""
    out = []
    for k, build in enumerate((storm_layout, sewer_layout)):
        lay = build(geo, st, np.random.default_rng([seed, 3 + k]))
        xy = np.round(lay.xy + np.array(SHIFT[lay.kind]) + np.array(ORIGIN), 3)
        des = design_network(lay, xy, geo, np.random.default_rng([seed, 5 + k]))
        out.append(to_model(lay, des, xy, geo, locate, np.random.default_rng([seed, 7 + k])))
    return out[0], out[1]

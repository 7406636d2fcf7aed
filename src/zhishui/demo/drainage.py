"""Storm and sewer networks of the demo county laid along the district streets."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from zhishui.demo.forest import drainage_forest
from zhishui.demo.geo import BANK, Geography, river_distance, terrain
from zhishui.demo.streets import Streets, connectors, nearest, subdivide

OUTFALL_SPACING = 900.0
MIN_TREE = 20  # fewest manholes an outfall drains
OUTFALL_REACH = 300.0  # furthest manhole from a river that may get an outfall pipe
SEWER_DROP = 0.17  # share of side streets without a sewer
BRIDGE_SHARE = 0.7  # share of river crossings that carry a sewer
PLANT_DISTRICT = {"P1": "dipu", "P2": "xiaofeng", "P3": "lingfeng"}
PENALTY = {"storm": 150.0, "sewer": 150.0}  # path cost per metre of adverse ground
CONNECT = (("dipu", "changshuo", 3), ("dipu", "kaifaqu", 3))


@dataclass
class Layout:
    """A drainage forest in local metres before it is sized."""

    kind: str  # storm | sewer
    xy: np.ndarray
    z: np.ndarray
    district: np.ndarray
    parent: np.ndarray  # downstream node, -1 at roots
    dist: np.ndarray  # path cost to the root (a parent's is always lower)
    roots: np.ndarray
    root_info: dict[int, dict[str, str]] = field(default_factory=dict)


def _finish(kind: str, geo: Geography, xy: np.ndarray, district: np.ndarray,
            pipes: np.ndarray, roots: np.ndarray, info: dict[int, dict[str, str]]) -> Layout:
    """Grow the forest and keep the nodes that reach a root, numbered by district."""
    z = terrain(geo, xy[:, 0], xy[:, 1])
    parent, dist = drainage_forest(xy, pipes, z, roots, PENALTY[kind])
    ok = np.isfinite(dist)
    order = np.lexsort((np.arange(len(xy)), district))
    order = order[ok[order]]
    new = np.full(len(xy), -1)
    new[order] = np.arange(len(order))
    par = parent[order]
    par = np.where(par >= 0, new[np.maximum(par, 0)], -1)
    return Layout(kind, xy[order], z[order], district[order], par, dist[order], new[roots],
                  {int(new[k]): v for k, v in info.items()})


def storm_layout(geo: Geography, st: Streets, rng: np.random.Generator) -> Layout:
    """Storm forest: street pipes draining to outfalls on the nearest river bank."""
    edges = st.edges[~st.crossing]
    xy, pipes, origin, _ = subdivide(st.xy, edges, rng)
    district = np.concatenate([st.district, st.district[origin]])
    used = np.zeros(len(xy), dtype=bool)
    used[pipes.ravel()] = True
    d, ridx = river_distance(geo, xy[:, 0], xy[:, 1])
    cand = np.flatnonzero(used & (d <= OUTFALL_REACH))
    out_xy: list[np.ndarray] = []
    out_from: list[int] = []
    out_river: list[str] = []
    for ri, river in enumerate(geo.rivers):
        nodes = cand[ridx[cand] == ri]
        pts = shapely.points(xy[nodes, 0], xy[nodes, 1])
        s = shapely.line_locate_point(river.line, pts)
        foot = shapely.get_coordinates(shapely.line_interpolate_point(river.line, s))
        ahead = shapely.get_coordinates(shapely.line_interpolate_point(river.line, s + 1.0))
        rel = xy[nodes] - foot
        fwd = ahead - foot
        side = np.sign(fwd[:, 0] * rel[:, 1] - fwd[:, 1] * rel[:, 0])  # which bank
        for sd in (-1.0, 1.0):
            sel = np.flatnonzero(side == sd)
            if len(sel) == 0:
                continue
            # one outfall per stretch of bank: the manhole of the stretch nearest the river
            stretch = np.floor((s[sel] - s[sel].min()) / OUTFALL_SPACING).astype(np.int64)
            for k in np.unique(stretch):
                grp = sel[stretch == k]
                i = grp[np.argmin(d[nodes[grp]])]
                out_xy.append(foot[i] + rel[i] / np.hypot(*rel[i]) * BANK)
                out_from.append(int(nodes[i]))
                out_river.append(river.name)
    n0 = len(xy)
    roots = np.arange(n0, n0 + len(out_xy))
    info = {int(r): {"river": out_river[k]} for k, r in enumerate(roots)}
    base = np.concatenate([xy, np.array(out_xy)])
    district = np.concatenate([district, district[out_from]])
    xy, extra, origin, chain = subdivide(base, np.column_stack([out_from, roots]), rng)
    district = np.concatenate([district, district[origin]])
    lay = _finish("storm", geo, xy, district, np.concatenate([pipes, extra]), roots, info)
    # an outfall draining only a few manholes is dropped (with its pipe to the river); those
    # manholes drain to a neighbouring outfall instead
    size = np.bincount(_tree_root(lay.parent), minlength=len(lay.xy))[lay.roots]
    ok = size >= MIN_TREE
    if not ok.all():
        lay = _finish("storm", geo, xy, district, np.concatenate([pipes, extra[ok[chain]]]),
                      roots[ok], {k: v for k, v in info.items() if k in set(roots[ok].tolist())})
    return lay


def _tree_root(parent: np.ndarray) -> np.ndarray:
    """Root of every node of a forest."""
    root = np.arange(len(parent))
    has = parent >= 0
    nxt = np.where(has, parent, root)
    while True:
        new = nxt[root]
        if np.array_equal(new, root):
            return root
        root = new


def sewer_layout(geo: Geography, st: Streets, rng: np.random.Generator) -> Layout:
    """Sewer forest: street sewers, bridges and trunks draining to the treatment plants."""
    keys = [d.key for d in geo.districts]
    bridge = st.crossing & (rng.random(len(st.edges)) < BRIDGE_SHARE)
    side = ~st.crossing & ~st.main & (rng.random(len(st.edges)) < SEWER_DROP)
    edges = [st.edges[(~st.crossing & ~side) | bridge]]
    for a, b, count in CONNECT:
        pairs = connectors(st, keys.index(a), keys.index(b), count, geo)
        edges.append(np.array(pairs, dtype=np.int64).reshape(-1, 2))
    base_xy = [st.xy]
    base_district = [st.district]
    roots, info = [], {}
    for k, (key, name, pos) in enumerate(geo.plants):
        di = keys.index(PLANT_DISTRICT[key])
        mine = np.flatnonzero(st.district == di)
        j, _ = nearest(st.xy[mine], np.array([pos]))
        node = len(st.xy) + k
        edges.append(np.array([[int(mine[j[0]]), node]]))
        base_xy.append(np.array([pos]))
        base_district.append(np.array([di]))
        roots.append(node)
        info[node] = {"plant": key, "name": name}
    bxy = np.concatenate(base_xy)
    bdist = np.concatenate(base_district)
    xy, pipes, origin, _ = subdivide(bxy, np.concatenate(edges), rng)
    district = np.concatenate([bdist, bdist[origin]])
    return _finish("sewer", geo, xy, district, pipes, np.array(roots), info)

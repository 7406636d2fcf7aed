"""Street graphs of the urban districts: jittered lattices, connectors and pipe-length splitting."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from zhishui.demo.geo import RIVER_BUFFER, District, Geography

PIPE_TARGET = 40.0  # mean manhole spacing along a street, metres


@dataclass
class Streets:
    """Street intersections (local metres) and the street segments between them."""

    xy: np.ndarray  # (N, 2)
    district: np.ndarray  # (N,) district index
    edges: np.ndarray  # (M, 2) node indices
    main: np.ndarray  # (M,) main road
    crossing: np.ndarray  # (M,) the segment crosses a river (a bridge if kept)


def _lattice(d: District, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ang = math.radians(d.angle)
    c, s = math.cos(ang), math.sin(ang)
    bx, by = shapely.get_coordinates(d.polygon).T
    u, v = bx * c + by * s, -bx * s + by * c
    b = d.block

    def lines(lo: float, hi: float) -> np.ndarray:
        steps = b * rng.uniform(0.75, 1.25, int((hi - lo) / (0.7 * b)) + 4)
        pos = lo - rng.uniform(0.2, 0.8) * b + np.cumsum(steps)
        return pos[pos < hi + b]

    us, vs = lines(u.min(), u.max()), lines(v.min(), v.max())
    gu, gv = np.meshgrid(us, vs, indexing="ij")
    tilt_u = rng.uniform(-0.012, 0.012, len(us))[:, None]
    tilt_v = rng.uniform(-0.012, 0.012, len(vs))[None, :]
    pu = gu + (gv - gv.mean()) * tilt_u + rng.normal(0, 0.04 * b, gu.shape)
    pv = gv + (gu - gu.mean()) * tilt_v + rng.normal(0, 0.04 * b, gv.shape)
    x, y = pu * c - pv * s, pu * s + pv * c
    inside = shapely.contains_xy(d.polygon, x, y)
    ids = np.full(x.shape, -1)
    ids[inside] = np.arange(int(inside.sum()))
    edges, main = [], []
    for a, bb, is_main in (
        (ids[:-1, :], ids[1:, :], np.broadcast_to(np.arange(len(vs)) % 3 == 0, ids[:-1, :].shape)),
        (ids[:, :-1], ids[:, 1:], np.broadcast_to((np.arange(len(us)) % 3 == 0)[:, None],
                                                 ids[:, :-1].shape)),
    ):
        ok = (a >= 0) & (bb >= 0)
        edges.append(np.column_stack([a[ok], bb[ok]]))
        main.append(is_main[ok])
    e, m = np.concatenate(edges), np.concatenate(main)
    xy = np.column_stack([x[inside], y[inside]])
    seg = np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T)
    # a few missing side streets: not a perfect lattice
    keep = (m | (rng.random(len(e)) > 0.04)) & (seg > 60.0)
    return xy, e[keep], m[keep]


def build_streets(geo: Geography, rng: np.random.Generator) -> Streets:
    """Street lattices of all districts, with river-crossing segments flagged."""
    xys, dist, edges, mains = [], [], [], []
    offset = 0
    for k, d in enumerate(geo.districts):
        xy, e, m = _lattice(d, rng)
        xys.append(xy)
        dist.append(np.full(len(xy), k))
        edges.append(e + offset)
        mains.append(m)
        offset += len(xy)
    xy = np.concatenate(xys)
    e = np.concatenate(edges)
    lines = shapely.linestrings(np.stack([xy[e[:, 0]], xy[e[:, 1]]], axis=1))
    water = shapely.union_all([r.line.buffer(RIVER_BUFFER - 5) for r in geo.rivers])
    crossing = shapely.intersects(lines, water)
    return Streets(xy, np.concatenate(dist), e, np.concatenate(mains), crossing)


def nearest(xy: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and distance to the nearest row of xy for each row of pts."""
    idx = np.empty(len(pts), dtype=np.int64)
    dist = np.empty(len(pts))
    for i in range(0, len(pts), 256):
        d2 = ((pts[i:i + 256, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        j = d2.argmin(axis=1)
        idx[i:i + 256] = j
        dist[i:i + 256] = np.sqrt(d2[np.arange(len(j)), j])
    return idx, dist


def connectors(st: Streets, a: int, b: int, count: int, geo: Geography) -> list[tuple[int, int]]:
    """Up to `count` short, well-spaced links between districts a and b (not across a river)."""
    ia = np.flatnonzero(st.district == a)
    ib = np.flatnonzero(st.district == b)
    j, d = nearest(st.xy[ib], st.xy[ia])
    water = shapely.union_all([r.line.buffer(RIVER_BUFFER) for r in geo.rivers])
    chosen: list[tuple[int, int]] = []
    for i in np.argsort(d, kind="stable"):
        if d[i] > 700 or len(chosen) == count:
            break
        p = st.xy[ia[i]]
        if any(np.hypot(*(p - st.xy[u])) < 900 for u, _ in chosen):
            continue
        seg = shapely.linestrings([p, st.xy[ib[j[i]]]])
        if shapely.intersects(seg, water):
            continue
        chosen.append((int(ia[i]), int(ib[j[i]])))
    return chosen


def subdivide(xy: np.ndarray, edges: np.ndarray, rng: np.random.Generator,
              target: float = PIPE_TARGET
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split each street segment into pipes of 20-80 m by inserting manholes.

    Returns all node coordinates (given nodes first), the pipe node pairs, for each inserted
    manhole the given node at the start of its segment, and for each pipe its segment.
    """
    p0, p1 = xy[edges[:, 0]], xy[edges[:, 1]]
    seg_len = np.hypot(*(p1 - p0).T)
    n = np.maximum(1, np.rint(seg_len / target)).astype(np.int64)
    n_int = n - 1
    seg_of_int = np.repeat(np.arange(len(edges)), n_int)
    first = np.cumsum(n_int) - n_int
    k = np.arange(int(n_int.sum())) - np.repeat(first, n_int) + 1
    t = (k + rng.uniform(-0.15, 0.15, len(k))) / n[seg_of_int]
    inner = p0[seg_of_int] + t[:, None] * (p1 - p0)[seg_of_int]
    all_xy = np.concatenate([xy, inner])
    # chains [a, inner..., b] laid end to end
    start = np.cumsum(n + 1) - (n + 1)
    chain = np.empty(int((n + 1).sum()), dtype=np.int64)
    chain[start] = edges[:, 0]
    chain[start + n] = edges[:, 1]
    pos = np.repeat(start, n_int) + k
    chain[pos] = len(xy) + np.arange(len(k))
    last = np.zeros(len(chain), dtype=bool)
    last[start + n] = True
    j = np.flatnonzero(~last)
    pipes = np.column_stack([chain[j], chain[j + 1]])
    return all_xy, pipes, edges[seg_of_int, 0], np.repeat(np.arange(len(edges)), n)

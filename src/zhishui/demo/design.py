"""Sizing and levels of a drainage forest: areas, flows, diameters, inverts and pump stations."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zhishui.demo.drainage import Layout
from zhishui.demo.geo import Geography
from zhishui.demo.hydraulics import (
    DESIGN_RETURN_YEARS,
    INLET_TIME,
    MIN_COVER,
    SEWER_MAX_DEPTH,
    SEWER_SIZES,
    STORM_SIZES,
    min_slope,
    pick_diameter,
    q_l_s_ha,
)

# Runoff coefficients with a 5-minute inlet time: generous enough that the SWMM check of the
# 2-year Chicago storm (whose 5-minute peak is far above a 15-minute average) does not flood.
RUNOFF = {"old_town": 0.75, "new_town": 0.65, "industrial": 0.7}
PIPE_VELOCITY = 90.0  # m/min (1.5 m/s) for the time of flow in the pipes
POPULATION = {"old_town": 0.010, "new_town": 0.007, "industrial": 0.004}  # people per m²
PER_CAPITA = 0.25  # m³ of sewage per person and day
DRAINED_WIDTH = 0.55  # drained strip per metre of pipe, as a share of the street spacing


@dataclass
class Design:
    """Per-node arrays of a sized forest; the pipe of node u runs from u to parent[u]."""

    ground: np.ndarray
    invert: np.ndarray
    length: np.ndarray  # of u's outgoing link
    area_m2: np.ndarray  # contributing area of u's outgoing link
    diameter: np.ndarray
    up_invert: np.ndarray
    down_invert: np.ndarray
    pump: np.ndarray  # u is a pump station lifting into its outgoing link
    leaf: np.ndarray


_SMIN = {k: {d: float(min_slope(d, k)) for d in (*STORM_SIZES, *SEWER_SIZES)}
         for k in ("storm", "sewer")}


def _floor_mm(v: float) -> float:
    return math.floor(v * 1000.0) / 1000.0


def design_network(lay: Layout, xy: np.ndarray, geo: Geography,
                   rng: np.random.Generator) -> Design:
    """Size every link from its contributing area and set levels from the leaves down.

    `xy` are the final (rounded, EPSG:4549) coordinates: link lengths come from them.
    """
    n = len(lay.xy)
    par = lay.parent
    has = par >= 0
    length = np.zeros(n)
    length[has] = np.round(np.hypot(*(xy[has] - xy[par[has]]).T), 3)
    kinds = np.array([d.kind for d in geo.districts])[lay.district]
    block = np.array([d.block for d in geo.districts])[lay.district]
    own = length * DRAINED_WIDTH * block
    order = np.argsort(-lay.dist, kind="stable")
    order = order[has[order]]
    acc = own.copy()
    flow_len = length.copy()
    n_in = np.zeros(n, dtype=np.int64)
    acc_l, fl_l, par_l = acc.tolist(), flow_len.tolist(), par.tolist()
    up_len = [0.0] * n
    for u in order.tolist():
        p = par_l[u]
        fl_l[u] += up_len[u]
        acc_l[p] += acc_l[u]
        if fl_l[u] > up_len[p]:
            up_len[p] = fl_l[u]
    acc, flow_len = np.array(acc_l), np.array(fl_l)
    np.add.at(n_in, par[has], 1)
    leaf = has & (n_in == 0)
    # the ground slope along a pipe, when steeper than the minimum, adds capacity
    fall = np.zeros(n)
    fall[has] = (lay.z[has] - lay.z[par[has]]) / np.maximum(length[has], 1.0)
    slope = np.clip(fall, 0.0, 0.01)
    if lay.kind == "storm":
        psi = np.vectorize(RUNOFF.get)(kinds)
        q = q_l_s_ha(INLET_TIME + flow_len / PIPE_VELOCITY, DESIGN_RETURN_YEARS)
        flow = psi * q * acc / 1e4 / 1000.0
        need = pick_diameter(flow, slope, STORM_SIZES, "storm")
    else:
        people = acc * np.vectorize(POPULATION.get)(kinds)
        avg = people * PER_CAPITA / 86400.0
        kz = np.clip(2.7 / np.maximum(avg * 1000.0, 1e-6) ** 0.11, 1.3, 2.3)
        flow = avg * kz * 1.1
        need = pick_diameter(flow, slope, SEWER_SIZES, "sewer", usable=0.8)
    return _levels(lay, order, need, length, acc, leaf, rng)


def _levels(lay: Layout, order: np.ndarray, need: np.ndarray, length: np.ndarray,
            acc: np.ndarray, leaf: np.ndarray, rng: np.random.Generator) -> Design:
    n = len(lay.xy)
    cover = MIN_COVER[lay.kind]
    ground = np.round(lay.z, 3)
    g = ground.tolist()
    par = lay.parent.tolist()
    need_l = need.tolist()
    ln = length.tolist()
    extra = rng.uniform(0.0, 0.4, n).tolist()
    leaf_l = leaf.tolist()
    diam = [0.0] * n
    max_in = [0.0] * n
    inv_in = [math.inf] * n
    crown_in = [math.inf] * n
    up = [math.nan] * n
    down = [math.nan] * n
    pump = [False] * n
    node_inv = [math.nan] * n
    sewer = lay.kind == "sewer"
    smin = _SMIN[lay.kind]
    for u in order.tolist():
        p = par[u]
        d = max(need_l[u], max_in[u])
        diam[u] = d
        if d > max_in[p]:
            max_in[p] = d
        top = g[u] - cover - d - (extra[u] if leaf_l[u] else 0.0)
        lvl = _floor_mm(min(top, inv_in[u], crown_in[u] - d))
        up[u] = lvl
        node_inv[u] = lvl
        p_top = g[p] - cover - d
        if sewer and g[u] - lvl > SEWER_MAX_DEPTH:
            pump[u] = True  # the wet well lifts the flow back to a shallow sewer
            dn = _floor_mm(p_top)
        else:
            dn = _floor_mm(min(lvl - smin[d] * ln[u], p_top))
        down[u] = dn
        if dn < inv_in[p]:
            inv_in[p] = dn
        if dn + d < crown_in[p]:
            crown_in[p] = dn + d
    for r in lay.roots.tolist():
        node_inv[r] = inv_in[r] if math.isfinite(inv_in[r]) else _floor_mm(g[r] - cover - 0.3)
    return Design(ground, np.array(node_inv), np.array(ln), acc, np.array(diam),
                  np.array(up), np.array(down), np.array(pump), leaf)

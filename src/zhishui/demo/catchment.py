"""One storm catchment of the demo county as a runnable SWMM model (EPSG:4549)."""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import shapely
from shapely.geometry import MultiPoint

from zhishui.demo.geo import CRS, Geography
from zhishui.demo.hydraulics import A1, N_EXP, STORM_SIZES, B, C, chicago_hyetograph
from zhishui.network.records import NetworkModel, SubcatchmentRecord

SIZE = (100, 300)  # nodes in the chosen tree
STORM_YEARS = 2.0
FLOW_PATH = 45.0  # overland flow length (m) used for the subcatchment width


def _roots(model: NetworkModel) -> dict[str, str]:
    """Outfall of every node (following links downstream)."""
    down = {lk.from_node: lk.to_node for lk in model.links}
    root: dict[str, str] = {}
    for n in model.nodes:
        path = [n.external_id]
        while path[-1] in down and path[-1] not in root:
            path.append(down[path[-1]])
        end = root.get(path[-1], path[-1])
        for p in path:
            root[p] = end
    return root


def pick_outfall(storm: NetworkModel, district: str = "dipu") -> str:
    """An outfall of the district draining 100-300 nodes through pipes below the largest size.

    Among those, the tree closest to 150 nodes (ties: the lower id).
    """
    root = _roots(storm)
    size = Counter(root.values())
    capped = {root[lk.from_node] for lk in storm.links if (lk.diameter or 0) >= STORM_SIZES[-1]}
    outs = [n.external_id for n in storm.nodes if n.kind == "outfall"
            and SIZE[0] <= size[n.external_id] <= SIZE[1] and n.external_id not in capped]
    local = {n.external_id for n in storm.nodes if n.attrs.get("district") == district}
    mine = [o for o in outs if o in local] or outs
    return min(mine, key=lambda o: (abs(size[o] - 150), o))


def _options() -> dict[str, object]:
    rain = chicago_hyetograph(STORM_YEARS)
    series = [f"DESIGN {k * 5 // 60}:{k * 5 % 60:02d} {v}" for k, v in enumerate(rain)]
    series.append(f"DESIGN {len(rain) * 5 // 60}:{len(rain) * 5 % 60:02d} 0")
    options = ["FLOW_UNITS CMS", "INFILTRATION HORTON", "FLOW_ROUTING DYNWAVE",
               "START_DATE 06/15/2024", "START_TIME 00:00:00", "REPORT_START_DATE 06/15/2024",
               "REPORT_START_TIME 00:00:00", "END_DATE 06/15/2024", "END_TIME 06:00:00",
               "REPORT_STEP 00:05:00", "WET_STEP 00:01:00", "DRY_STEP 01:00:00",
               "ROUTING_STEP 0:00:05", "ALLOW_PONDING NO", "INERTIAL_DAMPING PARTIAL",
               "NORMAL_FLOW_LIMITED BOTH", "VARIABLE_STEP 0.75", "MIN_SURFAREA 1.167",
               "HEAD_TOLERANCE 0.0015", "SYS_FLOW_TOL 5", "LAT_FLOW_TOL 5",
               "MINIMUM_STEP 0.5", "THREADS 1"]
    title = [f"安吉县 (演示) 雨水排水分区, {STORM_YEARS:g}-year 2-hour Chicago storm "
             f"(q = 167*{A1}*(1+{C}*lgP)/(t+{B})^{N_EXP})"]
    return {"swmm": {"sections": {
        "TITLE": title, "OPTIONS": options,
        "RAINGAGES": ["RG1 INTENSITY 0:05 1.0 TIMESERIES DESIGN"], "TIMESERIES": series}}}


def build_catchment(storm: NetworkModel, geo: Geography, rng: np.random.Generator,
                    outfall: str | None = None) -> NetworkModel:
    """The tree draining to one storm outfall, with one subcatchment per manhole or inlet."""
    outfall = outfall or pick_outfall(storm)
    root = _roots(storm)
    nodes = [copy.deepcopy(n) for n in storm.nodes if root[n.external_id] == outfall]
    ids = {n.external_id for n in nodes}
    links = [copy.deepcopy(lk) for lk in storm.links if lk.from_node in ids]
    block = {d.key: d.block for d in geo.districts}
    kind = {d.key: d.kind for d in geo.districts}
    by_id = {n.external_id: n for n in nodes}
    lines = shapely.linestrings([[(by_id[lk.from_node].x, by_id[lk.from_node].y),
                                  (by_id[lk.to_node].x, by_id[lk.to_node].y)] for lk in links])
    width = 0.55 * block[nodes[0].attrs["district"]] / 2
    region = shapely.union_all(shapely.buffer(lines, width, cap_style="flat"))
    region = shapely.union(region, shapely.union_all(
        shapely.buffer(shapely.points([(n.x, n.y) for n in nodes]), width)))
    inner = [n for n in nodes if n.kind != "outfall"]
    pts = MultiPoint([(n.x, n.y) for n in inner])
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=region, ordered=True))
    subs = []
    for n, cell in zip(inner, cells, strict=True):
        part = cell.intersection(region)
        if part.is_empty:
            continue
        if part.geom_type != "Polygon":
            part = max(shapely.get_parts(part), key=lambda g: g.area)
        area = part.area
        old = kind[n.attrs["district"]] == "old_town"
        imperv = rng.uniform(60, 80) if old else rng.uniform(45, 70)
        subs.append(SubcatchmentRecord(
            f"S-{n.external_id}", n.external_id, "RG1", round(area / 1e4, 4),
            round(float(imperv), 1), round(area / FLOW_PATH, 1),
            round(float(rng.uniform(0.5, 2.0)), 2),
            [(round(x, 3), round(y, 3)) for x, y in part.exterior.coords]))
    return NetworkModel(format="swmm", nodes=nodes, links=links, subcatchments=subs,
                        options=_options(), crs=CRS, source=f"zhishui.demo (catchment {outfall})")


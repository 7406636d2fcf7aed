"""River outfalls, monitoring stations and pollution sources of the demo county."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

from zhishui.demo.county import KFQ_JS, SWJT, ZJJ
from zhishui.demo.geo import COUNTY_CODE, ORIGIN, TOWNS, Geography
from zhishui.demo.names import (
    construction_name,
    enterprise_name,
    permit_no,
    restaurant_name,
    street_address,
)
from zhishui.network.records import FeatureRecord, NetworkModel, NodeRecord

# Code schemes (county code 330523, serials in generation order):
# - river outfalls    330523-RK-0001  RK = 入河排口; storm outfalls first, then the plants'
# - stations          330523-SZ-001 (water quality), -YW- (level), -LL- (flow), -YL- (rain),
#                     -QT- (septic-tank gas); attrs["mn"] is a 24-character HJ 212 MN
# - pollution sources 330523-WR-0001  WR = 污染源
# Each is a FeatureRecord whose kind is the registry's type column (outfall_type, station
# kind, source kind) and whose attrs carry the other registry columns; a network node is named
# by attrs node (external id) and attrs network (storm | sewer).

Locate = Callable[[np.ndarray, np.ndarray], np.ndarray]
SUBTYPES = {  # HJ 1312-2023 outfall types and the sub-types used here
    "industrial": ("工矿企业排污口", "工矿企业雨洪排口", "工业及其他各类园区污水处理厂排污口"),
    "municipal_wwtp": ("城镇污水处理厂排污口",),
    "agricultural": ("农田退水排口", "规模化畜禽养殖排污口", "规模化水产养殖排污口"),
    "other": ("城镇雨洪排口", "农村污水处理设施排污口", "大中型灌区排口", "港口码头排污口"),
}
LIMITS = {  # mg/L; demo values (plants: DB33/2169-2018 style, rain outlets: GB 3838 class V)
    "municipal_wwtp": {"COD": 40, "NH3-N": 2.0, "TN": 12, "TP": 0.3},
    "industrial": {"COD": 50, "NH3-N": 5.0, "TP": 0.5},
    "agricultural": {"COD": 60, "NH3-N": 8.0, "TP": 1.0},
    "other": {"COD": 40, "NH3-N": 2.0, "TP": 0.4},
}
TOWN_GOV = {"330523001": "递铺街道办事处", "330523002": "昌硕街道办事处",
            "330523003": "灵峰街道办事处", "330523101": "孝丰镇人民政府"}


def _town(code: str) -> str:
    return code[:9] if len(code) >= 9 else code


def build_outfalls(storm: NetworkModel, sewer: NetworkModel, geo: Geography, locate: Locate,
                   rng: np.random.Generator) -> list[FeatureRecord]:
    """One river outfall per storm outfall node and one per treatment plant."""
    outs = [n for n in storm.nodes if n.kind == "outfall"]
    fringe = [n for n in outs if n.attrs["district"] in ("xiaofeng", "lingfeng")]
    agri = {n.external_id for n in sorted(fringe, key=lambda n: n.y or 0.0)[:3]}
    recs = []
    for k, n in enumerate(outs, start=1):
        if n.attrs["district"] == "kaifaqu":
            typ, sub, party = "industrial", SUBTYPES["industrial"][1], KFQ_JS
        elif n.external_id in agri:
            typ, sub = "agricultural", SUBTYPES["agricultural"][0]
            party = TOWN_GOV.get(_town(n.attrs["division_code"]), ZJJ)
        else:
            typ, sub, party = "other", SUBTYPES["other"][0], ZJJ
        recs.append(_outfall(k, n, typ, sub, party, n.attrs["river"], "storm", rng))
    line = {r.name: r.line for r in geo.rivers}
    for k, n in enumerate((p for p in sewer.nodes if p.kind == "treatment_plant"),
                          start=len(recs) + 1):
        local = shapely.points(n.x - ORIGIN[0], n.y - ORIGIN[1])
        river = min(line, key=lambda r: line[r].distance(local))
        foot = line[river].interpolate(line[river].project(local))
        bx, by = foot.x + ORIGIN[0], foot.y + ORIGIN[1]
        code = str(locate(np.array([bx]), np.array([by]))[0])
        bank = NodeRecord(n.external_id, n.kind, bx, by, n.name, attrs={"division_code": code})
        recs.append(_outfall(k, bank, "municipal_wwtp", SUBTYPES["municipal_wwtp"][0], SWJT,
                             river, "sewer", rng, plant=n.name))
    return recs


def _outfall(k: int, n: NodeRecord, typ: str, sub: str, party: str, river: str,
             network: str, rng: np.random.Generator, plant: str | None = None) -> FeatureRecord:
    name = f"{plant}排放口" if plant else (n.name or n.external_id)
    attrs: dict[str, Any] = {
        "subtype": sub, "river": river, "responsible_party": party,
        "contact": f"0572-5{rng.integers(100000, 999999)}",
        "division_code": n.attrs.get("division_code", COUNTY_CODE),
        "node": n.external_id, "network": network, "discharge_limits": dict(LIMITS[typ]),
    }
    return FeatureRecord(f"{COUNTY_CODE}-RK-{k:04d}", typ, round(float(n.x or 0.0), 3),
                         round(float(n.y or 0.0), 3), name, attrs)


_WQ = (  # river, point near the river (local m), name, target class
    ("西苕溪", (-22500, -12500), "西苕溪孝丰上游断面", 2),
    ("西苕溪", (-16000, -7600), "西苕溪孝丰下游断面", 2),
    ("西苕溪", (-4300, 600), "西苕溪灵峰断面", 2),
    ("西苕溪", (10500, 7600), "西苕溪出境断面", 3),
    ("浑泥港", (200, -5200), "浑泥港开发区上游断面", 3),
    ("浑泥港", (400, 2300), "浑泥港入西苕溪口断面", 3),
)
WQ_PARAMS = ["pH", "DO", "CODMn", "NH3-N", "TP", "TN", "temperature", "conductivity",
             "turbidity"]


def _station(abbr: str, k: int, kind: str, x: float, y: float, name: str,
             attrs: dict[str, Any]) -> FeatureRecord:
    attrs["mn"] = f"{COUNTY_CODE}{abbr}{k:016d}"
    return FeatureRecord(f"{COUNTY_CODE}-{abbr}-{k:03d}", kind, round(x, 3), round(y, 3),
                         name, attrs)


def _spread(cands: list[tuple[NodeRecord, float]], count: int, gap: float) -> list[NodeRecord]:
    """The highest-scored nodes at least `gap` m apart."""
    chosen: list[NodeRecord] = []
    for n, _ in sorted(cands, key=lambda c: -c[1]):
        if all(np.hypot((n.x or 0) - (c.x or 0), (n.y or 0) - (c.y or 0)) >= gap for c in chosen):
            chosen.append(n)
        if len(chosen) == count:
            break
    return chosen


def build_stations(geo: Geography, storm: NetworkModel, sewer: NetworkModel,
                   components: list[FeatureRecord], locate: Locate, rng: np.random.Generator
                   ) -> list[FeatureRecord]:
    """6 water-quality, 8 level, 6 flow, 4 rain and 6 septic-tank gas stations."""
    out: list[FeatureRecord] = []
    line = {r.name: r.line for r in geo.rivers}
    for k, (river, (px, py), name, target) in enumerate(_WQ, start=1):
        p = line[river].interpolate(line[river].project(shapely.Point(px, py)))
        out.append(_station("SZ", k, "water_quality", p.x + ORIGIN[0], p.y + ORIGIN[1], name,
                            {"river": river, "target_class": target,
                             "parameters": list(WQ_PARAMS)}))
    area = {lk.from_node: lk.attrs["area_ha"] for lk in storm.links}
    cands = [(n, area[n.external_id]) for n in storm.nodes
             if n.kind == "manhole" and n.attrs["district"] in ("dipu", "changshuo")]
    for k, n in enumerate(_spread(cands, 8, 600.0), start=1):
        out.append(_station("YW", k, "level", n.x or 0.0, n.y or 0.0,
                            f"{n.external_id}雨水井液位站",
                            {"node": n.external_id, "network": "storm",
                             "parameters": ["level"]}))
    sarea = {lk.from_node: lk.attrs["area_ha"] for lk in sewer.links}
    cands = [(n, sarea[n.external_id]) for n in sewer.nodes if n.kind == "manhole"]
    for k, n in enumerate(_spread(cands, 6, 1500.0), start=1):
        out.append(_station("LL", k, "flow", n.x or 0.0, n.y or 0.0,
                            f"{n.external_id}污水管流量站",
                            {"node": n.external_id, "network": "sewer",
                             "parameters": ["flow", "level", "velocity"]}))
    keys = [d.key for d in geo.districts]
    for k, key in enumerate(("dipu", "changshuo", "lingfeng", "xiaofeng"), start=1):
        c = geo.districts[keys.index(key)].polygon.representative_point()
        out.append(_station("YL", k, "rain", c.x + ORIGIN[0], c.y + ORIGIN[1],
                            f"{geo.districts[keys.index(key)].name}雨量站",
                            {"parameters": ["rainfall"]}))
    tanks = [c for c in components if c.name == "化粪池" and c.attrs.get("grid_code")]
    pick = rng.choice(len(tanks), size=min(6, len(tanks)), replace=False)
    for k, i in enumerate(sorted(pick.tolist()), start=1):
        t = tanks[i]
        out.append(_station("QT", k, "gas", t.x or 0.0, t.y or 0.0, f"化粪池气体监测点{k:02d}",
                            {"component": t.code, "parameters": ["CH4", "H2S"]}))
    div = locate(np.array([s.x for s in out]), np.array([s.y for s in out]))
    for s, code in zip(out, div, strict=True):
        s.attrs["division_code"] = str(code)
    return out


_SOURCES = (  # kind, count, districts, share linked to a storm node by mistake
    ("enterprise", 60, ("kaifaqu", "kaifaqu", "kaifaqu", "changshuo", "xiaofeng"), 1),
    ("construction_site", 20, ("dipu", "changshuo", "lingfeng", "kaifaqu"), 1),
    ("restaurant", 40, ("dipu", "dipu", "changshuo", "xiaofeng", "lingfeng"), 2),
    ("car_wash", 15, ("dipu", "changshuo", "xiaofeng", "kaifaqu"), 2),
    ("hospital", 4, ("dipu", "changshuo", "xiaofeng", "lingfeng"), 0),
    ("hotel", 5, ("lingfeng",), 0),
    ("livestock_farm", 3, ("xiaofeng",), 0),
)


def build_sources(geo: Geography, storm: NetworkModel, sewer: NetworkModel,
                  rng: np.random.Generator) -> list[FeatureRecord]:
    """~150 pollution sources, each discharging into a network node (attrs node, network)."""
    town_name = {c: n for c, n, _ in TOWNS}
    by_district: dict[str, list[NodeRecord]] = {}
    for n in sewer.nodes:
        if n.kind == "manhole":
            by_district.setdefault(n.attrs["district"], []).append(n)
    storm_nodes = [n for n in storm.nodes if n.kind in ("manhole", "inlet")]
    sxy = np.array([(n.x, n.y) for n in storm_nodes])
    recs: list[FeatureRecord] = []
    for kind, count, districts, wrong in _SOURCES:
        for j in range(count):
            pool = by_district[districts[j % len(districts)]]
            node = pool[int(rng.integers(len(pool)))]
            ang = rng.uniform(0, 2 * np.pi)
            r = rng.uniform(12, 40)
            x, y = (node.x or 0.0) + r * np.cos(ang), (node.y or 0.0) + r * np.sin(ang)
            network, target = "sewer", node.external_id
            if j < wrong:  # a misconnection: the outlet ends in a storm sewer
                near = int(np.argmin((sxy[:, 0] - x) ** 2 + (sxy[:, 1] - y) ** 2))
                network, target = "storm", storm_nodes[near].external_id
            recs.append(_source(len(recs) + 1, kind, float(x), float(y), node, network, target,
                                town_name, rng))
    for n in sewer.nodes:
        if n.kind == "treatment_plant":
            recs.append(FeatureRecord(
                f"{COUNTY_CODE}-WR-{len(recs) + 1:04d}", "treatment_plant",
                n.x, n.y, n.name, {
                    "division_code": n.attrs["division_code"], "node": n.external_id,
                    "network": "sewer", "permit_no": permit_no(rng), "industry": "污水处理",
                    "address": street_address(rng, town_name.get(
                        _town(n.attrs["division_code"]), "安吉县"))}))
    return recs


def _source(k: int, kind: str, x: float, y: float, near: NodeRecord, network: str,
            target: str, town_name: dict[str, str], rng: np.random.Generator
            ) -> FeatureRecord:
    div = near.attrs["division_code"]
    town = town_name.get(_town(div), "安吉县")
    industry = None
    if kind == "enterprise":
        name, industry = enterprise_name(rng)
    elif kind == "construction_site":
        name = construction_name(rng)
    else:
        name = restaurant_name(rng, kind)
    attrs: dict[str, Any] = {
        "division_code": div, "node": target, "network": network,
        "address": street_address(rng, town),
        "permit_no": permit_no(rng) if kind in ("enterprise", "hospital", "livestock_farm")
        else None,
    }
    if industry:
        attrs["industry"] = industry
    if network == "storm":
        attrs["misconnection"] = True
    return FeatureRecord(f"{COUNTY_CODE}-WR-{k:04d}", kind, round(x, 3), round(y, 3), name,
                         attrs)

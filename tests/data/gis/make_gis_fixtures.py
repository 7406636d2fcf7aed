"""Build the small GIS and Excel fixtures in this directory from L-TOWN (run once, keep).

L-TOWN (KIOS Research and Innovation Center of Excellence, BattLeDIM 2020, CC BY 4.0): 50
pipes and their nodes, moved to CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549) around
Anji, Zhejiang (119.68E 30.63N) and dressed as a storm network with Chinese field names.

    .venv/bin/python tests/data/gis/make_gis_fixtures.py [path/to/L-TOWN.inp]
"""

from __future__ import annotations

import json
import sys
from collections import deque
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from openpyxl import Workbook
from pyogrio.raw import write
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
INP = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[3] / (
    "shared/data/networks/L-TOWN.inp")
CENTRE = (119.68, 30.63)
N_PIPES = 50
MATERIALS = ("砼", "PE", "球墨铸铁", "UPVC")
MATERIALS_EN = ("concrete", "hdpe", "ductile_iron", "pvc")
ROADS = ("天目路", "昌硕路", "递铺路", "浦源大道")


def parse_inp(path: Path) -> tuple[dict, dict, list]:
    section, elev, coords, pipes = "", {}, {}, []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split(";")[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.upper()
            continue
        parts = line.split()
        if section in ("[JUNCTIONS]", "[RESERVOIRS]", "[TANKS]"):
            elev[parts[0]] = float(parts[1])
        elif section == "[COORDINATES]":
            coords[parts[0]] = (float(parts[1]), float(parts[2]))
        elif section == "[PIPES]":
            pipes.append((parts[0], parts[1], parts[2], float(parts[3]), float(parts[4])))
    return elev, coords, pipes


def pick(pipes: list, start: str) -> list:
    by_node: dict[str, list] = {}
    for p in pipes:
        by_node.setdefault(p[1], []).append(p)
        by_node.setdefault(p[2], []).append(p)
    chosen, seen_nodes, queue = [], {start}, deque([start])
    seen = set()
    while queue and len(chosen) < N_PIPES:
        node = queue.popleft()
        for p in by_node.get(node, []):
            if p[0] in seen or len(chosen) >= N_PIPES:
                continue
            seen.add(p[0])
            chosen.append(p)
            for end in p[1:3]:
                if end not in seen_nodes:
                    seen_nodes.add(end)
                    queue.append(end)
    return chosen


def build() -> None:
    elev, coords, pipes = parse_inp(INP)
    chosen = pick(pipes, "n1")
    node_ids = list(dict.fromkeys(n for p in chosen for n in p[1:3]))
    cx = float(np.mean([coords[n][0] for n in node_ids]))
    cy = float(np.mean([coords[n][1] for n in node_ids]))
    e0, n0 = Transformer.from_crs(4326, 4549, always_xy=True).transform(*CENTRE)
    xy = {n: (round(coords[n][0] - cx + e0, 3), round(coords[n][1] - cy + n0, 3))
          for n in node_ids}
    degree: dict[str, int] = {}
    for p in chosen:
        for end in p[1:3]:
            degree[end] = degree.get(end, 0) + 1
    nodes = []
    for i, n in enumerate(node_ids):
        depth = round(1.5 + (i % 5) * 0.3, 2)
        kind = "排放口" if degree[n] == 1 and i % 3 == 0 else ("雨水口" if i % 7 == 3 else "检查井")
        nodes.append({"编号": n, "类型": kind, "地面高程": round(elev[n], 3), "井深": depth,
                      "井底高程": round(elev[n] - depth, 3), "权属单位": "安吉县住建局",
                      "备注": f"L-TOWN {n}"})
    inv = {n["编号"]: n["井底高程"] for n in nodes}
    ground = {n["编号"]: n["地面高程"] for n in nodes}
    links = []
    for i, (pid, a, b, length, diam) in enumerate(chosen):
        line = [xy[a], xy[b]]
        if i == 0:
            mid = ((xy[a][0] + xy[b][0]) / 2 + 3.0, (xy[a][1] + xy[b][1]) / 2 + 3.0)
            line = [xy[a], (round(mid[0], 3), round(mid[1], 3)), xy[b]]
        links.append({"id": pid, "from": a, "to": b, "length": round(length, 3),
                      "diam": diam, "line": line, "i": i})
    write_gpkg(nodes, links, xy, inv)
    write_shp(nodes, links, xy, ground, inv)
    write_geojson(nodes, links, xy, inv)
    write_xlsx()
    write_bad()


def _wkb(geoms: list) -> np.ndarray:
    return shapely.to_wkb(np.array(geoms, dtype=object))


def _write(path: Path, geoms: list, rows: list[dict], **kw: object) -> None:
    names = list(rows[0])
    data = [np.array([r[k] for r in rows], dtype=object if isinstance(rows[0][k], str) else None)
            for k in names]
    write(path, _wkb(geoms), data, names, **kw)


def write_gpkg(nodes: list, links: list, xy: dict, inv: dict) -> None:
    path = HERE / "ltown_anji.gpkg"
    path.unlink(missing_ok=True)
    opts = {"SPATIAL_INDEX": "NO"}
    _write(path, [shapely.Point(xy[n["编号"]]) for n in nodes], nodes, layer="manholes",
           driver="GPKG", geometry_type="Point", crs="EPSG:4549", layer_options=opts)
    rows = [{"编号": k["id"], "起点编号": k["from"], "终点编号": k["to"], "管径": k["diam"],
             "材质": MATERIALS[k["i"] % 4], "管长": k["length"], "起点高程": inv[k["from"]],
             "终点高程": inv[k["to"]], "建设年代": 1995 + k["i"] % 25, "权属单位": "安吉县住建局",
             "所在道路": ROADS[k["i"] % 4]} for k in links]
    _write(path, [shapely.LineString(k["line"]) for k in links], rows, layer="pipes",
           driver="GPKG", geometry_type="LineString", crs="EPSG:4549", layer_options=opts)


def write_shp(nodes: list, links: list, xy: dict, ground: dict, inv: dict) -> None:
    folder = HERE / "shp_gbk"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.*"):
        old.unlink()
    wells = [{"编号": n["编号"], "类型": n["类型"], "地面高程": n["地面高程"],
              "权属单位": "安吉县住建局"} for n in nodes]
    _write(folder / "wells.shp", [shapely.Point(xy[n["编号"]]) for n in nodes], wells,
           driver="ESRI Shapefile", geometry_type="Point", crs="EPSG:4549", encoding="GBK")
    rows = [{"编号": k["id"], "管径": k["diam"], "材质": MATERIALS[k["i"] % 4],
             "起点埋深": round(ground[k["from"]] - inv[k["from"]], 3),
             "终点埋深": round(ground[k["to"]] - inv[k["to"]], 3),
             "建设年代": f"{1995 + k['i'] % 25}年",
             "所在道路": ROADS[k["i"] % 4]} for k in links]
    _write(folder / "pipes.shp", [shapely.LineString(k["line"]) for k in links], rows,
           driver="ESRI Shapefile", geometry_type="LineString", crs="EPSG:4549", encoding="GBK")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()


def write_geojson(nodes: list, links: list, xy: dict, inv: dict) -> None:
    to_ll = Transformer.from_crs(4549, 4326, always_xy=True)
    ll = {n: to_ll.transform(*p) for n, p in xy.items()}
    kinds = {"检查井": "manhole", "雨水口": "inlet", "排放口": "outfall"}
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": list(ll[n["编号"]])},
              "properties": {"ID": n["编号"], "TYPE": kinds[n["类型"]], "GROUND": n["地面高程"],
                             "INVERT": n["井底高程"]}} for n in nodes]
    for k in links:
        line = [list(to_ll.transform(*p)) for p in k["line"]]
        line[0], line[-1] = list(ll[k["from"]]), list(ll[k["to"]])
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": line},
                      "properties": {"ID": k["id"], "US_NODE": k["from"], "DS_NODE": k["to"],
                                     "DIAMETER": k["diam"], "MATERIAL": MATERIALS_EN[k["i"] % 4],
                                     "LENGTH": k["length"], "US_INVERT": inv[k["from"]],
                                     "DS_INVERT": inv[k["to"]], "YEAR": 1995 + k["i"] % 25}})
    (HERE / "ltown_4326.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
        encoding="utf-8")


COMPONENT_HEADERS = ("部件编码", "部件名称", "大类", "小类", "经度", "纬度", "所属网格", "权属单位",
                     "状态", "备注")
CLASSES = (("01", "01", "上水井盖"), ("01", "02", "污水井盖"), ("01", "03", "雨水井盖"),
           ("01", "04", "雨水箅子"), ("02", "06", "路灯"))


def component_rows(n: int = 30) -> list[list]:
    rows = []
    for i in range(n):
        major, minor, name = CLASSES[i % len(CLASSES)]
        code = f"330523{major}{minor}{i + 1:06d}"
        rows.append([code, f"{name}{i + 1}", major, minor, round(119.675 + 0.0004 * i, 6),
                     round(30.625 + 0.0003 * i, 6), f"3305230010010{i % 3 + 1}",
                     "安吉县住建局" if major == "01" else "安吉县城管局",
                     "完好" if i % 6 else "破损", "" if i % 4 else "巡查新增"])
    return rows


def _sheet(path: Path, rows: list[list], title: str | None = "安吉县城市部件清单") -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "部件清单"
    if title:
        ws.append([title])
    ws.append(list(COMPONENT_HEADERS))
    for row in rows:
        ws.append(row)
    for cell in ws["A"]:
        cell.number_format = "@"
    wb.properties.created = wb.properties.modified = datetime(2025, 1, 1)
    wb.save(path)


def write_xlsx() -> None:
    _sheet(HERE / "components.xlsx", component_rows())


def write_bad() -> None:
    rows = component_rows(8)
    rows[1][0] = rows[1][0][:-1]            # row 4: 15-digit code
    rows[2][2] = "02"                       # row 5: major class disagrees with the code
    rows[3][4] = "东经119度"                 # row 6: longitude not a number
    rows[4][5] = 95.0                       # row 7: latitude out of range
    rows[5][0] = rows[0][0]                 # row 8: duplicate of row 3
    _sheet(HERE / "bad_components.xlsx", rows)
    pt = {"type": "Point", "coordinates": [119.68, 30.63]}
    feats = [
        {"ID": "J1", "TYPE": "manhole"},
        {"ID": None, "TYPE": "manhole"},                              # 2: missing id
        {"ID": "J1", "TYPE": "manhole"},                              # 3: duplicate id
        {"ID": "J4", "TYPE": "化粪池"},                                # 4: unknown kind
    ]
    out = [{"type": "Feature", "geometry": pt, "properties": p} for p in feats]
    line = {"type": "LineString", "coordinates": [[119.68, 30.63], [119.681, 30.631]]}
    poly = {"type": "Polygon", "coordinates": [[[119.68, 30.63], [119.681, 30.63],
                                                [119.681, 30.631], [119.68, 30.63]]]}
    out += [
        {"type": "Feature", "geometry": line, "properties": {"ID": "P1", "DIAMETER": "abc"}},
        {"type": "Feature", "geometry": line, "properties": {"ID": "P2", "LENGTH": -5}},
        {"type": "Feature", "geometry": poly, "properties": {"ID": "P3"}},
        {"type": "Feature", "geometry": None, "properties": {"ID": "P4"}},
    ]
    (HERE / "bad_network.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": out}, ensure_ascii=False, indent=0),
        encoding="utf-8")
    (HERE / "not_gis.gpkg").write_bytes(b"this is not a GeoPackage\n" * 4)


if __name__ == "__main__":
    build()

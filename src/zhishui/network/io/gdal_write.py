"""Write a NetworkModel as "nodes" and "links" layers of a GeoPackage, GeoJSON or shapefiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyogrio.raw import write as raw_write

from zhishui.core.errors import ValidationFailed
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

DRIVERS = ("GPKG", "GeoJSON", "ESRI Shapefile")
# Output column -> record attribute; names of at most 10 characters (shapefile limit) that the
# default field mapping recognises, so that a written file reads back unchanged.
NODE_COLUMNS = (("id", "external_id"), ("kind", "kind"), ("name", "name"),
                ("ground", "ground_elev"), ("invert", "invert_elev"), ("max_depth", "max_depth"))
LINK_COLUMNS = (("id", "external_id"), ("kind", "kind"), ("name", "name"),
                ("from_node", "from_node"), ("to_node", "to_node"), ("shape", "shape"),
                ("diameter", "diameter"), ("height", "height"), ("width", "width"),
                ("material", "material"), ("length", "length"), ("up_invert", "up_invert"),
                ("dn_invert", "down_invert"), ("roughness", "roughness"),
                ("year", "install_year"), ("grade", "condition_grade"),
                ("owner", "owner_department"), ("status", "status"))
_SHP_NAME_BYTES = 10


def write_network(model: NetworkModel, path: str | Path, driver: str = "GPKG") -> list[Path]:
    """Write nodes (points) and links (lines) in model.crs (EPSG:4326 when None).

    GPKG: one file with layers "nodes" and "links". GeoJSON: one FeatureCollection holding both
    (points are nodes, lines are links; a CRS other than EPSG:4326 is named in the legacy
    "crs" member, which GDAL and QGIS read). ESRI Shapefile: `path` is a directory that receives
    nodes.shp and links.shp (UTF-8, with .cpg). Diameters, heights and widths are in metres,
    attrs become extra columns. Link geometry is from-node, vertices, to-node. An existing
    output is replaced. Returns the files written; each reads back with read_network_layers.
    """
    if driver not in DRIVERS:
        raise ValidationFailed(f"driver must be one of {', '.join(DRIVERS)}", driver=driver)
    path = Path(path)
    crs = model.crs or "EPSG:4326"
    nodes = _node_table(model.nodes)
    links = _link_table(model.links, {n.external_id: n for n in model.nodes})
    if driver == "GeoJSON":
        _remove(path)
        _write(path, _merge(nodes, links), crs, driver, None, "Unknown")
        return [path]
    if driver == "GPKG":
        _remove(path)
        _write(path, nodes, crs, driver, "nodes", "Point")
        _write(path, links, crs, driver, "links", "LineString")
        return [path]
    if path.suffix.lower() == ".shp":
        raise ValidationFailed("for shapefiles give a directory: it receives nodes.shp and "
                               "links.shp")
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table, gtype in (("nodes", nodes, "Point"), ("links", links, "LineString")):
        for old in path.glob(f"{name}.*"):
            old.unlink()
        _write(path / f"{name}.shp", _launder(table), crs, driver, None, gtype)
        written.append(path / f"{name}.shp")
    return written


Table = tuple[list[Any], dict[str, list[Any]]]


def _node_table(nodes: list[NodeRecord]) -> Table:
    geoms = [None if n.x is None or n.y is None else shapely.Point(n.x, n.y) for n in nodes]
    return geoms, _columns(nodes, NODE_COLUMNS)


def _link_table(links: list[LinkRecord], nodes: dict[str, NodeRecord]) -> Table:
    geoms = []
    for link in links:
        coords = list(link.vertices)
        for end, where in ((nodes.get(link.from_node), 0), (nodes.get(link.to_node), None)):
            if end is not None and end.x is not None and end.y is not None:
                coords.insert(len(coords) if where is None else 0, (end.x, end.y))
        geoms.append(shapely.LineString(coords) if len(coords) >= 2 else None)
    return geoms, _columns(links, LINK_COLUMNS)


def _columns(records: list[Any], standard: tuple[tuple[str, str], ...]) -> dict[str, list[Any]]:
    columns = {col: [getattr(r, attr) for r in records] for col, attr in standard}
    keys = list(dict.fromkeys(k for r in records for k in r.attrs))
    for key in keys:
        col = key if key not in columns else f"x_{key}"
        columns[col] = [r.attrs.get(key) for r in records]
    return columns


def _merge(nodes: Table, links: Table) -> Table:
    n_nodes, n_links = len(nodes[0]), len(links[0])
    names = list(dict.fromkeys([*nodes[1], *links[1]]))
    columns = {name: (nodes[1].get(name) or [None] * n_nodes)
               + (links[1].get(name) or [None] * n_links) for name in names}
    return nodes[0] + links[0], columns


def _launder(table: Table) -> Table:
    out: dict[str, list[Any]] = {}
    for name, values in table[1].items():
        short = name
        while len(short.encode("utf-8")) > _SHP_NAME_BYTES:
            short = short[:-1]
        base, n = short, 1
        while short.lower() in (k.lower() for k in out):
            n += 1
            suffix = str(n)
            short = base
            while len((short + suffix).encode("utf-8")) > _SHP_NAME_BYTES:
                short = short[:-1]
            short += suffix
        out[short] = values
    return table[0], out


def _write(path: Path, table: Table, crs: str, driver: str, layer: str | None,
           gtype: str) -> None:
    geoms, columns = table
    wkb = shapely.to_wkb(np.array(geoms, dtype=object)) if geoms else np.array([], dtype=object)
    data, masks = [], []
    for values in columns.values():
        array, mask = _array(values)
        data.append(array)
        masks.append(mask)
    raw_write(path, wkb, data, list(columns), field_mask=masks, layer=layer, driver=driver,
              geometry_type=gtype, crs=crs, encoding="UTF-8" if driver == "ESRI Shapefile"
              else None)


def _array(values: list[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool | int | np.integer) for v in present):
        mask = np.array([v is None for v in values], dtype=bool)
        return np.array([0 if v is None else int(v) for v in values], dtype=np.int64), mask
    if present and all(isinstance(v, int | float | np.number) for v in present):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float), None
    return np.array([None if v is None else _text(v) for v in values], dtype=object), None


def _text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _remove(path: Path) -> None:
    if path.is_dir():
        raise ValidationFailed(f"{path.name} is a directory, expected a file name")
    path.unlink(missing_ok=True)

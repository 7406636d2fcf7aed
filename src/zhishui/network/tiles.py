"""Mapbox Vector Tile helpers: XYZ tile bounds, projection to tile pixels, clipping, encoding."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from mapbox_vector_tile.encoder import on_invalid_geometry_make_valid
from shapely.geometry.base import BaseGeometry

MAX_LAT = 85.0511287798066  # web-mercator latitude limit
Feature = tuple[BaseGeometry, Mapping[str, Any]]
_INT64 = 2**63
# shapely type ids
_POINT, _LINE, _RING, _POLY, _MPOINT, _MLINE, _MPOLY, _COLL = range(8)
_DIM = {_POINT: 0, _MPOINT: 0, _LINE: 1, _RING: 1, _MLINE: 1, _POLY: 2, _MPOLY: 2}


def _check_tile(z: int, x: int, y: int) -> None:
    if z < 0 or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise ValueError(f"no tile {z}/{x}/{y}")


def _lon(xt: float, n: int) -> float:
    return xt / n * 360.0 - 180.0


def _lat(yt: float, n: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * yt / n))))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return (minlon, minlat, maxlon, maxlat) of XYZ (slippy-map, y down) tile z/x/y."""
    _check_tile(z, x, y)
    n = 2**z
    return (_lon(x, n), _lat(y + 1, n), _lon(x + 1, n), _lat(y, n))


def tile_bbox_with_buffer(z: int, x: int, y: int, buffer_px: float = 64,
                          extent: int = 4096) -> tuple[float, float, float, float]:
    """Tile bounds grown by `buffer_px` tile units on each side, clamped to the mercator world."""
    _check_tile(z, x, y)
    n = 2**z
    b = buffer_px / extent
    x0, x1 = max(x - b, 0.0), min(x + 1 + b, float(n))
    y0, y1 = max(y - b, 0.0), min(y + 1 + b, float(n))
    return (_lon(x0, n), _lat(y1, n), _lon(x1, n), _lat(y0, n))


def lonlat_to_tile(lon: Any, lat: Any, z: int, x: int, y: int,
                   extent: int = 4096) -> tuple[Any, Any]:
    """Project lon/lat (scalars or arrays) to pixel coordinates of tile z/x/y, y pointing down."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)
    n = 2.0**z
    xf = (lon + 180.0) / 360.0
    yf = 0.5 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / (2 * np.pi)
    return (xf * n - x) * extent, (yf * n - y) * extent


def mvt_properties(props: Mapping[Any, Any] | None) -> dict[str, str | int | float | bool]:
    """Properties an MVT can hold: drops None/NaN, unwraps numpy scalars, stringifies the rest."""
    out: dict[str, str | int | float | bool] = {}
    for k, v in (props or {}).items():
        if isinstance(v, np.generic):
            v = v.item()
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, bool | str | float):
            out[str(k)] = v
        elif isinstance(v, int):
            out[str(k)] = v if -_INT64 <= v < _INT64 else str(v)
        elif isinstance(v, Decimal):
            out[str(k)] = float(v)
        elif isinstance(v, dt.date | dt.time):
            out[str(k)] = v.isoformat()
        elif isinstance(v, Mapping | list | tuple):
            out[str(k)] = json.dumps(v, ensure_ascii=False, default=str)
        else:
            out[str(k)] = str(v)
    return out


def _by_dimension(geom: BaseGeometry, dim: int) -> BaseGeometry | None:
    """Keep the parts of `geom` with dimension `dim` (a clip can return a collection)."""
    if geom is None or geom.is_empty:
        return None
    tid = shapely.get_type_id(geom)
    if tid != _COLL:
        return geom if _DIM.get(tid) == dim else None
    parts: list[BaseGeometry] = []
    for g in shapely.get_parts(geom):
        sub = _by_dimension(g, dim)
        if sub is not None:
            parts.extend(shapely.get_parts(sub))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    maker = {0: shapely.multipoints, 1: shapely.multilinestrings, 2: shapely.multipolygons}[dim]
    return maker(parts)


def _shapes(geoms: np.ndarray, extent: int, buffer_px: float,
            simplify_px: float) -> list[BaseGeometry | None]:
    """Clip, simplify and snap projected non-point geometries; None where nothing is left."""
    lo, hi = -buffer_px, extent + buffer_px
    geoms = geoms.copy()
    dims = np.array([_DIM.get(int(t), -1) for t in shapely.get_type_id(geoms)])
    for i in np.flatnonzero(dims == -1).tolist():  # a collection: keep its highest dimension
        dims[i] = max(_DIM.get(int(t), -1) for t in shapely.get_type_id(geoms[i].geoms))
        geoms[i] = _by_dimension(geoms[i], int(dims[i]))
    b = shapely.bounds(geoms)
    keep = ~((b[:, 2] < lo) | (b[:, 0] > hi) | (b[:, 3] < lo) | (b[:, 1] > hi))
    inside = (b[:, 0] >= lo) & (b[:, 2] <= hi) & (b[:, 1] >= lo) & (b[:, 3] <= hi)
    clip = np.flatnonzero(keep & ~inside)
    if clip.size:
        clipped = shapely.intersection(geoms[clip], shapely.box(lo, lo, hi, hi))
        for i, g in zip(clip.tolist(), clipped.tolist(), strict=True):
            geoms[i] = _by_dimension(g, int(dims[i]))
    out: list[BaseGeometry | None] = [None] * len(geoms)
    for dim in (0, 1, 2):
        sel = np.flatnonzero(keep & (dims == dim))
        if sel.size == 0:
            continue
        g = geoms[sel]
        if dim == 1:
            g = shapely.transform(shapely.simplify(g, simplify_px, preserve_topology=False),
                                  np.rint)
            g[~(shapely.length(g) > 0)] = None
        elif dim == 2:
            g = shapely.simplify(g, simplify_px, preserve_topology=True)
            g = shapely.set_precision(g, 1.0)
        else:
            g = shapely.transform(g, np.rint)
        for i, geom in zip(sel.tolist(), g.tolist(), strict=True):
            out[i] = geom if geom is not None and not geom.is_empty else None
    return out


def _feature(geom: BaseGeometry, props: Mapping[str, Any], count: int | None) -> dict[str, Any]:
    p = mvt_properties(props)
    if count is not None:
        p["count"] = count
    f: dict[str, Any] = {"geometry": geom, "properties": p}
    fid = p.get("id")
    if isinstance(fid, int) and not isinstance(fid, bool) and 0 <= fid < 2**64:
        f["id"] = fid
    return f


def _layer(items: Iterable[Feature], z: int, x: int, y: int, extent: int, buffer_px: float,
           simplify_px: float, thin_points: bool, thin_cell: int) -> list[dict[str, Any]]:
    geoms_l: list[BaseGeometry] = []
    props: list[Mapping[str, Any]] = []
    for g, p in items:
        if g is not None:
            geoms_l.append(g)
            props.append(p)
    if not geoms_l:
        return []
    geoms = np.empty(len(geoms_l), dtype=object)
    geoms[:] = geoms_l
    full = np.flatnonzero(~shapely.is_empty(geoms))
    geoms, props = geoms[full], [props[i] for i in full.tolist()]

    def project(c: np.ndarray) -> np.ndarray:
        px, py = lonlat_to_tile(c[:, 0], c[:, 1], z, x, y, extent)
        return np.column_stack([px, py])

    geoms = shapely.transform(geoms, project)
    types = shapely.get_type_id(geoms)
    feats: list[tuple[int, dict[str, Any]]] = []
    # single points: vectorized clip, snap and (optionally) thinning
    pidx = np.flatnonzero(types == _POINT)
    if pidx.size:
        xy = np.rint(shapely.get_coordinates(geoms[pidx]))
        lo, hi = -buffer_px, extent + buffer_px
        ok = np.all((xy >= lo) & (xy <= hi), axis=1)
        pidx, xy = pidx[ok], xy[ok]
        counts: np.ndarray | None = None
        if thin_points and pidx.size:
            cells = np.floor(xy / thin_cell).astype(np.int64)
            _, first, counts = np.unique(cells, axis=0, return_index=True, return_counts=True)
            order = np.argsort(first)
            first, counts = first[order], counts[order]
            pidx, xy = pidx[first], xy[first]
        pts = shapely.points(xy)
        for k, (i, pt) in enumerate(zip(pidx.tolist(), pts.tolist(), strict=True)):
            c = int(counts[k]) if counts is not None else None
            feats.append((i, _feature(pt, props[i], c)))
    oidx = np.flatnonzero(types != _POINT)
    if oidx.size:
        shapes = _shapes(geoms[oidx], extent, buffer_px, simplify_px)
        for i, g in zip(oidx.tolist(), shapes, strict=True):
            if g is not None:
                feats.append((i, _feature(g, props[i], None)))
    feats.sort(key=lambda t: t[0])
    return [f for _, f in feats]


def encode_tile(layers: Mapping[str, Iterable[Feature]], z: int, x: int, y: int,
                extent: int = 4096, *, buffer_px: float = 64, simplify_px: float = 0.5,
                thin_points: bool = False, thin_cell: int | None = None) -> bytes:
    """Encode lon/lat features into an MVT for tile z/x/y.

    Geometries are projected to web mercator tile units (y down), clipped to the tile grown by
    `buffer_px`, lines and polygons simplified by `simplify_px` and snapped to the integer grid;
    whatever collapses below a unit is dropped. With `thin_points`, of several points in one
    `thin_cell`-sized square (default one screen pixel of a 256-px tile) only the first is kept
    and every point feature gets a `count` property (the points it stands for). An integer `id`
    property (>= 0) also becomes the feature id. Empty layers are left out.
    """
    _check_tile(z, x, y)
    cell = thin_cell or max(1, extent // 256)
    out = []
    for name, items in layers.items():
        feats = _layer(items, z, x, y, extent, buffer_px, simplify_px, thin_points, cell)
        if feats:
            out.append({"name": name, "features": feats})
    return mapbox_vector_tile.encode(out, default_options={
        "y_coord_down": True, "extents": extent,
        "on_invalid_geometry": on_invalid_geometry_make_valid})


def decode_tile(data: bytes) -> dict[str, Any]:
    """Decode an MVT to {layer: {"extent", "features": [GeoJSON-like]}} in tile units, y down."""
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})

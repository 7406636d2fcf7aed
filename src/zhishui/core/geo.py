"""Coordinate helpers: CRS parsing, transforms to and from EPSG:4326, GCJ-02, geodesic measures."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError

from zhishui.core.errors import ValidationFailed

STORAGE_CRS = "EPSG:4326"

Transform = Callable[[Any, Any], tuple[np.ndarray, np.ndarray]]

_EPSG_RE = re.compile(r"^\s*(?:epsg\s*:{1,2}\s*)?(\d{4,6})\s*$", re.IGNORECASE)
_GEOD = Geod(ellps="WGS84")

# GCJ-02 ("Mars coordinates"): the published obfuscation used by Amap, Tencent and Google China.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)


def parse_crs(text: str | int) -> str:
    """Normalise a CRS given as "EPSG:4549", "4549", 4549, "epsg:4326", a URN, WKT or PROJ string.

    Returns "AUTHORITY:CODE" (e.g. "EPSG:4549") when the CRS has or matches an authority code,
    else the CRS as WKT. Raises ValidationFailed for text that names no CRS.
    """
    crs = _crs(text)
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    auth = crs.to_authority()
    if auth:
        return f"{auth[0]}:{auth[1]}"
    return crs.to_wkt()


def crs_object(crs: str | int) -> CRS:
    """The pyproj CRS for anything `parse_crs` accepts."""
    return _crs(crs)


def is_geographic(crs: str | int | None) -> bool:
    """True for lon/lat CRSs (and for None, meaning lon/lat already)."""
    return True if crs is None else bool(_crs(crs).is_geographic)


def to_storage(crs: str | int | None) -> Transform:
    """A vectorised (x, y) -> (lon, lat) transform from `crs` to EPSG:4326 (None: lon/lat already).

    Axis order is always x/easting/longitude first. Points the projection cannot handle (for
    instance a Gauss–Krüger easting with a zone prefix under a CM variant) come out as inf.
    """
    if crs is None:
        return _identity
    return _transformer(parse_crs(crs), STORAGE_CRS)


def from_storage(crs: str | int | None) -> Transform:
    """A vectorised (lon, lat) -> (x, y) transform from EPSG:4326 to `crs` (None: lon/lat)."""
    if crs is None:
        return _identity
    return _transformer(STORAGE_CRS, parse_crs(crs))


def within_area_of_use(crs: str | int | None, lon: Any, lat: Any,
                       margin_deg: float = 1.5) -> np.ndarray:
    """Which lon/lat points are finite and inside `crs`'s area of use widened by `margin_deg`.

    Catches data in the wrong CRS (swapped X/Y, a missing or extra Gauss–Krüger zone prefix);
    without a CRS or a known area only the lon/lat ranges are checked.
    """
    x = np.atleast_1d(np.asarray(lon, dtype=float))
    y = np.atleast_1d(np.asarray(lat, dtype=float))
    ok = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    area = None if crs is None else _crs(crs).area_of_use
    if area is None:
        return ok
    m = margin_deg
    ok &= (y >= area.south - m) & (y <= area.north + m)
    if area.west <= area.east:
        return ok & (x >= area.west - m) & (x <= area.east + m)
    return ok & ((x >= area.west - m) | (x <= area.east + m))


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS84 lon/lat (degrees, scalars or arrays) to GCJ-02; points outside China are unchanged."""
    x, y, scalar = _arrays(lon, lat)
    inside = _in_china(x, y)
    dlon, dlat = _gcj_delta(x, y)
    out_x = np.where(inside, x + dlon, x)
    out_y = np.where(inside, y + dlat, y)
    return _back(out_x, out_y, scalar)


def gcj02_to_wgs84(lon: Any, lat: Any, tol: float = 1e-9, max_iter: int = 30) -> tuple[Any, Any]:
    """GCJ-02 lon/lat to WGS84 by fixed-point iteration (residual < `tol` degrees).

    Points outside China are unchanged. Scalars in, scalars out; arrays in, arrays out.
    """
    gx, gy, scalar = _arrays(lon, lat)
    inside = _in_china(gx, gy)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(max_iter):
        dlon, dlat = _gcj_delta(wx, wy)
        ex = wx + dlon - gx
        ey = wy + dlat - gy
        wx = wx - ex
        wy = wy - ey
        if np.all(np.abs(ex[inside]) < tol) and np.all(np.abs(ey[inside]) < tol):
            break
    return _back(np.where(inside, wx, gx), np.where(inside, wy, gy), scalar)


def geodesic_length_m(coords: Sequence[tuple[float, float]]) -> float:
    """Length in metres of a lon/lat polyline on the WGS84 ellipsoid."""
    if len(coords) < 2:
        return 0.0
    lons, lats = zip(*coords, strict=True)
    return float(_GEOD.line_length(lons, lats))


def geodesic_area_m2(polygon: Sequence[tuple[float, float]]) -> float:
    """Area in square metres of a lon/lat ring (closed or not) on the WGS84 ellipsoid."""
    if len(polygon) < 3:
        return 0.0
    lons, lats = zip(*polygon, strict=True)
    area, _ = _GEOD.polygon_area_perimeter(lons, lats)
    return abs(float(area))


@lru_cache(maxsize=64)
def _crs_cached(text: str) -> CRS:
    match = _EPSG_RE.match(text)
    try:
        return CRS.from_epsg(int(match.group(1))) if match else CRS.from_user_input(text)
    except CRSError as exc:
        raise ValidationFailed(f"unknown coordinate reference system: {text[:80]!r}",
                               crs=text[:200]) from exc


def _crs(crs: str | int) -> CRS:
    if isinstance(crs, bool) or not isinstance(crs, str | int):
        raise ValidationFailed(f"unknown coordinate reference system: {crs!r}")
    text = str(crs).strip()
    if not text:
        raise ValidationFailed("empty coordinate reference system")
    return _crs_cached(text)


@lru_cache(maxsize=64)
def _transformer(src: str, dst: str) -> Transform:
    transformer = Transformer.from_crs(_crs(src), _crs(dst), always_xy=True)

    def transform(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
        out_x, out_y = transformer.transform(xs, ys, errcheck=False)
        return np.asarray(out_x, dtype=float), np.asarray(out_y, dtype=float)

    return transform


def _identity(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.array(x, dtype=float), np.array(y, dtype=float)


def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return np.atleast_1d(x).copy(), np.atleast_1d(y).copy(), x.ndim == 0 and y.ndim == 0


def _back(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    return (float(x[0]), float(y[0])) if scalar else (x, y)


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ((lon >= _CHINA_LON[0]) & (lon <= _CHINA_LON[1])
            & (lat >= _CHINA_LAT[0]) & (lat <= _CHINA_LAT[1]))


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat

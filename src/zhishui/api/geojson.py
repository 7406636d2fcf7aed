"""GeoJSON rendering of registry features (optionally in GCJ-02 for Chinese basemaps)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from zhishui.core.geo import wgs84_to_gcj02
from zhishui.network.query import Feature


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def geometry_json(geom: BaseGeometry | None, gcj02: bool = False) -> dict[str, Any] | None:
    if geom is None:
        return None
    if gcj02:
        geom = shapely.transform(geom, lambda xy: _gcj(xy))
    return mapping(geom)


def _gcj(xy: Any) -> Any:
    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    out = xy.copy()
    out[:, 0], out[:, 1] = lon, lat
    return out


def feature_json(feature: Feature, gcj02: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": geometry_json(feature.geometry, gcj02),
        "properties": {k: jsonable(v) for k, v in feature.properties.items()},
        **extra,
    }

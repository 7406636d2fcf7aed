"""Editing single registry objects: attribute changes, moves, deletion, with an audit trail."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, Integer, String, delete, select, update
from sqlalchemy.orm import Session

from zhishui.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhishui.network.layers import Layer
from zhishui.network.records import FeatureRecord
from zhishui.network.service import check_positions
from zhishui.org.geography import Locator
from zhishui.org.scope import Actor
from zhishui.org.service import audit

# What a data editor may change; codes, ids, topology and derived values are not editable here.
EDITABLE: dict[str, tuple[str, ...]] = {
    "links": (
        "name",
        "shape",
        "diameter",
        "height",
        "width",
        "material",
        "length",
        "up_invert",
        "down_invert",
        "roughness",
        "install_year",
        "condition_grade",
        "owner_department",
        "status",
    ),
    "nodes": ("name", "ground_elev", "invert_elev", "max_depth", "status"),
    "components": ("name", "owner_department", "status"),
    "outfalls": (
        "name",
        "outfall_type",
        "subtype",
        "river",
        "responsible_party",
        "contact",
        "discharge_limits",
    ),
    "stations": ("name", "kind", "river", "target_class"),
    "pollution_sources": ("name", "kind", "address", "permit_no"),
}
MOVABLE = ("components", "outfalls", "stations", "pollution_sources")
STATUSES = (
    "in_service",
    "abandoned",
    "planned",
    "under_construction",
    "normal",
    "damaged",
    "missing",
    "removed",
)


def _coerce(layer: Layer, name: str, value: Any) -> Any:
    col = layer.table.c[name]
    if value is None:
        return None
    try:
        if isinstance(col.type, Integer):
            if isinstance(value, bool) or float(value) != int(float(value)):
                raise ValueError
            return int(float(value))
        if isinstance(col.type, Float):
            return float(value)
        if isinstance(col.type, String):
            text = str(value).strip()
            if len(text) > (col.type.length or 10_000):
                raise ValidationFailed(
                    f"{name}: longer than {col.type.length} characters", field=name
                )
            return text
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name}: {value!r} is not a valid value", field=name) from None
    return value


def _load(session: Session, layer: Layer, feature_id: int, actor: Actor) -> dict[str, Any]:
    table = layer.table
    row = session.execute(select(table).where(table.c.id == feature_id)).mappings().first()
    if row is None or not actor.covers(row.get(layer.division_column or "", "")):
        raise NotFound(f"{layer.id} {feature_id} does not exist or is outside your area")
    return dict(row)


def update_feature(
    session: Session,
    layer: Layer,
    feature_id: int,
    changes: dict[str, Any],
    actor: Actor,
    geometry: BaseGeometry | None = None,
) -> dict[str, Any]:
    """Change attributes (and, for point objects, the position); returns the changed values."""
    actor.require("admin", "operator")
    if layer.id not in EDITABLE:
        raise PermissionDenied(f"{layer.id} cannot be edited here")
    before = _load(session, layer, feature_id, actor)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE[layer.id]:
            raise ValidationFailed(f"{name} cannot be changed on {layer.id}", field=name)
        values[name] = _coerce(layer, name, value)
    if values.get("status") is not None and values["status"] not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}", field="status")
    if layer.id == "links" and {"up_invert", "down_invert", "length"} & values.keys():
        up = values.get("up_invert", before["up_invert"])
        down = values.get("down_invert", before["down_invert"])
        length = values.get("length", before["length"])
        values["slope"] = (up - down) / length if None not in (up, down) and length else None
    if geometry is not None:
        values.update(_moved(session, layer, geometry, actor))
    if not values:
        return {}
    session.execute(update(layer.table).where(layer.table.c.id == feature_id).values(values))
    shown = {k: v for k, v in values.items() if k != "geom"}
    audit(
        session,
        actor,
        "feature_updated",
        f"{layer.id}/{feature_id}",
        changes={k: [_plain(before.get(k)), _plain(v)] for k, v in shown.items()},
        moved=geometry is not None,
    )
    return shown


def _moved(session: Session, layer: Layer, geometry: BaseGeometry, actor: Actor) -> dict[str, Any]:
    if layer.id not in MOVABLE:
        raise ValidationFailed(
            f"{layer.id} cannot be moved here; re-import the network", field="geometry"
        )
    if geometry.geom_type != "Point" or geometry.is_empty:
        raise ValidationFailed("the position must be a GeoJSON Point", field="geometry")
    lon, lat = np.array([geometry.x]), np.array([geometry.y])
    probe = FeatureRecord("position", "", geometry.x, geometry.y)
    check_positions([probe], lon, lat, np.array([True]), None, "request")
    locator = Locator.load(session)
    division = locator.divisions(lon, lat, actor.division_prefix)[0]
    actor.require_covers(division)
    values: dict[str, Any] = {
        "geom": shapely.Point(geometry.x, geometry.y),
        "division_code": division,
    }
    if layer.id == "components":
        values["grid_code"] = locator.grids(lon, lat)[0]
    return values


def delete_feature(session: Session, layer: Layer, feature_id: int, actor: Actor) -> None:
    actor.require("admin")
    if layer.id not in EDITABLE:
        raise PermissionDenied(f"{layer.id} cannot be deleted here")
    before = _load(session, layer, feature_id, actor)
    session.execute(delete(layer.table).where(layer.table.c.id == feature_id))
    code = before.get(layer.code_column)
    audit(session, actor, "feature_deleted", f"{layer.id}/{feature_id}", code=code)


def _plain(value: Any) -> Any:
    return (
        value
        if isinstance(value, str | int | float | bool | dict | list | type(None))
        else str(value)
    )

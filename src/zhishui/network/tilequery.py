"""Selecting what goes into a vector tile: scope, zoom-dependent thinning, styling attributes."""

from __future__ import annotations

from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from zhishui.db.spatial import BBox, bbox_clause
from zhishui.network.layers import Layer
from zhishui.network.models import Link, Network, Node
from zhishui.org.scope import Actor, scope_clause

MAX_FEATURES = 60_000
STYLE_COLUMNS = {
    "links": ("external_id", "kind", "diameter", "material", "status", "network_id"),
    "nodes": ("external_id", "kind", "status", "network_id"),
    "subcatchments": ("external_id", "outlet", "imperv_pct"),
    "components": ("code", "class_code", "status"),
    "outfalls": ("code", "name", "outfall_type"),
    "stations": ("code", "name", "kind"),
    "pollution_sources": ("code", "name", "kind"),
    "divisions": ("code", "name", "level"),
    "grids": ("code", "name"),
}


def min_diameter(zoom: int) -> float:
    """Pipes thinner than this (m) are left out of a tile at this zoom."""
    if zoom >= 14:
        return 0.0
    if zoom >= 13:
        return 0.3
    if zoom >= 12:
        return 0.5
    if zoom >= 10:
        return 0.8
    return 1.2


def tile_rows(
    session: Session, layer: Layer, actor: Actor, bbox: BBox, zoom: int
) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    table = layer.table
    names = STYLE_COLUMNS[layer.id]
    cols = [table.c.id, table.c.geom, *(table.c[c] for c in names)]
    conds = [bbox_clause(table, bbox, session.get_bind().dialect.name)]
    if layer.division_column:
        conds.append(scope_clause(table.c[layer.division_column], actor))
    stmt = select(*cols)
    if layer.id in ("links", "nodes"):
        model = Link if layer.id == "links" else Node
        stmt = select(*cols, Network.kind.label("network_kind")).join(
            Network, Network.id == model.network_id
        )
        if layer.id == "links" and zoom < 14:
            conds.append(Link.diameter >= min_diameter(zoom))
        if layer.id == "nodes" and zoom < 16:
            conds.append(Node.kind.not_in(("manhole", "junction", "inlet")))
    stmt = stmt.where(and_(*conds)).limit(MAX_FEATURES)
    out = []
    for row in session.execute(stmt):
        props = {"id": row[0], **{n: v for n, v in zip(names, row[2:], strict=False)}}
        if layer.id in ("links", "nodes"):
            props["network_kind"] = row[-1]
        if row[1] is not None:
            out.append((row[1], props))
    return out

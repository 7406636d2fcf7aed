"""Reading registry layers: bbox and property filters, paging, single features and search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, Integer, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from zhishui.core.errors import NotFound, ValidationFailed
from zhishui.db.spatial import BBox, bbox_clause
from zhishui.network.layers import LAYERS, Layer
from zhishui.org.scope import Actor, scope_clause


@dataclass
class Feature:
    layer: str
    id: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None


def _conditions(
    session: Session, layer: Layer, actor: Actor, bbox: BBox | None, filters: dict[str, str]
) -> list[ColumnElement[bool]]:
    table = layer.table
    conds: list[ColumnElement[bool]] = []
    if layer.division_column:
        conds.append(scope_clause(table.c[layer.division_column], actor))
    if bbox is not None:
        conds.append(bbox_clause(table, bbox, session.get_bind().dialect.name))
    for name, raw in filters.items():
        if name not in layer.properties or name == "discharge_limits":
            raise ValidationFailed(f"unknown property {name!r} for {layer.id}", field=name)
        col = table.c[name]
        conds.append(col == _coerce(col.type, raw, name))
    return conds


def _coerce(col_type: object, raw: str, name: str) -> object:
    try:
        if isinstance(col_type, Integer):
            return int(raw)
        if isinstance(col_type, Float):
            return float(raw)
    except ValueError:
        raise ValidationFailed(f"{name}: {raw!r} is not a number", field=name) from None
    return raw


def _columns(layer: Layer) -> list[Any]:
    """id, geometry, then the layer's properties: the row shape `_feature` reads."""
    table = layer.table
    return [table.c.id, table.c.geom, *(table.c[p] for p in layer.properties)]


def _feature(layer: Layer, row: Any) -> Feature:
    props = dict(zip(layer.properties, row[2 : 2 + len(layer.properties)], strict=True))
    return Feature(layer.id, row[0], props, row[1])


def query_features(
    session: Session,
    layer: Layer,
    actor: Actor,
    bbox: BBox | None = None,
    filters: dict[str, str] | None = None,
    limit: int = 100,
    offset: int = 0,
    count: bool = True,
) -> tuple[list[Feature], int | None]:
    table = layer.table
    conds = _conditions(session, layer, actor, bbox, filters or {})
    stmt = (
        select(*_columns(layer))
        .where(and_(*conds))
        .order_by(table.c.id)
        .limit(limit)
        .offset(offset)
    )
    features = [_feature(layer, row) for row in session.execute(stmt)]
    matched = None
    if count:
        matched = session.scalar(select(func.count()).select_from(table).where(and_(*conds)))
    return features, matched


def get_feature(session: Session, layer: Layer, feature_id: int, actor: Actor) -> Feature:
    table = layer.table
    cols = _columns(layer)
    if "attrs" in table.c:
        cols.append(table.c.attrs)
    row = session.execute(select(*cols).where(table.c.id == feature_id)).first()
    feature = _feature(layer, row) if row is not None else None
    if feature is None or (
        layer.division_column is not None
        and not actor.covers(feature.properties.get(layer.division_column))
    ):
        raise NotFound(f"{layer.id} {feature_id} does not exist or is outside your area")
    if "attrs" in table.c and row[-1]:
        feature.properties["attrs"] = row[-1]
    return feature


def search(session: Session, actor: Actor, text: str, limit: int = 20) -> list[Feature]:
    """Features whose code starts with, or whose name contains, `text`, over every layer."""
    text = text.strip()
    if not text:
        return []
    results: list[Feature] = []
    for layer in LAYERS.values():
        table = layer.table
        code = table.c[layer.code_column]
        match = [code.startswith(text, autoescape=True)]
        if "name" in table.c:
            match.append(table.c.name.contains(text, autoescape=True))
        conds = [or_(*match)]
        if layer.division_column:
            conds.append(scope_clause(table.c[layer.division_column], actor))
        stmt = select(*_columns(layer)).where(and_(*conds)).limit(limit - len(results))
        results.extend(_feature(layer, row) for row in session.execute(stmt))
        if len(results) >= limit:
            break
    return results


def related(session: Session, layer: Layer, feature_id: int, actor: Actor) -> list[dict[str, Any]]:
    """Objects linked to a feature, for its panel: pipe ends, connected pipes, sources, stations."""
    from zhishui.network.models import Link, Node, PollutionSource, RiverOutfall, Station

    out: list[dict[str, Any]] = []

    def add(target: str, rows: Any, rel: str) -> None:
        for row_id, code, name in rows:
            out.append({"rel": rel, "layer": target, "id": row_id, "code": code, "name": name})

    if layer.id == "links":
        link = session.get(Link, feature_id)
        if link is not None:
            for rel, node_id in (("from_node", link.from_node_id), ("to_node", link.to_node_id)):
                if node_id is not None:
                    add(
                        "nodes",
                        session.execute(
                            select(Node.id, Node.external_id, Node.name).where(Node.id == node_id)
                        ),
                        rel,
                    )
    if layer.id == "nodes":
        q = select(Link.id, Link.external_id, Link.name)
        add("links", session.execute(q.where(Link.to_node_id == feature_id)), "inflow")
        add("links", session.execute(q.where(Link.from_node_id == feature_id)), "outflow")
        for target, model in (
            ("outfalls", RiverOutfall),
            ("stations", Station),
            ("pollution_sources", PollutionSource),
        ):
            add(
                target,
                session.execute(
                    select(model.id, model.code, model.name).where(model.node_id == feature_id)
                ),
                "at_node",
            )
    if layer.id in ("outfalls", "stations", "pollution_sources"):
        model = layer.model
        node_id = session.scalar(select(model.node_id).where(model.id == feature_id))  # type: ignore[attr-defined]
        if node_id is not None:
            add(
                "nodes",
                session.execute(
                    select(Node.id, Node.external_id, Node.name).where(Node.id == node_id)
                ),
                "discharges_into",
            )
    if layer.id == "outfalls":
        add(
            "stations",
            session.execute(
                select(Station.id, Station.code, Station.name).where(
                    Station.outfall_id == feature_id
                )
            ),
            "monitored_by",
        )
    return out

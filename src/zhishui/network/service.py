"""Loading networks into the registry: transform, validate, upsert by external id. Never commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from zhishui.core.errors import InputRejected, NotFound, Problem, ValidationFailed
from zhishui.core.geo import geodesic_length_m, to_storage, within_area_of_use
from zhishui.db import bulk
from zhishui.db.extent import extent_where
from zhishui.network.models import (
    LINK_KINDS,
    NETWORK_KINDS,
    NODE_KINDS,
    Link,
    Network,
    Node,
    Subcatchment,
)
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord
from zhishui.org.geography import Locator
from zhishui.org.scope import Actor, scope_clause


@dataclass
class ImportSummary:
    network: str
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"network": self.network, "inserted": self.inserted, "updated": self.updated}


def get_network(session: Session, name: str, actor: Actor | None = None) -> Network:
    network = session.scalar(select(Network).where(Network.name == name))
    if network is None or (actor is not None and not actor.covers(network.division_code)):
        raise NotFound(f"network {name!r} does not exist")
    return network


def network_summaries(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Networks that reach into the actor's area, with the size and extent of the part inside it."""
    out = []
    for n in session.scalars(select(Network).order_by(Network.name)):
        if not (actor.covers(n.division_code) or actor.division_prefix.startswith(n.division_code)):
            continue
        in_scope = scope_clause(Node.division_code, actor)
        nodes = session.scalar(select(func.count()).where(Node.network_id == n.id, in_scope))
        links, metres = session.execute(
            select(func.count(), func.coalesce(func.sum(Link.length), 0)).where(
                Link.network_id == n.id, scope_clause(Link.division_code, actor)
            )
        ).one()
        out.append(
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind,
                "division_code": n.division_code,
                "source_crs": n.source_crs,
                "source_file": n.source_file,
                "nodes": nodes,
                "links": links,
                "length_km": round(float(metres) / 1000, 3),
                "whole": actor.covers(n.division_code),
                "bbox": _network_bbox(session, n.id, actor),
            }
        )
    return out


def _network_bbox(session: Session, network_id: int, actor: Actor) -> list[float] | None:
    where = and_(Node.network_id == network_id, scope_clause(Node.division_code, actor))
    box = extent_where(session, Node.__table__, where)
    return list(box) if box else None


def ensure_network(
    session: Session, name: str, kind: str | None, division_code: str, actor: Actor
) -> Network:
    network = session.scalar(select(Network).where(Network.name == name))
    if network is not None:
        actor.require_covers(network.division_code)
        if kind and kind != network.kind:
            raise ValidationFailed(
                f"network {name!r} is a {network.kind} network, not {kind}", field="kind"
            )
        return network
    if kind not in NETWORK_KINDS:
        raise ValidationFailed(
            f"a new network needs --kind, one of {', '.join(NETWORK_KINDS)}", field="kind"
        )
    actor.require_covers(division_code)
    network = Network(name=name, kind=kind, division_code=division_code)
    session.add(network)
    session.flush()
    return network


def import_network(
    session: Session,
    model: NetworkModel,
    name: str,
    kind: str | None,
    actor: Actor,
    division_code: str | None = None,
    locator: Locator | None = None,
) -> ImportSummary:
    """Validate and upsert a network model; on any problem nothing is written."""
    actor.require("admin", "operator")
    source = model.source or name
    _validate(model, source)
    network = ensure_network(session, name, kind, division_code or actor.division_prefix, actor)
    network.source_crs = model.crs
    network.source_file = model.source
    if model.options:
        network.options = model.options
    transform = to_storage(model.crs)
    locator = locator or Locator.load(session)
    summary = ImportSummary(name)
    lonlat, node_ids = _load_nodes(session, network, model.nodes, transform, locator, summary)
    _load_links(session, network, model.links, lonlat, node_ids, transform, locator, summary)
    _load_subcatchments(session, network, model, transform, locator, summary)
    session.flush()
    return summary


def _validate(model: NetworkModel, source: str) -> None:
    problems: list[Problem] = []
    node_ids: set[str] = set()
    for n in model.nodes:
        if n.kind not in NODE_KINDS:
            problems.append(Problem(f"unknown node kind {n.kind!r}", source, n.line, "kind"))
        if n.external_id in node_ids:
            problems.append(Problem(f"duplicate node id {n.external_id!r}", source, n.line, "id"))
        node_ids.add(n.external_id)
    link_ids: set[str] = set()
    for lk in model.links:
        if lk.kind not in LINK_KINDS:
            problems.append(Problem(f"unknown link kind {lk.kind!r}", source, lk.line, "kind"))
        if lk.external_id in link_ids:
            problems.append(Problem(f"duplicate link id {lk.external_id!r}", source, lk.line, "id"))
        link_ids.add(lk.external_id)
        for fld, ref in (("from_node", lk.from_node), ("to_node", lk.to_node)):
            if ref not in node_ids:
                problems.append(
                    Problem(
                        f"link {lk.external_id} refers to missing node {ref!r}",
                        source,
                        lk.line,
                        fld,
                    )
                )
        if lk.length is not None and lk.length < 0:
            problems.append(Problem("length is negative", source, lk.line, "length"))
        if lk.diameter is not None and lk.diameter < 0:
            problems.append(Problem("diameter is negative", source, lk.line, "diameter"))
    if problems:
        raise InputRejected(problems=problems[:200])


def _existing(
    session: Session, model: type[Node] | type[Link] | type[Subcatchment], network_id: int
) -> dict[str, int]:
    rows = session.execute(
        select(model.external_id, model.id).where(model.network_id == network_id)
    )
    return dict(rows.all())


def _upsert(
    session: Session,
    model: type,
    network_id: int,
    rows: list[dict[str, Any]],
    summary: ImportSummary,
    label: str,
) -> dict[str, int]:
    existing = _existing(session, model, network_id)
    ids = [existing.get(r["external_id"]) for r in rows]
    columns = {key: [r[key] for r in rows] for key in rows[0]} if rows else {}
    done = bulk.upsert(session, model.__table__, columns, ids)  # type: ignore[attr-defined]
    summary.inserted[label] = done.inserted
    summary.updated[label] = done.updated
    return _existing(session, model, network_id) if done.inserted else existing


def _xy(records: list, transform: Any) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([np.nan if r.x is None else r.x for r in records], dtype=float)
    ys = np.array([np.nan if r.y is None else r.y for r in records], dtype=float)
    return transform(xs, ys) if len(xs) else (xs, ys)


def _load_nodes(
    session: Session,
    network: Network,
    nodes: list[NodeRecord],
    transform: Any,
    locator: Locator,
    summary: ImportSummary,
) -> tuple[dict[str, tuple[float, float]], dict[str, int]]:
    lon, lat = _xy(nodes, transform)
    has = ~(np.isnan(lon) | np.isnan(lat))
    check_positions(nodes, lon, lat, has, network.source_crs, network.source_file or "")
    divisions = locator.divisions(lon, lat, network.division_code)
    geoms = shapely.points(lon, lat)
    rows = []
    lonlat: dict[str, tuple[float, float]] = {}
    for i, n in enumerate(nodes):
        if has[i]:
            lonlat[n.external_id] = (float(lon[i]), float(lat[i]))
        rows.append(
            {
                "network_id": network.id,
                "external_id": n.external_id,
                "kind": n.kind,
                "name": n.name,
                "division_code": divisions[i],
                "ground_elev": n.ground_elev,
                "invert_elev": n.invert_elev,
                "max_depth": n.max_depth,
                "attrs": n.attrs or None,
                "geom": geoms[i] if has[i] else None,
            }
        )
    return lonlat, _upsert(session, Node, network.id, rows, summary, "nodes")


def check_positions(records: list, lon: np.ndarray, lat: np.ndarray, has: np.ndarray,
                    crs: str | None, source: str) -> None:
    """Reject coordinates that cannot be in the given CRS (or are not lon/lat without one)."""
    bad = has & ~within_area_of_use(crs, lon, lat)
    if not bad.any():
        return
    hint = f"outside the area of {crs}" if crs else "not lon/lat and no CRS was given"
    problems = [
        Problem(f"coordinates ({records[i].x}, {records[i].y}) are {hint}; "
                "give the file's CRS, e.g. --crs EPSG:4549", source, records[i].line, "x/y")
        for i in np.flatnonzero(bad)[:20]
    ]
    raise InputRejected(problems=problems)


def _load_links(
    session: Session,
    network: Network,
    links: list[LinkRecord],
    lonlat: dict[str, tuple[float, float]],
    node_ids: dict[str, int],
    transform: Any,
    locator: Locator,
    summary: ImportSummary,
) -> None:
    geoms: list[shapely.LineString | None] = []
    for lk in links:
        start, end = lonlat.get(lk.from_node), lonlat.get(lk.to_node)
        if start is None or end is None:
            geoms.append(None)
            continue
        middle: list[tuple[float, float]] = []
        if lk.vertices:
            vx, vy = transform(
                np.array([v[0] for v in lk.vertices], dtype=float),
                np.array([v[1] for v in lk.vertices], dtype=float),
            )
            middle = list(zip(vx.tolist(), vy.tolist(), strict=True))
        geoms.append(shapely.LineString([start, *middle, end]))
    mids = [g.interpolate(0.5, normalized=True) if g is not None else None for g in geoms]
    mx = np.array([m.x if m is not None else np.nan for m in mids])
    my = np.array([m.y if m is not None else np.nan for m in mids])
    divisions = locator.divisions(mx, my, network.division_code)
    rows = []
    for i, lk in enumerate(links):
        geom = geoms[i]
        length = lk.length
        if length is None and geom is not None:
            length = geodesic_length_m(list(geom.coords))
        slope = None
        if lk.up_invert is not None and lk.down_invert is not None and length:
            slope = (lk.up_invert - lk.down_invert) / length
        rows.append(
            {
                "network_id": network.id,
                "external_id": lk.external_id,
                "kind": lk.kind,
                "name": lk.name,
                "division_code": divisions[i],
                "from_node_id": node_ids.get(lk.from_node),
                "to_node_id": node_ids.get(lk.to_node),
                "shape": lk.shape,
                "diameter": lk.diameter,
                "height": lk.height,
                "width": lk.width,
                "material": lk.material,
                "length": length,
                "up_invert": lk.up_invert,
                "down_invert": lk.down_invert,
                "slope": slope,
                "roughness": lk.roughness,
                "install_year": lk.install_year,
                "condition_grade": lk.condition_grade,
                "owner_department": lk.owner_department,
                "status": lk.status,
                "attrs": lk.attrs or None,
                "geom": geom,
            }
        )
    _upsert(session, Link, network.id, rows, summary, "links")


def _load_subcatchments(
    session: Session,
    network: Network,
    model: NetworkModel,
    transform: Any,
    locator: Locator,
    summary: ImportSummary,
) -> None:
    if not model.subcatchments:
        return
    rows = []
    for sc in model.subcatchments:
        geom = None
        if len(sc.polygon) >= 3:
            px, py = transform(
                np.array([p[0] for p in sc.polygon], dtype=float),
                np.array([p[1] for p in sc.polygon], dtype=float),
            )
            geom = shapely.Polygon(list(zip(px.tolist(), py.tolist(), strict=True)))
        rows.append(
            {
                "network_id": network.id,
                "external_id": sc.external_id,
                "outlet": sc.outlet,
                "raingage": sc.raingage,
                "area_ha": sc.area_ha,
                "imperv_pct": sc.imperv_pct,
                "width_m": sc.width_m,
                "slope_pct": sc.slope_pct,
                "attrs": sc.attrs or None,
                "geom": geom,
                "division_code": network.division_code,
            }
        )
    cx = np.array([r["geom"].centroid.x if r["geom"] is not None else np.nan for r in rows])
    cy = np.array([r["geom"].centroid.y if r["geom"] is not None else np.nan for r in rows])
    for row, code in zip(rows, locator.divisions(cx, cy, network.division_code), strict=True):
        row["division_code"] = code
    _upsert(session, Subcatchment, network.id, rows, summary, "subcatchments")

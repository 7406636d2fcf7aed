"""Reading a registered network back into records for the file writers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from zhishui.core.errors import ValidationFailed
from zhishui.core.geo import from_storage
from zhishui.network.models import Link, Node, Subcatchment
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord, SubcatchmentRecord
from zhishui.network.service import get_network
from zhishui.org.scope import Actor

FORMATS = ("geojson", "gpkg", "shp", "swmm", "epanet")


def load_model(session: Session, name: str, actor: Actor, crs: str | None = None) -> NetworkModel:
    """The network as records, coordinates in `crs` (default: the CRS it was imported from)."""
    network = get_network(session, name, actor)
    target = crs or network.source_crs or "EPSG:4326"
    back = from_storage(target)
    fmt = "epanet" if network.kind == "supply" else "swmm"
    model = NetworkModel(
        format=fmt, crs=target, source=network.name, options=dict(network.options or {})
    )
    nodes = session.scalars(
        select(Node).where(Node.network_id == network.id).order_by(Node.id)
    ).all()
    xs = np.array([n.geom.x if n.geom is not None else np.nan for n in nodes])
    ys = np.array([n.geom.y if n.geom is not None else np.nan for n in nodes])
    px, py = back(xs, ys) if len(nodes) else (xs, ys)
    for i, n in enumerate(nodes):
        has = not np.isnan(px[i])
        model.nodes.append(
            NodeRecord(
                n.external_id,
                n.kind,
                float(px[i]) if has else None,
                float(py[i]) if has else None,
                n.name,
                n.ground_elev,
                n.invert_elev,
                n.max_depth,
                dict(n.attrs or {}),
            )
        )
    up, down = aliased(Node), aliased(Node)
    rows = session.execute(
        select(Link, up.external_id, down.external_id)
        .join(up, up.id == Link.from_node_id, isouter=True)
        .join(down, down.id == Link.to_node_id, isouter=True)
        .where(Link.network_id == network.id)
        .order_by(Link.id)
    ).all()
    for link, a, b in rows:
        vertices: list[tuple[float, float]] = []
        if link.geom is not None and len(link.geom.coords) > 2:
            inner = np.array(link.geom.coords[1:-1])
            vx, vy = back(inner[:, 0], inner[:, 1])
            vertices = list(zip(vx.tolist(), vy.tolist(), strict=True))
        model.links.append(
            LinkRecord(
                link.external_id,
                link.kind,
                a or "",
                b or "",
                vertices,
                link.name,
                link.shape,
                link.diameter,
                link.height,
                link.width,
                link.material,
                link.length,
                link.up_invert,
                link.down_invert,
                link.roughness,
                link.install_year,
                link.condition_grade,
                link.owner_department,
                link.status,
                dict(link.attrs or {}),
            )
        )
    for sc in session.scalars(
        select(Subcatchment).where(Subcatchment.network_id == network.id).order_by(Subcatchment.id)
    ):
        polygon: list[tuple[float, float]] = []
        if sc.geom is not None:
            ring = np.array(sc.geom.exterior.coords)
            qx, qy = back(ring[:, 0], ring[:, 1])
            polygon = list(zip(qx.tolist(), qy.tolist(), strict=True))
        model.subcatchments.append(
            SubcatchmentRecord(
                sc.external_id,
                sc.outlet,
                sc.raingage,
                sc.area_ha,
                sc.imperv_pct,
                sc.width_m,
                sc.slope_pct,
                polygon,
                dict(sc.attrs or {}),
            )
        )
    return model


def export_network(
    session: Session, name: str, fmt: str, path: Path, actor: Actor, crs: str | None = None
) -> NetworkModel:
    if fmt not in FORMATS:
        raise ValidationFailed(f"format must be one of {', '.join(FORMATS)}", field="format")
    model = load_model(session, name, actor, crs)
    if fmt == "swmm":
        from zhishui.network.io.swmm import write_inp

        write_inp(model, path)
    elif fmt == "epanet":
        from zhishui.network.io.epanet import write_inp as write_epanet

        write_epanet(model, path)
    else:
        from zhishui.network.io.gdal import write_network

        driver = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile"}[fmt]
        write_network(model, path, driver=driver)
    return model

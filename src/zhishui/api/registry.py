"""REST endpoints over the registry: layers, features, search, networks, checks and imports."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import BaseModel, Field
from shapely.geometry import shape
from sqlalchemy import select

from zhishui.api.deps import Ctx, CurrentActor, DbSession
from zhishui.api.geojson import feature_json, geometry_json
from zhishui.core.errors import InputRejected, Problem, ValidationFailed
from zhishui.db.spatial import BBox
from zhishui.network import checking, editing
from zhishui.network.importing import import_file
from zhishui.network.layers import LAYERS, get_layer
from zhishui.network.models import ImportRun
from zhishui.network.query import get_feature, query_features, related, search
from zhishui.network.service import network_summaries

router = APIRouter(prefix="/api/v1", tags=["registry"])


def parse_bbox(text: str | None) -> BBox | None:
    if not text:
        return None
    try:
        parts = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValidationFailed(
            "bbox must be four numbers: minlon,minlat,maxlon,maxlat", field="bbox"
        ) from None
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise ValidationFailed(
            "bbox must be minlon,minlat,maxlon,maxlat with min ≤ max", field="bbox"
        )
    return parts[0], parts[1], parts[2], parts[3]


@router.get("/config", summary="Map and layer configuration for the web client")
def config(ctx: Ctx, actor: CurrentActor) -> dict[str, Any]:
    s = ctx.settings
    return {
        "map": {
            "center": list(s.map_center),
            "zoom": s.map_zoom,
            "basemap_url": s.basemap_url,
            "basemap_attribution": s.basemap_attribution,
        },
        "locale": s.default_locale,
        "layers": [
            {
                "id": layer.id,
                "title_zh": layer.title_zh,
                "title_en": layer.title_en,
                "geometry": layer.geometry,
                "min_zoom": layer.min_zoom,
                "tiles": f"/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.pbf",
            }
            for layer in LAYERS.values()
        ],
    }


@router.get("/layers/{layer_id}/features", summary="Features of a layer as GeoJSON")
def layer_features(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    layer_id: str,
    bbox: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    crs: str = "wgs84",
) -> dict[str, Any]:
    layer = get_layer(layer_id)
    reserved = {"bbox", "limit", "offset", "crs"}
    filters = {k: v for k, v in request.query_params.items() if k not in reserved}
    features, matched = query_features(
        session, layer, actor, parse_bbox(bbox), filters, limit, offset
    )
    gcj = crs.lower() == "gcj02"
    return {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": [feature_json(f, gcj) for f in features],
    }


@router.get("/layers/{layer_id}/features/{feature_id}", summary="One feature with its links")
def layer_feature(
    session: DbSession, actor: CurrentActor, layer_id: str, feature_id: int, crs: str = "wgs84"
) -> dict[str, Any]:
    layer = get_layer(layer_id)
    feature = get_feature(session, layer, feature_id, actor)
    return feature_json(
        feature,
        crs.lower() == "gcj02",
        layer=layer.id,
        related=related(session, layer, feature_id, actor),
    )


class FeatureChange(BaseModel):
    properties: dict[str, Any] = Field(default_factory=dict)
    geometry: dict[str, Any] | None = None


@router.patch("/layers/{layer_id}/features/{feature_id}", summary="Change a feature")
def change_feature(
    session: DbSession, actor: CurrentActor, layer_id: str, feature_id: int, body: FeatureChange
) -> dict[str, Any]:
    geometry = None
    if body.geometry is not None:
        try:
            geometry = shape(body.geometry)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValidationFailed("geometry is not valid GeoJSON", field="geometry") from None
    layer = get_layer(layer_id)
    changed = editing.update_feature(session, layer, feature_id, body.properties, actor, geometry)
    return {"id": feature_id, "changed": changed}


@router.delete(
    "/layers/{layer_id}/features/{feature_id}", status_code=204, summary="Delete a feature (admin)"
)
def remove_feature(session: DbSession, actor: CurrentActor, layer_id: str, feature_id: int) -> None:
    editing.delete_feature(session, get_layer(layer_id), feature_id, actor)


@router.get("/search", summary="Find features by code or name")
def find(
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[str, Query(min_length=1)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[dict[str, Any]]:
    out = []
    for f in search(session, actor, q, limit):
        layer = LAYERS[f.layer]
        code = f.properties.get(layer.code_column)
        out.append(
            {
                "layer": f.layer,
                "id": f.id,
                "code": code,
                "name": f.properties.get("name"),
                "kind": f.properties.get("kind")
                or f.properties.get("class_code")
                or f.properties.get("outfall_type"),
                "bbox": list(f.geometry.bounds) if f.geometry is not None else None,
            }
        )
    return out


@router.get("/networks", summary="Networks with their size in your area")
def networks(session: DbSession, actor: CurrentActor) -> list[dict[str, Any]]:
    return network_summaries(session, actor)


@router.get("/networks/{name}/check", summary="Network check findings")
def check(session: DbSession, actor: CurrentActor, name: str, lang: str = "zh") -> dict[str, Any]:
    findings = checking.check_registered(session, name, actor)
    return {
        "network": name,
        "summary": checking.summarize(findings),
        "findings": [checking.finding_json(f, lang) for f in findings],
    }


@router.post("/imports", summary="Import a file (all or nothing)")
def upload(
    ctx: Ctx,
    session: DbSession,
    actor: CurrentActor,
    file: Annotated[UploadFile, File()],
    target: Annotated[str, Form()] = "network",
    network: Annotated[str | None, Form()] = None,
    kind: Annotated[str | None, Form()] = None,
    crs: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    name = Path(file.filename or "upload").name
    limit = ctx.settings.upload_max_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="zhishui-import-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, length=1024 * 1024)
        if path.stat().st_size > limit:
            raise InputRejected(
                problems=[Problem(f"file is larger than {ctx.settings.upload_max_mb} MB", name)]
            )
        try:
            result = import_file(
                session, path, actor, target, network or None, kind or None, crs or None
            )
        except InputRejected as exc:
            session.rollback()
            _record(ctx, actor.user_id, name, target, network, "rejected", None, exc.problems)
            raise
    session.add(
        ImportRun(
            user_id=actor.user_id,
            filename=name,
            target=network or target,
            status="done",
            counts=result,
            problems=None,
        )
    )
    return {"status": "done", "file": name, **result}


def _record(
    ctx: Ctx,
    user_id: int | None,
    name: str,
    target: str,
    network: str | None,
    status: str,
    counts: dict[str, Any] | None,
    problems: list[Problem],
) -> None:
    """Keep the failed run in its own transaction: the import itself was rolled back."""
    with ctx.unit_of_work() as s:
        s.add(
            ImportRun(
                user_id=user_id,
                filename=name,
                target=network or target,
                status=status,
                counts=counts,
                problems=[
                    {"message": p.message, "file": p.file, "line": p.line, "field": p.field}
                    for p in problems[:200]
                ],
            )
        )


@router.get("/imports", summary="Recent imports with their outcome")
def imports(
    session: DbSession, actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[dict[str, Any]]:
    actor.require("admin", "operator")
    q = select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)
    if not actor.is_admin:
        q = q.where(ImportRun.user_id == actor.user_id)
    return [
        {
            "id": r.id,
            "started_at": r.started_at.isoformat(),
            "file": r.filename,
            "target": r.target,
            "status": r.status,
            "counts": r.counts,
            "problems": r.problems,
        }
        for r in session.scalars(q)
    ]


__all__ = ["geometry_json", "router"]

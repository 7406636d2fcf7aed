"""OGC API – Features (Part 1: Core, GeoJSON) over every registry layer, for QGIS and GDAL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from zhishui.api.deps import CurrentActor, DbSession
from zhishui.api.geojson import feature_json
from zhishui.api.registry import parse_bbox
from zhishui.db.spatial import extent
from zhishui.network.layers import LAYERS, Layer, get_layer
from zhishui.network.query import get_feature, query_features

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])
GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
RESERVED = {"bbox", "limit", "offset", "f", "datetime", "bbox-crs", "crs"}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _json(body: dict[str, Any], media: str = "application/json") -> JSONResponse:
    return JSONResponse(body, media_type=media)


@router.get("", summary="Landing page")
def landing(request: Request, actor: CurrentActor) -> JSONResponse:
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    return _json(
        {
            "title": "zhishui 智水 — OGC API Features",
            "description": "The registry of networks, components, outfalls, stations and sources.",
            "links": [
                {"href": base, "rel": "self", "type": "application/json", "title": "this document"},
                {
                    "href": f"{root}/api/openapi.json",
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "title": "the API definition",
                },
                {
                    "href": f"{root}/api/docs",
                    "rel": "service-doc",
                    "type": "text/html",
                    "title": "the API documentation",
                },
                {
                    "href": f"{base}/conformance",
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "conformance classes",
                },
                {
                    "href": f"{base}/collections",
                    "rel": "data",
                    "type": "application/json",
                    "title": "collections",
                },
            ],
        }
    )


@router.get("/conformance", summary="Conformance classes")
def conformance(actor: CurrentActor) -> JSONResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection(request: Request, session: DbSession, layer: Layer) -> dict[str, Any]:
    base = _base(request)
    bbox = extent(session.connection(), layer.table.name)
    body: dict[str, Any] = {
        "id": layer.id,
        "title": layer.title_zh,
        "description": layer.title_en,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            {"href": f"{base}/collections/{layer.id}", "rel": "self", "type": "application/json"},
            {
                "href": f"{base}/collections/{layer.id}/items",
                "rel": "items",
                "type": GEOJSON,
                "title": layer.title_en,
            },
        ],
    }
    if bbox is not None:
        body["extent"] = {"spatial": {"bbox": [list(bbox)], "crs": CRS84}}
    return body


@router.get("/collections", summary="The collections (one per layer)")
def collections(request: Request, session: DbSession, actor: CurrentActor) -> JSONResponse:
    base = _base(request)
    return _json(
        {
            "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
            "collections": [_collection(request, session, layer) for layer in LAYERS.values()],
        }
    )


@router.get("/collections/{collection_id}", summary="One collection")
def collection(
    request: Request, session: DbSession, actor: CurrentActor, collection_id: str
) -> JSONResponse:
    return _json(_collection(request, session, get_layer(collection_id)))


@router.get("/collections/{collection_id}/items", summary="Features, filtered and paged")
def items(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    collection_id: str,
    bbox: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    layer = get_layer(collection_id)
    filters = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    features, matched = query_features(
        session, layer, actor, parse_bbox(bbox), filters, limit, offset
    )
    url = f"{_base(request)}/collections/{layer.id}/items"
    params = dict(request.query_params)
    links = [{"href": _with(url, params, offset), "rel": "self", "type": GEOJSON}]
    if matched is not None and offset + len(features) < matched:
        links.append({"href": _with(url, params, offset + limit), "rel": "next", "type": GEOJSON})
    if offset > 0:
        links.append(
            {"href": _with(url, params, max(0, offset - limit)), "rel": "prev", "type": GEOJSON}
        )
    return _json(
        {
            "type": "FeatureCollection",
            "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "numberMatched": matched,
            "numberReturned": len(features),
            "features": [feature_json(f) for f in features],
            "links": links,
        },
        GEOJSON,
    )


def _with(url: str, params: dict[str, str], offset: int) -> str:
    from urllib.parse import urlencode

    return url + "?" + urlencode({**params, "offset": offset})


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature")
def item(
    request: Request, session: DbSession, actor: CurrentActor, collection_id: str, feature_id: int
) -> JSONResponse:
    layer = get_layer(collection_id)
    feature = get_feature(session, layer, feature_id, actor)
    base = f"{_base(request)}/collections/{layer.id}"
    body = feature_json(
        feature,
        links=[
            {"href": f"{base}/items/{feature_id}", "rel": "self", "type": GEOJSON},
            {"href": base, "rel": "collection", "type": "application/json"},
        ],
    )
    return _json(body, GEOJSON)

"""Mapbox vector tiles of every layer at /tiles/{layer}/{z}/{x}/{y}.pbf."""

from __future__ import annotations

from fastapi import APIRouter, Response

from zhishui.api.deps import CurrentActor, DbSession
from zhishui.core.errors import ValidationFailed
from zhishui.network.layers import get_layer
from zhishui.network.tilequery import tile_rows
from zhishui.network.tiles import encode_tile, tile_bbox_with_buffer

router = APIRouter(prefix="/tiles", tags=["vector tiles"])
MVT = "application/vnd.mapbox-vector-tile"


@router.get(
    "/{layer_id}/{z}/{x}/{y}.pbf", summary="A vector tile of one layer", response_class=Response
)
def tile(
    session: DbSession, actor: CurrentActor, layer_id: str, z: int, x: int, y: int
) -> Response:
    layer = get_layer(layer_id)
    if not (0 <= z <= 22 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise ValidationFailed(f"no tile {z}/{x}/{y}", field="z/x/y")
    if z < layer.min_zoom - 3:
        data = encode_tile({layer.id: []}, z, x, y)
    else:
        rows = tile_rows(session, layer, actor, tile_bbox_with_buffer(z, x, y), z)
        data = encode_tile(
            {layer.id: rows}, z, x, y, thin_points=layer.geometry == "Point" and z < 15
        )
    return Response(data, media_type=MVT, headers={"Cache-Control": "private, max-age=60"})

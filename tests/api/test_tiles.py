"""Vector tiles of the registry layers: content, scope, zoom thinning and bad requests."""

from __future__ import annotations

import math

from fastapi.testclient import TestClient

from tests.conftest import login
from tests.factories import load_outfall, load_storm
from zhishui.network.tiles import decode_tile


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_links_tile_carries_pipes_with_styling_properties(admin_client: TestClient, county):
    load_storm(county)
    x, y = tile_of(119.612, 30.61, 16)
    r = admin_client.get(f"/tiles/links/16/{x}/{y}.pbf")
    assert (
        r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    )
    features = decode_tile(r.content)["links"]["features"]
    props = {f["properties"]["external_id"]: f["properties"] for f in features}
    assert "P2" in props and props["P2"]["network_kind"] == "storm"
    assert props["P2"]["diameter"] == 0.5


def test_small_pipes_are_left_out_at_low_zoom(admin_client: TestClient, county):
    load_storm(county)
    x, y = tile_of(119.612, 30.61, 12)
    features = decode_tile(admin_client.get(f"/tiles/links/12/{x}/{y}.pbf").content)
    kept = {f["properties"]["external_id"] for f in features.get("links", {}).get("features", [])}
    assert kept == {"P2", "P3", "P4"}  # DN500 and up at zoom 12


def test_outfall_tile_and_scope(app_client: TestClient, county):
    load_storm(county)
    load_outfall(county)
    x, y = tile_of(119.615, 30.61, 14)
    login(app_client, "street1")
    feats = decode_tile(app_client.get(f"/tiles/outfalls/14/{x}/{y}.pbf").content)
    assert feats["outfalls"]["features"][0]["properties"]["code"] == "330523-RK-0001"
    login(app_client, "admin")
    empty = app_client.get(f"/tiles/outfalls/14/{x + 3}/{y}.pbf")
    assert empty.status_code == 200 and decode_tile(empty.content) == {}


def test_bad_tile_address(admin_client: TestClient):
    assert admin_client.get("/tiles/links/3/9/1.pbf").status_code == 422
    assert admin_client.get("/tiles/nope/3/1/1.pbf").status_code == 404

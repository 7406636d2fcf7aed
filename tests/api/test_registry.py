"""REST API over the registry: features, bbox, scope, search, feature panel, networks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import login
from tests.factories import load_outfall, load_storm


def test_features_bbox_and_property_filters(admin_client: TestClient, county):
    load_storm(county)
    r = admin_client.get(
        "/api/v1/layers/nodes/features", params={"bbox": "119.6095,30.6,119.6115,30.62"}
    )
    body = r.json()
    assert r.status_code == 200 and body["numberMatched"] == 2
    assert {f["properties"]["external_id"] for f in body["features"]} == {"J0", "J1"}
    r = admin_client.get(
        "/api/v1/layers/links/features", params={"material": "concrete", "install_year": "2012"}
    )
    assert [f["properties"]["external_id"] for f in r.json()["features"]] == ["P2"]
    r = admin_client.get("/api/v1/layers/links/features", params={"install_year": "abc"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "install_year"
    r = admin_client.get("/api/v1/layers/nodes/features", params={"bbox": "1,2,3"})
    assert r.status_code == 422


def test_gcj02_output_shifts_coordinates(admin_client: TestClient, county):
    load_storm(county)
    plain = admin_client.get("/api/v1/layers/nodes/features", params={"limit": 1}).json()
    gcj = admin_client.get(
        "/api/v1/layers/nodes/features", params={"limit": 1, "crs": "gcj02"}
    ).json()
    (x0, y0), (x1, y1) = (
        plain["features"][0]["geometry"]["coordinates"],
        gcj["features"][0]["geometry"]["coordinates"],
    )
    assert 0.003 < x1 - x0 < 0.007 and -0.004 < y1 - y0 < 0.001


def test_scope_hides_what_is_outside_a_street(app_client: TestClient, county):
    load_storm(county)
    login(app_client, "street1")
    features = app_client.get("/api/v1/layers/nodes/features").json()["features"]
    assert len(features) == 6  # all in 递铺街道
    login(app_client, "admin")
    with county.unit_of_work() as s:
        from sqlalchemy import update

        from zhishui.network.models import Node

        s.execute(update(Node).where(Node.external_id == "J0").values(division_code="330523002"))
    login(app_client, "street1")
    ids = {
        f["properties"]["external_id"]
        for f in app_client.get("/api/v1/layers/nodes/features").json()["features"]
    }
    assert "J0" not in ids and len(ids) == 5
    found = {h["code"] for h in app_client.get("/api/v1/search", params={"q": "J"}).json()}
    assert "J0" not in found and "J1" in found


def test_search_and_feature_panel(admin_client: TestClient, county):
    load_storm(county)
    load_outfall(county)
    hits = admin_client.get("/api/v1/search", params={"q": "城东"}).json()
    assert [h["layer"] for h in hits] == ["outfalls"]
    panel = admin_client.get(f"/api/v1/layers/outfalls/features/{hits[0]['id']}").json()
    assert panel["properties"]["river"] == "西苕溪"
    assert panel["related"][0]["rel"] == "discharges_into"
    node_panel = admin_client.get(f"/api/v1/layers/nodes/features/{panel['related'][0]['id']}")
    rels = {(r["rel"], r["code"]) for r in node_panel.json()["related"]}
    assert ("inflow", "P4") in rels and ("at_node", "330523-RK-0001") in rels
    assert admin_client.get("/api/v1/layers/nodes/features/99999").status_code == 404
    assert admin_client.get("/api/v1/layers/teapots/features").status_code == 404


def test_networks_list(admin_client: TestClient, county):
    load_storm(county)
    nets = admin_client.get("/api/v1/networks").json()
    assert nets[0]["name"] == "storm-a" and nets[0]["links"] == 5
    assert 0.3 < nets[0]["length_km"] < 0.6
    assert nets[0]["bbox"] == pytest.approx([119.61, 30.61, 119.615, 30.61], abs=1e-4)


def test_config_lists_layers_and_map(admin_client: TestClient):
    cfg = admin_client.get("/api/v1/config").json()
    assert {layer["id"] for layer in cfg["layers"]} >= {"links", "nodes", "components"}
    assert cfg["map"]["basemap_url"] == ""

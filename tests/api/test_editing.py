"""Editing registry objects through the API: validation, scope, roles and the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import login
from tests.factories import load_outfall, load_storm
from zhishui.org.models import AuditEntry


def _id(client: TestClient, layer: str, **props: str) -> int:
    r = client.get(f"/api/v1/layers/{layer}/features", params=props)
    return r.json()["features"][0]["id"]


def test_operator_changes_pipe_attributes_and_slope_follows(app_client: TestClient, county):
    load_storm(county)
    login(app_client, "operator")
    pid = _id(app_client, "links", external_id="P1")
    r = app_client.patch(f"/api/v1/layers/links/features/{pid}",
                         json={"properties": {"diameter": "0.6", "material": "HDPE",
                                              "down_invert": 16.0, "install_year": 2020}})
    assert r.status_code == 200, r.text
    changed = r.json()["changed"]
    assert changed["diameter"] == 0.6 and changed["install_year"] == 2020
    panel = app_client.get(f"/api/v1/layers/links/features/{pid}").json()["properties"]
    assert panel["material"] == "HDPE"
    assert panel["slope"] == (panel["up_invert"] - 16.0) / panel["length"]
    with county.unit_of_work() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "feature_updated"))
        assert entry.target == f"links/{pid}" and entry.details["changes"]["material"][1] == "HDPE"


def test_bad_values_and_fields_are_refused(app_client: TestClient, county):
    load_storm(county)
    login(app_client, "operator")
    pid = _id(app_client, "links", external_id="P1")
    url = f"/api/v1/layers/links/features/{pid}"
    r = app_client.patch(url, json={"properties": {"install_year": "last year"}})
    assert r.status_code == 422 and r.json()["details"]["field"] == "install_year"
    r = app_client.patch(url, json={"properties": {"external_id": "X"}})
    assert r.status_code == 422
    r = app_client.patch(url, json={"properties": {"status": "sleeping"}})
    assert r.status_code == 422
    r = app_client.patch(url, json={"geometry": {"type": "Point", "coordinates": [1, 2]}})
    assert r.status_code == 422 and "cannot be moved" in r.json()["message"]


def test_moving_an_outfall_updates_its_division(app_client: TestClient, county):
    load_storm(county)
    load_outfall(county)
    login(app_client, "admin")
    oid = _id(app_client, "outfalls")
    r = app_client.patch(f"/api/v1/layers/outfalls/features/{oid}",
                         json={"geometry": {"type": "Point", "coordinates": [119.75, 30.65]}})
    assert r.status_code == 200
    props = app_client.get(f"/api/v1/layers/outfalls/features/{oid}").json()
    assert props["properties"]["division_code"] == "330523002"
    assert props["geometry"]["coordinates"] == [119.75, 30.65]
    r = app_client.patch(f"/api/v1/layers/outfalls/features/{oid}",
                         json={"geometry": {"type": "Point", "coordinates": [500, 30]}})
    assert r.status_code == 422


def test_roles_and_scope(app_client: TestClient, county):
    load_storm(county)
    load_outfall(county)
    login(app_client, "leader")
    oid = _id(app_client, "outfalls")
    r = app_client.patch(f"/api/v1/layers/outfalls/features/{oid}",
                         json={"properties": {"river": "x"}})
    assert r.status_code == 403
    login(app_client, "street1")
    r = app_client.delete(f"/api/v1/layers/outfalls/features/{oid}")
    assert r.status_code == 403
    login(app_client, "admin")
    assert app_client.delete(f"/api/v1/layers/outfalls/features/{oid}").status_code == 204
    assert app_client.get(f"/api/v1/layers/outfalls/features/{oid}").status_code == 404

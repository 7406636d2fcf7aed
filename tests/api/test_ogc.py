"""OGC API – Features: landing page, conformance, collections, items; and GDAL as a client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from tests.conftest import LiveServer
from tests.factories import load_outfall, load_storm
from zhishui.org import service as org


def test_landing_conformance_collections(admin_client: TestClient, county):
    load_storm(county)
    landing = admin_client.get("/ogc").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conf = admin_client.get("/ogc/conformance").json()["conformsTo"]
    assert any(c.endswith("/conf/core") for c in conf)
    cols = admin_client.get("/ogc/collections").json()["collections"]
    links = next(c for c in cols if c["id"] == "links")
    bbox = links["extent"]["spatial"]["bbox"][0]
    assert bbox[0] == pytest.approx(119.61, abs=1e-4) and bbox[2] == pytest.approx(
        119.615, abs=1e-4
    )


def test_items_paging_and_filters(admin_client: TestClient, county):
    load_storm(county)
    r = admin_client.get("/ogc/collections/nodes/items", params={"limit": 2, "offset": 1})
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["numberMatched"] == 6 and body["numberReturned"] == 2
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "offset=3" in rels["next"] and "offset=0" in rels["prev"]
    r = admin_client.get("/ogc/collections/nodes/items", params={"kind": "outfall"})
    assert [f["properties"]["external_id"] for f in r.json()["features"]] == ["OUT1"]
    r = admin_client.get(
        "/ogc/collections/nodes/items", params={"bbox": "119.6125,30.6,119.62,30.62"}
    )
    assert {f["properties"]["external_id"] for f in r.json()["features"]} == {"J3", "J4", "OUT1"}
    one = r.json()["features"][0]
    item = admin_client.get(f"/ogc/collections/nodes/items/{one['id']}").json()
    assert item["id"] == one["id"] and item["geometry"]["type"] == "Point"


@pytest.mark.gdal
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_gdal_reads_zhishui_through_oapif(county, tmp_path):
    if shutil.which("ogrinfo") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ogrinfo (gdal-bin) is required in CI")
        pytest.skip("ogrinfo not installed")
    load_storm(county)
    load_outfall(county)
    with county.unit_of_work() as s:
        token = org.create_api_token(s, org.get_user(s, "operator"), "gdal", county.clock.now())
    with LiveServer(county) as server:
        env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Bearer {token}"}
        copy = tmp_path / "links.geojson"
        out = subprocess.run(
            ["ogr2ogr", "-f", "GeoJSON", str(copy), f"OAPIF:{server.url}/ogc", "links"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        features = json.loads(copy.read_text())["features"]
        ids = sorted(f["properties"]["external_id"] for f in features)
        assert ids == ["P0", "P1", "P2", "P3", "P4"]
        assert features[0]["geometry"]["type"] == "LineString"
        out = subprocess.run(
            [
                "ogrinfo",
                "-ro",
                "-so",
                f"OAPIF:{server.url}/ogc",
                "links",
                "-spat",
                "119.6125",
                "30.6",
                "119.62",
                "30.62",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert "Feature Count: 3" in out.stdout, out.stdout + out.stderr
        out = subprocess.run(
            ["ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogc"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert "outfalls" in out.stdout and "components" in out.stdout
        denied = subprocess.run(
            ["ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogc"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert denied.returncode != 0

"""Demo county: determinism, divisions, grids, org units, users and the L-TOWN placement."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from tests.demo.shared import default_county
from zhishui.demo import DemoCounty, build_demo, place_ltown
from zhishui.demo.classes import MAJORS, component_classes
from zhishui.demo.geo import ORIGIN
from zhishui.demo.supply import LTOWN_INP, LTOWN_TOWN_CODE, ltown_footprint
from zhishui.org.models import ORG_KINDS, ORG_LEVELS, ROLES

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return default_county()


def fingerprint(c: DemoCounty) -> str:
    h = hashlib.sha256()
    for net in (c.storm, c.sewer, c.catchment):
        for n in net.nodes:
            h.update(repr((n.external_id, n.kind, n.x, n.y, n.ground_elev, n.invert_elev,
                           sorted(n.attrs.items()))).encode())
        for lk in net.links:
            h.update(repr((lk.external_id, lk.kind, lk.from_node, lk.to_node, lk.diameter,
                           lk.up_invert, lk.down_invert, lk.material, lk.install_year)).encode())
        for s in net.subcatchments:
            h.update(repr((s.external_id, s.area_ha, s.imperv_pct, s.polygon)).encode())
    for f in (*c.components, *c.outfalls, *c.stations, *c.pollution_sources):
        h.update(repr((f.code, f.kind, f.x, f.y, f.name, sorted(f.attrs.items()))).encode())
    for d in c.divisions:
        h.update(repr((d.code, d.name, d.geom.wkb_hex)).encode())
    for g in c.grids:
        h.update(repr((g.code, g.name, g.geom.wkb_hex)).encode())
    h.update(repr((c.org_units, c.users)).encode())
    return h.hexdigest()


def test_same_seed_same_county(county):
    assert fingerprint(county) == fingerprint(build_demo(2026))


def test_origin_is_anji_in_epsg_4549(county):
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform(119.68, 30.63)
    assert abs(x - ORIGIN[0]) < 0.001 and abs(y - ORIGIN[1]) < 0.001
    assert county.crs == "EPSG:4549" and county.origin == ORIGIN
    assert county.storm.crs == county.sewer.crs == county.catchment.crs == "EPSG:4549"
    county_geom = next(d.geom for d in county.divisions if d.level == "county")
    assert county_geom.contains(shapely.Point(ORIGIN))


def test_divisions_codes_and_tiling(county):
    by_level = {lvl: [d for d in county.divisions if d.level == lvl]
                for lvl in ("county", "town", "community")}
    (top,) = by_level["county"]
    assert (top.code, top.parent_code) == ("330523", None)
    assert len(by_level["town"]) == 4 and len(by_level["community"]) == 4
    for d in by_level["town"]:
        assert re.fullmatch(r"330523\d{3}", d.code) and d.parent_code == "330523"
    centre = next(d for d in by_level["town"] if d.code == "330523001")
    for d in by_level["community"]:
        assert re.fullmatch(r"330523001\d{3}", d.code) and d.parent_code == "330523001"
    assert len({d.code for d in county.divisions}) == len(county.divisions)
    for d in county.divisions:
        assert d.geom.is_valid and d.geom.geom_type == "Polygon" and d.name
    for parent, parts in ((top, by_level["town"]), (centre, by_level["community"])):
        total = sum(p.geom.area for p in parts)
        union = shapely.union_all([p.geom for p in parts])
        assert abs(total - parent.geom.area) / parent.geom.area < 1e-4
        assert abs(union.area - total) / total < 1e-4  # no overlaps
        assert parent.geom.symmetric_difference(union).area / parent.geom.area < 1e-4


def test_fifty_grids_tile_the_communities(county):
    grids = county.grids
    assert len(grids) == 50
    assert len({g.code for g in grids}) == 50 and len({g.name for g in grids}) == 50
    communities = {d.code: d for d in county.divisions if d.level == "community"}
    for g in grids:
        assert re.fullmatch(r"\d{14}", g.code)
        assert g.code[:12] == g.division_code and g.division_code in communities
        assert g.code[:6] == "330523" and g.geom.is_valid and g.geom.geom_type == "Polygon"
        assert abs(g.area_m2 - g.geom.area) < 1.0
    for code, comm in communities.items():
        mine = [g.geom for g in grids if g.division_code == code]
        assert 12 <= len(mine) <= 13
        total = sum(p.area for p in mine)
        assert abs(total - comm.geom.area) / comm.geom.area < 1e-3
        assert abs(shapely.union_all(mine).area - total) / total < 1e-3


def test_org_units(county):
    units = {u.code: u for u in county.org_units}
    divisions = {d.code for d in county.divisions}
    assert len(units) == len(county.org_units)
    for u in county.org_units:
        assert u.kind in ORG_KINDS and u.level in ORG_LEVELS and u.name and u.duties
        assert u.division_code in divisions
        assert u.parent_code is None or u.parent_code in units
    roots = [u for u in county.org_units if u.parent_code is None]
    assert [(u.kind, u.level) for u in roots] == [("centre", "city")]
    streets = [u for u in county.org_units if u.kind == "centre" and u.level == "street"]
    assert {u.division_code for u in streets} == {d.code for d in county.divisions
                                                  if d.level == "town"}
    assert any(u.level == "district" for u in county.org_units)
    depts = {u.name for u in county.org_units if u.kind == "department"}
    owners = {lk.owner_department for net in (county.storm, county.sewer) for lk in net.links}
    owners |= {c.attrs["owner_department"] for c in county.components}
    assert owners <= depts


def test_users(county):
    units = {u.code: u for u in county.org_units}
    grids = {g.code for g in county.grids}
    assert len({u.username for u in county.users}) == len(county.users)
    assert {r for u in county.users for r in u.roles} == set(ROLES)
    for u in county.users:
        assert u.org_unit_code in units and u.display_name
        assert set(u.roles) <= set(ROLES)
        assert u.password == "demo-" + u.roles[0]
        assert set(u.grid_codes) <= grids
    handlers = {u.org_unit_code for u in county.users if "handler" in u.roles}
    assert len(handlers) >= 2
    assert any(units[u.org_unit_code].level == "street" for u in county.users)
    workers = [u for u in county.users if "grid_worker" in u.roles]
    assert workers and sorted(c for u in workers for c in u.grid_codes) == sorted(grids)


def test_component_class_catalogue(county):
    rows = county.component_classes
    assert rows == component_classes()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes))
    for code, major, major_name, zh, en in rows:
        assert re.fullmatch(r"\d{4}", code) and code[:2] == major
        assert MAJORS[major] == major_name and zh and en
    assert {r[1] for r in rows} == {"01", "02", "03", "04", "05", "06"}
    names = {r[3] for r in rows}
    assert {"上水井盖", "污水井盖", "雨水井盖", "雨水箅子", "消防栓", "路灯"} <= names


def test_ltown_lands_in_its_town(county):
    path = SHARED / LTOWN_INP
    if not path.exists():
        pytest.skip(f"{path} not available")
    wntr = pytest.importorskip("wntr")
    wn = wntr.network.WaterNetworkModel(str(path))
    pts = [place_ltown(*node.coordinates) for _, node in wn.nodes()]
    assert len(pts) > 700
    town = next(d for d in county.divisions if d.code == LTOWN_TOWN_CODE)
    assert county.supply_division_code == LTOWN_TOWN_CODE and county.supply_inp == LTOWN_INP
    inside = shapely.contains_xy(town.geom, [p[0] for p in pts], [p[1] for p in pts])
    assert inside.all()
    # placed as a rigid body: distances are kept
    (_, a), (_, b) = list(wn.nodes())[:2]
    pa, pb = place_ltown(*a.coordinates), place_ltown(*b.coordinates)
    d0 = ((a.coordinates[0] - b.coordinates[0]) ** 2 + (a.coordinates[1] - b.coordinates[1]) ** 2)
    assert abs(((pa[0] - pb[0]) ** 2 + (pa[1] - pb[1]) ** 2) ** 0.5 - d0 ** 0.5) < 0.01
    assert ltown_footprint().within(town.geom)

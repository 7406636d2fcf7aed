"""Demo assets: components, river outfalls, monitoring stations and pollution sources."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import shapely

from tests.demo.shared import default_county
from zhishui.demo import DemoCounty
from zhishui.demo.assets import SUBTYPES


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return default_county()


def nodes_of(county: DemoCounty) -> dict[str, dict[str, object]]:
    return {"storm": {n.external_id: n for n in county.storm.nodes},
            "sewer": {n.external_id: n for n in county.sewer.nodes}}


def test_component_codes(county):
    classes = {r[0] for r in county.component_classes}
    codes = [c.code for c in county.components]
    assert len(codes) == len(set(codes))
    assert 20_000 <= len(codes) <= 50_000
    grids = {g.code: g for g in county.grids}
    divisions = {d.code for d in county.divisions}
    for c in county.components:
        assert re.fullmatch(r"330523\d{10}", c.code)
        assert c.code[6:10] == c.kind == c.attrs["class_code"] and c.kind in classes
        assert c.attrs["grid_code"] is None or c.attrs["grid_code"] in grids
        assert c.attrs["division_code"] in divisions
        assert c.attrs["status"] in ("normal", "damaged", "missing", "repairing")
        assert c.attrs["owner_department"]
    # serials count up per class
    by_class = Counter(c.kind for c in county.components)
    for cls, n in by_class.items():
        serials = sorted(int(c.code[10:]) for c in county.components if c.kind == cls)
        assert serials == list(range(1, n + 1))


def test_component_grid_codes_match_geometry(county):
    rng = np.random.default_rng(0)
    sample = [county.components[i] for i in rng.choice(len(county.components), 500,
                                                        replace=False)]
    grids = {g.code: g.geom for g in county.grids}
    inside = [c for c in sample if c.attrs["grid_code"]]
    assert inside
    for c in inside:
        assert grids[c.attrs["grid_code"]].contains(shapely.Point(c.x, c.y))
    for c in sample:
        if not c.attrs["grid_code"]:
            assert not any(g.contains(shapely.Point(c.x, c.y)) for g in grids.values())


def test_every_manhole_and_grate_has_a_cover(county):
    covered = {(c.attrs.get("network"), c.attrs.get("node")): c.name for c in county.components
               if "node" in c.attrs}
    for net in ("storm", "sewer"):
        for n in getattr(county, net).nodes:
            if n.kind in ("manhole", "inlet"):
                want = {"inlet": "雨水箅子", "manhole": "雨水井盖" if net == "storm"
                        else "污水井盖"}[n.kind]
                assert covered[(net, n.external_id)] == want
    names = Counter(c.name for c in county.components)
    for zh in ("路灯", "消防栓", "垃圾箱", "公交站亭", "行道树"):
        assert names[zh] > 0


def test_outfalls(county):
    nodes = nodes_of(county)
    outs = county.outfalls
    storm_outfalls = [n for n in county.storm.nodes if n.kind == "outfall"]
    assert len(outs) == len(storm_outfalls) + 3
    assert len({o.code for o in outs}) == len(outs)
    assert {o.kind for o in outs} == set(SUBTYPES)
    rivers = set(county.rivers)
    for o in outs:
        assert re.fullmatch(r"330523-RK-\d{4}", o.code)
        assert o.attrs["subtype"] in SUBTYPES[o.kind]
        assert o.attrs["river"] in rivers and o.attrs["responsible_party"] and o.name
        assert o.attrs["node"] in nodes[o.attrs["network"]]
        limits = o.attrs["discharge_limits"]
        assert {"COD", "NH3-N", "TP"} <= set(limits) and all(v > 0 for v in limits.values())
    assert {o.attrs["node"] for o in outs if o.attrs["network"] == "storm"} == \
        {n.external_id for n in storm_outfalls}


def test_stations(county):
    nodes = nodes_of(county)
    st = county.stations
    assert 25 <= len(st) <= 40 and len({s.code for s in st}) == len(st)
    kinds = Counter(s.kind for s in st)
    assert set(kinds) == {"water_quality", "level", "flow", "rain", "gas"}
    components = {c.code for c in county.components}
    abbr = {"water_quality": "SZ", "level": "YW", "flow": "LL", "rain": "YL", "gas": "QT"}
    for s in st:
        assert re.fullmatch(rf"330523-{abbr[s.kind]}-\d{{3}}", s.code)
        assert len(s.attrs["mn"]) == 24 and s.attrs["parameters"]
        if "node" in s.attrs:
            assert s.attrs["node"] in nodes[s.attrs["network"]]
        if s.kind == "water_quality":
            assert s.attrs["river"] in county.rivers and s.attrs["target_class"] in (1, 2, 3)
        if s.kind == "gas":
            assert s.attrs["component"] in components
    assert all("node" in s.attrs for s in st if s.kind in ("level", "flow"))


def test_pollution_sources_discharge_into_existing_nodes(county):
    nodes = nodes_of(county)
    src = county.pollution_sources
    assert 140 <= len(src) <= 170 and len({s.code for s in src}) == len(src)
    for s in src:
        assert re.fullmatch(r"330523-WR-\d{4}", s.code) and s.name
        assert s.attrs["node"] in nodes[s.attrs["network"]]
        assert isinstance(s.x, float) and isinstance(s.y, float)
    wrong = [s for s in src if s.attrs["network"] == "storm"]
    assert 1 <= len(wrong) <= 10 and all(s.attrs["misconnection"] for s in wrong)
    kinds = Counter(s.kind for s in src)
    assert {"enterprise", "construction_site", "restaurant", "car_wash",
            "treatment_plant"} <= set(kinds)
    assert all(s.attrs.get("industry") for s in src if s.kind == "enterprise")

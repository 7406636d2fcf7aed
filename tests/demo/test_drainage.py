"""Demo storm and sewer networks: size, ids, forests, gravity, diameters and cover."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from tests.demo.shared import TIMING, default_county
from zhishui.demo import DemoCounty
from zhishui.demo.hydraulics import MIN_COVER, SEWER_MAX_DEPTH, min_slope
from zhishui.network.models import LINK_KINDS, NODE_KINDS

TOL = 1e-9


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return default_county()


@pytest.fixture(scope="module", params=["storm", "sewer"])
def net(request, county):
    return request.param, getattr(county, request.param)


def test_generation_is_fast(county):
    assert TIMING["build"] < 15  # a few seconds on an ordinary machine


def test_total_length_and_counts(county):
    km = {k: sum(lk.length for lk in getattr(county, k).links) / 1000 for k in ("storm", "sewer")}
    assert abs(km["storm"] + km["sewer"] - 1180) / 1180 < 0.05
    assert 560 < km["storm"] < 680 and 500 < km["sewer"] < 620
    links = len(county.storm.links) + len(county.sewer.links)
    assert 25_000 < links < 35_000
    kinds = Counter(n.kind for n in county.storm.nodes)
    assert set(kinds) == {"manhole", "inlet", "outfall"} and 30 <= kinds["outfall"] <= 120
    kinds = Counter(n.kind for n in county.sewer.nodes)
    assert set(kinds) == {"manhole", "pump_station", "treatment_plant"}
    assert kinds["treatment_plant"] == 3 and kinds["pump_station"] >= 1
    assert Counter(lk.kind for lk in county.sewer.links)["pump"] == kinds["pump_station"]


def test_ids_records_and_attributes(net, county):
    kind, model = net
    assert model.format == "demo" and model.crs == "EPSG:4549"
    npre, lpre = {"storm": ("YS", "YSG"), "sewer": ("WS", "WSG")}[kind]
    ids = [n.external_id for n in model.nodes]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(rf"{npre}-\d{{6}}", i) for i in ids)
    lids = [lk.external_id for lk in model.links]
    assert len(lids) == len(set(lids))
    assert all(re.fullmatch(rf"{lpre}-\d{{6}}", i) for i in lids)
    nodes = {n.external_id: n for n in model.nodes}
    divisions = {d.code for d in county.divisions}
    for n in model.nodes:
        assert n.kind in NODE_KINDS and 5.0 <= n.ground_elev <= 40.0
        assert abs(n.max_depth - (n.ground_elev - n.invert_elev)) < 1e-6
        assert n.attrs["division_code"] in divisions
    for lk in model.links:
        assert lk.kind in LINK_KINDS and lk.shape == "circular"
        a, b = nodes[lk.from_node], nodes[lk.to_node]
        assert 20.0 <= lk.length <= 80.0
        assert abs(lk.length - math.hypot(a.x - b.x, a.y - b.y)) < 0.01
        assert lk.material in ("concrete", "HDPE", "PVC", "ductile_iron")
        assert lk.roughness == (0.011 if lk.material in ("HDPE", "PVC") else 0.013)
        assert 1995 <= lk.install_year <= 2024 and 1 <= lk.condition_grade <= 4
        assert lk.owner_department
    sizes = Counter(lk.diameter for lk in model.links)
    assert min(sizes) >= 0.3 and len(sizes) >= 5
    if kind == "sewer":
        assert max(sizes) <= 1.0


def test_each_network_is_a_forest_draining_to_outfalls_or_plants(net):
    kind, model = net
    down: dict[str, str] = {}
    for lk in model.links:
        assert lk.from_node not in down, f"{lk.from_node} has two outgoing links"
        down[lk.from_node] = lk.to_node
    nodes = {n.external_id: n for n in model.nodes}
    assert set(down.values()) <= set(nodes)
    roots = {i for i in nodes if i not in down}
    want = {"storm": {"outfall"}, "sewer": {"treatment_plant"}}[kind]
    assert {nodes[r].kind for r in roots} == want
    assert all(nodes[i].kind not in want for i in down)
    # following the links always ends at a root: no cycles
    end: dict[str, str] = {}
    for start in nodes:
        path = [start]
        while path[-1] in down and path[-1] not in end:
            path.append(down[path[-1]])
            assert len(path) <= len(nodes)
        root = end.get(path[-1], path[-1])
        for p in path:
            end[p] = root
    assert set(end.values()) == roots
    # gravity trees end at outfalls, plants or pump stations
    for lk in model.links:
        assert (lk.kind == "pump") == (nodes[lk.from_node].kind == "pump_station")


def test_gravity_slopes_downstream_and_cover(net):
    kind, model = net
    nodes = {n.external_id: n for n in model.nodes}
    cover = MIN_COVER[kind]
    smin = {d: float(min_slope(d, kind)) for d in {lk.diameter for lk in model.links}}
    for lk in model.links:
        a, b = nodes[lk.from_node], nodes[lk.to_node]
        d = lk.diameter
        if lk.kind == "conduit":
            slope = (lk.up_invert - lk.down_invert) / lk.length
            assert slope >= smin[d] - TOL, lk.external_id
            if slope < 0.003 - TOL and d <= 0.3:
                assert lk.material in ("HDPE", "PVC")
        assert a.ground_elev - (lk.up_invert + d) >= cover - 1e-6, lk.external_id
        assert b.ground_elev - (lk.down_invert + d) >= cover - 1e-6, lk.external_id
        assert a.invert_elev <= lk.up_invert + 1e-9
        assert b.invert_elev <= lk.down_invert + 1e-9


def test_diameters_never_shrink_downstream(net):
    _, model = net
    biggest_in: dict[str, float] = {}
    for lk in model.links:
        biggest_in[lk.to_node] = max(biggest_in.get(lk.to_node, 0.0), lk.diameter)
    for lk in model.links:
        assert lk.diameter >= biggest_in.get(lk.from_node, 0.0), lk.external_id


def test_sewer_depth_limited_by_pump_stations(county):
    for n in county.sewer.nodes:
        if n.kind == "manhole":
            assert n.max_depth <= SEWER_MAX_DEPTH + 1e-6
    for n in county.storm.nodes:
        assert n.max_depth < 8.0


def test_outfalls_sit_on_a_river(county):
    rivers = set(county.rivers)
    for n in county.storm.nodes:
        if n.kind == "outfall":
            assert n.attrs["river"] in rivers and n.name

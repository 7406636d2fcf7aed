"""The demo SWMM catchment: structure, design storm, and a pyswmm run of the written model."""

from __future__ import annotations

import math
import re

import pytest

from tests.demo.shared import default_county
from zhishui.demo import DemoCounty
from zhishui.demo.hydraulics import A1, N_EXP, B, C, chicago_hyetograph


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return default_county()


def test_catchment_structure(county):
    cm = county.catchment
    assert cm.format == "swmm" and cm.crs == "EPSG:4549"
    assert 100 <= len(cm.nodes) <= 300 and len(cm.links) == len(cm.nodes) - 1
    outfalls = [n for n in cm.nodes if n.kind == "outfall"]
    assert len(outfalls) == 1
    storm = {n.external_id for n in county.storm.nodes}
    assert {n.external_id for n in cm.nodes} <= storm
    ids = {n.external_id for n in cm.nodes}
    assert all(lk.from_node in ids and lk.to_node in ids for lk in cm.links)
    assert len(cm.subcatchments) == len(cm.nodes) - 1
    for s in cm.subcatchments:
        assert s.outlet in ids and s.raingage == "RG1"
        assert 0 < s.area_ha < 2 and 0 < s.imperv_pct < 100 and s.width_m > 0
        assert 0 < s.slope_pct < 5 and len(s.polygon) >= 4
    sections = cm.options["swmm"]["sections"]
    assert sections["RAINGAGES"] == ["RG1 INTENSITY 0:05 1.0 TIMESERIES DESIGN"]
    assert len(sections["TIMESERIES"]) == 25


def test_chicago_storm_matches_the_intensity_formula():
    rain = chicago_hyetograph(2.0)
    assert len(rain) == 24
    depth = sum(rain) * 5 / 60
    a = A1 * (1 + C * math.log10(2.0))
    assert abs(depth - a * 120 / (120 + B) ** N_EXP) < 0.05
    peak = rain.index(max(rain))
    assert peak == 9  # 0:45-0:50, peak ratio 0.4
    assert rain[:peak] == sorted(rain[:peak]) and rain[peak:] == sorted(rain[peak:], reverse=True)
    assert max(rain) * 5 / 60 == pytest.approx(a * 5 / (5 + B) ** N_EXP, rel=0.05)


def test_swmm_run_of_the_catchment(county, tmp_path):
    from pyswmm import Nodes, Simulation

    from zhishui.network.io.swmm import write_inp

    inp = tmp_path / "catchment.inp"
    write_inp(county.catchment, inp)
    outfall = next(n.external_id for n in county.catchment.nodes if n.kind == "outfall")
    with Simulation(str(inp)) as sim:
        nodes = Nodes(sim)
        for _ in sim:
            pass
        stats = {n.nodeid: n.statistics for n in nodes}
        received = nodes[outfall].cumulative_inflow
    report = inp.with_suffix(".rpt").read_text(encoding="utf-8", errors="replace")
    routing = report[report.index("Flow Routing Continuity"):]
    error = float(re.search(r"Continuity Error \(%\) \.+\s+(-?[\d.]+)", routing).group(1))
    assert abs(error) < 5.0
    inflow = sum(s.area_ha for s in county.catchment.subcatchments) * 1e4 * 0.02  # m³, ≥ 20 mm
    assert received > inflow
    flooded = [k for k, v in stats.items() if v["flooding_volume"] > 0]
    assert len(flooded) <= 0.05 * len(county.catchment.nodes)

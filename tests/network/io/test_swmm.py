"""SWMM .inp reading and writing, checked against SWMM itself (pyswmm) on real models."""

from __future__ import annotations

import importlib.util
import math
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pyswmm import Links, Nodes, Simulation, Subcatchments, SystemStats

from zhishui.core.errors import InputRejected
from zhishui.network.io.swmm import read_inp, write_inp
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord, SubcatchmentRecord

FT = 0.3048
ACRE = 0.40468564224
DATA = Path(__file__).resolve().parents[2] / "data"
PYSTORMS = Path(importlib.util.find_spec("pystorms").origin).parent / "networks"
PYSWMM_DATA = Path(importlib.util.find_spec("pyswmm").origin).parent / "tests" / "data"


# -- helpers ----------------------------------------------------------------------------------
def _option_lines_shortened(lines: list[str], hours: float) -> list[str]:
    """[OPTIONS] lines with END_DATE/END_TIME set `hours` after START_DATE/START_TIME."""
    values = {}
    for line in lines:
        parts = line.split(";", 1)[0].split()
        if len(parts) >= 2:
            values[parts[0].upper()] = parts[1]
    start_time = values.get("START_TIME", "00:00:00")
    fmt = "%m/%d/%Y %H:%M:%S" if start_time.count(":") == 2 else "%m/%d/%Y %H:%M"
    end = datetime.strptime(f"{values['START_DATE']} {start_time}", fmt) + timedelta(hours=hours)
    out = [ln for ln in lines if ln.split()[0].upper() not in ("END_DATE", "END_TIME")]
    return [*out, f"END_DATE {end:%m/%d/%Y}", f"END_TIME {end:%H:%M:%S}"]


def _shorten_file(src: Path, dst: Path, hours: float) -> None:
    """A copy of an .inp file whose run ends `hours` after its start."""
    lines = src.read_text(encoding="utf-8", errors="replace").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().upper() == "[OPTIONS]") + 1
    stop = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("["))
    body = [ln.rstrip("\r") for ln in lines[start:stop]
            if ln.strip() and not ln.strip().startswith(";")]
    dst.write_text("\n".join([*lines[:start], *_option_lines_shortened(body, hours), "",
                              *lines[stop:]]), encoding="utf-8")


def _run(path: Path) -> dict:
    """Run SWMM on `path` and return system outflow and per-node and per-link peaks."""
    with Simulation(str(path)) as sim:
        for _ in sim:
            pass
        stats = SystemStats(sim)
        routing, runoff = stats.routing_stats, stats.runoff_stats
        depth = {n.nodeid: n.statistics["max_depth"] for n in Nodes(sim)}
        inflow = {n.nodeid: n.statistics["peak_total_inflow"] for n in Nodes(sim)}
        flow = {lk.linkid: lk.flow for lk in Links(sim)}
    return {"outflow": routing["outflow"], "runoff": runoff["runoff"], "depth": depth,
            "inflow": inflow, "flow": flow}


def _parameters(path: Path) -> dict:
    """What SWMM itself read from a file (in the file's units), without running it."""
    with Simulation(str(path)) as sim:
        nodes = {n.nodeid: n.invert_elevation for n in Nodes(sim)}
        links = {}
        for lk in Links(sim):
            if lk.is_conduit():  # SWMM turns a conduit laid uphill around: undo that
                ends = {lk.inlet_node: lk.inlet_offset, lk.outlet_node: lk.outlet_offset}
                links[lk.linkid] = ends
        subs = {s.subcatchmentid: (s.area, s.width, s.slope, s.percent_impervious)
                for s in Subcatchments(sim)}
    return {"nodes": nodes, "links": links, "subs": subs}


def _assert_same_run(a: dict, b: dict, rel: float = 1e-6) -> None:
    assert a["outflow"] > 0  # the comparison is not vacuous
    assert b["outflow"] == pytest.approx(a["outflow"], rel=rel)
    assert b["runoff"] == pytest.approx(a["runoff"], rel=rel, abs=1e-9)
    for key in ("depth", "inflow", "flow"):
        assert b[key].keys() == a[key].keys()
        for name, v in a[key].items():
            assert b[key][name] == pytest.approx(v, rel=rel, abs=1e-6), (key, name)


def _delta_fixed(tmp_path: Path) -> Path:
    """pystorms' delta.inp (LINK_OFFSETS ELEVATION) made acceptable to SWMM 5.2: its four
    [VERTICES] lines for links that do not exist are dropped and its Green-Ampt IMD of 4 (not a
    fraction) is set to 0.25."""
    text = (PYSTORMS / "delta.inp").read_text()
    text = re.sub(r"^(conduit_Ndown|orifice_N|orifice_N32|orifice_N21) .*\n", "", text,
                  flags=re.M)
    text = re.sub(r"^(sc_\w+ +)3 +0\.5 +4 *$", r"\g<1>3 0.5 0.25", text, flags=re.M)
    path = tmp_path / "delta.inp"
    path.write_text(text)
    return path


# -- reading ----------------------------------------------------------------------------------
def test_beta_counts_and_us_units_converted() -> None:
    model = read_inp(PYSTORMS / "beta.inp")
    assert model.format == "swmm" and model.source == "beta.inp" and model.crs is None
    assert model.options["swmm"]["flow_units"] == "CFS"
    kinds = [n.kind for n in model.nodes]
    assert (kinds.count("manhole"), kinds.count("outfall"), kinds.count("storage")) == (206, 1, 3)
    links = [lk.kind for lk in model.links]
    assert (links.count("conduit"), links.count("pump"), links.count("orifice"),
            links.count("weir")) == (206, 1, 3, 1)
    assert len(model.subcatchments) == 165
    nodes = {n.external_id: n for n in model.nodes}
    j0 = nodes["J0"]  # J0  4.48  2.36  (ft)
    assert j0.invert_elev == pytest.approx(4.48 * FT)
    assert j0.max_depth == pytest.approx(2.36 * FT)
    assert j0.ground_elev == pytest.approx((4.48 + 2.36) * FT)
    assert j0.line == 564 and j0.x is not None
    out = nodes["OUT0"].attrs["swmm"]
    assert (out["outfall_type"], out["stage"], out["gated"]) == ("TIMESERIES", "base_30", "YES")
    c0 = next(lk for lk in model.links if lk.external_id == "C0")
    assert (c0.from_node, c0.to_node) == ("J88", "J84")
    assert c0.length == pytest.approx(506.95 * FT)
    assert c0.diameter == pytest.approx(4.0 * FT) and c0.shape == "circular"
    assert c0.roughness == 0.012 and c0.attrs["swmm"]["geom2"] == 0.0001
    pump = next(lk for lk in model.links if lk.kind == "pump").attrs["swmm"]
    assert pump == {"pump_curve": "pump1", "initial_status": "OFF", "startup_depth": 1.0,
                    "shutoff_depth": 0.5}
    s0 = model.subcatchments[0]
    assert (s0.external_id, s0.raingage, s0.outlet) == ("S0", "RG1", "J0")
    assert s0.area_ha == pytest.approx(1.904 * ACRE)
    assert s0.width_m == pytest.approx(1.0 * FT)
    assert (s0.imperv_pct, s0.slope_pct) == (40.0, 100.0)
    raw = model.options["swmm"]["sections"]
    assert {"TITLE", "OPTIONS", "RAINGAGES", "TIMESERIES", "CURVES", "CONTROLS"} <= set(raw)
    assert not {"JUNCTIONS", "CONDUITS", "XSECTIONS", "COORDINATES"} & set(raw)


@pytest.mark.parametrize("name", ["beta", "theta"])
def test_values_agree_with_what_swmm_reads(name: str, tmp_path: Path) -> None:
    """Every node invert, conduit offset and subcatchment as SWMM's own parser sees them."""
    src = tmp_path / f"{name}.inp"
    shutil.copy(PYSTORMS / f"{name}.inp", src)
    model, swmm = read_inp(src), _parameters(src)
    length = FT if model.options["swmm"]["flow_units"] == "CFS" else 1.0
    area = ACRE if length == FT else 1.0
    nodes = {n.external_id: n for n in model.nodes}
    assert swmm["nodes"].keys() == nodes.keys()
    for name_, inv in swmm["nodes"].items():
        assert nodes[name_].invert_elev == pytest.approx(inv * length, abs=1e-9)
    conduits = {lk.external_id: lk for lk in model.links if lk.kind == "conduit"}
    assert swmm["links"].keys() == conduits.keys()
    for name_, ends in swmm["links"].items():
        lk = conduits[name_]
        up, down = ends[lk.from_node], ends[lk.to_node]
        if lk.up_invert < lk.down_invert:  # laid uphill: SWMM swapped its offsets
            up, down = down, up
        assert lk.up_invert - nodes[lk.from_node].invert_elev == pytest.approx(up * length)
        assert lk.down_invert - nodes[lk.to_node].invert_elev == pytest.approx(down * length)
    subs = {s.external_id: s for s in model.subcatchments}
    for name_, (a, w, slope, imperv) in swmm["subs"].items():
        s = subs[name_]
        assert s.area_ha == pytest.approx(a * area)
        assert s.width_m == pytest.approx(w * length)
        assert s.slope_pct == pytest.approx(slope * 100)
        assert s.imperv_pct == pytest.approx(imperv * 100)


def test_elevation_offsets_are_absolute_inverts(tmp_path: Path) -> None:
    path = _delta_fixed(tmp_path)
    model, swmm = read_inp(path), _parameters(path)
    nodes = {n.external_id: n for n in model.nodes}
    links = {lk.external_id: lk for lk in model.links}
    # conduit_N43  basin_N4 -> basin_N3, offsets 853.5 / 848.2 written as elevations (ft)
    n43 = links["conduit_N43"]
    assert n43.up_invert == pytest.approx(853.5 * FT)
    assert n43.down_invert == pytest.approx(848.2 * FT)
    # an elevation of 0.0, below the node invert, means "at the invert" for SWMM
    assert links["conduit_NdownB"].up_invert == pytest.approx(nodes["junc_NdownB"].invert_elev)
    assert links["weir_C"].up_invert == pytest.approx(834.5 * FT)
    assert links["weir_C"].down_invert is None
    for name, ends in swmm["links"].items():
        lk = links[name]
        up, down = ends[lk.from_node], ends[lk.to_node]
        if lk.up_invert < lk.down_invert:  # laid uphill: SWMM swapped its offsets
            up, down = down, up
        assert lk.up_invert - nodes[lk.from_node].invert_elev == pytest.approx(up * FT, abs=1e-9)
        assert lk.down_invert - nodes[lk.to_node].invert_elev == pytest.approx(down * FT,
                                                                               abs=1e-9)


def test_ids_are_matched_without_case_like_swmm() -> None:
    model = read_inp(PYSWMM_DATA / "model_full_features.inp")  # subcatchment outlet 'j3'
    assert {s.outlet for s in model.subcatchments} <= {n.external_id for n in model.nodes}


def test_gb18030_file_with_chinese_ids_and_comments(tmp_path: Path) -> None:
    data = (DATA / "swmm_gb18030.inp").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    model = read_inp(DATA / "swmm_gb18030.inp")
    assert [n.external_id for n in model.nodes] == ["检查井1", "检查井2", "排放口1"]
    assert model.nodes[0].attrs["swmm"]["comment"] == "人民路与解放路交叉口"
    assert [lk.from_node for lk in model.links] == ["检查井1", "检查井2"]
    assert model.subcatchments[0].raingage == "雨量站1"
    sections = model.options["swmm"]["sections"]
    assert sections["备注"] == ["这一节不是 SWMM 的标准节，读取时原样保留"]
    assert "城南片区 雨水系统" in sections["TITLE"]
    out = tmp_path / "gb.inp"
    write_inp(model, out, encoding="gb18030")
    again = read_inp(out)
    assert [n.external_id for n in again.nodes] == ["检查井1", "检查井2", "排放口1"]
    assert again.options["swmm"]["sections"]["备注"] == sections["备注"]
    del model.options["swmm"]["sections"]["备注"]  # SWMM itself rejects unknown sections
    utf8 = tmp_path / "utf8.inp"
    write_inp(model, utf8)
    assert _run(utf8)["outflow"] > 0


# -- round trips through SWMM -----------------------------------------------------------------
@pytest.mark.parametrize(("src", "hours"), [
    (PYSTORMS / "theta.inp", 6),  # CMS, divider, functional storage, orifices
    (PYSTORMS / "gamma.inp", 6),  # CFS, Green-Ampt, tabular storage, LID sections
    (PYSTORMS / "epsilon.inp", 6),  # CFS, 28 000 lines, weirs, pollutants
    (PYSWMM_DATA / "model_full_features.inp", 6),  # CFS, ideal pump, weir, polygons
    (PYSWMM_DATA / "model_storage_pump_MGD.inp", 6),  # MGD, pump curve, storage
], ids=["theta", "gamma", "epsilon", "full_features", "storage_pump_MGD"])
def test_round_trip_runs_the_same_in_swmm(src: Path, hours: float, tmp_path: Path) -> None:
    original = tmp_path / "original.inp"
    _shorten_file(src, original, hours)
    model = read_inp(original)
    written = tmp_path / "written.inp"
    write_inp(model, written)
    _assert_same_run(_run(original), _run(written))
    again = read_inp(written)
    assert len(again.nodes) == len(model.nodes) and len(again.links) == len(model.links)


def test_round_trip_of_elevation_offsets_runs_alike(tmp_path: Path) -> None:
    """delta.inp has depth-triggered controls: written offsets differ in the 13th digit,
    which moves a control switch by a step, so totals are compared, not every peak."""
    original = tmp_path / "delta_short.inp"
    _shorten_file(_delta_fixed(tmp_path), original, 6)
    written = tmp_path / "written.inp"
    write_inp(read_inp(original), written)
    assert "LINK_OFFSETS         DEPTH" in written.read_text()
    a, b = _run(original), _run(written)
    assert a["outflow"] > 0
    assert b["outflow"] == pytest.approx(a["outflow"], rel=1e-3)
    assert b["runoff"] == pytest.approx(a["runoff"], rel=1e-9)
    pa, pb = _parameters(original), _parameters(written)
    for name, ends in pa["links"].items():
        assert pb["links"][name].keys() == ends.keys()
        for node, offset in ends.items():
            assert pb["links"][name][node] == pytest.approx(offset, abs=1e-9)


def test_beta_records_survive_write_and_read(tmp_path: Path) -> None:
    model = read_inp(PYSTORMS / "beta.inp")
    write_inp(model, tmp_path / "beta.inp")
    again = read_inp(tmp_path / "beta.inp")
    assert again.options["swmm"]["flow_units"] == "CFS"
    for a, b in zip(model.nodes, again.nodes, strict=True):
        assert (a.external_id, a.kind, a.x, a.y) == (b.external_id, b.kind, b.x, b.y)
        for f in ("invert_elev", "max_depth", "ground_elev"):
            assert getattr(b, f) == pytest.approx(getattr(a, f), abs=1e-9)
        assert b.attrs == a.attrs
    for a, b in zip(model.links, again.links, strict=True):
        assert (a.external_id, a.kind, a.from_node, a.to_node, a.shape, a.vertices) == (
            b.external_id, b.kind, b.from_node, b.to_node, b.shape, b.vertices)
        for f in ("length", "diameter", "height", "width", "up_invert", "down_invert",
                  "roughness"):
            assert getattr(b, f) == pytest.approx(getattr(a, f), abs=1e-9)
        assert b.attrs == a.attrs
    for a, b in zip(model.subcatchments, again.subcatchments, strict=True):
        assert (a.outlet, a.raingage, a.polygon, a.attrs) == (b.outlet, b.raingage, b.polygon,
                                                              b.attrs)
        assert b.area_ha == pytest.approx(a.area_ha) and b.width_m == pytest.approx(a.width_m)


# -- a model built in code --------------------------------------------------------------------
def _tiny_model(flow_units: str | None = None) -> NetworkModel:
    """Two manholes, an outfall, two pipes and one subcatchment, without any raw section but
    a rain gauge and its time series (in mm/h, or in/h for US units)."""
    per_hour = 1 / 25.4 if flow_units == "CFS" else 1.0
    rain = [("0:00", 0), ("0:30", 30), ("1:00", 45), ("1:30", 10), ("2:00", 0)]
    swmm: dict = {"sections": {
        "RAINGAGES": ["RG1 INTENSITY 0:30 1.0 TIMESERIES TS1"],
        "TIMESERIES": [f"TS1 {t} {v * per_hour:.6f}" for t, v in rain]}}
    if flow_units:
        swmm["flow_units"] = flow_units
    return NetworkModel(
        format="swmm",
        nodes=[NodeRecord("MH1", "manhole", 0.0, 0.0, invert_elev=10.0, max_depth=2.0,
                          ground_elev=12.0),
               NodeRecord("MH2", "manhole", 100.0, 0.0, invert_elev=9.5, max_depth=2.0,
                          ground_elev=11.5),
               NodeRecord("OUT1", "outfall", 200.0, 0.0, invert_elev=9.0)],
        links=[LinkRecord("P1", "conduit", "MH1", "MH2", diameter=0.5, length=100.0,
                          roughness=0.013, up_invert=10.0, down_invert=9.5),
               LinkRecord("P2", "conduit", "MH2", "OUT1", vertices=[(150.0, 10.0)],
                          diameter=0.6, up_invert=9.6, down_invert=9.0)],
        subcatchments=[SubcatchmentRecord(
            "S1", "MH1", raingage="RG1", area_ha=2.0, imperv_pct=60.0, width_m=150.0,
            slope_pct=1.0, polygon=[(0.0, 0.0), (0.0, 100.0), (100.0, 100.0), (100.0, 0.0)])],
        options={"swmm": swmm})


def test_model_built_in_code_runs_in_swmm(tmp_path: Path) -> None:
    path = tmp_path / "tiny.inp"
    write_inp(_tiny_model(), path)
    text = path.read_text()
    for expected in ("FLOW_UNITS           CMS", "INFILTRATION         HORTON",
                     "FLOW_ROUTING         DYNWAVE", "[REPORT]", "[POLYGONS]", "[VERTICES]"):
        assert expected in text
    assert re.search(r"^S1 +0\.012 +0\.15 +1\.27 +5\.08 +25 +OUTLET$", text, re.M)
    assert re.search(r"^S1 +76\.2 +12\.7 +4 +7 +0$", text, re.M)
    assert re.search(r"^OUT1 +9 +FREE +NO$", text, re.M)
    result = _run(path)
    assert result["runoff"] > 0 and result["outflow"] > 0
    assert result["depth"]["MH2"] > 0
    back = read_inp(path)
    p2 = back.links[1]
    assert p2.length == pytest.approx(2 * math.hypot(50.0, 10.0))  # along its vertex
    assert p2.up_invert == pytest.approx(9.6) and p2.down_invert == pytest.approx(9.0)
    assert p2.diameter == 0.6 and p2.roughness == 0.013 and p2.vertices == [(150.0, 10.0)]
    assert back.nodes[0].ground_elev == pytest.approx(12.0)
    assert back.subcatchments[0].polygon == _tiny_model().subcatchments[0].polygon


def test_same_model_in_us_units_gives_the_same_flows(tmp_path: Path) -> None:
    si, us = tmp_path / "si.inp", tmp_path / "us.inp"
    write_inp(_tiny_model(), si)
    write_inp(_tiny_model("CFS"), us)
    text = us.read_text()
    assert re.search(r"^P1 +MH1 +MH2 +328\.08398\d* +0\.013", text, re.M)  # 100 m in ft
    assert re.search(r"^S1 +RG1 +MH1 +4\.94210\d*", text, re.M)  # 2 ha in acres
    a, b = _run(si), _run(us)
    m3_per_ft3 = FT**3
    assert b["outflow"] * m3_per_ft3 == pytest.approx(a["outflow"], rel=1e-3)
    assert b["depth"]["MH2"] * FT == pytest.approx(a["depth"]["MH2"], rel=1e-3)
    back = read_inp(us)
    assert back.links[0].length == pytest.approx(100.0)
    assert back.subcatchments[0].area_ha == pytest.approx(2.0)
    assert back.nodes[1].invert_elev == pytest.approx(9.5)


# -- errors -----------------------------------------------------------------------------------
def _expected_marks(path: Path) -> list[tuple[int, str]]:
    """The (line, field) pairs marked "expect <Field>" in a hand-written bad file."""
    marks = []
    for number, line in enumerate(path.read_text().split("\n"), start=1):
        m = re.search(r";\s*expect (\S+)", line)
        if m:
            marks.append((number, m.group(1)))
    return marks


def test_bad_file_reports_every_problem_with_line_and_field() -> None:
    path = DATA / "bad" / "swmm_errors.inp"
    with pytest.raises(InputRejected) as caught:
        read_inp(path)
    problems = caught.value.problems
    assert {p.file for p in problems} == {"swmm_errors.inp"}
    assert [(p.line, p.field) for p in problems] == _expected_marks(path)
    messages = {p.line: p.message for p in problems}
    assert messages[35] == "Length: 'abc' is not a number"
    assert messages[36] == "ToNode: node 'J9' is not defined"
    assert messages[26] == "duplicate node id 'J1' (first defined on line 24)"
    assert messages[37] == "[CONDUITS] needs at least 7 values, found 5"
    assert messages[39] == "conduit 'C4' has no [XSECTIONS] line"
    assert str(caught.value).startswith("swmm_errors.inp, line 14, field RainGage: ")


def test_file_neither_utf8_nor_gb18030_is_rejected() -> None:
    with pytest.raises(InputRejected) as caught:
        read_inp(DATA / "bad" / "swmm_latin1.inp")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("swmm_latin1.inp", 6)
    assert "neither UTF-8 nor GB18030" in problem.message


def test_real_file_with_vertices_of_a_missing_link_is_rejected() -> None:
    """pystorms' alpha.inp keeps map vertices of a link 'P5' that the model no longer has."""
    with pytest.raises(InputRejected) as caught:
        read_inp(PYSTORMS / "alpha.inp")
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (430, "Link", "link 'P5' is not defined")]


def test_problems_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "many.inp"
    path.write_text("[JUNCTIONS]\n" + "".join(f"J{i} high 2\n" for i in range(500)))
    with pytest.raises(InputRejected) as caught:
        read_inp(path)
    problems = caught.value.problems
    assert len(problems) == 200
    assert [p.line for p in problems] == list(range(2, 202))
    assert str(caught.value).endswith("(+199 more)")


def test_writer_rejects_links_to_missing_nodes(tmp_path: Path) -> None:
    model = _tiny_model()
    model.links[1].to_node = "NOWHERE"
    model.nodes[0].invert_elev = model.nodes[0].ground_elev = None
    with pytest.raises(InputRejected) as caught:
        write_inp(model, tmp_path / "bad.inp")
    found = {(p.field, p.message) for p in caught.value.problems}
    assert ("ToNode", "link 'P2': node 'NOWHERE' is not in the model") in found
    assert ("invert_elev", "node 'MH1' has no invert elevation") in found
    assert not (tmp_path / "bad.inp").exists()

"""EPANET .inp reading and writing, checked against wntr and the EPANET engine on real models."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import wntr
from wntr.epanet import toolkit

from zhishui.core.errors import InputRejected
from zhishui.network.io.epanet import read_inp, write_inp
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

FT, INCH = 0.3048, 0.0254
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
L_TOWN = (ROOT / ".." / "shared" / "data" / "networks" / "L-TOWN.inp").resolve()
NET3 = Path(importlib.util.find_spec("wntr").origin).parent / "library" / "networks" / "Net3.inp"
EN_NODECOUNT, EN_PRESSURE, EN_LINKCOUNT, EN_FLOW = 0, 11, 2, 8


def _epanet_run(path: Path, tmp: Path, hours: int, link_ids: list[str]
                ) -> dict[int, dict[str, float]]:
    """Hourly pressures (node id) and flows ("link:" + id) from the EPANET engine itself."""
    en = toolkit.ENepanet()
    en.ENopen(str(path), str(tmp / f"{path.stem}.rpt"), str(tmp / f"{path.stem}.bin"))
    en.ENopenH()
    en.ENinitH(0)
    nodes = [en.ENgetnodeid(i) for i in range(1, en.ENgetcount(EN_NODECOUNT) + 1)]
    assert en.ENgetcount(EN_LINKCOUNT) == len(link_ids)
    links = {k: en.ENgetlinkindex(k) for k in link_ids}
    out: dict[int, dict[str, float]] = {}
    while True:
        t = en.ENrunH()
        if t % 3600 == 0:
            values = {n: en.ENgetnodevalue(i, EN_PRESSURE) for i, n in enumerate(nodes, 1)}
            values |= {f"link:{k}": en.ENgetlinkvalue(i, EN_FLOW) for k, i in links.items()}
            out[t] = values
        if en.ENnextH() <= 0 or t >= hours * 3600:
            break
    en.ENcloseH()
    en.ENclose()
    return out


def _wntr_pressures(path: Path, tmp: Path) -> dict:
    wn = wntr.network.WaterNetworkModel(str(path))
    wn.options.time.duration = 3 * 3600
    results = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=str(tmp / f"wntr_{path.stem}"))
    return results.node["pressure"]


# -- reading ----------------------------------------------------------------------------------
def test_l_town_counts_values_and_raw_sections() -> None:
    model = read_inp(L_TOWN)
    assert model.format == "epanet" and model.source == "L-TOWN.inp" and model.crs is None
    assert model.options["epanet"]["flow_units"] == "CMH"
    assert model.options["epanet"]["headloss"] == "H-W"
    kinds = [n.kind for n in model.nodes]
    assert (kinds.count("junction"), kinds.count("reservoir"), kinds.count("tank")) == (782, 2, 1)
    links = [lk.kind for lk in model.links]
    assert (links.count("pipe"), links.count("pump"), links.count("valve")) == (905, 1, 3)
    n1 = model.nodes[0]
    assert (n1.external_id, n1.line, n1.invert_elev) == ("n1", 7, 73.2105)  # CRLF file
    assert n1.attrs["epanet"] == {"comment": "AMR & PRESSURE SENSOR", "demand": 0.0,
                                  "pattern": "P-Residential"}
    assert (n1.x, n1.y) == (138.22, 1549.64)
    p1 = model.links[0]
    assert (p1.external_id, p1.from_node, p1.to_node) == ("p1", "n62", "n61")
    assert (p1.length, p1.diameter, p1.roughness) == (26.9292, pytest.approx(0.2), 140.0)
    assert p1.attrs["epanet"] == {"minor_loss": 0.0, "status": "OPEN"}
    prv = next(lk for lk in model.links if lk.external_id == "PRV-1")
    assert prv.kind == "valve" and prv.diameter == pytest.approx(0.2)
    assert prv.attrs["epanet"] == {"valve_type": "PRV", "setting": 40.0, "minor_loss": 0.0}
    pump = next(lk for lk in model.links if lk.kind == "pump")
    assert pump.attrs["epanet"] == {"comment": "FLOW SENSOR", "head_curve": "1"}
    tank = next(n for n in model.nodes if n.kind == "tank")
    assert (tank.invert_elev, tank.max_depth) == (98.68, 4.0)
    assert tank.attrs["epanet"]["diameter"] == 16.0
    raw = model.options["epanet"]["sections"]
    assert {"TITLE", "OPTIONS", "PATTERNS", "CURVES", "CONTROLS", "DEMANDS", "TIMES", "REPORT",
            "ENERGY", "REACTIONS", "BACKDROP"} <= set(raw)
    assert not {"JUNCTIONS", "PIPES", "COORDINATES", "END"} & set(raw)
    assert sum("P-Residential" in ln for ln in raw["PATTERNS"]) > 100


@pytest.mark.parametrize("path", [L_TOWN, NET3], ids=["L-TOWN", "Net3"])
def test_values_agree_with_wntr_in_metres(path: Path) -> None:
    """wntr converts to SI on its own: lengths, diameters, elevations must match ours."""
    model, wn = read_inp(path), wntr.network.WaterNetworkModel(str(path))
    links = {lk.external_id: lk for lk in model.links}
    assert set(links) == set(wn.link_name_list)
    for name, pipe in wn.pipes():
        assert links[name].length == pytest.approx(pipe.length, rel=1e-9)
        assert links[name].diameter == pytest.approx(pipe.diameter, rel=1e-9)
        assert links[name].roughness == pytest.approx(pipe.roughness, rel=1e-9)
    for name, valve in wn.valves():
        assert links[name].diameter == pytest.approx(valve.diameter, rel=1e-9)
    nodes = {n.external_id: n for n in model.nodes}
    assert set(nodes) == set(wn.node_name_list)
    for name, junction in wn.junctions():
        assert nodes[name].invert_elev == pytest.approx(junction.elevation, rel=1e-9)
    for name, reservoir in wn.reservoirs():
        assert nodes[name].invert_elev == pytest.approx(reservoir.base_head, rel=1e-9)
    for name, tank in wn.tanks():
        assert nodes[name].invert_elev == pytest.approx(tank.elevation, rel=1e-9)
        assert nodes[name].max_depth == pytest.approx(tank.max_level, rel=1e-9)
    for name, node in wn.nodes():
        assert (nodes[name].x, nodes[name].y) == pytest.approx(node.coordinates)


def test_net3_us_units_spot_checks() -> None:
    model = read_inp(NET3)
    assert model.options["epanet"]["flow_units"] == "GPM"
    links = {lk.external_id: lk for lk in model.links}
    nodes = {n.external_id: n for n in model.nodes}
    assert links["60"].length == pytest.approx(1231 * FT)  # 60  River  60  1231 ft  24 in
    assert links["60"].diameter == pytest.approx(24 * INCH)
    assert links["330"].attrs["epanet"]["status"] == "CLOSED"
    assert links["10"].attrs["epanet"] == {"head_curve": "1"}
    assert nodes["101"].attrs["epanet"]["demand"] == 189.95  # flow units, as written
    assert nodes["1"].invert_elev == pytest.approx(131.9 * FT)
    assert nodes["1"].max_depth == pytest.approx(32.1 * FT)
    assert nodes["1"].attrs["epanet"]["init_level"] == 13.1  # ft, as written
    assert nodes["River"].invert_elev == pytest.approx(220.0 * FT)


# -- round trips ------------------------------------------------------------------------------
@pytest.mark.parametrize("src", [L_TOWN, NET3], ids=["L-TOWN", "Net3"])
def test_round_trip_gives_the_same_network_and_hydraulics(src: Path, tmp_path: Path) -> None:
    original = tmp_path / "original.inp"
    shutil.copy(src, original)
    model = read_inp(original)
    written = tmp_path / "written.inp"
    write_inp(model, written)
    a, b = (wntr.network.WaterNetworkModel(str(p)) for p in (original, written))
    for attr in ("num_junctions", "num_tanks", "num_reservoirs", "num_pipes", "num_pumps",
                 "num_valves", "num_patterns", "num_curves", "num_controls"):
        assert getattr(b, attr) == getattr(a, attr), attr
    for name, pipe in a.pipes():
        other = b.get_link(name)
        assert (other.start_node_name, other.end_node_name) == (pipe.start_node_name,
                                                               pipe.end_node_name)
        assert other.length == pytest.approx(pipe.length, rel=1e-9)
        assert other.diameter == pytest.approx(pipe.diameter, rel=1e-9)
        assert other.initial_status == pipe.initial_status
    for name, node in a.junctions():
        assert b.get_node(name).base_demand == pytest.approx(node.base_demand, rel=1e-9)
    pa, pb = _wntr_pressures(original, tmp_path), _wntr_pressures(written, tmp_path)
    assert pa.shape == pb.shape and pa.to_numpy().max() > 10
    assert abs(pa - pb).to_numpy().max() < 1e-6
    ids = [lk.external_id for lk in model.links]
    ea, eb = _epanet_run(original, tmp_path, 6, ids), _epanet_run(written, tmp_path, 6, ids)
    assert ea.keys() == eb.keys() and len(ea) == 7
    for t, values in ea.items():
        assert eb[t].keys() == values.keys()
        for key, v in values.items():
            assert eb[t][key] == pytest.approx(v, abs=1e-6), (t, key)


def test_model_built_in_code_runs_in_epanet(tmp_path: Path) -> None:
    model = NetworkModel(
        format="epanet",
        nodes=[NodeRecord("R1", "reservoir", 0.0, 0.0, invert_elev=60.0),
               NodeRecord("J1", "junction", 500.0, 0.0, invert_elev=20.0,
                          attrs={"epanet": {"demand": 5.0}}),
               NodeRecord("H1", "hydrant", 500.0, 400.0, ground_elev=22.0,
                          attrs={"epanet": {"demand": 2.0}})],
        links=[LinkRecord("P1", "pipe", "R1", "J1", diameter=0.2, roughness=120.0),
               LinkRecord("P2", "pipe", "J1", "H1", vertices=[(600.0, 200.0)], diameter=0.1,
                          length=450.0)])
    path = tmp_path / "supply.inp"
    write_inp(model, path)
    text = path.read_text()
    assert re.search(r"^ Units +LPS$", text, re.M) and text.rstrip().endswith("[END]")
    assert re.search(r"^P1 +R1 +J1 +500 +200 +120 +0 +OPEN$", text, re.M)  # length measured
    wn = wntr.network.WaterNetworkModel(str(path))
    assert wn.get_link("P2").diameter == pytest.approx(0.1)
    assert wn.get_node("J1").base_demand == pytest.approx(0.005)  # 5 L/s in m3/s
    pressures = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=str(tmp_path / "s"))
    p = pressures.node["pressure"].iloc[0]
    assert 30 < p["J1"] < 40 and 25 < p["H1"] < p["J1"]
    back = read_inp(path)
    kinds = {n.external_id: (n.kind, n.invert_elev) for n in back.nodes}
    assert kinds == {"R1": ("reservoir", 60.0), "J1": ("junction", 20.0),
                     "H1": ("junction", 22.0)}
    assert back.links[1].vertices == [(600.0, 200.0)]


def test_us_units_are_written_back_in_feet_and_inches(tmp_path: Path) -> None:
    model = read_inp(NET3)
    write_inp(model, tmp_path / "net3.inp")
    line = next(ln for ln in (tmp_path / "net3.inp").read_text().split("\n")
                if ln.split()[:2] == ["60", "River"])
    assert line.split()[:6] == ["60", "River", "60", "1231", "24", "140"]


def test_unknown_section_is_kept_and_written_back(tmp_path: Path) -> None:
    text = NET3.read_text().replace("[END]", "[ZHISHUI]\nkept as written ; with its comment\n")
    path = tmp_path / "net3.inp"
    path.write_text(text)
    model = read_inp(path)
    assert model.options["epanet"]["sections"]["ZHISHUI"] == [
        "kept as written ; with its comment"]
    write_inp(model, tmp_path / "out.inp")
    assert "[ZHISHUI]\nkept as written ; with its comment\n" in (tmp_path / "out.inp").read_text()


# -- errors -----------------------------------------------------------------------------------
def test_bad_file_reports_every_problem_with_line_and_field() -> None:
    path = DATA / "bad" / "epanet_errors.inp"
    with pytest.raises(InputRejected) as caught:
        read_inp(path)
    problems = caught.value.problems
    expected = [(n, m.group(1)) for n, line in enumerate(path.read_text().split("\n"), 1)
                if (m := re.search(r";\s*expect (\S+)", line))]
    assert [(p.line, p.field) for p in problems] == expected
    assert {p.file for p in problems} == {"epanet_errors.inp"}
    messages = {p.line: p.message for p in problems}
    assert messages[7] == "Elevation: 'ten' is not a number"
    assert messages[18] == "Node2: node 'J9' is not defined"
    assert messages[20] == "[PIPES] needs at least 6 values, found 4"
    assert messages[22] == "duplicate link id 'P1' (first defined on line 17)"


def test_writer_rejects_what_epanet_cannot_take(tmp_path: Path) -> None:
    model = NetworkModel(format="epanet", nodes=[NodeRecord("J1", "junction")],
                         links=[LinkRecord("PU1", "pump", "J1", "J2")])
    with pytest.raises(InputRejected) as caught:
        write_inp(model, tmp_path / "bad.inp")
    assert {p.field for p in caught.value.problems} == {"Elevation", "Node2", "Parameters"}
    assert not (tmp_path / "bad.inp").exists()

"""Exports from the registry: SWMM runs in pyswmm, EPANET loads in wntr, GIS files read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import wntr
from pyswmm import Simulation
from tests.factories import load_storm

from zhishui.core.errors import InputRejected, ValidationFailed
from zhishui.network.export import export_network
from zhishui.network.importing import import_file
from zhishui.network.io.gdal import read_network_layers
from zhishui.org.scope import SYSTEM

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _outflow_m3(path: Path) -> float:
    with Simulation(str(path)) as sim:
        for _ in sim:
            pass
        return _total_outfall_volume(sim)


def _total_outfall_volume(sim: Simulation) -> float:
    from pyswmm import Nodes

    return sum(n.cumulative_inflow for n in Nodes(sim) if n.is_outfall())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_swmm_import_export_runs_in_swmm(county, tmp_path):
    from zhishui.demo import build_demo
    from zhishui.network.io.swmm import write_inp

    src = tmp_path / "catchment.inp"
    write_inp(build_demo().catchment, src)
    with county.unit_of_work() as s:
        import_file(s, src, SYSTEM, network="catchment", kind="storm", crs="EPSG:4549")
    out = tmp_path / "catchment-out.inp"
    with county.unit_of_work() as s:
        model = export_network(s, "catchment", "swmm", out, SYSTEM)
    assert len(model.subcatchments) > 100 and model.crs == "EPSG:4549"
    first, second = _outflow_m3(src), _outflow_m3(out)
    assert first > 1000
    assert second == pytest.approx(first, rel=1e-3)


def test_local_coordinates_without_crs_are_rejected(county, tmp_path):
    import pystorms

    src = tmp_path / "theta.inp"
    shutil.copy(Path(pystorms.__file__).parent / "networks" / "theta.inp", src)
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_file(s, src, SYSTEM, network="theta", kind="combined")
    p = err.value.problems[0]
    assert p.file == "theta.inp" and p.field == "x/y" and p.line and "--crs" in p.message


def test_epanet_import_export_loads_in_wntr(county, tmp_path):
    from zhishui.demo import place_ltown
    from zhishui.network.service import import_network
    from zhishui.seed.demo import _supply_model

    with county.unit_of_work() as s:
        import_network(s, _supply_model(), "ltown", "supply", SYSTEM, "330523")
    out = tmp_path / "ltown.inp"
    with county.unit_of_work() as s:
        export_network(s, "ltown", "epanet", out, SYSTEM)
    original = wntr.network.WaterNetworkModel(str(SHARED / "networks" / "L-TOWN.inp"))
    again = wntr.network.WaterNetworkModel(str(out))
    assert again.num_junctions == original.num_junctions == 782
    assert again.num_pipes == original.num_pipes == 905
    p0, p1 = original.get_link("p257"), again.get_link("p257")
    assert p1.length == pytest.approx(p0.length) and p1.diameter == pytest.approx(p0.diameter)
    x0, y0 = place_ltown(*original.get_node("n1").coordinates)
    x1, y1 = again.get_node("n1").coordinates
    assert (x1, y1) == pytest.approx((x0, y0), abs=1e-3)  # back in the source CRS, EPSG:4549


@pytest.mark.parametrize("fmt,suffix", [("gpkg", ".gpkg"), ("geojson", ".geojson")])
def test_gis_export_reads_back(county, tmp_path, fmt, suffix):
    load_storm(county)
    out = tmp_path / f"storm{suffix}"
    with county.unit_of_work() as s:
        export_network(s, "storm-a", fmt, out, SYSTEM)
    model = read_network_layers(out)
    assert sorted(lk.external_id for lk in model.links) == ["P0", "P1", "P2", "P3", "P4"]
    p2 = next(lk for lk in model.links if lk.external_id == "P2")
    assert p2.diameter == pytest.approx(0.5) and p2.material == "concrete"


def test_unknown_export_format(county, tmp_path):
    load_storm(county)
    with pytest.raises(ValidationFailed), county.unit_of_work() as s:
        export_network(s, "storm-a", "dwg", tmp_path / "x.dwg", SYSTEM)

"""Imports of real files through the registry: GIS networks, Excel components, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from zhishui.core.errors import InputRejected
from zhishui.network.importing import import_file
from zhishui.network.models import Component, Link, Network, Node
from zhishui.org.scope import SYSTEM

GIS = Path(__file__).resolve().parents[1] / "data" / "gis"


def count(ctx, model) -> int:
    with ctx.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_geopackage_in_cgcs2000_gauss_kruger_lands_in_anji(county):
    with county.unit_of_work() as s:
        result = import_file(
            s, GIS / "ltown_anji.gpkg", SYSTEM, network="supply-gpkg", kind="supply"
        )
    assert result["inserted"]["links"] == 50
    with county.unit_of_work() as s:
        net = s.scalar(select(Network))
        assert net.source_crs == "EPSG:4549"
        assert 0 < s.scalar(select(func.min(Link.length))) < s.scalar(select(func.max(Link.length)))
        for node in s.scalars(select(Node)):
            assert 119.5 < node.geom.x < 119.9 and 30.5 < node.geom.y < 30.8
    with county.unit_of_work() as s:
        again = import_file(s, GIS / "ltown_anji.gpkg", SYSTEM, network="supply-gpkg")
    assert again["inserted"]["links"] == 0 and again["updated"]["links"] == 50
    assert count(county, Link) == 50


def test_gbk_shapefile_without_cpg_is_read(county):
    with county.unit_of_work() as s:
        result = import_file(s, GIS / "shp_gbk" / "pipes.shp", SYSTEM, network="shp", kind="sewer")
    assert result["inserted"]["links"] > 0


def test_bad_geojson_is_rejected_and_nothing_is_written(county):
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_file(s, GIS / "bad_network.geojson", SYSTEM, network="bad", kind="storm")
    problem = err.value.problems[0]
    assert problem.file == "bad_network.geojson" and problem.line and problem.field
    assert count(county, Network) == 0 and count(county, Node) == 0


def test_excel_component_list(county):
    with county.unit_of_work() as s:
        result = import_file(s, GIS / "components.xlsx", SYSTEM, target="components")
    assert result == {"inserted": 30, "updated": 0}
    with county.unit_of_work() as s:
        comp = s.scalar(select(Component).where(Component.code == "3305230101000001"))
        assert comp.class_code == "0101" and comp.owner_department == "安吉县住建局"
        assert comp.geom.x == pytest.approx(119.675)
    with county.unit_of_work() as s:
        assert import_file(s, GIS / "components.xlsx", SYSTEM, target="components") == {
            "inserted": 0,
            "updated": 30,
        }


def test_bad_excel_names_row_and_column(county):
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_file(s, GIS / "bad_components.xlsx", SYSTEM, target="components")
    p = err.value.problems[0]
    assert p.file == "bad_components.xlsx" and p.line and p.field
    assert count(county, Component) == 0

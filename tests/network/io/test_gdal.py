"""Tests of GeoPackage / Shapefile / GeoJSON network reading, validation and writing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio.raw import write as raw_write
from pyproj import Transformer

from zhishui.core.errors import InputRejected, ValidationFailed
from zhishui.network.io.fieldmap import FieldMapping, default_mapping, to_dimension, to_year
from zhishui.network.io.gdal import read_feature_layer, read_network_layers, write_network
from zhishui.network.io.gdal_read import declared_encoding
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

GIS = Path(__file__).resolve().parents[2] / "data" / "gis"
GPKG = GIS / "ltown_anji.gpkg"
SHP_DIR = GIS / "shp_gbk"
GEOJSON = GIS / "ltown_4326.geojson"
ANJI_BOX = (119.60, 119.76, 30.58, 30.68)


@pytest.fixture(scope="module")
def gpkg() -> NetworkModel:
    return read_network_layers(GPKG)


def where(exc: pytest.ExceptionInfo) -> set[tuple]:
    return {(p.file, p.line, p.field) for p in exc.value.problems}


def geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def feature(geom: dict | None, **props: object) -> dict:
    return {"type": "Feature", "geometry": geom, "properties": props}


def pt(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def ln(*coords: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


# --- reading the fixtures ---------------------------------------------------------------

def test_gpkg_layers_crs_and_counts(gpkg):
    assert gpkg.format == "gpkg" and gpkg.crs == "EPSG:4549" and gpkg.source == GPKG.name
    assert len(gpkg.nodes) == 47 and len(gpkg.links) == 50
    assert gpkg.options["gis"]["layers"] == {"manholes": "nodes", "pipes": "links"}
    assert not any(n.attrs.get("generated") for n in gpkg.nodes)


def test_gpkg_node_lands_in_anji_as_pyproj_says(gpkg):
    n1 = next(n for n in gpkg.nodes if n.external_id == "n1")
    lon, lat = Transformer.from_crs(4549, 4326, always_xy=True).transform(n1.x, n1.y)
    assert ANJI_BOX[0] < lon < ANJI_BOX[1] and ANJI_BOX[2] < lat < ANJI_BOX[3]
    from_geojson = next(n for n in read_network_layers(GEOJSON).nodes if n.external_id == "n1")
    assert lon == pytest.approx(from_geojson.x, abs=1e-9)
    assert lat == pytest.approx(from_geojson.y, abs=1e-9)


def test_gpkg_chinese_fields_and_values_are_mapped(gpkg):
    n1 = next(n for n in gpkg.nodes if n.external_id == "n1")
    assert n1.kind == "outfall"                      # 排放口
    assert (n1.ground_elev, n1.invert_elev, n1.max_depth) == (73.21, 71.71, 1.5)
    assert n1.attrs == {"权属单位": "安吉县住建局", "备注": "L-TOWN n1"}
    assert n1.line == 1
    kinds = {n.kind for n in gpkg.nodes}
    assert kinds == {"manhole", "inlet", "outfall"}
    p = next(k for k in gpkg.links if k.external_id == "p253")
    assert (p.from_node, p.to_node) == ("n1", "n347")
    assert p.diameter == pytest.approx(0.1)          # 管径 100 (mm)
    assert p.material == "concrete"                  # 砼
    assert p.length == pytest.approx(68.097)         # 管长, not the geometry length
    assert (p.up_invert, p.down_invert) == (71.71, 71.862)
    assert p.install_year == 1995 and p.owner_department == "安吉县住建局"
    assert p.kind == "conduit" and p.status == "in_service"
    assert p.attrs == {"所在道路": "天目路"}
    assert p.vertices == [(469093.65, 3390197.469)]  # interior vertex only
    assert {k.material for k in gpkg.links} == {"concrete", "pe", "ductile_iron", "pvc"}


def test_gbk_shapefile_without_cpg_is_decoded_and_snapped(gpkg):
    assert not list(SHP_DIR.glob("*.cpg"))
    model = read_network_layers(SHP_DIR)
    assert model.format == "shapefile" and model.crs == "EPSG:4549"
    assert len(model.nodes) == 47 and len(model.links) == 50
    by_id = {k.external_id: k for k in gpkg.links}
    for link in model.links:
        assert (link.from_node, link.to_node) == (by_id[link.external_id].from_node,
                                                  by_id[link.external_id].to_node)
    p = next(k for k in model.links if k.external_id == "p253")
    assert p.attrs["所在道路"] == "天目路" and p.material == "concrete"
    assert p.install_year == 1995                    # "1995年"
    assert p.up_invert == pytest.approx(71.71)       # 地面高程 73.21 - 起点埋深 1.5
    assert p.down_invert == pytest.approx(71.862)
    assert p.length == pytest.approx(68.386, abs=1e-3)  # measured: 管长 is absent


def test_single_shapefile_of_lines_gets_generated_nodes(gpkg):
    model = read_network_layers(SHP_DIR / "pipes.shp")
    assert len(model.links) == 50 and len(model.nodes) == 47
    assert all(n.attrs == {"generated": True} and n.kind == "manhole" for n in model.nodes)
    ids = {n.external_id for n in model.nodes}
    assert "p253-up" in ids and "p253-dn" in ids
    ref_nodes = {n.external_id: (n.x, n.y) for n in gpkg.nodes}
    ref_links = {k.external_id: k for k in gpkg.links}
    xy = {n.external_id: (n.x, n.y) for n in model.nodes}
    for link in model.links:
        ref = ref_links[link.external_id]
        assert xy[link.from_node] == ref_nodes[ref.from_node]
        assert xy[link.to_node] == ref_nodes[ref.to_node]
    again = read_network_layers(SHP_DIR / "pipes.shp")
    assert [(k.from_node, k.to_node) for k in again.links] == [
        (k.from_node, k.to_node) for k in model.links]


def test_geojson_in_4326_with_english_fields(gpkg):
    model = read_network_layers(GEOJSON)
    assert model.crs == "EPSG:4326" and model.format == "geojson"
    assert model.options["gis"]["snap_tolerance"] == 1e-7
    assert {(k.external_id, k.from_node, k.to_node) for k in model.links} == {
        (k.external_id, k.from_node, k.to_node) for k in gpkg.links}
    p = next(k for k in model.links if k.external_id == "p253")
    assert p.diameter == pytest.approx(0.1) and p.material == "concrete"
    assert p.up_invert == 71.71 and p.install_year == 1995


@pytest.mark.parametrize("folder", ["", "shp_gbk/"])
def test_zipped_shapefiles(tmp_path, folder):
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part in sorted(SHP_DIR.iterdir()):
            zf.write(part, folder + part.name)
    model = read_network_layers(path)
    assert model.source == "upload.zip" and model.format == "shapefile"
    assert len(model.nodes) == 47 and len(model.links) == 50
    assert model.links[0].attrs["所在道路"] == "天目路"


def test_crs_argument_overrides_the_file():
    assert read_network_layers(GEOJSON, crs="4490").crs == "EPSG:4490"


def test_custom_mapping_from_dict():
    mapping = FieldMapping.from_dict({
        "fields": {"diameter": "管径", "name": ["所在道路"]},
        "values": {"material": {"砼": "reinforced_concrete"}, "kind": {"检查井": "junction"}},
        "diameter_unit": "mm",
        "defaults": {"link_kind": "pipe", "roughness": 140},
        "layers": {"nodes": ["manholes"], "links": ["pipes"]},
    })
    model = read_network_layers(GPKG, mapping)
    p = next(k for k in model.links if k.external_id == "p253")
    assert p.material == "reinforced_concrete" and p.kind == "pipe" and p.roughness == 140
    assert p.name == "天目路" and "所在道路" not in p.attrs
    assert "junction" in {n.kind for n in model.nodes}


def test_plain_dict_mapping_with_shorthand():
    model = read_network_layers(GPKG, {"diameter": "管径", "diameter_unit": "m"})
    assert next(k for k in model.links if k.external_id == "p253").diameter == 100.0
    [rec, *_] = read_feature_layer(GPKG, None, "outfall", {"code": "备注"}, layer="manholes")
    assert rec.code == "L-TOWN n1" and rec.attrs["编号"] == "n1"


def test_mapping_dict_round_trip_and_file(tmp_path):
    mapping = FieldMapping.from_dict({"diameter_unit": "m", "snap_tolerance": 0.5})
    again = FieldMapping.from_dict(mapping.to_dict())
    assert again == mapping
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"fields": {"external_id": "GXBH"}}), encoding="utf-8")
    assert FieldMapping.from_file(path).fields["external_id"] == ("GXBH",)


@pytest.mark.parametrize("data", [{"colums": {}}, {"fields": {"diametre": "DN"}},
                                  {"diameter_unit": "cm"}])
def test_bad_mapping_is_rejected(data):
    with pytest.raises(ValidationFailed):
        FieldMapping.from_dict(data)


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (300, "auto", (0.3, None)), (0.3, "auto", (0.3, None)), ("DN300", "auto", (0.3, None)),
    ("d400", "m", (0.4, None)), ("300mm", "m", (0.3, None)), ("1.2m", "mm", (1.2, None)),
    ("1000×800", "auto", (1.0, 0.8)), (300, "m", (300.0, None)), (15, "auto", (0.015, None)),
])
def test_dimension_parsing(value, unit, expected):
    size, height = to_dimension(value, unit)
    assert size == pytest.approx(expected[0])
    assert height == (None if expected[1] is None else pytest.approx(expected[1]))


@pytest.mark.parametrize("value", ["abc", "-300", "DN", True])
def test_dimension_rejects(value):
    with pytest.raises(ValueError):
        to_dimension(value, "auto")


def test_year_parsing():
    assert [to_year(v) for v in (2005, 2005.0, "2005年", "2005-06-01")] == [2005] * 4
    with pytest.raises(ValueError):
        to_year("unknown")


# --- validation ---------------------------------------------------------------------------

def test_bad_network_names_file_line_and_field():
    with pytest.raises(InputRejected) as exc:
        read_network_layers(GIS / "bad_network.geojson")
    name = "bad_network.geojson"
    assert where(exc) == {
        (name, 2, "ID"), (name, 3, "ID"), (name, 4, "TYPE"), (name, 5, "DIAMETER"),
        (name, 6, "LENGTH"), (name, 7, "geometry"), (name, 8, "geometry")}
    text = "\n".join(str(p) for p in exc.value.problems)
    for words in ("missing id", "duplicate id 'J1'", "化粪池", "'abc' is not a size",
                  "negative length", "wrong geometry type Polygon", "empty geometry"):
        assert words in text


def test_kind_value_mapping_clears_the_unknown_kind(tmp_path):
    path = geojson(tmp_path / "k.geojson", [feature(pt(119.68, 30.63), ID="J4", TYPE="化粪池")])
    with pytest.raises(InputRejected):
        read_network_layers(path)
    model = read_network_layers(path, FieldMapping.from_dict(
        {"values": {"kind": {"化粪池": "storage"}}}))
    assert model.nodes[0].kind == "storage"


@pytest.mark.parametrize("name", ["not_gis.gpkg", "missing.gpkg"])
def test_unreadable_file_is_a_clear_problem(name):
    with pytest.raises(InputRejected) as exc:
        read_network_layers(GIS / name)
    [problem] = exc.value.problems
    assert problem.file == name and problem.line is None
    assert "cannot open" in problem.message or "not found" in problem.message
    assert str(GIS) not in problem.message


def test_unknown_node_reference_and_self_loop(tmp_path):
    path = geojson(tmp_path / "refs.geojson", [
        feature(pt(0.001, 0.001), ID="A"),
        feature(ln((0.001, 0.001), (0.002, 0.002)), ID="L1", US_NODE="A", DS_NODE="nope"),
        feature(ln((0.001, 0.001), (0.003, 0.003), (0.001, 0.001)), ID="L2"),
    ])
    with pytest.raises(InputRejected) as exc:
        read_network_layers(path)
    assert where(exc) == {("refs.geojson", 2, "DS_NODE"), ("refs.geojson", 3, "geometry")}


def test_layer_without_id_field(tmp_path):
    path = geojson(tmp_path / "noid.geojson", [feature(pt(1, 1), 备注="x")])
    with pytest.raises(InputRejected, match="no id field"):
        read_network_layers(path)


def test_several_layers_name_the_layer_in_the_message(tmp_path):
    path = tmp_path / "two.gpkg"
    a, b = (469300.0, 3390000.0), (469310.0, 3390010.0)
    points = shapely.to_wkb(np.array([shapely.Point(a), shapely.Point(b)]))
    raw_write(path, points, [np.array(["a", "a"], dtype=object)], ["编号"], layer="wells",
              driver="GPKG", geometry_type="Point", crs="EPSG:4549")
    lines = shapely.to_wkb(np.array([shapely.LineString([a, b])]))
    raw_write(path, lines, [np.array(["p"], dtype=object)], ["编号"], layer="pipes",
              driver="GPKG", geometry_type="LineString", crs="EPSG:4549")
    with pytest.raises(InputRejected) as exc:
        read_network_layers(path)
    [problem] = exc.value.problems
    assert (problem.file, problem.line, problem.field) == ("two.gpkg", 2, "编号")
    assert problem.message.startswith("layer wells: duplicate id 'a'")


def test_zone_prefix_under_a_cm_crs_is_reported(tmp_path):
    model = read_network_layers(GPKG)
    for node in model.nodes:
        node.x = (node.x or 0) + 40_000_000
    model.links = []
    write_network(model, tmp_path / "prefixed.gpkg")
    with pytest.raises(InputRejected, match="zone prefix") as exc:
        read_network_layers(tmp_path / "prefixed.gpkg")
    assert {p.field for p in exc.value.problems} == {"crs"}
    assert read_network_layers(tmp_path / "prefixed.gpkg", crs="EPSG:4528").nodes
    with pytest.raises(InputRejected, match="do not fit EPSG:4549"):  # lon/lat taken as metres
        read_network_layers(GEOJSON, crs="EPSG:4549")


def test_declared_encodings(tmp_path):
    dbf = tmp_path / "a.dbf"
    dbf.write_bytes(bytes(29) + b"\x4d" + bytes(2))
    assert declared_encoding(dbf) == "gbk"
    (tmp_path / "a.cpg").write_text("65001", encoding="ascii")
    assert declared_encoding(dbf) == "utf-8"
    (tmp_path / "a.cpg").write_text("936", encoding="ascii")
    assert declared_encoding(dbf) == "gbk"


def test_shapefile_with_wrong_cpg_falls_back_to_gb18030(tmp_path):
    for part in SHP_DIR.glob("wells.*"):
        (tmp_path / part.name).write_bytes(part.read_bytes())
    (tmp_path / "wells.cpg").write_text("UTF-8", encoding="ascii")
    model = read_network_layers(tmp_path / "wells.shp")
    assert model.nodes[0].attrs["权属单位"] == "安吉县住建局"


# --- point feature layers -----------------------------------------------------------------

def test_read_feature_layer_returns_lon_lat():
    records = read_feature_layer(GPKG, code_field="编号", kind="outfall", layer="manholes")
    assert len(records) == 47
    n1 = next(r for r in records if r.code == "n1")
    assert n1.kind == "outfall" and n1.line == 1
    assert ANJI_BOX[0] < n1.x < ANJI_BOX[1] and ANJI_BOX[2] < n1.y < ANJI_BOX[3]
    assert n1.attrs["备注"] == "L-TOWN n1" and n1.attrs["类型"] == "排放口"


def test_read_feature_layer_kind_from_field_and_errors(tmp_path):
    path = geojson(tmp_path / "stations.geojson", [
        feature(pt(119.68, 30.63), code="S1", type="water_quality", name="西苕溪"),
        feature(pt(119.69, 30.64), code="S1", type="level"),
        feature(ln((119.68, 30.63), (119.69, 30.64)), code="S3", type="flow"),
        feature(pt(119.70, 30.65), code=None, type="flow"),
    ])
    with pytest.raises(InputRejected) as exc:
        read_feature_layer(path)
    assert where(exc) == {("stations.geojson", 2, "code"), ("stations.geojson", 3, "geometry"),
                          ("stations.geojson", 4, "code")}
    with pytest.raises(InputRejected, match="no field 'nope'"):
        read_feature_layer(path, code_field="nope")
    ok = geojson(tmp_path / "ok.geojson", [feature(pt(119.68, 30.63), code="S1",
                                                   type="water_quality", name="西苕溪")])
    [rec] = read_feature_layer(ok)
    assert (rec.code, rec.kind, rec.name, rec.attrs) == ("S1", "water_quality", "西苕溪", {})


def test_read_feature_layer_needs_a_layer_choice_for_several_point_layers(tmp_path):
    path = tmp_path / "pts.gpkg"
    for layer in ("a", "b"):
        raw_write(path, shapely.to_wkb(np.array([shapely.Point(1, 1)])),
                  [np.array(["x"], dtype=object)], ["code"], layer=layer, driver="GPKG",
                  geometry_type="Point", crs="EPSG:4326")
    with pytest.raises(InputRejected, match="choose one"):
        read_feature_layer(path, kind="outfall")
    assert read_feature_layer(path, kind="outfall", layer="b")[0].code == "x"


# --- writing ------------------------------------------------------------------------------

def _snapshot(model: NetworkModel) -> tuple[dict, dict]:
    nodes = {n.external_id: (n.kind, n.x, n.y, n.ground_elev, n.invert_elev, n.max_depth)
             for n in model.nodes}
    links = {k.external_id: (k.kind, k.from_node, k.to_node, k.vertices, k.diameter,
                             k.material, k.length, k.up_invert, k.down_invert, k.install_year,
                             k.owner_department, k.status) for k in model.links}
    return nodes, links


@pytest.mark.parametrize(("driver", "name"), [("GPKG", "out.gpkg"), ("GeoJSON", "out.geojson"),
                                              ("ESRI Shapefile", "out_shp")])
def test_write_network_round_trip(gpkg, tmp_path, driver, name):
    written = write_network(gpkg, tmp_path / name, driver)
    assert all(p.exists() for p in written)
    back = read_network_layers(tmp_path / name)
    assert back.crs == "EPSG:4549"
    assert _snapshot(back) == _snapshot(gpkg)
    if driver != "ESRI Shapefile":
        assert {k.external_id: k.attrs for k in back.links} == {
            k.external_id: k.attrs for k in gpkg.links}
        assert {n.external_id: n.attrs for n in back.nodes} == {
            n.external_id: n.attrs for n in gpkg.nodes}
    else:
        assert {k.attrs["所在道"] for k in back.links} == {"天目路", "昌硕路", "递铺路", "浦源大道"}


def test_write_network_defaults_to_4326_and_keeps_generated_nodes(tmp_path):
    model = NetworkModel(format="test", nodes=[NodeRecord("A", "junction", 119.68, 30.63)],
                         links=[LinkRecord("L", "pipe", "A", "B", [(119.681, 30.631)],
                                           diameter=0.2, install_year=2001, condition_grade=3,
                                           attrs={"note": "x", "kind": "dup", "pn": 1.6})])
    model.links.append(LinkRecord("M", "pipe", "A", "B", []))
    model.nodes.append(NodeRecord("B", "junction", 119.682, 30.632, attrs={"generated": True}))
    write_network(model, tmp_path / "n.gpkg")
    back = read_network_layers(tmp_path / "n.gpkg")
    assert back.crs == "EPSG:4326"
    link = next(k for k in back.links if k.external_id == "L")
    assert link.vertices == [(119.681, 30.631)] and link.condition_grade == 3
    assert link.attrs == {"note": "x", "x_kind": "dup", "pn": 1.6}
    assert link.length == pytest.approx(293.13, abs=0.01)  # geodesic, filled in on reading
    assert next(n for n in back.nodes if n.external_id == "B").attrs == {"generated": 1}


def test_write_network_rejects_bad_targets(gpkg, tmp_path):
    with pytest.raises(ValidationFailed, match="driver"):
        write_network(gpkg, tmp_path / "x.kml", "KML")
    with pytest.raises(ValidationFailed, match="directory"):
        write_network(gpkg, tmp_path / "x.shp", "ESRI Shapefile")


def test_default_mapping_is_fresh():
    first = default_mapping()
    first.values["kind"]["化粪池"] = "storage"
    assert "化粪池" not in default_mapping().values["kind"]

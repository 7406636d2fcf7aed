"""Tests of CRS parsing, transforms, GCJ-02 and geodesic measures."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from zhishui.core import geo
from zhishui.core.errors import ValidationFailed

ANJI = (119.68, 30.63)
# eviltransform's published test vectors (googollee/eviltransform): WGS84 -> GCJ-02, lon/lat
EVIL_VECTORS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]


@pytest.mark.parametrize(("text", "expected"), [
    ("EPSG:4549", "EPSG:4549"), ("4549", "EPSG:4549"), (4549, "EPSG:4549"),
    ("epsg:4326", "EPSG:4326"), (" EPSG:4490 ", "EPSG:4490"),
    ("urn:ogc:def:crs:EPSG::4549", "EPSG:4549"),
    (CRS.from_epsg(4549).to_wkt("WKT1_ESRI"), "EPSG:4549"),
    (CRS.from_epsg(4528).to_wkt(), "EPSG:4528"),
])
def test_parse_crs_normalises(text, expected):
    assert geo.parse_crs(text) == expected


@pytest.mark.parametrize("text", ["EPSG:99999", "not a crs", "", "  ", 4549.0])
def test_parse_crs_rejects_unknown(text):
    with pytest.raises(ValidationFailed, match="coordinate reference system"):
        geo.parse_crs(text)


def test_to_storage_4549_matches_pyproj_and_lands_in_anji():
    x, y = 469321.197, 3389997.445
    lon, lat = geo.to_storage("EPSG:4549")(x, y)
    ref = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True).transform(x, y)
    assert float(lon) == pytest.approx(ref[0], abs=1e-12)
    assert float(lat) == pytest.approx(ref[1], abs=1e-12)
    assert float(lon) == pytest.approx(ANJI[0], abs=1e-7)
    assert float(lat) == pytest.approx(ANJI[1], abs=1e-7)


def test_central_meridian_has_false_easting_500000():
    lon, _ = geo.to_storage(4549)(np.array([500000.0]), np.array([3389997.0]))
    assert lon[0] == pytest.approx(120.0, abs=1e-12)
    x, _ = geo.from_storage("EPSG:4509")(117.0, 30.0)  # 6-degree CM 117E
    assert float(x) == pytest.approx(500000.0, abs=1e-6)


def test_zoned_variants_add_the_zone_prefix():
    cm_x, cm_y = geo.from_storage("EPSG:4549")(*ANJI)      # 3-degree CM 120E
    z_x, z_y = geo.from_storage("EPSG:4528")(*ANJI)        # 3-degree zone 40
    assert float(z_x) == pytest.approx(float(cm_x) + 40_000_000, abs=1e-6)
    assert float(z_y) == pytest.approx(float(cm_y), abs=1e-6)
    six_x, _ = geo.from_storage("EPSG:4498")(*ANJI)        # 6-degree zone 20
    six_cm_x, _ = geo.from_storage("EPSG:4509")(*ANJI)     # 6-degree CM 117E
    assert float(six_x) == pytest.approx(float(six_cm_x) + 20_000_000, abs=1e-6)


def test_prefixed_easting_under_a_cm_crs_is_not_finite():
    lon, _ = geo.to_storage("EPSG:4549")(40_469_321.0, 3389997.0)
    assert not np.isfinite(lon)


# first and last of each family (6-degree zoned/CM, 3-degree zoned/CM) and Anji's zones
@pytest.mark.parametrize("code", [4490, 4491, 4501, 4502, 4512, 4513, 4528, 4533, 4534, 4549,
                                  4554])
def test_cgcs2000_crs_round_trips(code):
    crs = CRS.from_epsg(code)
    cm = 115.0
    if crs.is_projected:
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        cm = params["Longitude of natural origin"]
    lon = np.array([cm + 0.7, cm - 0.4])
    lat = np.array([30.63, 25.0])
    x, y = geo.from_storage(code)(lon, lat)
    back_lon, back_lat = geo.to_storage(f"EPSG:{code}")(x, y)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)


def test_within_area_of_use_catches_points_in_the_wrong_crs():
    lon = np.array([119.68, 119.68, 110.0, np.inf, 190.0])
    lat = np.array([30.63, 60.0, 30.63, 30.0, 30.0])
    assert geo.within_area_of_use("EPSG:4549", lon, lat).tolist() == [
        True, False, False, False, False]
    assert geo.within_area_of_use(None, lon, lat).tolist() == [True, True, True, False, False]
    assert geo.within_area_of_use("EPSG:4326", lon, lat).tolist() == [
        True, True, True, False, False]


def test_transforms_are_vectorised_and_cached():
    fn = geo.to_storage("EPSG:4549")
    assert geo.to_storage("4549") is fn
    xs = np.full((2, 3), 469321.197)
    ys = np.full((2, 3), 3389997.445)
    lon, lat = fn(xs, ys)
    assert lon.shape == (2, 3) and lat.shape == (2, 3)


def test_none_means_lon_lat_already():
    lon, lat = geo.to_storage(None)([119.0, 120.0], [30.0, 31.0])
    assert lon.tolist() == [119.0, 120.0] and lat.tolist() == [30.0, 31.0]
    assert geo.is_geographic(None) and geo.is_geographic("EPSG:4490")
    assert not geo.is_geographic("EPSG:4549")


def test_unknown_crs_in_transform_raises():
    with pytest.raises(ValidationFailed):
        geo.to_storage("EPSG:12345678")


@pytest.mark.parametrize(("wgs", "gcj"), EVIL_VECTORS)
def test_wgs84_to_gcj02_matches_published_vectors(wgs, gcj):
    lon, lat = geo.wgs84_to_gcj02(*wgs)
    assert isinstance(lon, float)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVIL_VECTORS)
def test_gcj02_to_wgs84_inverts_published_vectors(wgs, gcj):
    lon, lat = geo.gcj02_to_wgs84(*gcj)
    assert abs(lon - wgs[0]) < 1e-7
    assert abs(lat - wgs[1]) < 1e-7


def test_gcj02_vectorised_and_outside_china_unchanged():
    lon = np.array([121.5272106, 2.3522, -74.0060, 119.68])
    lat = np.array([31.1774276, 48.8566, 40.7128, 30.63])
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    assert isinstance(glon, np.ndarray) and glon.shape == (4,)
    assert glon[1] == lon[1] and glat[1] == lat[1]
    assert glon[2] == lon[2] and glat[2] == lat[2]
    assert abs(glon[3] - lon[3]) > 1e-4  # a few hundred metres in China
    wlon, wlat = geo.gcj02_to_wgs84(glon, glat)
    np.testing.assert_allclose(wlon, lon, atol=1e-7, rtol=0)
    np.testing.assert_allclose(wlat, lat, atol=1e-7, rtol=0)


def test_gcj02_round_trip_across_china():
    rng = np.random.default_rng(7)
    lon = rng.uniform(75, 134, 2000)
    lat = rng.uniform(18, 53, 2000)
    back_lon, back_lat = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lon, lat))
    assert np.max(np.abs(back_lon - lon)) < 1e-7
    assert np.max(np.abs(back_lat - lat)) < 1e-7


def test_geodesic_length_of_one_degree_on_the_equator():
    assert geo.geodesic_length_m([(0.0, 0.0), (1.0, 0.0)]) == pytest.approx(111319.4908, abs=1e-3)
    assert geo.geodesic_length_m([(0.0, 0.0)]) == 0.0


def test_geodesic_measures_agree_with_gauss_kruger_near_the_central_meridian():
    ring = [(119.9, 30.6), (119.91, 30.6), (119.91, 30.607), (119.9, 30.607)]
    x, y = geo.from_storage("EPSG:4549")(*zip(*ring, strict=True))
    planar = shapely.Polygon(list(zip(x.tolist(), y.tolist(), strict=True)))
    area = geo.geodesic_area_m2(ring)
    assert area == pytest.approx(planar.area, rel=1e-4)
    assert geo.geodesic_area_m2([*ring, ring[0]]) == pytest.approx(area, rel=1e-12)
    assert geo.geodesic_area_m2(ring[::-1]) == pytest.approx(area, rel=1e-12)
    line = ring[:3]
    planar_len = shapely.LineString(list(zip(x.tolist(), y.tolist(), strict=True))[:3]).length
    assert geo.geodesic_length_m(line) == pytest.approx(planar_len, rel=1e-4)

"""Tests of the vector tile helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from zhishui.network.tiles import (
    MAX_LAT,
    decode_tile,
    encode_tile,
    lonlat_to_tile,
    mvt_properties,
    tile_bbox_with_buffer,
    tile_bounds,
)

Z, X, Y = 10, 853, 422  # around Hangzhou


def lat_at(yf: float) -> float:
    """Latitude at mercator fraction yf of the world height (0 = north edge)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yf))))


def test_tile_bounds() -> None:
    assert tile_bounds(0, 0, 0) == pytest.approx((-180, -MAX_LAT, 180, MAX_LAT))
    assert tile_bounds(1, 1, 0) == pytest.approx((0, 0, 180, MAX_LAT))
    minlon, minlat, maxlon, maxlat = tile_bounds(Z, X, Y)
    assert minlon == pytest.approx(X / 1024 * 360 - 180)
    assert maxlon - minlon == pytest.approx(360 / 1024)
    assert maxlat == pytest.approx(lat_at(Y / 1024)) and minlat == pytest.approx(lat_at(423 / 1024))
    assert minlon < 120.1 < maxlon and minlat < 30.0 < maxlat
    with pytest.raises(ValueError):
        tile_bounds(2, 4, 0)


def test_buffered_bbox() -> None:
    b = tile_bounds(Z, X, Y)
    bb = tile_bbox_with_buffer(Z, X, Y, buffer_px=64, extent=4096)
    assert bb[0] < b[0] and bb[1] < b[1] and bb[2] > b[2] and bb[3] > b[3]
    assert b[0] - bb[0] == pytest.approx((b[2] - b[0]) * 64 / 4096)
    assert tile_bbox_with_buffer(Z, X, Y, buffer_px=0) == pytest.approx(b)
    assert tile_bbox_with_buffer(0, 0, 0) == pytest.approx(tile_bounds(0, 0, 0))  # clamped


def test_point_lands_on_its_pixel() -> None:
    minlon, _, maxlon, _ = tile_bounds(Z, X, Y)
    lon = minlon + (maxlon - minlon) * 0.25
    lat = lat_at((Y + 0.75) / 1024)
    px, py = lonlat_to_tile(lon, lat, Z, X, Y)
    assert (float(px), float(py)) == pytest.approx((1024, 3072))
    tile = decode_tile(encode_tile({"nodes": [(Point(lon, lat), {"name": "M1"})]}, Z, X, Y))
    (f,) = tile["nodes"]["features"]
    assert f["geometry"] == {"type": "Point", "coordinates": [1024, 3072]}
    assert tile["nodes"]["extent"] == 4096
    # the same point in a 512-extent tile
    tile = decode_tile(encode_tile({"nodes": [(Point(lon, lat), {})]}, Z, X, Y, extent=512))
    assert tile["nodes"]["features"][0]["geometry"]["coordinates"] == [128, 384]


def test_points_outside_the_buffer_are_dropped() -> None:
    minlon, minlat, maxlon, maxlat = tile_bounds(Z, X, Y)
    dx = (maxlon - minlon) / 4096
    near = Point(maxlon + 32 * dx, (minlat + maxlat) / 2)  # inside the 64-unit buffer
    far = Point(maxlon + 100 * dx, (minlat + maxlat) / 2)
    tile = decode_tile(encode_tile({"n": [(near, {"k": 1}), (far, {"k": 2})]}, Z, X, Y))
    assert [f["properties"]["k"] for f in tile["n"]["features"]] == [1]
    assert tile["n"]["features"][0]["geometry"]["coordinates"][0] == 4096 + 32


def test_line_crossing_the_tile_is_clipped() -> None:
    lat = lat_at((Y + 0.5) / 1024)
    line = LineString([(100.0, lat), (119.9, lat), (120.0, lat), (140.0, lat)])
    tile = decode_tile(encode_tile({"pipes": [(line, {"dn": 300})]}, Z, X, Y))
    (f,) = tile["pipes"]["features"]
    assert f["geometry"]["type"] == "LineString"
    xs = [c[0] for c in f["geometry"]["coordinates"]]
    ys = {c[1] for c in f["geometry"]["coordinates"]}
    assert min(xs) == -64 and max(xs) == 4096 + 64 and ys == {2048}
    assert len(xs) == 2  # collinear vertices simplified away
    assert f["properties"] == {"dn": 300}
    # a pipe far away does not appear at all
    away = LineString([(10.0, 10.0), (11.0, 11.0)])
    assert decode_tile(encode_tile({"pipes": [(away, {})]}, Z, X, Y)) == {}


def test_sub_pixel_geometries_are_dropped_at_low_zoom() -> None:
    short = LineString([(120.0, 30.0), (120.0001, 30.0001)])  # ~15 m
    tiny = Polygon([(120.0, 30.0), (120.0001, 30.0), (120.0001, 30.0001)])
    big = Polygon([(119.0, 29.0), (121.0, 29.0), (121.0, 31.0), (119.0, 31.0)])
    z, x, y = 4, 13, 6
    tile = decode_tile(encode_tile({"a": [(short, {}), (tiny, {}), (big, {"n": "big"})]}, z, x, y))
    assert [f["properties"] for f in tile["a"]["features"]] == [{"n": "big"}]
    geom = tile["a"]["features"][0]["geometry"]
    assert geom["type"] == "Polygon"
    ring = geom["coordinates"][0]
    area = sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
               for i in range(len(ring) - 1)) / 2
    assert area > 0  # MVT exterior rings: positive area in tile coordinates (y down)


def test_properties_survive() -> None:
    props = {"name": "检查井 1", "dn": np.int64(400), "depth": np.float32(2.5), "ok": True,
             "none": None, "nan": float("nan"), "id": 42, "attrs": {"a": [1, 2]}, "big": 2**70}
    clean = mvt_properties(props)
    assert clean == {"name": "检查井 1", "dn": 400, "depth": 2.5, "ok": True, "id": 42,
                     "attrs": '{"a": [1, 2]}', "big": str(2**70)}
    assert type(clean["dn"]) is int
    tile = decode_tile(encode_tile({"nodes": [(Point(120.1, 30.0), props)]}, Z, X, Y))
    (f,) = tile["nodes"]["features"]
    assert f["properties"] == clean and f["id"] == 42


def test_empty_tiles() -> None:
    for data in (encode_tile({}, 0, 0, 0), encode_tile({"nodes": []}, Z, X, Y),
                 encode_tile({"nodes": [(Point(0.0, 0.0), {})]}, Z, X, Y),
                 encode_tile({"nodes": [(Point(), {}), (None, {})]}, Z, X, Y)):
        assert isinstance(data, bytes)
        assert decode_tile(data) == {}


def test_thinning_at_zoom_zero() -> None:
    rng = np.random.default_rng(7)
    n = 100_000
    # a county's worth of manholes: at z=0 they fall on a pixel or two
    lon = 119.8 + rng.random(n) * 0.6
    lat = 29.9 + rng.random(n) * 0.5
    items = [(p, {"id": i}) for i, p in enumerate(shapely.points(lon, lat).tolist())]
    feats = decode_tile(encode_tile({"m": items}, 0, 0, 0, thin_points=True))["m"]["features"]
    assert 1 <= len(feats) <= 4
    assert sum(f["properties"]["count"] for f in feats) == n
    assert feats[0]["properties"]["id"] == 0  # the first point represents its cell
    # the whole world, thinned on a 64-unit grid: at most 64 x 64 features
    lon = rng.uniform(-180, 180, n)
    lat = rng.uniform(-80, 80, n)
    items = [(p, {}) for p in shapely.points(lon, lat).tolist()]
    data = encode_tile({"m": items}, 0, 0, 0, thin_points=True, thin_cell=64)
    feats = decode_tile(data)["m"]["features"]
    assert 1000 < len(feats) <= 64 * 64
    assert sum(f["properties"]["count"] for f in feats) == n
    # without thinning there is no count property
    few = decode_tile(encode_tile({"m": items[:10]}, 0, 0, 0))["m"]["features"]
    assert len(few) == 10 and "count" not in few[0]["properties"]

"""Read GIS files through pyogrio: layers, shapefile encodings, point feature layers."""

from __future__ import annotations

import codecs
import posixpath
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from pyogrio.raw import read as raw_read
from shapely.geometry.base import BaseGeometry

from zhishui.core.errors import InputRejected, Problem, ValidationFailed
from zhishui.core.geo import is_geographic, parse_crs, to_storage, within_area_of_use
from zhishui.network.io.fieldmap import FieldMapping, as_mapping, is_blank, norm_name, to_text
from zhishui.network.records import FeatureRecord, NodeRecord

FALLBACK_ENCODING = "gb18030"
SNAP_PROJECTED = 0.01
SNAP_GEOGRAPHIC = 1e-7
_LDID_CODECS = {0x4D: "gbk", 0x7A: "gbk", 0x4F: "big5", 0x78: "big5"}
_FORMATS = {"GPKG": "gpkg", "ESRI Shapefile": "shapefile", "GeoJSON": "geojson"}
_ZIP_DATA = (".shp", ".gpkg", ".geojson", ".json")
POINT_TYPES = ("Point", "MultiPoint")
LINE_TYPES = ("LineString", "MultiLineString")


@dataclass
class Layer:
    """One layer read whole: field names, rows of Python values, shapely geometries."""

    name: str
    fields: list[str]
    rows: list[dict[str, Any]]
    geoms: list[BaseGeometry | None]
    geometry_type: str | None
    crs: str | None
    encoding: str | None


@dataclass
class Source:
    """An opened GIS dataset: the label used in problems, the driver and its layer names."""

    path: Path
    label: str
    driver: str
    layers: list[tuple[str, str | None]]
    gdal_path: str | Path

    @property
    def format(self) -> str:
        return _FORMATS.get(self.driver, self.driver.lower().replace(" ", "_"))


def read_feature_layer(path: str | Path, code_field: str | None = None, kind: str | None = None,
                       mapping: FieldMapping | Mapping[str, Any] | None = None,
                       crs: str | int | None = None,
                       layer: str | None = None) -> list[FeatureRecord]:
    """Point features (components, outfalls, stations, pollution sources) of one layer.

    `code_field` names the code field (None: the mapping's id candidates, e.g. 编号/编码/code);
    `kind` is every feature's kind (None: from the mapped kind field, value-mapped when the
    mapping has an entry). `crs` overrides the file's CRS. The returned x/y are EPSG:4326
    lon/lat (a list carries no CRS); every other field goes into attrs. Raises InputRejected.
    """
    problems: list[Problem] = []
    source = open_source(path, problems)
    data = None if source is None else _feature_layer(source, layer, problems)
    if source is None or data is None:
        raise InputRejected(problems)
    fmap = as_mapping(mapping)
    label, prefix = source.label, layer_prefix(source, data.name)
    resolved = fmap.resolve(data.fields, ("external_id", "name", "kind"))
    if code_field is not None:
        actual = {norm_name(f): f for f in data.fields}.get(norm_name(code_field))
        if actual is None:
            problems.append(Problem(f"{prefix}no field {code_field!r} (fields: "
                                    f"{', '.join(data.fields)})", file=label, field=code_field))
            raise InputRejected(problems)
        resolved["external_id"] = actual
    code_src = resolved.get("external_id")
    if code_src is None:
        problems.append(Problem(f"{prefix}no code field found; name one with code_field",
                                file=label))
        raise InputRejected(problems)
    crs_text, transform = _storage_transform(source, data, crs, problems)
    records: list[FeatureRecord] = []
    seen: dict[str, int] = {}
    for index, (row, geom) in enumerate(zip(data.rows, data.geoms, strict=True)):
        line = index + 1
        count = len(problems)
        code = "" if is_blank(row.get(code_src)) else to_text(row[code_src])
        if not code:
            problems.append(Problem(f"{prefix}missing code", file=label, line=line, field=code_src))
        elif code in seen:
            problems.append(Problem(f"{prefix}duplicate code {code!r} (first at line {seen[code]})",
                                    file=label, line=line, field=code_src))
        else:
            seen[code] = line
        feature_kind = kind
        kind_src = resolved.get("kind")
        if feature_kind is None and kind_src and not is_blank(row.get(kind_src)):
            raw = to_text(row[kind_src])
            feature_kind = fmap.map_value("kind", raw) or raw
        if feature_kind is None:
            problems.append(Problem(f"{prefix}missing kind", file=label, line=line,
                                    field=kind_src))
        xy = None
        if geom is None or geom.is_empty:
            problems.append(Problem(f"{prefix}empty geometry", file=label, line=line,
                                    field="geometry"))
        else:
            xy = point_xy(geom)
            if xy is None:
                problems.append(Problem(f"{prefix}wrong geometry type {geom.geom_type}, "
                                        "expected a point", file=label, line=line,
                                        field="geometry"))
        if len(problems) > count or xy is None or transform is None:
            continue
        name_src = resolved.get("name")
        used = {code_src, name_src, kind_src if kind is None else None}
        attrs = {k: python_value(v) for k, v in row.items()
                 if k not in used and not is_blank(python_value(v))}
        records.append(FeatureRecord(code, str(feature_kind), xy[0], xy[1],
                                     None if name_src is None or is_blank(row.get(name_src))
                                     else to_text(row[name_src]), attrs, line))
    if transform is not None:
        _to_lonlat(records, crs_text, transform, label, prefix, problems)
    if problems:
        raise InputRejected(problems)
    return records


def layer_prefix(source: Source, layer: str) -> str:
    """ "layer NAME: " for datasets with several layers, else "" (Problem.file names the file)."""
    return f"layer {layer}: " if len(source.layers) > 1 else ""


def open_source(path: str | Path, problems: list[Problem]) -> Source | None:
    """List the layers of `path` (a file, a shapefile directory or a .zip of either);
    a Problem when it cannot open."""
    path = Path(path)
    label = path.name
    if not path.exists():
        problems.append(Problem("file not found", file=label))
        return None
    gdal_path = _gdal_path(path)
    try:
        listed = pyogrio.list_layers(gdal_path)
        driver = _driver(gdal_path, str(listed[0][0]), path) if len(listed) else ""
    except Exception as exc:
        problems.append(Problem(f"cannot open as a GIS file (GeoPackage, Shapefile, GeoJSON…): "
                                f"{_gdal_reason(exc, path)}", file=label))
        return None
    if not len(listed):
        problems.append(Problem("the file holds no layer", file=label))
        return None
    layers = [(str(name), None if gtype is None else str(gtype)) for name, gtype in listed]
    return Source(path, label, str(driver), layers, gdal_path)


def read_layer(source: Source, layer: str) -> Layer:
    """Read one layer; shapefile text is decoded with its declared encoding, else UTF-8, and
    re-read as GB18030 when that fails (Chinese shapefiles are often GBK without a .cpg)."""
    encodings: list[str | None] = [None]
    if source.driver == "ESRI Shapefile":
        first = _shapefile_encoding(source.path, layer) or "utf-8"
        encodings = [first] if codecs.lookup(first).name == FALLBACK_ENCODING else [
            first, FALLBACK_ENCODING]
    last_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            meta, _, wkb, data = raw_read(source.gdal_path, layer=layer, encoding=encoding,
                                          force_2d=True, datetime_as_string=True)
        except UnicodeDecodeError as exc:
            last_error = exc
            continue
        fields = [str(f) for f in meta["fields"]]
        columns = [np.asarray(col).tolist() for col in data]
        rows = [dict(zip(fields, values, strict=True)) for values in zip(*columns, strict=True)]
        if not fields:
            rows = [{} for _ in range(len(wkb))]
        geoms = list(shapely.from_wkb(wkb)) if len(wkb) else []
        gtype = meta.get("geometry_type")
        return Layer(layer, fields, rows, geoms, _plain_type(gtype), meta.get("crs"),
                     encoding or meta.get("encoding"))
    assert last_error is not None
    raise last_error


def declared_encoding(dbf: Path | None) -> str | None:
    """The Python codec a shapefile declares in its .cpg or in the DBF language byte, if any."""
    if dbf is None:
        return None
    for suffix in (".cpg", ".CPG"):
        cpg = dbf.with_suffix(suffix)
        if cpg.is_file():
            codec = _codec(cpg.read_text(encoding="ascii", errors="ignore"))
            if codec:
                return codec
    try:
        with dbf.open("rb") as fh:
            header = fh.read(32)
    except OSError:
        return None
    return _LDID_CODECS.get(header[29]) if len(header) > 29 else None


def point_xy(geom: BaseGeometry) -> tuple[float, float] | None:
    """(x, y) of a Point or single-part MultiPoint, else None."""
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != "Point":
        return None
    return float(geom.x), float(geom.y)


def line_coords(geom: BaseGeometry) -> list[tuple[float, float]] | None:
    """Vertices of a LineString or of a MultiLineString that merges into one line, else None."""
    if geom.geom_type == "MultiLineString":
        merged = shapely.line_merge(geom)
        geom = merged if merged.geom_type == "LineString" else geom
        if geom.geom_type == "MultiLineString" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
    if geom.geom_type != "LineString":
        return None
    return [(float(x), float(y)) for x, y in geom.coords]


def python_value(value: Any) -> Any:
    """A JSON-friendly attribute value (None for NaN, hex for bytes)."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value


def _driver(gdal_path: str | Path, layer: str, path: Path) -> str:
    try:
        return str(pyogrio.read_info(gdal_path, layer=layer)["driver"])
    except UnicodeDecodeError:  # a DBF whose .cpg does not match its text
        if path.is_dir() or path.suffix.lower() in (".shp", ".dbf", ".zip"):
            return "ESRI Shapefile"
        raise


def _gdal_path(path: Path) -> str | Path:
    """A .zip whose data sit in one folder, or that holds one GeoPackage/GeoJSON, opens there."""
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return path
    with zipfile.ZipFile(path) as zf:
        data = [n for n in zf.namelist() if n.lower().endswith(_ZIP_DATA)]
    folders = {posixpath.dirname(n) for n in data}
    if len(data) == 1 and not data[0].lower().endswith(".shp"):
        return f"/vsizip/{path}/{data[0]}"
    if len(folders) == 1 and folders != {""}:
        return f"/vsizip/{path}/{folders.pop()}"
    return path


def _shapefile_encoding(path: Path, layer: str) -> str | None:
    if path.suffix.lower() != ".zip":
        return declared_encoding(_dbf_path(path, layer))
    try:
        with zipfile.ZipFile(path) as zf:
            members = {posixpath.basename(n).lower(): n for n in zf.namelist()}
            cpg = members.get(f"{layer.lower()}.cpg")
            codec = _codec(zf.read(cpg).decode("ascii", "ignore")) if cpg else None
            if codec:
                return codec
            dbf = members.get(f"{layer.lower()}.dbf")
            header = b""
            if dbf:
                with zf.open(dbf) as fh:
                    header = fh.read(32)
    except (OSError, zipfile.BadZipFile):
        return None
    return _LDID_CODECS.get(header[29]) if len(header) > 29 else None


def _codec(text: str) -> str | None:
    name = text.strip().upper().removeprefix("ANSI").strip()
    if not name:
        return None
    if name.isdigit():
        name = {"65001": "utf-8", "936": "gbk", "54936": "gb18030", "950": "big5"}.get(
            name, f"cp{name}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _dbf_path(path: Path, layer: str) -> Path | None:
    if path.is_dir():
        for suffix in (".dbf", ".DBF"):
            if (path / f"{layer}{suffix}").is_file():
                return path / f"{layer}{suffix}"
        return None
    if path.suffix.lower() == ".shp":
        for suffix in (".dbf", ".DBF"):
            if path.with_suffix(suffix).is_file():
                return path.with_suffix(suffix)
    return None


def _plain_type(gtype: str | None) -> str | None:
    if gtype is None:
        return None
    return gtype.replace("3D ", "").split(" ")[0]


def _gdal_reason(exc: Exception, path: Path) -> str:
    text = str(exc).split(";")[0].strip()
    text = text.replace(f"'{path}'", "").replace(str(path), "").strip(" :")
    return text or type(exc).__name__


def _feature_layer(source: Source, layer: str | None, problems: list[Problem]) -> Layer | None:
    names = [name for name, _ in source.layers]
    if layer is None:
        points = [n for n, t in source.layers if t in POINT_TYPES or t == "Unknown"]
        if len(names) == 1 or len(points) == 1:
            layer = names[0] if len(names) == 1 else points[0]
        else:
            problems.append(Problem(f"several layers ({', '.join(names)}): choose one",
                                    file=source.label))
            return None
    if layer not in names:
        problems.append(Problem(f"no layer {layer!r} (layers: {', '.join(names)})",
                                file=source.label))
        return None
    try:
        return read_layer(source, layer)
    except Exception as exc:
        problems.append(Problem(f"{layer_prefix(source, layer)}cannot read: {exc}",
                                file=source.label))
        return None


def _storage_transform(source: Source, data: Layer, crs: str | int | None,
                       problems: list[Problem]) -> tuple[str | None, Any]:
    given = crs if crs is not None else data.crs
    try:
        crs_text = None if given is None else parse_crs(given)
        return crs_text, to_storage(crs_text)
    except ValidationFailed as exc:
        problems.append(Problem(exc.message, file=source.label, field="crs"))
        return None, None


def _to_lonlat(records: list[FeatureRecord], crs: str | None, transform: Any, label: str,
               prefix: str, problems: list[Problem]) -> None:
    if not records:
        return
    lon, lat = transform([r.x for r in records], [r.y for r in records])
    inside = within_area_of_use(crs, lon, lat)
    for rec, x, y, ok in zip(records, lon.tolist(), lat.tolist(), inside.tolist(), strict=True):
        if not ok:
            problems.append(Problem(f"{prefix}coordinates ({rec.x}, {rec.y}) do not fit "
                                    f"{crs or 'lon/lat'} (wrong CRS, or a Gauss–Krüger zone "
                                    "prefix?)", file=label, line=rec.line, field="geometry"))
        rec.x, rec.y = x, y


class SnapGrid:
    """A hash grid of points with cell size = tolerance, for nearest-within-tolerance lookups."""

    def __init__(self, tolerance: float) -> None:
        self.tol = max(tolerance, 1e-12)
        self.cells: dict[tuple[int, int], list[tuple[float, float, Any]]] = {}

    def _cell(self, xy: tuple[float, float]) -> tuple[int, int]:
        return int(np.floor(xy[0] / self.tol)), int(np.floor(xy[1] / self.tol))

    def add(self, xy: tuple[float, float], item: Any) -> None:
        self.cells.setdefault(self._cell(xy), []).append((xy[0], xy[1], item))

    def nearest(self, xy: tuple[float, float]) -> Any:
        cx, cy = self._cell(xy)
        best, best_d = None, self.tol
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for x, y, item in self.cells.get((cx + dx, cy + dy), ()):
                    d = float(np.hypot(x - xy[0], y - xy[1]))
                    if d <= best_d and (best is None or d < best[0]):
                        best, best_d = (d, item), d
        return None if best is None else best[1]


def default_tolerance(crs: str | None, nodes: list[NodeRecord],
                      coords: list[list[tuple[float, float]]]) -> float:
    """Snap tolerance: 1e-7 for lon/lat (given, or guessed from the numbers), else 0.01."""
    if crs is not None:
        return SNAP_GEOGRAPHIC if is_geographic(crs) else SNAP_PROJECTED
    xs = [n.x for n in nodes if n.x is not None] + [c[0] for line in coords for c in line]
    ys = [n.y for n in nodes if n.y is not None] + [c[1] for line in coords for c in line]
    lonlat = bool(xs) and max(map(abs, xs)) <= 180 and max(map(abs, ys)) <= 90
    return SNAP_GEOGRAPHIC if lonlat else SNAP_PROJECTED


def check_extent(source: Source, nodes: list[NodeRecord], crs: str | None,
                 problems: list[Problem]) -> None:
    """One Problem when node coordinates fall outside `crs`'s area of use (or cannot transform)."""
    placed = [n for n in nodes if n.x is not None and n.y is not None]
    if crs is None or not placed:
        return
    lon, lat = to_storage(crs)([n.x for n in placed], [n.y for n in placed])
    bad = ~within_area_of_use(crs, lon, lat)
    if bad.any():
        first = placed[int(np.argmax(bad))]
        problems.append(Problem(
            f"{int(bad.sum())} node(s) have coordinates that do not fit {crs}, e.g. "
            f"({first.x}, {first.y}) of node {first.external_id!r} (wrong CRS, or a "
            "Gauss–Krüger zone prefix?)", file=source.label, line=first.line, field="crs"))

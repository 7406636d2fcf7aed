"""GeoPackage, Shapefile and GeoJSON networks: point features are nodes, line features links."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from zhishui.core.errors import InputRejected, Problem, ValidationFailed
from zhishui.core.geo import crs_object, geodesic_length_m, is_geographic, parse_crs
from zhishui.network.io.fieldmap import (
    LINK_FIELDS,
    NODE_FIELDS,
    FieldMapping,
    as_mapping,
    default_mapping,
    is_blank,
    to_dimension,
    to_float,
    to_int,
    to_text,
    to_year,
)
from zhishui.network.io.gdal_read import (
    LINE_TYPES,
    POINT_TYPES,
    Layer,
    SnapGrid,
    Source,
    check_extent,
    default_tolerance,
    layer_prefix,
    line_coords,
    open_source,
    point_xy,
    python_value,
    read_feature_layer,
    read_layer,
)
from zhishui.network.io.gdal_write import write_network
from zhishui.network.models import LINK_KINDS, NODE_KINDS
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

__all__ = ["FieldMapping", "default_mapping", "read_feature_layer", "read_network_layers",
           "write_network"]

_NODE_FLOATS = ("ground_elev", "invert_elev", "max_depth")
_LINK_FLOATS = ("length", "up_invert", "down_invert", "up_depth", "down_depth", "roughness")
_NON_NEGATIVE = {"max_depth", "length", "up_depth", "down_depth", "roughness"}


def read_network_layers(path: str | Path, mapping: FieldMapping | Mapping[str, Any] | None = None,
                        crs: str | int | None = None) -> NetworkModel:
    """Read nodes (point features) and links (line features) from every layer of a GIS file.

    A GeoPackage may hold several layers, a shapefile directory several shapefiles, a GeoJSON
    one collection of mixed geometries. Links without from/to node fields are joined to nodes
    by coincident end points (`FieldMapping.snap_tolerance`); unmatched ends get generated
    nodes "<link id>-up"/"<link id>-dn" (attrs["generated"] = True). Coordinates stay in the
    source CRS (`crs` overrides the file's), named by NetworkModel.crs; `vertices` hold a line's
    interior vertices only, its ends are its nodes. Lengths missing in the data are measured
    from the geometry when the CRS is known. Raises InputRejected with every problem found.
    """
    fmap = as_mapping(mapping)
    problems: list[Problem] = []
    source = open_source(path, problems)
    if source is None:
        raise InputRejected(problems)
    layers, skipped = _network_layers(source, fmap, problems)
    crs_text = _model_crs(source, layers, crs, problems)
    builder = _Builder(source, fmap, problems)
    for layer, role in layers:
        builder.add_layer(layer, role)
    if not builder.nodes and not builder.links and not problems:
        problems.append(Problem("no point or line features found", file=source.label))
    tolerance = fmap.snap_tolerance
    if tolerance is None:
        tolerance = default_tolerance(crs_text, builder.nodes, builder.link_coords)
    builder.join(tolerance)
    builder.fill_lengths(crs_text)
    check_extent(source, builder.nodes, crs_text, problems)
    if problems:
        raise InputRejected(problems)
    options = {"gis": {"driver": source.driver,
                       "layers": {layer.name: role for layer, role in layers},
                       "skipped_layers": skipped, "snap_tolerance": tolerance}}
    return NetworkModel(format=source.format, nodes=builder.nodes, links=builder.links,
                        options=options, crs=crs_text, source=source.label)


class _Builder:
    """Turns layer rows into node and link records, collecting problems as it goes."""

    def __init__(self, source: Source, fmap: FieldMapping, problems: list[Problem]) -> None:
        self.source, self.fmap, self.problems = source, fmap, problems
        self.nodes: list[NodeRecord] = []
        self.links: list[LinkRecord] = []
        self.link_coords: list[list[tuple[float, float]]] = []
        self._link_meta: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self._node_seen: dict[str, tuple[str, int]] = {}
        self._link_seen: dict[str, tuple[str, int]] = {}

    def problem(self, layer: str, message: str, line: int | None = None,
                field: str | None = None) -> None:
        self.problems.append(Problem(layer_prefix(self.source, layer) + message,
                                     file=self.source.label, line=line, field=field))

    def add_layer(self, layer: Layer, role: str) -> None:
        node_map = self.fmap.resolve(layer.fields, NODE_FIELDS)
        link_map = self.fmap.resolve(layer.fields, LINK_FIELDS)
        if "external_id" not in node_map:
            looked = ", ".join(self.fmap.fields.get("external_id", ())[:6])
            self.problem(layer.name, f"no id field found (looked for {looked}…); map one with "
                         "FieldMapping fields.external_id")
            return
        for index, (row, geom) in enumerate(zip(layer.rows, layer.geoms, strict=True)):
            line = index + 1
            if geom is None or geom.is_empty:
                self.problem(layer.name, "empty geometry", line, "geometry")
                continue
            is_point = geom.geom_type in POINT_TYPES and role in ("nodes", "mixed")
            is_line = geom.geom_type in LINE_TYPES and role in ("links", "mixed")
            if is_point:
                self._add_node(layer.name, row, geom, line, node_map)
            elif is_line:
                self._add_link(layer.name, row, geom, line, link_map)
            else:
                expected = {"nodes": "a point", "links": "a line"}.get(role, "a point or a line")
                self.problem(layer.name, f"wrong geometry type {geom.geom_type}, expected "
                             f"{expected}", line, "geometry")

    def _add_node(self, layer: str, row: dict[str, Any], geom: Any, line: int,
                  fmap: dict[str, str]) -> None:
        xy = point_xy(geom)
        if xy is None:
            self.problem(layer, "a multi-point cannot be a node", line, "geometry")
            return
        count = len(self.problems)
        ext_id = self._id(layer, row, line, fmap["external_id"], self._node_seen)
        kind = self._kind(layer, row, line, fmap.get("kind"), "node_kind", NODE_KINDS)
        values = {f: self._float(layer, row, line, fmap.get(f), f) for f in _NODE_FLOATS}
        if len(self.problems) > count or ext_id is None or kind is None:
            return
        ground, invert, depth = (values[f] for f in _NODE_FLOATS)
        if invert is None and ground is not None and depth is not None:
            invert = round(ground - depth, 6)
        if depth is None and ground is not None and invert is not None and ground >= invert:
            depth = round(ground - invert, 6)
        attrs = _attrs(row, fmap)
        status = self._text(row, fmap.get("status"), "status")
        if status is not None:
            attrs["status"] = self.fmap.map_value("status", status) or status
        self.nodes.append(NodeRecord(ext_id, kind, xy[0], xy[1],
                                     self._text(row, fmap.get("name"), "name"), ground, invert,
                                     depth, attrs, line))

    def _add_link(self, layer: str, row: dict[str, Any], geom: Any, line: int,
                  fmap: dict[str, str]) -> None:
        coords = line_coords(geom)
        if coords is None:
            self.problem(layer, "a multi-part line cannot be a link", line, "geometry")
            return
        count = len(self.problems)
        ext_id = self._id(layer, row, line, fmap["external_id"], self._link_seen)
        kind = self._kind(layer, row, line, fmap.get("kind"), "link_kind", LINK_KINDS)
        nums = {f: self._float(layer, row, line, fmap.get(f), f) for f in _LINK_FLOATS}
        dims = {f: self._dimension(layer, row, line, fmap.get(f), f)
                for f in ("diameter", "height", "width")}
        year = self._convert(layer, row, line, fmap.get("install_year"), "install_year",
                             to_year, "a year")
        grade = self._convert(layer, row, line, fmap.get("condition_grade"), "condition_grade",
                              to_int, "an integer grade")
        if len(self.problems) > count or ext_id is None or kind is None:
            return
        diameter, box_height = dims["diameter"] or (None, None)
        width = diameter if box_height is not None else (dims["width"] or (None, None))[0]
        height = box_height if box_height is not None else (dims["height"] or (None, None))[0]
        shape = self._mapped(row, fmap.get("shape"), "shape")
        if box_height is not None:
            diameter, shape = None, shape or "rect_closed"
        attrs = _attrs(row, fmap)
        attrs.update({k: nums[k] for k in ("up_depth", "down_depth") if nums[k] is not None})
        ends = {"from_node": self._text(row, fmap.get("from_node"), "from_node") or "",
                "to_node": self._text(row, fmap.get("to_node"), "to_node") or ""}
        record = LinkRecord(
            ext_id, kind, ends["from_node"], ends["to_node"], [], name=self._text(
                row, fmap.get("name"), "name"), shape=shape, diameter=diameter, height=height,
            width=width, material=self._mapped(row, fmap.get("material"), "material"),
            length=nums["length"], up_invert=nums["up_invert"], down_invert=nums["down_invert"],
            roughness=nums["roughness"], install_year=year, condition_grade=grade,
            owner_department=self._text(row, fmap.get("owner_department"), "owner_department"),
            status=self._mapped(row, fmap.get("status"), "status") or "in_service",
            attrs=attrs, line=line)
        self.links.append(record)
        self.link_coords.append(coords)
        self._link_meta.append((layer, fmap, nums))

    def _id(self, layer: str, row: dict[str, Any], line: int, src: str,
            seen: dict[str, tuple[str, int]]) -> str | None:
        value = row.get(src)
        if is_blank(value):
            self.problem(layer, "missing id", line, src)
            return None
        ext_id = to_text(value)
        if ext_id in seen:
            where = seen[ext_id]
            first = f"line {where[1]}" + (f" of layer {where[0]}" if where[0] != layer else "")
            self.problem(layer, f"duplicate id {ext_id!r} (first at {first})", line, src)
            return None
        seen[ext_id] = (layer, line)
        return ext_id

    def _kind(self, layer: str, row: dict[str, Any], line: int, src: str | None,
              default_key: str, allowed: tuple[str, ...]) -> str | None:
        value = None if src is None else row.get(src)
        if is_blank(value):
            return str(self.fmap.defaults.get(default_key, allowed[0]))
        raw = to_text(value)
        kind = self.fmap.map_value("kind", raw) or raw.lower()
        if kind not in allowed:
            self.problem(layer, f"unknown kind value {raw!r}: map it to one of "
                         f"{', '.join(allowed)} in the field mapping's values.kind", line, src)
            return None
        return kind

    def _default(self, rec_field: str) -> Any:
        value = self.fmap.defaults.get(rec_field)
        return None if is_blank(value) else value

    def _text(self, row: dict[str, Any], src: str | None, rec_field: str) -> str | None:
        value = None if src is None else row.get(src)
        if is_blank(value):
            default = self._default(rec_field)
            return None if default is None else str(default)
        return to_text(value)

    def _mapped(self, row: dict[str, Any], src: str | None, rec_field: str) -> str | None:
        text = self._text(row, src, rec_field)
        return None if text is None else self.fmap.map_value(rec_field, text) or text

    def _convert(self, layer: str, row: dict[str, Any], line: int, src: str | None,
                 rec_field: str, func: Any, what: str) -> Any:
        value = None if src is None else row.get(src)
        if is_blank(value):
            value = self._default(rec_field)
            if value is None:
                return None
        try:
            number = func(value)
        except (TypeError, ValueError):
            self.problem(layer, f"{value!r} is not {what}", line, src)
            return None
        if isinstance(number, int) and number < 0:
            self.problem(layer, f"negative value {number}", line, src)
            return None
        return number

    def _float(self, layer: str, row: dict[str, Any], line: int, src: str | None,
               rec_field: str) -> float | None:
        value = None if src is None else row.get(src)
        if is_blank(value):
            value = self._default(rec_field)
            if value is None:
                return None
        try:
            number = to_float(value)
        except (TypeError, ValueError):
            self.problem(layer, f"{value!r} is not a number", line, src)
            return None
        if rec_field in _NON_NEGATIVE and number < 0:
            self.problem(layer, f"negative {rec_field.replace('_', ' ')} {number:g}", line, src)
            return None
        return number

    def _dimension(self, layer: str, row: dict[str, Any], line: int, src: str | None,
                   rec_field: str) -> tuple[float, float | None] | None:
        value = None if src is None else row.get(src)
        if is_blank(value):
            value = self._default(rec_field)
            if value is None:
                return None
        try:
            return to_dimension(value, self.fmap.diameter_unit)
        except (TypeError, ValueError):
            self.problem(layer, f"{rec_field} {value!r} is not a size (e.g. 300, DN300, "
                         "0.3m, 1000×800)", line, src)
            return None

    def join(self, tolerance: float) -> None:
        """Set from/to nodes: by the id fields when given, else by snapping line ends."""
        by_id = {n.external_id: n for n in self.nodes}
        grid = SnapGrid(tolerance)
        for node in self.nodes:
            if node.x is not None and node.y is not None:
                grid.add((node.x, node.y), node)
        generated = SnapGrid(tolerance)
        for link, coords, (layer, fmap, nums) in zip(self.links, self.link_coords,
                                                     self._link_meta, strict=True):
            for end, xy, suffix in (("from_node", coords[0], "up"), ("to_node", coords[-1], "dn")):
                ext = getattr(link, end)
                if ext:
                    if ext not in by_id:
                        self.problem(layer, f"unknown node {ext!r}", link.line, fmap.get(end))
                    continue
                node = grid.nearest(xy) or generated.nearest(xy)
                if node is None:
                    node = self._generated_node(f"{link.external_id}-{suffix}", xy, by_id)
                    generated.add(xy, node)
                setattr(link, end, node.external_id)
            link.vertices = coords[1:-1]
            if link.from_node and link.from_node == link.to_node:
                self.problem(layer, f"link starts and ends at node {link.from_node!r}",
                             link.line, "geometry")
            self._derive_inverts(link, by_id, nums)

    def _generated_node(self, wanted: str, xy: tuple[float, float],
                        by_id: dict[str, NodeRecord]) -> NodeRecord:
        ext_id, n = wanted, 1
        while ext_id in by_id:
            n += 1
            ext_id = f"{wanted}-{n}"
        node = NodeRecord(ext_id, str(self.fmap.defaults.get("node_kind", "manhole")), xy[0],
                          xy[1], attrs={"generated": True})
        self.nodes.append(node)
        by_id[ext_id] = node
        return node

    @staticmethod
    def _derive_inverts(link: LinkRecord, by_id: dict[str, NodeRecord],
                        nums: dict[str, float | None]) -> None:
        for inv, depth, end in (("up_invert", "up_depth", link.from_node),
                                ("down_invert", "down_depth", link.to_node)):
            node = by_id.get(end)
            if getattr(link, inv) is None and nums[depth] is not None and node is not None \
                    and node.ground_elev is not None:
                setattr(link, inv, round(node.ground_elev - nums[depth], 6))

    def fill_lengths(self, crs: str | None) -> None:
        """Measure links without a length: planar metres or geodesic metres on lon/lat."""
        if crs is None:
            return
        geographic = is_geographic(crs)
        unit = crs_object(crs).axis_info[0].unit_name if not geographic else ""
        if not geographic and unit not in ("metre", "meter"):
            return
        for link, coords in zip(self.links, self.link_coords, strict=True):
            if link.length is None:
                link.length = round(geodesic_length_m(coords) if geographic else float(
                    np.hypot(*np.diff(np.asarray(coords), axis=0).T).sum()), 3)


def _attrs(row: dict[str, Any], fmap: dict[str, str]) -> dict[str, Any]:
    used = set(fmap.values())
    return {k: python_value(v) for k, v in row.items()
            if k not in used and not is_blank(python_value(v))}


def _network_layers(source: Source, fmap: FieldMapping,
                    problems: list[Problem]) -> tuple[list[tuple[Layer, str]], list[str]]:
    names = [n for n, _ in source.layers]
    roles: dict[str, str] = {}
    for wanted, role in ((fmap.node_layers, "nodes"), (fmap.link_layers, "links")):
        for name in wanted or ():
            if name not in names:
                problems.append(Problem(f"no layer {name!r} (layers: {', '.join(names)})",
                                        file=source.label))
            roles[name] = role
    skipped: list[str] = []
    if fmap.node_layers is None and fmap.link_layers is None:
        for name, gtype in source.layers:
            if gtype in POINT_TYPES:
                roles[name] = "nodes"
            elif gtype in LINE_TYPES:
                roles[name] = "links"
            elif gtype in ("Unknown", "GeometryCollection"):
                roles[name] = "mixed"
            else:
                skipped.append(name)
    layers: list[tuple[Layer, str]] = []
    for name in names:
        if name in roles:
            try:
                layers.append((read_layer(source, name), roles[name]))
            except Exception as exc:
                problems.append(Problem(f"{layer_prefix(source, name)}cannot read: {exc}",
                                        file=source.label))
    return layers, skipped


def _model_crs(source: Source, layers: list[tuple[Layer, str]], crs: str | int | None,
               problems: list[Problem]) -> str | None:
    try:
        if crs is not None:
            return parse_crs(crs)
        found = {parse_crs(layer.crs) for layer, _ in layers if layer.crs}
    except ValidationFailed as exc:
        problems.append(Problem(exc.message, file=source.label, field="crs"))
        return None
    if len(found) > 1:
        problems.append(Problem(f"layers use different CRSs ({', '.join(sorted(found))}); "
                                "convert them to one", file=source.label, field="crs"))
    return next(iter(found)) if len(found) == 1 else None

"""Which GIS source field feeds each network record field, value maps, units and defaults."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zhishui.core.errors import ValidationFailed

NODE_FIELDS = ("external_id", "kind", "name", "ground_elev", "invert_elev", "max_depth", "status")
LINK_FIELDS = ("external_id", "kind", "name", "from_node", "to_node", "shape", "diameter",
               "height", "width", "material", "length", "up_invert", "down_invert", "up_depth",
               "down_depth", "roughness", "install_year", "condition_grade", "owner_department",
               "status")
RECORD_FIELDS = tuple(dict.fromkeys(NODE_FIELDS + LINK_FIELDS))

# Candidate source names per record field, matched case-insensitively ignoring spaces, "_"
# and "-"; the first candidate present in a layer wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "编号", "编码", "code", "管点编号", "管线编号", "管段编号",
                    "井编号", "井号", "点号", "物探点号", "node_id", "link_id", "pipe_id", "fid",
                    "objectid"),
    "kind": ("kind", "type", "类型", "种类", "节点类型", "管点类型", "井类型", "附属物",
             "管段类型"),
    "name": ("name", "名称", "井名", "管线名称", "管段名称"),
    "ground_elev": ("ground_elev", "ground", "地面高程", "地面标高", "井面高程", "井盖高程",
                    "rim_elev", "rim", "surface_elev"),
    "invert_elev": ("invert_elev", "invert", "井底高程", "井底标高", "inv_elev"),
    "max_depth": ("max_depth", "井深", "井底埋深", "well_depth", "depth"),
    "from_node": ("from_node", "起点编号", "起点", "起点号", "起点点号", "起始点号", "us_node",
                  "up_node", "node1", "inlet_node", "fnode"),
    "to_node": ("to_node", "终点编号", "终点", "终点号", "终点点号", "ds_node", "down_node",
                "dn_node", "node2", "outlet_node", "tnode"),
    "shape": ("shape", "断面形式", "断面形状", "截面形式", "截面形状", "xsection"),
    "diameter": ("diameter", "管径", "dn", "口径", "直径", "diam", "pipe_diam", "geom1"),
    "height": ("height", "断面高", "管高", "高度"),
    "width": ("width", "断面宽", "管宽", "宽度"),
    "material": ("material", "材质", "管材", "pipe_mat"),
    "length": ("length", "管长", "长度", "管段长度", "pipe_len"),
    "up_invert": ("up_invert", "us_invert", "起点高程", "起点管底高程", "起点管底标高", "起点标高",
                  "inv_up", "up_elev"),
    "down_invert": ("down_invert", "ds_invert", "dn_invert", "终点高程", "终点管底高程",
                    "终点管底标高", "终点标高", "inv_down", "down_elev"),
    "up_depth": ("up_depth", "us_depth", "起点埋深"),
    "down_depth": ("down_depth", "ds_depth", "dn_depth", "终点埋深"),
    "roughness": ("roughness", "糙率", "粗糙系数", "manning_n", "manning"),
    "install_year": ("install_year", "year", "建设年代", "建设年份", "敷设年代", "埋设年代",
                     "建设日期", "埋设日期", "敷设日期"),
    "condition_grade": ("condition_grade", "grade", "状况等级", "缺陷等级", "评估等级",
                        "condition"),
    "owner_department": ("owner_department", "owner", "权属单位", "管理单位", "权属", "养护单位"),
    "status": ("status", "状态", "使用状态", "运行状态"),
}

DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "kind": {
        "检查井": "manhole", "窨井": "manhole", "雨水井": "manhole", "污水井": "manhole",
        "雨水检查井": "manhole", "污水检查井": "manhole", "合流井": "manhole", "井": "manhole",
        "雨水口": "inlet", "雨水篦": "inlet", "雨水箅": "inlet", "雨篦子": "inlet",
        "进水口": "inlet",
        "排放口": "outfall", "出水口": "outfall", "排水口": "outfall", "排口": "outfall",
        "泵站": "pump_station", "阀门": "valve", "阀门井": "valve", "消防栓": "hydrant",
        "消火栓": "hydrant", "水表": "meter", "水表井": "meter", "节点": "junction",
        "连接点": "junction", "三通": "junction", "四通": "junction", "弯头": "junction",
        "变径": "junction", "直线点": "junction", "转折点": "junction", "调蓄池": "storage",
        "蓄水池": "storage", "水池": "tank", "水箱": "tank", "水塔": "tank", "清水池": "tank",
        "水库": "reservoir", "水源": "reservoir", "污水处理厂": "treatment_plant",
        "水厂": "treatment_plant",
        "分流井": "divider", "截流井": "divider",
        "管道": "conduit", "管线": "conduit", "雨水管": "conduit", "污水管": "conduit",
        "合流管": "conduit", "渠道": "conduit", "明渠": "conduit", "箱涵": "conduit",
        "给水管": "pipe", "供水管": "pipe", "水泵": "pump", "泵": "pump", "堰": "weir",
        "孔口": "orifice",
    },
    "material": {
        "砼": "concrete", "混凝土": "concrete", "钢筋混凝土": "concrete", "钢筋砼": "concrete",
        "铸铁": "cast_iron", "灰口铸铁": "cast_iron", "球墨铸铁": "ductile_iron",
        "球铁": "ductile_iron",
        "钢": "steel", "钢管": "steel", "镀锌钢管": "galvanized_steel", "不锈钢": "stainless_steel",
        "pe": "pe", "hdpe": "hdpe", "聚乙烯": "pe", "pvc": "pvc", "upvc": "pvc", "pvc-u": "pvc",
        "砖": "brick", "砖砌": "brick", "砖石": "brick", "陶土": "clay", "陶瓷": "clay",
        "玻璃钢": "frp", "石棉水泥": "asbestos_cement",
    },
    "shape": {
        "圆形": "circular", "圆管": "circular", "圆": "circular", "矩形": "rect_closed",
        "方形": "rect_closed", "方沟": "rect_closed", "箱涵": "rect_closed", "明渠": "rect_open",
        "梯形": "trapezoidal", "拱形": "arch", "蛋形": "egg",
    },
    "status": {
        "在用": "in_service", "使用": "in_service", "使用中": "in_service", "运行": "in_service",
        "正常": "in_service", "废弃": "abandoned", "停用": "abandoned",
        "在建": "under_construction",
        "规划": "planned", "设计": "planned",
    },
}

DEFAULTS: dict[str, Any] = {"node_kind": "manhole", "link_kind": "conduit"}
DIAMETER_UNITS = ("mm", "m", "auto")
AUTO_MM_THRESHOLD = 8.0  # "auto": a diameter of 8 or more is millimetres, below it metres

_DIM_RE = re.compile(r"^(dn|de|d|φ|Φ|ф)?\s*(\d+(?:\.\d+)?)\s*(mm|m|毫米|米)?$", re.IGNORECASE)
_BOX_RE = re.compile(r"^(?:b?\s*)(\d+(?:\.\d+)?)\s*[x×*]\s*(\d+(?:\.\d+)?)\s*(mm|m)?$",
                     re.IGNORECASE)
_YEAR_RE = re.compile(r"^\s*((?:19|20)\d\d)")


def norm_name(name: str) -> str:
    """A field name folded for matching: lower case, without spaces, "_" and "-"."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


@dataclass
class FieldMapping:
    """How source fields become record fields.

    `fields`: record field -> candidate source field names (first present wins).
    `values`: record field -> {source value: record value}, matched case-insensitively.
    `diameter_unit`: "mm", "m" or "auto" (a value >= 8 is mm); applies to diameter/height/width.
    `defaults`: "node_kind"/"link_kind" for features without a kind, plus a default per record
    field. `node_layers`/`link_layers`: restrict layers (None: classify layers by geometry).
    `snap_tolerance`: end-point snapping in CRS units (None: 0.01 projected, 1e-7 degrees).
    """

    fields: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    values: dict[str, dict[str, str]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_VALUES.items()})
    diameter_unit: str = "auto"
    defaults: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    node_layers: tuple[str, ...] | None = None
    link_layers: tuple[str, ...] | None = None
    snap_tolerance: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: FieldMapping | None = None) -> FieldMapping:
        """Build from a JSON-like dict, overriding `base` (the default mapping when None).

        Keys: fields {record field: name or [names]}, values {record field: {from: to}},
        diameter_unit, defaults, layers {"nodes": [...], "links": [...]}, snap_tolerance, and
        replace_defaults (true: start from empty field and value maps instead of the defaults).
        A record field name at the top level (or "code" for external_id) is shorthand for an
        entry of fields: {"code": "编号", "diameter": "GJ"}.
        """
        known = {"fields", "values", "diameter_unit", "defaults", "layers", "snap_tolerance",
                 "replace_defaults"}
        short = {k for k in data if k not in known and (k == "code" or k in RECORD_FIELDS)}
        if short:
            fields = {**dict(data.get("fields") or {}),
                      **{("external_id" if k == "code" else k): data[k] for k in short}}
            data = {**{k: v for k, v in data.items() if k not in short}, "fields": fields}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationFailed(f"unknown field-mapping keys: {', '.join(unknown)}")
        out = base if base is not None else cls()
        out = FieldMapping(dict(out.fields), {k: dict(v) for k, v in out.values.items()},
                           out.diameter_unit, dict(out.defaults), out.node_layers, out.link_layers,
                           out.snap_tolerance)
        if data.get("replace_defaults"):
            out.fields, out.values = {}, {}
        for rec_field, names in dict(data.get("fields") or {}).items():
            _check_record_field(rec_field)
            out.fields[rec_field] = (names,) if isinstance(names, str) else tuple(names)
        for rec_field, vmap in dict(data.get("values") or {}).items():
            _check_record_field(rec_field)
            out.values.setdefault(rec_field, {}).update({str(k): str(v) for k, v in vmap.items()})
        out.defaults.update(dict(data.get("defaults") or {}))
        unit = data.get("diameter_unit", out.diameter_unit)
        if unit not in DIAMETER_UNITS:
            raise ValidationFailed(f"diameter_unit must be one of {', '.join(DIAMETER_UNITS)}")
        out.diameter_unit = unit
        layers = dict(data.get("layers") or {})
        if "nodes" in layers:
            out.node_layers = tuple(layers["nodes"])
        if "links" in layers:
            out.link_layers = tuple(layers["links"])
        if data.get("snap_tolerance") is not None:
            out.snap_tolerance = float(data["snap_tolerance"])
        return out

    @classmethod
    def from_file(cls, path: str | Path) -> FieldMapping:
        """Load a mapping from a JSON file (see `from_dict` for the keys)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationFailed(f"cannot read field mapping {Path(path).name}: {exc}") from exc
        if not isinstance(data, dict):
            raise ValidationFailed(f"field mapping {Path(path).name} must be a JSON object")
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The mapping as a JSON-serialisable dict that `from_dict` reads back."""
        layers = {k: list(v) for k, v in (("nodes", self.node_layers),
                                          ("links", self.link_layers)) if v is not None}
        return {"fields": {k: list(v) for k, v in self.fields.items()},
                "values": {k: dict(v) for k, v in self.values.items()},
                "diameter_unit": self.diameter_unit, "defaults": dict(self.defaults),
                "layers": layers, "snap_tolerance": self.snap_tolerance,
                "replace_defaults": True}

    def resolve(self, source_fields: Iterable[str], wanted: Iterable[str]) -> dict[str, str]:
        """Record field -> the source field feeding it, for the fields of one layer."""
        by_norm: dict[str, str] = {}
        for name in source_fields:
            by_norm.setdefault(norm_name(name), name)
        out: dict[str, str] = {}
        used: set[str] = set()
        for rec_field in wanted:
            for candidate in self.fields.get(rec_field, ()):
                src = by_norm.get(norm_name(candidate))
                if src is not None and src not in used:
                    out[rec_field] = src
                    used.add(src)
                    break
        return out

    def map_value(self, rec_field: str, value: str) -> str | None:
        """The mapped value of `value` for `rec_field`, or None when the map has no entry."""
        vmap = self.values.get(rec_field)
        if not vmap:
            return None
        if value in vmap:
            return vmap[value]
        folded = value.strip().lower()
        for key, mapped in vmap.items():
            if key.strip().lower() == folded:
                return mapped
        return None


def default_mapping() -> FieldMapping:
    """A fresh default mapping (English and Chinese field names)."""
    return FieldMapping()


def as_mapping(mapping: FieldMapping | Mapping[str, Any] | None) -> FieldMapping:
    """A FieldMapping from None (the defaults), a FieldMapping or a JSON-like dict."""
    if mapping is None:
        return FieldMapping()
    return mapping if isinstance(mapping, FieldMapping) else FieldMapping.from_dict(mapping)


def _check_record_field(name: str) -> None:
    if name not in RECORD_FIELDS:
        raise ValidationFailed(f"unknown record field in field mapping: {name!r}",
                               allowed=list(RECORD_FIELDS))


def is_blank(value: Any) -> bool:
    """True for None, NaN and empty or whitespace-only text."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def to_float(value: Any) -> float:
    """A number from a number or numeric text; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        number = float(str(value).strip().replace(",", ""))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def to_int(value: Any) -> int:
    """An integer from an integral number or text; raises ValueError otherwise."""
    number = to_float(value)
    if number != int(number):
        raise ValueError("not an integer")
    return int(number)


def to_year(value: Any) -> int:
    """A year from 2005, "2005", "2005年", "2005-06-01" or a date; raises ValueError otherwise."""
    if isinstance(value, datetime | date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        year = to_int(value)
    else:
        match = _YEAR_RE.match(str(value))
        if not match:
            raise ValueError("not a year")
        year = int(match.group(1))
    if not 1800 <= year <= 2200:
        raise ValueError("year out of range")
    return year


def to_dimension(value: Any, unit: str) -> tuple[float, float | None]:
    """A section size in metres from 300, "DN300", "300mm", "0.3m" or "1000×800" (width×height).

    Bare numbers follow `unit` ("auto": 8 or more is mm); DN/De/d/Φ prefixes mean mm.

    Returns (size, None) for a single size, (width, height) for a box; raises ValueError.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _to_metres(to_float(value), None, unit), None
    text = str(value).strip()
    match = _DIM_RE.match(text)
    if match:  # a nominal-diameter prefix (DN300, De110, Φ300) means millimetres
        suffix = match.group(3) or ("mm" if match.group(1) else None)
        return _to_metres(float(match.group(2)), suffix, unit), None
    box = _BOX_RE.match(text)
    if box:
        suffix = box.group(3)
        return (_to_metres(float(box.group(1)), suffix, unit),
                _to_metres(float(box.group(2)), suffix, unit))
    raise ValueError("not a size")


def _to_metres(number: float, suffix: str | None, unit: str) -> float:
    if number < 0:
        raise ValueError("negative size")
    if suffix:
        return number / 1000.0 if suffix.lower() in {"mm", "毫米"} else number
    if unit == "mm" or (unit == "auto" and number >= AUTO_MM_THRESHOLD):
        return number / 1000.0
    return number


def to_text(value: Any) -> str:
    """Text of an id or label: integral numbers without ".0", text stripped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

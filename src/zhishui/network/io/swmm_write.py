"""EPA SWMM 5 .inp writer; see zhishui.network.io.swmm for the conventions."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from zhishui.network.io.inp_common import ProblemList, header, polyline_length, row
from zhishui.network.io.swmm_read import (
    ACRE,
    COLUMNS,
    DIAMETER_SHAPES,
    FT,
    INFILTRATION_KEYS,
    MODELED,
    SI_FLOW_UNITS,
    SUBAREA_KEYS,
    US_FLOW_UNITS,
    WIDTH_SHAPES,
    XSECT_SHAPES,
    option_value,
)
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord, SubcatchmentRecord

SECTION_ORDER = (
    "TITLE", "OPTIONS", "FILES", "EVAPORATION", "TEMPERATURE", "ADJUSTMENTS", "RAINGAGES",
    "SUBCATCHMENTS", "SUBAREAS", "INFILTRATION", "LID_CONTROLS", "LID_USAGE", "AQUIFERS",
    "GROUNDWATER", "GWF", "SNOWPACKS", "JUNCTIONS", "OUTFALLS", "DIVIDERS", "STORAGE",
    "CONDUITS", "PUMPS", "ORIFICES", "WEIRS", "OUTLETS", "XSECTIONS", "TRANSECTS", "STREETS",
    "INLETS", "INLET_USAGE", "LOSSES", "CONTROLS", "POLLUTANTS", "LANDUSES", "COVERAGES",
    "LOADINGS", "BUILDUP", "WASHOFF", "TREATMENT", "INFLOWS", "DWF", "RDII", "HYDROGRAPHS",
    "CURVES", "TIMESERIES", "PATTERNS", "REPORT", "TAGS", "MAP", "COORDINATES", "VERTICES",
    "POLYGONS", "SYMBOLS", "LABELS", "BACKDROP", "PROFILES")
DEFAULT_OPTIONS = (
    ("FLOW_UNITS", "CMS"), ("INFILTRATION", "HORTON"), ("FLOW_ROUTING", "DYNWAVE"),
    ("LINK_OFFSETS", "DEPTH"), ("MIN_SLOPE", "0"), ("ALLOW_PONDING", "NO"),
    ("SKIP_STEADY_STATE", "NO"), ("START_DATE", "01/01/2024"), ("START_TIME", "00:00:00"),
    ("REPORT_START_DATE", "01/01/2024"), ("REPORT_START_TIME", "00:00:00"),
    ("END_DATE", "01/02/2024"), ("END_TIME", "00:00:00"), ("SWEEP_START", "01/01"),
    ("SWEEP_END", "12/31"), ("DRY_DAYS", "0"), ("REPORT_STEP", "00:05:00"),
    ("WET_STEP", "00:01:00"), ("DRY_STEP", "01:00:00"), ("ROUTING_STEP", "0:00:05"),
    ("INERTIAL_DAMPING", "PARTIAL"), ("NORMAL_FLOW_LIMITED", "BOTH"),
    ("FORCE_MAIN_EQUATION", "H-W"), ("VARIABLE_STEP", "0.75"), ("LENGTHENING_STEP", "0"),
    ("MIN_SURFAREA", "1.167"), ("MAX_TRIALS", "8"), ("HEAD_TOLERANCE", "0.0015"),
    ("SYS_FLOW_TOL", "5"), ("LAT_FLOW_TOL", "5"), ("MINIMUM_STEP", "0.5"), ("THREADS", "1"))
DEFAULT_REPORT = ("INPUT NO", "CONTROLS NO", "SUBCATCHMENTS ALL", "NODES ALL", "LINKS ALL")
SHAPE_ALIASES = {"CIRCLE": "CIRCULAR", "ROUND": "CIRCULAR", "PIPE": "CIRCULAR",
                 "RECTANGULAR": "RECT_CLOSED", "RECTANGLE": "RECT_CLOSED", "BOX": "RECT_CLOSED",
                 "RECT": "RECT_CLOSED", "TRAPEZOID": "TRAPEZOIDAL", "TRIANGLE": "TRIANGULAR"}
DEFAULT_DIAMETER = 0.3  # m
DEFAULT_ROUGHNESS = 0.013
# default subarea and Horton values: (SI, US)
SUBAREA_DEFAULTS = ((0.012, 0.15, 1.27, 5.08, 25.0, "OUTLET"),
                    (0.012, 0.15, 0.05, 0.2, 25.0, "OUTLET"))
INFILTRATION_DEFAULTS = {
    "HORTON": ((76.2, 12.7, 4.0, 7.0, 0.0), (3.0, 0.5, 4.0, 7.0, 0.0)),
    "GREEN_AMPT": ((88.9, 12.7, 0.25), (3.5, 0.5, 0.25)),
    "CURVE_NUMBER": ((80.0, 12.7, 7.0), (80.0, 0.5, 7.0)),
}


def write_inp(model: NetworkModel, path: Path | str, *, encoding: str = "utf-8") -> None:
    """Write `model` as a SWMM 5 .inp file in its flow units; raises InputRejected."""
    path = Path(path)
    problems = ProblemList(path.name)
    text = _Writer(model, problems).render()
    problems.raise_if_any()
    path.write_text(text, encoding=encoding, newline="\n")


def _swmm(attrs: dict[str, Any] | None) -> dict[str, Any]:
    sw = (attrs or {}).get("swmm")
    return sw if isinstance(sw, dict) else {}


def _merge_options(raw: list[str] | None, flow_units: str) -> list[str]:
    lines = list(raw) if raw else [f"{k:<21}{v}" for k, v in DEFAULT_OPTIONS]
    forced = {"FLOW_UNITS": flow_units, "LINK_OFFSETS": "DEPTH"}
    seen: set[str] = set()
    out = []
    for line in lines:
        parts = line.split(";", 1)[0].split()
        key = parts[0].upper() if parts else ""
        if key in forced:
            line = f"{key:<21}{forced[key]}"
        seen.add(key)
        out.append(line)
    return [f"{k:<21}{v}" for k, v in forced.items() if k not in seen] + out


class _Writer:
    def __init__(self, model: NetworkModel, problems: ProblemList) -> None:
        self.model = model
        self.problems = problems
        sw = (model.options or {}).get("swmm")
        sw = sw if isinstance(sw, dict) else {}
        self.raw: dict[str, list[str]] = {
            str(k).upper(): [str(x) for x in v] for k, v in (sw.get("sections") or {}).items()}
        units = str(sw.get("flow_units") or option_value(self.raw.get("OPTIONS"), "FLOW_UNITS")
                    or "CMS").upper()
        if units not in US_FLOW_UNITS + SI_FLOW_UNITS:
            problems.add(f"flow units {units!r} are not one of "
                         f"{', '.join(US_FLOW_UNITS + SI_FLOW_UNITS)}", field="flow_units")
            units = "CMS"
        self.us = units in US_FLOW_UNITS
        self.L = FT if self.us else 1.0
        self.A = ACRE if self.us else 1.0
        self.options = _merge_options(self.raw.get("OPTIONS"), units)
        self.infiltration = option_value(self.options, "INFILTRATION") or "HORTON"
        self.out: dict[str, list[str]] = {}
        self.inverts: dict[str, float] = {}
        self.nodes: dict[str, NodeRecord] = {}

    def add(self, section: str, values: list[Any], comment: str | None = None) -> None:
        self.out.setdefault(section, []).append(row(values, comment))

    def len_(self, metres: float | None, default: float = 0.0) -> float:
        return default if metres is None else metres / self.L

    def render(self) -> str:
        for node in self.model.nodes:
            self.write_node(node)
        names: set[str] = set()
        for link in self.model.links:
            if link.external_id in names:
                self.problems.add(f"duplicate link id {link.external_id!r}", field="Name")
                continue
            names.add(link.external_id)
            self.write_link(link)
        subs = {s.external_id for s in self.model.subcatchments}
        seen: set[str] = set()
        for sub in self.model.subcatchments:
            if sub.external_id in seen:
                self.problems.add(f"duplicate subcatchment id {sub.external_id!r}", field="Name")
                continue
            seen.add(sub.external_id)
            self.write_subcatchment(sub, subs)
        return self.assemble()

    def assemble(self) -> str:
        sections: dict[str, list[str]] = {}
        title = self.raw.get("TITLE") or [self.model.source or "exported by zhishui"]
        sections["TITLE"] = ["[TITLE]", *title]
        sections["OPTIONS"] = ["[OPTIONS]", *self.options]
        for name, lines in self.raw.items():
            if name not in MODELED and name not in sections:
                sections[name] = [f"[{name}]", *lines]
        if "REPORT" not in sections:
            sections["REPORT"] = ["[REPORT]", *DEFAULT_REPORT]
        for name, lines in self.out.items():
            columns = COLUMNS.get(name, ())
            if name == "INFILTRATION":
                keys = INFILTRATION_KEYS.get(self.infiltration, ())
                columns = ("Subcatchment", *keys)
            sections[name] = header(name, columns) + lines
        order = [n for n in SECTION_ORDER if n in sections]
        order += [n for n in sections if n not in SECTION_ORDER]
        return "\n".join("\n".join(sections[n]) + "\n" for n in order)

    # -- nodes ---------------------------------------------------------------------------
    def write_node(self, node: NodeRecord) -> None:
        nid = node.external_id
        if nid in self.nodes:
            self.problems.add(f"duplicate node id {nid!r}", field="Name")
            return
        self.nodes[nid] = node
        inv = node.invert_elev
        if inv is None and node.ground_elev is not None and node.max_depth is not None:
            inv = node.ground_elev - node.max_depth
        if inv is None:
            self.problems.add(f"node {nid!r} has no invert elevation", field="invert_elev")
            inv = 0.0
        self.inverts[nid] = inv
        depth = node.max_depth
        if depth is None:
            depth = node.ground_elev - inv if node.ground_elev is not None else 0.0
        depth = max(depth, 0.0)
        sw = _swmm(node.attrs)
        comment = sw.get("comment")
        elev, ymax = inv / self.L, depth / self.L
        if node.x is not None and node.y is not None:
            self.add("COORDINATES", [nid, node.x, node.y])
        kind = node.kind
        if kind == "divider" and not sw.get("diverted_link"):
            kind = "manhole"
        if kind == "outfall":
            otype = str(sw.get("outfall_type") or "FREE").upper()
            values: list[Any] = [nid, elev, otype]
            if otype in ("FIXED", "TIDAL", "TIMESERIES"):
                stage = sw.get("stage")
                if stage is None and otype == "FIXED":
                    stage = elev
                if stage is None:
                    self.problems.add(f"outfall {nid!r} of type {otype} needs attrs "
                                      "swmm.stage", field="StageData")
                values.append(stage)
            values.append(sw.get("gated") or "NO")
            if sw.get("route_to"):
                values.append(sw["route_to"])
            self.add("OUTFALLS", values, comment)
        elif kind == "storage":
            shape = str(sw.get("shape") or "FUNCTIONAL").upper()
            values = [nid, elev, ymax, sw.get("init_depth") or 0.0, shape]
            if shape == "TABULAR":
                if not sw.get("curve"):
                    self.problems.add(f"storage {nid!r} of shape TABULAR needs attrs "
                                      "swmm.curve", field="Curve/Params")
                values.append(sw.get("curve"))
            else:
                values += list(sw.get("shape_params") or (0.0, 0.0, 1000.0))
            values += [sw.get("sur_depth") or 0.0, sw.get("evap_factor") or 0.0]
            values += list(sw.get("seepage") or ())
            self.add("STORAGE", values, comment)
            for x, y in sw.get("polygon") or ():
                self.add("POLYGONS", [nid, x, y])
        elif kind == "divider":
            self.add("DIVIDERS", [nid, elev, sw["diverted_link"],
                                  sw.get("divider_type") or "OVERFLOW",
                                  *(sw.get("divider_params") or ()), ymax,
                                  sw.get("init_depth") or 0.0, sw.get("sur_depth") or 0.0,
                                  sw.get("ponded_area") or 0.0], comment)
        else:
            self.add("JUNCTIONS", [nid, elev, ymax, sw.get("init_depth") or 0.0,
                                   sw.get("sur_depth") or 0.0, sw.get("ponded_area") or 0.0],
                     comment)

    # -- links ---------------------------------------------------------------------------
    def offset(self, elev: float | None, node_id: str) -> float:
        base = self.inverts.get(node_id)
        if elev is None or base is None:
            return 0.0
        d = (elev - base) / self.L
        return d if d > 1e-9 else 0.0

    def write_link(self, link: LinkRecord) -> None:
        lid = link.external_id
        for end, col in ((link.from_node, "FromNode"), (link.to_node, "ToNode")):
            if end not in self.nodes:
                self.problems.add(f"link {lid!r}: node {end!r} is not in the model", field=col)
        sw = _swmm(link.attrs)
        comment = sw.get("comment")
        ends = [lid, link.from_node, link.to_node]
        off1 = self.offset(link.up_invert, link.from_node)
        kind = link.kind
        if kind == "valve":
            kind = "orifice"
        if kind == "pump":
            self.add("PUMPS", [*ends, sw.get("pump_curve") or "*",
                               sw.get("initial_status") or "ON", sw.get("startup_depth") or 0.0,
                               sw.get("shutoff_depth") or 0.0], comment)
        elif kind == "orifice":
            self.add("ORIFICES", [*ends, sw.get("orifice_type") or "SIDE", off1,
                                  _or(sw.get("discharge_coeff"), 0.65), sw.get("gated") or "NO",
                                  sw.get("close_time") or 0.0], comment)
            self.xsection(link, sw, "orifice")
        elif kind == "weir":
            wtype = str(sw.get("weir_type") or "TRANSVERSE").upper()
            values = [*ends, wtype, off1,
                      _or(sw.get("discharge_coeff"), 3.33 if self.us else 1.84),
                      sw.get("gated") or "NO", sw.get("end_contractions") or 0.0,
                      sw.get("end_coeff") or 0.0, sw.get("can_surcharge") or "YES"]
            if wtype == "ROADWAY" or any(sw.get(k) for k in ("road_width", "road_surface",
                                                             "coeff_curve")):
                values += [sw.get("road_width") or 0.0, sw.get("road_surface") or "*"]
            if sw.get("coeff_curve"):
                values.append(sw["coeff_curve"])
            self.add("WEIRS", values, comment)
            self.xsection(link, sw, "weir", wtype)
        elif kind == "outlet":
            rating = str(sw.get("rating") or "FUNCTIONAL/DEPTH").upper()
            values = [*ends, off1, rating]
            if rating.startswith("TABULAR"):
                values.append(sw.get("curve"))
            else:
                values += [_or(sw.get("coeff"), 10.0), _or(sw.get("expon"), 0.5)]
            values.append(sw.get("gated") or "NO")
            self.add("OUTLETS", values, comment)
        else:
            length = link.length
            if length is None:
                length = self.geometric_length(link)
            if length is None or length <= 0:
                self.problems.add(f"conduit {lid!r} has no length and no coordinates to "
                                  "measure one", field="Length")
                length = 1.0
            off2 = self.offset(link.down_invert, link.to_node)
            self.add("CONDUITS", [*ends, length / self.L, _or(link.roughness, DEFAULT_ROUGHNESS),
                                  off1, off2, sw.get("init_flow") or 0.0,
                                  sw.get("max_flow") or 0.0], comment)
            self.xsection(link, sw, "conduit")
        losses = sw.get("losses")
        if isinstance(losses, dict):
            self.add("LOSSES", [lid, losses.get("inlet") or 0.0, losses.get("outlet") or 0.0,
                                losses.get("average") or 0.0, losses.get("flap_gate") or "NO",
                                losses.get("seepage") or 0.0])
        for x, y in link.vertices:
            self.add("VERTICES", [lid, x, y])

    def geometric_length(self, link: LinkRecord) -> float | None:
        a, b = self.nodes.get(link.from_node), self.nodes.get(link.to_node)
        if a is None or b is None or None in (a.x, a.y, b.x, b.y):
            return None
        return polyline_length([(a.x, a.y), *link.vertices, (b.x, b.y)])

    def xsection(self, link: LinkRecord, sw: dict[str, Any], kind: str,
                 weir_type: str = "") -> None:
        lid = link.external_id
        shape = (link.shape or "").upper().replace(" ", "_")
        shape = SHAPE_ALIASES.get(shape, shape)
        if not shape:
            if kind == "weir":
                shape = {"V-NOTCH": "TRIANGULAR", "TRAPEZOIDAL": "TRAPEZOIDAL"}.get(
                    weir_type, "RECT_OPEN")
            elif link.diameter is None and link.height is not None and link.width is not None:
                shape = "RECT_CLOSED"
            else:
                shape = "CIRCULAR"
        if shape not in XSECT_SHAPES:
            self.problems.add(f"link {lid!r}: shape {link.shape!r} is not a SWMM cross-section "
                              "shape", field="Shape")
            return
        if shape in ("IRREGULAR", "STREET"):
            key = "transect" if shape == "IRREGULAR" else "street"
            if not sw.get(key):
                self.problems.add(f"link {lid!r} of shape {shape} needs attrs swmm.{key}",
                                  field="Geom1")
            self.add("XSECTIONS", [lid, shape, sw.get(key)])
            return
        if shape in DIAMETER_SHAPES:
            g1 = _or(link.diameter, _or(link.height, DEFAULT_DIAMETER))
        else:
            g1 = _or(link.height, _or(link.diameter, 1.0 if kind == "weir" else
                                      DEFAULT_DIAMETER))
        if shape in WIDTH_SHAPES:
            g2: Any = (link.width / self.L if link.width is not None else
                       _or(sw.get("geom2"), g1 / self.L))
        elif shape == "CUSTOM":
            g2 = sw.get("shape_curve")
        elif shape == "FORCE_MAIN":
            g2 = _or(sw.get("geom2"), 130.0)
        else:
            g2 = sw.get("geom2") or 0.0
        values = [lid, shape, g1 / self.L, g2, sw.get("geom3") or 0.0, sw.get("geom4") or 0.0]
        if kind == "conduit":
            values.append(sw.get("barrels") or 1)
            if sw.get("culvert"):
                values.append(sw["culvert"])
        self.add("XSECTIONS", values)

    # -- subcatchments -------------------------------------------------------------------
    def write_subcatchment(self, sub: SubcatchmentRecord, subs: set[str]) -> None:
        sid = sub.external_id
        sw = _swmm(sub.attrs)
        if sub.outlet not in self.nodes and sub.outlet not in subs:
            self.problems.add(f"subcatchment {sid!r}: outlet {sub.outlet!r} is not in the "
                              "model", field="Outlet")
        if sub.area_ha is None:
            self.problems.add(f"subcatchment {sid!r} has no area", field="Area")
        area = sub.area_ha or 0.0
        width = sub.width_m if sub.width_m is not None else math.sqrt(area * 1e4)
        values = [sid, sub.raingage or "*", sub.outlet, area / self.A, sub.imperv_pct or 0.0,
                  width / self.L, _or(sub.slope_pct, 0.5), sw.get("curb_length") or 0.0]
        if sw.get("snowpack"):
            values.append(sw["snowpack"])
        self.add("SUBCATCHMENTS", values, sw.get("comment"))
        subarea = sw.get("subarea")
        if isinstance(subarea, dict) and subarea:
            values = [sid]
            for key in SUBAREA_KEYS:
                if subarea.get(key) is None:
                    break
                values.append(subarea[key])
        else:
            values = [sid, *SUBAREA_DEFAULTS[self.us]]
        self.add("SUBAREAS", values)
        infil = sw.get("infiltration")
        if isinstance(infil, dict) and infil:
            method = str(infil.get("method") or self.infiltration).upper()
            values = [sid]
            for key in INFILTRATION_KEYS.get(method, ()):
                if infil.get(key) is None:
                    break
                values.append(infil[key])
            values += list(infil.get("extra") or ())
            if infil.get("method"):
                values.append(method)
        else:
            method = self.infiltration.replace("MODIFIED_", "")
            values = [sid, *INFILTRATION_DEFAULTS.get(method, INFILTRATION_DEFAULTS["HORTON"])
                      [self.us]]
        self.add("INFILTRATION", values)
        for x, y in sub.polygon:
            self.add("POLYGONS", [sid, x, y])


def _or(v: Any, default: Any) -> Any:
    return default if v is None else v

"""EPA SWMM 5 .inp reader; see zhishui.network.io.swmm for the conventions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhishui.network.io.inp_common import InpSection, ProblemList, Row, read_sections
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord, SubcatchmentRecord

FT = 0.3048  # m per ft
ACRE = 0.40468564224  # ha per acre
US_FLOW_UNITS = ("CFS", "GPM", "MGD")
SI_FLOW_UNITS = ("CMS", "LPS", "MLD")
YES_NO = ("YES", "NO")
XSECT_SHAPES = (
    "DUMMY", "CIRCULAR", "FILLED_CIRCULAR", "RECT_CLOSED", "RECT_OPEN", "TRAPEZOIDAL",
    "TRIANGULAR", "PARABOLIC", "POWER", "RECT_TRIANGULAR", "RECT_ROUND", "MODBASKETHANDLE",
    "EGG", "HORSESHOE", "GOTHIC", "CATENARY", "SEMIELLIPTICAL", "BASKETHANDLE", "SEMICIRCULAR",
    "IRREGULAR", "CUSTOM", "FORCE_MAIN", "HORIZ_ELLIPSE", "VERT_ELLIPSE", "ARCH", "STREET")
DIAMETER_SHAPES = ("CIRCULAR", "FORCE_MAIN", "FILLED_CIRCULAR")
WIDTH_SHAPES = ("RECT_CLOSED", "RECT_OPEN", "TRAPEZOIDAL", "TRIANGULAR", "PARABOLIC", "POWER",
                "RECT_TRIANGULAR", "RECT_ROUND", "MODBASKETHANDLE", "HORIZ_ELLIPSE",
                "VERT_ELLIPSE", "ARCH")
STORAGE_SHAPES = ("TABULAR", "FUNCTIONAL", "CYLINDRICAL", "CONICAL", "PARABOLOID", "PYRAMIDAL")
OUTFALL_TYPES = ("FREE", "NORMAL", "FIXED", "TIDAL", "TIMESERIES")
DIVIDER_TYPES = ("OVERFLOW", "CUTOFF", "TABULAR", "WEIR")
WEIR_TYPES = ("TRANSVERSE", "SIDEFLOW", "V-NOTCH", "TRAPEZOIDAL", "ROADWAY")
OUTLET_RATINGS = ("TABULAR/DEPTH", "TABULAR/HEAD", "FUNCTIONAL/DEPTH", "FUNCTIONAL/HEAD",
                  "TABULAR", "FUNCTIONAL")
INFILTRATION_KEYS = {
    "HORTON": ("max_rate", "min_rate", "decay", "dry_time", "max_infil"),
    "MODIFIED_HORTON": ("max_rate", "min_rate", "decay", "dry_time", "max_infil"),
    "GREEN_AMPT": ("suction", "ksat", "imd"),
    "MODIFIED_GREEN_AMPT": ("suction", "ksat", "imd"),
    "CURVE_NUMBER": ("curve_number", "ksat", "dry_time"),
}
SUBAREA_KEYS = ("n_imperv", "n_perv", "s_imperv", "s_perv", "pct_zero", "route_to", "pct_routed")
NODE_SECTIONS = {"JUNCTIONS": "manhole", "OUTFALLS": "outfall", "DIVIDERS": "divider",
                 "STORAGE": "storage"}
LINK_SECTIONS = {"CONDUITS": "conduit", "PUMPS": "pump", "ORIFICES": "orifice",
                 "WEIRS": "weir", "OUTLETS": "outlet"}
MODELED = (*NODE_SECTIONS, *LINK_SECTIONS, "XSECTIONS", "LOSSES", "SUBCATCHMENTS", "SUBAREAS",
           "INFILTRATION", "COORDINATES", "VERTICES", "POLYGONS")
COLUMNS = {
    "OPTIONS": ("Option", "Value"),
    "JUNCTIONS": ("Name", "Elevation", "MaxDepth", "InitDepth", "SurDepth", "Aponded"),
    "OUTFALLS": ("Name", "Elevation", "Type", "StageData", "Gated", "RouteTo"),
    "STORAGE": ("Name", "Elevation", "MaxDepth", "InitDepth", "Shape", "Curve/Params",
                "Params", "Params", "SurDepth", "Fevap", "Psi", "Ksat", "IMD"),
    "DIVIDERS": ("Name", "Elevation", "DivLink", "Type", "Parameters", "Parameters",
                 "Parameters", "MaxDepth", "InitDepth", "SurDepth", "Aponded"),
    "CONDUITS": ("Name", "FromNode", "ToNode", "Length", "Roughness", "InOffset", "OutOffset",
                 "InitFlow", "MaxFlow"),
    "PUMPS": ("Name", "FromNode", "ToNode", "PumpCurve", "Status", "Startup", "Shutoff"),
    "ORIFICES": ("Name", "FromNode", "ToNode", "Type", "Offset", "Qcoeff", "Gated",
                 "CloseTime"),
    "WEIRS": ("Name", "FromNode", "ToNode", "Type", "CrestHt", "Qcoeff", "Gated", "EndCon",
              "EndCoeff", "Surcharge", "RoadWidth", "RoadSurf", "CoeffCurve"),
    "OUTLETS": ("Name", "FromNode", "ToNode", "Offset", "Type", "QTable/Qcoeff", "Qexpon",
                "Gated"),
    "XSECTIONS": ("Link", "Shape", "Geom1", "Geom2", "Geom3", "Geom4", "Barrels", "Culvert"),
    "LOSSES": ("Link", "Kentry", "Kexit", "Kavg", "FlapGate", "Seepage"),
    "SUBCATCHMENTS": ("Name", "RainGage", "Outlet", "Area", "%Imperv", "Width", "%Slope",
                      "CurbLen", "SnowPack"),
    "SUBAREAS": ("Subcatchment", "N-Imperv", "N-Perv", "S-Imperv", "S-Perv", "PctZero",
                 "RouteTo", "PctRouted"),
    "INFILTRATION": ("Subcatchment", "Param1", "Param2", "Param3", "Param4", "Param5",
                     "Method"),
    "COORDINATES": ("Node", "X-Coord", "Y-Coord"),
    "VERTICES": ("Link", "X-Coord", "Y-Coord"),
    "POLYGONS": ("Subcatchment", "X-Coord", "Y-Coord"),
}


def option_value(lines: list[str] | None, key: str) -> str | None:
    """The value of one [OPTIONS] key in raw lines, upper-cased."""
    for line in lines or []:
        parts = line.split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0].upper() == key:
            return parts[1].upper()
    return None


def read_inp(path: Path | str) -> NetworkModel:
    """Read a SWMM 5 .inp file into records in metres and hectares; raises InputRejected."""
    path = Path(path)
    problems = ProblemList(path.name)
    sections = read_sections(path, problems)
    model = _Reader(sections, problems).read()
    problems.raise_if_any()
    model.source = path.name
    return model


class _Ids(dict[str, Any]):
    """Objects by name, names compared without regard to case as SWMM does."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key.upper(), value)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.upper())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.upper())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.upper(), default)


def _names(section: InpSection | None) -> _Ids:
    names = _Ids()
    for ln in section.lines if section else ():
        if ln.tokens[0].upper() not in names:
            names[ln.tokens[0]] = ln.tokens[0]
    return names


class _Reader:
    def __init__(self, sections: dict[str, InpSection], problems: ProblemList) -> None:
        self.sections = sections
        self.problems = problems
        self.nodes = _Ids()
        self.links = _Ids()
        self.subs = _Ids()
        self.curves = _names(sections.get("CURVES"))
        self.series = _names(sections.get("TIMESERIES"))
        self.gages = _names(sections.get("RAINGAGES"))
        options = sections.get("OPTIONS")
        raw_options = options.raw if options else []
        self.flow_units = "CFS"
        units = option_value(raw_options, "FLOW_UNITS")
        if units is not None:
            if units in US_FLOW_UNITS + SI_FLOW_UNITS:
                self.flow_units = units
            else:
                line = next(ln for ln in options.lines if ln.tokens[0].upper() == "FLOW_UNITS")
                problems.add(f"FLOW_UNITS: {units!r} is not one of "
                             f"{', '.join(US_FLOW_UNITS + SI_FLOW_UNITS)}", line.number,
                             "FLOW_UNITS")
        us = self.flow_units in US_FLOW_UNITS
        self.L = FT if us else 1.0
        self.A = ACRE if us else 1.0
        self.elevation_offsets = option_value(raw_options, "LINK_OFFSETS") == "ELEVATION"
        self.infiltration = option_value(raw_options, "INFILTRATION") or "HORTON"

    # -- helpers -------------------------------------------------------------------------
    def rows(self, name: str) -> list[Row]:
        section = self.sections.get(name)
        if section is None:
            return []
        return [Row(ln, name, COLUMNS[name], self.problems) for ln in section.lines]

    def ref(self, row: Row, i: int, known: _Ids, what: str) -> str | None:
        """The name in column i as defined (None for '*'); a problem if it is not defined."""
        name = row.text(i)
        if name is None or name == "*":
            return None
        if name not in known:
            row.problem(f"{row.col(i)}: {what} {name!r} is not defined", i)
            return name
        obj = known[name]
        return obj if isinstance(obj, str) else obj.external_id

    def new_node(self, row: Row, kind: str) -> NodeRecord | None:
        name = row.tokens[0]
        if name in self.nodes:
            row.problem(f"duplicate node id {name!r} (first defined on line "
                        f"{self.nodes[name].line})", 0)
            return None
        elev = row.num(1)
        node = NodeRecord(name, kind, invert_elev=None if elev is None else elev * self.L,
                          line=row.line.number, attrs={"swmm": {}})
        if row.line.comment:
            node.attrs["swmm"]["comment"] = row.line.comment
        self.nodes[name] = node
        return node

    def set_depth(self, node: NodeRecord, max_depth: float | None) -> None:
        if max_depth is None:
            return
        node.max_depth = max_depth * self.L
        if max_depth > 0 and node.invert_elev is not None:
            node.ground_elev = node.invert_elev + node.max_depth

    def new_link(self, row: Row, kind: str) -> LinkRecord | None:
        name = row.tokens[0]
        if name in self.links:
            row.problem(f"duplicate link id {name!r} (first defined on line "
                        f"{self.links[name].line})", 0)
            return None
        ends = [self.ref(row, i, self.nodes, "node") or "" for i in (1, 2)]
        link = LinkRecord(name, kind, ends[0], ends[1], line=row.line.number,
                          attrs={"swmm": {}})
        if row.line.comment:
            link.attrs["swmm"]["comment"] = row.line.comment
        self.links[name] = link
        return link

    def invert_at(self, row: Row, i: int, node_id: str) -> float | None:
        """Absolute elevation (m) of a link end from its offset column, as SWMM applies it."""
        node = self.nodes.get(node_id)
        base = node.invert_elev if node else None
        tok = row.text(i)
        if tok is None:
            return base
        if self.elevation_offsets and tok.startswith("*"):
            return base
        v = row.num(i)
        if v is None or base is None:
            return None
        if self.elevation_offsets:
            return max(v * self.L, base)
        return base + max(v, 0.0) * self.L

    # -- sections ------------------------------------------------------------------------
    def read(self) -> NetworkModel:
        self.read_nodes()
        for sub_row in self.rows("SUBCATCHMENTS"):
            if sub_row.tokens[0] in self.subs:
                sub_row.problem(f"duplicate subcatchment id {sub_row.tokens[0]!r}", 0)
            else:
                self.subs[sub_row.tokens[0]] = SubcatchmentRecord(sub_row.tokens[0], "")
        self.read_outfall_routes()
        self.read_links()
        self.read_xsections()
        self.read_subcatchments()
        self.read_geometry()
        raw = {name: list(sec.raw) for name, sec in self.sections.items() if name not in MODELED}
        return NetworkModel(
            format="swmm", nodes=list(self.nodes.values()), links=list(self.links.values()),
            subcatchments=list(self.subs.values()),
            options={"swmm": {"flow_units": self.flow_units, "sections": raw}})

    def read_nodes(self) -> None:
        for row in self.rows("JUNCTIONS"):
            if not row.need(2) or not (node := self.new_node(row, "manhole")):
                continue
            self.set_depth(node, row.num(2, 0.0))
            for i, key in ((3, "init_depth"), (4, "sur_depth"), (5, "ponded_area")):
                if row.has(i):
                    node.attrs["swmm"][key] = row.num(i)
        for row in self.rows("OUTFALLS"):
            if not row.need(3) or not (node := self.new_node(row, "outfall")):
                continue
            sw = node.attrs["swmm"]
            kind = sw["outfall_type"] = row.keyword(2, OUTFALL_TYPES, "FREE")
            n = 3
            if kind in ("FIXED", "TIDAL", "TIMESERIES"):
                if not row.need(4):
                    continue
                n = 4
                if kind == "FIXED":
                    sw["stage"] = row.num(3)
                else:
                    sw["stage"] = self.ref(row, 3, self.curves if kind == "TIDAL" else
                                           self.series, "curve" if kind == "TIDAL" else
                                           "time series")
            if row.has(n):
                sw["gated"] = row.keyword(n, YES_NO, "NO")
            if row.has(n + 1):
                sw["route_to"] = row.tokens[n + 1]
        for row in self.rows("DIVIDERS"):
            if not row.need(4) or not (node := self.new_node(row, "divider")):
                continue
            sw = node.attrs["swmm"]
            sw["diverted_link"] = row.tokens[2]
            kind = sw["divider_type"] = row.keyword(3, DIVIDER_TYPES, "OVERFLOW")
            n = {"CUTOFF": 5, "TABULAR": 5, "WEIR": 7}.get(kind or "", 4)
            if not row.need(n):
                continue
            if kind == "TABULAR":
                sw["divider_params"] = [self.ref(row, 4, self.curves, "curve")]
            else:
                sw["divider_params"] = [row.num(i) for i in range(4, n)]
            self.set_depth(node, row.num(n, 0.0))
            for i, key in ((n + 1, "init_depth"), (n + 2, "sur_depth"), (n + 3, "ponded_area")):
                if row.has(i):
                    sw[key] = row.num(i)
        for row in self.rows("STORAGE"):
            if not row.need(6) or not (node := self.new_node(row, "storage")):
                continue
            sw = node.attrs["swmm"]
            self.set_depth(node, row.num(2, 0.0))
            sw["init_depth"] = row.num(3, 0.0)
            shape = sw["shape"] = row.keyword(4, STORAGE_SHAPES, "FUNCTIONAL")
            if shape == "TABULAR":
                sw["curve"] = self.ref(row, 5, self.curves, "curve")
                n = 6
            else:
                if not row.need(8):
                    continue
                sw["shape_params"] = [row.num(i, 0.0) for i in (5, 6, 7)]
                n = 8
            if row.has(n):
                sw["sur_depth"] = row.num(n)
            if row.has(n + 1):
                sw["evap_factor"] = row.num(n + 1)
            if row.has(n + 2):
                sw["seepage"] = [row.num(i) for i in range(n + 2, len(row.tokens))]

    def read_outfall_routes(self) -> None:
        for node in self.nodes.values():
            route = node.attrs["swmm"].get("route_to")
            if route is None:
                continue
            if route in self.subs:
                node.attrs["swmm"]["route_to"] = self.subs[route].external_id
            else:
                self.problems.add(f"RouteTo: subcatchment {route!r} is not defined",
                                  node.line, "RouteTo")

    def read_links(self) -> None:
        for row in self.rows("CONDUITS"):
            if not row.need(7) or not (link := self.new_link(row, "conduit")):
                continue
            length = row.num(3)
            link.length = None if length is None else length * self.L
            link.roughness = row.num(4)
            link.up_invert = self.invert_at(row, 5, link.from_node)
            link.down_invert = self.invert_at(row, 6, link.to_node)
            for i, key in ((7, "init_flow"), (8, "max_flow")):
                if row.has(i):
                    link.attrs["swmm"][key] = row.num(i)
        for row in self.rows("PUMPS"):
            if not row.need(3) or not (link := self.new_link(row, "pump")):
                continue
            sw = link.attrs["swmm"]
            sw["pump_curve"] = self.ref(row, 3, self.curves, "curve") or "*"
            if row.has(4):
                sw["initial_status"] = row.keyword(4, ("ON", "OFF"), "ON")
            for i, key in ((5, "startup_depth"), (6, "shutoff_depth")):
                if row.has(i):
                    sw[key] = row.num(i)
        for row in self.rows("ORIFICES"):
            if not row.need(6) or not (link := self.new_link(row, "orifice")):
                continue
            sw = link.attrs["swmm"]
            sw["orifice_type"] = row.keyword(3, ("SIDE", "BOTTOM"), "SIDE")
            link.up_invert = self.invert_at(row, 4, link.from_node)
            sw["discharge_coeff"] = row.num(5)
            if row.has(6):
                sw["gated"] = row.keyword(6, YES_NO, "NO")
            if row.has(7):
                sw["close_time"] = row.num(7)
        for row in self.rows("WEIRS"):
            if not row.need(6) or not (link := self.new_link(row, "weir")):
                continue
            sw = link.attrs["swmm"]
            sw["weir_type"] = row.keyword(3, WEIR_TYPES, "TRANSVERSE")
            link.up_invert = self.invert_at(row, 4, link.from_node)
            sw["discharge_coeff"] = row.num(5)
            for i, key in ((6, "gated"), (7, "end_contractions"), (8, "end_coeff"),
                           (9, "can_surcharge"), (10, "road_width"), (11, "road_surface"),
                           (12, "coeff_curve")):
                if not row.has(i) or row.tokens[i] == "*":
                    continue
                if key in ("gated", "can_surcharge"):
                    sw[key] = row.keyword(i, YES_NO)
                elif key == "road_surface":
                    sw[key] = row.tokens[i].upper()
                elif key == "coeff_curve":
                    sw[key] = self.ref(row, i, self.curves, "curve")
                else:
                    sw[key] = row.num(i)
        for row in self.rows("OUTLETS"):
            if not row.need(6) or not (link := self.new_link(row, "outlet")):
                continue
            sw = link.attrs["swmm"]
            link.up_invert = self.invert_at(row, 3, link.from_node)
            rating = sw["rating"] = row.keyword(4, OUTLET_RATINGS, "FUNCTIONAL/DEPTH")
            if rating and rating.startswith("FUNCTIONAL"):
                if not row.need(7):
                    continue
                sw["coeff"], sw["expon"] = row.num(5), row.num(6)
                n = 7
            else:
                sw["curve"] = self.ref(row, 5, self.curves, "curve")
                n = 6
            if row.has(n):
                sw["gated"] = row.keyword(n, YES_NO, "NO")
        for node in self.nodes.values():
            div = node.attrs["swmm"].get("diverted_link")
            if node.kind != "divider" or div in (None, "*"):
                continue
            if div in self.links:
                node.attrs["swmm"]["diverted_link"] = self.links[div].external_id
            else:
                self.problems.add(f"DivLink: link {div!r} is not defined", node.line, "DivLink")

    def read_xsections(self) -> None:
        seen: set[str] = set()
        for row in self.rows("XSECTIONS"):
            if not row.need(3):
                continue
            link = self.links.get(row.tokens[0])
            if link is None:
                row.problem(f"link {row.tokens[0]!r} is not defined", 0)
                continue
            seen.add(link.external_id)
            sw = link.attrs["swmm"]
            shape = row.keyword(1, XSECT_SHAPES)
            if shape is None:
                continue
            link.shape = shape.lower()
            if shape in ("IRREGULAR", "STREET"):
                sw["transect" if shape == "IRREGULAR" else "street"] = row.tokens[2]
                continue
            if not row.need(6):
                continue
            g1 = row.num(2, 0.0) or 0.0
            if shape == "CUSTOM":
                sw["shape_curve"] = self.ref(row, 3, self.curves, "curve")
                g2: float | None = 0.0
            else:
                g2 = row.num(3, 0.0)
            g3, g4 = row.num(4, 0.0), row.num(5, 0.0)
            if shape in DIAMETER_SHAPES:
                link.diameter = g1 * self.L
            elif g1 > 0:
                link.height = g1 * self.L
            if shape in WIDTH_SHAPES:
                if g2:
                    link.width = g2 * self.L
                else:
                    sw["geom2"] = 0.0  # e.g. a standard-size ellipse or arch (code in Geom3)
            elif g2:
                sw["geom2"] = g2
            if g3:
                sw["geom3"] = g3
            if g4:
                sw["geom4"] = g4
            if row.has(6):
                barrels = row.num(6)
                sw["barrels"] = int(barrels) if barrels else 1
            culvert = row.num(7, 0.0)
            if culvert:
                sw["culvert"] = int(culvert)
        for link in self.links.values():
            if link.kind in ("conduit", "orifice", "weir") and link.external_id not in seen:
                self.problems.add(f"{link.kind} {link.external_id!r} has no [XSECTIONS] line",
                                  link.line, "Shape")
        for row in self.rows("LOSSES"):
            if not row.need(4):
                continue
            link = self.links.get(row.tokens[0])
            if link is None:
                row.problem(f"link {row.tokens[0]!r} is not defined", 0)
                continue
            losses: dict[str, Any] = {"inlet": row.num(1), "outlet": row.num(2),
                                      "average": row.num(3)}
            if row.has(4):
                losses["flap_gate"] = row.keyword(4, YES_NO, "NO")
            if row.has(5):
                losses["seepage"] = row.num(5)
            link.attrs["swmm"]["losses"] = losses

    def read_subcatchments(self) -> None:
        for row in self.rows("SUBCATCHMENTS"):
            sub = self.subs.get(row.tokens[0])
            if sub is None or sub.line is not None or not row.need(8):
                continue
            sub.line = row.line.number
            sub.attrs = {"swmm": {}}
            sw = sub.attrs["swmm"]
            sub.raingage = self.ref(row, 1, self.gages, "rain gage")
            outlet = row.tokens[2]
            if outlet in self.nodes:
                sub.outlet = self.nodes[outlet].external_id
            elif outlet in self.subs:
                sub.outlet = self.subs[outlet].external_id
            else:
                sub.outlet = outlet
                row.problem(f"Outlet: node or subcatchment {outlet!r} is not defined", 2)
            area, imperv, width = row.num(3), row.num(4), row.num(5)
            sub.area_ha = None if area is None else area * self.A
            sub.imperv_pct = imperv
            sub.width_m = None if width is None else width * self.L
            sub.slope_pct = row.num(6)
            sw["curb_length"] = row.num(7)
            if row.has(8):
                sw["snowpack"] = row.tokens[8]
            if row.line.comment:
                sw["comment"] = row.line.comment
        for row in self.rows("SUBAREAS"):
            if not row.need(7) or not (sub := self.known_sub(row)):
                continue
            subarea: dict[str, Any] = {}
            for i, key in enumerate(SUBAREA_KEYS, start=1):
                if row.has(i):
                    subarea[key] = row.tokens[i].upper() if key == "route_to" else row.num(i)
            sub.attrs.setdefault("swmm", {})["subarea"] = subarea
        for row in self.rows("INFILTRATION"):
            if not row.need(2) or not (sub := self.known_sub(row)):
                continue
            tokens = row.tokens[1:]
            infil: dict[str, Any] = {}
            method = self.infiltration
            if tokens and tokens[-1].upper() in INFILTRATION_KEYS:
                method = infil["method"] = tokens.pop().upper()
            keys = INFILTRATION_KEYS.get(method, ())
            values = [row.num(i) for i in range(1, len(tokens) + 1)]
            for key, v in zip(keys, values, strict=False):
                infil[key] = v
            if len(values) > len(keys):
                infil["extra"] = values[len(keys):]
            sub.attrs.setdefault("swmm", {})["infiltration"] = infil

    def known_sub(self, row: Row) -> SubcatchmentRecord | None:
        sub = self.subs.get(row.tokens[0])
        if sub is None:
            row.problem(f"subcatchment {row.tokens[0]!r} is not defined", 0)
        return sub

    def read_geometry(self) -> None:
        for row in self.rows("COORDINATES"):
            if not row.need(3):
                continue
            node = self.nodes.get(row.tokens[0])
            if node is None:
                row.problem(f"node {row.tokens[0]!r} is not defined", 0)
                continue
            node.x, node.y = row.num(1), row.num(2)
        for row in self.rows("VERTICES"):
            if not row.need(3):
                continue
            link = self.links.get(row.tokens[0])
            x, y = row.num(1), row.num(2)
            if link is None:
                row.problem(f"link {row.tokens[0]!r} is not defined", 0)
            elif x is not None and y is not None:
                link.vertices.append((x, y))
        for row in self.rows("POLYGONS"):
            if not row.need(3):
                continue
            name = row.tokens[0]
            x, y = row.num(1), row.num(2)
            if name in self.subs:
                if x is not None and y is not None:
                    self.subs[name].polygon.append((x, y))
            elif name in self.nodes and self.nodes[name].kind == "storage":
                if x is not None and y is not None:
                    self.nodes[name].attrs["swmm"].setdefault("polygon", []).append([x, y])
            else:
                row.problem(f"subcatchment {name!r} is not defined", 0)


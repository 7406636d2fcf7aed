"""EPANET 2 .inp files (supply models) to and from NetworkModel records.

    read_inp(path) -> NetworkModel          raises InputRejected with every problem found
    write_inp(model, path, *, encoding="utf-8") -> None

Units. Typed record fields are in metres: elevations, heads, lengths and diameters (EPANET
writes diameters in mm for the SI flow units LPS, LPM, MLD, CMH, CMD, CMS and in inches for the
US ones CFS, GPM, MGD, IMGD, AFD, with lengths in m or ft). Pipe roughness is the coefficient
of the headloss formula (Hazen-Williams C, Chezy-Manning n) and, for Darcy-Weisbach, the
roughness height in mm. `options["epanet"]["flow_units"]` and `["headloss"]` remember the
file's choice and write_inp writes the same units back. Values under `attrs["epanet"]` and the
raw sections stay in the file's own units (demands in flow units, tank levels in m or ft…).

Records.
- Nodes: [JUNCTIONS] -> kind "junction" (invert_elev = elevation), [RESERVOIRS] "reservoir"
  (invert_elev = total head), [TANKS] "tank" (invert_elev = bottom elevation, max_depth =
  MaxLevel). On writing, "reservoir" and "tank" go to their sections, any other kind to
  [JUNCTIONS]; the elevation is invert_elev, else ground_elev.
- Links: [PIPES] -> "pipe" (length, diameter, roughness), [PUMPS] "pump", [VALVES] "valve"
  (diameter). On writing, "pump" and "valve" go to their sections, any other kind to [PIPES]
  (length measured along the coordinates when missing; default diameter 0.1 m, roughness
  100 H-W / 0.1 mm D-W / 0.011 C-M).

attrs["epanet"] keys (optional on writing):
- every object: comment (inline `;` comment), tag (from [TAGS]).
- junction: demand (base demand, 0), pattern. reservoir: pattern.
- tank: init_level, min_level, diameter, min_volume, volume_curve, overflow ("YES"/"NO");
  defaults init = min = 0, diameter 10.
- pipe: minor_loss (0), status ("OPEN" | "CLOSED" | "CV"; OPEN).
- pump: head_curve, power, speed, pattern (one of head_curve/power is needed).
- valve: valve_type (PRV | PSV | PBV | FCV | TCV | GPV | PCV; TCV), setting (a number, or the
  curve name for GPV; 0), minor_loss (0), extra (further values as written).

options["epanet"]: flow_units, headloss ("H-W" | "D-W" | "C-M") and sections: {"NAME": [raw
line, …]} for [TITLE], [OPTIONS], [PATTERNS], [CURVES], [CONTROLS], [RULES], [ENERGY],
[TIMES], [REPORT], [DEMANDS], [STATUS], [EMITTERS], [QUALITY], [SOURCES], [MIXING],
[REACTIONS], [BACKDROP], [LABELS] and any unknown section, written back verbatim (the writer
manages Units and Headloss in [OPTIONS]). A model without them gets [OPTIONS] Units LPS,
Headloss H-W, [TIMES] Duration 0 and a short [REPORT].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhishui.network.io.inp_common import (
    ProblemList,
    Row,
    header,
    polyline_length,
    read_sections,
    row,
)
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

FT = 0.3048
INCH = 0.0254
US_FLOW_UNITS = ("CFS", "GPM", "MGD", "IMGD", "AFD")
SI_FLOW_UNITS = ("LPS", "LPM", "MLD", "CMH", "CMD", "CMS")
HEADLOSS = ("H-W", "D-W", "C-M")
VALVE_TYPES = ("PRV", "PSV", "PBV", "FCV", "TCV", "GPV", "PCV")
PIPE_STATUS = ("OPEN", "CLOSED", "CV")
PUMP_KEYS = {"HEAD": "head_curve", "POWER": "power", "SPEED": "speed", "PATTERN": "pattern"}
COLUMNS = {
    "JUNCTIONS": ("ID", "Elevation", "Demand", "Pattern"),
    "RESERVOIRS": ("ID", "Head", "Pattern"),
    "TANKS": ("ID", "Elevation", "InitLevel", "MinLevel", "MaxLevel", "Diameter", "MinVol",
              "VolCurve", "Overflow"),
    "PIPES": ("ID", "Node1", "Node2", "Length", "Diameter", "Roughness", "MinorLoss",
              "Status"),
    "PUMPS": ("ID", "Node1", "Node2", "Parameters"),
    "VALVES": ("ID", "Node1", "Node2", "Diameter", "Type", "Setting", "MinorLoss"),
    "TAGS": ("Object", "ID", "Tag"),
    "COORDINATES": ("Node", "X-Coord", "Y-Coord"),
    "VERTICES": ("Link", "X-Coord", "Y-Coord"),
}
MODELED = tuple(COLUMNS)
SECTION_ORDER = (
    "TITLE", "JUNCTIONS", "RESERVOIRS", "TANKS", "PIPES", "PUMPS", "VALVES", "TAGS", "DEMANDS",
    "STATUS", "PATTERNS", "CURVES", "CONTROLS", "RULES", "ENERGY", "EMITTERS", "QUALITY",
    "SOURCES", "REACTIONS", "MIXING", "TIMES", "REPORT", "OPTIONS", "COORDINATES", "VERTICES",
    "LABELS", "BACKDROP")
DEFAULTS = {"TIMES": ["Duration 0:00"], "REPORT": ["Status No", "Summary No"]}


def _option(lines: list[str] | None, key: str) -> str | None:
    for line in lines or []:
        parts = line.split(";", 1)[0].split()
        if len(parts) >= 2 and parts[0].upper() == key:
            return parts[1].upper()
    return None


def _factors(units: str, headloss: str) -> tuple[float, float, float]:
    """Metres per file length, metres per file diameter, mm per file D-W roughness."""
    if units in US_FLOW_UNITS:
        return FT, INCH, FT if headloss == "D-W" else 1.0
    return 1.0, 0.001, 1.0


# -- reading ----------------------------------------------------------------------------------
def read_inp(path: Path | str) -> NetworkModel:
    """Read an EPANET 2 .inp file into records in metres; raises InputRejected."""
    path = Path(path)
    problems = ProblemList(path.name)
    sections = read_sections(path, problems, stop_at_end=True)
    raw = {name: list(sec.raw) for name, sec in sections.items() if name not in MODELED}
    units = _option(raw.get("OPTIONS"), "UNITS") or "GPM"
    headloss = _option(raw.get("OPTIONS"), "HEADLOSS") or "H-W"
    opt_lines = sections["OPTIONS"].lines if "OPTIONS" in sections else []
    for key, value, allowed in (("UNITS", units, US_FLOW_UNITS + SI_FLOW_UNITS),
                                ("HEADLOSS", headloss, HEADLOSS)):
        if value not in allowed:
            line = next(ln.number for ln in opt_lines if ln.tokens[0].upper() == key)
            problems.add(f"{key.title()}: {value!r} is not one of {', '.join(allowed)}",
                         line, key.title())
    L, D, R = _factors(units, headloss)
    patterns = {ln.tokens[0] for ln in sections["PATTERNS"].lines} if "PATTERNS" in sections \
        else set()
    curves = {ln.tokens[0] for ln in sections["CURVES"].lines} if "CURVES" in sections else set()
    nodes: dict[str, NodeRecord] = {}
    links: dict[str, LinkRecord] = {}

    def rows(name: str) -> list[Row]:
        sec = sections.get(name)
        return [Row(ln, name, COLUMNS[name], problems) for ln in sec.lines] if sec else []

    def ref(r: Row, i: int, known: set[str] | dict[str, Any], what: str) -> str | None:
        name = r.text(i)
        if name is not None and name not in known:
            r.problem(f"{r.col(i)}: {what} {name!r} is not defined", i)
        return name

    def new_node(r: Row, kind: str, elev_col: int = 1) -> NodeRecord | None:
        name = r.tokens[0]
        if name in nodes:
            r.problem(f"duplicate node id {name!r} (first defined on line {nodes[name].line})",
                      0)
            return None
        elev = r.num(elev_col)
        node = nodes[name] = NodeRecord(name, kind, invert_elev=None if elev is None else
                                        elev * L, line=r.line.number, attrs={"epanet": {}})
        if r.line.comment:
            node.attrs["epanet"]["comment"] = r.line.comment
        return node

    def new_link(r: Row, kind: str) -> LinkRecord | None:
        name = r.tokens[0]
        if name in links:
            r.problem(f"duplicate link id {name!r} (first defined on line {links[name].line})",
                      0)
            return None
        link = links[name] = LinkRecord(name, kind, ref(r, 1, nodes, "node") or "",
                                        ref(r, 2, nodes, "node") or "", line=r.line.number,
                                        attrs={"epanet": {}})
        if r.line.comment:
            link.attrs["epanet"]["comment"] = r.line.comment
        return link

    for r in rows("JUNCTIONS"):
        if r.need(2) and (node := new_node(r, "junction")):
            if r.has(2):
                node.attrs["epanet"]["demand"] = r.num(2)
            if r.has(3):
                node.attrs["epanet"]["pattern"] = ref(r, 3, patterns, "pattern")
    for r in rows("RESERVOIRS"):
        if r.need(2) and (node := new_node(r, "reservoir")) and r.has(2):
            node.attrs["epanet"]["pattern"] = ref(r, 2, patterns, "pattern")
    for r in rows("TANKS"):
        if r.need(7) and (node := new_node(r, "tank")):
            ep = node.attrs["epanet"]
            max_level = r.num(4)
            node.max_depth = None if max_level is None else max_level * L
            for i, key in ((2, "init_level"), (3, "min_level"), (5, "diameter"),
                           (6, "min_volume")):
                ep[key] = r.num(i)
            if r.has(7) and r.tokens[7] != "*":
                ep["volume_curve"] = ref(r, 7, curves, "curve")
            if r.has(8):
                ep["overflow"] = r.keyword(8, ("YES", "NO"))
    for r in rows("PIPES"):
        if r.need(6) and (link := new_link(r, "pipe")):
            ep = link.attrs["epanet"]
            length, diameter, rough = r.num(3), r.num(4), r.num(5)
            link.length = None if length is None else length * L
            link.diameter = None if diameter is None else diameter * D
            link.roughness = None if rough is None else rough * R
            status_col = 7
            if r.has(6) and r.tokens[6].upper() in PIPE_STATUS:
                status_col = 6
            elif r.has(6):
                ep["minor_loss"] = r.num(6)
            if r.has(status_col):
                ep["status"] = r.keyword(status_col, PIPE_STATUS)
    for r in rows("PUMPS"):
        if r.need(5) and (link := new_link(r, "pump")):
            params = r.tokens[3:]
            if len(params) % 2:
                r.problem("Parameters: a keyword without its value", len(r.tokens))
            for i in range(3, len(r.tokens) - 1, 2):
                key = r.keyword(i, PUMP_KEYS)
                if key in ("HEAD", "PATTERN"):
                    link.attrs["epanet"][PUMP_KEYS[key]] = ref(
                        r, i + 1, curves if key == "HEAD" else patterns,
                        "curve" if key == "HEAD" else "pattern")
                elif key:
                    link.attrs["epanet"][PUMP_KEYS[key]] = r.num(i + 1)
    for r in rows("VALVES"):
        if r.need(6) and (link := new_link(r, "valve")):
            ep = link.attrs["epanet"]
            diameter = r.num(3)
            link.diameter = None if diameter is None else diameter * D
            vtype = ep["valve_type"] = r.keyword(4, VALVE_TYPES)
            ep["setting"] = ref(r, 5, curves, "curve") if vtype == "GPV" else r.num(5)
            if r.has(6):
                ep["minor_loss"] = r.num(6)
            if r.has(7):
                ep["extra"] = r.tokens[7:]
    for r in rows("TAGS"):
        if r.need(3):
            kind = r.keyword(0, ("NODE", "LINK"))
            table: dict[str, Any] = nodes if kind == "NODE" else links
            if kind and ref(r, 1, table, kind.lower()) in table:
                table[r.tokens[1]].attrs["epanet"]["tag"] = r.tokens[2]
    for r in rows("COORDINATES"):
        if r.need(3) and ref(r, 0, nodes, "node") in nodes:
            nodes[r.tokens[0]].x, nodes[r.tokens[0]].y = r.num(1), r.num(2)
    for r in rows("VERTICES"):
        if r.need(3) and ref(r, 0, links, "link") in links:
            x, y = r.num(1), r.num(2)
            if x is not None and y is not None:
                links[r.tokens[0]].vertices.append((x, y))
    problems.raise_if_any()
    return NetworkModel(format="epanet", nodes=list(nodes.values()), links=list(links.values()),
                        options={"epanet": {"flow_units": units, "headloss": headloss,
                                            "sections": raw}}, source=path.name)


# -- writing ----------------------------------------------------------------------------------
def _or(v: Any, default: Any) -> Any:
    return default if v is None else v


def _ep(attrs: dict[str, Any] | None) -> dict[str, Any]:
    ep = (attrs or {}).get("epanet")
    return ep if isinstance(ep, dict) else {}


def _set_options(raw: list[str] | None, forced: dict[str, str]) -> list[str]:
    out, seen = [], set()
    for line in raw or []:
        parts = line.split(";", 1)[0].split()
        key = parts[0].upper() if parts else ""
        if key in forced:
            line = f" {key.title():<20}{forced[key]}"
            seen.add(key)
        out.append(line)
    return [f" {k.title():<20}{v}" for k, v in forced.items() if k not in seen] + out


def write_inp(model: NetworkModel, path: Path | str, *, encoding: str = "utf-8") -> None:
    """Write `model` as an EPANET 2 .inp file in its flow units; raises InputRejected."""
    path = Path(path)
    problems = ProblemList(path.name)
    opts = (model.options or {}).get("epanet")
    opts = opts if isinstance(opts, dict) else {}
    raw = {str(k).upper(): [str(x) for x in v] for k, v in (opts.get("sections") or {}).items()}
    units = str(opts.get("flow_units") or _option(raw.get("OPTIONS"), "UNITS") or "LPS").upper()
    headloss = str(opts.get("headloss") or _option(raw.get("OPTIONS"), "HEADLOSS")
                   or "H-W").upper()
    if units not in US_FLOW_UNITS + SI_FLOW_UNITS:
        problems.add(f"flow units {units!r} are not one of "
                     f"{', '.join(US_FLOW_UNITS + SI_FLOW_UNITS)}", field="flow_units")
        units = "LPS"
    if headloss not in HEADLOSS:
        problems.add(f"headloss {headloss!r} is not one of {', '.join(HEADLOSS)}",
                     field="headloss")
        headloss = "H-W"
    L, D, R = _factors(units, headloss)
    out: dict[str, list[str]] = {}

    def add(section: str, values: list[Any], comment: str | None = None) -> None:
        out.setdefault(section, []).append(row(values, comment))

    nodes: dict[str, NodeRecord] = {}
    for node in model.nodes:
        nid, ep = node.external_id, _ep(node.attrs)
        if nid in nodes:
            problems.add(f"duplicate node id {nid!r}", field="ID")
            continue
        nodes[nid] = node
        elev = _or(node.invert_elev, node.ground_elev)
        if elev is None:
            problems.add(f"node {nid!r} has no elevation (invert_elev or ground_elev)",
                         field="Elevation")
            elev = 0.0
        comment = ep.get("comment")
        if node.kind == "reservoir":
            add("RESERVOIRS", [nid, elev / L, *([ep["pattern"]] if ep.get("pattern") else [])],
                comment)
        elif node.kind == "tank":
            max_level = _or(node.max_depth, 0.0) / L
            values = [nid, elev / L, _or(ep.get("init_level"), 0.0),
                      _or(ep.get("min_level"), 0.0), max_level, _or(ep.get("diameter"), 10.0),
                      _or(ep.get("min_volume"), 0.0)]
            if ep.get("volume_curve") or ep.get("overflow"):
                values += [ep.get("volume_curve") or "*", *([ep["overflow"]] if
                                                            ep.get("overflow") else [])]
            add("TANKS", values, comment)
        else:
            values = [nid, elev / L, _or(ep.get("demand"), 0.0)]
            if ep.get("pattern"):
                values.append(ep["pattern"])
            add("JUNCTIONS", values, comment)
        if ep.get("tag"):
            add("TAGS", ["NODE", nid, ep["tag"]])
        if node.x is not None and node.y is not None:
            add("COORDINATES", [nid, node.x, node.y])
    names: set[str] = set()
    for link in model.links:
        lid, ep = link.external_id, _ep(link.attrs)
        if lid in names:
            problems.add(f"duplicate link id {lid!r}", field="ID")
            continue
        names.add(lid)
        for end, col in ((link.from_node, "Node1"), (link.to_node, "Node2")):
            if end not in nodes:
                problems.add(f"link {lid!r}: node {end!r} is not in the model", field=col)
        ends, comment = [lid, link.from_node, link.to_node], ep.get("comment")
        diameter = _or(link.diameter, 0.1) / D
        if link.kind == "pump":
            params: list[Any] = []
            for key, attr in PUMP_KEYS.items():
                if ep.get(attr) is not None:
                    params += [key, ep[attr]]
            if not {"head_curve", "power"} & {k for k in ep if ep[k] is not None}:
                problems.add(f"pump {lid!r} needs attrs epanet.head_curve or epanet.power",
                             field="Parameters")
            add("PUMPS", [*ends, *params], comment)
        elif link.kind == "valve":
            add("VALVES", [*ends, diameter, ep.get("valve_type") or "TCV",
                           _or(ep.get("setting"), 0.0), _or(ep.get("minor_loss"), 0.0),
                           *(ep.get("extra") or [])], comment)
        else:
            length = link.length
            a, b = nodes.get(link.from_node), nodes.get(link.to_node)
            if length is None and a and b and None not in (a.x, a.y, b.x, b.y):
                length = polyline_length([(a.x, a.y), *link.vertices, (b.x, b.y)])
            if not length:
                problems.add(f"pipe {lid!r} has no length and no coordinates to measure one",
                             field="Length")
                length = 1.0
            rough = link.roughness
            if rough is None:
                rough = {"H-W": 100.0, "D-W": 0.1, "C-M": 0.011}[headloss]
            add("PIPES", [*ends, length / L, diameter, rough / R, _or(ep.get("minor_loss"), 0.0),
                          ep.get("status") or "OPEN"], comment)
        if ep.get("tag"):
            add("TAGS", ["LINK", lid, ep["tag"]])
        for x, y in link.vertices:
            add("VERTICES", [lid, x, y])
    problems.raise_if_any()

    sections: dict[str, list[str]] = {
        "TITLE": ["[TITLE]", *(raw.get("TITLE") or [model.source or "exported by zhishui"])],
        "OPTIONS": ["[OPTIONS]", *_set_options(raw.get("OPTIONS"),
                                               {"UNITS": units, "HEADLOSS": headloss})]}
    for name, lines in raw.items():
        if name not in MODELED and name not in sections and name != "END":
            sections[name] = [f"[{name}]", *lines]
    for name, lines in DEFAULTS.items():
        sections.setdefault(name, [f"[{name}]", *lines])
    for name, lines in out.items():
        sections[name] = header(name, COLUMNS[name]) + lines
    order = [n for n in SECTION_ORDER if n in sections]
    order += [n for n in sections if n not in SECTION_ORDER]
    text = "\n".join("\n".join(sections[n]) + "\n" for n in order) + "\n[END]\n"
    path.write_text(text, encoding=encoding, newline="\n")


__all__ = ["read_inp", "write_inp"]

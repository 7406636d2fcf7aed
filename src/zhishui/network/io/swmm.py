"""EPA SWMM 5 .inp files (drainage models) to and from NetworkModel records.

    read_inp(path) -> NetworkModel          raises InputRejected with every problem found
    write_inp(model, path, *, encoding="utf-8") -> None

Units. Typed record fields are SI whatever the file used: elevations, depths, lengths, widths
and diameters in m, subcatchment areas in ha. A file whose FLOW_UNITS is CFS, GPM or MGD is in
US units (ft, acres) and is converted on reading; `options["swmm"]["flow_units"]` remembers the
flow units and write_inp writes the same unit system back. Everything under `attrs["swmm"]`
and the raw sections is kept in the model's own SWMM units, exactly as written in the file
(US: ft, in, in/h, cfs…; SI: m, mm, mm/h, m3/s…), because curves and time series cannot be
converted anyway. A model built in code without flow units is written as CMS (SI).

Records.
- Nodes: [JUNCTIONS] -> kind "manhole", [OUTFALLS] "outfall", [STORAGE] "storage",
  [DIVIDERS] "divider". invert_elev is the absolute invert, max_depth the SWMM MaxDepth,
  ground_elev = invert_elev + max_depth when max_depth > 0. x, y from [COORDINATES].
  On writing, "outfall"/"storage"/"divider" go to their sections and every other node kind
  to [JUNCTIONS]; a node needs invert_elev (or ground_elev and max_depth).
- Links: [CONDUITS] -> "conduit", [PUMPS] "pump", [ORIFICES] "orifice", [WEIRS] "weir",
  [OUTLETS] "outlet". up_invert/down_invert are absolute elevations (node invert + offset,
  LINK_OFFSETS ELEVATION honoured, negative offsets clamped to 0 as SWMM does); regulators
  (orifice, weir, outlet) only have up_invert (the crest). length in m (conduits),
  roughness = Manning n. From [XSECTIONS]: shape lower-cased ("circular", "rect_open"…),
  diameter = Geom1 for circular/force_main/filled_circular, otherwise height = Geom1 and,
  for shapes whose Geom2 is a width, width = Geom2. vertices from [VERTICES], in order.
  On writing, links are written relative to node inverts (LINK_OFFSETS DEPTH), "pipe" is
  a conduit and "valve" an orifice; defaults: shape CIRCULAR of 0.3 m, roughness 0.013,
  length measured along the node coordinates and vertices when missing.
- Subcatchments: raingage, outlet (node or subcatchment), area_ha, imperv_pct, width_m,
  slope_pct, polygon from [POLYGONS].

attrs["swmm"] keys (all optional on writing; the defaults shown are used when absent):
- every object: comment (the inline `;` comment of its line).
- junction: init_depth (0), sur_depth (0), ponded_area (0).
- outfall: outfall_type (FREE | NORMAL | FIXED | TIDAL | TIMESERIES), stage (FIXED: the
  stage elevation; TIDAL: curve name; TIMESERIES: series name), gated ("YES"/"NO", NO),
  route_to (subcatchment name).
- storage: init_depth, shape (TABULAR | FUNCTIONAL | CYLINDRICAL | CONICAL | PARABOLOID |
  PYRAMIDAL; FUNCTIONAL), curve (TABULAR) or shape_params [3 numbers] (0 0 1000),
  sur_depth, evap_factor, seepage [Psi, Ksat, IMD], polygon [[x, y], …].
- divider: diverted_link, divider_type (OVERFLOW | CUTOFF | TABULAR | WEIR), divider_params
  (list: CUTOFF [Qmin], TABULAR [curve], WEIR [Qmin, Ht, Cd]), init_depth, sur_depth,
  ponded_area. A divider without diverted_link is written as a junction.
- conduit: init_flow (0), max_flow (0).
- pump: pump_curve ("*" = ideal pump), initial_status (ON | OFF), startup_depth,
  shutoff_depth.
- orifice: orifice_type (SIDE | BOTTOM), discharge_coeff (0.65), gated, close_time.
- weir: weir_type (TRANSVERSE | SIDEFLOW | V-NOTCH | TRAPEZOIDAL | ROADWAY), discharge_coeff
  (3.33 US / 1.84 SI), gated, end_contractions, end_coeff, can_surcharge (YES), road_width,
  road_surface, coeff_curve.
- outlet: rating (FUNCTIONAL/DEPTH | FUNCTIONAL/HEAD | TABULAR/DEPTH | TABULAR/HEAD), coeff and
  expon (FUNCTIONAL; 10 and 0.5) or curve (TABULAR), gated.
- cross-section extras: geom2 (when Geom2 is not a width, e.g. force-main roughness; 0 for a
  standard-size ellipse/arch), geom3, geom4, barrels (1), culvert, transect (IRREGULAR),
  street (STREET), shape_curve (CUSTOM).
- losses: {"inlet", "outlet", "average", "flap_gate", "seepage"} from [LOSSES].
- subcatchment: curb_length, snowpack, subarea {n_imperv, n_perv, s_imperv, s_perv,
  pct_zero, route_to, pct_routed} (default 0.012 0.15 1.27 mm 5.08 mm 25 OUTLET; in US units
  0.05 in and 0.2 in), infiltration {by method: HORTON max_rate min_rate decay dry_time
  max_infil (default 76.2 12.7 4 7 0 mm/h, US 3 0.5 4 7 0 in/h); GREEN_AMPT suction ksat imd;
  CURVE_NUMBER curve_number ksat dry_time; "method" when the line names its own method}.

options["swmm"]:
- flow_units: "CFS" | "GPM" | "MGD" | "CMS" | "LPS" | "MLD" (written to FLOW_UNITS).
- sections: {"NAME": [raw line, …]} for every section the records do not model ([TITLE],
  [OPTIONS], [RAINGAGES], [TIMESERIES], [CURVES], [PATTERNS], [DWF], [INFLOWS], [REPORT],
  [EVAPORATION], [MAP], [TAGS], [SYMBOLS], [LABELS], [CONTROLS], [POLLUTANTS], [LANDUSES]
  and any unknown one), lines as written without the [NAME] header, comments kept. They are
  written back verbatim in SWMM's section order; modeled sections are always generated from
  the records. The writer manages FLOW_UNITS and LINK_OFFSETS (DEPTH) in [OPTIONS].

Writing a model built in code (no raw sections): [OPTIONS] FLOW_UNITS CMS, INFILTRATION
HORTON, FLOW_ROUTING DYNWAVE, a one-day run from 01/01/2024 00:00 to 01/02/2024 00:00, 5 s
routing step, 5 min report step; [REPORT] of all objects; [RAINGAGES], [TIMESERIES] and
anything else only if given in options["swmm"]["sections"]. To choose other dates or steps,
give the full [OPTIONS] lines, e.g. options = {"swmm": {"sections": {
"OPTIONS": ["START_DATE 06/01/2024", "END_DATE 06/01/2024", "END_TIME 06:00:00", …],
"RAINGAGES": ["RG1 INTENSITY 0:05 1.0 TIMESERIES TS1"],
"TIMESERIES": ["TS1 0:00 0", "TS1 0:05 12.5", "TS1 1:00 0"]}}} (time series times without a
date are hours from the start).
"""

from __future__ import annotations

from zhishui.network.io.swmm_read import read_inp
from zhishui.network.io.swmm_write import write_inp

__all__ = ["read_inp", "write_inp"]

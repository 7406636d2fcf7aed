// The map style: one vector-tile source per registry layer, styled by kind; no glyphs or sprites.
export const BACKGROUND = "#0a1322";
export const PIPE_COLORS = { storm: "#3b8bff", sewer: "#e08a2e", combined: "#b07cf7",
                             supply: "#19c2a8" };
const PIPE_DEFAULT = "#94a3b8";
const DARK = "#0a1322";

// Node kinds: [fill colour, radius at z16, stroke colour].
export const NODE_KINDS = {
  outfall: ["#f43f5e", 6, "#ffffff"],
  pump_station: ["#f59e0b", 6, "#ffffff"],
  treatment_plant: ["#22c55e", 7, "#ffffff"],
  reservoir: ["#06b6d4", 7, "#ffffff"],
  tank: ["#0ea5e9", 6, "#ffffff"],
  storage: ["#38bdf8", 5, DARK],
  valve: ["#e2e8f0", 3.5, DARK],
  hydrant: ["#fb7185", 4, DARK],
  meter: ["#a3e635", 3.5, DARK],
  divider: ["#c084fc", 4, DARK],
  inlet: ["#64748b", 2.5, DARK],
};
export const OUTFALL_TYPES = { industrial: "#f43f5e", municipal_wwtp: "#fb923c",
                               agricultural: "#84cc16", other: "#f472b6" };
export const SEVERITY_COLORS = { error: "#ef4444", warning: "#f59e0b", info: "#60a5fa" };
export const STATION_COLOR = "#22d3ee";
export const SOURCE_COLOR = "#eab308";
export const COMPONENT_COLOR = "#cbd5e1";
export const DIVISION_COLOR = "#5b9cf0";
export const GRID_COLOR = "#38bdf8";
export const SUBCATCHMENT_COLOR = "#22c55e";

const match = (prop, table, fallback, pick = (v) => v) => [
  "match", ["get", prop],
  ...Object.entries(table).flatMap(([k, v]) => [k, pick(v)]),
  fallback,
];
const pipeColor = match("network_kind", PIPE_COLORS, PIPE_DEFAULT);

// Pipe width: by diameter (m), scaled by zoom.
const diameterWidth = ["interpolate", ["linear"], ["coalesce", ["get", "diameter"], 0.3],
  0.1, 0.8, 0.3, 1.3, 0.6, 2, 1.0, 2.8, 2.0, 4.2];
const byZoom = (expr, stops) => ["interpolate", ["exponential", 1.5], ["zoom"],
  ...stops.flatMap(([z, f]) => [z, ["*", f, expr]])];
const ZOOM_SCALE = [[9, 0.35], [12, 0.6], [15, 1], [18, 2.4], [20, 4]];
const radius = (r) => byZoom(r, [[10, 0.55], [13, 0.75], [16, 1], [19, 1.6]]);
const inactive = ["case", ["in", ["coalesce", ["get", "status"], "in_service"],
  ["literal", ["in_service", "active", "normal"]]], 1, 0.5];

// Style layers per registry layer, bottom to top within each group.
const STYLES = {
  divisions: {
    under: [
      { type: "fill", paint: { "fill-color": DIVISION_COLOR, "fill-opacity":
        match("level", { county: 0.02, town: 0.05, community: 0.05 }, 0.03) } },
    ],
    over: [
      { type: "line", paint: {
        "line-color": DIVISION_COLOR,
        "line-opacity": match("level", { county: 0.85, town: 0.6 }, 0.4),
        "line-width": match("level", { county: 2.2, town: 1.4 }, 0.9) } },
    ],
  },
  grids: {
    under: [{ type: "fill", paint: { "fill-color": GRID_COLOR, "fill-opacity": 0.035 } }],
    over: [{ type: "line", paint: { "line-color": GRID_COLOR, "line-opacity": 0.35,
                                    "line-width": 0.8, "line-dasharray": [3, 2] } }],
  },
  subcatchments: {
    under: [{ type: "fill", paint: { "fill-color": SUBCATCHMENT_COLOR, "fill-opacity": 0.07 } }],
    over: [{ type: "line", paint: { "line-color": SUBCATCHMENT_COLOR, "line-opacity": 0.35,
                                    "line-width": 0.8 } }],
  },
  links: {
    net: [
      { id: "casing", type: "line", layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": DARK, "line-opacity": 0.8,
                 "line-width": ["interpolate", ["exponential", 1.5], ["zoom"],
                   ...ZOOM_SCALE.flatMap(([z, f]) => [z, ["+", z >= 15 ? 2 : 1,
                     ["*", f, diameterWidth]]])] } },
      { type: "line", layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": pipeColor, "line-opacity": inactive,
                 "line-width": byZoom(diameterWidth, ZOOM_SCALE) } },
    ],
  },
  components: {
    points: [
      { type: "circle", paint: {
        "circle-color": COMPONENT_COLOR, "circle-opacity": 0.75,
        "circle-radius": ["interpolate", ["linear"], ["zoom"],
          12, ["+", 1.5, ["*", 0.4, ["sqrt", ["coalesce", ["get", "count"], 1]]]],
          18, ["+", 3.5, ["*", 0.4, ["sqrt", ["coalesce", ["get", "count"], 1]]]]],
        "circle-stroke-color": DARK, "circle-stroke-width": 0.6 } },
    ],
  },
  nodes: {
    points: [
      { type: "circle", paint: {
        "circle-color": match("kind", NODE_KINDS,
          match("network_kind", PIPE_COLORS, PIPE_DEFAULT), (v) => v[0]),
        "circle-radius": radius(match("kind", NODE_KINDS, 2.6, (v) => v[1])),
        "circle-stroke-color": match("kind", NODE_KINDS, DARK, (v) => v[2]),
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 12, 0.8, 17, 1.6],
        "circle-opacity": inactive } },
    ],
  },
  pollution_sources: {
    points: [
      { id: "halo", type: "circle", paint: { "circle-color": SOURCE_COLOR, "circle-opacity": 0.18,
          "circle-radius": radius(11) } },
      { type: "circle", paint: { "circle-color": SOURCE_COLOR, "circle-radius": radius(6),
          "circle-stroke-color": DARK, "circle-stroke-width": 2 } },
    ],
  },
  stations: {
    points: [
      { id: "ring", type: "circle", paint: { "circle-opacity": 0, "circle-radius": radius(10),
          "circle-stroke-color": STATION_COLOR, "circle-stroke-width": 1.5,
          "circle-stroke-opacity": 0.7 } },
      { type: "circle", paint: { "circle-color": STATION_COLOR, "circle-radius": radius(6),
          "circle-stroke-color": DARK, "circle-stroke-width": 2 } },
    ],
  },
  outfalls: {
    points: [
      { id: "halo", type: "circle", paint: {
          "circle-color": match("outfall_type", OUTFALL_TYPES, "#f43f5e"),
          "circle-opacity": 0.22, "circle-radius": radius(13) } },
      { type: "circle", paint: {
          "circle-color": match("outfall_type", OUTFALL_TYPES, "#f43f5e"),
          "circle-radius": radius(7), "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2 } },
    ],
  },
};
// Drawing order of the groups, bottom to top, and of the layers within a group.
const GROUPS = ["under", "over", "net", "points"];
const POINT_ORDER = ["components", "nodes", "pollution_sources", "stations", "outfalls"];

/** Generic styles for a layer the client does not know yet (by geometry). */
function genericStyle(layer) {
  if (layer.geometry.includes("Polygon")) {
    return { under: [{ type: "fill", paint: { "fill-color": "#a3a3a3", "fill-opacity": 0.06 } }],
             over: [{ type: "line", paint: { "line-color": "#a3a3a3", "line-opacity": 0.5 } }] };
  }
  if (layer.geometry.includes("Line")) {
    return { net: [{ type: "line", paint: { "line-color": PIPE_DEFAULT, "line-width": 1.5 } }] };
  }
  return { points: [{ type: "circle", paint: { "circle-color": "#e5e7eb",
    "circle-radius": radius(4), "circle-stroke-color": DARK, "circle-stroke-width": 1 } }] };
}

/** The lowest zoom at which the server sends data for a layer. */
export const sourceMinZoom = (layer) => Math.max(0, (layer.min_zoom || 0) - 3);

/**
 * Build the MapLibre style from /api/v1/config.
 * Returns {style, styleLayers: {layerId: [style layer ids]}, clickable: [style layer ids]}.
 */
export function buildStyle(config) {
  const origin = location.origin;
  const sources = {};
  const layersByGroup = Object.fromEntries(GROUPS.map((g) => [g, []]));
  const styleLayers = {};
  const ordered = [...config.layers].sort((a, b) =>
    POINT_ORDER.indexOf(a.id) - POINT_ORDER.indexOf(b.id));
  for (const layer of ordered) {
    const minzoom = sourceMinZoom(layer);
    sources[layer.id] = { type: "vector", tiles: [origin + layer.tiles], minzoom, maxzoom: 16 };
    const def = STYLES[layer.id] || genericStyle(layer);
    styleLayers[layer.id] = [];
    for (const group of GROUPS) {
      for (const [i, spec] of (def[group] || []).entries()) {
        const id = `${layer.id}-${spec.id || group + i}`;
        layersByGroup[group].push({ ...spec, id, source: layer.id, "source-layer": layer.id,
                                    minzoom, metadata: { "zhishui:layer": layer.id } });
        styleLayers[layer.id].push(id);
      }
    }
  }
  const base = [{ id: "background", type: "background",
                  paint: { "background-color": BACKGROUND } }];
  const basemap = config.map?.basemap_url;
  if (basemap) {
    sources.basemap = { type: "raster", tiles: [basemap], tileSize: 256,
                        attribution: config.map.basemap_attribution || "" };
    base.push({ id: "basemap", type: "raster", source: "basemap",
                paint: { "raster-opacity": 0.55, "raster-saturation": -0.6 } });
  }
  const style = {
    version: 8,
    sources,
    layers: [...base, ...GROUPS.flatMap((g) => layersByGroup[g])],
  };
  return { style, styleLayers };
}

/** GeoJSON overlay layers: network-check findings and the selected feature. */
export function addOverlays(map) {
  const empty = { type: "FeatureCollection", features: [] };
  map.addSource("findings", { type: "geojson", data: empty });
  map.addSource("selection", { type: "geojson", data: empty });
  map.addLayer({ id: "selection-line-glow", type: "line", source: "selection",
    filter: ["!=", ["geometry-type"], "Point"],
    layout: { "line-cap": "round", "line-join": "round" },
    paint: { "line-color": "#fde047", "line-width": 10, "line-opacity": 0.35, "line-blur": 3 } });
  map.addLayer({ id: "selection-line", type: "line", source: "selection",
    filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": "#fde047", "line-width": 2 } });
  map.addLayer({ id: "findings-halo", type: "circle", source: "findings",
    paint: { "circle-color": match("severity", SEVERITY_COLORS, "#94a3b8"),
             "circle-opacity": 0.25, "circle-radius": 14 } });
  map.addLayer({ id: "findings", type: "circle", source: "findings",
    paint: { "circle-color": match("severity", SEVERITY_COLORS, "#94a3b8"), "circle-radius": 6,
             "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } });
  map.addLayer({ id: "selection-point", type: "circle", source: "selection",
    filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-opacity": 0, "circle-radius": 14, "circle-stroke-color": "#fde047",
             "circle-stroke-width": 3 } });
}

/** Legend entries per layer: [{shape, color, key}] (key is an i18n key). */
export const LEGEND = {
  links: Object.entries(PIPE_COLORS).map(([k, c]) => ({ shape: "line", color: c,
                                                         key: `kind.${k}` })),
  nodes: ["outfall", "pump_station", "treatment_plant", "valve", "hydrant", "reservoir"]
    .map((k) => ({ shape: "circle", color: NODE_KINDS[k][0], key: `node_kind.${k}` })),
  outfalls: Object.entries(OUTFALL_TYPES).map(([k, c]) => ({ shape: "circle", color: c,
                                                             key: `outfall_type.${k}` })),
  stations: [{ shape: "ring", color: STATION_COLOR }],
  pollution_sources: [{ shape: "circle", color: SOURCE_COLOR }],
  components: [{ shape: "dot", color: COMPONENT_COLOR }],
  divisions: [{ shape: "fill", color: DIVISION_COLOR }],
  grids: [{ shape: "dash", color: GRID_COLOR }],
  subcatchments: [{ shape: "fill", color: SUBCATCHMENT_COLOR }],
};

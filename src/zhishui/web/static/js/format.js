// Readable attribute labels and values for the feature panel.
import { fmt, has, t } from "./i18n.js";

const MM = ["diameter", "height", "width"];
const METRES2 = ["up_invert", "down_invert", "ground_elev", "invert_elev", "max_depth"];
// Attributes that are shown elsewhere (related links, header) or are internal.
const SKIP = new Set(["from_node_id", "to_node_id", "node_id", "outfall_id", "attrs", "id"]);
// Shown first, in this order; the rest follow in the API's order.
const FIRST = ["code", "external_id", "name", "kind", "class_code", "outfall_type", "network_id",
               "level", "status"];

const KIND_PREFIX = { links: "link_kind", nodes: "node_kind", stations: "station_kind",
                      pollution_sources: "source_kind" };

function translated(prefix, value) {
  const key = `${prefix}.${value}`;
  return has(key) ? t(key) : String(value);
}

/** The label of attribute `name` (translated, or the raw name). */
export function label(name) {
  return has(`attr.${name}`) ? t(`attr.${name}`) : name;
}

/** Format one attribute value for display; `ctx` has {layer, networks}. */
export function value(name, v, ctx = {}) {
  if (v === null || v === undefined || v === "") return null;
  if (MM.includes(name) && typeof v === "number") return `${fmt(v * 1000)} mm`;
  if (METRES2.includes(name) && typeof v === "number") return `${fmt(v, 2)} m`;
  if (name === "length" && typeof v === "number") return `${fmt(v, 1)} m`;
  if (name === "slope" && typeof v === "number") return `${fmt(v * 1000, 2)} ‰`;
  if (name === "area_m2") return `${fmt(v)} m²`;
  if (name === "area_ha") return `${fmt(v, 2)} ha`;
  if (name === "width_m") return `${fmt(v, 1)} m`;
  if (name === "imperv_pct" || name === "slope_pct") return `${fmt(v, 1)} %`;
  if (name === "install_year") return String(v);
  if (name === "condition_grade") return t("value.grade", { n: v });
  if (name === "target_class") return translated("water_class", v);
  if (name === "status") return translated("status", v);
  if (name === "level") return translated("level", v);
  if (name === "outfall_type") return translated("outfall_type", v);
  if (name === "shape") return translated("shape", v);
  if (name === "kind" && KIND_PREFIX[ctx.layer]) return translated(KIND_PREFIX[ctx.layer], v);
  if (name === "network_id") {
    const n = ctx.networks?.get(v);
    return n ? t("value.network", { name: n.name, kind: translated("kind", n.kind) }) : `#${v}`;
  }
  if (typeof v === "object") {
    return Object.entries(v).map(([k, x]) => `${k}: ${typeof x === "object"
      ? JSON.stringify(x) : x}`).join("；");
  }
  if (typeof v === "number") return fmt(v, 3);
  return String(v);
}

/** The rows [label, value] of a feature's properties, in display order. */
export function rows(feature, ctx) {
  const props = feature.properties || {};
  const names = [...FIRST.filter((n) => n in props),
                 ...Object.keys(props).filter((n) => !FIRST.includes(n))];
  const out = [];
  for (const name of names) {
    if (SKIP.has(name)) continue;
    const shown = value(name, props[name], ctx);
    if (shown !== null) out.push([label(name), shown, name]);
  }
  const g = feature.geometry;
  if (g?.type === "Point") {
    out.push([t("attr.position"), `${g.coordinates[0].toFixed(6)}, ${g.coordinates[1].toFixed(6)}`,
              "position"]);
  }
  return out;
}

/** Extra attributes kept in `attrs` (whatever the source file had). */
export function extraRows(feature) {
  const attrs = feature.properties?.attrs;
  if (!attrs || typeof attrs !== "object") return [];
  return Object.entries(attrs).filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => [label(k), typeof v === "object" ? JSON.stringify(v) : String(v), k]);
}

/** Title of a feature: its name, code or external id. */
export function title(feature) {
  const p = feature.properties || {};
  return p.name || p.code || p.external_id || `#${feature.id}`;
}

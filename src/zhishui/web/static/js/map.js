// The MapLibre map: style from /api/v1/config, clicks that open the feature panel, status line.
import { AttributionControl, Map as MapLibre, NavigationControl, ScaleControl }
  from "/static/vendor/maplibre-gl/maplibre-gl.mjs";
import { $ } from "./dom.js";
import { fmt, t } from "./i18n.js";
import { addOverlays, buildStyle } from "./map-style.js";

// Which layer wins when several are under the pointer: points, then pipes, then areas.
const CLICK_ORDER = ["outfalls", "stations", "pollution_sources", "nodes", "components",
                     "links", "subcatchments", "grids", "divisions"];
const LEVEL_ORDER = { community: 0, street: 1, town: 1, county: 2, city: 3 };
const POLYGONS = new Set(["subcatchments", "grids", "divisions"]);

export function createMap(config) {
  const { style, styleLayers } = buildStyle(config);
  const map = new MapLibre({
    container: "map",
    style,
    center: config.map?.center || [119.68, 30.63],
    zoom: config.map?.zoom ?? 11,
    maxZoom: 21,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    hash: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-right");
  if (config.map?.basemap_url) map.addControl(new AttributionControl({ compact: true }));
  map.on("load", () => addOverlays(map));
  return { map, styleLayers };
}

/** The topmost clickable feature near a pixel: [layerId, properties] or null. */
export function pick(map, point, { polygons = true } = {}) {
  const r = 6;
  const box = [[point.x - r, point.y - r], [point.x + r, point.y + r]];
  const found = map.queryRenderedFeatures(box).filter((f) => f.layer.metadata?.["zhishui:layer"]);
  let best = null;
  let rank = Infinity;
  for (const f of found) {
    const layer = f.layer.metadata["zhishui:layer"];
    if (!polygons && POLYGONS.has(layer)) continue;
    let order = CLICK_ORDER.indexOf(layer);
    if (order < 0) order = CLICK_ORDER.length;
    if (layer === "divisions") order += (LEVEL_ORDER[f.properties.level] ?? 0) / 10;
    if (order < rank && f.properties?.id !== undefined) {
      rank = order;
      best = [layer, f.properties];
    }
  }
  return best;
}

/** Clicks open the feature panel; hovering shows a pointer and the coordinates. */
export function wireInteraction(map, app) {
  const coords = $("#status-coords");
  const zoom = $("#status-zoom");
  const loading = $("#status-loading");
  let hoverFrame = 0;
  map.on("click", (e) => {
    const hit = pick(map, e.point);
    if (hit) app.panel.open(hit[0], hit[1].id);
    else app.panel.close();
  });
  map.on("mousemove", (e) => {
    coords.textContent = `${e.lngLat.lng.toFixed(5)}°E, ${e.lngLat.lat.toFixed(5)}°N`;
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      map.getCanvas().style.cursor = pick(map, e.point, { polygons: false }) ? "pointer" : "";
    });
  });
  const showZoom = () => { zoom.textContent = fmt(map.getZoom(), 1); };
  map.on("zoom", showZoom);
  showZoom();
  map.on("dataloading", () => { loading.hidden = false; });
  map.on("idle", () => { loading.hidden = true; });
  map.on("error", (e) => {
    const status = e.error?.status;
    if (status === 401) location.assign("/login?next=/");
    else if (e.error) app.status(t("statusbar.map_error", { msg: e.error.message || "" }), true);
  });
}

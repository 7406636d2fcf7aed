// Geometry helpers: bounding boxes and moving the map to them.

/** [minx, miny, maxx, maxy] of a GeoJSON geometry, or null. */
export function bboxOf(geometry) {
  if (!geometry) return null;
  let b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])];
    } else c.forEach(walk);
  };
  if (geometry.type === "GeometryCollection") geometry.geometries.forEach((g) => walk(g.coordinates));
  else walk(geometry.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}

/** Fly to a bbox; a point (or a tiny box) gets a close zoom instead of an endless one. */
export function flyToBbox(map, bbox, { maxZoom = 18, pointZoom = 17 } = {}) {
  if (!bbox) return;
  const [x0, y0, x1, y1] = bbox;
  const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (x1 - x0 < 1e-6 && y1 - y0 < 1e-6) {
    map.flyTo({ center: [x0, y0], zoom: Math.max(map.getZoom(), pointZoom),
                padding: fitPadding(map), essential: true, animate: !reduced });
    return;
  }
  map.fitBounds([[x0, y0], [x1, y1]], { padding: fitPadding(map), maxZoom, animate: !reduced });
}

/** Padding that keeps a target clear of the side panels. */
export function fitPadding(map) {
  const w = map.getContainer().clientWidth;
  const panel = document.getElementById("feature-panel");
  if (w < 700) {
    const bottom = panel && !panel.hidden ? panel.offsetHeight + 20 : 60;
    return { top: 70, bottom, left: 30, right: 30 };
  }
  const right = panel && !panel.hidden ? panel.offsetWidth + 40 : 60;
  return { top: 80, bottom: 60, left: 60, right };
}

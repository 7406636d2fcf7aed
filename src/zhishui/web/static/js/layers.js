// The layer switcher: one checkbox per registry layer with its legend; greyed below its zoom.
import { h, fill } from "./dom.js";
import { lang, t } from "./i18n.js";
import { LEGEND, sourceMinZoom } from "./map-style.js";

const STORE = "zhishui.layers.hidden";

export function layerTitle(layer) {
  if (!layer) return "";
  return lang === "en" ? layer.title_en : layer.title_zh;
}

function swatch(item) {
  return h("span", { class: `swatch swatch-${item.shape}`, style: { "--c": item.color } });
}

function legend(layerId) {
  const items = LEGEND[layerId] || [];
  const labelled = items.filter((i) => i.key);
  if (!labelled.length) return null;
  return h("ul", { class: "legend" },
    labelled.map((i) => h("li", {}, swatch(i), h("span", {}, t(i.key)))));
}

/** Render the switcher into `list`; returns a function that refreshes zoom greying. */
export function initLayerSwitcher(map, config, styleLayers, list) {
  const hidden = new Set(JSON.parse(localStorage.getItem(STORE) || "[]"));
  const setVisible = (id, on) => {
    for (const sid of styleLayers[id] || []) {
      map.setLayoutProperty(sid, "visibility", on ? "visible" : "none");
    }
    if (on) hidden.delete(id); else hidden.add(id);
    localStorage.setItem(STORE, JSON.stringify([...hidden]));
  };
  const rows = config.layers.map((layer) => {
    const box = h("input", { type: "checkbox", id: `layer-${layer.id}`,
                             dataset: { layer: layer.id } });
    box.checked = !hidden.has(layer.id);
    if (!box.checked) setVisible(layer.id, false);
    box.addEventListener("change", () => setVisible(layer.id, box.checked));
    const first = (LEGEND[layer.id] || [])[0];
    const minz = sourceMinZoom(layer);
    return h("li", { class: "layer-row", dataset: { layer: layer.id, minzoom: minz } },
      h("label", { class: "layer-label", for: box.id },
        box,
        first ? swatch(first) : h("span", { class: "swatch" }),
        h("span", { class: "layer-name" }, layerTitle(layer)),
        minz > 0 ? h("span", { class: "layer-zoom", title: t("layers.min_zoom") },
                     `≥ z${minz}`) : null),
      legend(layer.id));
  });
  fill(list, rows);
  const refresh = () => {
    const z = map.getZoom();
    for (const row of list.children) {
      row.classList.toggle("out-of-zoom", z < Number(row.dataset.minzoom));
    }
  };
  map.on("zoomend", refresh);
  refresh();
}

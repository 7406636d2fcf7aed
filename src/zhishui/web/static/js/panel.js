// The feature panel: attributes of one registry object and the objects linked to it.
import { getJSON } from "./api.js";
import { $, fill, h } from "./dom.js";
import { extraRows, rows, title } from "./format.js";
import { bboxOf, flyToBbox } from "./geo.js";
import { has, t } from "./i18n.js";
import { layerTitle } from "./layers.js";

export function createPanel(app) {
  const panel = $("#feature-panel");
  const body = $("#panel-body");
  let current = 0; // guards against a slow answer overwriting a newer one

  const close = () => {
    panel.hidden = true;
    document.body.classList.remove("panel-open");
    app.map.getSource("selection")?.setData({ type: "FeatureCollection", features: [] });
  };
  $("#panel-close").addEventListener("click", close);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });

  const table = (list) => h("table", { class: "attr-table" }, h("tbody", {},
    list.map(([k, v, name]) => h("tr", { dataset: { attr: name } }, h("th", {}, k),
                                   h("td", {}, v)))));

  function relatedList(related) {
    if (!related?.length) return null;
    return h("section", { class: "panel-section" },
      h("h3", {}, t("panel.related")),
      h("ul", { class: "related" }, related.map((r) => h("li", {},
        h("span", { class: "rel" }, has(`rel.${r.rel}`) ? t(`rel.${r.rel}`) : r.rel),
        h("button", { type: "button", class: "link", dataset: { layer: r.layer, id: r.id },
                      onclick: () => open(r.layer, r.id, { fly: true }) },
          r.name && r.name !== r.code ? `${r.code} · ${r.name}` : r.code || `#${r.id}`),
        h("span", { class: "muted small" }, layerTitle(app.layers[r.layer]))))));
  }

  /** Open the panel of `layer` object `id`; `fly` moves the map to it. */
  async function open(layer, id, { fly = false } = {}) {
    const token = ++current;
    panel.hidden = false;
    document.body.classList.add("panel-open");
    panel.dataset.layer = layer;
    panel.dataset.id = id;
    $("#panel-layer").textContent = layerTitle(app.layers[layer]) || layer;
    $("#panel-title").textContent = t("common.loading");
    fill(body, h("div", { class: "spinner" }));
    let feature;
    try {
      feature = await getJSON(`/api/v1/layers/${encodeURIComponent(layer)}/features/${id}`);
    } catch (err) {
      if (token !== current) return;
      $("#panel-title").textContent = t("panel.error");
      fill(body, h("p", { class: "alert alert-error" }, err.message));
      return;
    }
    if (token !== current) return;
    $("#panel-title").textContent = title(feature);
    const extra = extraRows(feature);
    const bbox = bboxOf(feature.geometry);
    fill(body,
      h("div", { class: "panel-actions" },
        bbox ? h("button", { type: "button", class: "btn btn-small", id: "panel-zoom",
                             onclick: () => flyToBbox(app.map, bbox) }, t("panel.zoom_to"))
          : h("span", { class: "muted small" }, t("panel.no_geometry"))),
      table(rows(feature, { layer, networks: app.networks })),
      relatedList(feature.related),
      extra.length ? h("section", { class: "panel-section" },
        h("h3", {}, t("panel.extra")), table(extra)) : null);
    app.map.getSource("selection")?.setData(feature.geometry
      ? { type: "Feature", geometry: feature.geometry, properties: {} }
      : { type: "FeatureCollection", features: [] });
    if (fly && bbox) flyToBbox(app.map, bbox);
  }

  return { open, close };
}

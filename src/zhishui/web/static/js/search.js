// The search box: code or name over every layer; choosing a result flies there and opens it.
import { getJSON } from "./api.js";
import { $, fill, h } from "./dom.js";
import { flyToBbox } from "./geo.js";
import { t } from "./i18n.js";
import { layerTitle } from "./layers.js";
import { value } from "./format.js";

export function initSearch(app) {
  const input = $("#search-input");
  const list = $("#search-results");
  let results = [];
  let active = -1;
  let timer = 0;
  let seq = 0;
  let shown = ""; // the query whose results are listed

  const hide = () => { list.hidden = true; active = -1; };
  const choose = (r) => {
    hide();
    input.blur();
    app.panel.open(r.layer, r.id); // shows the panel at once, so the fly-to can avoid it
    if (r.bbox) flyToBbox(app.map, r.bbox);
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.classList.toggle("active", j === i));
  };

  async function run() {
    const q = input.value.trim();
    if (!q) { hide(); return; }
    const mine = ++seq;
    let found;
    try {
      found = await getJSON("/api/v1/search", { q, limit: 20 });
    } catch (err) {
      found = [];
      app.status(err.message, true);
    }
    if (mine !== seq) return;
    results = found;
    shown = q;
    fill(list, results.length ? results.map((r, i) => h("li", {
        role: "option", class: "search-item", dataset: { layer: r.layer, id: r.id },
        onmousedown: (e) => { e.preventDefault(); choose(r); },
        onmousemove: () => highlight(i) },
      h("span", { class: "search-main" }, r.name && r.name !== r.code
        ? [h("b", {}, r.code || ""), " ", r.name] : h("b", {}, r.code || r.name || `#${r.id}`)),
      h("span", { class: "search-meta" }, [layerTitle(app.layers[r.layer]),
        r.kind ? value("kind", r.kind, { layer: r.layer }) : null].filter(Boolean).join(" · "))))
      : h("li", { class: "search-empty muted" }, t("search.none")));
    list.hidden = false;
    highlight(results.length ? 0 : -1);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 220);
  });
  input.addEventListener("keydown", async (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (results.length) {
        highlight((active + (e.key === "ArrowDown" ? 1 : results.length - 1)) % results.length);
      }
    } else if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(timer);
      if (shown !== input.value.trim() || list.hidden) await run();
      if (results[Math.max(active, 0)]) choose(results[Math.max(active, 0)]);
    } else if (e.key === "Escape") hide();
  });
  input.addEventListener("blur", () => setTimeout(hide, 150));
  input.addEventListener("focus", () => { if (results.length && input.value.trim()) list.hidden = false; });
}

// The command-centre page: map, layer switcher, search, feature panel and networks tab.
import { getJSON } from "./api.js";
import { $ } from "./dom.js";
import { initI18n, t } from "./i18n.js";
import { initLayerSwitcher } from "./layers.js";
import { createMap, wireInteraction } from "./map.js";
import { initNetworks } from "./networks.js";
import { createPanel } from "./panel.js";
import { initSearch } from "./search.js";
import { initTopbar } from "./topbar.js";

const app = { networks: new Map(), layers: {} };
let statusTimer = 0;
app.status = (text, isError = false) => {
  const el = $("#status-msg");
  el.textContent = text;
  el.classList.toggle("error", isError);
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { el.textContent = ""; }, 6000);
};

function initTabs(networks) {
  const tabs = document.querySelectorAll("[data-tab]");
  for (const tab of tabs) {
    tab.addEventListener("click", () => {
      for (const other of tabs) {
        const on = other === tab;
        other.classList.toggle("active", on);
        other.setAttribute("aria-selected", String(on));
        $(`[data-tab-body="${other.dataset.tab}"]`).hidden = !on;
      }
      if (tab.dataset.tab === "networks") networks.shown();
    });
  }
  const sidebar = $("#sidebar");
  $("#sidebar-open").addEventListener("click", () => sidebar.classList.toggle("open"));
  $("#sidebar-close").addEventListener("click", () => sidebar.classList.remove("open"));
}

async function main() {
  await initI18n();
  initTopbar().catch((err) => app.status(err.message, true));
  const config = await getJSON("/api/v1/config");
  app.config = config;
  app.layers = Object.fromEntries(config.layers.map((l) => [l.id, l]));
  const { map, styleLayers } = createMap(config);
  app.map = map;
  window.zhishuiMap = map; // for the browser tests and for debugging in the console
  app.panel = createPanel(app);
  const networks = initNetworks(app);
  initTabs(networks);
  networks.load();
  wireInteraction(map, app);
  initSearch(app);
  new ResizeObserver(() => { map.resize(); networks.resize(); }).observe($(".map-area"));
  map.on("load", () => {
    initLayerSwitcher(map, config, styleLayers, $("#layer-list"));
    document.body.dataset.mapReady = "true";
  });
}

main().catch((err) => {
  console.error(err);
  app.status?.(t("statusbar.load_failed", { msg: err.message }), true);
});

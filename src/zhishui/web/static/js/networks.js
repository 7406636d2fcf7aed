// The networks tab: sizes (with an ECharts bar chart) and the network check drawn on the map.
import { getJSON } from "./api.js";
import { $, fill, h } from "./dom.js";
import { flyToBbox } from "./geo.js";
import { fmt, has, lang, t } from "./i18n.js";
import { PIPE_COLORS, SEVERITY_COLORS } from "./map-style.js";

const MAX_LISTED = 500;
let chart = null;

function kindLabel(kind) {
  return has(`kind.${kind}`) ? t(`kind.${kind}`) : kind;
}

/** Text of a finding: the server's Chinese message, else the client catalogue. */
function findingText(f) {
  const serverOk = f.message && f.message !== f.message_key && !f.message.startsWith("check.");
  if (lang === "zh" && serverOk) return f.message;
  const key = `check.${f.code}`;
  if (has(key)) return t(key, f.params || {});
  return serverOk ? f.message : f.code;
}

function drawChart(el, networks) {
  const echarts = window.echarts;
  if (!echarts || !el.clientWidth) return;
  chart ??= echarts.init(el, null, { renderer: "canvas" });
  const list = [...networks].sort((a, b) => a.length_km - b.length_km);
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 48, top: 26, bottom: 4, containLabel: true },
    title: { text: t("networks.chart"), left: 0, top: 0,
             textStyle: { color: "#9fb0c8", fontSize: 12, fontWeight: "normal" } },
    tooltip: { trigger: "item", formatter: (p) => `${p.name}<br>${fmt(p.value, 2)} km` },
    xAxis: { type: "value", axisLabel: { color: "#7c8ca6", fontSize: 10 },
             splitLine: { lineStyle: { color: "rgba(148,163,184,0.12)" } } },
    yAxis: { type: "category", data: list.map((n) => n.name),
             axisLabel: { color: "#c8d3e3", fontSize: 11, width: 110, overflow: "truncate" },
             axisLine: { lineStyle: { color: "rgba(148,163,184,0.3)" } }, axisTick: { show: false } },
    series: [{ type: "bar", barMaxWidth: 14,
               data: list.map((n) => ({ value: n.length_km,
                 itemStyle: { color: PIPE_COLORS[n.kind] || "#94a3b8", borderRadius: [0, 3, 3, 0] } })),
               label: { show: true, position: "right", color: "#c8d3e3", fontSize: 10,
                        formatter: (p) => fmt(p.value, 1) } }],
  }, true);
  el.style.height = `${Math.max(110, 40 + list.length * 24)}px`;
  chart.resize();
}

export function initNetworks(app) {
  const listEl = $("#network-list");
  const chartEl = $("#network-chart");
  const result = $("#check-result");
  let networks = [];

  async function load() {
    try {
      networks = await getJSON("/api/v1/networks");
    } catch (err) {
      fill(listEl, h("li", { class: "alert alert-error" }, err.message));
      return;
    }
    app.networks = new Map(networks.map((n) => [n.id, n]));
    if (!networks.length) {
      fill(listEl, h("li", { class: "muted" }, t("networks.none")));
      chartEl.hidden = true;
      return;
    }
    fill(listEl, networks.map((n) => h("li", { class: "network", dataset: { name: n.name } },
      h("div", { class: "network-head" },
        h("span", { class: "badge", style: { "--c": PIPE_COLORS[n.kind] || "#94a3b8" } },
          kindLabel(n.kind)),
        h("span", { class: "network-name" }, n.name)),
      h("div", { class: "network-stats" },
        h("span", {}, h("b", {}, fmt(n.length_km, 2)), " km"),
        h("span", {}, t("networks.nodes", { n: fmt(n.nodes) })),
        h("span", {}, t("networks.links", { n: fmt(n.links) }))),
      h("button", { type: "button", class: "btn btn-small check-btn",
                    onclick: (e) => check(n, e.currentTarget) }, t("networks.check")))));
    drawChart(chartEl, networks);
  }

  async function check(network, button) {
    button.disabled = true;
    result.hidden = false;
    result.parentElement.scrollTop = 0;
    fill(result, h("div", { class: "check-head" }, h("h3", {}, t("check.title",
      { name: network.name })), h("div", { class: "spinner" })));
    let data;
    try {
      data = await getJSON(`/api/v1/networks/${encodeURIComponent(network.name)}/check`);
    } catch (err) {
      fill(result, h("p", { class: "alert alert-error" }, err.message));
      return;
    } finally {
      button.disabled = false;
    }
    showFindings(network, data);
  }

  function showFindings(network, data) {
    const findings = data.findings || [];
    const located = findings.filter((f) => f.lon !== null && f.lat !== null);
    app.map.getSource("findings").setData({ type: "FeatureCollection", features:
      located.map((f, i) => ({ type: "Feature", id: i,
        geometry: { type: "Point", coordinates: [f.lon, f.lat] },
        properties: { severity: f.severity, code: f.code } })) });
    const severityOf = Object.fromEntries(findings.map((f) => [f.code, f.severity]));
    const summary = Object.entries(data.summary || {});
    fill(result,
      h("div", { class: "check-head" },
        h("h3", {}, t("check.title", { name: network.name })),
        h("button", { type: "button", class: "icon-btn", title: t("common.close"),
                      onclick: clear }, "×")),
      findings.length
        ? h("p", { class: "muted small" }, t("check.total", { n: fmt(findings.length) }))
        : h("p", { class: "alert alert-ok" }, t("check.clean")),
      h("ul", { class: "chips" }, summary.map(([code, n]) => h("li", {
          class: `chip sev-${severityOf[code] || "info"}` },
        h("span", {}, has(`check.name.${code}`) ? t(`check.name.${code}`) : code),
        h("b", {}, fmt(n))))),
      h("ol", { class: "findings", id: "findings" }, findings.slice(0, MAX_LISTED).map((f) =>
        h("li", { class: `finding sev-${f.severity}`, dataset: { code: f.code },
                  tabindex: 0, onclick: () => goTo(f),
                  onkeydown: (e) => { if (e.key === "Enter") goTo(f); } },
          h("span", { class: "sev" }, has(`severity.${f.severity}`)
            ? t(`severity.${f.severity}`) : f.severity),
          h("span", { class: "finding-text" }, findingText(f))))),
      findings.length > MAX_LISTED
        ? h("p", { class: "muted small" }, t("check.more", { n: fmt(MAX_LISTED) })) : null);
    if (located.length) {
      const xs = located.map((f) => f.lon);
      const ys = located.map((f) => f.lat);
      flyToBbox(app.map, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
                { maxZoom: 17 });
    }
  }

  function goTo(f) {
    if (f.link_ids?.length) app.panel.open("links", f.link_ids[0]);
    else if (f.node_ids?.length) app.panel.open("nodes", f.node_ids[0]);
    if (f.lon !== null && f.lat !== null) {
      flyToBbox(app.map, [f.lon, f.lat, f.lon, f.lat], { pointZoom: 17 });
    }
    if (matchMedia("(max-width: 700px)").matches) $("#sidebar").classList.remove("open");
  }

  function clear() {
    result.hidden = true;
    fill(result);
    app.map.getSource("findings").setData({ type: "FeatureCollection", features: [] });
  }

  return {
    load,
    shown: () => (networks.length ? drawChart(chartEl, networks) : undefined),
    resize: () => chart?.resize(),
  };
}

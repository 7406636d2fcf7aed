// The import page: upload a file (all or nothing), show the counts or the problem report.
import { ApiError, getJSON, post } from "./api.js";
import { $, fill, h } from "./dom.js";
import { fmt, has, initI18n, lang, t } from "./i18n.js";
import { initTopbar } from "./topbar.js";

const form = $("#import-form");
const target = $("#import-target");
const result = $("#import-result");
const progress = $("#import-progress");

function targetLabel(name) {
  return has(`target.${name}`) ? t(`target.${name}`) : name;
}

/** "管段 12 · 节点 13" from {links: 12, nodes: 13} or a plain number. */
function counts(obj) {
  if (obj === null || obj === undefined) return "";
  if (typeof obj !== "object") return fmt(obj);
  return Object.entries(obj).map(([k, v]) => `${has(`count.${k}`) ? t(`count.${k}`) : k} ${
    typeof v === "object" ? counts(v) : fmt(v)}`).join(" · ");
}

function syncTarget() {
  for (const el of document.querySelectorAll("[data-for-target]")) {
    el.hidden = el.dataset.forTarget !== target.value;
  }
  $("#import-network").required = target.value === "network";
}

function problemTable(problems) {
  return h("div", { class: "table-wrap" }, h("table", { class: "table problems", id: "problems" },
    h("thead", {}, h("tr", {}, ["problem.file", "problem.line", "problem.field",
                                "problem.message"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, problems.map((p) => h("tr", {},
      h("td", {}, p.file || "—"), h("td", { class: "num" }, p.line ?? "—"),
      h("td", {}, p.field || "—"), h("td", {}, p.message || ""))))));
}

function showDone(body) {
  const rows = [["count.inserted", body.inserted], ["count.updated", body.updated]];
  fill(result, h("div", { class: "alert alert-ok", id: "import-ok" },
    h("b", {}, t("import.done", { file: body.file })),
    h("dl", { class: "counts" }, rows.map(([k, v]) => [h("dt", {}, t(k)),
                                                       h("dd", {}, counts(v) || "0")]))));
}

function showError(err) {
  const body = err instanceof ApiError ? err.body : {};
  const problems = body.problems?.length ? body.problems
    : [{ message: body.message || err.message, file: null, line: null, field: null }];
  fill(result, h("div", { class: "alert alert-error", id: "import-error" },
    h("b", {}, t("import.rejected")), " ", t("import.nothing_changed")),
    problemTable(problems));
}

async function upload(e) {
  e.preventDefault();
  const data = new FormData(form);
  for (const key of ["network", "kind", "crs"]) {
    if (!data.get(key) || (key !== "crs" && target.value !== "network")) data.delete(key);
  }
  const file = data.get("file");
  const button = $("#import-submit");
  button.disabled = true;
  progress.hidden = false;
  const started = performance.now();
  const tick = setInterval(() => {
    $("#import-progress-text").textContent = t("import.working", {
      file: file?.name || "", s: fmt((performance.now() - started) / 1000, 0) });
  }, 250);
  fill(result);
  try {
    showDone(await post("/api/v1/imports", data));
  } catch (err) {
    showError(err);
  } finally {
    clearInterval(tick);
    progress.hidden = true;
    button.disabled = false;
    loadHistory();
  }
}

function statusLabel(s) {
  return h("span", { class: `status status-${s}` }, has(`history.${s}`) ? t(`history.${s}`) : s);
}

async function loadHistory() {
  const body = $("#history-body");
  let runs;
  try {
    runs = await getJSON("/api/v1/imports", { limit: 50 });
  } catch (err) {
    fill(body, h("tr", {}, h("td", { colspan: 5, class: "muted" },
      err.status === 403 ? t("history.forbidden") : err.message)));
    return;
  }
  if (!runs.length) {
    fill(body, h("tr", {}, h("td", { colspan: 5, class: "muted" }, t("history.none"))));
    return;
  }
  const when = new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB",
                                       { dateStyle: "short", timeStyle: "short" });
  fill(body, runs.map((r) => h("tr", {},
    h("td", { class: "nowrap" }, when.format(new Date(r.started_at))),
    h("td", {}, r.file),
    h("td", {}, targetLabel(r.target)),
    h("td", {}, statusLabel(r.status)),
    h("td", {}, r.status === "done" ? [t("count.inserted"), " ", counts(r.counts?.inserted),
                                      " / ", t("count.updated"), " ", counts(r.counts?.updated)]
      : (r.problems || []).slice(0, 2).map((p) => h("div", { class: "small" },
          p.line ? t("problem.at_line", { line: p.line, message: p.message }) : p.message))))));
}

await initI18n();
initTopbar().catch(() => {});
target.addEventListener("change", syncTarget);
syncTarget();
form.addEventListener("submit", upload);
$("#history-refresh").addEventListener("click", loadHistory);
loadHistory();
getJSON("/api/v1/networks").then((list) => fill($("#network-names"),
  list.map((n) => h("option", { value: n.name }, `${n.name}`)))).catch(() => {});

// Front-end message catalogue: the page language comes from <html data-lang>, set by the server.
const root = document.documentElement;
export const lang = root.dataset.lang === "en" ? "en" : "zh";
const version = root.dataset.version || "";
let messages = {};
let fallback = {};

async function fetchCatalogue(code) {
  const r = await fetch(`/static/i18n/${code}.json?v=${encodeURIComponent(version)}`);
  if (!r.ok) throw new Error(`i18n ${code}: HTTP ${r.status}`);
  return r.json();
}

/** Load the catalogue (and the Chinese fallback) and translate the page. */
export async function initI18n() {
  try {
    messages = await fetchCatalogue(lang);
    fallback = lang === "zh" ? messages : await fetchCatalogue("zh").catch(() => ({}));
  } catch (err) {
    console.error(err);
  }
  translatePage(document);
  root.classList.remove("i18n-pending");
}

/** The message for `key` with {name} parameters filled in; the key itself when missing. */
export function t(key, params = {}) {
  const text = messages[key] ?? fallback[key];
  if (text === undefined) return params.default ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] ?? m));
}

/** True when the catalogue has the key. */
export function has(key) {
  return key in messages || key in fallback;
}

/** Translate data-i18n (text), data-i18n-placeholder, -title and -aria attributes under `el`. */
export function translatePage(el) {
  for (const n of el.querySelectorAll("[data-i18n]")) {
    if (has(n.dataset.i18n)) n.textContent = t(n.dataset.i18n);
  }
  for (const [attr, target] of [["i18nPlaceholder", "placeholder"], ["i18nTitle", "title"],
                                ["i18nAria", "aria-label"]]) {
    const sel = `[data-${attr.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}]`;
    for (const n of el.querySelectorAll(sel)) {
      if (has(n.dataset[attr])) n.setAttribute(target, t(n.dataset[attr]));
    }
  }
}

/** Format a number for the page language. */
export function fmt(value, digits = 0) {
  return Number(value).toLocaleString(lang === "zh" ? "zh-CN" : "en-US", {
    maximumFractionDigits: digits, minimumFractionDigits: 0,
  });
}

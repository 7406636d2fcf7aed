// Same-origin calls to the zhishui REST API with the session cookie and the CSRF token.
let csrfToken = null;
let mePromise = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

async function handle(r) {
  const type = r.headers.get("content-type") || "";
  const body = type.includes("json") ? await r.json().catch(() => null) : null;
  if (r.status === 401) {
    toLogin();
    throw new ApiError(401, body);
  }
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

/** GET a JSON resource; `params` becomes the query string. */
export async function getJSON(path, params) {
  const qs = params ? "?" + new URLSearchParams(params) : "";
  return handle(await fetch(path + qs, { credentials: "same-origin",
                                          headers: { Accept: "application/json" } }));
}

/** The logged-in user (cached); also keeps the CSRF token for state-changing calls. */
export function me() {
  mePromise ??= getJSON("/api/v1/me").then((u) => {
    csrfToken = u.csrf_token;
    return u;
  });
  return mePromise;
}

/** POST with the CSRF token; `body` is FormData or a JSON-able object. */
export async function post(path, body) {
  await me();
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken || "" };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return handle(await fetch(path, { method: "POST", credentials: "same-origin", headers,
                                    body: payload }));
}

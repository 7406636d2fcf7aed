// The top bar shared by the map and import pages: user, language switch, logout.
import { me, post } from "./api.js";
import { $ } from "./dom.js";

export async function initTopbar() {
  // Keep the current path when switching language (the server sets the cookie).
  for (const a of document.querySelectorAll("[data-lang-link]")) {
    const url = new URL(location.href);
    url.searchParams.set("lang", a.dataset.langLink);
    a.href = url.pathname + url.search + url.hash;
  }
  $("#logout")?.addEventListener("click", async () => {
    try {
      await post("/auth/logout");
    } finally {
      location.assign("/login");
    }
  });
  const user = await me();
  $("#user-name").textContent = user.display_name || user.username;
  $("#user-org").textContent = user.org_unit?.name || "";
  $("#user-box").hidden = false;
  // Only administrators and operators may import (the API says the same).
  const mayImport = user.roles.some((r) => r === "admin" || r === "operator");
  for (const a of document.querySelectorAll('.topnav a[href="/import"]')) a.hidden = !mayImport;
  return user;
}

// Login page: translate, keep the username after a failed attempt, disable double submits.
import { initI18n } from "./i18n.js";

await initI18n();
const form = document.getElementById("login-form");
const user = document.getElementById("username");
const remembered = sessionStorage.getItem("zhishui.login.user");
if (remembered && !user.value) {
  user.value = remembered;
  if (document.getElementById("login-error")) document.getElementById("password").focus();
}
form.addEventListener("submit", () => {
  sessionStorage.setItem("zhishui.login.user", user.value);
  document.getElementById("login-submit").disabled = true;
});

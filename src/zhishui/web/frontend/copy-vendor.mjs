// Copies the built files of the pinned npm packages into web/static/vendor, served by zhishui.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "static", "vendor");
const files = {
  "maplibre-gl": [
    "dist/maplibre-gl.mjs",
    "dist/maplibre-gl-worker.mjs",
    "dist/maplibre-gl.css",
    "LICENSE.txt",
  ],
  echarts: ["dist/echarts.min.js", "LICENSE"],
};
rmSync(vendor, { recursive: true, force: true });
for (const [pkg, list] of Object.entries(files)) {
  mkdirSync(join(vendor, pkg), { recursive: true });
  for (const f of list) {
    const src = join(here, "node_modules", pkg, f);
    if (!existsSync(src)) {
      console.error(`missing ${src}: run npm ci in ${here}`);
      process.exit(1);
    }
    cpSync(src, join(vendor, pkg, f.split("/").pop()));
  }
}
console.log(`vendor files copied to ${vendor}`);

// Compile mosovo's front-end assets into static/ (committed). Run with `make assets`.
// Output is deterministic for a given package-lock.json, so CI can check it is current.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = (...p) => join(root, "static", ...p);
const copy = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, from), to);
};

const css = compile(join(root, "assets/scss/mosovo.scss"), {
  loadPaths: [root],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
mkdirSync(out("css"), { recursive: true });
writeFileSync(out("css", "mosovo.css"), css.css + "\n");

copy("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", out("js", "govuk-frontend.min.js"));
copy("node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js", out("js", "moj-frontend.min.js"));
copy("assets/js/mosovo.mjs", out("js", "mosovo.mjs"));
for (const icon of ["icon-arrow-black-down.svg", "icon-arrow-black-up.svg", "icon-search-black.svg"]) {
  copy(`node_modules/@ministryofjustice/frontend/moj/assets/images/${icon}`, out("vendor", "govuk", "images", icon));
}
// axe-core is used only by the browser tests; it is vendored so the tests need no Node.js.
copy("node_modules/axe-core/axe.min.js", join(root, "tests", "browser", "vendor", "axe.min.js"));
console.log("assets built");

// Compile mosovo's front-end assets into static/ (committed). Run with `make assets`.
// Output is deterministic for a given package-lock.json, so CI can check it is current.
import { compile } from "sass";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
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
// Copy exactly the images the stylesheet refers to. The crest is never shipped: this is
// a police service, so its place is taken by an empty image of our own.
rmSync(out("vendor"), { recursive: true, force: true });
const sources = ["node_modules/govuk-frontend/dist/govuk/assets/images", "node_modules/@ministryofjustice/frontend/moj/assets/images"];
const referenced = new Set([...css.css.matchAll(/url\("?\/static\/vendor\/govuk\/images\/([^")]+)"?\)/g)].map((m) => m[1]));
for (const image of [...referenced].sort()) {
  const target = out("vendor", "govuk", "images", image);
  if (image.includes("crest") || image.includes("crown")) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n');
    continue;
  }
  const source = sources.map((dir) => join(dir, image)).find((path) => existsSync(join(root, path)));
  if (!source) throw new Error(`stylesheet refers to ${image}, which no package provides`);
  copy(source, target);
}
// axe-core is used only by the browser tests; it is vendored so the tests need no Node.js.
copy("node_modules/axe-core/axe.min.js", join(root, "tests", "browser", "vendor", "axe.min.js"));
console.log("assets built");

// mosovo page start-up. Loaded as a module on every page; no inline script is needed, so
// the Content-Security-Policy can forbid inline scripts.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The start of the UI: loads the settings and draws the library's first
// rows, then loads the rest (app.js). A browser fetches a page's modules a
// few at a time and compiles each as it comes: with all 33 loaded at
// start, the first rows waited for every one of them, about a hundred
// milliseconds of a cold start. Their requests went out earlier still
// (boot.js).

import { loadSettings } from "./settings.js";
import { initLibrary } from "./library.js";
import * as toast from "./toast.js";

/**
 * Resolves once the first rows are drawn and the library's problem files
 * listed. The settings load alongside; the theme follows the system until then.
 */
export const libraryLoaded = initLibrary(loadSettings());

function loadApp() {
  import("./app.js").catch((error) => toast.failed("Could not load the rest of Gloss", error, loadApp));
}

libraryLoaded.finally(loadApp);

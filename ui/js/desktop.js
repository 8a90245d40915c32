// The desktop window's extras: menu actions, gloss:// links opened while it
// runs, the About box, and asking for a library folder once when none is
// set. Does nothing in a browser.

import { call, desktop } from "./transport.js";
import * as toast from "./toast.js";

const ASKED_KEY = "gloss.askedForLibrary";

/**
 * Wires the native menu and links: `handlers` maps menu ids to UI actions;
 * `go(route)` shows a hash route, as the page shows it when opened there.
 */
export function initDesktop(handlers, { go }) {
  if (!desktop.available) return;
  desktop.onMenu((action) => {
    const run = { ...handlers, "choose-library": chooseLibrary, about: showAbout }[action];
    run?.();
  });
  desktop.onOpen(go);
}

/** Lets the user pick the library folder with the native picker. */
export async function chooseLibrary() {
  const folder = await desktop.pick({ kind: "folder", title: "Choose the library folder" });
  if (!folder) return;
  try {
    await call("update_settings", { library_dir: folder });
    toast.info(`Watching ${folder}`);
  } catch (error) {
    toast.failed(`Could not use ${folder}`, error, chooseLibrary);
  }
}

/** On first start with no library folder, asks for one (once). */
export async function askForLibraryOnce(status) {
  if (!desktop.available || status.library_dir || localStorage.getItem(ASKED_KEY)) return;
  localStorage.setItem(ASKED_KEY, "yes");
  await chooseLibrary();
}

async function showAbout() {
  const [health, status] = await Promise.all([call("health"), call("library_status")]);
  toast.info(`Gloss ${health.version} · data in ${status.data_dir} · library ${status.library_dir ?? "not chosen"}`);
}

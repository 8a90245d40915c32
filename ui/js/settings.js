// Settings: loaded once, applied to the page (theme, text size, colour
// names), edited in the Settings view (settings-view.js) and saved
// optimistically.

import { call } from "./transport.js";
import * as toast from "./toast.js";
import { takeSettings } from "./boot.js";

export const TEXT_SIZES = { min: 14, max: 26 };

let settings = { library_dir: "", sync_dir: null, auto_export: null, theme: "system", text_size: 18, library_sort: "added", color_names: {} };
const listeners = new Set();

let loading = null;

/** Fetches the settings and applies them; keeps defaults if that fails. */
export function loadSettings() {
  loading = (async () => {
    try {
      settings = { ...settings, ...(await (takeSettings() ?? call("get_settings"))) };
    } catch (error) {
      toast.failed("Could not load settings", error, loadSettings);
    }
    apply();
  })();
  return loading;
}

export function currentSettings() {
  return settings;
}

/** Resolves once the settings asked for at start (or since) came, or failed to. */
export function settingsLoaded() {
  return loading;
}

/** Calls `fn` after every change of settings. */
export function onSettingsChange(fn) {
  listeners.add(fn);
}

/** The user's name for a highlight colour. */
export function colorName(color) {
  const name = settings.color_names?.[color]?.trim();
  return name || color.charAt(0).toUpperCase() + color.slice(1);
}

function apply() {
  const root = document.documentElement;
  if (settings.theme === "light" || settings.theme === "dark") root.dataset.theme = settings.theme;
  else delete root.dataset.theme;
  root.style.setProperty("--text-size", `${clampSize(settings.text_size)}px`);
  for (const fn of listeners) fn(settings);
}

/** `size` as a text size within TEXT_SIZES, in whole px. */
export function clampSize(size) {
  const n = Number(size);
  return Number.isFinite(n) ? Math.min(TEXT_SIZES.max, Math.max(TEXT_SIZES.min, Math.round(n))) : 18;
}

/**
 * Saves a subset of the settings, showing it at once and undoing on
 * failure. A failure that names one of `fields` ({ sync_dir: textField })
 * is shown under it; any other in a toast with Retry.
 */
export async function saveSettings(patch, fields = {}) {
  const before = settings;
  settings = { ...settings, ...patch };
  apply();
  for (const field of Object.values(fields)) field.clearError();
  try {
    settings = { ...settings, ...(await call("update_settings", patch)) };
    apply();
  } catch (error) {
    settings = before;
    apply();
    const named = String(error.field ?? "").replace(/^args\./, "");
    if (fields[named]) fields[named].showError(error.message);
    else toast.failed("Settings not saved", error, () => saveSettings(patch, fields));
  }
}

/** Steps the reading text size by `delta` px. */
export function stepTextSize(delta) {
  const size = clampSize(clampSize(settings.text_size) + delta);
  if (size !== settings.text_size) saveSettings({ text_size: size });
}

// Settings: loaded once, applied to the page (theme, text size, colour
// names), edited in the Settings view and saved optimistically. The view
// also holds Sync (sync.js) and Export and Import (transfer.js).

import { call } from "./transport.js";
import { h, replace } from "./dom.js";
import { showErrorAt, textField } from "./fields.js";
import { COLORS } from "./highlights.js";
import { refreshSyncStatus, syncSection } from "./sync.js";
import { exportSection, importSection } from "./transfer.js";
import { reviewSection } from "./review-settings.js";
import * as toast from "./toast.js";

const TEXT_SIZES = { min: 14, max: 26 };

let settings = { library_dir: "", sync_dir: null, auto_export: null, theme: "system", text_size: 18, library_sort: "added", color_names: {} };
const listeners = new Set();

let loading = null;

/** Fetches the settings and applies them; keeps defaults if that fails. */
export function loadSettings() {
  loading = (async () => {
    try {
      settings = { ...settings, ...(await call("get_settings")) };
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

function clampSize(size) {
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
    if (fields[named]) showErrorAt(error, fields);
    else toast.failed("Settings not saved", error, () => saveSettings(patch, fields));
  }
}

/** Steps the reading text size by `delta` px. */
export function stepTextSize(delta) {
  const size = clampSize(clampSize(settings.text_size) + delta);
  if (size !== settings.text_size) saveSettings({ text_size: size });
}

/**
 * Renders the Settings view into `view`; `section` ("sync", "export",
 * "import") is scrolled to. `onImported()` runs after an import.
 */
export async function showSettings(view, section, { onImported }) {
  await loading; // the view shows the settings, not the defaults
  const saveLibrary = (v) => saveSettings({ library_dir: v }, { library_dir: library });
  const library = textField({
    id: "library-dir",
    label: "Library folder",
    value: settings.library_dir,
    hint: "Summary files in this folder appear in the library.",
    onChange: saveLibrary,
    choose: { kind: "folder", label: "Choose the library folder" },
  });
  const saveSyncDir = (v) => saveSettings({ sync_dir: v || null }, { sync_dir: syncDir }).then(refreshSyncStatus);
  const syncDir = textField({
    id: "sync-dir",
    label: "Sync folder",
    value: settings.sync_dir,
    hint: "A folder your devices share through Syncthing, Dropbox or the like. Leave empty to turn sync off.",
    onChange: saveSyncDir,
    choose: { kind: "folder", label: "Choose the sync folder" },
  });
  const themeOption = (value, label) =>
    h(
      "label",
      {},
      h("input", {
        type: "radio",
        name: "theme",
        value,
        props: { checked: settings.theme === value },
        on: { change: () => saveSettings({ theme: value }) },
      }),
      ` ${label}`,
    );
  const sizeOutput = h("output", { for: "text-size", text: `${clampSize(settings.text_size)} px` });
  const colorRows = COLORS.flatMap((color) => [
    h("span", { class: `swatch hl-${color}`, "aria-hidden": "true" }),
    h("input", {
      type: "text",
      "aria-label": `Name for the ${color} highlight colour`,
      placeholder: colorName(color),
      props: { value: settings.color_names?.[color] ?? "" },
      on: { change: (e) => saveSettings({ color_names: { ...settings.color_names, [color]: e.target.value.trim() } }) },
    }),
  ]);
  replace(
    view,
    h(
      "div",
      { class: "page" },
      h("h1", { id: "settings-title", class: "page-title", text: "Settings" }),
      h(
        "form",
        { class: "settings-form", "aria-labelledby": "settings-title", on: { submit: (e) => e.preventDefault() } },
        h("fieldset", {}, h("legend", { text: "Library" }), library.el),
        syncSection(syncDir),
        h("fieldset", {}, h("legend", { text: "Theme" }), h("div", { class: "radio-row" }, themeOption("system", "Follow the system"), themeOption("light", "Light"), themeOption("dark", "Dark"))),
        h(
          "fieldset",
          {},
          h("legend", { text: "Reading" }),
          h(
            "div",
            { class: "setting" },
            h("label", { for: "text-size", class: "field-label", text: "Text size" }),
            h(
              "div",
              { class: "size-row" },
              h("input", {
                id: "text-size",
                type: "range",
                min: TEXT_SIZES.min,
                max: TEXT_SIZES.max,
                step: 1,
                props: { value: clampSize(settings.text_size) },
                on: {
                  input: (e) => {
                    sizeOutput.textContent = `${e.target.value} px`;
                    document.documentElement.style.setProperty("--text-size", `${e.target.value}px`);
                  },
                  change: (e) => saveSettings({ text_size: Number(e.target.value) }),
                },
              }),
              sizeOutput,
            ),
          ),
        ),
        h("fieldset", {}, h("legend", { text: "Highlight colour names" }), h("div", { class: "color-names" }, colorRows)),
        reviewSection(),
      ),
      exportSection(settings.auto_export),
      importSection({ onImported }),
    ),
  );
  // Arriving at a section (the menu's Import… and Export…), focus goes to its first field.
  const arrived = section && document.getElementById(`settings-${section}`);
  if (arrived) {
    arrived.scrollIntoView({ block: "start" });
    arrived.querySelector("input, select")?.focus({ preventScroll: true });
  }
}

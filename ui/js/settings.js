// Settings: loaded once, applied to the page (theme, text size, colour
// names), edited in the Settings view and saved optimistically.

import { call, desktop } from "./transport.js";
import { chooseLibrary } from "./desktop.js";
import { h, replace } from "./dom.js";
import { COLORS } from "./highlights.js";
import * as toast from "./toast.js";

const TEXT_SIZES = { min: 14, max: 26 };

let settings = { library_dir: "", sync_dir: null, theme: "system", text_size: 18, color_names: {} };
const listeners = new Set();

/** Fetches the settings and applies them; keeps defaults if that fails. */
export async function loadSettings() {
  try {
    settings = { ...settings, ...(await call("get_settings")) };
  } catch (error) {
    toast.error(`Could not load settings: ${error.message}`, loadSettings);
  }
  apply();
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

/** Saves a subset of the settings, showing it at once and undoing on failure. */
async function saveSettings(patch) {
  const before = settings;
  settings = { ...settings, ...patch };
  apply();
  try {
    settings = { ...settings, ...(await call("update_settings", patch)) };
    apply();
  } catch (error) {
    settings = before;
    apply();
    toast.error(`Settings not saved: ${error.message}`, () => saveSettings(patch));
  }
}

/** Steps the reading text size by `delta` px. */
export function stepTextSize(delta) {
  const size = clampSize(clampSize(settings.text_size) + delta);
  if (size !== settings.text_size) saveSettings({ text_size: size });
}

/** Renders the Settings view into `view`. */
export function showSettings(view) {
  const field = (id, label, value, onSave, hint) =>
    h(
      "div",
      { class: "setting" },
      h("label", { for: id, class: "field-label", text: label }),
      h("input", {
        id,
        type: "text",
        props: { value: value ?? "" },
        spellcheck: "false",
        on: { change: (e) => onSave(e.target.value.trim()) },
      }),
      hint && h("span", { class: "hint", text: hint }),
    );
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
        { class: "settings-form", on: { submit: (e) => e.preventDefault() } },
        h(
          "fieldset",
          {},
          h("legend", { text: "Folders" }),
          field("library-dir", "Library folder", settings.library_dir, (v) => saveSettings({ library_dir: v }), "Summary files in this folder appear in the library."),
          desktop.available &&
            h("button", {
              type: "button",
              class: "button",
              text: "Choose folder…",
              on: { click: () => chooseLibrary().then(loadSettings).then(() => showSettings(view)) },
            }),
          field("sync-dir", "Sync folder", settings.sync_dir, (v) => saveSettings({ sync_dir: v || null }), "A folder shared with your other devices (Syncthing, Dropbox, ...). Leave empty to turn sync off."),
        ),
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
      ),
    ),
  );
}

// The Settings view (#/settings[/<section>]): the library and sync folders,
// theme, text size, colour names and Review (review-settings.js), then
// Export and Import (transfer.js); Sync is sync.js's. Loaded when first
// opened; the settings themselves are settings.js's.

import { h, replace } from "./dom.js";
import { textField } from "./fields.js";
import { COLORS } from "./highlights.js";
import { TEXT_SIZES, clampSize, colorName, currentSettings, saveSettings, settingsLoaded } from "./settings.js";
import { refreshSyncStatus, syncSection } from "./sync.js";
import { exportSection, importSection } from "./transfer.js";
import { reviewSection } from "./review-settings.js";

// The Sync section refreshes on sync_done (app.js) once this view is loaded.
export { refreshSyncStatus };

/**
 * Renders the Settings view into `view`; `section` ("sync", "export",
 * "import") is scrolled to. `onImported()` runs after an import.
 */
export async function showSettings(view, section, { onImported }) {
  await settingsLoaded(); // the view shows the settings, not the defaults
  const settings = currentSettings();
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
      on: { change: (e) => saveSettings({ color_names: { ...currentSettings().color_names, [color]: e.target.value.trim() } }) },
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

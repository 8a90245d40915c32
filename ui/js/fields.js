// Labelled text fields for Settings, each with a place for its own error:
// a failure that names a field (`args.sync_dir`) is shown under that field
// and read out with it, not in a toast far away.

import { h } from "./dom.js";
import { desktop } from "./transport.js";

/**
 * A text field: label, input, hint and error. `onChange(value)` runs when
 * the user commits a new value, typed or, for a folder field (`chooseFolder`
 * is its picker button's label), picked in the desktop window's folder
 * picker. Returns `{ el, input, showError(message), clearError() }`.
 */
export function textField({ id, label, value = "", hint = null, placeholder = null, onChange = null, chooseFolder = null }) {
  const hintEl = hint && h("span", { class: "hint", id: `${id}-hint`, text: hint });
  const input = h("input", {
    id,
    type: "text",
    spellcheck: "false",
    autocomplete: "off",
    placeholder,
    "aria-describedby": [hintEl && `${id}-hint`, `${id}-error`].filter(Boolean).join(" "),
    props: { value: value ?? "" },
    on: onChange && { change: (e) => onChange(e.target.value.trim()) },
  });
  const error = fieldError(`${id}-error`, input);
  const extra =
    chooseFolder &&
    chooseFolderButton(chooseFolder, (folder) => {
      input.value = folder;
      error.clearError();
      onChange?.(folder);
    });
  return {
    el: h("div", { class: "setting" }, h("label", { for: id, class: "field-label", text: label }), extra ? h("div", { class: "field-row" }, input, extra) : input, hintEl, error.el),
    input,
    showError: error.showError,
    clearError: error.clearError,
  };
}

/**
 * The error line of `control`, with id `id` (give the control
 * `aria-describedby` = `id`). Returns `{ el, showError(message), clearError() }`.
 */
export function fieldError(id, control) {
  const el = h("p", { class: "field-error", id, role: "alert", hidden: true });
  return {
    el,
    showError(message) {
      el.textContent = message;
      el.hidden = false;
      control.setAttribute("aria-invalid", "true");
    },
    clearError() {
      el.textContent = "";
      el.hidden = true;
      control.removeAttribute("aria-invalid");
    },
  };
}
/**
 * Shows an API error under the field it names (`args.<name>` → `fields[name]`),
 * or under `fallback` when it names none of them.
 */
export function showErrorAt(error, fields, fallback) {
  const name = String(error.field ?? "").replace(/^args\./, "");
  (fields[name] ?? fallback).showError(error.message);
}

/** A Choose… button for the desktop window's folder picker; null in a browser. */
function chooseFolderButton(label, onChosen) {
  if (!desktop.available) return null;
  return h("button", {
    type: "button",
    class: "button",
    text: "Choose…",
    "aria-label": label,
    on: {
      click: async () => {
        const folder = await desktop.pickFolder();
        if (folder) onChosen(folder);
      },
    },
  });
}

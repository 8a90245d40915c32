// Labelled text fields for Settings, each with a place for its own error:
// a failure that names a field (`args.sync_dir`) is shown under that field
// and read out with it, not in a toast far away.

import { h } from "./dom.js";
import { desktop } from "./transport.js";

/**
 * A text field: label, input, hint and error. `onChange(value)` runs when
 * the user commits a new value, typed or picked. In the desktop window a
 * path field (`choose`: `{ kind: "folder" | "file", label, filter }`, see
 * `desktop.pick`) has a Choose… button for the native picker, labelled
 * `label`, which puts the path chosen in the field as if typed.
 * Returns `{ el, input, showError(message), clearError() }`.
 */
export function textField({ id, label, value = "", hint = null, placeholder = null, onChange = null, choose = null }) {
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
    choose &&
    chooseButton(choose, (path) => {
      input.value = path;
      error.clearError();
      onChange?.(path);
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

/**
 * A Choose… button for the desktop window's native picker, which asks
 * under the button's own label; null in a browser.
 */
function chooseButton({ kind, label, filter = null }, onChosen) {
  if (!desktop.available) return null;
  return h("button", {
    type: "button",
    class: "button",
    text: "Choose…",
    "aria-label": label,
    on: {
      click: async () => {
        const path = await desktop.pick({ kind, title: label, filter });
        if (path) onChosen(path);
      },
    },
  });
}

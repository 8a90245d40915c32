// The selection toolbar: appears just above a text selection in the reader
// with the colour dots, then Note and Tag. Keyboard users reach it with Tab
// (or use h / n / t directly); Esc dismisses it.

import { byId, h } from "./dom.js";
import { colorName, onSettingsChange } from "./settings.js";
import { swatches, openEditor } from "./editor.js";
import { placeNear } from "./popover.js";
import * as actions from "./actions.js";
import * as reader from "./reader.js";

let bar = null;
let offsets = null;

export function isToolbarOpen() {
  return Boolean(bar && !bar.hidden);
}

/**
 * Highlights the current selection; then opens the editor on "note" or
 * "tags". Keyboard focus goes back to the text, with a caret right after
 * the new highlight (from the toolbar too, which closes): the reader
 * selects on from there with Shift+arrows.
 */
export function highlightSelection(color = actions.defaultColor(), then = null) {
  const current = reader.selectionOffsets() ?? offsets;
  if (!current) return false;
  const id = actions.createHighlight(current, color);
  hideToolbar();
  reader.focusAt(current.end);
  if (id && then) requestAnimationFrame(() => openEditor(id, { focus: then }));
  return Boolean(id);
}

export function hideToolbar() {
  if (bar) bar.hidden = true;
  offsets = null;
}

/**
 * Esc: closes the toolbar and drops the selection, leaving a caret at its
 * end with keyboard focus there (also when focus was on the toolbar).
 */
export function dismissToolbar() {
  const current = reader.selectionOffsets() ?? offsets;
  hideToolbar();
  if (!current || !reader.focusAt(current.end)) document.getSelection()?.removeAllRanges();
}

export function focusToolbar() {
  bar?.querySelector("button")?.focus();
}

function build() {
  // mousedown must not take the selection away before the click lands.
  const keep = { mousedown: (e) => e.preventDefault() };
  bar = h(
    "div",
    { class: "popover toolbar", role: "toolbar", "aria-label": "Highlight selection", hidden: true, on: keep },
    swatches(undefined, (color) => highlightSelection(color), (c) => `Highlight ${colorName(c)}`),
    h("span", { class: "toolbar-sep", "aria-hidden": "true" }),
    h("button", { type: "button", class: "button button-small", text: "Note", title: "Highlight and add a note (n)", on: { click: () => highlightSelection(undefined, "note") } }),
    h("button", { type: "button", class: "button button-small", text: "Tag", title: "Highlight and tag (t)", on: { click: () => highlightSelection(undefined, "tags") } }),
  );
  bar.addEventListener("keydown", (e) => {
    const buttons = [...bar.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      buttons[(at + (e.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length].focus();
    }
  });
  document.body.append(bar);
}

function update() {
  const range = document.getSelection()?.rangeCount ? document.getSelection().getRangeAt(0) : null;
  const next = reader.selectionOffsets();
  if (!next || !range) {
    // Focus moving into the toolbar keeps the selection it was opened for.
    if (!bar?.contains(document.activeElement)) hideToolbar();
    return;
  }
  offsets = next;
  bar.hidden = false;
  const rects = range.getClientRects();
  const first = rects.length ? rects[0] : range.getBoundingClientRect();
  placeNear(bar, first, "above");
}

export function initToolbar() {
  build();
  // Renamed colours show up in the swatches' labels at once.
  onSettingsChange(() => {
    for (const swatch of bar.querySelectorAll(".swatch")) {
      swatch.setAttribute("aria-label", `Highlight ${colorName(swatch.dataset.color)}`);
      swatch.title = colorName(swatch.dataset.color);
    }
  });
  let frame = 0;
  document.addEventListener("selectionchange", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(update);
  });
  byId("main").addEventListener("scroll", () => isToolbarOpen() && update(), { passive: true });
}

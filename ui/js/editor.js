// The highlight editor: a small panel next to a highlight to change its
// colour, note (Markdown) and tags, or delete it. Also the chooser shown
// when a click lands on several overlapping highlights.

import { debounce, h } from "./dom.js";
import { COLORS } from "./highlights.js";
import { colorName } from "./settings.js";
import { tagEditor } from "./tags.js";
import { placeNear } from "./popover.js";
import { quote } from "./quote.js";
import { noteVersions } from "./versions.js";
import { focusAwayFrom, focusReturn } from "./focus.js";
import * as actions from "./actions.js";
import * as reader from "./reader.js";
import * as state from "./state.js";
import { highlightReviewToggle } from "./review-toggle.js";

const NOTE_SAVE_MS = 600;

let panel = null;
let editingId = null;
/** Puts focus back where it was before the editor took it (focus.js). */
let returnFocus = null;
let saveNote = null;

export function isEditorOpen() {
  return Boolean(panel);
}

/** The highlight being edited (its saved id once saved). */
export function editingHighlightId() {
  return editingId && state.resolveId(editingId);
}

/** Closes the editor when its highlight is gone (deleted in another window, say). */
export function initEditor() {
  state.subscribe((changes) => {
    if (panel && (changes.has("episode") || (changes.has("highlights") && !state.highlight(editingId)))) closeEditor({ restoreFocus: false });
  });
}

/** Colour swatches as a radio group; `onPick(color)`. */
export function swatches(selected, onPick, labelFor) {
  return COLORS.map((color) =>
    h("button", {
      type: "button",
      class: `swatch hl-${color}`,
      role: selected === undefined ? null : "radio",
      "aria-checked": selected === undefined ? null : String(color === selected),
      "aria-label": labelFor(color),
      title: colorName(color),
      data: { color },
      on: { click: () => onPick(color) },
    }),
  );
}

/**
 * Opens the editor for highlight `id` next to its mark (or `anchorEl`).
 * `focus` is "note", "tags" or null (first colour).
 */
export function openEditor(id, { anchorEl = null, focus = null } = {}) {
  closeEditor();
  const highlight = state.highlight(id);
  if (!highlight) return;
  editingId = id;
  returnFocus = focusReturn();
  state.setActive(highlight.id);

  saveNote = debounce((text) => actions.updateHighlight(editingId, { note: text }), NOTE_SAVE_MS);
  const colorGroup = h(
    "div",
    { class: "editor-colors", role: "radiogroup", "aria-label": "Colour" },
    swatches(highlight.color, (color) => {
      for (const s of colorGroup.children) s.setAttribute("aria-checked", String(s.dataset.color === color));
      actions.updateHighlight(editingId, { color });
    }, (c) => colorName(c)),
  );
  const note = h("textarea", {
    id: "editor-note",
    rows: 3,
    placeholder: "Write a note…",
    props: { value: highlight.note ?? "" },
    on: { input: (e) => saveNote(e.target.value) },
  });
  const tags = tagEditor({ tags: highlight.tags ?? [], label: "Tags for this highlight", id: "editor-tags", onChange: (list) => actions.updateHighlight(editingId, { tags: list }) });
  // A highlight still being created has no earlier versions to ask about.
  const versions =
    !highlight.id.startsWith("tmp-") &&
    noteVersions(
      { on: "highlight", id: highlight.id },
      {
        current: () => note.value,
        beforeSettle: () => {
          saveNote.cancel();
          return new Promise((resolve) => actions.whenSettled(resolve));
        },
        onSettled: (text) => {
          note.value = text;
          const now = state.highlight(highlight.id);
          if (now) state.putHighlight({ ...now, note: text });
        },
        onResize: () => versions.isConnected && position(anchorEl),
      },
    );
  panel = h(
    "div",
    { class: "popover editor", role: "dialog", "aria-label": "Edit highlight" },
    highlight.selector?.exact && quote("blockquote", highlight, { class: `editor-quote hl-${highlight.color}` }),
    h("div", { class: "editor-head" }, colorGroup),
    h("div", {}, h("label", { for: "editor-note", class: "field-label", text: "Note" }), note, h("span", { class: "hint", text: "Markdown works: **bold**, *italic*, lists, [links](https://…)." }), versions),
    h("div", {}, h("label", { for: "editor-tags", class: "field-label", text: "Tags" }), tags.el),
    highlightReviewToggle(highlight),
    h(
      "div",
      { class: "editor-foot" },
      h("button", { type: "button", class: "button button-danger", text: "Delete", on: { click: deleteEdited } }),
      h("button", { type: "button", class: "button button-primary", text: "Done", on: { click: () => closeEditor() } }),
    ),
  );
  document.body.append(panel);
  position(anchorEl);
  if (focus === "note") note.focus();
  else if (focus === "tags") tags.focus();
  else colorGroup.querySelector('[aria-checked="true"]')?.focus();
}

function position(anchorEl) {
  if (!panel) return;
  const target = anchorEl?.isConnected ? anchorEl : reader.markFor(editingHighlightId());
  const rect = target?.getBoundingClientRect() ?? { top: innerHeight / 3, bottom: innerHeight / 3, left: innerWidth / 2, width: 0 };
  placeNear(panel, rect, "below");
}

/**
 * Closes the editor, saving a note still being typed. With `restoreFocus`,
 * focus goes back where it came from; from the text, that is right after
 * the highlight.
 */
export function closeEditor({ restoreFocus = true } = {}) {
  if (!panel) return false;
  saveNote?.flush();
  const edited = state.highlight(editingId);
  panel.remove();
  panel = null;
  editingId = null;
  state.setActive(null);
  if (restoreFocus) returnFocus?.(edited);
  returnFocus = null;
  return true;
}

/** Delete: the editor closes, focus moves to where the highlight was, and it goes. */
function deleteEdited() {
  const edited = state.highlight(editingId);
  closeEditor({ restoreFocus: false });
  if (!edited) return;
  focusAwayFrom(edited);
  actions.deleteHighlight(edited.id);
}

// ---------- chooser ----------

let chooser = null;
let chooserReturn = null;

/** Closes the chooser; focus, if it held it, goes back where it was before. */
export function closeChooser() {
  if (!chooser) return false;
  const hadFocus = chooser.contains(document.activeElement);
  chooser.remove();
  chooser = null;
  if (hadFocus) chooserReturn?.();
  chooserReturn = null;
  return true;
}

/** Lets the user pick one of several overlapping highlights under a click. */
export function openChooser(ids, mark) {
  closeChooser();
  const items = ids.map((id) => state.highlight(id)).filter(Boolean);
  chooserReturn = focusReturn();
  chooser = h(
    "div",
    { class: "popover chooser", role: "menu", "aria-label": "Choose a highlight" },
    h("p", { class: "chooser-title", text: `${items.length} highlights here` }),
    items.map((hl) =>
      h(
        "button",
        {
          type: "button",
          role: "menuitem",
          class: `hl-${hl.color}`,
          on: {
            click: () => {
              closeChooser();
              openEditor(hl.id, { anchorEl: mark });
            },
          },
        },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "chooser-quote" }, `${colorName(hl.color)}: `, quote("span", hl)),
      ),
    ),
  );
  document.body.append(chooser);
  placeNear(chooser, mark.getBoundingClientRect(), "below");
  chooser.querySelector("button")?.focus();
  chooser.addEventListener("keydown", (e) => {
    const buttons = [...chooser.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      buttons[(at + (e.key === "ArrowDown" ? 1 : -1) + buttons.length) % buttons.length].focus();
    }
  });
}

/** Keeps open panels next to their highlight while the reader scrolls. */
export function followScroll() {
  if (panel) position(null);
  closeChooser();
}

/** Closes panels when a click lands outside them. */
export function closeOnOutsideClick(event) {
  if (chooser && !chooser.contains(event.target)) closeChooser();
  if (panel && !panel.contains(event.target) && !event.target.closest?.("mark.hl, .annotation, .toast")) closeEditor({ restoreFocus: false });
}

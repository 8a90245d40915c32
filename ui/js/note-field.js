// A note on an episode or an insight, shown as a highlight's note is:
// rendered Markdown. Edit turns it into a text area that saves as the user
// types (as the highlight editor's does); Esc, or focus leaving the text
// area, saves what is left and shows the note rendered again.

import { debounce, h, replace } from "./dom.js";
import { render as renderMarkdown } from "./markdown.js";

const SAVE_MS = 700;

/**
 * A note field. `label` names what the note is on ("the episode",
 * "the insight “…”"); `save(text)` stores it. Returns `{ el, area, edit(),
 * show(text), saver }`: `area` is the text area (its value is the note as
 * typed), `edit()` opens it and focuses it, `show(text)` puts a note
 * written elsewhere in place, `saver` the debounced save (flush, cancel).
 */
export function noteField({ id, label, text, save }) {
  const saver = debounce(save, SAVE_MS);
  const area = h("textarea", {
    id,
    rows: 4,
    hidden: true,
    "aria-label": `Note on ${label} (Markdown)`,
    placeholder: "Write a note… Markdown works: **bold**, *italic*, lists, [links](https://…).",
    props: { value: text ?? "" },
  });
  const shown = h("div", { class: "note-shown" });
  const button = h("button", { type: "button", class: "button button-small note-edit" });
  const el = h("div", { class: "note-field" }, shown, area, button);

  const render = () => {
    const value = area.value;
    replace(shown, value.trim() ? renderMarkdown(value) : null);
    const action = value.trim() ? "Edit note" : "Write a note";
    button.textContent = action;
    button.classList.toggle("note-empty", !value.trim());
    button.setAttribute("aria-label", `${action} on ${label}`);
  };
  const edit = () => {
    shown.hidden = button.hidden = true;
    area.hidden = false;
    area.focus();
  };
  const close = ({ focusButton }) => {
    saver.flush();
    area.hidden = true;
    shown.hidden = button.hidden = false;
    render();
    if (focusButton) button.focus();
  };
  area.addEventListener("input", () => saver(area.value));
  area.addEventListener("blur", () => close({ focusButton: false }));
  area.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault(); // closes the note, not what is behind it
    event.stopPropagation();
    close({ focusButton: true });
  });
  button.addEventListener("click", edit);
  render();
  return {
    el,
    area,
    edit,
    saver,
    show(value) {
      area.value = value ?? "";
      render();
    },
  };
}

// Tags: the chip editor used for highlights and episodes and the shared
// list of tag names offered as suggestions; the tag manager is
// tag-manager.js's. Every tag shown is a link to what carries it: the
// Notes view filtered by the tag (#/notes/tag/<name>).

import { call } from "./transport.js";
import { h, replace } from "./dom.js";

let tags = [];
const listeners = new Set();
const SUGGESTIONS_ID = "tag-suggestions";

/** Calls `fn(tags)` whenever the tag list is reloaded. */
export function onTagsChange(fn) {
  listeners.add(fn);
}

export function allTags() {
  return tags;
}

/** Reloads the tag list (names and counts). */
export async function loadTags() {
  try {
    tags = await call("list_tags");
  } catch {
    return; // suggestions are a convenience; the views say when tags fail
  }
  let list = document.getElementById(SUGGESTIONS_ID);
  if (!list) {
    list = h("datalist", { id: SUGGESTIONS_ID });
    document.body.append(list);
  }
  replace(list, tags.map((t) => h("option", { props: { value: t.name } })));
  for (const fn of listeners) fn(tags);
}

/**
 * Reloads the tag list when `names` (tags this window just saved) holds one
 * it does not know yet: the answer of a save carries the item, not the list.
 */
export function learnTags(names) {
  if (names.some((name) => !tags.some((t) => t.name === name))) loadTags();
}

/** Where tag `name` leads: the Notes view filtered by it. */
export function tagHref(name) {
  return `#/notes/tag/${encodeURIComponent(name)}`;
}

/** A link to tag `name`'s filter, showing the name. */
export function tagLink(name, className) {
  return h("a", { class: className, href: tagHref(name), title: `Highlights and notes tagged ${name}`, text: name });
}

/** Tag names as the user typed them: trimmed, inner spaces kept, no empties. */
export function cleanTag(name) {
  return name.replace(/\s+/g, " ").trim();
}

/**
 * A chip editor for a list of tags. Enter or comma adds what was typed;
 * Backspace in the empty field removes the last chip. `onChange(tags)` gets
 * the whole new list. Returns `{ el, focus(), current() }`, `current()`
 * being the tags shown.
 */
export function tagEditor({ tags: initial, onChange, label, id }) {
  let current = [...initial];
  const input = h("input", {
    type: "text",
    id,
    list: SUGGESTIONS_ID,
    "aria-label": label,
    placeholder: "Add tag…",
    autocomplete: "off",
    on: {
      keydown: (e) => {
        if ((e.key === "Enter" || e.key === ",") && input.value.trim()) {
          e.preventDefault();
          add(input.value);
        } else if (e.key === "Backspace" && !input.value && current.length) {
          set(current.slice(0, -1));
        }
      },
      change: () => {
        // Picking a suggestion from the list fires change without a key.
        if (input.value.includes(",") || tags.some((t) => t.name === input.value)) add(input.value);
      },
    },
  });
  const chips = h("span", { class: "chips" });
  const root = h("div", { class: "tag-editor" }, chips, input);
  const draw = () =>
    replace(
      chips,
      current.map((tag) =>
        h(
          "span",
          { class: "chip" },
          tagLink(tag, "chip-name"),
          h("button", { type: "button", class: "chip-button", "aria-label": `Remove tag ${tag}`, text: "×", on: { click: () => set(current.filter((t) => t !== tag)) } }),
        ),
      ),
    );
  const set = (next) => {
    current = next;
    draw();
    onChange(current);
  };
  const add = (text) => {
    const names = text.split(",").map(cleanTag).filter(Boolean);
    input.value = "";
    const fresh = names.filter((n) => !current.includes(n));
    if (fresh.length) set([...current, ...fresh]);
  };
  draw();
  return { el: root, focus: () => input.focus(), current: () => current };
}

/** Read-only chips for a list of tags. */
export function tagChips(list) {
  if (!list?.length) return null;
  return h("span", { class: "chips", role: "group", "aria-label": "Tags" }, list.map((t) => tagLink(t, "chip chip-plain")));
}

// Tags: the chip editor used for highlights and episodes, the shared list
// of tag names offered as suggestions, and the tag manager (rename, merge,
// delete). Every tag shown is a link to what carries it: the Notes view
// filtered by the tag (#/notes/tag/<name>).

import { call } from "./transport.js";
import { count, h, replace } from "./dom.js";
import { tagReviewChoice } from "./review-sources.js";
import * as toast from "./toast.js";
import * as history from "./history.js";

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
function tagLink(name, className) {
  return h("a", { class: className, href: tagHref(name), title: `Highlights and notes tagged ${name}`, text: name });
}

/** Tag names as the user typed them: trimmed, inner spaces kept, no empties. */
function cleanTag(name) {
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

// ---------- tag manager ----------

/**
 * Renders the tag manager into `view`. A rename, merge or delete answers
 * only how many items changed, so `onChanged()` runs after each one, for
 * the views to fetch what they show again.
 */
export async function showTagManager(view, { onChanged }) {
  await loadTags();
  const body = h("tbody");
  const table = h(
    "table",
    { class: "tag-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Tag" }), h("th", { scope: "col", text: "Uses" }), h("th", { scope: "col", text: "Review" }), h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })))),
    body,
  );
  replace(
    view,
    h(
      "div",
      { class: "page" },
      h("h1", { id: "tags-title", class: "page-title", text: "Tags" }),
      h("p", { class: "page-intro", text: "Open a tag to see what carries it. Rename a tag everywhere (renaming climate to climate/adaptation moves it, with the tags under it, under a new parent), merge two tags into one, remove a tag from every highlight and episode, or choose whether what carries it enters review." }),
      tags.length ? table : h("p", { class: "empty", text: "No tags yet. Add tags to highlights or episodes with the Tag button or the t key." }),
    ),
  );
  for (const tag of tags) body.append(tagRow(tag, view, onChanged));
}

function tagRow(tag, view, onChanged) {
  const row = h("tr");
  const nameCell = h("td", {}, tagLink(tag.name, "tag-name"));
  const actions = h("div", { class: "tag-actions" });
  const reload = () => showTagManager(view, { onChanged });
  // Each action opens a small inline form in the row: rename, merge or delete.
  const showForm = (kind) => {
    const inputId = `tag-${kind}-${tags.indexOf(tag)}`;
    const input =
      kind === "rename"
        ? h("input", { type: "text", id: inputId, props: { value: tag.name }, required: true })
        : kind === "merge"
          ? h("select", { id: inputId }, tags.filter((t) => t.name !== tag.name).map((t) => h("option", { props: { value: t.name }, text: t.name })))
          : null;
    const labels = { rename: `New name for ${tag.name}`, merge: `Merge ${tag.name} into` };
    const form = h(
      "form",
      {
        class: "inline-form",
        on: {
          submit: async (e) => {
            e.preventDefault();
            if (kind === "delete") await changeTag("delete_tag", { name: tag.name }, onChanged);
            else {
              const to = cleanTag(input.value);
              if (to && to !== tag.name) await changeTag(kind === "rename" ? "rename_tag" : "merge_tag", { from: tag.name, to }, onChanged);
            }
            reload();
          },
        },
      },
      input && h("label", { for: inputId, class: "visually-hidden", text: labels[kind] }),
      kind === "merge" && h("span", { text: "into" }),
      kind === "delete" && h("span", { text: `Remove from ${count(tag.count, "item")}?` }),
      input,
      h("button", { type: "submit", class: `button button-small ${kind === "delete" ? "button-danger" : "button-primary"}`, text: { rename: "Rename", merge: "Merge", delete: "Delete" }[kind] }),
      h("button", { type: "button", class: "button button-small", text: "Cancel", on: { click: reload } }),
    );
    replace(actions, form);
    (input ?? form.querySelector("button")).focus();
  };
  actions.append(
    h("button", { type: "button", class: "button button-small", text: "Rename", "aria-label": `Rename ${tag.name}`, on: { click: () => showForm("rename") } }),
    tags.length > 1 && h("button", { type: "button", class: "button button-small", text: "Merge…", "aria-label": `Merge ${tag.name} into another tag`, on: { click: () => showForm("merge") } }),
    h("button", { type: "button", class: "button button-small button-danger", text: "Delete", "aria-label": `Delete ${tag.name}`, on: { click: () => showForm("delete") } }),
  );
  row.append(nameCell, h("td", { class: "count", text: String(tag.count) }), h("td", {}, tagReviewChoice(tag, tags.indexOf(tag))), h("td", {}, actions));
  return row;
}

/**
 * Renames, merges or deletes a tag (`op` with its `args`) and says what
 * changed; each can be taken back from the undo history (a delete or merge
 * restores the tag from the trash, a rename renames it back).
 */
async function changeTag(op, args, onChanged) {
  const { done, failed, undo } = {
    rename_tag: { done: `Tag ${args.from} renamed to ${args.to}`, failed: "Tag not renamed", undo: () => call("rename_tag", { from: args.to, to: args.from }) },
    merge_tag: { done: `Tag ${args.from} merged into ${args.to}`, failed: "Tags not merged", undo: () => call("restore_tag", { name: args.from }) },
    delete_tag: { done: `Tag ${args.name} deleted`, failed: "Tag not deleted", undo: () => call("restore_tag", { name: args.name }) },
  }[op];
  try {
    const { changed } = await call(op, args);
    history.record(
      `${done} (${count(changed, "item")} changed)`,
      async () => {
        await undo();
        onChanged();
      },
      { offer: true },
    );
    onChanged();
  } catch (error) {
    toast.failed(failed, error, () => changeTag(op, args, onChanged));
  }
}

// The Tags view (#/tags), the tag manager: every tag with its uses, to
// rename, merge or delete, and whether what carries it enters review.
// Loaded when first opened.

import { call } from "./transport.js";
import { count, h, replace } from "./dom.js";
import { allTags, cleanTag, loadTags, tagLink } from "./tags.js";
import { tagReviewChoice } from "./review-sources.js";
import * as toast from "./toast.js";
import * as history from "./history.js";

/**
 * Renders the tag manager into `view`. A rename, merge or delete answers
 * only how many items changed, so `onChanged()` runs after each one, for
 * the views to fetch what they show again.
 */
export async function showTagManager(view, { onChanged }) {
  await loadTags();
  const tags = allTags();
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
    const inputId = `tag-${kind}-${allTags().indexOf(tag)}`;
    const input =
      kind === "rename"
        ? h("input", { type: "text", id: inputId, props: { value: tag.name }, required: true })
        : kind === "merge"
          ? h("select", { id: inputId }, allTags().filter((t) => t.name !== tag.name).map((t) => h("option", { props: { value: t.name }, text: t.name })))
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
    allTags().length > 1 && h("button", { type: "button", class: "button button-small", text: "Merge…", "aria-label": `Merge ${tag.name} into another tag`, on: { click: () => showForm("merge") } }),
    h("button", { type: "button", class: "button button-small button-danger", text: "Delete", "aria-label": `Delete ${tag.name}`, on: { click: () => showForm("delete") } }),
  );
  row.append(nameCell, h("td", { class: "count", text: String(tag.count) }), h("td", {}, tagReviewChoice(tag, allTags().indexOf(tag))), h("td", {}, actions));
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

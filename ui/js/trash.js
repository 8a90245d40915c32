// The Trash view (#/trash): highlights deleted (each with its note and
// tags, which went with it) and tags deleted, newest first, each with
// Restore, and Empty trash after a confirmation. Nothing leaves the trash
// by itself: it is kept until the user empties it.

import { call } from "./transport.js";
import { count, formatDate, h, replace } from "./dom.js";
import { render as renderMarkdown } from "./markdown.js";
import { quote } from "./quote.js";
import { colorName } from "./settings.js";
import { tagChips } from "./tags.js";
import { restoreHighlight } from "./actions.js";
import { canRetry, failure } from "./messages.js";
import * as toast from "./toast.js";

let root = null;
/** Runs after a restore or emptying, for the other views to fetch what they show again. */
let changed = () => {};

/** Renders the Trash view into `view`; `onChanged()` runs after each change made here. */
export async function showTrash(view, { onChanged }) {
  root = view;
  changed = onChanged;
  await draw();
}

/** Fetches the trash and draws it; `focus` names what takes focus once drawn ("first" Restore button, or the title). */
async function draw(focus = null) {
  const view = root;
  let trash;
  try {
    trash = await call("list_trash");
  } catch (error) {
    replace(view, page(h("p", { class: "empty", role: "alert", text: failure("Could not read the trash", error) }), canRetry(error) && h("button", { type: "button", class: "button", text: "Retry", on: { click: () => draw() } })));
    return;
  }
  if (view !== root || view.hidden) return;
  const { highlights, tags } = trash;
  const empty = !highlights.length && !tags.length;
  replace(
    view,
    page(
      empty
        ? h("p", { class: "empty", text: "The trash is empty. Highlights and tags you delete wait here until you empty it." })
        : [
            highlights.length > 0 &&
              h(
                "section",
                { class: "trash-section", "aria-labelledby": "trash-highlights" },
                h("h2", { id: "trash-highlights", class: "trash-heading", text: `Highlights (${highlights.length})` }),
                h("ol", { class: "feed" }, highlights.map(highlightItem)),
              ),
            tags.length > 0 &&
              h(
                "section",
                { class: "trash-section", "aria-labelledby": "trash-tags" },
                h("h2", { id: "trash-tags", class: "trash-heading", text: `Tags (${tags.length})` }),
                h("ul", { class: "trash-tags" }, tags.map(tagItem)),
              ),
            h("div", { class: "trash-empty-row" }, emptyButton(highlights.length, tags.length)),
          ],
    ),
  );
  const target = focus === "first" ? view.querySelector("[data-restore]") : null;
  if (focus) (target ?? view.querySelector("#trash-title")).focus();
}

function page(...children) {
  return h(
    "div",
    { class: "page trash" },
    h("h1", { id: "trash-title", class: "page-title", tabindex: "-1", text: "Trash" }),
    h("p", { class: "page-intro", text: "Deleted highlights, with their notes and tags, and deleted tags are kept here until you empty the trash. Restore puts one back where it was." }),
    children,
  );
}

const deletedOn = (ms) => h("span", {}, "Deleted ", h("time", { datetime: new Date(ms).toISOString(), text: formatDate(ms) }));

function highlightItem(hl) {
  const episode = hl.episode_title || "Untitled episode";
  return h(
    "li",
    { class: `feed-item hl-${hl.color}` },
    quote("blockquote", hl, { class: "feed-quote" }),
    hl.note?.trim() && h("div", { class: "trash-note" }, h("span", { class: "trash-label", text: "Note" }), renderMarkdown(hl.note)),
    tagChips(hl.tags),
    h(
      "div",
      { class: "feed-source" },
      h("span", { class: "trash-episode", text: episode }),
      hl.show && h("span", { text: hl.show }),
      h("span", { text: colorName(hl.color) }),
      deletedOn(hl.deleted_at),
      h("button", {
        type: "button",
        class: "button button-small trash-restore",
        data: { restore: hl.id },
        "aria-label": `Restore the ${colorName(hl.color)} highlight from ${episode}`,
        text: "Restore",
        on: { click: () => restore(() => restoreHighlight(hl.id), `Highlight restored to ${episode}.`, "Highlight not restored") },
      }),
    ),
  );
}

function tagItem(tag) {
  return h(
    "li",
    { class: "trash-tag" },
    h("span", { class: "chip chip-plain", text: tag.name }),
    h("span", { class: "trash-when" }, deletedOn(tag.deleted_at)),
    h("button", {
      type: "button",
      class: "button button-small trash-restore",
      data: { restore: `tag:${tag.name}` },
      "aria-label": `Restore the tag ${tag.name}`,
      text: "Restore",
      on: { click: () => restore(() => call("restore_tag", { name: tag.name }), `Tag ${tag.name} restored.`, "Tag not restored") },
    }),
  );
}

/** Runs `write`, a restore, and draws the trash again with focus on the next Restore. */
async function restore(write, done, failed) {
  try {
    await write();
  } catch (error) {
    toast.failed(failed, error, () => restore(write, done, failed));
    return;
  }
  toast.info(done);
  changed();
  await draw("first");
}

/** Empty trash, which asks first, in place: what goes, and that it can not be undone. */
function emptyButton(highlights, tags) {
  const what = [highlights && count(highlights, "highlight"), tags && count(tags, "tag")].filter(Boolean).join(" and ");
  const holder = h("div", { class: "trash-confirm" });
  const ask = () => {
    replace(
      holder,
      h("p", { id: "trash-confirm-text", class: "trash-warning", text: `Delete ${what} for good? This can not be undone.` }),
      h("button", { type: "button", class: "button button-small button-danger", "aria-describedby": "trash-confirm-text", text: "Delete for good", on: { click: emptyTrash } }),
      h("button", { type: "button", class: "button button-small", text: "Cancel", on: { click: () => offer() } }),
    );
    holder.querySelector(".button-danger").focus();
  };
  const offer = (focus = true) => {
    replace(holder, h("button", { type: "button", class: "button button-danger", text: "Empty trash…", on: { click: ask } }));
    if (focus) holder.querySelector("button").focus();
  };
  offer(false);
  return holder;
}

async function emptyTrash() {
  let emptied;
  try {
    emptied = await call("empty_trash");
  } catch (error) {
    toast.failed("The trash was not emptied", error, emptyTrash);
    return;
  }
  const gone = [emptied.highlights && count(emptied.highlights, "highlight"), emptied.tags && count(emptied.tags, "tag")].filter(Boolean).join(" and ");
  toast.info(gone ? `Trash emptied: ${gone} deleted for good.` : "The trash was already empty.");
  changed();
  await draw("title");
}

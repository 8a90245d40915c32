// The Notes view: everything written in the library as a feed, newest
// first — highlights with their notes, and the notes on whole episodes and
// on insights — filterable by text, tag, colour and show; each links back
// to its place. #/notes/tag/<name> opens it filtered by one tag.

import { call } from "./transport.js";
import { count, debounce, formatDate, h, replace } from "./dom.js";
import { COLORS } from "./highlights.js";
import { render as renderMarkdown } from "./markdown.js";
import { quote } from "./quote.js";
import { canRetry, failure } from "./messages.js";
import { colorName } from "./settings.js";
import { allTags, loadTags, tagChips } from "./tags.js";

const PAGE = 50;

let filters = { text: "", tag: "", color: "", show: "" };
let items = [];
let total = 0;
let list = null;
let more = null;
let countEl = null;
let generation = 0;

/** Renders the Notes view into `view`; with `tag`, filtered by that tag alone. */
export async function showNotes(view, { tag } = {}) {
  if (tag) filters = { text: "", tag, color: "", show: "" };
  const shows = await call("list_episodes", { limit: 1 }).then((r) => r.shows ?? [], () => []);
  await loadTags();
  const select = (id, label, value, options, key) =>
    h(
      "label",
      {},
      h("span", { class: "visually-hidden", text: label }),
      h(
        "select",
        { id, on: { change: (e) => setFilter(key, e.target.value) } },
        options.map(([v, text]) => h("option", { props: { value: v, selected: v === value }, text })),
      ),
    );
  list = h("ol", { class: "feed", "aria-labelledby": "notes-title" });
  more = h("div", { class: "feed-more" });
  countEl = h("p", { class: "page-intro", "aria-live": "polite" });
  replace(
    view,
    h(
      "div",
      { class: "page" },
      h("h1", { id: "notes-title", class: "page-title", text: "Notes" }),
      countEl,
      h(
        "div",
        { class: "feed-filters", role: "search", "aria-label": "Filter highlights and notes" },
        h("label", { for: "notes-text", class: "visually-hidden", text: "Search highlights and notes" }),
        h("input", { id: "notes-text", type: "search", placeholder: "Search highlights and notes", props: { value: filters.text }, on: { input: debounce((e) => setFilter("text", e.target.value.trim()), 200) } }),
        select("notes-tag", "Tag", filters.tag, tagOptions(), "tag"),
        select("notes-color", "Colour", filters.color, [["", "Any colour"], ...COLORS.map((c) => [c, colorName(c)])], "color"),
        select("notes-show", "Show", filters.show, [["", "All shows"], ...shows.map((s) => [s.show, s.show])], "show"),
      ),
      list,
      more,
    ),
  );
  await reload();
}

/** Every tag as an option, and the filtered one even when only tags under it exist (`climate` of `climate/adaptation`). */
function tagOptions() {
  const names = allTags().map((t) => t.name);
  if (filters.tag && !names.some((name) => name.toLowerCase() === filters.tag.toLowerCase())) names.unshift(filters.tag);
  return [["", "Any tag"], ...names.map((name) => [name, name])];
}

function setFilter(key, value) {
  filters = { ...filters, [key]: value };
  reload();
}

/** Reloads the feed (after a filter change or a live event). */
export async function reload() {
  if (!list?.isConnected) return;
  items = [];
  await loadMore(true);
}

async function loadMore(reset = false) {
  const mine = reset ? ++generation : generation;
  const args = { offset: reset ? 0 : items.length, limit: PAGE };
  for (const [k, v] of Object.entries(filters)) if (v) args[k] = v;
  let page;
  try {
    page = await call("list_notes", args);
  } catch (error) {
    replace(more, h("p", { class: "empty", text: failure("Could not load your notes", error) }), canRetry(error) && h("button", { type: "button", class: "button", text: "Retry", on: { click: () => loadMore(reset) } }));
    return;
  }
  if (mine !== generation) return;
  total = page.total;
  items = reset ? page.items : [...items, ...page.items];
  if (reset) replace(list);
  list.append(...page.items.map((item) => (item.kind === "note" ? noteItem(item) : feedItem(item))));
  const filtered = Object.values(filters).some(Boolean);
  countEl.textContent = total === 0 ? "" : `${count(total, "highlight or note", "highlights and notes")}${filtered ? " match" : ""}`;
  if (total === 0) replace(more, h("p", { class: "empty", text: filtered ? "No highlights or notes match these filters." : "Nothing written yet. Select text in an episode and pick a colour, or write a note on an episode or an insight." }));
  else if (items.length < total) replace(more, h("button", { type: "button", class: "button", text: `Show more (${total - items.length} left)`, on: { click: () => loadMore() } }));
  else replace(more);
}

/** A note on a whole episode or on an insight, shown as a highlight's note is: Markdown, with the episode's tags. */
function noteItem(note) {
  const episode = encodeURIComponent(note.episode_id);
  const href = note.block_key ? `#/episode/${episode}/insight/${encodeURIComponent(note.block_key)}` : `#/episode/${episode}`;
  const title = note.episode_title || "Untitled episode";
  return h(
    "li",
    { class: "feed-item feed-note" },
    h("p", { class: "feed-on", text: note.block_key ? `Note on the insight “${note.on_title ?? note.block_key}”` : "Note on the episode" }),
    renderMarkdown(note.text),
    tagChips(note.tags),
    h(
      "div",
      { class: "feed-source" },
      h("a", { href, text: title, "aria-label": `Open ${note.block_key ? "the insight" : "the episode"} in: ${title}` }),
      note.show && h("span", { text: note.show }),
      h("time", { datetime: new Date(note.updated_at).toISOString(), text: formatDate(note.updated_at) }),
    ),
  );
}

function feedItem(hl) {
  const href = `#/episode/${encodeURIComponent(hl.episode_id)}/${encodeURIComponent(hl.id)}`;
  return h(
    "li",
    { class: `feed-item hl-${hl.color}` },
    quote("blockquote", hl, { class: "feed-quote" }),
    hl.note?.trim() && renderMarkdown(hl.note),
    tagChips(hl.tags),
    h(
      "div",
      { class: "feed-source" },
      h("a", { href, text: hl.episode_title || "Untitled episode", "aria-label": `Open in episode: ${hl.episode_title || "Untitled"}` }),
      hl.show && h("span", { text: hl.show }),
      h("span", { text: colorName(hl.color) }),
      hl.anchor?.status && !["anchored", "moved"].includes(hl.anchor.status) && h("span", { class: "badge badge-warning", text: hl.anchor.status }),
      h("time", { datetime: hl.created_at, text: formatDate(hl.created_at) }),
    ),
  );
}

// The library pane: a windowed list of episodes (only the rows in view
// exist in the DOM, pages of 100 fetched as they scroll into view, so
// 100,000 episodes scroll smoothly), the filters, the order (a setting of
// this machine, kept through filters and restarts), and files that failed.
//
// The API pages by cursor (each page's `next` starts the one after it), so
// pages are read in order: a row far below the pages read so far (a jump,
// End) is reached by reading on from the last known cursor, many pages a
// request. The first page brings the total, which sizes the scrollbar.

import { askForLibraryOnce } from "./desktop.js";
import { call } from "./transport.js";
import { failure } from "./messages.js";
import { byId, count, debounce, h, replace } from "./dom.js";
import { allTags, onTagsChange } from "./tags.js";
import { currentSettings, onSettingsChange, saveSettings } from "./settings.js";
import { needsAttention } from "./highlights.js";
import * as state from "./state.js";
import { LIBRARY_PAGE as PAGE, LIBRARY_SORT_KEY as SORT_KEY, takeFirstPage } from "./boot.js";

const OVERSCAN = 6;
/** At most this many pages a request when reading on to a row far below. */
const PAGES_PER_WALK = 20;

let filters = {};
let sort = "added";
let total = 0;
let pages = new Map(); // page index → items (or null while loading)
let cursors = new Map([[0, undefined]]); // page index → the `after` that starts it
let walking = null; // the read of pages in order under way, if any
let generation = 0;
let rowHeight = 64;
let currentId = null;
const rows = new Map(); // index → row element
let spacer = null;
let searching = false;
let emptyShown = false;

const list = () => byId("episode-list");

/**
 * Shows the first page and wires the pane once `settingsLoaded` resolves,
 * then lists the files that failed. The order is a setting, but the first
 * page does not wait for it: boot.js asked for it at start in the order
 * this window had last; it is asked for again only if the settings hold
 * another.
 */
export async function initLibrary(settingsLoaded) {
  const early = takeFirstPage();
  await settingsLoaded;
  rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--row-h")) || 64;
  spacer = h("div", { class: "vlist-spacer", "aria-hidden": "true" });
  list().append(spacer);
  list().addEventListener("scroll", () => requestAnimationFrame(drawRows), { passive: true });
  list().addEventListener("keydown", onListKey);
  new ResizeObserver(() => drawRows()).observe(list());
  for (const [id, key] of [["filter-show", "show"], ["filter-tag", "tag"], ["filter-read", "read"], ["filter-status", "status"]]) {
    byId(id).addEventListener("change", (e) => setFilter(key, e.target.value));
  }
  sort = currentSettings().library_sort ?? "added";
  localStorage.setItem(SORT_KEY, sort);
  byId("library-sort").value = sort;
  byId("library-sort").addEventListener("change", (e) => {
    setSort(e.target.value);
    saveSettings({ library_sort: sort });
  });
  onSettingsChange((settings) => setSort(settings.library_sort ?? "added"));
  onTagsChange(fillTagFilter);
  state.subscribe(onStateChange);
  await reload(early && early.sort === sort ? early.page : null);
  await loadProblems();
}

/** The open episode's row follows its highlights (those needing attention too) and read state, as this window changes them. */
function onStateChange(changes) {
  const episode = state.currentEpisode();
  if (!episode || !["episode", "highlights", "reading"].some((name) => changes.has(name))) return;
  const attention = state.highlightsInOrder().filter(needsAttention).length;
  updateRow(episode.id, { highlight_count: state.highlightCount(), attention_count: attention, read: Boolean(episode.reading?.read) });
}

/** Where episode `id` is among the loaded rows (an index into the list), or -1. */
function indexOf(id) {
  for (const [page, items] of pages) {
    const at = items?.findIndex((item) => item.id === id) ?? -1;
    if (at >= 0) return page * PAGE + at;
  }
  return -1;
}

/** Shows `item` (an EpisodeSummary) at `index`, if that row is loaded. */
function putItem(index, item) {
  const items = pages.get(Math.floor(index / PAGE));
  if (!items) return;
  items[index % PAGE] = item;
  const row = rows.get(index);
  if (!row) return;
  const focused = row.contains(document.activeElement);
  replace(row, episodeLink(item));
  if (focused) row.querySelector("a").focus();
}

function updateRow(id, fields) {
  const index = indexOf(id);
  const item = index >= 0 ? itemAt(index) : null;
  if (item && Object.entries(fields).some(([key, value]) => item[key] !== value)) putItem(index, { ...item, ...fields });
}

/**
 * Brings the rows of episodes `ids` up to date after another window's or
 * device's change of `kinds` (an annotation_changed event's): the rows in
 * view are fetched again, in one request. Under a tag or read filter, or an
 * order by highlights or reading, such a change can move an episode in or
 * out of the list or along it, so it reloads.
 */
export function refreshEpisodes(ids, kinds) {
  const shown = kinds.has("highlight") || kinds.has("reading");
  const regroups =
    ("tag" in filters && (shown || kinds.has("tag"))) ||
    ("read" in filters && kinds.has("reading")) ||
    (sort === "most_highlighted" && kinds.has("highlight")) ||
    (sort === "last_read" && kinds.has("reading"));
  if (regroups) return refreshLibrary();
  if (!shown) return;
  const indices = ids.map(indexOf).filter((index) => index >= 0);
  if (!indices.length) return; // rows not loaded yet are fetched fresh when they scroll into view
  const [first, last] = [Math.min(...indices), Math.max(...indices)];
  if (last - first >= PAGE) refreshLibrary();
  else refetchRows(first, last);
}

/** Reads rows `first` to `last` again, from the start of the nearest page before them whose cursor is known. */
async function refetchRows(first, last) {
  const mine = generation;
  const start = knownStart(Math.floor(first / PAGE)) * PAGE;
  let page;
  try {
    page = await call("list_episodes", { ...query(), after: cursors.get(start / PAGE), limit: last - start + 1 });
  } catch {
    return; // the rows keep what they showed; the next change or reload brings them up to date
  }
  if (mine !== generation) return;
  page.items.forEach((item, n) => start + n >= first && putItem(start + n, item));
}

/** The nearest page at or before `index` whose cursor is known (the first page's always is). */
function knownStart(index) {
  let start = index;
  while (!cursors.has(start)) start--;
  return start;
}

/** The list's filters and order, as `list_episodes` takes them. */
const query = () => ({ ...filters, sort });

/** Orders the list by `value` (an EpisodeSort), from the top. */
function setSort(value) {
  if (value === sort) return;
  sort = value;
  localStorage.setItem(SORT_KEY, sort);
  byId("library-sort").value = value;
  list().scrollTop = 0;
  reload();
}

function setFilter(key, value) {
  filters = { ...filters };
  if (value === "") delete filters[key];
  else filters[key] = key === "read" ? value === "true" : value;
  list().scrollTop = 0;
  reload();
}

/** Refetches what is on screen (after a live event), keeping the scroll. */
export const refreshLibrary = debounce(() => {
  reload();
  loadProblems();
}, 150);

/** Shows the first page from the top: `asked`, that page already asked for, or a fresh one. */
async function reload(asked = null) {
  const mine = ++generation;
  performance.mark("library-load-start");
  let page;
  try {
    page = await (asked ?? call("list_episodes", { ...query(), limit: PAGE }));
  } catch (error) {
    if (mine !== generation) return;
    total = 0;
    pages = new Map();
    cursors = new Map([[0, undefined]]);
    byId("library-count").textContent = "";
    showEmpty(failure("Could not load the library", error));
    return;
  }
  if (mine !== generation) return;
  total = page.total;
  pages = new Map([[0, page.items]]);
  cursors = new Map([[0, undefined]]);
  if (page.next) cursors.set(1, page.next);
  walking = null;
  fillShowFilter(page.shows ?? []);
  keepingFocus(() => {
    for (const row of rows.values()) row.remove();
    rows.clear();
    spacer.style.height = `${total * rowHeight}px`;
    byId("library-count").textContent = count(total, "episode");
    if (total === 0) showEmpty();
    else setEmpty(false);
    drawRows();
  });
  performance.mark("library-painted");
  performance.measure("library-first-paint", "library-load-start", "library-painted");
}

function showEmpty(message) {
  const empty = byId("library-empty");
  const filtered = Object.keys(filters).length > 0;
  const dir = currentSettings().library_dir;
  replace(
    empty,
    message
      ? h("p", { text: message })
      : filtered
        ? h("p", {}, h("strong", { text: "No episodes match" }), "Try another show, tag or status.")
        : h("p", {}, h("strong", { text: "Your library is empty" }), "Drop summary files into ", dir ? h("code", { text: dir }) : "the library folder", " and they appear here."),
  );
  setEmpty(true);
}

function setEmpty(on) {
  emptyShown = on;
  showWhatFits();
}

/** While search results are shown, the episode list and its empty state step aside. */
export function setSearching(on) {
  searching = on;
  showWhatFits();
}

function showWhatFits() {
  list().hidden = searching || emptyShown;
  byId("library-empty").hidden = searching || !emptyShown;
}

/**
 * Loads page `index`: pages are read in order, so this reads on from the
 * nearest page before it whose cursor is known, up to PAGES_PER_WALK pages
 * a request, one walk at a time.
 */
async function fetchPage(index) {
  if (pages.has(index)) return;
  const mine = generation;
  while (walking) {
    await walking;
    if (mine !== generation || pages.has(index)) return;
  }
  const current = walk(index, mine);
  walking = current;
  try {
    await current;
  } finally {
    if (walking === current) walking = null;
  }
}

async function walk(index, mine) {
  while (!pages.has(index)) {
    const start = knownStart(index);
    const count = Math.min(index - start + 1, PAGES_PER_WALK);
    for (let p = start; p < start + count; p++) if (!pages.has(p)) pages.set(p, null);
    let page;
    try {
      page = await call("list_episodes", { ...query(), after: cursors.get(start), limit: count * PAGE });
    } catch {
      if (mine === generation) for (let p = start; p < start + count; p++) if (pages.get(p) === null) pages.delete(p);
      return;
    }
    if (mine !== generation) return;
    for (let p = 0; p < count; p++) pages.set(start + p, page.items.slice(p * PAGE, (p + 1) * PAGE));
    if (!page.next) {
      // The list ended before `index` (it shrank since the total was read).
      for (let p = start + count; p <= index; p++) pages.set(p, []);
      break;
    }
    cursors.set(start + count, page.next);
  }
  keepingFocus(() => {
    for (const [i, row] of rows) {
      if (row.querySelector("a") || !itemAt(i)) continue; // drawn already, or still to come
      row.remove();
      rows.delete(i);
    }
    drawRows();
  });
}

function itemAt(index) {
  return pages.get(Math.floor(index / PAGE))?.[index % PAGE] ?? null;
}

function drawRows() {
  if (!total) return;
  const el = list();
  const first = Math.max(0, Math.floor(el.scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((el.scrollTop + el.clientHeight) / rowHeight) + OVERSCAN);
  for (const [i, row] of rows) {
    if (i < first || i > last) {
      if (row.contains(document.activeElement)) continue; // keep the focused row alive
      row.remove();
      rows.delete(i);
    }
  }
  for (let i = first; i <= last; i++) {
    if (rows.has(i)) continue;
    const item = itemAt(i);
    if (!item) fetchPage(Math.floor(i / PAGE));
    // A row still loading takes keyboard focus itself until its link comes (focusDrawn).
    const row = h(
      "div",
      { class: "vrow", role: "listitem", "aria-setsize": total, "aria-posinset": i + 1, tabindex: item ? null : "-1", data: { index: i } },
      item ? episodeLink(item) : h("div", { class: "row-placeholder", text: "Loading…" }),
    );
    row.style.transform = `translateY(${i * rowHeight}px)`;
    rows.set(i, row);
    el.append(row);
  }
}

function episodeLink(item) {
  const classes = ["episode-row"];
  if (!item.read && item.status === "active") classes.push("is-unread");
  const title = item.title || fileName(item.source_path) || "Untitled";
  const badges = [];
  if (item.status === "missing") badges.push(h("span", { class: "badge badge-warning", text: "Missing" }));
  if (item.status === "error") badges.push(h("span", { class: "badge badge-error", text: "Cannot read" }));
  if (item.highlight_count) badges.push(h("span", { class: "badge", title: `${item.highlight_count} highlights`, text: `✎ ${item.highlight_count}` }));
  if (item.attention_count) {
    const needs = `${count(item.attention_count, "highlight")} ${item.attention_count === 1 ? "needs" : "need"} attention`;
    badges.push(h("span", { class: "badge badge-warning", data: { badge: "attention" }, title: needs }, h("span", { "aria-hidden": "true", text: `⚠ ${item.attention_count}` }), h("span", { class: "visually-hidden", text: needs })));
  }
  const meta = item.status === "error" ? item.error || "This file could not be read." : item.show || (item.kind === "document" ? "Document" : "");
  return h(
    "a",
    {
      class: classes.join(" "),
      href: `#/episode/${encodeURIComponent(item.id)}`,
      "aria-current": item.id === currentId ? "page" : null,
      title: item.status === "error" ? `${item.source_path}: ${item.error ?? ""}` : title,
      data: { id: item.id },
    },
    h("span", { class: "episode-title", text: title }),
    h("span", { class: "episode-meta" }, badges, h("span", { class: "show", text: meta }), !item.read && item.status === "active" && h("span", { class: "visually-hidden", text: "unread" })),
  );
}

const fileName = (path) => path?.split(/[\\/]/).pop();

/** Marks the open episode (`id`, a number) in the list. */
export function setCurrentEpisode(id) {
  currentId = id;
  // Data attributes are text.
  for (const link of list().querySelectorAll(".episode-row")) {
    if (link.dataset.id === String(id)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/**
 * Arrow keys, Page Up/Down, Home and End move focus between rows; rows out
 * of view are drawn first.
 */
function onListKey(event) {
  const row = event.target.closest?.(".vrow");
  if (!row) return;
  const index = Number(row.dataset.index);
  const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[event.key];
  const target = event.key === "Home" ? 0 : event.key === "End" ? total - 1 : step === undefined ? null : index + step;
  if (target === null) return;
  event.preventDefault();
  focusRow(Math.max(0, Math.min(total - 1, target)));
}

/** Scrolls row `index` into view and focuses it. */
function focusRow(index) {
  const el = list();
  const top = index * rowHeight;
  if (top < el.scrollTop) el.scrollTop = top;
  else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  drawRows();
  focusDrawn(index);
}

/**
 * Focuses drawn row `index`: its link, or the row itself while its page is
 * still loading (a jump to the end of 10,000 episodes lands on a row whose
 * page is not there yet); the link takes the focus over when it is drawn.
 */
function focusDrawn(index) {
  const row = rows.get(index);
  (row?.querySelector("a") ?? row)?.focus({ preventScroll: true });
}

/**
 * Runs `redraw`, which replaces rows (a page arriving, a reload), and gives
 * keyboard focus back to the row that had it, so focus never falls out of
 * the list while the user moves through it.
 */
function keepingFocus(redraw) {
  const focused = [...rows].find(([, row]) => row.contains(document.activeElement))?.[0];
  redraw();
  if (focused !== undefined) focusDrawn(Math.min(focused, total - 1));
}

/** Focuses the open episode's row if it is loaded, else the first row in view (View → Library). */
export function focusList() {
  if (!total) return;
  const open = indexOf(currentId);
  focusRow(open >= 0 ? open : Math.floor(list().scrollTop / rowHeight));
}

function fillShowFilter(shows) {
  const select = byId("filter-show");
  const value = filters.show ?? "";
  replace(select, h("option", { props: { value: "" }, text: "All shows" }), shows.map((s) => h("option", { props: { value: s.show }, text: `${s.show} (${s.count})` })));
  if (value && !shows.some((s) => s.show === value)) select.append(h("option", { props: { value }, text: value }));
  select.value = value;
}

function fillTagFilter() {
  const select = byId("filter-tag");
  const value = filters.tag ?? "";
  replace(select, h("option", { props: { value: "" }, text: "Any tag" }), allTags().map((t) => h("option", { props: { value: t.name }, text: `${t.name} (${t.count})` })));
  select.value = value;
}

/** Lists the files the library could not read, with their errors. */
async function loadProblems() {
  const box = byId("library-problems");
  let status;
  try {
    status = await call("library_status");
  } catch {
    replace(box);
    return;
  }
  askForLibraryOnce(status);
  const errors = status.errors ?? [];
  const notices = status.notices ?? [];
  box.className = errors.length || notices.length ? "library-problems" : "";
  replace(
    box,
    notices.map((n) => h("p", { class: "problem-message", role: "note", text: typeof n === "string" ? n : n.message })),
    errors.length > 0 &&
      h(
        "details",
        {},
        h("summary", { text: `${count(errors.length, "file")} could not be read` }),
        h("ul", {}, errors.map((e) => h("li", {}, h("div", { class: "problem-path", text: e.path }), h("div", { class: "problem-message", text: e.message })))),
      ),
  );
}

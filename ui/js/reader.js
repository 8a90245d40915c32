// The reader: one episode as a document, drawn from its blocks (docs/api.md)
// in reading order. Every block's text goes into its own element
// (data-block="<key>") holding only that text, which highlights.js paints
// and selection.js measures. What it shows lives in state.js; the reader
// redraws what a change notification names.

import { call } from "./transport.js";
import { failure } from "./messages.js";
import { byId, debounce, h, replace } from "./dom.js";
import { paintBlock } from "./highlights.js";
import { caretAt, rangeToOffsets, restoreSelection, saveSelection, selectedRange } from "./selection.js";
import { cpToUtf16 } from "./codepoints.js";
import { noteField } from "./note-field.js";
import { noteVersions } from "./versions.js";
import { noticesEl, renderNotices } from "./reader-notices.js";
import * as actions from "./actions.js";
import * as state from "./state.js";
import * as toast from "./toast.js";

const LAST_EPISODE_KEY = "gloss.lastEpisode";
const SAVE_POSITION_MS = 800;

let insightIndex = -1;
/** Whether the open episode was marked read by scrolling to its end (once: unmarking it sticks). */
let readAtEnd = false;
/** The element of each block on screen (key → element), in reading order. */
const blockEls = new Map();
/** Where each insight's note goes (insight key → { el, title }). */
const insightNoteEls = new Map();
/** The open episode's notices (reader-notices.js). */
let notices = null;
/** The highlight the reader was opened at (a link, a search hit, a review card's source), or null. */
let askedFor = null;

const view = () => byId("reader-view");
const scroller = () => byId("main");

export function lastEpisodeId() {
  return localStorage.getItem(LAST_EPISODE_KEY);
}

/**
 * Opens episode `id`; scrolls to `highlightId` (or, when it has no place
 * in the text, says so above it), to insight `insightKey`, or to the saved
 * reading position.
 */
export async function openEpisode(id, { highlightId = null, insightKey = null } = {}) {
  if (state.currentEpisode()?.id === id) {
    showAskedFor(highlightId);
    if (insightKey) showInsight(insightKey);
    return;
  }
  let episode;
  try {
    episode = await call("get_episode", { id });
  } catch (error) {
    if (error.kind === "not_found") localStorage.removeItem(LAST_EPISODE_KEY);
    showEmpty(error.kind === "not_found" ? "This episode is no longer in the library." : failure("Could not open the episode", error));
    if (error.kind !== "not_found") toast.failed("Could not open the episode", error, () => openEpisode(id, { highlightId }));
    return;
  }
  localStorage.setItem(LAST_EPISODE_KEY, id);
  // Measured from the answer to the first laid-out, positioned frame (bench.mjs).
  performance.mark("reader-render-start");
  askedFor = highlightId;
  state.showEpisode(episode); // drawn by onStateChange
  if (highlightId) showAskedFor(highlightId);
  else if (!(insightKey && showInsight(insightKey))) restorePosition(episode.reading?.position);
  void scroller().scrollHeight; // the layout, if nothing above needed it
  performance.mark("reader-render-end");
  performance.measure("reader-render", "reader-render-start", "reader-render-end");
}

/**
 * Fetches the open episode again, for what no event carries (its text
 * changed on disk, its note, tags or stars changed elsewhere); the reader
 * redraws it without moving what the reader is looking at.
 */
export async function refreshEpisode() {
  const open = state.currentEpisode();
  if (!open) return;
  let episode;
  try {
    episode = await call("get_episode", { id: open.id });
  } catch (error) {
    if (error.kind === "not_found") showEmpty("This episode was removed from the library.");
    return;
  }
  if (state.currentEpisode()?.id === open.id) state.showEpisode(episode);
}

/**
 * Closes the episode and shows the reader's empty state: `title` over
 * `message`, then `more` (elements: what a link led to, what to do).
 */
export function showEmpty(message, { title = "Nothing open", more = [] } = {}) {
  state.showEpisode(null);
  notices = null;
  askedFor = null;
  blockEls.clear();
  insightNoteEls.clear();
  replace(
    view(),
    h(
      "div",
      { class: "reader-empty" },
      h("h1", { text: title }),
      h("p", { text: message ?? "Pick an episode in the library, or press / to search." }),
      more,
    ),
  );
}

function onStateChange(changes) {
  if (!state.currentEpisode()) return; // showEmpty draws the empty state
  if (changes.has("episode")) {
    readAtEnd = false;
    return renderDocument();
  }
  if (changes.has("blocks")) {
    const keep = visibleAnchor();
    renderDocument();
    return restoreAnchor(keep);
  }
  if (changes.has("highlights")) paintAll();
  if (changes.has("highlights") || changes.has("status")) renderNotices(notices, askedFor);
  if (changes.has("active")) markActive();
  if (changes.has("stars")) renderStars();
  if (changes.has("insight_notes")) renderInsightNotes();
  if (changes.has("reading")) renderReadToggle();
}

// ---------- rendering ----------

/**
 * A run of this many characters without a space does not wrap: Chromium
 * breaks a long word in time that grows with its square (a 64,000-character
 * one took five seconds), so such a block scrolls sideways instead.
 */
const LONGEST_WRAPPED_WORD = 2000;
const unwrappable = new RegExp(`\\S{${LONGEST_WRAPPED_WORD}}`, "u");

function textEl(tag, block, props = {}) {
  const el = h(tag, { ...props, data: { block: block.key } });
  if (unwrappable.test(block.text)) el.classList.add("unbreakable");
  blockEls.set(block.key, el);
  return el;
}

function renderDocument() {
  const episode = state.currentEpisode();
  blockEls.clear();
  insightNoteEls.clear();
  insightIndex = -1;
  const kicker = [episode.show, episode.hosts?.length ? episode.hosts.join(", ") : null].filter(Boolean).join(" · ");
  const title = h("h1", { class: "doc-title", id: "doc-title" });
  const body = renderBlocks(episode, title);
  notices = noticesEl();
  if (!title.hasChildNodes()) title.textContent = episode.title || "Untitled";
  const article = h(
    "article",
    { class: "doc", "aria-labelledby": "doc-title" },
    h(
      "header",
      { class: "doc-head" },
      kicker && h("p", { class: "doc-kicker", text: kicker }),
      title,
      h(
        "div",
        { class: "doc-actions" },
        h("button", { type: "button", class: "button button-small", data: { action: "toggle-read" } }),
        episode.source_path && h("span", { class: "doc-source", title: episode.source_path, text: fileName(episode.source_path) }),
      ),
    ),
    notices,
    body,
  );
  replace(view(), article);
  renderNotices(notices, askedFor);
  renderReadToggle();
  renderStars();
  paintAll({ keepSelection: false });
  renderInsightNotes();
}

/**
 * The elements for the episode's blocks, in their order, each placed by its
 * role: the title into `titleEl`, TL;DR and Bottom line in their panels,
 * section titles heading their sections, insight titles and bodies in cards
 * with a star and a note, related episodes as cards in one list, and a
 * plain document's blocks in the shape the file gave them: paragraphs
 * (keeping their line breaks), lists and indented blocks. A block's `group`
 * names the section, insight, related episode or list it belongs to; a
 * group's element is made at its first block.
 */
function renderBlocks(episode, titleEl) {
  const nodes = [];
  /** group key → { el, heading, tail }: a block of the group goes into `heading`, or into `el` before `tail`. */
  const groups = new Map();
  let cards = null;
  const group = (key, make) => {
    if (!groups.has(key)) groups.set(key, make());
    return groups.get(key);
  };
  const add = (into, el) => into.el.insertBefore(el, into.tail);

  const section = (key) =>
    group(key, () => {
      const emoji = episode.sections?.[Number(key.slice(1)) - 1]?.emoji;
      const heading = h("h2", { class: "section-title", id: `${key}-title` }, emoji && h("span", { class: "section-emoji", "aria-hidden": "true", text: emoji }));
      const el = h("section", { class: "doc-section", "aria-labelledby": `${key}-title` }, heading);
      nodes.push(el);
      return { el, heading, tail: null };
    });
  // An insight's key is its section's key and its own: "s2.i1".
  const insight = (key, title) =>
    group(key, () => {
      const heading = h("h3", { class: "insight-title" });
      const note = h("div");
      insightNoteEls.set(key, { el: note, title });
      const el = h(
        "div",
        { class: "insight", tabindex: "-1", data: { insight: key } },
        heading,
        h("button", { type: "button", class: "icon-button star", "aria-label": `Star insight: ${title}`, data: { star: key } }),
        h("button", { type: "button", class: "icon-button review-toggle", "aria-label": `Review insight: ${title}`, data: { reviewInsight: key }, text: "↻" }),
        note,
      );
      section(key.split(".")[0]).el.append(el);
      return { el, heading, tail: note };
    });
  const card = (key) =>
    group(key, () => {
      if (!cards) {
        cards = h("ul", { class: "cards" });
        const heading = episode.related_source ? `More from ${episode.related_source}` : "Related episodes";
        nodes.push(h("section", { class: "related", "aria-labelledby": "related-title" }, h("h2", { class: "related-title", id: "related-title", text: heading }), cards));
      }
      const item = episode.related?.[Number(key.slice(1)) - 1];
      const heading = h("h3");
      const link = item?.episode_id ? h("a", { class: "card-link", href: `#/episode/${encodeURIComponent(item.episode_id)}`, text: "Open episode →", "aria-label": `Open episode: ${item.title}` }) : null;
      const el = h("li", { class: "card" }, heading, link);
      cards.append(el);
      return { el, heading, tail: link };
    });
  const panel = (className, label, el) => h("section", { class: className, "aria-label": label }, h("p", { class: "label", text: label }), el);
  /** The lists open at the block being placed, outermost first: { key, el, item } (`item` is its last <li>). */
  let lists = [];
  const listItem = (block) => {
    const depth = Math.max(0, Math.trunc(block.depth) || 0);
    const number = /^(\d+)[.)]$/.exec(block.marker ?? "");
    lists.length = Math.min(lists.length, depth + 1);
    if (lists[depth]?.key !== block.group) {
      lists.length = depth;
      const el = h(number ? "ol" : "ul", { class: block.marker?.endsWith(")") ? "doc-list doc-list-paren" : "doc-list" });
      const parent = lists[depth - 1]?.item;
      if (parent) parent.append(el);
      else nodes.push(el);
      lists[depth] = { key: block.group, el, item: null };
    }
    const item = h("li", { class: "doc-item", value: number?.[1] }, textEl("span", block));
    lists[depth].el.append(item);
    lists[depth].item = item;
  };

  for (const block of episode.blocks ?? []) {
    if (block.role !== "list_item") lists = [];
    switch (block.role) {
      case "title":
        titleEl.append(textEl("span", block));
        break;
      case "tldr":
        nodes.push(panel("tldr", "TL;DR", textEl("p", block)));
        break;
      case "section_title":
        section(block.group).heading.append(textEl("span", block));
        break;
      case "insight_title":
        insight(block.group, block.text).heading.append(textEl("span", block));
        break;
      case "insight_body":
        add(insight(block.group, ""), textEl("p", block, { class: "insight-body" }));
        break;
      case "bottom_line":
        nodes.push(panel("bottom-line", "Bottom line", textEl("p", block)));
        break;
      case "related_title":
        card(block.group).heading.append(textEl("span", block));
        break;
      case "related_summary":
        add(card(block.group), textEl("p", block));
        break;
      case "list_item":
        listItem(block);
        break;
      case "preformatted":
        nodes.push(textEl("pre", block, { class: "doc-pre", tabindex: "-1" }));
        break;
      default: // "paragraph"
        nodes.push(textEl("p", block, { class: "doc-paragraph", tabindex: "-1" }));
    }
  }
  return nodes;
}

function renderStars() {
  const stars = state.currentEpisode().stars ?? [];
  for (const button of view().querySelectorAll("[data-star]")) {
    const starred = stars.includes(button.dataset.star);
    button.setAttribute("aria-pressed", String(starred));
    button.textContent = starred ? "★" : "☆";
  }
}

/**
 * Shows each insight's note (rendered, with Edit; Write a note when there
 * is none), and its earlier versions if two devices wrote it at once.
 */
function renderInsightNotes() {
  for (const [key, place] of insightNoteEls) renderInsightNote(key, place);
}

function renderInsightNote(key, { el, title }) {
  if (el.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA") return; // being written
  const episode = state.currentEpisode();
  const text = episode.insight_notes?.[key] ?? "";
  const note = noteField({ id: `insight-note-${key}`, label: `the insight “${title}”`, text, save: (value) => actions.setInsightNote(key, value) });
  replace(
    el,
    h("div", { class: "insight-note" }, note.el),
    text.trim() &&
      noteVersions(
        { on: "insight", episode_id: episode.id, block_key: key },
        {
          current: () => note.area.value,
          beforeSettle: () => {
            note.saver.cancel();
            return new Promise((resolve) => actions.whenSettled(resolve));
          },
          onSettled: (settled) => {
            const now = state.currentEpisode();
            if (now?.id === episode.id) state.setEpisodeFields({ insight_notes: { ...now.insight_notes, [key]: settled } });
          },
        },
      ),
  );
}

function renderReadToggle() {
  const read = Boolean(state.currentEpisode().reading?.read);
  const button = view().querySelector('[data-action="toggle-read"]');
  button.setAttribute("aria-pressed", String(read));
  button.textContent = read ? "Read ✓" : "Mark as read";
}

const fileName = (path) => path.split(/[\\/]/).pop();

let pointerDown = false;
let paintPending = false;

/**
 * Repaints every block's highlights. Waits while a mouse button is down, so
 * a save or live update landing mid-drag never breaks the selection being
 * made, and keeps any selection the user already has.
 */
function paintAll({ keepSelection = true } = {}) {
  if (!state.currentEpisode()) return;
  if (pointerDown) {
    paintPending = true;
    return;
  }
  paintPending = false;
  // Reading the selection forces a layout: skip it for a brand-new document.
  const kept = keepSelection ? saveSelection(view()) : null;
  const highlights = state.highlightsInOrder();
  const blocks = state.blockMap();
  const active = state.activeHighlightId();
  for (const [key, el] of blockEls) paintBlock(el, blocks.get(key), highlights, active);
  if (kept) restoreSelection(view(), kept);
}

/** Marks the segments of the highlight being edited. */
function markActive() {
  const id = state.activeHighlightId();
  for (const mark of view().querySelectorAll("mark.hl")) mark.classList.toggle("hl-active", Boolean(id) && mark.dataset.ids.split(" ").includes(id));
}

/** The first painted segment of highlight `id`. */
export function markFor(id) {
  return [...view().querySelectorAll("mark.hl")].find((m) => m.dataset.ids.split(" ").includes(id)) ?? null;
}

export function scrollToHighlight(id, { flash = false } = {}) {
  const mark = markFor(id);
  if (!mark) return false;
  mark.scrollIntoView({ block: "center", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  if (flash) {
    mark.classList.remove("hl-flash");
    void mark.offsetWidth;
    mark.classList.add("hl-flash");
  }
  return true;
}

/**
 * Shows highlight `id` of the open episode, flashed, as what the reader was
 * opened at; one with no place in the text is said in the notices, with its
 * quote, and they come into view instead. `null` asks for nothing.
 */
function showAskedFor(id) {
  askedFor = id;
  renderNotices(notices, askedFor);
  if (id && !scrollToHighlight(id, { flash: true })) scroller().scrollTop = 0;
}

/** Brings insight `key` into view and focuses it (a review card's source); whether it is there. */
function showInsight(key) {
  const el = view().querySelector(`.insight[data-insight="${CSS.escape(key)}"]`);
  if (!el) return false;
  for (const item of view().querySelectorAll(".is-current")) item.classList.remove("is-current");
  el.classList.add("is-current");
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: "center" });
  return true;
}

/** The current selection as canonical offsets {start, end, exact}, or null. */
export function selectionOffsets() {
  if (!state.currentEpisode()) return null;
  return rangeToOffsets(selectedRange(view()), view(), state.blockMap(), state.canonicalCodePoints());
}

// ---------- position ----------

/** The first block at least partly in view, and how far its top is from the pane's top. */
function visibleAnchor() {
  const top = scroller().getBoundingClientRect().top;
  for (const [key, el] of blockEls) {
    const rect = el.getBoundingClientRect();
    if (rect.bottom > top + 1) return { key, offset: rect.top - top };
  }
  return null;
}

function restoreAnchor(anchor) {
  const el = anchor && blockEls.get(anchor.key);
  if (!el) return;
  const top = scroller().getBoundingClientRect().top;
  scroller().scrollTop += el.getBoundingClientRect().top - top - anchor.offset;
}

/** The reading position: the canonical offset of the first visible block. */
function currentPosition() {
  const anchor = visibleAnchor();
  return anchor ? (state.blockMap().get(anchor.key)?.start ?? 0) : 0;
}

function restorePosition(position) {
  const pos = Number(position);
  if (!Number.isFinite(pos) || pos <= 0) {
    scroller().scrollTop = 0;
    return;
  }
  const blocks = state.blockMap();
  let target = null;
  for (const [key, el] of blockEls) {
    if (blocks.get(key).start <= pos) target = el;
  }
  if (target) scroller().scrollTop += target.getBoundingClientRect().top - scroller().getBoundingClientRect().top - 24;
}

const savePosition = debounce(async (episodeId, position) => {
  try {
    await call("set_reading_state", { episode_id: episodeId, position });
  } catch {
    // Reading position is best effort: losing one save is not worth a toast.
  }
}, SAVE_POSITION_MS);

// ---------- keyboard navigation ----------

/** What j and k step through (insights, the panels, a plain document's blocks), and what holds keyboard focus while reading. */
const READING_ITEMS = ".insight, .tldr, .bottom-line, .doc-paragraph, .doc-item, .doc-pre";

function insightEls() {
  return [...view().querySelectorAll(READING_ITEMS)];
}

/** Focuses reading item `item` (or a block outside any) without scrolling. */
function focusItem(item) {
  if (!item.hasAttribute("tabindex")) item.setAttribute("tabindex", "-1");
  item.focus({ preventScroll: true });
}

/**
 * Puts keyboard focus in the text at canonical offset `offset` (code
 * points): on the reading item holding it, with a caret there, so
 * Shift+arrows select on from it and j / k step on from it. Returns whether
 * the offset is in a block on screen.
 */
export function focusAt(offset) {
  for (const [key, el] of blockEls) {
    const block = state.blockMap().get(key);
    if (!block || offset < block.start || offset > block.start + block.len) continue;
    focusItem(el.closest(READING_ITEMS) ?? el);
    caretAt(el, cpToUtf16(block.text, offset - block.start));
    return true;
  }
  return false;
}

/** Moves to the next (+1) or previous (-1) insight and puts a caret at its start. */
export function stepInsight(delta) {
  const items = insightEls();
  if (!items.length) return;
  const current = items.indexOf(document.activeElement?.closest?.(READING_ITEMS));
  const from = current >= 0 ? current : insightIndex;
  insightIndex = Math.max(0, Math.min(items.length - 1, from + delta));
  const item = items[insightIndex];
  for (const el of items) el.classList.toggle("is-current", el === item);
  focusItem(item);
  item.scrollIntoView({ block: "start", behavior: "auto" });
  scroller().scrollTop -= 24;
  caretAt(item.querySelector(".insight-body") ?? item.querySelector("[data-block]") ?? item);
}

// ---------- wiring ----------

/**
 * Sets up the reader's own event handling. `handlers` carries what other
 * modules do: onMarkClick(ids, mark), onStar(key, starred), onRead(read)
 * (the toggle, or scrolling to the end), onShowProblems(id) (a notice's Show
 * them: the highlights under Needs attention, at highlight `id` if given).
 */
export function initReader(handlers) {
  state.subscribe(onStateChange);
  scroller().addEventListener(
    "scroll",
    () => {
      const episode = state.currentEpisode();
      if (!episode) return;
      const el = scroller();
      if (!readAtEnd && !episode.reading?.read && el.scrollTop + el.clientHeight >= el.scrollHeight - 40) {
        readAtEnd = true;
        handlers.onRead(true);
      }
      savePosition(episode.id, currentPosition());
    },
    { passive: true },
  );
  view().addEventListener("pointerdown", () => (pointerDown = true));
  window.addEventListener("pointerup", () => {
    pointerDown = false;
    if (paintPending) paintAll();
  });
  view().addEventListener("click", (event) => {
    const star = event.target.closest("[data-star]");
    if (star) return handlers.onStar(star.dataset.star, star.getAttribute("aria-pressed") !== "true");
    if (event.target.closest('[data-action="toggle-read"]')) return handlers.onRead(!state.currentEpisode().reading?.read);
    const problems = event.target.closest('[data-action="show-problems"]');
    if (problems) return handlers.onShowProblems(problems.dataset.highlight);
    const mark = event.target.closest("mark.hl");
    if (mark && document.getSelection()?.isCollapsed !== false) handlers.onMarkClick(mark.dataset.ids.split(" "), mark);
  });
  window.addEventListener("pagehide", () => savePosition.flush());
}

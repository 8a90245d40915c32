// The reader: one episode as a document. Every block of text is rendered
// into its own element (data-block="<key>") holding only that text, which
// highlights.js paints and selection.js measures. The reader owns the open
// episode and its highlights; other modules read them and listen for changes.

import { call } from "./transport.js";
import { byId, debounce, h, replace } from "./dom.js";
import { isPlaced, paintBlock } from "./highlights.js";
import { caretAt, rangeToOffsets, restoreSelection, saveSelection, selectedRange } from "./selection.js";
import { render as renderMarkdown } from "./markdown.js";
import { noteVersions } from "./versions.js";
import * as toast from "./toast.js";

const LAST_EPISODE_KEY = "gloss.lastEpisode";
const SAVE_POSITION_MS = 800;

/** The open episode: { episode, blocks: Map(key → block), codePoints, highlights: Map(id → Highlight) } */
let doc = null;
let activeId = null;
let insightIndex = -1;
const blockEls = new Map();
/** Where each insight's note goes (key → element), filled by renderInsightNotes. */
const insightNoteEls = new Map();
const listeners = new Set();

const view = () => byId("reader-view");
const scroller = () => byId("main");

/** Calls `fn(doc)` whenever the episode or its annotations change. */
export function onReaderChange(fn) {
  listeners.add(fn);
}

function changed() {
  for (const fn of listeners) fn(doc);
}

export function currentDoc() {
  return doc;
}

export function lastEpisodeId() {
  return localStorage.getItem(LAST_EPISODE_KEY);
}

/** Highlights in reading order: placed ones by position, then the rest. */
export function highlightsInOrder() {
  if (!doc) return [];
  return [...doc.highlights.values()].sort((a, b) => (a.anchor?.start ?? Infinity) - (b.anchor?.start ?? Infinity) || a.created_at?.localeCompare?.(b.created_at) || 0);
}

/** Opens episode `id`; scrolls to `highlightId` or the saved reading position. */
export async function openEpisode(id, { highlightId = null } = {}) {
  if (doc?.episode.id === id) {
    if (highlightId) scrollToHighlight(highlightId, { flash: true });
    return;
  }
  let episode;
  try {
    episode = await call("get_episode", { id });
  } catch (error) {
    if (error.kind === "not_found") localStorage.removeItem(LAST_EPISODE_KEY);
    showEmpty(error.kind === "not_found" ? "This episode is no longer in the library." : `Could not open the episode: ${error.message}`);
    if (error.kind !== "not_found") toast.error(`Could not open the episode: ${error.message}`, () => openEpisode(id, { highlightId }));
    return;
  }
  localStorage.setItem(LAST_EPISODE_KEY, id);
  // Measured from the answer to the first laid-out, positioned frame (bench.mjs).
  performance.mark("reader-render-start");
  load(episode);
  renderDocument();
  if (highlightId) scrollToHighlight(highlightId, { flash: true });
  else restorePosition(episode.reading?.position);
  void scroller().scrollHeight; // the layout, if nothing above needed it
  performance.mark("reader-render-end");
  performance.measure("reader-render", "reader-render-start", "reader-render-end");
}

function load(episode) {
  const blocks = new Map((episode.blocks ?? []).map((b) => [b.key, b]));
  const canonical = (episode.blocks ?? []).map((b) => b.text).join("\n\n");
  doc = {
    episode,
    blocks,
    codePoints: Array.from(canonical),
    highlights: new Map((episode.highlights ?? []).map((hl) => [hl.id, hl])),
  };
  changed();
}

/**
 * Fetches the open episode again (it changed on disk or in another window)
 * and re-renders it without moving what the reader is looking at.
 */
export async function refreshEpisode() {
  if (!doc) return;
  let episode;
  try {
    episode = await call("get_episode", { id: doc.episode.id });
  } catch (error) {
    if (error.kind === "not_found") showEmpty("This episode was removed from the library.");
    return;
  }
  const keep = visibleAnchor();
  const textChanged = JSON.stringify(episode.blocks) !== JSON.stringify(doc.episode.blocks);
  load(episode);
  if (textChanged) renderDocument();
  else {
    paintAll();
    renderInsightNotes();
  }
  restoreAnchor(keep);
}

/** Shows the reader's empty state. */
export function showEmpty(message) {
  doc = null;
  blockEls.clear();
  insightNoteEls.clear();
  changed();
  replace(
    view(),
    h(
      "div",
      { class: "reader-empty" },
      h("h1", { text: "Nothing open" }),
      h("p", { text: message ?? "Pick an episode in the library, or press / to search." }),
    ),
  );
}

// ---------- rendering ----------

/**
 * A run of this many characters without a space does not wrap: Chromium
 * breaks a long word in time that grows with its square (a 64,000-character
 * one took five seconds), so such a block scrolls sideways instead.
 */
const LONGEST_WRAPPED_WORD = 2000;
const unwrappable = new RegExp(`\\S{${LONGEST_WRAPPED_WORD}}`, "u");

function textEl(tag, key, props = {}) {
  const block = doc.blocks.get(key);
  if (!block) return null;
  const el = h(tag, { ...props, data: { block: key } });
  if (unwrappable.test(block.text)) el.classList.add("unbreakable");
  blockEls.set(key, el);
  return el;
}

function renderDocument() {
  const { episode } = doc;
  blockEls.clear();
  insightNoteEls.clear();
  insightIndex = -1;
  const kicker = [episode.show, episode.hosts?.length ? episode.hosts.join(", ") : null].filter(Boolean).join(" · ");
  const article = h(
    "article",
    { class: "doc", "aria-labelledby": "doc-title" },
    h(
      "header",
      { class: "doc-head" },
      kicker && h("p", { class: "doc-kicker", text: kicker }),
      h("h1", { class: "doc-title", id: "doc-title" }, textEl("span", "title") ?? (episode.title || "Untitled")),
      h("div", { class: "doc-actions" }, readToggle(), episode.source_path && h("span", { class: "doc-source", title: episode.source_path, text: fileName(episode.source_path) })),
    ),
    episode.status === "missing" && h("p", { class: "doc-missing", role: "note", text: `The file ${episode.source_path} is missing from the library folder. Its highlights are kept and come back when the file does.` }),
    episode.warnings?.length > 0 && h("div", { class: "doc-warnings", role: "note" }, "This file was read with problems:", h("ul", {}, episode.warnings.map((w) => h("li", { text: w })))),
    doc.blocks.has("tldr") && h("section", { class: "tldr", "aria-label": "TL;DR" }, h("p", { class: "label", text: "TL;DR" }), textEl("p", "tldr")),
    (episode.sections ?? []).map((section, s) => renderSection(section, s + 1)),
    doc.blocks.has("bottom") && h("section", { class: "bottom-line", "aria-label": "Bottom line" }, h("p", { class: "label", text: "Bottom line" }), textEl("p", "bottom")),
    renderRelated(episode),
    (episode.paragraphs ?? []).map((_, p) => textEl("p", `p${p + 1}`, { class: "doc-paragraph", tabindex: "-1" })),
  );
  replace(view(), article);
  paintAll({ keepSelection: false });
  renderInsightNotes();
}

function renderSection(section, s) {
  return h(
    "section",
    { class: "doc-section", "aria-labelledby": `s${s}-title` },
    h("h2", { class: "section-title", id: `s${s}-title` }, section.emoji && h("span", { class: "section-emoji", "aria-hidden": "true", text: section.emoji }), textEl("span", `s${s}.title`) ?? section.title),
    (section.insights ?? []).map((insight, i) => {
      const key = `s${s}.i${i + 1}`;
      const starred = doc.episode.stars?.includes(key);
      const noteEl = h("div");
      insightNoteEls.set(key, noteEl);
      return h(
        "div",
        { class: "insight", tabindex: "-1", data: { insight: key } },
        h("h3", { class: "insight-title" }, textEl("span", `${key}.title`) ?? insight.title),
        h("button", {
          type: "button",
          class: "icon-button star",
          "aria-pressed": starred ? "true" : "false",
          "aria-label": `Star insight: ${insight.title}`,
          text: starred ? "★" : "☆",
          data: { star: key },
        }),
        textEl("p", `${key}.body`, { class: "insight-body" }),
        noteEl,
      );
    }),
  );
}

/** Shows each insight's note, and its earlier versions if two devices wrote it at once. */
function renderInsightNotes() {
  for (const [key, el] of insightNoteEls) renderInsightNote(key, el);
}

function renderInsightNote(key, el) {
  const { episode } = doc;
  const text = episode.insight_notes?.[key] ?? "";
  if (!text.trim()) return replace(el);
  replace(
    el,
    h("div", { class: "insight-note" }, renderMarkdown(text)),
    noteVersions(
      { on: "insight", episode_id: episode.id, block_key: key },
      {
        current: () => text,
        onSettled: (settled) => {
          if (doc?.episode !== episode) return;
          episode.insight_notes = { ...episode.insight_notes, [key]: settled };
          renderInsightNote(key, el);
        },
      },
    ),
  );
}

function renderRelated(episode) {
  const related = episode.related ?? [];
  if (!related.length) return null;
  return h(
    "section",
    { class: "related", "aria-labelledby": "related-title" },
    h("h2", { class: "related-title", id: "related-title", text: episode.related_source ? `More from ${episode.related_source}` : "Related episodes" }),
    h(
      "ul",
      { class: "cards" },
      related.map((item, r) =>
        h(
          "li",
          { class: "card" },
          h("h3", {}, textEl("span", `r${r + 1}.title`) ?? item.title),
          textEl("p", `r${r + 1}.summary`),
          item.episode_id && h("a", { class: "card-link", href: `#/episode/${encodeURIComponent(item.episode_id)}`, text: "Open episode →", "aria-label": `Open episode: ${item.title}` }),
        ),
      ),
    ),
  );
}

function readToggle() {
  const read = Boolean(doc.episode.reading?.read ?? doc.episode.read);
  return h("button", {
    type: "button",
    class: "button button-small",
    data: { action: "toggle-read" },
    "aria-pressed": read ? "true" : "false",
    text: read ? "Read ✓" : "Mark as read",
  });
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
  if (!doc) return;
  if (pointerDown) {
    paintPending = true;
    return;
  }
  paintPending = false;
  // Reading the selection forces a layout: skip it for a brand-new document.
  const kept = keepSelection ? saveSelection(view()) : null;
  const highlights = [...doc.highlights.values()];
  for (const [key, el] of blockEls) paintBlock(el, doc.blocks.get(key), highlights, activeId);
  if (kept) restoreSelection(view(), kept);
}

// ---------- highlight state (used by actions.js) ----------

export function getHighlight(id) {
  return doc?.highlights.get(id) ?? null;
}

/** Adds or replaces a highlight of the open episode (under `replacing`'s id if given). */
export function putHighlight(highlight, replacing = null) {
  if (!doc || highlight.episode_id !== doc.episode.id) return;
  if (replacing && replacing !== highlight.id) {
    doc.highlights.delete(replacing);
    if (activeId === replacing) activeId = highlight.id;
  }
  doc.highlights.set(highlight.id, highlight);
  paintAll();
  changed();
}

export function dropHighlight(id) {
  if (!doc?.highlights.delete(id)) return;
  if (activeId === id) activeId = null;
  paintAll();
  changed();
}

/** Marks the highlight being edited (or none). */
export function setActive(id) {
  if (activeId === id) return;
  activeId = id;
  for (const mark of view().querySelectorAll("mark.hl")) mark.classList.toggle("hl-active", Boolean(id) && mark.dataset.ids.split(" ").includes(id));
  changed();
}

export function activeHighlightId() {
  return activeId;
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

/** The current selection as canonical offsets {start, end, exact}, or null. */
export function selectionOffsets() {
  if (!doc) return null;
  return rangeToOffsets(selectedRange(view()), view(), doc.blocks, doc.codePoints);
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
  return anchor ? (doc.blocks.get(anchor.key)?.start ?? 0) : 0;
}

function restorePosition(position) {
  const pos = Number(position);
  if (!Number.isFinite(pos) || pos <= 0) {
    scroller().scrollTop = 0;
    return;
  }
  let target = null;
  for (const [key, el] of blockEls) {
    if (doc.blocks.get(key).start <= pos) target = el;
  }
  if (target) scroller().scrollTop += target.getBoundingClientRect().top - scroller().getBoundingClientRect().top - 24;
}

const savePosition = debounce(async (episodeId, position, read) => {
  try {
    await call("set_reading_state", read ? { episode_id: episodeId, position, read } : { episode_id: episodeId, position });
  } catch {
    // Reading position is best effort: losing one save is not worth a toast.
  }
}, SAVE_POSITION_MS);

function onScroll() {
  if (!doc) return;
  const el = scroller();
  const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
  const reading = (doc.episode.reading ??= { read: false, position: 0 });
  const markRead = atEnd && !reading.read;
  reading.position = currentPosition();
  if (markRead) {
    reading.read = true;
    doc.episode.read = true;
    view().querySelector('[data-action="toggle-read"]')?.replaceWith(readToggle());
    changed();
  }
  savePosition(doc.episode.id, reading.position, markRead);
}

// ---------- keyboard navigation ----------

function insightEls() {
  return [...view().querySelectorAll(".insight, .doc-paragraph, .tldr, .bottom-line")];
}

/** Moves to the next (+1) or previous (-1) insight and puts a caret at its start. */
export function stepInsight(delta) {
  const items = insightEls();
  if (!items.length) return;
  const current = items.indexOf(document.activeElement?.closest?.(".insight, .doc-paragraph, .tldr, .bottom-line"));
  const from = current >= 0 ? current : insightIndex;
  insightIndex = Math.max(0, Math.min(items.length - 1, from + delta));
  const item = items[insightIndex];
  for (const el of items) el.classList.toggle("is-current", el === item);
  if (!item.hasAttribute("tabindex")) item.setAttribute("tabindex", "-1");
  item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "start", behavior: "auto" });
  scroller().scrollTop -= 24;
  caretAt(item.querySelector(".insight-body") ?? item.querySelector("[data-block]") ?? item);
}

// ---------- wiring ----------

/**
 * Sets up the reader's own event handling. `handlers` carries what other
 * modules do: onMarkClick(ids, mark), onStar(key, starred), onToggleRead(read).
 */
export function initReader(handlers) {
  scroller().addEventListener("scroll", onScroll, { passive: true });
  view().addEventListener("pointerdown", () => (pointerDown = true));
  window.addEventListener("pointerup", () => {
    pointerDown = false;
    if (paintPending) paintAll();
  });
  view().addEventListener("click", (event) => {
    const star = event.target.closest("[data-star]");
    if (star) {
      const starred = star.getAttribute("aria-pressed") !== "true";
      star.setAttribute("aria-pressed", String(starred));
      star.textContent = starred ? "★" : "☆";
      handlers.onStar(star.dataset.star, starred);
      return;
    }
    if (event.target.closest('[data-action="toggle-read"]')) {
      const read = !(doc.episode.reading?.read ?? doc.episode.read);
      doc.episode.reading = { ...(doc.episode.reading ?? {}), read };
      doc.episode.read = read;
      view().querySelector('[data-action="toggle-read"]').replaceWith(readToggle());
      handlers.onToggleRead(read);
      return;
    }
    const mark = event.target.closest("mark.hl");
    if (mark && document.getSelection()?.isCollapsed !== false) handlers.onMarkClick(mark.dataset.ids.split(" "), mark);
  });
  window.addEventListener("pagehide", () => savePosition.flush());
}

// Paints highlights into a block's text as non-nested <mark> segments, which
// work the same in WebKitGTK and Chromium and are click targets. Where
// highlights overlap, one segment carries all their ids: it shows a darker
// blend and one thin underline per highlight.

import { cpToUtf16 } from "./codepoints.js";

export const COLORS = ["yellow", "green", "blue", "pink", "purple"];

/** What each block element was last painted with. */
const paintedWith = new WeakMap();

/** Anchor states that have a place in the text; the rest live in the sidebar. */
const PLACED = new Set(["anchored", "moved", "fuzzy"]);

/** Whether a highlight can be drawn in the text. */
export function isPlaced(highlight) {
  const { status, start, end } = highlight.anchor ?? {};
  return PLACED.has(status) && Number.isInteger(start) && Number.isInteger(end) && end > start;
}

/** Whether a highlight waits for the user under Needs attention: with no place in the text, or only an approximate one. */
export function needsAttention(highlight) {
  return !isPlaced(highlight) || highlight.anchor.status === "fuzzy";
}

/**
 * The parts of `highlights` inside `block` ({key, text, start, len}, code
 * points), as spans in UTF-16 units of the block's text:
 * `{ id, color, fuzzy, note, start, end, endsHere }`.
 */
export function spansForBlock(block, highlights) {
  const blockEnd = block.start + block.len;
  const spans = [];
  for (const highlight of highlights) {
    if (!isPlaced(highlight)) continue;
    const { start, end, status } = highlight.anchor;
    if (end <= block.start || start >= blockEnd) continue;
    const from = Math.max(start, block.start) - block.start;
    const to = Math.min(end, blockEnd) - block.start;
    const startUnit = cpToUtf16(block.text, from);
    spans.push({
      id: highlight.id,
      color: highlight.color,
      fuzzy: status === "fuzzy",
      note: Boolean(highlight.note?.trim()),
      start: startUnit,
      end: startUnit + cpToUtf16(block.text.slice(startUnit), to - from),
      endsHere: end <= blockEnd,
    });
  }
  return spans;
}

/**
 * Cuts `0..length` at every span edge into runs `{ start, end, spans }`,
 * where `spans` are the spans covering the run, earliest start first.
 * Runs with no spans are included, so the runs tile the whole text.
 */
export function segment(length, spans) {
  const ordered = spans
    .map((s) => ({ ...s, start: Math.max(0, s.start), end: Math.min(length, s.end) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end || String(a.id).localeCompare(String(b.id)));
  const cuts = new Set([0, length]);
  for (const s of ordered) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const edges = [...cuts].sort((a, b) => a - b);
  const runs = [];
  for (let n = 0; n + 1 < edges.length; n++) {
    const start = edges[n];
    const end = edges[n + 1];
    runs.push({ start, end, spans: ordered.filter((s) => s.start <= start && s.end >= end) });
  }
  return runs;
}

/**
 * Replaces `el`'s content with `block.text`, painting `highlights` on it.
 * `activeId` marks the highlight being edited.
 */
export function paintBlock(el, block, highlights, activeId = null) {
  const spans = spansForBlock(block, highlights);
  // Repaint only when something changed: a repaint replaces the text nodes.
  const signature = `${block.text.length}|${activeId}|${spans.map((s) => `${s.id},${s.color},${s.start},${s.end},${s.fuzzy},${s.note},${s.endsHere}`).join(";")}`;
  if (paintedWith.get(el) === signature && el.textContent === block.text) return;
  paintedWith.set(el, signature);
  if (!spans.length) {
    el.replaceChildren(document.createTextNode(block.text));
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const run of segment(block.text.length, spans)) {
    const text = block.text.slice(run.start, run.end);
    fragment.append(run.spans.length ? markFor(run, text, activeId) : document.createTextNode(text));
  }
  el.replaceChildren(fragment);
}

const safeColor = (color) => (COLORS.includes(color) ? color : "yellow");

function markFor(run, text, activeId) {
  const mark = document.createElement("mark");
  const top = run.spans[run.spans.length - 1];
  const classes = ["hl", `hl-${safeColor(top.color)}`];
  if (run.spans.length > 1) {
    classes.push("hl-overlap");
    run.spans.slice(0, 3).forEach((span, n) => mark.style.setProperty(`--u${n + 1}`, `var(--hl-${safeColor(span.color)}-line)`));
    mark.style.setProperty("--hl-bg2", `var(--hl-${safeColor(run.spans[run.spans.length - 2].color)})`);
    mark.dataset.depth = String(Math.min(run.spans.length, 3));
  }
  if (run.spans.some((s) => s.fuzzy)) classes.push("hl-fuzzy");
  if (run.spans.some((s) => s.note && s.endsHere && s.end === run.end)) classes.push("hl-note-end");
  if (activeId && run.spans.some((s) => s.id === activeId)) classes.push("hl-active");
  mark.className = classes.join(" ");
  mark.dataset.ids = run.spans.map((s) => s.id).join(" ");
  mark.textContent = text;
  return mark;
}

// Turns a DOM selection in the reader into the API's terms: code point
// offsets into the episode's canonical text (its blocks joined by "\n\n").
// Every block is rendered into one element marked data-block="<key>" that
// holds only the block's text (plain or split into <mark> segments), so a
// DOM point's offset in a block is the length of the text before it.

import { utf16ToCp } from "./codepoints.js";

/** The UTF-16 offset of DOM point (node, offset) inside `blockEl`'s text. */
function pointOffset(blockEl, node, offset) {
  const range = document.createRange();
  range.setStart(blockEl, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * Trims whitespace off both ends of `start..end` (code points) in `text`
 * (the canonical text as an array of code points), so a double-click's
 * trailing space or a triple-click that runs into the next block is dropped.
 */
export function trimRange(codePoints, start, end) {
  while (start < end && /\s/u.test(codePoints[start])) start++;
  while (end > start && /\s/u.test(codePoints[end - 1])) end--;
  return { start, end };
}

/**
 * The canonical offsets `{ start, end, exact }` that `range` covers in the
 * blocks under `root`, or null when it covers no block text. `blocks` maps
 * key → {start, len, text}; `codePoints` is the canonical text's code points.
 */
export function rangeToOffsets(range, root, blocks, codePoints) {
  if (!range || range.collapsed) return null;
  let first = null;
  let last = null;
  for (const el of root.querySelectorAll("[data-block]")) {
    if (!range.intersectsNode(el)) continue;
    const block = blocks.get(el.dataset.block);
    if (!block) continue;
    const from = el.contains(range.startContainer) ? utf16ToCp(block.text, pointOffset(el, range.startContainer, range.startOffset)) : 0;
    const to = el.contains(range.endContainer) ? utf16ToCp(block.text, pointOffset(el, range.endContainer, range.endOffset)) : block.len;
    first ??= block.start + from;
    last = block.start + to;
  }
  if (first === null || last <= first) return null;
  const { start, end } = trimRange(codePoints, first, last);
  if (end <= start) return null;
  return { start, end, exact: codePoints.slice(start, end).join("") };
}

/**
 * The current selection's first range if it is inside `root`, else null;
 * a caret (a collapsed selection) counts only with `caret`.
 */
export function selectedRange(root, { caret = false } = {}) {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || (selection.isCollapsed && !caret)) return null;
  const range = selection.getRangeAt(0);
  return root.contains(range.commonAncestorContainer) ? range : null;
}

/**
 * Moves or extends the selection from the keyboard, for readers who do not
 * use a mouse: `unit` is "character", "word" or "lineboundary".
 * Selection.modify is non-standard but present in Chromium and WebKit.
 */
export function extendSelection(direction, unit) {
  const selection = document.getSelection();
  if (selection?.modify) selection.modify("extend", direction, unit);
}

/** Places a collapsed caret at UTF-16 offset `offset` of `el`'s text. */
export function caretAt(el, offset = 0) {
  const selection = document.getSelection();
  if (!selection) return;
  const [node, at] = pointAt(el, offset);
  selection.collapse(node, at);
}

/** The DOM point at UTF-16 offset `offset` of `blockEl`'s text. */
function pointAt(blockEl, offset) {
  const walker = document.createTreeWalker(blockEl, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (offset <= seen + node.data.length) return [node, offset - seen];
    seen += node.data.length;
    last = node;
  }
  return last ? [last, last.data.length] : [blockEl, 0];
}

/**
 * Remembers the selection inside `root` as block keys and offsets, so it
 * survives the blocks being repainted (a live update while the user
 * selects); a caret too (where a keyboard user goes on from).
 */
export function saveSelection(root) {
  const range = selectedRange(root, { caret: true });
  if (!range) return null;
  const side = (node, offset) => {
    const el = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest("[data-block]");
    return el && root.contains(el) ? { key: el.dataset.block, offset: pointOffset(el, node, offset) } : null;
  };
  const start = side(range.startContainer, range.startOffset);
  const end = side(range.endContainer, range.endOffset);
  const selection = document.getSelection();
  const backward = selection.anchorNode === range.endContainer && selection.anchorOffset === range.endOffset && !range.collapsed;
  return start && end ? { start, end, backward } : null;
}

/** Puts back a selection taken by saveSelection. */
export function restoreSelection(root, saved) {
  if (!saved) return;
  const el = (key) => root.querySelector(`[data-block="${CSS.escape(key)}"]`);
  const startEl = el(saved.start.key);
  const endEl = el(saved.end.key);
  if (!startEl || !endEl) return;
  const [startNode, startOffset] = pointAt(startEl, saved.start.offset);
  const [endNode, endOffset] = pointAt(endEl, saved.end.offset);
  const selection = document.getSelection();
  if (saved.backward) selection.setBaseAndExtent(endNode, endOffset, startNode, startOffset);
  else selection.setBaseAndExtent(startNode, startOffset, endNode, endOffset);
}

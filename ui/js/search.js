// Search as you type across episodes, highlights and notes. Each keystroke
// sends a query; answers that arrive after a newer query are dropped, so
// the list always shows the latest words. The word being typed matches as
// a prefix, a word with a typo is corrected by the server (and said so),
// and results come 40 at a time, with how many there are in all.

import { call } from "./transport.js";
import { failure } from "./messages.js";
import { byId, count, h, replace } from "./dom.js";
import { cpToUtf16 } from "./codepoints.js";
import { setSearching } from "./library.js";

const LIMIT = 40;
const KIND_LABEL = { episode: "Episode", highlight: "Highlight", note: "Note" };

let sequence = 0;
let lastKeyAt = 0;

const input = () => byId("search");
const results = () => byId("search-results");

export function initSearch() {
  input().addEventListener("input", () => {
    lastKeyAt = performance.now();
    run(input().value);
  });
  input().addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      results().querySelector("a")?.focus();
    } else if (event.key === "Enter") {
      results().querySelector("a")?.click();
    } else if (event.key === "Escape" && input().value) {
      event.preventDefault();
      event.stopPropagation();
      clearSearch();
    }
  });
  results().addEventListener("keydown", (event) => {
    const links = [...results().querySelectorAll("a")];
    const at = links.indexOf(document.activeElement);
    if (at < 0 || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
    event.preventDefault();
    if (event.key === "ArrowUp" && at === 0) input().focus();
    else links[Math.min(links.length - 1, at + (event.key === "ArrowDown" ? 1 : -1))].focus();
  });
}

/** Focuses the search box and selects what is in it. */
export function focusSearch() {
  input().focus();
  input().select();
}

export function clearSearch() {
  input().value = "";
  run("");
}

async function run(query) {
  const mine = ++sequence;
  const trimmed = query.trim();
  if (!trimmed) {
    showResults(false);
    showStatus("");
    return;
  }
  let page;
  try {
    page = await call("search", { query: trimmed, limit: LIMIT });
  } catch (error) {
    if (mine !== sequence) return;
    showResults(true);
    showStatus("");
    replace(results(), h("li", { class: "empty", text: failure("Search failed", error) }));
    return;
  }
  if (mine !== sequence) return;
  showResults(true);
  replace(results(), page.hits.length ? page.hits.map(hitItem) : h("li", { class: "empty", text: `Nothing matches “${trimmed}”.` }));
  showPage(trimmed, page, page.hits.length, mine);
  performance.mark("search-rendered");
  performance.measure("search-after-key", { start: lastKeyAt, end: performance.now() });
}

/**
 * Says how many results there are (and whether they are close matches for
 * a word with a typo), and offers the next page while there is one.
 */
function showPage(query, page, shown, mine) {
  const close = page.corrected ? ` for words close to “${query}”` : "";
  // Past a thousand of a kind the server stops counting: "1,000+ results".
  const total = page.more ? `${page.total.toLocaleString()}+ results` : count(page.total, "result");
  showStatus(page.total ? `${total}${close}${shown < page.total ? `, ${shown} shown` : ""}` : "");
  results().querySelector(".search-more")?.remove();
  // A page shorter than asked for is the last one the server ranks.
  if (shown >= page.total || page.hits.length < LIMIT) return;
  const left = `${page.total - shown}${page.more ? "+" : ""}`;
  const more = h("button", { type: "button", class: "button", text: `Show more results (${left} more)` });
  more.addEventListener("click", () => loadMore(query, shown, mine));
  results().append(h("li", { class: "search-more" }, more));
}

async function loadMore(query, shown, mine) {
  let page;
  try {
    page = await call("search", { query, offset: shown, limit: LIMIT });
  } catch (error) {
    showStatus(`More results could not be loaded: ${error.message}`);
    return;
  }
  if (mine !== sequence) return;
  const hits = page.hits.map(hitItem);
  results().querySelector(".search-more")?.remove();
  results().append(...hits);
  hits[0]?.querySelector("a")?.focus();
  showPage(query, page, shown + page.hits.length, mine);
}

function showStatus(text) {
  const status = byId("search-status");
  status.textContent = text;
  status.hidden = !text;
}

function showResults(on) {
  results().hidden = !on;
  setSearching(on);
}

function hitItem(hit) {
  const href = `#/episode/${encodeURIComponent(hit.episode_id)}${hit.highlight_id ? `/${encodeURIComponent(hit.highlight_id)}` : ""}`;
  return h(
    "li",
    { class: "search-hit" },
    h(
      "a",
      { href },
      h("span", { class: "hit-head" }, h("span", { class: "badge", text: KIND_LABEL[hit.kind] ?? hit.kind }), h("span", { class: "hit-title", text: hit.title || "Untitled" })),
      hit.show && h("span", { class: "hit-show", text: hit.show }),
      hit.snippet?.text && h("span", { class: "hit-snippet" }, snippet(hit.snippet)),
    ),
  );
}

/** The snippet's text with its matches (code point ranges) in <mark>. */
function snippet({ text, matches = [] }) {
  const parts = [];
  let at = 0;
  for (const [start, end] of [...matches].sort((a, b) => a[0] - b[0])) {
    const from = cpToUtf16(text, start);
    const to = cpToUtf16(text, end);
    if (from < at || to <= from) continue;
    parts.push(text.slice(at, from), h("mark", { text: text.slice(from, to) }));
    at = to;
  }
  parts.push(text.slice(at));
  return parts.filter((p) => p !== "");
}

// Search as you type across episodes, highlights and notes. Each keystroke
// sends a query; answers that arrive after a newer query are dropped, so
// the list always shows the latest words.

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
    byId("search-status").textContent = "";
    return;
  }
  let hits;
  try {
    hits = await call("search", { query: trimmed, limit: LIMIT });
  } catch (error) {
    if (mine !== sequence) return;
    showResults(true);
    replace(results(), h("li", { class: "empty", text: failure("Search failed", error) }));
    return;
  }
  if (mine !== sequence) return;
  showResults(true);
  replace(results(), hits.length ? hits.map(hitItem) : h("li", { class: "empty", text: `Nothing matches “${trimmed}”.` }));
  byId("search-status").textContent = count(hits.length, "result");
  performance.mark("search-rendered");
  performance.measure("search-after-key", { start: lastKeyAt, end: performance.now() });
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

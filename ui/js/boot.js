// The page's first requests: the settings and the library's first page,
// sent as soon as this module runs. index.html loads it `async` ahead of
// the others, so they go out while the rest of the UI's modules are still
// arriving; settings.js and library.js take the answers instead of asking
// again.

import { call } from "./transport.js";

/** Rows the library asks for at once. */
export const LIBRARY_PAGE = 100;
/** This window's copy of the library order (a setting), so the first page can be asked for before the settings come. */
export const LIBRARY_SORT_KEY = "gloss.librarySort";

/** `call`, its failure left to whoever takes the answer (unused, it is dropped quietly). */
function ask(op, args) {
  const answer = call(op, args);
  answer.catch(() => {});
  return answer;
}

/** A function that gives `value` the first time it is called, and null after. */
function once(value) {
  return () => {
    const taken = value;
    value = null;
    return taken;
  };
}

const sort = localStorage.getItem(LIBRARY_SORT_KEY) ?? "added";
/** The settings asked for at start, the first time; null after. */
export const takeSettings = once(ask("get_settings"));
/** `{ sort, page }`: the first page asked for at start in the order `sort`, the first time; null after. */
export const takeFirstPage = once({ sort, page: ask("list_episodes", { sort, limit: LIBRARY_PAGE }) });

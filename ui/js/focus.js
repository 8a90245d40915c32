// Where keyboard focus goes when what held it goes away: a highlight made,
// deleted or brought back, a panel or toast closed. A keyboard user goes on
// from the place they were working at, never from the top of the page.

import { byId } from "./dom.js";
import { isPlaced } from "./highlights.js";
import * as reader from "./reader.js";
import * as state from "./state.js";

/** The button of highlight `id`'s card in the annotations pane. */
const card = (id) => document.querySelector(`.annotation-quote[data-focus-key="quote-${CSS.escape(id)}"]`);

/** Whether `hl` belongs to the open episode (the only one on screen). */
const isShown = (hl) => Boolean(hl) && hl.episode_id === state.currentEpisode()?.id;

/**
 * Focuses highlight `hl` where it shows: in the text, with a caret right
 * after it, or its card in the annotations pane when it has no place in
 * the text. Does nothing when its episode is not open; returns whether it
 * moved focus.
 */
export function focusHighlight(hl) {
  if (!isShown(hl)) return false;
  if (isPlaced(hl) && reader.focusAt(hl.anchor.end)) return true;
  (card(hl.id) ?? byId("main")).focus();
  return true;
}

/**
 * Moves focus off highlight `hl`, which is about to be deleted: to where it
 * was in the text, else to the card after it (or before it) in the
 * annotations pane.
 */
export function focusAwayFrom(hl) {
  if (!isShown(hl)) return;
  if (isPlaced(hl) && reader.focusAt(hl.anchor.end)) return;
  const item = card(hl.id)?.closest("li");
  const neighbour = item?.nextElementSibling ?? item?.previousElementSibling;
  (neighbour?.querySelector(".annotation-quote") ?? byId("main")).focus();
}

/**
 * Remembers where focus is now, for a panel about to take it. Returns
 * `back(hl)`, which puts focus back there when the panel closes: on the same
 * element, or on the one that replaced it (same `data-focus-key`, as the
 * annotations pane redraws its cards), or, when focus came from the text or
 * from nowhere, on highlight `hl` in the text (when given).
 */
export function focusReturn() {
  const from = document.activeElement;
  const key = from?.dataset?.focusKey;
  const fromText = !from || from === document.body || byId("reader-view").contains(from);
  return (hl = null) => {
    if (fromText && hl && focusHighlight(hl)) return;
    const same = from?.isConnected && from !== document.body ? from : null;
    const target = same ?? (key && document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`));
    if (target) target.focus({ preventScroll: true });
    else if (!(hl && focusHighlight(hl))) byId("main").focus({ preventScroll: true });
  };
}

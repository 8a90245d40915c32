// Review outside its view: the count beside the Review link (the cards
// ready now) and the reader's Add to review state, both following every
// change that can alter the deck. Loaded at start, unlike the Review view
// (review.js), which comes when first opened.

import { call } from "./transport.js";
import { byId, count, debounce, h, replace } from "./dom.js";
import { refreshMembership } from "./review-toggle.js";
import { forgetSources } from "./review-sources.js";

/** Asks what is ready and shows it beside the Review link. */
export const refreshCount = debounce(async () => {
  try {
    showCount(await call("review_due"));
  } catch {
    // The count keeps what it showed; the next change asks again.
  }
}, 250);

/** Shows what review_due answered beside the Review link. */
export function showCount(due) {
  const ready = due.cards.length;
  const badge = byId("review-count");
  badge.hidden = ready === 0;
  replace(badge, h("span", { "aria-hidden": "true", text: String(ready) }), h("span", { class: "visually-hidden", text: `: ${count(ready, "card")} ready` }));
  const counted = (n, more) => `${n.toLocaleString()}${more ? "+" : ""}`;
  badge.closest("a").title = `${count(ready, "card")} to review now (${counted(due.due, due.due_more)} due today, ${counted(due.new, due.new_more)} new waiting)`;
}

/**
 * A live event: the count follows every change of annotations (this
 * window's too), and what is known of cards and review choices is asked
 * again. Returns whether the event was such a change, which the Review
 * view, when loaded, hears of too (review.js `reviewEvent`).
 */
export function reviewChanged(event) {
  const relevant =
    (event.type === "annotation_changed" && !event.kinds.every((kind) => kind === "position")) ||
    ["episode_added", "episode_updated", "episode_missing", "resync", "reconnected"].includes(event.type);
  if (!relevant) return false;
  refreshCount();
  refreshMembership();
  forgetSources();
  return true;
}

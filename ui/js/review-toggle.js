// Add to / Leave out of review: on a highlight (in its editor) and on an
// insight (the ↻ beside its star). Whether a card is in review is the
// backend's to say (its rule: every highlight, starred insights, Q:/A:
// notes; then the user's choices), so it is asked of card_in_review when the
// control is about to be used, and the answers are kept until the next
// change to annotations.

import { call } from "./transport.js";
import { h } from "./dom.js";
import { highlightCard, insightCard } from "./cards.js";
import * as state from "./state.js";
import * as toast from "./toast.js";

/** card id → promise of its DeckCard, or of null when it is not in review. */
const known = new Map();
/** Where the insights' buttons are (the reader), once wired. */
let insights = null;

function membership(card) {
  if (!known.has(card)) {
    const asked = call("card_in_review", { card }).catch((error) => {
      known.delete(card);
      throw error;
    });
    known.set(card, asked);
  }
  return known.get(card);
}

/** Puts `card` in review or leaves it out; `onChange(inReview)` shows it, and again if the save fails. */
async function setIncluded(card, included, onChange) {
  known.set(card, Promise.resolve(included ? { card, suspended: null } : null));
  onChange(included);
  try {
    await call("set_card", { card, included });
  } catch (error) {
    known.delete(card);
    onChange(!included);
    toast.failed(`${included ? "Not added to" : "Not left out of"} review`, error, () => setIncluded(card, included, onChange));
  }
}

/**
 * The review line of the highlight editor: a button that adds the
 * highlight to review or leaves it out, and why its card is suspended when
 * it is. Null for a highlight still being saved (it has no card yet).
 */
export function highlightReviewToggle(highlight) {
  if (highlight.id.startsWith("tmp-")) return null;
  const card = highlightCard(highlight.id);
  const reason = h("p", { class: "hint review-suspended-reason", hidden: true });
  // Drawn at its final size at once, so the editor does not grow under the pointer.
  const button = h("button", { type: "button", class: "button button-small", text: "Add to review", disabled: true });
  const show = (deck) => {
    button.disabled = false;
    button.textContent = deck ? "Leave out of review" : "Add to review";
    reason.hidden = !deck?.suspended;
    reason.textContent = deck?.suspended ? `Suspended from review: ${deck.suspended}.` : "";
  };
  button.addEventListener("click", async () => {
    const deck = await membership(card);
    setIncluded(card, !deck, (inReview) => show(inReview ? { suspended: deck?.suspended } : null));
  });
  membership(card).then(show, () => show(null));
  return h("div", { class: "review-toggle-row" }, button, reason);
}

/** Shows an insight's ↻ button as in review or not. */
function showInsightButton(button, inReview) {
  button.setAttribute("aria-pressed", String(inReview));
  button.title = inReview ? "In review: press to leave it out" : "Add to review";
}

/** The card of the insight a ↻ button belongs to, in the open episode; null when the episode has no fingerprint. */
function insightCardOf(button) {
  const fingerprint = state.currentEpisode()?.fingerprint;
  return fingerprint ? insightCard(fingerprint, button.dataset.reviewInsight) : null;
}

/** Asks whether the insight of `button` is in review, unless its button already shows it (or `again`). */
async function resolveInsight(button, again = false) {
  const card = insightCardOf(button);
  if (!card || (!again && button.hasAttribute("aria-pressed"))) return;
  try {
    showInsightButton(button, Boolean(await membership(card)));
  } catch {
    // Not known yet: the next hover or focus asks again.
  }
}

/**
 * Wires the insights' ↻ buttons in `container` (the reader): the state of
 * an insight's button is asked for when the pointer or focus reaches the
 * insight, and a click adds it to review or leaves it out.
 */
export function initReviewToggles(container) {
  insights = container;
  const reach = (event) => {
    const button = event.target.closest?.(".insight")?.querySelector("[data-review-insight]");
    if (button) resolveInsight(button);
  };
  container.addEventListener("pointerover", reach);
  container.addEventListener("focusin", reach);
  container.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-review-insight]");
    const card = button && insightCardOf(button);
    if (!card) return;
    let inReview;
    try {
      inReview = Boolean(await membership(card));
    } catch (error) {
      toast.failed("Could not tell whether this insight is in review", error);
      return;
    }
    setIncluded(card, !inReview, (now) => showInsightButton(button, now));
  });
}

/**
 * Forgets what is known after a change to annotations (a star, a note, a
 * choice made in another window), and asks again for the insight buttons
 * that show a state.
 */
export function refreshMembership() {
  known.clear();
  for (const button of insights?.querySelectorAll("[data-review-insight][aria-pressed]") ?? []) resolveInsight(button, true);
}

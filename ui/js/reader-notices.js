// What the reader says above the text about the open episode itself: its
// file gone from the library folder, highlights that lost their exact place
// when the file changed (first the one the reader was opened at, if it is
// one of them: a link to it has nowhere to scroll), and problems met
// reading the file. Drawn again
// whenever the episode or its highlights change, so a file deleted or
// edited while it is open is said at once, where the reader is looking.

import { count, h, replace } from "./dom.js";
import { isPlaced, needsAttention } from "./highlights.js";
import { sentence } from "./messages.js";
import { quote } from "./quote.js";
import * as state from "./state.js";

/** The notices' container; a status region, so what appears while reading is announced too. */
export function noticesEl() {
  return h("div", { class: "doc-notices", role: "status" });
}

/**
 * Fills `el` with the notices the open episode needs now (none for a file
 * read cleanly, present, with every highlight in place); `askedFor` is the
 * id of the highlight the reader was opened at, or null. Left alone when
 * they say the same as before, so a status region does not repeat them at
 * every highlight change.
 */
export function renderNotices(el, askedFor) {
  const episode = state.currentEpisode();
  if (!episode || !el) return;
  const asked = askedFor ? state.highlight(askedFor) : null;
  const unplaced = asked && !isPlaced(asked) ? asked : null;
  // The one asked for has a notice of its own; this one counts the others.
  const lost = state.highlightsInOrder().filter((hl) => hl !== unplaced && needsAttention(hl)).length;
  const noun = unplaced ? "other highlight" : "highlight";
  const says = JSON.stringify([episode.status, episode.source_path, lost, episode.warnings ?? [], unplaced && [unplaced.id, unplaced.anchor.reason]]);
  if (el.dataset.says === says) return;
  el.dataset.says = says;
  replace(
    el,
    unplaced && unplacedNotice(unplaced),
    episode.status === "missing" &&
      h("p", { class: "doc-notice", data: { notice: "missing" } }, h("strong", { text: "The file is gone. " }), `${episode.source_path} is no longer in the library folder. The text stays readable here and its highlights and notes are kept; they go back on the file when it returns.`),
    lost > 0 &&
      h(
        "p",
        { class: "doc-notice", data: { notice: "attention" } },
        h("strong", { text: `${count(lost, noun)} ${lost === 1 ? "needs" : "need"} attention. ` }),
        `Since the file changed, ${lost === 1 ? "it has" : "they have"} no certain place in the text. ${lost === 1 ? "It is" : "They are"} kept under Needs attention, where you can confirm or re-attach each one. `,
        h("button", { type: "button", class: "button button-small", data: { action: "show-problems" }, text: lost === 1 ? "Show it" : "Show them" }),
      ),
    episode.warnings?.length > 0 &&
      h("div", { class: "doc-notice", data: { notice: "warnings" } }, h("strong", { text: "This file was read with problems:" }), h("ul", {}, episode.warnings.map((w) => h("li", { text: sentence(w) })))),
  );
}

/** The highlight asked for has no place in the text: why, and its quote, so what it held is still read here. */
function unplacedNotice(hl) {
  return h(
    "div",
    { class: "doc-notice", data: { notice: "unplaced" } },
    h("p", {}, h("strong", { text: "This highlight could not be placed in the current text. " }), sentence(hl.anchor.reason || "the file changed since it was made")),
    quote("blockquote", hl, { class: "doc-notice-quote" }),
    h(
      "p",
      {},
      "It is kept under Needs attention, where you can re-attach it to the right passage. ",
      h("button", { type: "button", class: "button button-small", data: { action: "show-problems", highlight: hl.id }, text: "Show it" }),
    ),
  );
}

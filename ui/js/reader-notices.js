// What the reader says above the text about the open episode itself: its
// file gone from the library folder, highlights that lost their exact place
// when the file changed, and problems met reading the file. Drawn again
// whenever the episode or its highlights change, so a file deleted or
// edited while it is open is said at once, where the reader is looking.

import { count, h, replace } from "./dom.js";
import { needsAttention } from "./highlights.js";
import { sentence } from "./messages.js";
import * as state from "./state.js";

/** The notices' container; a status region, so what appears while reading is announced too. */
export function noticesEl() {
  return h("div", { class: "doc-notices", role: "status" });
}

/**
 * Fills `el` with the notices the open episode needs now (none for a file
 * read cleanly, present, with every highlight in place). Left alone when
 * they say the same as before, so a status region does not repeat them at
 * every highlight change.
 */
export function renderNotices(el) {
  const episode = state.currentEpisode();
  if (!episode || !el) return;
  const lost = state.highlightsInOrder().filter(needsAttention).length;
  const says = JSON.stringify([episode.status, episode.source_path, lost, episode.warnings ?? []]);
  if (el.dataset.says === says) return;
  el.dataset.says = says;
  replace(
    el,
    episode.status === "missing" &&
      h("p", { class: "doc-notice", data: { notice: "missing" } }, h("strong", { text: "The file is gone. " }), `${episode.source_path} is no longer in the library folder. The text stays readable here and its highlights and notes are kept; they go back on the file when it returns.`),
    lost > 0 &&
      h(
        "p",
        { class: "doc-notice", data: { notice: "attention" } },
        h("strong", { text: `${count(lost, "highlight")} ${lost === 1 ? "needs" : "need"} attention. ` }),
        `Since the file changed, ${lost === 1 ? "it has" : "they have"} no certain place in the text. ${lost === 1 ? "It is" : "They are"} kept under Needs attention, where you can confirm or re-attach each one. `,
        h("button", { type: "button", class: "button button-small", data: { action: "show-problems" }, text: lost === 1 ? "Show it" : "Show them" }),
      ),
    episode.warnings?.length > 0 &&
      h("div", { class: "doc-notice", data: { notice: "warnings" } }, h("strong", { text: "This file was read with problems:" }), h("ul", {}, episode.warnings.map((w) => h("li", { text: sentence(w) })))),
  );
}

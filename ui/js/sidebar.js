// The annotations pane: the episode's tags and note, its highlights in
// reading order (click to jump), and a separate group for highlights that
// need the user: orphaned, ambiguous and fuzzy, each with its reason.

import { byId, h, replace } from "./dom.js";
import { isPlaced, needsAttention } from "./highlights.js";
import { render as renderMarkdown } from "./markdown.js";
import { noteField } from "./note-field.js";
import { colorName } from "./settings.js";
import { tagChips, tagEditor } from "./tags.js";
import { openEditor } from "./editor.js";
import { focusAwayFrom } from "./focus.js";
import { quote } from "./quote.js";
import { episodeReviewChoice } from "./review-sources.js";
import { noteVersions } from "./versions.js";
import * as actions from "./actions.js";
import * as reader from "./reader.js";
import * as state from "./state.js";

const REASONS = {
  orphaned: "The passage is no longer in the file.",
  ambiguous: "The passage now appears more than once.",
  fuzzy: "The passage changed; this is the closest match.",
};

let episodePart = null;
let listPart = null;
/** The episode's note (note-field.js). */
let episodeNote = null;
let episodeTagsField = null;
/** Earlier versions of the episode note, asked for each time the episode part is drawn. */
let versionsSlot = null;

/** Focuses the episode's note (n with nothing selected). */
export function focusEpisodeNote() {
  episodeNote?.edit();
}

/** Focuses the episode's tags (t with nothing selected). */
export function focusEpisodeTags() {
  episodeTagsField?.focus();
}

export function initSidebar() {
  const pane = byId("sidebar");
  episodePart = h("div", { class: "side-section" });
  listPart = h("div");
  versionsSlot = h("div");
  replace(pane, episodePart, listPart);
  state.subscribe(onStateChange);
  renderEmpty();
}

function onStateChange(changes) {
  const episode = state.currentEpisode();
  if (!episode) return renderEmpty();
  if (changes.has("episode") || (fieldsChanged(episode) && !episodePart.contains(document.activeElement))) renderEpisodePart(episode);
  if (changes.has("episode") || changes.has("highlights") || changes.has("active")) renderList();
}

/**
 * Whether the episode's note or tags differ from what the fields show: a
 * change made elsewhere. (A field being typed in is not redrawn under the
 * user's hands.)
 */
function fieldsChanged(episode) {
  return episodeNote.area.value !== (episode.note ?? "") || JSON.stringify(episodeTagsField.current()) !== JSON.stringify(episode.tags ?? []);
}

function renderEmpty() {
  episodeNote = episodeTagsField = null;
  replace(episodePart);
  replace(listPart, h("p", { class: "side-empty", text: "Open an episode to see its highlights and notes here." }));
}

function renderEpisodePart(episode) {
  const tags = tagEditor({ tags: episode.tags ?? [], label: "Episode tags", id: "episode-tags", onChange: (list) => actions.setEpisodeTags(episode.id, list) });
  episodeTagsField = tags;
  episodeNote = noteField({ id: "episode-note", label: "this episode", text: episode.note, save: (text) => actions.setEpisodeNote(episode.id, text) });
  replace(versionsSlot, episodeNoteVersions(episode));
  replace(
    episodePart,
    h("h2", { class: "side-title", text: "This episode" }),
    h("label", { for: "episode-tags", class: "field-label", text: "Tags" }),
    tags.el,
    h("span", { class: "field-label", text: "Note" }),
    episodeNote.el,
    versionsSlot,
    episodeReviewChoice(episode),
  );
}

function episodeNoteVersions(episode) {
  const note = episodeNote;
  return noteVersions(
    { on: "episode", episode_id: episode.id },
    {
      current: () => note.area.value,
      beforeSettle: () => {
        note.saver.cancel();
        return new Promise((resolve) => actions.whenSettled(resolve));
      },
      onSettled: (text) => {
        if (state.currentEpisode()?.id !== episode.id) return;
        note.show(text);
        state.setEpisodeFields({ note: text });
      },
    },
  );
}

function renderList() {
  const focusKey = document.activeElement?.dataset?.focusKey;
  const all = state.highlightsInOrder();
  const placed = all.filter((hl) => !needsAttention(hl));
  const problems = all.filter(needsAttention);
  const active = state.activeHighlightId();
  replace(
    listPart,
    h(
      "section",
      { class: "side-section", "aria-labelledby": "side-highlights" },
      h("h2", { class: "side-title", id: "side-highlights" }, "Highlights", h("span", { text: String(placed.length) })),
      placed.length
        ? h("ol", { class: "side-list" }, placed.map((hl) => card(hl, active)))
        : h("p", { class: "side-empty", text: "Select text in the episode to highlight it." }),
    ),
    problems.length > 0 &&
      h(
        "section",
        { class: "side-section problems", "aria-labelledby": "side-problems" },
        h("h2", { class: "side-title", id: "side-problems" }, "Needs attention", h("span", { text: String(problems.length) })),
        h("ol", { class: "side-list" }, problems.map((hl) => card(hl, active, true))),
      ),
  );
  if (focusKey) listPart.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

function card(hl, active, problem = false) {
  const status = hl.anchor?.status ?? "orphaned";
  const jump = () => {
    if (reader.scrollToHighlight(hl.id, { flash: true })) openEditor(hl.id);
  };
  return h(
    "li",
    { class: `annotation hl-${hl.color}${hl.id === active ? " is-active" : ""}` },
    quote("button", hl, {
      type: "button",
      class: "annotation-quote",
      data: { focusKey: `quote-${hl.id}` },
      "aria-label": `${colorName(hl.color)} highlight: ${hl.selector?.exact ?? ""}${isPlaced(hl) ? ". Show in text" : ""}`,
      on: { click: isPlaced(hl) ? jump : () => openEditor(hl.id) },
    }),
    hl.note?.trim() && renderMarkdown(hl.note),
    tagChips(hl.tags),
    problem && h("p", { class: "annotation-reason", text: `${capitalize(status)}: ${hl.anchor?.reason || REASONS[status] || "It could not be placed."}` }),
    problem &&
      h(
        "div",
        { class: "annotation-actions" },
        h("button", { type: "button", class: "button button-small", data: { focusKey: `reattach-${hl.id}` }, text: "Re-attach to selection", title: "Select the right passage in the text, then press this", on: { mousedown: (e) => e.preventDefault(), click: () => actions.reattachHighlight(hl.id, reader.selectionOffsets()) } }),
        status === "fuzzy" && h("button", { type: "button", class: "button button-small", data: { focusKey: `confirm-${hl.id}` }, text: "Confirm", title: "Keep the highlight where it is now", on: { click: () => actions.confirmHighlight(hl.id) } }),
        h("button", { type: "button", class: "button button-small button-danger", text: "Delete", on: { click: () => { focusAwayFrom(hl); actions.deleteHighlight(hl.id); } } }),
      ),
  );
}

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

// Editing, from a review card, the note of what the card is made from: a
// highlight's note, an insight's note, or the episode note that holds a
// question. It saves on Save (Ctrl+Enter), not as the user types: a
// question note half rewritten is no longer a question, and its card
// would leave review mid-sentence.

import { call } from "./transport.js";
import { h } from "./dom.js";
import { fieldError } from "./fields.js";

/** Where the note of card source `source` (cards.js) of episode `episodeId` lives: its label, how to read it from an Episode, how to save it. */
function noteOf(source, episodeId) {
  if (source.kind === "highlight") {
    return {
      label: "Note on the highlight",
      read: (episode) => episode.highlights?.find((hl) => hl.id === source.highlightId)?.note ?? "",
      save: (text) => call("update_highlight", { id: source.highlightId, note: text }),
    };
  }
  if (source.kind === "insight") {
    return {
      label: "Note on the insight",
      read: (episode) => episode.insight_notes?.[source.blockKey] ?? "",
      save: (text) => call("set_insight_note", { episode_id: episodeId, block_key: source.blockKey, text }),
    };
  }
  return {
    label: "Note on the episode",
    read: (episode) => episode.note ?? "",
    save: (text) => call("set_episode_note", { episode_id: episodeId, text }),
  };
}

/**
 * A form editing the note of `source` (of episode `episodeId`), filled from
 * the episode as it is now. `onClose(saved)` runs after Save (with true,
 * once the note is stored) or Cancel and Esc (false). Resolves to the form,
 * whose text area takes focus when it is in the page; rejects when the
 * episode can not be read.
 */
export async function noteForm(source, episodeId, onClose) {
  const note = noteOf(source, episodeId);
  const episode = await call("get_episode", { id: episodeId });
  const area = h("textarea", {
    id: "review-note",
    rows: 4,
    "aria-describedby": "review-note-hint review-note-error",
    props: { value: note.read(episode) },
  });
  const error = fieldError("review-note-error", area);
  const save = async () => {
    error.clearError();
    try {
      await note.save(area.value);
    } catch (failure) {
      error.showError(`Not saved: ${failure.message}`);
      return;
    }
    onClose(true);
  };
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault(); // this closes the form, not what is behind it
      onClose(false);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
    }
  });
  return h(
    "form",
    {
      class: "review-note",
      on: {
        submit: (event) => {
          event.preventDefault();
          save();
        },
      },
    },
    h("label", { for: "review-note", class: "field-label", text: note.label }),
    area,
    h("span", { class: "hint", id: "review-note-hint", text: "A note written as “Q: … A: …” is a question card of its own. Ctrl+Enter saves, Esc cancels." }),
    error.el,
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "submit", class: "button button-primary", text: "Save" }),
      h("button", { type: "button", class: "button", text: "Cancel", on: { click: () => onClose(false) } }),
    ),
  );
}

// Earlier versions of a note: when two devices edited the same note before
// either saw the other's edit, sync keeps one text and the others as earlier
// versions. They are shown, small, under the note, each with "Use this";
// "Keep current" settles on the text shown. Either choice clears them on
// every device.

import { call } from "./transport.js";
import { h, replace, timeAgo } from "./dom.js";
import * as toast from "./toast.js";

/**
 * A box under a note that fills in once `note_versions` answers, and stays
 * empty when there are none. `note` is a NoteRef (docs/api.md);
 * `current()` gives the note's text now; `beforeSettle()` runs (and is
 * awaited) first, to drop or finish a pending save of the note; `onSettled(text)` shows the settled text;
 * `onResize()` runs after the box changes size.
 */
export function noteVersions(note, { current, beforeSettle = () => {}, onSettled, onResize = () => {} }) {
  const box = h("div", { class: "note-versions", hidden: true });
  const show = (versions) => {
    box.hidden = versions.length === 0;
    replace(
      box,
      versions.map((version, n) =>
        h(
          "div",
          { class: "note-version" },
          h("p", { class: "note-version-label" }, "Earlier version from another device", version.written_at ? [" · ", timeAgo(version.written_at)] : null),
          h("p", { class: "note-version-text", text: version.text || "(empty)" }),
          h(
            "div",
            { class: "note-version-actions" },
            h("button", { type: "button", class: "button button-small", text: "Use this", on: { click: () => settle(version.text) } }),
            n === versions.length - 1 && h("button", { type: "button", class: "button button-small", text: "Keep current", on: { click: () => settle(current()) } }),
          ),
        ),
      ),
    );
    onResize();
  };
  const settle = async (text) => {
    await beforeSettle();
    try {
      await call("settle_note", { note, text });
    } catch (error) {
      toast.failed("Could not settle the note", error, () => settle(text));
      return;
    }
    show([]);
    onSettled(text);
  };
  call("note_versions", note).then(show, () => {
    // Earlier versions are an extra: when they can not be read, the note still works.
  });
  return box;
}

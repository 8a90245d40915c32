// Links to a highlight: #/highlight/<id> in a browser, and
// gloss://highlight/<id> in the desktop window, which goes to the same
// route (src-tauri/src/link.rs). Such a link names a highlight, not its
// episode: this finds it. One in the trash or gone has no place to open,
// so the reader says what became of it instead of showing nothing.

import { call } from "./transport.js";
import { h } from "./dom.js";
import { failure, sentence } from "./messages.js";
import { quote } from "./quote.js";
import * as reader from "./reader.js";
import * as toast from "./toast.js";

const NOT_FOUND =
  "No highlight in this library has the id this link names. It may have been deleted for good when the trash was emptied, or made on a device that has not synced here yet.";

/**
 * The live highlight `id` names, or null once the reader says why there is
 * none to open. `retry` runs the link again when reading it failed for a
 * reason that can pass.
 */
export async function linkedHighlight(id, { retry }) {
  let hl;
  try {
    hl = await call("get_highlight", { id });
  } catch (error) {
    if (error.kind === "not_found" || error.kind === "invalid_input") {
      reader.showEmpty(error.kind === "not_found" ? NOT_FOUND : sentence(error.message), { title: "Highlight not found" });
    } else {
      reader.showEmpty(failure("Could not open the highlight", error), { title: "Highlight not opened" });
      toast.failed("Could not open the highlight", error, retry);
    }
    return null;
  }
  if (!hl.deleted_at) return hl;
  reader.showEmpty("It is in the trash, with its note and tags. Restore it there to see it in its episode again.", {
    title: "This highlight was deleted",
    more: [quote("blockquote", hl, { class: "reader-empty-quote" }), h("p", {}, h("a", { href: "#/trash", text: "Open the trash" }))],
  });
  return null;
}

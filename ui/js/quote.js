// A highlight's quote, wherever it is shown: the sidebar, the Notes view,
// the editor, the chooser. A quote that spans blocks holds the canonical
// text's block separator ("\n\n"), and one inside a plain document's
// paragraph or list item may hold a kept line break ("\n"). Shown with
// ordinary white space those collapse into one space, and two paragraphs
// read as one sentence ("…does not rest Alcohol knocks…"); the `quote`
// class (app.css) keeps them.

import { h } from "./dom.js";

/** An element `tag` showing `highlight`'s quote with its breaks; `props` as for h(). */
export function quote(tag, highlight, props = {}) {
  return h(tag, { ...props, class: props.class ? `${props.class} quote` : "quote", text: highlight.selector?.exact ?? "" });
}

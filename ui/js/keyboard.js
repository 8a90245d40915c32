// Keyboard shortcuts, and the ? overlay that lists them from the same table.
// Shortcuts never fire while the user types in a field; Esc always works.

import { byId, h, isTyping, replace } from "./dom.js";
import { extendSelection } from "./selection.js";

/**
 * The shortcut table: `keys` as shown, `match(event)`, `run(event)`.
 * `handlers` supplies what each one does (see app.js).
 */
function table(handlers) {
  const key = (k) => (e) => e.key === k;
  // The Review view's keys (review.js `reviewKeys`), or null before the view was first opened.
  const review = handlers.review;
  const inReview = () => Boolean(review()?.active());
  const reviewKey = (k) => (e) => inReview() && e.key === k;
  return [
    { keys: ["/"], label: "Search", match: key("/"), run: handlers.search },
    { keys: ["j"], label: "Next insight", match: key("j"), run: () => handlers.step(1) },
    { keys: ["k"], label: "Previous insight", match: key("k"), run: () => handlers.step(-1) },
    { keys: ["h"], label: "Highlight the selection", match: key("h"), run: handlers.highlight },
    { keys: ["1", "–", "5"], label: "Highlight in colour 1 to 5", match: (e) => /^[1-5]$/.test(e.key) && !inReview(), run: (e) => handlers.highlightColor(Number(e.key) - 1) },
    { keys: ["n"], label: "Note on the selection, highlight or episode", match: key("n"), run: handlers.note },
    { keys: ["t"], label: "Tag the selection, highlight or episode", match: key("t"), run: handlers.tag },
    { keys: ["Shift", "←→↑↓"], label: "Select text (with Ctrl: by word)", match: () => false },
    { keys: ["Tab"], label: "Reach the selection toolbar", match: () => false },
    { keys: ["["], label: "Show or hide the library", match: key("["), run: handlers.toggleLibrary },
    { keys: ["]"], label: "Show or hide annotations", match: key("]"), run: handlers.toggleSidebar },
    { keys: ["+", "−"], label: "Larger or smaller text", match: (e) => ["+", "=", "-"].includes(e.key), run: (e) => handlers.textSize(e.key === "-" ? -1 : 1) },
    { keys: ["Esc"], label: "Close", match: () => false },
    { keys: ["?"], label: "Show these shortcuts", match: key("?"), run: handlers.help },
    { keys: ["Ctrl", "Z"], label: "Undo the last change (again for the one before; ⌘Z on a Mac)", match: () => false },
    // Space on a button or link presses it, as everywhere.
    { keys: ["Space"], label: "Review: show the answer", match: (e) => reviewKey(" ")(e) && !e.target.closest?.("button, a, summary"), run: () => review().reveal() },
    { keys: ["1", "–", "4"], label: "Review: rate Again, Hard, Good or Easy", match: (e) => inReview() && /^[1-4]$/.test(e.key), run: (e) => review().rate(Number(e.key)) },
    { keys: ["u"], label: "Review: undo the last rating", match: reviewKey("u"), run: () => review().undo() },
    { keys: ["o"], label: "Review: open the card's source", match: reviewKey("o"), run: () => review().open() },
    { keys: ["e"], label: "Review: edit the card's note", match: reviewKey("e"), run: () => review().edit() },
    { keys: ["b"], label: "Review: bury the card until tomorrow", match: reviewKey("b"), run: () => review().bury() },
    { keys: ["s"], label: "Review: suspend the card", match: reviewKey("s"), run: () => review().suspend() },
  ];
}

const SELECT_KEYS = {
  ArrowRight: ["forward", "character"],
  ArrowLeft: ["backward", "character"],
  ArrowDown: ["forward", "line"],
  ArrowUp: ["backward", "line"],
  End: ["forward", "lineboundary"],
  Home: ["backward", "lineboundary"],
};

/** Ctrl+Z, or ⌘Z on a Mac: undo. */
const isUndo = (event) => (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === "z";

/** Installs the shortcuts. `handlers.escape()` returns true if it closed something. */
export function initKeyboard(handlers) {
  const shortcuts = table(handlers);
  renderOverlay(shortcuts);
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented) return;
    if (event.key === "Escape") {
      if (handlers.escape()) event.preventDefault();
      return;
    }
    // In a field Ctrl+Z is the field's own undo, of what was typed.
    if (isTyping(event.target) || event.isComposing) return;
    if (isUndo(event)) {
      event.preventDefault();
      handlers.undo();
      return;
    }
    if (event.metaKey) return;
    if (event.shiftKey && SELECT_KEYS[event.key] && handlers.inReader(event.target)) {
      const [direction, unit] = SELECT_KEYS[event.key];
      extendSelection(direction, event.ctrlKey && unit === "character" ? "word" : unit);
      event.preventDefault();
      return;
    }
    if (event.key === "Tab" && !event.shiftKey && handlers.toolbarTab()) {
      event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.altKey) return;
    if (event.target.closest?.(".toolbar, .editor, .chooser, dialog") && event.key !== "?") return;
    const shortcut = shortcuts.find((s) => s.run && s.match(event));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run(event);
  });
}

function renderOverlay(shortcuts) {
  const dialog = byId("shortcuts");
  replace(
    byId("shortcuts-list"),
    shortcuts.flatMap((s) => [h("dt", {}, s.keys.map((k, n) => (k === "–" ? " – " : [n > 0 && s.keys[n - 1] !== "–" ? " " : null, h("kbd", { text: k })]))), h("dd", { text: s.label })]),
  );
  byId("close-shortcuts").addEventListener("click", () => dialog.close());
}

export function showShortcuts() {
  const dialog = byId("shortcuts");
  if (!dialog.open) dialog.showModal();
}

// The undo history of this window: the last changes that can be taken back
// (a highlight or tag deleted, a colour changed, a note cleared, a review
// card buried or suspended), newest last. A toast's Undo and Ctrl+Z (⌘Z)
// both take from it, so the changes before the last toast can be undone
// too, one at a time, newest first.

import * as toast from "./toast.js";

/** How many changes are kept; older ones drop off. */
const LIMIT = 20;

/** `{ label, undo }`, oldest first. */
const entries = [];

/**
 * Records a change that can be taken back: `label` says what was done
 * ("Yellow highlight deleted"), `undo()` takes it back and rejects with an
 * ApiError when it can not. With `offer`, a toast says what was done with
 * an Undo button.
 */
export function record(label, undo, { offer = false } = {}) {
  const entry = { label, undo };
  entries.push(entry);
  if (entries.length > LIMIT) entries.shift();
  if (offer) toast.undo(`${label}.`, () => take(entry));
}

/** Ctrl+Z: takes back the latest change still in the history; resolves once done (or failed, and said). */
export async function undoLatest() {
  const entry = entries.at(-1);
  if (!entry) {
    toast.info("Nothing to undo.");
    return;
  }
  await take(entry);
}

/** Takes back `entry` and says so; a failure is said, with Retry when another try could work. */
async function take(entry) {
  const at = entries.indexOf(entry);
  if (at < 0) return; // already undone
  entries.splice(at, 1);
  try {
    await entry.undo();
    toast.info(`Undone: ${entry.label}.`);
  } catch (error) {
    toast.failed(`Could not undo “${entry.label}”`, error, () => {
      entries.push(entry);
      take(entry);
    });
  }
}

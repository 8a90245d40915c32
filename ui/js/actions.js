// Every change the user makes, saved optimistically: the reader shows it at
// once, the backend is called, and a failure undoes it and says so in a
// toast with Retry. Deletes offer Undo for 6 s.

import { call } from "./transport.js";
import * as reader from "./reader.js";
import * as toast from "./toast.js";
import { colorName } from "./settings.js";

/** Creations in flight: temporary id → promise of the saved highlight's id. */
const pending = new Map();
/** Temporary ids whose highlight has been saved → real id. */
const saved = new Map();
let inFlight = 0;
const settledListeners = new Set();

/** The id a (possibly temporary) highlight id now goes by. */
export function resolveId(id) {
  return saved.get(id) ?? id;
}

/** Whether saves are still running (live refreshes wait for them). */
function busy() {
  return inFlight > 0;
}

/** Calls `fn` once no save is running. */
export function whenSettled(fn) {
  if (!busy()) fn();
  else settledListeners.add(fn);
}

async function run(op, args) {
  inFlight++;
  try {
    return await call(op, args);
  } finally {
    inFlight--;
    if (!inFlight) {
      const fns = [...settledListeners];
      settledListeners.clear();
      for (const fn of fns) fn();
    }
  }
}

let lastColor = "yellow";
export function defaultColor() {
  return lastColor;
}

/**
 * Highlights canonical offsets `{start, end, exact}` of the open episode.
 * Returns the temporary id at once; the highlight is saved in the background.
 */
export function createHighlight(offsets, color = lastColor) {
  const doc = reader.currentDoc();
  if (!doc) return null;
  lastColor = color;
  const tempId = `tmp-${crypto.randomUUID?.() ?? Date.now()}`;
  const now = new Date().toISOString();
  const draft = {
    id: tempId,
    episode_id: doc.episode.id,
    color,
    note: "",
    tags: [],
    selector: { exact: offsets.exact, start: offsets.start, end: offsets.end },
    anchor: { status: "anchored", start: offsets.start, end: offsets.end },
    created_at: now,
    updated_at: now,
  };
  reader.putHighlight(draft);
  const saving = run("create_highlight", { episode_id: doc.episode.id, start: offsets.start, end: offsets.end, color })
    .then((highlight) => {
      saved.set(tempId, highlight.id);
      const current = reader.getHighlight(tempId);
      // Keep edits made to the draft while it was being saved.
      reader.putHighlight(current ? { ...highlight, color: current.color, note: current.note, tags: current.tags } : highlight, tempId);
      return highlight.id;
    })
    .catch((error) => {
      reader.dropHighlight(tempId);
      toast.error(`Highlight not saved: ${error.message}`, () => createHighlight(offsets, color));
      throw error;
    })
    .finally(() => pending.delete(tempId));
  pending.set(tempId, saving);
  saving.catch(() => {});
  return tempId;
}

/** Waits until a temporary highlight is saved, then gives its real id. */
async function realId(id) {
  if (pending.has(id)) return pending.get(id);
  return resolveId(id);
}

/** Changes a highlight's color, note and/or tags. */
export async function updateHighlight(id, patch) {
  const before = reader.getHighlight(resolveId(id));
  if (!before) return;
  if (patch.color) lastColor = patch.color;
  reader.putHighlight({ ...before, ...patch });
  let target;
  try {
    target = await realId(id);
  } catch {
    return; // the creation failed and was reported
  }
  try {
    const highlight = await run("update_highlight", { id: target, ...patch });
    // Keep what was typed after this save started.
    const now = reader.getHighlight(target);
    reader.putHighlight(now ? { ...highlight, color: now.color, note: now.note, tags: now.tags } : highlight);
  } catch (error) {
    const now = reader.getHighlight(target);
    if (now) reader.putHighlight({ ...now, ...Object.fromEntries(Object.keys(patch).map((k) => [k, before[k]])) });
    toast.error(`Change not saved: ${error.message}`, () => updateHighlight(target, patch));
  }
}

/** Deletes a highlight, with an Undo toast. */
export async function deleteHighlight(id) {
  const before = reader.getHighlight(resolveId(id));
  if (!before) return;
  reader.dropHighlight(before.id);
  let target;
  try {
    target = await realId(before.id);
  } catch {
    return;
  }
  try {
    await run("delete_highlight", { id: target });
    toast.undo(`${colorName(before.color)} highlight deleted.`, () => restoreHighlight(target));
  } catch (error) {
    reader.putHighlight(before);
    toast.error(`Highlight not deleted: ${error.message}`, () => deleteHighlight(target));
  }
}

async function restoreHighlight(id) {
  try {
    reader.putHighlight(await run("restore_highlight", { id }));
  } catch (error) {
    toast.error(`Could not undo: ${error.message}`, () => restoreHighlight(id));
  }
}

/** Places an orphaned or ambiguous highlight on the current selection. */
export async function reattachHighlight(id) {
  const offsets = reader.selectionOffsets();
  if (!offsets) {
    toast.info("Select the passage in the text first, then choose Re-attach.");
    return;
  }
  try {
    reader.putHighlight(await run("reattach_highlight", { id, start: offsets.start, end: offsets.end }));
    document.getSelection()?.removeAllRanges();
  } catch (error) {
    toast.error(`Could not re-attach: ${error.message}`, () => reattachHighlight(id));
  }
}

/** Accepts a fuzzy highlight's new place. */
export async function confirmHighlight(id) {
  try {
    reader.putHighlight(await run("confirm_highlight", { id }));
  } catch (error) {
    toast.error(`Could not confirm: ${error.message}`, () => confirmHighlight(id));
  }
}

/** Saves an episode-level field (tags, note, star, reading state); undoes `revert` on failure. */
async function saveEpisode(op, args, failure, revert) {
  try {
    await run(op, args);
  } catch (error) {
    revert?.();
    toast.error(`${failure}: ${error.message}`, () => saveEpisode(op, args, failure, revert));
  }
}

export function setEpisodeTags(episodeId, tags) {
  const doc = reader.currentDoc();
  const before = doc?.episode.tags;
  if (doc?.episode.id === episodeId) doc.episode.tags = tags;
  return saveEpisode("set_episode_tags", { episode_id: episodeId, tags }, "Tags not saved", () => {
    if (doc?.episode.id === episodeId) doc.episode.tags = before;
  });
}

export function setEpisodeNote(episodeId, text) {
  const doc = reader.currentDoc();
  if (doc?.episode.id === episodeId) doc.episode.note = text;
  return saveEpisode("set_episode_note", { episode_id: episodeId, text }, "Note not saved");
}

export function setStar(episodeId, blockKey, starred) {
  const doc = reader.currentDoc();
  if (doc?.episode.id === episodeId) {
    const stars = new Set(doc.episode.stars ?? []);
    if (starred) stars.add(blockKey);
    else stars.delete(blockKey);
    doc.episode.stars = [...stars];
  }
  return saveEpisode("set_star", { episode_id: episodeId, block_key: blockKey, starred }, "Star not saved");
}

export function setRead(episodeId, read) {
  return saveEpisode("set_reading_state", { episode_id: episodeId, read }, "Reading state not saved");
}

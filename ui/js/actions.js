// Every change the user makes, saved optimistically: state.js takes it at
// once (and the views show it), the backend is called, and its answer, the
// object as saved, goes into state.js too; a failure undoes the change and
// says so in a toast (with Retry when another try could work). Deletes
// offer Undo for 6 s, and they and other changes that can be taken back go
// into the undo history (history.js, Ctrl+Z). The window's own changes
// come back as events too; app.js skips those echoes.

import { call } from "./transport.js";
import * as state from "./state.js";
import * as toast from "./toast.js";
import * as history from "./history.js";
import { colorName } from "./settings.js";
import { learnTags } from "./tags.js";
import { focusHighlight } from "./focus.js";

/** Creations in flight: temporary id → promise of the saved highlight's id. */
const pending = new Map();
let inFlight = 0;
const settledListeners = new Set();

/** Calls `fn` once no save is running (a refetch would undo what is still being saved). */
export function whenSettled(fn) {
  if (!inFlight) fn();
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

/** A highlight as saved, keeping the colour, note and tags of `shown` (edits made while it was being saved). */
const keepEdits = (saved, shown) => (shown ? { ...saved, color: shown.color, note: shown.note, tags: shown.tags } : saved);

/**
 * Highlights canonical offsets `{start, end, exact}` of the open episode.
 * Returns the temporary id at once; the highlight is saved in the background.
 */
export function createHighlight(offsets, color = lastColor) {
  const episode = state.currentEpisode();
  if (!episode) return null;
  lastColor = color;
  const tempId = `tmp-${crypto.randomUUID?.() ?? Date.now()}`;
  const now = Date.now();
  state.putHighlight({
    id: tempId,
    episode_id: episode.id,
    color,
    note: "",
    tags: [],
    selector: { exact: offsets.exact, start: offsets.start, end: offsets.end },
    anchor: { status: "anchored", start: offsets.start, end: offsets.end },
    created_at: now,
    updated_at: now,
  });
  const saving = run("create_highlight", { episode_id: episode.id, start: offsets.start, end: offsets.end, color })
    .then((highlight) => {
      state.putHighlight(keepEdits(highlight, state.highlight(tempId)), tempId);
      return highlight.id;
    })
    .catch((error) => {
      state.removeHighlight(tempId);
      toast.failed("Highlight not saved", error, () => createHighlight(offsets, color));
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
  return state.resolveId(id);
}

/**
 * Changes a highlight's color, note and/or tags. A colour changed or a
 * note cleared goes into the undo history.
 */
export async function updateHighlight(id, patch) {
  const before = state.highlight(id);
  if (!before) return;
  if (patch.color) lastColor = patch.color;
  const undo = undoOf(before, patch);
  try {
    const saved = await writeHighlight(id, patch, before);
    if (saved && undo) history.record(undo.label, () => writeHighlight(saved.id, undo.patch));
  } catch (error) {
    toast.failed("Change not saved", error, () => updateHighlight(state.resolveId(id), patch));
  }
}

/** What takes `patch` back on `before`: a colour changed or a note cleared; null for other changes. */
function undoOf(before, patch) {
  if (patch.color && patch.color !== before.color) return { label: `Highlight colour changed to ${colorName(patch.color)}`, patch: { color: before.color } };
  if (patch.note === "" && before.note) return { label: "Highlight note cleared", patch: { note: before.note } };
  return null;
}

/**
 * Saves `patch` on highlight `id`, showing it at once; resolves with the
 * highlight as saved, or null when its creation failed (already said). A
 * failure puts back what `before` (the highlight as shown until now) had
 * and rejects.
 */
async function writeHighlight(id, patch, before = state.highlight(id)) {
  if (before) state.putHighlight({ ...before, ...patch });
  let target;
  try {
    target = await realId(id);
  } catch {
    return null;
  }
  try {
    const highlight = await run("update_highlight", { id: target, ...patch });
    // Keep what was typed after this save started.
    state.putHighlight(keepEdits(highlight, state.highlight(target)));
    if (patch.tags) learnTags(patch.tags);
    return highlight;
  } catch (error) {
    const now = state.highlight(target);
    if (now && before) state.putHighlight({ ...now, ...Object.fromEntries(Object.keys(patch).map((k) => [k, before[k]])) });
    throw error;
  }
}

/** Deletes a highlight (to the trash), with an Undo toast; Undo puts focus on the highlight brought back. */
export async function deleteHighlight(id) {
  const before = state.highlight(id);
  if (!before) return;
  state.removeHighlight(before.id);
  let target;
  try {
    target = await realId(before.id);
  } catch {
    return;
  }
  try {
    await run("delete_highlight", { id: target });
    history.record(`${colorName(before.color)} highlight deleted`, () => restoreHighlight(target), { offer: true });
  } catch (error) {
    state.putHighlight(before);
    toast.failed("Highlight not deleted", error, () => deleteHighlight(target));
  }
}

/** Brings highlight `id` back from the trash, with its note and tags, and focuses it when its episode is open. */
export async function restoreHighlight(id) {
  const restored = await run("restore_highlight", { id });
  state.putHighlight(restored);
  focusHighlight(restored);
  return restored;
}

/** Places an orphaned or ambiguous highlight on `offsets`, the selection's (null when there is none). */
export async function reattachHighlight(id, offsets) {
  if (!offsets) {
    toast.info("Select the passage in the text first, then choose Re-attach.");
    return;
  }
  try {
    state.putHighlight(await run("reattach_highlight", { id, start: offsets.start, end: offsets.end }));
    document.getSelection()?.removeAllRanges();
  } catch (error) {
    toast.failed("Could not re-attach", error, () => reattachHighlight(id, offsets));
  }
}

/** Accepts a fuzzy highlight's new place. */
export async function confirmHighlight(id) {
  try {
    state.putHighlight(await run("confirm_highlight", { id }));
  } catch (error) {
    toast.failed("Could not confirm", error, () => confirmHighlight(id));
  }
}

/**
 * Saves fields of episode `episodeId` with `op`; `patch` is how they show
 * in state.js (see there) while it is open. A failure puts back what was
 * there and offers Retry.
 */
async function saveEpisode(episodeId, patch, op, args, failure) {
  const isOpen = () => state.currentEpisode()?.id === episodeId;
  const before = isOpen() ? Object.fromEntries(Object.keys(patch).map((key) => [key, state.currentEpisode()[key]])) : null;
  if (isOpen()) state.setEpisodeFields(patch);
  try {
    await run(op, { episode_id: episodeId, ...args });
  } catch (error) {
    if (before && isOpen()) state.setEpisodeFields(before);
    toast.failed(failure, error, () => saveEpisode(episodeId, patch, op, args, failure));
  }
}

export async function setEpisodeTags(episodeId, tags) {
  await saveEpisode(episodeId, { tags }, "set_episode_tags", { tags }, "Tags not saved");
  learnTags(tags);
}

export function setEpisodeNote(episodeId, text) {
  return saveEpisode(episodeId, { note: text }, "set_episode_note", { text }, "Note not saved");
}

/** Sets the note on insight `blockKey` of the open episode. */
export function setInsightNote(blockKey, text) {
  const episode = state.currentEpisode();
  const notes = { ...episode.insight_notes, [blockKey]: text };
  return saveEpisode(episode.id, { insight_notes: notes }, "set_insight_note", { block_key: blockKey, text }, "Note not saved");
}

/** Stars or unstars an insight of the open episode. */
export function setStar(blockKey, starred) {
  const episode = state.currentEpisode();
  const stars = new Set(episode.stars ?? []);
  if (starred) stars.add(blockKey);
  else stars.delete(blockKey);
  return saveEpisode(episode.id, { stars: [...stars] }, "set_star", { block_key: blockKey, starred }, "Star not saved");
}

/** Marks the open episode read or unread. */
export function setRead(read) {
  const episode = state.currentEpisode();
  return saveEpisode(episode.id, { reading: { ...episode.reading, read } }, "set_reading_state", { read }, "Reading state not saved");
}

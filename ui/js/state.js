// The open episode and its highlights, in one place. Every change goes
// through the functions below, and each tells the subscribers what changed,
// so views re-render from notifications and no module edits another's
// objects (they are frozen: an edit elsewhere throws).
//
// A notification is a Set of names: "episode" (another episode, or none, is
// open), "blocks" (the open episode's text changed), "highlights", "active"
// (the highlight being edited), "status" (the open episode's file went
// missing or came back, or was read with other problems), or an episode
// field: "note", "tags", "stars", "insight_notes", "reading".

/** The fields of an Episode that the user changes (docs/api.md). */
const EPISODE_FIELDS = ["note", "tags", "stars", "insight_notes", "reading"];

/** The open Episode, without its highlights (they live in `highlights`). */
let episode = null;
/** Its blocks by key, and its canonical text as code points. */
let blocks = new Map();
let codePoints = [];
/** id → Highlight; a highlight being created goes by a temporary id ("tmp-…") until saved. */
let highlights = new Map();
/** Temporary ids of highlights saved since → their real ids. */
const savedIds = new Map();
let activeId = null;
const subscribers = new Set();

/** Calls `fn(changes)` after every change; `changes` is a Set of the names above. */
export function subscribe(fn) {
  subscribers.add(fn);
}

function notify(...names) {
  const changes = new Set(names);
  for (const fn of subscribers) fn(changes);
}

export function currentEpisode() {
  return episode;
}

/** The open episode's blocks by key. */
export function blockMap() {
  return blocks;
}

/** The open episode's canonical text (its blocks joined by "\n\n"), as code points. */
export function canonicalCodePoints() {
  return codePoints;
}

/**
 * Shows `next` (an Episode as get_episode answers it), or nothing when it
 * is null. A fresh copy of the open episode keeps the highlights still
 * being created, which the server does not know yet.
 */
export function showEpisode(next) {
  const same = Boolean(next && next.id === episode?.id);
  const textChanged = !same || JSON.stringify(next.blocks) !== JSON.stringify(episode.blocks);
  const drafts = same ? [...highlights.values()].filter((hl) => hl.id.startsWith("tmp-")) : [];
  if (!same) activeId = null;
  if (next) {
    const { highlights: list = [], ...rest } = next;
    episode = Object.freeze(rest);
    highlights = new Map([...list, ...drafts].map((hl) => [hl.id, Object.freeze(hl)]));
  } else {
    episode = null;
    highlights = new Map();
  }
  if (textChanged) {
    blocks = new Map((episode?.blocks ?? []).map((b) => [b.key, b]));
    codePoints = Array.from((episode?.blocks ?? []).map((b) => b.text).join("\n\n"));
  }
  if (!same) notify("episode");
  else notify(...(textChanged ? ["blocks"] : []), "highlights", "status", ...EPISODE_FIELDS);
}

/** Changes fields of the open episode (`patch` holds some of EPISODE_FIELDS). */
export function setEpisodeFields(patch) {
  if (!episode) return;
  episode = Object.freeze({ ...episode, ...patch });
  notify(...Object.keys(patch));
}

// ---------- highlights ----------

/** The id a (possibly temporary) highlight id now goes by. */
export function resolveId(id) {
  return savedIds.get(id) ?? id;
}

/** Highlight `id` of the open episode (a temporary id finds it once saved, too), or null. */
export function highlight(id) {
  return highlights.get(resolveId(id)) ?? null;
}

/** How many live highlights the open episode has, the ones being created included. */
export function highlightCount() {
  return highlights.size;
}

/** Highlights in reading order: placed ones by position, then the rest. */
export function highlightsInOrder() {
  return [...highlights.values()].sort((a, b) => (a.anchor?.start ?? Infinity) - (b.anchor?.start ?? Infinity) || (a.created_at ?? 0) - (b.created_at ?? 0));
}

/** Takes highlight `id` out of the open episode; whether it was there. */
function drop(id) {
  if (activeId === id) activeId = null;
  return highlights.delete(id);
}

/** Stores one highlight of the open episode; one in the trash (`deleted_at`) leaves it. */
function store(hl) {
  if (hl.deleted_at) drop(hl.id);
  else highlights.set(hl.id, Object.freeze(hl));
}

/**
 * Adds or replaces a highlight of the open episode. `replacing` is the
 * temporary id it was created under: from now on that id finds it.
 */
export function putHighlight(hl, replacing = null) {
  if (replacing) savedIds.set(replacing, hl.id);
  if (hl.episode_id !== episode?.id) return;
  if (replacing && replacing !== hl.id && highlights.delete(replacing) && activeId === replacing) activeId = hl.id;
  store(hl);
  notify("highlights");
}

/** Removes highlight `id` from the open episode. */
export function removeHighlight(id) {
  if (drop(id)) notify("highlights");
}

/**
 * Takes in highlights written elsewhere (an event's `highlights`, as they
 * are now) and `purged` ids, gone for good; those of other episodes are
 * not kept.
 */
export function applyHighlights(list, purged = []) {
  const mine = list.filter((hl) => hl.episode_id === episode?.id);
  for (const hl of mine) store(hl);
  const gone = purged.filter(drop);
  if (mine.length || gone.length) notify("highlights");
}

// ---------- the highlight being edited ----------

export function activeHighlightId() {
  return activeId;
}

/** Marks the highlight being edited (or none). */
export function setActive(id) {
  if (activeId === id) return;
  activeId = id;
  notify("active");
}

// The UI beyond the library's first rows, loaded once they are drawn
// (first-rows.js): wires the panes, routes between views
// (#/episode/<id>[/<highlight id> | /insight/<key>], #/highlight/<id>,
// #/review, #/notes[/tag/<name>], #/tags, #/trash, #/settings[/<section>])
// and turns live events into updates that never move the reading position.

import { isOwnEcho, onEvent } from "./transport.js";
import { byId, h, replace } from "./dom.js";
import { loadSettings, stepTextSize } from "./settings.js";
import { focusList, refreshEpisodes, refreshLibrary, setCurrentEpisode } from "./library.js";
import { libraryLoaded } from "./first-rows.js";
import { clearSearch, focusSearch, initSearch } from "./search.js";
import * as reader from "./reader.js";
import * as actions from "./actions.js";
import * as state from "./state.js";
import { initSidebar, focusEpisodeNote, focusEpisodeTags } from "./sidebar.js";
import { initToolbar, highlightSelection, hideToolbar, dismissToolbar, isToolbarOpen, focusToolbar } from "./toolbar.js";
import { closeChooser, closeEditor, closeOnOutsideClick, editingHighlightId, followScroll, initEditor, isEditorOpen, openChooser, openEditor } from "./editor.js";
import { initKeyboard, showShortcuts } from "./keyboard.js";
import { loadTags } from "./tags.js";
import { COLORS } from "./highlights.js";
import * as toast from "./toast.js";
import { initDesktop } from "./desktop.js";
import { refreshCount as refreshReviewCount, reviewChanged } from "./review-count.js";
import { initReviewToggles } from "./review-toggle.js";
import { linkedHighlight } from "./links.js";
import { undoLatest } from "./history.js";

const PANES_KEY = "gloss.panes";
const narrow = matchMedia("(max-width: 900px)");
let view = "reader";

// ---------- panes ----------

function paneState() {
  try {
    return { library: true, sidebar: true, ...JSON.parse(localStorage.getItem(PANES_KEY) ?? "{}") };
  } catch {
    return { library: true, sidebar: true };
  }
}

/** Opens or closes a side pane; on a narrow window they are drawers that start closed. */
function setPane(name, open) {
  document.body.classList.toggle(`${name}-closed`, !open);
  const button = byId(`toggle-${name}`);
  button.setAttribute("aria-expanded", String(open));
  button.setAttribute("aria-label", `${open ? "Hide" : "Show"} ${name === "library" ? "library" : "annotations"}`);
  byId("scrim").hidden = !(narrow.matches && open);
  if (!narrow.matches) localStorage.setItem(PANES_KEY, JSON.stringify({ ...paneState(), [name]: open }));
}

const paneOpen = (name) => !document.body.classList.contains(`${name}-closed`);
const togglePane = (name) => setPane(name, !paneOpen(name));

function initPanes() {
  const apply = () => {
    const saved = paneState();
    setPane("library", !narrow.matches && saved.library);
    setPane("sidebar", !narrow.matches && saved.sidebar);
  };
  apply();
  narrow.addEventListener("change", apply);
  byId("toggle-library").addEventListener("click", () => togglePane("library"));
  byId("toggle-sidebar").addEventListener("click", () => togglePane("sidebar"));
  byId("show-shortcuts").addEventListener("click", showShortcuts);
  byId("scrim").addEventListener("click", closeDrawers);
}

function closeDrawers() {
  if (!narrow.matches) return false;
  const open = paneOpen("library") || paneOpen("sidebar");
  setPane("library", false);
  setPane("sidebar", false);
  return open;
}

// ---------- routing ----------

/**
 * A module imported when first asked for, not at start: every module
 * imported at start is fetched, compiled and run before the library can
 * ask for its first rows. `load()` resolves with the module;
 * `load.loaded()` is the module once it came, else null, for what only
 * matters to a view already drawn (a live event).
 */
function lazy(importer) {
  let loading = null;
  let module = null;
  const load = () =>
    (loading ??= importer().then(
      (loaded) => (module = loaded),
      (error) => {
        loading = null; // Gloss was out of reach: the next use tries again
        throw error;
      },
    ));
  load.loaded = () => module;
  return load;
}

/**
 * The views besides the reader, each at #/<name> with a section
 * #<name>-view: its module, loaded when the view is first shown (the first
 * paint needs only the library and the reader), and how it is drawn there
 * for the route's `args`.
 */
const VIEWS = {
  review: { module: lazy(() => import("./review.js")), draw: (m) => m.showReview(byId("review-view")) },
  notes: { module: lazy(() => import("./notes.js")), draw: (m, args) => m.showNotes(byId("notes-view"), args[0] === "tag" ? { tag: args[1] } : {}) },
  tags: { module: lazy(() => import("./tag-manager.js")), draw: (m) => m.showTagManager(byId("tags-view"), { onChanged: reloadAll }) },
  trash: { module: lazy(() => import("./trash.js")), draw: (m) => m.showTrash(byId("trash-view"), { onChanged: reloadAll }) },
  settings: { module: lazy(() => import("./settings-view.js")), draw: (m, args) => m.showSettings(byId("settings-view"), args[0] ?? null, { onImported: reloadAll }) },
};

/** A view whose module could not be fetched (Gloss out of reach), with a way to try again. */
function showUnloaded(section) {
  const retry = h("button", { type: "button", class: "button", text: "Retry", on: { click: route } });
  replace(section, h("div", { class: "empty" }, h("p", { text: "Could not open this view: Gloss did not answer. Is it still running?" }), retry));
}

function parseRoute() {
  const [, name = "", ...rest] = location.hash.replace(/^#/, "").split("/");
  return { name, args: rest.map(decodeURIComponent) };
}

async function route() {
  const { name, args } = parseRoute();
  const next = Object.hasOwn(VIEWS, name) ? name : "reader";
  showView(next);
  if (next !== "reader") {
    let module;
    try {
      module = await VIEWS[next].module();
    } catch {
      if (view === next) showUnloaded(byId(`${next}-view`));
      return;
    }
    // Left while its module loaded: the view shown now is drawn by its own route.
    if (view === next) await VIEWS[next].draw(module, args);
    return;
  }
  if (name === "highlight") return openHighlight(args[0]);
  // Episode ids are integers; the hash and storage hold them as text.
  const id = Number(name === "episode" ? args[0] : state.currentEpisode()?.id ?? reader.lastEpisodeId());
  if (!Number.isSafeInteger(id) || id <= 0) return reader.showEmpty();
  await openEpisode(id, args[1] === "insight" ? { insightKey: args[2] } : { highlightId: args[1] ?? null });
}

/** The reader at episode `id`, as reader.openEpisode takes `place`, with the library showing it. */
async function openEpisode(id, place) {
  setCurrentEpisode(id);
  closeEditor({ restoreFocus: false });
  if (narrow.matches) closeDrawers();
  await reader.openEpisode(id, place);
}

/**
 * #/highlight/<id>, a link to a highlight (gloss://highlight/<id> in the
 * desktop window): its episode, at it, as #/episode/<episode>/<id> opens.
 * The address stays the link's, so it can be copied on as it was given.
 */
async function openHighlight(id) {
  const asked = location.hash;
  const hl = await linkedHighlight(id, { retry: route });
  // Another place was asked for meanwhile: that one is shown.
  if (hl && location.hash === asked) await openEpisode(hl.episode_id, { highlightId: hl.id });
}

/**
 * Shows the view at `hash`. Asking for the view already shown runs its
 * route again, so a menu item always does what it says (Export… scrolls
 * back to Export even when Settings is open at it).
 */
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** View → Library: the reader with the library pane open and focus in its list. */
function showLibrary() {
  if (view !== "reader") go("#/");
  setPane("library", true);
  focusList();
}

function showView(name) {
  view = name;
  for (const v of ["reader", ...Object.keys(VIEWS)]) byId(`${v}-view`).hidden = v !== name;
  for (const link of document.querySelectorAll(".views a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.classList.toggle("view-wide", name !== "reader");
  // Focus left in a view now hidden, or on nothing (a menu shortcut), goes to the view shown.
  const active = document.activeElement;
  if (!active || active === document.body || active.closest(".view[hidden]")) byId("main").focus({ preventScroll: true });
  if (name !== "reader") {
    closeEditor({ restoreFocus: false });
    hideToolbar();
  }
  if (name === "review") {
    // The open episode, its annotations, the notes feed and search snippets
    // hold the texts cards ask about: none may be in the page before an
    // answer is revealed. Read reopens the episode where it was left.
    reader.showEmpty();
    byId("notes-view").replaceChildren();
    clearSearch();
  }
}

// ---------- live events ----------

const refreshReader = (() => {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => actions.whenSettled(reader.refreshEpisode), 120);
  };
})();

/** Reloads the Notes feed on screen; one whose module is still loading is fetched fresh anyway. */
const reloadNotes = () => VIEWS.notes.module.loaded()?.reload();

/**
 * Fetches everything on screen again: after events were missed, or after a
 * change of this window's whose answer does not say what changed (an
 * import, a tag renamed everywhere).
 */
function reloadAll() {
  refreshLibrary();
  loadTags();
  refreshReader();
  if (view === "notes") reloadNotes();
  if (view === "tags" || view === "trash") route(); // what they list changed
}

/** What an annotation_changed event names but carries nothing of: the open episode's note, stars, read state. */
const UNCARRIED = ["note", "star", "reading"];

/**
 * Another window's, device's or Gloss's own change (re-anchoring): what the
 * event carries goes into place, and only what it can not carry is fetched.
 */
function applyAnnotationChange(event) {
  const kinds = new Set(event.kinds);
  // Where someone stopped reading changes nothing this window shows.
  if ([...kinds].every((kind) => kind === "position")) return;
  if (kinds.has("setting")) loadSettings(); // colour names follow the user from device to device
  if (kinds.has("tag")) loadTags();
  if (view === "notes") reloadNotes();
  if (view === "trash" && (kinds.has("highlight") || kinds.has("tag"))) route();
  const openId = state.currentEpisode()?.id;
  refreshEpisodes(event.episode_ids.filter((id) => id !== openId), kinds);
  if (!event.episode_ids.includes(openId)) return;
  // A tag change of the open episode is carried when it was on its highlights.
  const tagsCarried = event.highlights.some((hl) => hl.episode_id === openId);
  const fetch =
    !event.highlights_complete ||
    event.origin.kind === "anchoring" || // the text changed too; the reader needs it before the new places
    UNCARRIED.some((kind) => kinds.has(kind)) ||
    (kinds.has("tag") && !tagsCarried);
  if (fetch) refreshReader();
  else state.applyHighlights(event.highlights, event.purged);
}

function onLiveEvent(event) {
  if (reviewChanged(event)) VIEWS.review.module.loaded()?.reviewEvent(event);
  const isOpen = event.episode?.id !== undefined && state.currentEpisode()?.id === event.episode.id;
  switch (event.type) {
    case "episode_added":
      refreshLibrary();
      toast.info(event.episode?.title ? `New episode: ${event.episode.title}` : "A new episode arrived.");
      break;
    case "episode_updated":
    case "episode_missing":
    case "episode_error":
      refreshLibrary();
      if (isOpen) refreshReader();
      break;
    case "annotation_changed":
      // This window put its own changes in place when their answers came.
      if (!isOwnEcho(event)) applyAnnotationChange(event);
      break;
    case "library_notice":
      if (event.message) toast.info(event.message);
      refreshLibrary();
      break;
    case "sync_done":
      // What the round changed came as annotation_changed events; the Sync section, if drawn, says when.
      VIEWS.settings.module.loaded()?.refreshSyncStatus();
      break;
    case "resync": // the server dropped events for this tab
    case "reconnected":
      reloadAll();
      break;
    default:
      break;
  }
}

// ---------- keyboard ----------

const inReader = (el) => view === "reader" && byId("reader-view").contains(el === document.body ? document.getSelection()?.anchorNode : el);

function noteOrTag(focus) {
  if (view !== "reader" || !state.currentEpisode()) return;
  if (highlightSelection(undefined, focus)) return;
  const active = editingHighlightId();
  if (active) {
    const field = document.getElementById(focus === "note" ? "editor-note" : "editor-tags");
    if (field) return field.focus();
    return openEditor(active, { focus });
  }
  if (!paneOpen("sidebar")) setPane("sidebar", true);
  if (focus === "note") focusEpisodeNote();
  else focusEpisodeTags();
}

function escape() {
  if (byId("shortcuts").open) return false; // the dialog closes itself
  if (closeChooser()) return true;
  if (isEditorOpen()) return closeEditor();
  if (isToolbarOpen()) {
    dismissToolbar();
    return true;
  }
  if (document.activeElement === byId("search")) {
    clearSearch();
    document.activeElement.blur();
    return true;
  }
  return closeDrawers();
}

/** A reader notice's Show them: the annotations pane open at the highlights that need attention, at highlight `id` if given. */
function showProblems(id) {
  setPane("sidebar", true);
  const asked = id && document.querySelector(`#sidebar .problems [data-focus-key="quote-${CSS.escape(id)}"]`);
  (asked || document.querySelector("#sidebar .problems .annotation-quote"))?.focus();
}

function openSearch() {
  if (!paneOpen("library")) setPane("library", true);
  focusSearch();
}

function initShortcuts() {
  initKeyboard({
    search: openSearch,
    step: (delta) => view === "reader" && reader.stepInsight(delta),
    highlight: () => view === "reader" && highlightSelection(),
    highlightColor: (n) => view === "reader" && highlightSelection(COLORS[n]),
    note: () => noteOrTag("note"),
    tag: () => noteOrTag("tags"),
    toggleLibrary: () => togglePane("library"),
    toggleSidebar: () => togglePane("sidebar"),
    textSize: stepTextSize,
    help: showShortcuts,
    // Trash lists what an undo brings back from it, and this window skips its own events.
    undo: () => undoLatest().then(() => view === "trash" && route()),
    escape,
    inReader,
    review: () => VIEWS.review.module.loaded()?.reviewKeys,
    toolbarTab: () => {
      if (!isToolbarOpen() || document.activeElement?.closest(".toolbar")) return false;
      focusToolbar();
      return true;
    },
  });
}

// ---------- start ----------

async function start() {
  initPanes();
  initShortcuts();
  initSearch();
  initSidebar();
  initToolbar();
  initEditor();
  reader.initReader({
    onMarkClick: (ids, mark) => (ids.length > 1 ? openChooser(ids, mark) : openEditor(ids[0], { anchorEl: mark })),
    onStar: actions.setStar,
    onRead: actions.setRead,
    onShowProblems: showProblems,
  });
  byId("main").addEventListener("scroll", followScroll, { passive: true });
  document.addEventListener("mousedown", closeOnOutsideClick);
  initReviewToggles(byId("reader-view"));
  onEvent(onLiveEvent);
  initDesktop(
    {
      search: openSearch,
      library: showLibrary,
      notes: () => go("#/notes"),
      tags: () => go("#/tags"),
      trash: () => go("#/trash"),
      settings: () => go("#/settings"),
      import: () => go("#/settings/import"),
      export: () => go("#/settings/export"),
      shortcuts: showShortcuts,
    },
    { go },
  );
  window.addEventListener("hashchange", route);
  await Promise.all([libraryLoaded, route()]);
  // Asked for once the first rows are up, so they do not compete with them for the backend.
  refreshReviewCount();
  await loadTags();
  document.documentElement.dataset.ready = "true";
}

start().catch((error) => {
  console.error(error);
  toast.failed("Gloss could not start", error, () => location.reload());
});

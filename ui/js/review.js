// The Review view (#/review): one card at a time. The prompt comes first;
// the answer is asked for only when the user reveals it (Space), so the
// page never holds it before. Then 1 Again, 2 Hard, 3 Good, 4 Easy, each
// showing when the card would come back; u undoes the last rating, o opens
// the card's source in the reader, e edits its note, b buries it until
// tomorrow, s suspends it. When no card is left, the finish screen
// (review-finish.js). The count beside the Review link is review-count.js's;
// this module is loaded when the view is first opened.
//
// Ratings and suspensions are saved in the background, in order, so the
// next card shows at once: its prompt was fetched while the user looked at
// the one before.

import { call, isOwnEcho } from "./transport.js";
import { h, replace } from "./dom.js";
import { cardSource, interval } from "./cards.js";
import { render as renderMarkdown } from "./markdown.js";
import { finishScreen } from "./review-finish.js";
import { noteForm } from "./review-note.js";
import { showCount } from "./review-count.js";
import * as toast from "./toast.js";
import * as history from "./history.js";
import { canRetry, failure } from "./messages.js";

const RATINGS = ["Again", "Hard", "Good", "Easy"];
const NEXT_KEYS = ["again_ms", "hard_ms", "good_ms", "easy_ms"];
const PROMPT_LABELS = { highlight: "Fill in the blank", insight: "What does this insight say?", question: "Question" };
/** Where a cloze's prompt has its blank (gloss_review::card::BLANK). */
const BLANK = "[…]";

/** The view's element while it is on screen, and its parts. */
let root = null;
let progressEl = null;
let stage = null;

/**
 * The session: `queue` holds the cards left (the first is on screen, or
 * next), `done` how many were rated, `rated` the cards whose rating was
 * saved, latest last (what u can undo).
 */
let session = null;
/** The card on screen: { card, shown (review_card's answer), revealed, answerEl, token }, or null. */
let current = null;
/** Each card drawn gets a new token; an answer for an older one is dropped. */
let token = 0;
/** The next card's prompt, asked for ahead: { card, answer: Promise }. */
let ahead = null;
/** Saves in the order they were made: a rating before its undo. */
let writes = Promise.resolve();

const onScreen = () => Boolean(root?.isConnected && !root.hidden);

/**
 * A live event that changed the deck (review-count.js `reviewChanged`):
 * a change from elsewhere redraws the card on screen (a re-anchoring may
 * have orphaned its highlight), or, on the finish screen, brings the cards
 * it made ready.
 */
export function reviewEvent(event) {
  if (isOwnEcho(event) || !onScreen() || !session) return;
  if (current) recheck();
  else if (!session.queue.length) refill();
}

// ---------- the view ----------

/** Renders the Review view into `view`, going on with the session if one is under way. */
export async function showReview(view) {
  root = view;
  progressEl = h("p", { class: "review-progress", id: "review-progress" });
  stage = h("div", { class: "review-stage" });
  replace(view, h("div", { class: "page review" }, h("div", { class: "review-head" }, h("h1", { id: "review-title", class: "page-title", text: "Review" }), progressEl), stage));
  current = null;
  ahead = null; // asked for before the user left; the card may have changed since
  if (session?.queue.length) return showCard();
  await startSession();
}

async function startSession() {
  session = { queue: [], done: 0, rated: [] };
  await refill();
}

/** The refill under way, if one is: events arriving meanwhile wait for it instead of starting another. */
let refilling = null;

/** Takes what review_due has now (once the saves made are in); the finish screen when that is nothing. */
function refill() {
  refilling ??= fill().finally(() => (refilling = null));
  return refilling;
}

async function fill() {
  await writes;
  let due;
  try {
    due = await call("review_due");
  } catch (error) {
    return showFailure("Could not load the cards to review", error, refill);
  }
  if (!onScreen()) return;
  showCount(due);
  session.queue = due.cards.map((deck) => deck.card);
  if (session.queue.length) return showCard();
  let stats;
  try {
    stats = await call("review_stats");
  } catch (error) {
    return showFailure("Could not load today's figures", error, refill);
  }
  if (!onScreen() || session.queue.length) return;
  current = null;
  performance.clearMarks("review-rated");
  progressEl.textContent = "";
  replace(stage, finishScreen(stats, due), actionRow());
  stage.querySelector("h2")?.focus();
}

function showFailure(what, error, retry) {
  if (!onScreen()) return;
  current = null;
  replace(stage, h("div", { class: "empty" }, h("p", { text: failure(what, error) }), canRetry(error) && h("button", { type: "button", class: "button", text: "Retry", on: { click: retry } })));
}

/** The prompt of `card` (review_card without reveal): the one asked for ahead, or asked for now. */
function promptOf(card) {
  const answer = ahead?.card === card ? ahead.answer : call("review_card", { card });
  ahead = null;
  return answer;
}

/** Asks ahead for the next card's prompt, so it shows at once after a rating. */
function askAhead() {
  const next = session.queue[1];
  if (!next || ahead?.card === next) return;
  const answer = call("review_card", { card: next });
  answer.catch(() => {}); // asked again when it is shown
  ahead = { card: next, answer };
}

/** Shows the first card of the queue, unrevealed. */
async function showCard() {
  const card = session.queue[0];
  const mine = ++token;
  let shown;
  try {
    shown = await promptOf(card);
  } catch (error) {
    if (mine !== token) return;
    if (error.kind === "not_found" || error.kind === "conflict") return dropCard(card); // its source is gone, or no longer a question
    return showFailure("Could not show the card", error, showCard);
  }
  if (mine !== token || !onScreen()) return;
  current = { card, shown, revealed: false, answerEl: null, token: mine };
  drawCard();
  askAhead();
}

/** Takes `card` out of the queue. */
function leave(card) {
  session.queue = session.queue.filter((c) => c !== card);
}

/** A card that left review while waiting in the queue goes without a word; one on screen says so. */
function dropCard(card, message = null) {
  leave(card);
  if (message) toast.info(message);
  return next();
}

function drawCard() {
  const { shown, revealed } = current;
  const source = cardSource(shown.card);
  const kind = source?.question ? "question" : (source?.kind ?? "question");
  const left = session.queue.length;
  const asks = shown.prompt.trim() !== BLANK;
  progressEl.textContent = `${session.done + 1} of ${session.done + left}`;
  const answerEl = h("div", { class: "review-answer", id: "review-answer", tabindex: "-1" });
  current.answerEl = answerEl;
  const cardEl = h(
    "article",
    { class: "review-card", tabindex: "-1", "aria-labelledby": asks ? "review-kind review-prompt" : null, "aria-label": asks ? null : "Suspended card", data: { card: shown.card } },
    h("p", { class: "review-source" }, shown.episode_title || "Untitled episode"),
    // An orphaned highlight's prompt is a blank alone, with no sentence around it to show.
    asks && [h("p", { class: "label", id: "review-kind", text: PROMPT_LABELS[kind] }), h("p", { class: "review-prompt", id: "review-prompt" }, promptParts(shown.prompt))],
    shown.suspended ? suspendedNote(shown.suspended) : answerEl,
  );
  replace(stage, cardEl, h("div", { class: "review-controls" }, shown.suspended ? skipButton() : revealButton()), actionRow());
  if (revealed && !shown.suspended) drawAnswer(shown);
  cardEl.focus({ preventScroll: true });
  if (performance.getEntriesByName("review-rated").length) {
    void stage.offsetHeight; // laid out, as the user sees it
    performance.mark("review-next-shown");
    performance.measure("review-next-card", "review-rated", "review-next-shown");
    performance.clearMarks("review-rated");
  }
}

/** A cloze's blank drawn as a gap (a screen reader says "blank"); other prompts as they are. */
function promptParts(prompt) {
  return prompt.split(BLANK).flatMap((part, n) => [n > 0 && h("span", { class: "cloze-blank" }, h("span", { class: "visually-hidden", text: "blank" })), part]);
}

function suspendedNote(reason) {
  return h("p", { class: "review-suspended", role: "note" }, h("strong", { text: "Suspended: " }), `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`);
}

const keyHint = (key) => h("kbd", { "aria-hidden": "true", text: key });

function revealButton() {
  return h("button", { type: "button", class: "button button-primary review-reveal", on: { click: reveal } }, "Show answer ", keyHint("Space"));
}

function skipButton() {
  return h("button", { type: "button", class: "button review-reveal", on: { click: skip } }, "Skip ", keyHint("Space"));
}

/** Undo, Open source, Edit note, Bury, Suspend: each with its key; only Undo on the finish screen. */
function actionRow() {
  const action = (label, key, run, enabled = true) =>
    h("button", { type: "button", class: "button button-small", disabled: !enabled, "aria-keyshortcuts": key, on: { click: run } }, `${label} `, keyHint(key));
  const cardShown = Boolean(current);
  return h(
    "div",
    { class: "review-actions", role: "group", "aria-label": "Card actions" },
    action("Undo rating", "u", undo, session.done > 0),
    cardShown && action("Open source", "o", openSource),
    cardShown && !current.shown.suspended && action("Edit note", "e", editNote),
    cardShown && !current.shown.suspended && action("Bury", "b", bury),
    cardShown && !current.shown.suspended && action("Suspend", "s", suspend),
  );
}

// ---------- reveal and rate ----------

/** Space: asks for the answer and shows it with the four ratings; on a suspended card, goes on. */
export async function reveal() {
  if (!current) return;
  if (current.shown.suspended) return skip();
  if (current.revealed) return;
  const mine = current;
  mine.revealed = true;
  let shown;
  try {
    shown = await call("review_card", { card: mine.card, reveal: true });
  } catch (error) {
    mine.revealed = false;
    toast.failed("Could not show the answer", error, reveal);
    return;
  }
  if (current !== mine) return;
  mine.shown = shown;
  drawAnswer(shown);
  mine.answerEl.focus({ preventScroll: true });
}

/**
 * An answer as the user wrote it: a highlight's words, then its note (the
 * API puts the note after a blank line); a question's answer, from a note;
 * an insight's body, from the summary.
 */
function answerParts(card, answer) {
  const source = cardSource(card);
  if (source?.kind === "highlight" && !source.question) {
    const at = answer.indexOf("\n\n");
    const [words, note] = at < 0 ? [answer, ""] : [answer.slice(0, at), answer.slice(at + 2)];
    return [h("p", { class: "review-answer-text review-answer-main", text: words }), note && renderMarkdown(note)];
  }
  return source?.question ? renderMarkdown(answer) : h("p", { class: "review-answer-text", text: answer });
}

function drawAnswer(shown) {
  const now = Date.now();
  replace(current.answerEl, h("p", { class: "label", text: "Answer" }), answerParts(shown.card, shown.answer ?? ""));
  const buttons = RATINGS.map((name, n) => {
    const next = interval(shown.next[NEXT_KEYS[n]], now);
    return h(
      "button",
      { type: "button", class: `button review-rating rating-${name.toLowerCase()}`, "aria-keyshortcuts": String(n + 1), on: { click: () => rate(n + 1) } },
      h("span", { class: "rating-name", text: name }),
      h("span", { class: "rating-interval" }, h("span", { "aria-hidden": "true", text: next.short }), h("span", { class: "visually-hidden", text: `: again in ${next.long}` })),
      keyHint(String(n + 1)),
    );
  });
  stage.querySelector(".review-controls").replaceChildren(h("div", { class: "review-ratings", role: "group", "aria-label": "How well did you remember it?" }, buttons));
}

/** 1 to 4: rates the card on screen (once its answer is shown) and shows the next. */
export function rate(rating) {
  if (!current?.revealed || !current.shown.answer) return;
  performance.mark("review-rated");
  const { card } = current;
  const at = Date.now();
  leave(card);
  session.done++;
  save(
    () => call("rate_card", { card, rating, at }),
    () => session.rated.push(card),
    "Rating not saved",
  );
  next();
}

/** Runs `write` after the saves before it; `then()` on success; a failure is said with Retry. */
function save(write, then, failure) {
  const attempt = () => {
    writes = writes.then(write).then(then, (error) => toast.failed(failure, error, attempt));
  };
  attempt();
}

function next() {
  current = null;
  if (session.queue.length) showCard();
  else refill();
}

/** Space on a card suspended by its source: on to the next one. */
function skip() {
  leave(current.card);
  next();
}

/** u: undoes this session's latest saved rating, and its card comes back. */
export async function undo() {
  await writes;
  if (!session?.rated.length) {
    toast.info("No rating to undo in this session.");
    return;
  }
  let event;
  try {
    event = await call("undo_rating");
  } catch (error) {
    toast.failed("Could not undo", error, undo);
    return;
  }
  if (!event) return toast.info("No rating to undo.");
  session.rated = session.rated.filter((card, n, all) => n !== all.lastIndexOf(event.card));
  session.done = Math.max(0, session.done - 1);
  bringBack(event.card);
  toast.info("Rating undone.");
}

/** Shows `card` again, first (when a session is under way; the next one finds it anyway). */
function bringBack(card) {
  if (!session) return;
  session.queue = [card, ...session.queue.filter((c) => c !== card)];
  if (onScreen()) showCard();
}

/** b: buries the card on screen until tomorrow (Undo in the toast takes it back) and shows the next. */
export function bury() {
  if (!current || current.shown.suspended) return;
  const { card } = current;
  leave(card);
  save(() => call("bury_card", { card }), () => history.record("Card buried until tomorrow", () => unbury(card), { offer: true }), "Card not buried");
  next();
}

function unbury(card) {
  return undoWrite(() => call("bury_card", { card, buried: false }), card);
}

/** s: suspends the card on screen (Undo in the toast takes it back) and shows the next. */
export function suspend() {
  if (!current || current.shown.suspended) return;
  const { card } = current;
  leave(card);
  // set_card sets both choices; the card is in review, so it stays in, suspended.
  save(() => call("set_card", { card, included: true, suspended: true }), () => history.record("Card suspended", () => unsuspend(card), { offer: true }), "Card not suspended");
  next();
}

function unsuspend(card) {
  return undoWrite(() => call("set_card", { card, included: true, suspended: false }), card);
}

/**
 * Runs `write`, which takes back a bury or suspend of `card`, after the
 * saves before it, and shows the card again; rejects when it fails, for
 * the undo history to say so.
 */
function undoWrite(write, card) {
  const done = writes.then(write);
  writes = done.catch(() => {});
  return done.then(() => bringBack(card));
}

// ---------- the card's source ----------

/** o: the reader at the card's source: its highlight, its insight, or its episode. */
export function openSource() {
  if (!current) return;
  const source = cardSource(current.card);
  const episode = `#/episode/${encodeURIComponent(current.shown.episode_id)}`;
  if (source?.kind === "highlight") location.hash = `${episode}/${encodeURIComponent(source.highlightId)}`;
  else if (source?.kind === "insight") location.hash = `${episode}/insight/${encodeURIComponent(source.blockKey)}`;
  else location.hash = episode;
}

/** e: edits the note of the card's source, below the card; the answer shows first (the note may hold it). */
export async function editNote() {
  if (!current || current.shown.suspended || stage.querySelector(".review-note")) return;
  const mine = current;
  if (!mine.revealed) await reveal();
  if (current !== mine || !mine.revealed) return;
  let form;
  try {
    form = await noteForm(cardSource(mine.card), mine.shown.episode_id, async (saved) => {
      form.remove();
      if (current !== mine) return;
      if (saved) await recheck();
      current?.answerEl?.focus({ preventScroll: true });
    });
  } catch (error) {
    toast.failed("Could not open the note", error, editNote);
    return;
  }
  if (current !== mine) return;
  stage.querySelector(".review-controls").before(form);
  form.querySelector("textarea").focus();
}

/**
 * Asks again for the card on screen, after a change from elsewhere or an
 * edit of its note, and redraws it if it changed (suspended, re-attached,
 * another prompt); a card that left review gives way to the next.
 */
async function recheck() {
  const mine = current;
  let shown;
  try {
    shown = await call("review_card", { card: mine.card, reveal: mine.revealed });
  } catch (error) {
    if (current === mine && (error.kind === "not_found" || error.kind === "conflict")) {
      current = null;
      dropCard(mine.card, "This card left review: what it was made from changed.");
    }
    return;
  }
  if (current !== mine) return;
  const same = (a) => JSON.stringify([a.prompt, a.answer, a.suspended]);
  if (same(shown) === same(mine.shown)) return;
  mine.shown = shown;
  // A suspended card that comes back starts from its prompt again.
  if (shown.suspended) mine.revealed = false;
  drawCard();
}

/** The keys of Review (keyboard.js), active while the view is on screen. */
export const reviewKeys = { active: onScreen, reveal, rate, undo, open: openSource, edit: editNote, bury, suspend };

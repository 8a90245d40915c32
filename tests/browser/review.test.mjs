// Review (issue 15) in Chromium against a real `gloss serve`: a whole
// session with the keyboard (the answer absent from the page and from the
// prompt's JSON until Space, ratings stored, undo, suspend, the finish
// screen), a card whose highlight an edit of the file orphans and a
// re-attach brings back, Add to / Leave out of review, o and e, the
// settings, and axe in both themes with screenshots in tests/artifacts/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, axe, episodeId, launchBrowser, openApp, screenshot, startGloss, summaryText, waitFor } from "./helpers.mjs";
import { cardSource, interval } from "../../ui/js/cards.js";

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const Q_NOTE = "Q: What share of the price do enterprises pay?\nA: Ten percent, for ninety percent of the quality.";

/**
 * A library holding SAMPLE with four cards: two highlights (the first with
 * a note), a starred insight and a question in the episode's note.
 * Resolves to { gloss, id, highlights: [first, second] }.
 */
async function withCards() {
  const gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  const id = await waitFor(() => episodeId(gloss, SAMPLE.title), { what: "the summary ingested" });
  const first = await gloss.call("create_highlight", { episode_id: id, quote: "400 million downloads", note: "Mostly **mid-size** models." });
  const second = await gloss.call("create_highlight", { episode_id: id, quote: "ninety percent of the quality", color: "green" });
  await gloss.call("set_star", { episode_id: id, block_key: "s1.i2", starred: true });
  await gloss.call("set_episode_note", { episode_id: id, text: Q_NOTE });
  return { gloss, id, highlights: [first, second] };
}

/** The card on screen, by its id; null while none is. */
const cardOnScreen = (page) => page.evaluate(() => document.querySelector(".review-card")?.dataset.card ?? null);

/** Waits until a card other than `card` is on screen, and returns it. */
const nextCard = (page, card) =>
  waitFor(async () => {
    const now = await cardOnScreen(page);
    return now !== card && now;
  }, { what: `a card other than ${card}` });

/** The words the answer of `card` starts with (a highlight's note follows them). */
async function answerWords(gloss, card) {
  const { answer } = await gloss.call("review_card", { card, reveal: true });
  return answer.split("\n\n")[0];
}

/** Everything the page holds: its markup and its text. */
const pageHolds = async (page, text) => (await page.content()).includes(text) || (await page.evaluate(() => document.documentElement.textContent)).includes(text);

/** Records every review_card answer the page receives: { args, body }. */
function recordPrompts(page) {
  const seen = [];
  const reading = [];
  page.on("response", (response) => {
    if (!response.url().endsWith("/api/call")) return;
    const request = JSON.parse(response.request().postData() ?? "{}");
    if (request.op !== "review_card") return;
    reading.push(response.text().then((body) => seen.push({ args: request.args, body }), () => {}));
  });
  return { all: async () => (await Promise.all(reading), seen) };
}

test("intervals read as the rating buttons show them, and card ids name their source", () => {
  const now = 1_800_000_000_000;
  const minute = 60_000;
  const day = 24 * 60 * minute;
  assert.deepEqual(interval(now + 10 * minute, now), { short: "10 min", long: "10 minutes" });
  assert.deepEqual(interval(now + 20_000, now), { short: "1 min", long: "1 minute" });
  assert.equal(interval(now + 3 * 60 * minute, now).short, "3 h");
  assert.deepEqual(interval(now + day, now), { short: "1 d", long: "1 day" });
  assert.equal(interval(now + 4 * day + 3 * 60 * minute, now).short, "4 d");
  assert.equal(interval(now + 61 * day, now).short, "2 mo");
  assert.equal(interval(now + 800 * day, now).short, "2 y");
  assert.equal(interval(now - day, now).short, "1 min", "an overdue time counts as now");

  assert.deepEqual(cardSource("highlight/5b0c"), { kind: "highlight", highlightId: "5b0c", question: false });
  assert.deepEqual(cardSource("insight/fp01/s2.i1"), { kind: "insight", blockKey: "s2.i1", question: false });
  assert.deepEqual(cardSource("question/highlight/5b0c"), { kind: "highlight", highlightId: "5b0c", question: true });
  assert.deepEqual(cardSource("question/insight/fp01/s1.i3"), { kind: "insight", blockKey: "s1.i3", question: true });
  assert.deepEqual(cardSource("question/episode/fp01"), { kind: "episode", question: true });
  for (const bad of ["episode/fp01", "highlight", "insight/fp01", "question/x/y"]) assert.equal(cardSource(bad), null, bad);
});

test("a whole session with the keyboard: answers only after Space, ratings stored, undo, suspend, then the finish screen", async () => {
  const { gloss } = await withCards();
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/review`);
  const prompts = recordPrompts(page);
  try {
    await page.waitForSelector(".review-card");
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("4"), { what: "4 cards in the navigation" });
    assert.equal(await page.textContent("#review-progress"), "1 of 4");

    /** Checks that card's answer is nowhere before Space and on screen after, then rates it with `key`. */
    const reviewWith = async (key) => {
      const card = await cardOnScreen(page);
      const words = await answerWords(gloss, card);
      assert.equal(await pageHolds(page, words), false, `the answer of ${card} is not in the page before it is revealed`);
      const asked = await gloss.call("review_card", { card });
      assert.equal("answer" in asked, false);
      assert.equal(JSON.stringify(asked).includes(words), false, "the prompt's JSON does not hold the answer");
      for (const { args, body } of await prompts.all()) {
        if (!args.reveal) assert.equal(body.includes(JSON.stringify(words).slice(1, -1)), false, `a prompt the page received holds the answer of ${card}`);
      }
      await page.keyboard.press(" ");
      await page.waitForSelector(".review-rating");
      assert.ok((await page.textContent(".review-answer")).includes(words), "the answer is shown after Space");
      const intervals = await page.locator('.review-rating .rating-interval [aria-hidden="true"]').allTextContents();
      assert.equal(intervals.length, 4);
      for (const text of intervals) assert.match(text, /^\d+ (min|h|d|mo|y)$/);
      await page.keyboard.press(key);
      return card;
    };

    const a = await reviewWith("3");
    const b = await nextCard(page, a);
    assert.equal(await page.textContent("#review-progress"), "2 of 4");
    await waitFor(async () => (await gloss.call("review_stats")).reviewed_today === 1, { what: "the Good rating stored" });
    assert.equal((await gloss.call("review_card", { card: a })).phase, "learning");

    // u: the rating is undone and its card comes back, unrevealed.
    await page.keyboard.press("u");
    await waitFor(async () => (await cardOnScreen(page)) === a, { what: "the undone card back on screen" });
    assert.equal(await page.textContent(".review-answer"), "");
    assert.equal(await page.textContent("#review-progress"), "1 of 4");
    await waitFor(async () => (await gloss.call("review_stats")).reviewed_today === 0, { what: "the rating undone" });
    assert.equal((await gloss.call("review_card", { card: a })).phase, "new");

    await reviewWith("4");
    assert.equal(await nextCard(page, a), b);
    await waitFor(async () => (await gloss.call("review_card", { card: a })).phase === "review", { what: "the Easy rating stored" });

    // s: suspended, and out of what is due.
    await page.keyboard.press("s");
    await nextCard(page, b);
    await page.waitForSelector('.toast:has-text("Card suspended.")');
    await waitFor(async () => (await gloss.call("review_card", { card: b })).suspended === "suspended", { what: "the card suspended" });
    assert.equal((await gloss.call("review_due")).cards.some((c) => c.card === b), false);

    const c = await reviewWith("4");
    const d = await nextCard(page, c);
    await reviewWith("3");
    // Good on a new card means again in ten minutes: it comes back today, in this session.
    await waitFor(async () => (await cardOnScreen(page)) === d && (await page.textContent(".review-answer")) === "", { what: `${d} again` });
    assert.equal(await page.textContent("#review-progress"), "4 of 4");
    await reviewWith("4");

    await page.waitForSelector(".review-finish h2:has-text('All done for now')");
    const stats = await gloss.call("review_stats");
    assert.equal(stats.reviewed_today, 4);
    assert.equal(stats.streak, 1);
    const facts = await page.locator(".review-fact dd").allTextContents();
    assert.deepEqual([facts[0], facts[2]], ["4 cards", "1 day"]);
    const days = await page.locator(".forecast-day .visually-hidden").allTextContents();
    assert.equal(days.length, 7);
    assert.equal(days[0], `Today: ${stats.forecast[0]} card${stats.forecast[0] === 1 ? "" : "s"}`);
    await waitFor(async () => page.locator("#review-count").isHidden(), { what: "no count once nothing is ready" });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("Review opened from the reader as the first thing done loads its view then, and its keys work at once", async () => {
  const { gloss, id } = await withCards();
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  try {
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("4"), { what: "4 cards counted before the view is loaded" });
    const fetched = () => page.evaluate(() => performance.getEntriesByType("resource").some((r) => r.name.endsWith("/js/review.js")));
    assert.equal(await fetched(), false, "the first paint does not load the Review view");
    await page.click('.views a[data-view="review"]');
    await page.waitForSelector(".review-card");
    assert.equal(await fetched(), true);
    assert.equal(await page.textContent("#review-progress"), "1 of 4");
    const card = await cardOnScreen(page);
    await page.keyboard.press(" ");
    await page.waitForSelector(".review-rating");
    await page.keyboard.press("3");
    await nextCard(page, card);
    await waitFor(async () => (await gloss.call("review_stats")).reviewed_today === 1, { what: "the Good rating stored" });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("a card whose highlight an edit of the file orphans is suspended with the reason, and comes back when re-attached", async () => {
  const gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/review`, { colorScheme: "dark" });
  try {
    await page.waitForSelector(".review-finish h2:has-text('Nothing to review yet')");
    const id = await waitFor(() => episodeId(gloss, SAMPLE.title), { what: "the summary ingested" });
    const hl = await gloss.call("create_highlight", { episode_id: id, quote: "400 million downloads" });
    const card = `highlight/${hl.id}`;
    // Made by another client while the page shows that nothing is to review: the card comes, and is counted.
    await page.waitForSelector(`.review-card[data-card="${card}"]`);
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("1"), { what: "the new card counted" });

    const edited = structuredClone(SAMPLE);
    edited.sections[0].insights[0][1] = "Nobody counts them any more; what matters is which ones run on a laptop.";
    await writeFile(path.join(gloss.library, "signal-hours.txt"), summaryText(edited));
    await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items[0].anchor.status === "orphaned", { what: "the highlight orphaned" });
    await page.waitForSelector(".review-suspended");
    assert.match(await page.textContent(".review-suspended"), /Suspended: Its highlight lost its place in the text; re-attach the highlight/);
    assert.ok(await page.$(".review-reveal:has-text('Skip')"), "a suspended card can only be skipped");
    assert.match((await gloss.call("review_card", { card })).suspended, /lost its place/);
    await waitFor(async () => page.locator("#review-count").isHidden(), { what: "the suspended card no longer counted" });
    await screenshot(page, "review-suspended-dark");

    // Re-attached to the same words' new neighbour: the card comes back, with its new answer.
    const text = (await gloss.call("get_episode", { id })).blocks.map((b) => b.text).join("\n\n");
    const phrase = "which ones run on a laptop";
    const start = [...text.slice(0, text.indexOf(phrase))].length;
    await gloss.call("reattach_highlight", { id: hl.id, start, end: start + [...phrase].length });
    await waitFor(async () => !(await page.$(".review-suspended")), { what: "the card no longer suspended" });
    assert.equal(await cardOnScreen(page), card);
    assert.match(await page.textContent(".review-prompt"), /what matters is/);
    assert.equal(await pageHolds(page, phrase), false, "the new answer is not in the page either");
    await page.keyboard.press(" ");
    await page.waitForSelector(".review-rating");
    assert.equal(await page.textContent(".review-answer-main"), phrase);
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("1"), { what: "the card counted again" });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("o opens a card's source in the reader at its place, and e edits its note", async () => {
  const { gloss, id, highlights } = await withCards();
  const { fingerprint } = await gloss.call("get_episode", { id });
  const suspend = (card, suspended = true) => gloss.call("set_card", { card, included: true, suspended });
  const [first, second] = highlights.map((hl) => `highlight/${hl.id}`);
  const insight = `insight/${fingerprint}/s1.i2`;
  for (const card of [first, second, `question/episode/${fingerprint}`]) await suspend(card);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/review`);
  try {
    await page.waitForSelector(`.review-card[data-card="${insight}"]`);
    await page.keyboard.press("o");
    await page.waitForSelector('.insight.is-current[data-insight="s1.i2"]');
    assert.match(page.url(), new RegExp(`#/episode/${id}/insight/s1\\.i2$`));
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.insight), "s1.i2");

    // Back in Review the session goes on with the same card; e shows the answer, then the insight's note.
    await page.click('a[data-view="review"]');
    await page.waitForSelector(`.review-card[data-card="${insight}"]`);
    await page.keyboard.press("e");
    await page.waitForSelector(".review-note textarea:focus");
    assert.ok((await page.textContent(".review-answer")).includes("Labs distill"), "editing the note shows the answer first");
    const note = "Q: Who gains when one lab releases? A: Every lab that builds on it.";
    await page.keyboard.type(note);
    await page.keyboard.press("Control+Enter");
    await waitFor(async () => !(await page.$(".review-note")), { what: "the note form closed" });
    assert.equal((await gloss.call("get_episode", { id })).insight_notes["s1.i2"], note);
    const question = `question/insight/${fingerprint}/s1.i2`;
    assert.ok((await gloss.call("review_due")).cards.some((c) => c.card === question), "the note is a question card of its own");

    // Elsewhere, the insight's card is suspended and the first highlight's is not: the card on screen says so, and Space skips it.
    await Promise.all([suspend(insight), suspend(question), suspend(first, false)]);
    await page.click('a[data-view="reader"]');
    await page.click('a[data-view="review"]');
    await page.waitForSelector(`.review-card[data-card="${insight}"] .review-suspended`);
    await page.keyboard.press(" ");
    await page.waitForSelector(`.review-card[data-card="${first}"]`);
    await page.keyboard.press("e");
    await page.waitForSelector(".review-note textarea:focus");
    assert.equal(await page.inputValue(".review-note textarea"), "Mostly **mid-size** models.");
    await page.keyboard.press("Escape");
    await waitFor(async () => !(await page.$(".review-note")), { what: "Esc closing the note form" });
    assert.ok(await page.$(".review-card"), "Esc closed the form, not the card");
    await page.keyboard.press("o");
    await page.waitForSelector(`mark.hl[data-ids~="${highlights[0].id}"]`);
    assert.match(page.url(), new RegExp(`#/episode/${id}/${highlights[0].id}$`));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("Add to and Leave out of review, from the highlight editor and beside an insight's star, with the count following", async () => {
  const { gloss, id, highlights } = await withCards();
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  try {
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("4"), { what: "4 cards counted" });
    const card = `highlight/${highlights[1].id}`;
    await page.click("mark.hl-green");
    const toggle = page.locator(".editor .review-toggle-row button");
    await waitFor(async () => (await toggle.textContent()) === "Leave out of review", { what: "the highlight shown in review" });
    await toggle.focus();
    await page.keyboard.press("Enter");
    await waitFor(async () => !(await gloss.call("review_due")).cards.some((c) => c.card === card), { what: "the highlight left out" });
    assert.equal(await toggle.textContent(), "Add to review");
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("3"), { what: "the count following" });
    await page.keyboard.press("Enter");
    await waitFor(async () => (await gloss.call("review_due")).cards.some((c) => c.card === card), { what: "the highlight back in review" });
    await page.keyboard.press("Escape");

    // An unstarred insight: out of review, then in, with the keyboard.
    const { fingerprint } = await gloss.call("get_episode", { id });
    const insight = `insight/${fingerprint}/s2.i1`;
    const button = page.locator('[data-review-insight="s2.i1"]');
    await button.focus();
    await waitFor(async () => (await button.getAttribute("aria-pressed")) === "false", { what: "the insight shown out of review" });
    await page.keyboard.press("Enter");
    await waitFor(async () => (await button.getAttribute("aria-pressed")) === "true", { what: "the insight shown in review" });
    await waitFor(async () => (await gloss.call("review_due")).cards.some((c) => c.card === insight), { what: "the insight in review" });
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("5"), { what: "the count following" });
    // The starred one is in review by its star; leaving it out keeps the star.
    const starred = page.locator('[data-review-insight="s1.i2"]');
    await starred.focus();
    await waitFor(async () => (await starred.getAttribute("aria-pressed")) === "true", { what: "the starred insight shown in review" });
    await page.keyboard.press("Enter");
    await waitFor(async () => !(await gloss.call("review_due")).cards.some((c) => c.card === `insight/${fingerprint}/s1.i2`), { what: "the starred insight left out" });
    assert.deepEqual((await gloss.call("get_episode", { id })).stars, ["s1.i2"]);

    // A highlight made by another client is counted at once.
    await gloss.call("create_highlight", { episode_id: id, quote: "Labs distill" });
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("5"), { what: "another client's highlight counted" });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("b buries a card until tomorrow, and what enters review is chosen in Settings, per episode and per tag", async () => {
  const { gloss, id, highlights } = await withCards();
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/review`, { bypassCSP: true });
  try {
    await page.waitForSelector(".review-card");
    const first = await cardOnScreen(page);
    await page.keyboard.press("b");
    await nextCard(page, first);
    await page.waitForSelector('.toast:has-text("Card buried until tomorrow.")');
    await waitFor(async () => (await gloss.call("review_card", { card: first })).buried_until > Date.now(), { what: "the card buried" });
    assert.equal((await gloss.call("review_due")).cards.some((c) => c.card === first), false, "a buried card is not due today");
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("3"), { what: "the buried card no longer counted" });
    await page.click('.toast button:has-text("Undo")');
    await waitFor(async () => (await cardOnScreen(page)) === first, { what: "the unburied card back on screen" });

    // Settings: highlights no longer enter review.
    await page.goto(`${gloss.url}#/settings/review`);
    await page.waitForSelector("#review-kind-highlights:not([disabled])");
    assert.equal(await page.isChecked("#review-kind-highlights"), true);
    await page.focus("#review-kind-highlights");
    await page.keyboard.press(" ");
    await waitFor(async () => (await gloss.call("review_sources")).highlights === false, { what: "highlights left out" });
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("2"), { what: "two cards left: the insight and the question" });
    await page.keyboard.press(" ");
    await waitFor(async () => (await gloss.call("review_sources")).highlights === true, { what: "highlights back" });

    // The episode: everything in it, then left out.
    await page.goto(`${gloss.url}#/episode/${id}`);
    await page.waitForSelector("#episode-review:not([disabled])");
    await page.selectOption("#episode-review", "in");
    await waitFor(async () => (await gloss.call("review_due")).new > 4, { what: "every insight in review" });
    await page.selectOption("#episode-review", "out");
    await waitFor(async () => (await gloss.call("review_due")).new === 0, { what: "the episode left out" });
    await waitFor(async () => page.locator("#review-count").isHidden(), { what: "nothing counted" });
    await page.selectOption("#episode-review", "");
    await waitFor(async () => (await gloss.call("review_due")).new === 4, { what: "back to the rules" });

    // A tag: left out in the tag manager.
    await gloss.call("update_highlight", { id: highlights[1].id, tags: ["Later"] });
    await page.goto(`${gloss.url}#/tags`);
    await page.waitForSelector("#tag-review-0:not([disabled])");
    await page.selectOption("#tag-review-0", "out");
    await waitFor(async () => (await gloss.call("review_sources")).tags.later === false, { what: "the tag left out" });
    assert.equal((await gloss.call("review_due")).cards.some((c) => c.card === `highlight/${highlights[1].id}`), false);
    await axe(page, "tag manager with review choices");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

test("review settings are read and saved whole, and the day's limits change what is ready", async () => {
  const { gloss } = await withCards();
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/settings/review`);
  try {
    await page.waitForSelector("#review-new:not([disabled])");
    assert.equal(await page.inputValue("#review-retention"), "90");
    assert.equal(await page.inputValue("#review-new"), "20");
    assert.equal(await page.inputValue("#review-max"), "200");
    assert.equal(await page.inputValue("#review-day-start"), "4");
    await page.fill("#review-new", "1");
    await page.keyboard.press("Tab");
    await page.selectOption("#review-day-start", "5");
    await page.focus("#review-retention");
    await page.keyboard.press("ArrowRight"); // 91 %
    await page.keyboard.press("Tab");
    await waitFor(async () => (await gloss.call("review_settings")).day.starts_at_hour === 5 && (await gloss.call("review_settings")).desired_retention === 0.91, { what: "the settings saved" });
    const saved = await gloss.call("review_settings");
    assert.equal(saved.new_per_day, 1);
    assert.equal(saved.max_reviews_per_day, 200);
    assert.equal(saved.day.utc_offset_minutes, await page.evaluate(() => 0 - new Date().getTimezoneOffset()));
    await waitFor(async () => (await page.textContent("#review-count")).startsWith("1"), { what: "one new card a day" });

    await page.fill("#review-max", "-3");
    await page.keyboard.press("Tab");
    await page.waitForSelector("#review-max-error:not([hidden])");
    assert.equal(await page.getAttribute("#review-max", "aria-invalid"), "true");
    assert.equal((await gloss.call("review_settings")).max_reviews_per_day, 200, "nothing saved");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await gloss.stop();
  }
});

for (const scheme of ["light", "dark"]) {
  test(`Review passes axe in the ${scheme} theme: a card before and after Space, the note form, the finish screen, the toggles and the settings`, async () => {
    const { gloss, id } = await withCards();
    const { context, page, problems } = await openApp(browser, `${gloss.url}#/review`, { colorScheme: scheme, bypassCSP: true });
    try {
      await page.waitForSelector(".review-card");
      await page.waitForTimeout(100);
      await screenshot(page, `review-prompt-${scheme}`);
      await axe(page, `review card (${scheme})`);
      await page.keyboard.press(" ");
      await page.waitForSelector(".review-rating");
      await screenshot(page, `review-answer-${scheme}`);
      await axe(page, `review answer (${scheme})`);
      await page.keyboard.press("e");
      await page.waitForSelector(".review-note textarea:focus");
      await axe(page, `review note form (${scheme})`);
      await page.keyboard.press("Escape");
      await page.keyboard.press("?");
      await page.waitForSelector("dialog#shortcuts[open]");
      assert.match(await page.textContent("#shortcuts-list"), /Review: show the answer/);
      await page.keyboard.press("Escape");
      // Good twice a card (new, then learning): each is due again within the week the forecast shows.
      for (let n = 0; n < 12 && !(await page.$(".review-finish")); n++) {
        await page.keyboard.press(" ");
        await page.waitForSelector(".review-rating");
        await page.keyboard.press("3");
        await waitFor(async () => (await page.$(".review-finish")) || (await page.$(".review-reveal")), { what: "the next card" });
      }
      await page.waitForSelector(".review-finish");
      await screenshot(page, `review-finish-${scheme}`);
      await axe(page, `review finish screen (${scheme})`);

      await page.goto(`${gloss.url}#/episode/${id}`);
      await page.click("mark.hl-green");
      await page.waitForSelector(".editor .review-toggle-row button:not([disabled])");
      await page.focus('[data-review-insight="s1.i2"]');
      await page.waitForSelector('[data-review-insight="s1.i2"][aria-pressed]');
      await axe(page, `highlight editor and insight toggles (${scheme})`);
      await page.keyboard.press("Escape");
      await page.goto(`${gloss.url}#/settings/review`);
      await page.waitForSelector("#review-new:not([disabled])");
      await screenshot(page, `settings-review-${scheme}`);
      await axe(page, `review settings (${scheme})`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await gloss.stop();
    }
  });
}

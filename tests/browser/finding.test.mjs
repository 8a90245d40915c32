// Finding things (issue 16, items 4-7): search as you type with prefixes,
// a typo forgiven, a count and pages; the library sorted, the order kept;
// every kind of note written, rendered and found alike; tags as links to
// their filter and moved under a new parent of their own name. Changed
// views pass axe in both themes and are saved as screenshots.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, axe, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText, waitFor } from "./helpers.mjs";

const SLEEP = {
  title: "Deep Sleep and the Caffeine Curve",
  show: "Health Hour",
  tldr: "Caffeine late in the day delays deep sleep by hours.",
  sections: [{ emoji: "☕", title: "The Curve", insights: [["Half-life matters", "Caffeine has a half-life of five to six hours."]] }],
  bottom: "Stop the coffee by noon.",
};
/** Enough episodes mentioning sleep to need a second page of results. */
const NAPS = 45;

let gloss;
let browser;
let sleepId;
let sampleId;

before(async () => {
  const files = {
    "sleep.txt": summaryText(SLEEP),
    "sample.txt": summaryText(SAMPLE),
    "alpha.txt": summaryText({ ...SAMPLE, title: "Aardvark Economics", show: "Zebra Radio", related: [] }),
  };
  for (let n = 1; n <= NAPS; n++) files[`nap-${n}.txt`] = summaryText({ title: `Nap Study ${n}`, show: "Rest Notes", tldr: `A short nap ${n} improves sleep quality.` });
  gloss = await startGloss(files);
  browser = await launchBrowser();
  sleepId = await episodeId(gloss, SLEEP.title);
  sampleId = await episodeId(gloss, SAMPLE.title);
  await highlightPhrase(gloss, sleepId, "delays deep sleep", "yellow", { tags: ["climate"] });
  await highlightPhrase(gloss, sampleId, "400 million downloads", "blue", { tags: ["climate/policy"] });
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

async function typeSearch(page, text) {
  await page.fill("#search", "");
  await page.type("#search", text);
  await page.waitForFunction((q) => document.querySelector("#search").value === q && !document.querySelector("#search-results").hidden, text);
}

const hitTitles = (page) => page.$$eval(".search-hit .hit-title", (els) => els.map((el) => el.textContent));

test("search matches the word being typed, forgives a typo, counts results and pages past 40", async () => {
  const { context, page, problems } = await openApp(browser, gloss.url, { bypassCSP: true });
  await typeSearch(page, "caffe");
  await waitFor(async () => (await hitTitles(page)).includes(SLEEP.title), { what: "caffe finds the episode" });

  await typeSearch(page, "deep slee");
  await waitFor(async () => (await page.$$(".search-hit")).length >= 2, { what: "episode and highlight hits" });
  const kinds = await page.$$eval(".search-hit .badge", (els) => els.map((el) => el.textContent));
  assert.ok(kinds.includes("Episode") && kinds.includes("Highlight"), kinds.join(", "));
  assert.ok((await hitTitles(page)).includes(SLEEP.title));

  await typeSearch(page, "caffiene");
  // The hits of "deep slee" hold the episode too: wait for this query's answer.
  await waitFor(async () => /words close to “caffiene”/.test(await page.textContent("#search-status")), { what: "the typo's answer" });
  assert.ok((await hitTitles(page)).includes(SLEEP.title), "a typo still finds the episode");

  await typeSearch(page, "sleep");
  await page.waitForSelector(".search-more button");
  const status = await page.textContent("#search-status");
  const total = Number(status.match(/^([\d,]+) results/)[1].replace(/,/g, ""));
  assert.ok(total > 40, status);
  assert.equal((await page.$$(".search-hit")).length, 40);
  await screenshot(page, "search-paged-light");
  await axe(page, "search results with a count and Show more (light)");
  await page.focus(".search-more button");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await page.$$(".search-hit")).length === total, { what: "the second page" });
  assert.equal(await page.$(".search-more"), null, "no more pages");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the library sorts by title, show, last read and most highlighted, with filters, and keeps the order", async () => {
  const { context, page, problems } = await openApp(browser, gloss.url, { bypassCSP: true });
  const titles = () => page.$$eval(".episode-row .episode-title", (els) => els.map((el) => el.textContent));
  const firstTitle = async (expected) => waitFor(async () => (await titles())[0] === expected, { what: `${expected} first` });

  await page.selectOption("#library-sort", "title");
  await firstTitle("Aardvark Economics");
  await page.selectOption("#library-sort", "show");
  await firstTitle(SLEEP.title); // Health Hour, before Rest Notes, Signal Hours, Zebra Radio
  await page.selectOption("#library-sort", "most_highlighted");
  await waitFor(async () => [SLEEP.title, SAMPLE.title].every(async (t) => (await titles()).slice(0, 2).includes(t)), { what: "highlighted first" });
  await gloss.call("set_reading_state", { episode_id: sampleId, position: 0 });
  await page.selectOption("#library-sort", "last_read");
  await firstTitle(SAMPLE.title);

  // With a filter, the order holds within it.
  await page.selectOption("#library-sort", "title");
  await page.selectOption("#filter-show", "Rest Notes");
  await firstTitle("Nap Study 1");
  assert.equal((await titles())[1], "Nap Study 10", "titles compare as text");
  await screenshot(page, "library-sorted-light");
  await axe(page, "library sorted by title (light)");

  // Kept for this machine: a new window opens in the same order.
  await waitFor(async () => (await gloss.call("get_settings")).library_sort === "title", { what: "the order saved" });
  const second = await openApp(browser, gloss.url);
  assert.equal(await second.page.inputValue("#library-sort"), "title");
  await waitFor(async () => (await second.page.$eval(".episode-row .episode-title", (el) => el.textContent)) === "Aardvark Economics", { what: "sorted on opening" });
  assert.deepEqual([...problems, ...second.problems], []);
  await second.context.close();
  await context.close();
});

test("episode and insight notes are written and rendered like highlight notes, and the Notes view finds them", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${sleepId}`, { bypassCSP: true });
  await page.waitForSelector('[data-block="tldr"]');

  // The episode's note, with n: written as Markdown, shown rendered.
  await page.keyboard.press("n");
  await page.waitForSelector("#episode-note:focus");
  await page.keyboard.type("Try **decaf** after noon.");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#sidebar .note-shown strong");
  assert.equal(await page.textContent("#sidebar .note-shown strong"), "decaf");

  // An insight's note, reached by keyboard.
  const write = page.locator('[data-insight="s1.i1"] .note-edit');
  await write.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.type("Five *hours* is longer than it feels.");
  await page.keyboard.press("Tab");
  await page.waitForSelector('[data-insight="s1.i1"] .note-shown em');
  await waitFor(async () => (await gloss.call("get_episode", { id: sleepId })).insight_notes["s1.i1"]?.includes("*hours*"), { what: "the insight note saved" });
  await screenshot(page, "reader-notes-light");
  await axe(page, "reader with episode and insight notes (light)");

  await page.goto(`${gloss.url}#/notes`);
  await page.waitForSelector(".feed-note");
  const on = await page.$$eval(".feed-note .feed-on", (els) => els.map((el) => el.textContent));
  assert.ok(on.includes("Note on the episode"), on.join(" | "));
  assert.ok(on.includes("Note on the insight “Half-life matters”"), on.join(" | "));
  assert.equal(await page.textContent(".feed-note .markdown strong"), "decaf");

  await page.fill("#notes-text", "decaf");
  await waitFor(async () => (await page.$$(".feed-item")).length === 1, { what: "only the episode note" });
  assert.equal(await page.textContent(".feed-item .feed-on"), "Note on the episode");
  await page.click(".feed-item .feed-source a");
  await page.waitForSelector('[data-block="tldr"]');
  assert.equal(await page.evaluate(() => location.hash), `#/episode/${sleepId}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a tag is a link to its filter, and renaming climate to climate/adaptation moves it and its children", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/tags`, { bypassCSP: true });
  await page.waitForSelector(".tag-table");
  await page.click('button[aria-label="Rename climate"]');
  await page.fill(".inline-form input", "climate/adaptation");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await page.$$eval(".tag-name", (els) => els.map((el) => el.textContent))).includes("climate/adaptation/policy"), { what: "the family moved" });
  const names = await page.$$eval(".tag-name", (els) => els.map((el) => el.textContent));
  assert.deepEqual(names, ["climate/adaptation", "climate/adaptation/policy"]);
  await screenshot(page, "tags-moved-light");
  await axe(page, "tag manager after the move (light)");

  // A chip in the sidebar leads to the Notes view filtered by its tag.
  await page.goto(`${gloss.url}#/episode/${sleepId}`);
  await page.waitForSelector("#sidebar a.chip");
  await page.focus("#sidebar a.chip");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#notes-title");
  await waitFor(async () => (await page.inputValue("#notes-tag")) === "climate/adaptation", { what: "filtered by the tag" });
  await waitFor(async () => (await page.$$(".feed-item")).length === 2, { what: "the highlight and the one under its child tag" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("changed views pass axe in the dark theme", async () => {
  const { context, page } = await openApp(browser, `${gloss.url}#/episode/${sleepId}`, { colorScheme: "dark", bypassCSP: true });
  await page.waitForSelector('[data-block="tldr"]');
  await typeSearch(page, "sleep");
  await page.waitForSelector(".search-more button");
  await screenshot(page, "finding-reader-dark");
  await axe(page, "reader, notes and search (dark)");
  await page.goto(`${gloss.url}#/notes`);
  await page.waitForSelector(".feed-item");
  await screenshot(page, "notes-all-kinds-dark");
  await axe(page, "Notes view with every kind of note (dark)");
  await context.close();
});

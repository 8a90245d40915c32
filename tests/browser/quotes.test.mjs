// A highlight's quote keeps the breaks of the text it was taken from,
// wherever the quote is shown: the sidebar, the editor, the chooser of
// overlapping highlights, the Notes view and search results. Run together, two paragraphs
// read as one sentence ("…frontier model. Distillation compounds").
// innerText is what the page renders, white-space rules applied.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, episodeId, highlightPhrase, launchBrowser, openApp, renderedText as rendered, startGloss, summaryText } from "./helpers.mjs";

/** The end of one insight's body and the next insight's title. */
const ACROSS = "frontier model.\n\nDistillation compounds";

let gloss;
let browser;
let id;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  browser = await launchBrowser();
  id = await episodeId(gloss, SAMPLE.title);
  await highlightPhrase(gloss, id, ACROSS, "blue");
  // Overlapping its first part, so a click there asks which highlight.
  await highlightPhrase(gloss, id, "frontier model.", "yellow");
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("a quote across two paragraphs keeps its break in the sidebar, the editor, the chooser, the Notes view and search", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector("mark.hl-overlap");

  const card = page.locator(".annotation-quote", { hasText: "Distillation" });
  assert.equal(await rendered(card), ACROSS, "the sidebar");

  await page.click('[data-block="s1.i2.title"] mark.hl-blue');
  assert.equal(await rendered(page.locator(".editor-quote")), ACROSS, "the editor");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".editor", { state: "detached" });

  await page.click("mark.hl-overlap");
  const choice = page.locator(".chooser [role=menuitem]", { hasText: "Distillation" });
  assert.equal(await rendered(choice.locator(".quote")), ACROSS, "the chooser");
  await page.keyboard.press("Escape");

  await page.goto(`${gloss.url}#/notes`);
  const feed = page.locator(".feed-quote", { hasText: "Distillation" });
  assert.equal(await rendered(feed), ACROSS, "the Notes view");

  await page.fill("#search", "distillation");
  const hit = page.locator(".search-hit", { has: page.locator(".badge", { hasText: "Highlight" }) });
  assert.equal(await rendered(hit.locator(".hit-snippet")), ACROSS, "a search result");
  assert.deepEqual(problems, []);
  await context.close();
});

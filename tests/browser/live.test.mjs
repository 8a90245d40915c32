// Live updates: a summary dropped into the library folder appears without a
// reload; a highlighted summary edited on disk re-renders its highlights
// with their new status, without moving the reading position.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, episodeId, highlightPhrase, launchBrowser, markedText, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

let gloss;
let browser;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("a summary dropped into the library folder appears without a reload", async () => {
  const { context, page, problems } = await openApp(browser, gloss.url);
  await page.waitForSelector(".episode-row");
  await page.evaluate(() => (window.__sameDocument = true));
  const title = "Fresh Off the Press";
  const dropped = Date.now();
  await writeFile(path.join(gloss.library, "fresh.txt"), summaryText({ ...SAMPLE, title, show: "Night Shift" }));
  await page.waitForSelector(`.episode-row:has-text("${title}")`, { timeout: 10000 });
  // Printed, not asserted: tests never assert on wall-clock time (see bench.mjs).
  console.log(`new episode shown ${Date.now() - dropped} ms after the file was written`);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  assert.deepEqual(problems, []);
  await context.close();
});

test("editing a highlighted summary on disk re-renders its highlights with their new status", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const kept = await highlightPhrase(gloss, id, "switch when the gap is that wide", "green");
  await highlightPhrase(gloss, id, "score like last year's frontier model", "pink");

  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector("mark.hl-pink");
  await page.evaluate(() => (window.__sameDocument = true));
  // Read somewhere in the middle; the edit must not move this.
  await page.evaluate(() => document.querySelector('[data-block="s2.title"]').scrollIntoView({ block: "start" }));
  const topBefore = await page.evaluate(() => document.querySelector('[data-block="s2.title"]').getBoundingClientRect().top);

  const edited = structuredClone(SAMPLE);
  edited.tldr = `Updated: ${SAMPLE.tldr} A longer opening moves every offset after it.`;
  edited.sections[0].insights[0][1] = "Open-weight models passed 400 million downloads; nobody compares them with anything any more.";
  await writeFile(path.join(gloss.library, "signal-hours.txt"), summaryText(edited));

  await page.waitForSelector(".problems .annotation", { timeout: 10000 });
  const problemCard = page.locator(".problems .annotation");
  assert.match(await problemCard.textContent(), /score like last year's frontier model/);
  assert.match(await problemCard.locator(".annotation-reason").textContent(), /^(Orphaned|Fuzzy|Ambiguous): \S/);
  assert.equal(await markedText(page, kept.id), "switch when the gap is that wide", "the moved highlight is painted at its new place");
  const moved = (await gloss.call("list_highlights", { episode_id: id })).items.find((hl) => hl.id === kept.id);
  assert.notEqual(moved.anchor.start, kept.anchor.start);
  const topAfter = await page.evaluate(() => document.querySelector('[data-block="s2.title"]').getBoundingClientRect().top);
  assert.ok(Math.abs(topAfter - topBefore) < 2, `reading position kept (${topBefore} → ${topAfter})`);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  assert.deepEqual(problems, []);
  await context.close();
});

test("an edit in one window appears in another", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const one = await openApp(browser, `${gloss.url}#/episode/${id}`);
  const two = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await one.page.waitForSelector('[data-block="bottom"]');
  await two.page.waitForSelector('[data-block="bottom"]');
  await one.page.click("#sidebar .note-edit");
  await one.page.fill("#episode-note", "Shared thought");
  await one.page.locator("#episode-tags").fill("shared");
  await one.page.press("#episode-tags", "Enter");
  await one.page.locator("#episode-note").blur();
  await highlightPhrase(gloss, id, "commodity input", "purple");
  await two.page.waitForSelector("mark.hl-purple", { timeout: 10000 });
  await waitFor(() => two.page.locator(".chip", { hasText: "shared" }).count(), { what: "the tag from the other window" });
  assert.deepEqual([...one.problems, ...two.problems], []);
  await one.context.close();
  await two.context.close();
});

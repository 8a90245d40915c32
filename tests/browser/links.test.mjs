// Links to a highlight, #/highlight/<id> (the desktop window's
// gloss://highlight/<id> goes to the same route): the highlight's episode
// opens scrolled to it, with it flashed; one whose place an edit of the
// file lost opens its episode saying so, with its quote; one in the trash
// says it was deleted and leads to the trash; an id no highlight has says
// it was not found. Never a blank reader.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, axe, besidesStatus, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText, waitFor } from "./helpers.mjs";

const CHIPS = { ...SAMPLE, title: "The Chip Supply Chain", related: [] };

let gloss;
let browser;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE), "chips.txt": summaryText(CHIPS) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

/** The reader's title and what its empty state says, for messages. */
const readerText = (page) => page.locator("#reader-view").textContent();

test("a link to a highlight opens its episode scrolled to it, flashed, and the address stays the link", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  // The Bottom line, below the fold of a short window: seen only if the reader scrolled to it.
  const hl = await highlightPhrase(gloss, id, "Cheap, capable open models", "purple");
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/highlight/${hl.id}`, { viewport: { width: 1100, height: 420 } });
  const mark = page.locator(`mark.hl[data-ids~="${hl.id}"]`);
  await mark.waitFor();
  assert.equal(await page.locator("#doc-title").textContent(), SAMPLE.title);
  assert.match(await mark.getAttribute("class"), /\bhl-flash\b/, "flashed");
  const shown = await mark.evaluate((el) => {
    const pane = document.getElementById("main").getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return { scrolled: document.getElementById("main").scrollTop > 0, inView: box.top >= pane.top && box.bottom <= pane.bottom };
  });
  assert.deepEqual(shown, { scrolled: true, inView: true }, "scrolled until the highlight is in view");
  assert.equal(new URL(page.url()).hash, `#/highlight/${hl.id}`);
  assert.equal(await page.locator(`.episode-row[aria-current="page"]`).getAttribute("data-id"), String(id), "the library shows the episode open");
  assert.equal(await page.locator("[data-notice]").count(), 0, "a highlight in place needs no notice");

  // Asked again while open (as the desktop window is sent a link), it flashes again.
  await page.evaluate(() => document.querySelector("mark.hl-flash").classList.remove("hl-flash"));
  await page.evaluate(() => (location.hash = "#/"));
  await page.evaluate((route) => (location.hash = route), `#/highlight/${hl.id}`);
  await page.waitForSelector(`mark.hl-flash[data-ids~="${hl.id}"]`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link to a highlight that lost its place opens its episode saying so, with its quote", async () => {
  const id = await episodeId(gloss, CHIPS.title);
  const hl = await highlightPhrase(gloss, id, "Labs distill from each other's public releases", "pink");
  const edited = structuredClone(CHIPS);
  edited.sections[0].insights[1][1] = "Every lab now trains its own models from scratch, and shares nothing with the others.";
  await writeFile(path.join(gloss.library, "chips.txt"), summaryText(edited));
  await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items[0]?.anchor.status === "orphaned", { what: "the highlight orphaned" });

  const { context, page, problems } = await openApp(browser, `${gloss.url}#/highlight/${hl.id}`, { bypassCSP: true });
  const notice = page.locator('.doc-notices [data-notice="unplaced"]');
  await notice.waitFor();
  assert.equal(await page.locator("#doc-title").textContent(), CHIPS.title, "its episode is open");
  assert.match(await notice.textContent(), /^This highlight could not be placed in the current text\. The quoted text was (deleted|rewritten|changed)/);
  assert.equal(await notice.locator("blockquote").textContent(), "Labs distill from each other's public releases");
  assert.equal(await page.locator(".doc-notices").getAttribute("role"), "status", "announced");
  assert.equal(await page.locator('[data-notice="attention"]').count(), 0, "the highlight asked for is not counted again among others needing attention");
  await screenshot(page, "link-unplaced");
  await axe(page, "a link to a highlight that lost its place");

  await notice.locator("button", { hasText: "Show it" }).click();
  assert.match(await page.evaluate(() => document.activeElement.closest(".problems .annotation")?.textContent ?? ""), /Labs distill/, "focus on it under Needs attention");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a link to a deleted highlight says it was deleted, shows its quote and leads to the trash", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const hl = await highlightPhrase(gloss, id, "switch when the gap is that wide", "green");
  await gloss.call("delete_highlight", { id: hl.id });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/highlight/${hl.id}`, { bypassCSP: true });
  await page.waitForSelector('.reader-empty h1:has-text("This highlight was deleted")');
  assert.match(await readerText(page), /It is in the trash, with its note and tags\. Restore it there/);
  assert.equal(await page.locator(".reader-empty blockquote").textContent(), "switch when the gap is that wide");
  await screenshot(page, "link-deleted");
  await axe(page, "a link to a deleted highlight (light)");
  await page.emulateMedia({ colorScheme: "dark" });
  await axe(page, "a link to a deleted highlight (dark)");

  await page.click('.reader-empty a:has-text("Open the trash")');
  await page.waitForSelector('.trash .feed-item:has-text("switch when the gap is that wide")');
  assert.deepEqual(problems, []);
  await context.close();
  await gloss.call("restore_highlight", { id: hl.id });
});

test("a link to a highlight no one has says it was not found, and so does a link with no highlight id", async () => {
  const unknown = "0b7c6a1e-9f0d-4c8e-8a57-3d1f2b4c5e6f";
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/highlight/${unknown}`, { bypassCSP: true });
  await page.waitForSelector('.reader-empty h1:has-text("Highlight not found")');
  assert.match(await readerText(page), /No highlight in this library has the id this link names\. It may have been deleted for good/);
  await axe(page, "a link to a highlight not found");

  await page.evaluate(() => (location.hash = "#/highlight/not-an-id"));
  await waitFor(async () => /is not a highlight id/.test(await readerText(page)), { what: "the refusal said" });
  assert.match(await readerText(page), /^Highlight not found"not-an-id" is not a highlight id/);
  assert.deepEqual(besidesStatus(problems, 404, 400), []);
  await context.close();
});

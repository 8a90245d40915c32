// The open reader follows what happens to its file: deleted, it says the
// file is gone and that its highlights are kept; edited so that highlights
// lose their place, it says how many need attention, and the library row
// counts them too.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, axe, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText } from "./helpers.mjs";

let gloss;
let browser;

before(async () => {
  gloss = await startGloss({
    "signal-hours.txt": summaryText(SAMPLE),
    "chips.txt": summaryText({ ...SAMPLE, title: "The Chip Supply Chain", related: [] }),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("deleting the open episode's file shows a notice in the reader, and its highlights stay listed", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const hl = await highlightPhrase(gloss, id, "a tenth of the cost", "green", { note: "The number to remember." });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`, { bypassCSP: true });
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`);
  assert.equal(await page.locator("[data-notice]").count(), 0, "no notice for a file read cleanly");

  const file = path.join(gloss.library, "signal-hours.txt");
  await rename(file, path.join(path.dirname(gloss.library), "away.txt"));
  const notice = page.locator('.doc-notices [data-notice="missing"]');
  await notice.waitFor({ timeout: 10000 });
  assert.match(await notice.textContent(), /^The file is gone\. signal-hours\.txt is no longer in the library folder\. .*highlights and notes are kept/);
  assert.equal(await page.locator(".doc-notices").getAttribute("role"), "status", "announced as it appears");
  await page.waitForSelector('.episode-row[aria-current="page"] .badge:has-text("Missing")');
  assert.equal(await page.locator(`mark.hl[data-ids~="${hl.id}"]`).count(), 1, "the highlight is still on the text");
  assert.match(await page.locator("#sidebar .annotation").first().textContent(), /a tenth of the cost/);
  await screenshot(page, "reader-missing-file");
  await axe(page, "reader with a missing file");

  await rename(path.join(path.dirname(gloss.library), "away.txt"), file);
  await notice.waitFor({ state: "detached", timeout: 10000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test("an edit that orphans the open episode's highlights shows a notice in the reader and a count in its library row", async () => {
  const id = await episodeId(gloss, "The Chip Supply Chain");
  await highlightPhrase(gloss, id, "Labs distill from each other's public releases", "pink");
  await highlightPhrase(gloss, id, "switch when the gap is that wide", "blue");
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`, { bypassCSP: true });
  await page.waitForSelector("mark.hl-pink");

  const edited = structuredClone({ ...SAMPLE, title: "The Chip Supply Chain", related: [] });
  edited.sections[0].insights[1][1] = "Every lab now trains its own models from scratch, and shares nothing with the others.";
  await writeFile(path.join(gloss.library, "chips.txt"), summaryText(edited));

  const notice = page.locator('.doc-notices [data-notice="attention"]');
  await notice.waitFor({ timeout: 10000 });
  assert.match(await notice.textContent(), /^1 highlight needs attention\. Since the file changed, it has no certain place in the text\./);
  const badge = page.locator('.episode-row[aria-current="page"] [data-badge="attention"]');
  await badge.waitFor();
  assert.equal(await badge.textContent(), "⚠ 11 highlight needs attention");
  assert.equal(await badge.getAttribute("title"), "1 highlight needs attention");
  const listed = (await gloss.call("list_episodes", {})).items.find((e) => e.id === id);
  assert.equal(listed.attention_count, 1);
  await screenshot(page, "reader-needs-attention");
  await axe(page, "reader with a highlight that needs attention");

  await notice.locator("button", { hasText: "Show it" }).click();
  assert.match(await page.evaluate(() => document.activeElement.closest(".problems .annotation")?.textContent ?? ""), /Labs distill/, "focus on the highlight under Needs attention");
  assert.deepEqual(problems, []);
  await context.close();
});

// Highlighting with the mouse: one phrase, a passage across two blocks, and
// two overlapping highlights, each with a note and a tag, surviving a reload.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, dragSelect, episodeId, launchBrowser, markedText, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

let gloss;
let browser;
let id;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  browser = await launchBrowser();
  id = await episodeId(gloss, SAMPLE.title);
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

async function savedHighlights() {
  return (await gloss.call("list_highlights", { episode_id: id })).items;
}

/** Opens the editor of the highlight painted over `markSelector`, adds a note and a tag. */
async function annotate(page, markSelector, note, tag) {
  await page.click(markSelector);
  await page.waitForSelector(".editor");
  await page.fill("#editor-note", note);
  await page.fill("#editor-tags", tag);
  await page.press("#editor-tags", "Enter");
  await page.click(".editor button:has-text('Done')");
  await page.waitForSelector(".editor", { state: "detached" });
}

test("a phrase selected with the mouse is highlighted, noted and tagged, and survives a reload", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="s1.i1.body"]');
  await dragSelect(page, "s1.i1.body", "400 million downloads");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.click('.toolbar .swatch[data-color="green"]');
  await page.waitForSelector("mark.hl-green");
  const created = await waitFor(async () => (await savedHighlights()).find((hl) => hl.color === "green"), { what: "the green highlight saved" });
  assert.equal(created.selector.exact, "400 million downloads");

  await annotate(page, "mark.hl-green", "Growth is **huge** <img src=x>", "adoption");
  await waitFor(async () => (await savedHighlights()).find((hl) => hl.note.includes("huge") && hl.tags.includes("adoption")), { what: "note and tag saved" });

  await page.reload();
  await page.waitForSelector("mark.hl-green");
  assert.equal(await markedText(page, created.id), "400 million downloads");
  const card = page.locator(".annotation", { hasText: "400 million downloads" });
  assert.equal(await card.locator(".markdown strong").textContent(), "huge");
  assert.match(await card.locator(".markdown").textContent(), /<img src=x>/, "HTML in a note shows as text");
  assert.equal(await card.locator(".chip").textContent(), "adoption");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a highlight across two blocks is saved with both parts and survives a reload", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="s1.i2.title"]');
  await dragSelect(page, "s1.i1.body", "frontier model.", { endBlockKey: "s1.i2.title", endPhrase: "Distillation" });
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.click('.toolbar .swatch[data-color="blue"]');
  const created = await waitFor(async () => (await savedHighlights()).find((hl) => hl.color === "blue"), { what: "the blue highlight saved" });
  assert.equal(created.selector.exact, "frontier model.\n\nDistillation");

  await page.reload();
  await page.waitForSelector("mark.hl-blue");
  const parts = await page.$$eval("mark.hl-blue", (marks) => marks.map((m) => [m.closest("[data-block]").dataset.block, m.textContent]));
  assert.deepEqual(parts, [
    ["s1.i1.body", "frontier model."],
    ["s1.i2.title", "Distillation"],
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("two overlapping highlights are both painted and both reachable through the chooser", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="s1.i2.body"]');
  await dragSelect(page, "s1.i2.body", "Labs distill from each other's");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.click('.toolbar .swatch[data-color="yellow"]');
  await page.waitForSelector("mark.hl-yellow");
  await dragSelect(page, "s1.i2.body", "each other's public releases");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.click('.toolbar .swatch[data-color="pink"]');
  const [first, second] = await waitFor(async () => {
    const all = await savedHighlights();
    const a = all.find((hl) => hl.color === "yellow");
    const b = all.find((hl) => hl.color === "pink");
    return a && b && [a, b];
  }, { what: "both overlapping highlights saved" });
  assert.equal(first.selector.exact, "Labs distill from each other's");
  assert.equal(second.selector.exact, "each other's public releases");

  await page.reload();
  await page.waitForSelector("mark.hl-overlap");
  assert.equal(await markedText(page, first.id), "Labs distill from each other's");
  assert.equal(await markedText(page, second.id), "each other's public releases");
  assert.equal(await page.locator("mark.hl-overlap").textContent(), "each other's");

  // A click on the shared part asks which one; each gets its own note and tag.
  await page.click("mark.hl-overlap");
  await page.waitForSelector(".chooser");
  assert.equal(await page.locator(".chooser [role=menuitem]").count(), 2);
  await page.click(".chooser [role=menuitem]:has-text('public releases')");
  await page.fill("#editor-note", "about the pink one");
  await page.fill("#editor-tags", "labs");
  await page.press("#editor-tags", "Enter");
  await page.click(".editor button:has-text('Done')");
  await annotate(page, "mark.hl-yellow:not(.hl-overlap)", "about the yellow one", "distillation");
  await waitFor(async () => {
    const all = await savedHighlights();
    const a = all.find((hl) => hl.id === first.id);
    const b = all.find((hl) => hl.id === second.id);
    return a.note === "about the yellow one" && a.tags.includes("distillation") && b.note === "about the pink one" && b.tags.includes("labs");
  }, { what: "both notes and tags saved" });

  await page.reload();
  await page.waitForSelector("mark.hl-overlap");
  const notes = await page.$$eval(".annotation .markdown", (els) => els.map((e) => e.textContent));
  assert.ok(notes.includes("about the yellow one") && notes.includes("about the pink one"), `sidebar notes: ${notes}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("deleting a highlight offers Undo, which brings it back", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector("mark.hl-green");
  const before = await savedHighlights();
  await page.click("mark.hl-green");
  await page.click(".editor button:has-text('Delete')");
  await page.waitForSelector("mark.hl-green", { state: "detached" });
  await waitFor(async () => (await savedHighlights()).length === before.length - 1, { what: "the delete saved" });
  await page.click(".toast button:has-text('Undo')");
  await page.waitForSelector("mark.hl-green");
  await waitFor(async () => (await savedHighlights()).length === before.length, { what: "the restore saved" });
  assert.deepEqual(problems, []);
  await context.close();
});

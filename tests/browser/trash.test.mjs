// The Trash view and the undo history: a deleted highlight waits in Trash
// with its note after its Undo toast has gone, and Restore brings it back
// to the reader; Empty trash asks first; Ctrl+Z takes back the last several
// changes, newest first, but not while typing in a field.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, axe, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText, waitFor } from "./helpers.mjs";

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

/** Deletes highlight `hl` in the reader as a user does: its mark, then Delete in the editor. */
async function deleteInReader(page, hl) {
  await page.click(`mark.hl[data-ids~="${hl.id}"]`);
  await page.click(".editor .button-danger");
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`, { state: "detached" });
}

/** Closes every passing toast, as their time running out would. */
async function dismissToasts(page) {
  while (await page.locator("#toasts .toast-close").count()) await page.locator("#toasts .toast-close").first().click();
}

test("a deleted highlight waits in Trash with its note, and Restore brings it back to the reader", async () => {
  const hl = await highlightPhrase(gloss, id, "Labs distill from each other's public releases", "pink", { note: "Progress compounds across labs.", tags: ["distillation"] });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`, { bypassCSP: true });
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`);
  await deleteInReader(page, hl);
  await page.waitForSelector('#toasts .toast:has-text("highlight deleted")');
  // The Undo toast gone, as after its six seconds.
  await dismissToasts(page);

  await page.click('.views a[data-view="trash"]');
  const item = page.locator(".trash .feed-item", { hasText: "Labs distill from each other's public releases" });
  await item.waitFor();
  assert.match(await item.textContent(), /Progress compounds across labs\./, "its note is in the trash with it");
  assert.match(await item.textContent(), new RegExp(SAMPLE.title));
  assert.match(await page.locator(".trash .page-intro").textContent(), /kept here until you empty the trash/);
  await screenshot(page, "trash-light");
  await axe(page, "trash (light)");
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "trash-dark");
  await axe(page, "trash (dark)");
  await page.emulateMedia({ colorScheme: "light" });

  // Keyboard only: Restore is reached and pressed like any button.
  await item.locator("button", { hasText: "Restore" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector(".trash .empty:has-text(\"The trash is empty\")");
  await page.waitForSelector('#toasts .toast:has-text("Highlight restored")');
  await page.click('.views a[data-view="reader"]');
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`);
  const card = page.locator("#sidebar .annotation", { hasText: "Labs distill" });
  assert.match(await card.textContent(), /Progress compounds across labs\./, "the note came back with it");
  assert.deepEqual(problems, []);
  await context.close();
  await gloss.call("delete_highlight", { id: hl.id });
  await gloss.call("empty_trash");
});

test("Empty trash asks first, Cancel keeps everything, and confirming deletes it for good", async () => {
  const hl = await highlightPhrase(gloss, id, "ninety percent of the quality", "green", { tags: ["pricing"] });
  await gloss.call("delete_highlight", { id: hl.id });
  await gloss.call("set_episode_tags", { episode_id: id, tags: ["economics"] });
  await gloss.call("delete_tag", { name: "economics" });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/trash`);
  await page.waitForSelector(".trash .feed-item");
  assert.match(await page.locator(".trash-tags").textContent(), /economics/);

  await page.click("button:has-text('Empty trash…')");
  const warning = page.locator(".trash-warning");
  assert.equal(await warning.textContent(), "Delete 1 highlight and 1 tag for good? This can not be undone.");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Delete for good", "focus is on the confirmation");
  await page.click(".trash-confirm button:has-text('Cancel')");
  assert.equal(await page.locator(".trash .feed-item").count(), 1, "Cancel kept the trash");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Empty trash…", "focus back on Empty trash");

  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".trash .empty:has-text(\"The trash is empty\")");
  await page.waitForSelector('#toasts .toast:has-text("Trash emptied: 1 highlight and 1 tag deleted for good.")');
  assert.deepEqual(await gloss.call("list_trash"), { highlights: [], tags: [] });
  assert.deepEqual(problems, []);
  await context.close();
});

test("Ctrl+Z undoes the last several changes in order, newest first, but not while typing in a field", async () => {
  const first = await highlightPhrase(gloss, id, "Open-weight models passed 400 million downloads", "yellow");
  const second = await highlightPhrase(gloss, id, "Cheap, capable open models", "blue", { note: "Keep this." });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector(`mark.hl[data-ids~="${second.id}"]`);

  // 1: the first highlight's colour changed to green.
  await page.click(`mark.hl[data-ids~="${first.id}"]`);
  await page.click('.editor .swatch[data-color="green"]');
  await page.waitForSelector(`mark.hl-green[data-ids~="${first.id}"]`);
  await page.keyboard.press("Escape");
  // 2: the second highlight deleted; 3: the first one deleted.
  await deleteInReader(page, second);
  await deleteInReader(page, first);
  await dismissToasts(page);

  // In a field, Ctrl+Z is the field's own: nothing comes back.
  await page.click("#sidebar .note-edit");
  await page.fill("#episode-note", "A thought");
  await page.focus("#episode-note");
  await page.keyboard.press("Control+z");
  assert.equal(await page.locator(`mark.hl[data-ids~="${first.id}"]`).count(), 0, "typing's undo is not the history's");
  await page.locator("#episode-note").blur();
  await page.focus("#main");

  await page.keyboard.press("Control+z");
  await page.waitForSelector(`mark.hl[data-ids~="${first.id}"]`);
  await page.waitForSelector('#toasts .toast:has-text("Undone: Green highlight deleted.")');
  assert.equal(await page.locator(`mark.hl[data-ids~="${second.id}"]`).count(), 0, "one change at a time");

  await page.keyboard.press("Escape");
  await page.focus("#main");
  await page.keyboard.press("Control+z");
  await page.waitForSelector(`mark.hl[data-ids~="${second.id}"]`);
  await page.waitForSelector('#toasts .toast:has-text("Undone: Blue highlight deleted.")');

  await page.keyboard.press("Escape");
  await page.focus("#main");
  await page.keyboard.press("Control+z");
  await page.waitForSelector(`mark.hl-yellow[data-ids~="${first.id}"]`);
  await page.waitForSelector('#toasts .toast:has-text("Undone: Highlight colour changed to Green.")');
  const saved = await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items.find((hl) => hl.id === first.id && hl.color === "yellow"), { what: "the colour saved back" });
  assert.equal(saved.color, "yellow");
  assert.equal((await gloss.call("list_highlights", { episode_id: id })).items.find((hl) => hl.id === second.id).note, "Keep this.");

  await page.focus("#main");
  await page.keyboard.press("Control+z");
  await page.waitForSelector('#toasts .toast:has-text("Nothing to undo.")');

  // In Trash, what Ctrl+Z brings back leaves the list.
  await deleteInReader(page, second);
  await page.click('.views a[data-view="trash"]');
  await page.waitForSelector('.trash .feed-item:has-text("Cheap, capable open models")');
  await page.focus("#main");
  await page.keyboard.press("Control+z");
  await page.waitForSelector('.trash .empty:has-text("The trash is empty")');
  assert.deepEqual(problems, []);
  await context.close();
});

// What the window says when something goes wrong is written for a reader:
// no backticks from the backend's messages, Retry only for a failure that
// another try can cure (and then it works), and a repaired file's warning
// that says what was damaged and what was removed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, besidesStatus, episodeId, highlightPhrase, launchBrowser, openApp, startGloss, summaryText } from "./helpers.mjs";

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

test("a change refused for good reason says why without backticks and offers no Retry", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  await gloss.call("set_episode_tags", { episode_id: id, tags: ["ai", "models"] });
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/tags`);
  await page.click('button[aria-label="Rename ai"]');
  await page.fill('input[id^="tag-rename-"]', "models");
  await page.click('.inline-form button[type="submit"]');
  const alert = page.locator("#alerts .toast-error");
  await alert.waitFor();
  const message = await alert.locator(".toast-message").textContent();
  assert.equal(message, "Tag not renamed: A tag named “models” already exists; merge “ai” into it instead.");
  assert.doesNotMatch(message, /`/);
  assert.equal(await alert.locator(".toast-action").count(), 0, "trying again would fail the same way");
  assert.deepEqual(besidesStatus(problems, 409), []);
  await context.close();
});

test("a failure another try can cure offers Retry, and Retry does it", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const hl = await highlightPhrase(gloss, id, "a tenth of the cost", "green");
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`);
  // The database fails once, as when the disk is busy.
  let failures = 1;
  await page.route("**/api/call", (route) => {
    if (failures > 0 && JSON.parse(route.request().postData()).op === "delete_highlight") {
      failures--;
      return route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { kind: "storage", message: "the database is locked by `another process`" } }) });
    }
    return route.continue();
  });
  await page.click(`mark.hl[data-ids~="${hl.id}"]`);
  await page.click(".editor .button-danger");
  const alert = page.locator("#alerts .toast-error");
  await alert.waitFor();
  assert.equal(await alert.locator(".toast-message").textContent(), "Highlight not deleted: The database is locked by “another process”.");
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`); // put back
  await alert.locator(".toast-action", { hasText: "Retry" }).click();
  await page.waitForSelector(`mark.hl[data-ids~="${hl.id}"]`, { state: "detached" });
  await page.waitForSelector('#toasts .toast:has-text("highlight deleted")');
  assert.equal((await gloss.call("list_trash")).highlights.some((t) => t.id === hl.id), true);
  assert.deepEqual(besidesStatus(problems, 500), []);
  await context.close();
});

/** `text` damaged as the real summaries were: its UTF-8 read as Greek, the bytes that has no letter for dropped. */
function damaged(text) {
  const bytes = Buffer.from(text, "utf8").filter((b) => !(b >= 0x80 && b <= 0x9f) && b !== 0xae);
  return new TextDecoder("iso-8859-7").decode(bytes).replaceAll("\uFFFD", "");
}

test("a repaired file's warning says in plain words what was damaged and what was removed", async () => {
  const summary = structuredClone({ ...SAMPLE, title: "Damaged in Transit" });
  summary.sections[1].emoji = "⚛️"; // its remnant fits more than one symbol: removed
  await writeFile(path.join(gloss.library, "damaged.txt"), damaged(summaryText(summary)));
  const { context, page, problems } = await openApp(browser, gloss.url);
  await page.click('.episode-row:has-text("Damaged in Transit")');
  const warning = page.locator('.doc-notices [data-notice="warnings"] li');
  await warning.waitFor();
  const text = await warning.textContent();
  assert.equal(text, "Some emoji and punctuation in this file were damaged when it was saved in the wrong encoding; 1 character was repaired, and 3 damaged characters that could not be recovered were removed from the text.");
  assert.doesNotMatch(text, /ISO|8859|UTF|`/);
  assert.equal(await page.locator("h2.section-title", { hasText: "The Economics" }).locator(".section-emoji").count(), 0, "the symbol that could not be recovered is gone");
  assert.deepEqual(problems, []);
  await context.close();
});

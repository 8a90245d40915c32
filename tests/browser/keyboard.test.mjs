// The keyboard-only path: search, open an episode, select text with the
// keyboard, highlight it, add a note; and shortcuts stay quiet while typing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, episodeId, launchBrowser, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

let gloss;
let browser;

before(async () => {
  gloss = await startGloss({
    "signal-hours.txt": summaryText(SAMPLE),
    "other.txt": summaryText({ title: "An Unrelated Episode", show: "Elsewhere", tldr: "Nothing about the topic at all.", bottom: "Still nothing." }),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("search, open, select with the keyboard, highlight and note, without a mouse", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, gloss.url);
  await page.waitForSelector(".episode-row");

  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search");
  await page.keyboard.type("distill");
  await page.waitForSelector(".search-hit");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-block="tldr"]');
  assert.equal(await page.evaluate(() => location.hash), `#/episode/${id}`);

  // j moves to the TL;DR; Ctrl+Shift+→ selects word by word.
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  for (let n = 0; n < 3; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  assert.equal((await page.evaluate(() => String(document.getSelection()))).trim(), "Open models now");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("h");
  await page.waitForSelector("mark.hl");
  const first = await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items[0], { what: "the highlight saved" });
  assert.equal(first.selector.exact, "Open models now");

  // Next insight, select its first two words, n highlights and opens the note.
  await page.keyboard.press("j");
  const selected = () => page.evaluate(() => String(document.getSelection()).trim());
  for (let n = 0; n < 6 && (await selected()) !== "Open-weight models"; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.press("n");
  await page.waitForSelector("#editor-note:focus");
  await page.keyboard.type("Typed *without* a mouse: j k h n t stay letters.");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".editor", { state: "detached" });
  const noted = await waitFor(
    async () => (await gloss.call("list_highlights", { episode_id: id })).items.find((hl) => hl.note.startsWith("Typed")),
    { what: "the note saved" },
  );
  assert.equal(noted.selector.exact, "Open-weight models");
  assert.equal(noted.note, "Typed *without* a mouse: j k h n t stay letters.");
  assert.equal(await page.locator(".annotation .markdown em").textContent(), "without");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the selection toolbar is reachable with Tab and closes with Esc", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="bottom"]');
  for (let n = 0; n < 4; n++) await page.keyboard.press("j");
  await page.keyboard.press("Shift+End");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.closest(".toolbar") !== null), true);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.waitForSelector("mark.hl-green");
  for (let n = 0; n < 2; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.press("j");
  await page.keyboard.press("Shift+ArrowRight");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".toolbar", { state: "hidden" });
  assert.equal(await page.evaluate(() => document.getSelection().isCollapsed), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("shortcuts never fire while typing, and ? lists them", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="bottom"]');
  await page.click("#episode-note");
  await page.keyboard.type("jkhnt/?");
  assert.equal(await page.inputValue("#episode-note"), "jkhnt/?");
  assert.equal(await page.locator("dialog#shortcuts[open]").count(), 0);
  assert.equal(await page.locator(".insight.is-current").count(), 0);
  await page.keyboard.press("Escape");
  await page.locator("#episode-note").blur();
  await page.keyboard.press("?");
  await page.waitForSelector("dialog#shortcuts[open]");
  assert.match(await page.textContent("#shortcuts-list"), /Next insight/);
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog#shortcuts[open]", { state: "detached" });
  assert.deepEqual(problems, []);
  await context.close();
});

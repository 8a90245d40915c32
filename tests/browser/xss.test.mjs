// Text from files and notes is shown as text: markup in a summary's title,
// TL;DR and insights, in a note, and in the paths and messages of Settings'
// reports, is displayed literally and runs nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { besidesStatus, episodeId, highlightPhrase, launchBrowser, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

const SCRIPT = "<script>window.__pwned = 'script'</script>";
const IMG = `<img src=x onerror="window.__pwned = 'img'">`;
const LINK = "[click me](javascript:window.__pwned='link')";
const HOSTILE = {
  title: `Hostile ${SCRIPT} Title`,
  show: `Show ${IMG}`,
  tldr: `TL;DR with ${IMG} and ${LINK} and javascript:alert(1)`,
  sections: [{ emoji: "🧨", title: `Section ${SCRIPT}`, insights: [[`Insight ${IMG}`, `Body ${SCRIPT} ${LINK} <a href="javascript:alert(2)">x</a>`]] }],
  bottom: `Bottom ${IMG}`,
};

let gloss;
let browser;

before(async () => {
  gloss = await startGloss({ "hostile.txt": summaryText(HOSTILE) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

/** Fails if anything ran or any element that could run code exists in the page body. */
async function assertInert(page) {
  const report = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    scripts: [...document.body.querySelectorAll("script, iframe, object, embed, img")].map((e) => e.outerHTML),
    jsLinks: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")).filter((href) => !/^(#|https?:|mailto:)/i.test(href)),
    handlers: [...document.body.querySelectorAll("*")].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${e.tagName} ${a.name}`)),
  }));
  assert.deepEqual(report, { pwned: null, scripts: [], jsLinks: [], handlers: [] });
}

test("markup in a summary's title, TL;DR and insights is shown as text and runs nothing", async () => {
  const id = await episodeId(gloss, `Hostile ${SCRIPT} Title`);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="tldr"]');
  await page.waitForSelector(".episode-row");
  assert.equal(await page.textContent('[data-block="title"]'), `Hostile ${SCRIPT} Title`);
  assert.equal(await page.textContent('[data-block="tldr"]'), HOSTILE.tldr);
  assert.equal(await page.textContent('[data-block="s1.i1.title"]'), `Insight ${IMG}`);
  assert.match(await page.textContent('[data-block="s1.i1.body"]'), /<a href="javascript:alert\(2\)">x<\/a>/);
  assert.match(await page.textContent(".episode-row"), /<script>/);
  await assertInert(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a note holding markup and javascript: links renders as safe text", async () => {
  const id = await episodeId(gloss, `Hostile ${SCRIPT} Title`);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="bottom"]');
  const note = `${SCRIPT}\n${IMG}\n${LINK} and [fine](https://example.com)\n<a href="javascript:alert(3)">y</a>`;
  const hl = await highlightPhrase(gloss, id, "Bottom", "yellow");
  await page.waitForSelector("mark.hl-yellow");
  await page.click("mark.hl-yellow");
  await page.fill("#editor-note", note);
  await page.click(".editor button:has-text('Done')");
  await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items.find((h) => h.id === hl.id)?.note === note, { what: "the note saved" });
  await page.waitForSelector(".annotation .markdown");
  const rendered = await page.textContent(".annotation .markdown");
  assert.match(rendered, /<script>window.__pwned = 'script'<\/script>/);
  assert.match(rendered, /\[click me\]\(javascript:/);
  assert.equal(await page.getAttribute(".annotation .markdown a", "href"), "https://example.com");
  await assertInert(page);

  await page.goto(`${gloss.url}#/notes`);
  await page.waitForSelector(".feed-item .markdown");
  assert.match(await page.textContent(".feed-item .markdown"), /<img src=x onerror=/);
  await assertInert(page);

  await page.fill("#search", "pwned");
  await page.waitForSelector(".search-hit");
  await assertInert(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test("paths and messages holding markup in Settings' export and import reports are shown as text", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "gloss-xss-"));
  try {
    const out = path.join(root, IMG);
    const { context, page, problems } = await openApp(browser, `${gloss.url}#/settings/export`);
    await page.fill("#export-dir", out);
    await page.click("#settings-export button[type=submit]");
    await page.waitForSelector("#settings-export .report-summary");
    assert.match(await page.textContent("#settings-export .report-summary"), /<img src=x onerror=/);
    await page.fill("#import-file", path.join(root, `${SCRIPT}.csv`));
    await page.click("#settings-import button[type=submit]");
    await page.waitForSelector("#import-file-error:not([hidden])");
    assert.match(await page.textContent("#import-file-error"), /<script>/);
    await assertInert(page);
    // The file is not there: the API answers that as a storage error (500) today.
    assert.deepEqual(besidesStatus(problems, 400, 500), []);
    await context.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

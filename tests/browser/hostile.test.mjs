// The hostile corpus (tests/hostile/) as a library in Chromium: the list
// shows every file, every episode opens without a page error, a dialog or
// text spilling out of the window sideways, and the app still answers a
// search afterwards. Opening times are printed, never asserted.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser, openApp, screenshot, startGloss, waitFor } from "./helpers.mjs";

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "hostile");
/** Looked at as screenshots in tests/artifacts/. */
const SHOWN = ["long-title-64k.txt", "rtl-overrides.txt", "combining-zalgo.txt", "emoji-torture.txt", "path-like-titles.txt"];

let gloss;
let browser;
let files;

before(async () => {
  files = {};
  for (const name of await readdir(corpus)) {
    if (name !== "README.md") files[name] = await readFile(path.join(corpus, name));
  }
  gloss = await startGloss(files);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

/** Every episode once the library has looked at every file. */
async function allEpisodes() {
  const count = Object.keys(files).length;
  return waitFor(
    async () => {
      const page = await gloss.call("list_episodes", { limit: 1000 });
      return page.total === count && page.items;
    },
    { timeout: 30000, what: `all ${count} hostile files in the library` },
  );
}

/** Whether the document is wider than the window (something spills sideways). */
function spillsSideways(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth);
}

test("every hostile file is listed and opens without an error, a dialog or sideways overflow", async () => {
  const episodes = await allEpisodes();
  const { context, page, problems } = await openApp(browser, gloss.url);
  await page.waitForSelector(".episode-row");
  assert.equal(await spillsSideways(page), false, "the library list spills sideways");
  const timings = [];
  for (const episode of episodes) {
    const name = path.basename(episode.source_path ?? String(episode.id));
    const started = performance.now();
    const rendered = await page.evaluate((id) => {
      location.hash = `#/episode/${id}`;
      return performance.getEntriesByName("reader-render").length;
    }, episode.id);
    // The reader has laid the episode out (a refused file shows its error).
    await page.waitForFunction((before) => performance.getEntriesByName("reader-render").length > before, rendered, { timeout: 20000 });
    timings.push([performance.now() - started, name]);
    assert.equal(await spillsSideways(page), false, `${name} spills sideways`);
    if (SHOWN.includes(name)) await screenshot(page, `hostile-${name.replace(/\.\w+$/, "")}`);
  }
  timings.sort((a, b) => b[0] - a[0]);
  console.log(`hostile corpus: ${episodes.length} episodes opened; slowest ${timings.slice(0, 3).map(([ms, name]) => `${name} ${ms.toFixed(0)} ms`).join(", ")}`);
  assert.deepEqual(problems, []);

  // Still responsive: a search answers and shows results.
  await page.keyboard.press("Escape");
  const { hits } = await gloss.call("search", { query: "insight" });
  assert.ok(hits.length > 0, "search still finds episodes");
  assert.equal(await page.evaluate(() => document.readyState), "complete");
  await context.close();
});

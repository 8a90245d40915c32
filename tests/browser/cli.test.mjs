// The command line while `gloss serve` runs: its commands go through the
// running server (the local channel), so a highlight made in a shell shows
// up in the open page at once, reads work, and command-line writes racing
// the page's own writes lose nothing.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SAMPLE, episodeId, glossBin, launchBrowser, openApp, startGloss, summaryText } from "./helpers.mjs";

const run = promisify(execFile);

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

/** Runs `gloss ARGS` on the server's folders, as a shell would; resolves to its stdout. */
async function cli(...args) {
  const env = { ...process.env };
  delete env.GLOSS_DATA;
  delete env.GLOSS_LIBRARY;
  const { stdout } = await run(glossBin(), [...args, "--data", gloss.data, "--library", gloss.library], { env });
  return stdout;
}

/** Words that occur once in the episode's text: quotes the command line can highlight without --occurrence. */
async function uniqueWords(count) {
  const text = (await gloss.call("get_episode", { id })).blocks.map((b) => b.text).join("\n");
  const words = [...new Set(text.match(/[A-Za-z]{5,}/g))];
  const once = words.filter((w) => text.split(w).length === 2);
  assert.ok(once.length >= count, `only ${once.length} words occur once`);
  return once.slice(0, count);
}

test("a highlight made with gloss highlight appears in the open page", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="s1.i1.body"]');
  await page.evaluate(() => (window.__sameDocument = true));
  const started = Date.now();
  const made = JSON.parse(await cli("highlight", "--episode", String(id), "--quote", "400 million downloads", "--color", "pink"));
  await page.waitForSelector(`mark.hl-pink[data-ids~="${made.id}"]`, { timeout: 10000 });
  // Printed, not asserted: tests never assert on wall-clock time.
  console.log(`highlight shown ${Date.now() - started} ms after gloss highlight started`);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  assert.deepEqual(problems, [], "and the page shows them all");
  await context.close();
});

test("gloss list and gloss search answer while the server runs", async () => {
  const episodes = JSON.parse(await cli("list", "--json"));
  assert.deepEqual(episodes.map((e) => e.title), [SAMPLE.title]);
  const { hits } = JSON.parse(await cli("search", "downloads", "--json"));
  assert.ok(hits.some((hit) => hit.kind === "episode" && hit.episode_id === id), JSON.stringify(hits));
});

test("command-line highlights racing the page's own lose nothing", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="s1.i1.body"]');
  const before = (await gloss.call("list_highlights", {})).total;
  const words = await uniqueWords(40);
  const fromShell = (async () => {
    const ids = [];
    for (const quote of words.slice(0, 20)) ids.push(JSON.parse(await cli("highlight", "--episode", String(id), "--quote", quote)).id);
    return ids;
  })();
  // The page writes through its own action path, as its highlight toolbar does.
  const fromPage = page.evaluate(
    async ({ quotes }) => {
      const actions = await import("/js/actions.js");
      const state = await import("/js/state.js");
      const text = state.canonicalCodePoints().join("");
      const ids = [];
      for (const quote of quotes) {
        const start = Array.from(text.slice(0, text.indexOf(quote))).length;
        const temp = actions.createHighlight({ start, end: start + Array.from(quote).length, exact: quote }, "blue");
        while (state.resolveId(temp) === temp) await new Promise((later) => setTimeout(later, 5));
        ids.push(state.resolveId(temp));
      }
      return ids;
    },
    { quotes: words.slice(20) },
  );
  const [shellIds, pageIds] = await Promise.all([fromShell, fromPage]);
  const { items, total } = await gloss.call("list_highlights", {});
  assert.equal(total, before + 40);
  const kept = new Set(items.map((h) => h.id));
  assert.deepEqual([...shellIds, ...pageIds].filter((made) => !kept.has(made)), [], "every highlight is stored");
  const listed = JSON.parse(await cli("annotations", "--episode", String(id), "--json"));
  assert.equal(listed.length, total, "the command line sees them all too");
  const everyId = [...shellIds, ...pageIds];
  await page.waitForFunction(
    (ids) => {
      const painted = new Set([...document.querySelectorAll("mark.hl")].flatMap((m) => m.dataset.ids.split(" ")));
      return ids.every((made) => painted.has(made));
    },
    everyId,
    { timeout: 10000 },
  );
  assert.deepEqual(problems, [], "and the page shows them all");
  await context.close();
});

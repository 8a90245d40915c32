// UI benchmarks in Chromium, read from the UI's own performance marks and
// PRINTED (never asserted): reader with 300 highlights (target ≤ 100 ms),
// library of 10,000 episodes to first painted rows (≤ 500 ms) and scrolling
// it, and search-as-you-type from the last key to shown results (≤ 100 ms).
// Run: node tests/browser/bench.mjs   (GLOSS_BIN picks the gloss binary)

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { SAMPLE, launchBrowser, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

const RUNS = 5;
const EPISODES = 10_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const print = (name, figures, target) => console.log(`${name.padEnd(44)} ${figures}${target ? `   (target ${target})` : ""}`);

/** A long summary: 12 sections of 6 insights with ~40-word bodies. */
function longSummary(title) {
  const words = "open models distill compute price quality adoption frontier labs release capital energy chips supply policy market".split(" ");
  const body = (s, i) => Array.from({ length: 40 }, (_, n) => words[(s * 7 + i * 3 + n) % words.length]).join(" ") + ".";
  return summaryText({
    ...SAMPLE,
    title,
    sections: Array.from({ length: 12 }, (_, s) => ({ emoji: "📈", title: `Section ${s + 1}`, insights: Array.from({ length: 6 }, (_, i) => [`Insight ${s + 1}.${i + 1}`, body(s, i)]) })),
  });
}

async function benchReader(browser) {
  const gloss = await startGloss({ "a.txt": longSummary("Long One"), "b.txt": longSummary("Long Two") });
  try {
    const { items } = await gloss.call("list_episodes", { limit: 10 });
    for (const episode of items) {
      const full = await gloss.call("get_episode", { id: episode.id });
      const bodies = full.blocks.filter((b) => b.key.endsWith(".body"));
      const colors = ["yellow", "green", "blue", "pink", "purple"];
      let made = 0;
      for (let n = 0; made < 300; n++) {
        const block = bodies[n % bodies.length];
        const round = Math.floor(n / bodies.length);
        const start = block.start + ((round * 37) % (block.len - 30));
        // Every fifth overlaps the one before it.
        await gloss.call("create_highlight", { episode_id: episode.id, start, end: start + (n % 5 === 0 ? 40 : 18), color: colors[n % 5], note: n % 3 ? "" : `note ${n}` });
        made++;
      }
    }
    const { page, context } = await openApp(browser, gloss.url);
    const durations = [];
    for (let run = 0; run < RUNS * 2; run++) {
      const id = items[run % 2].id;
      await page.evaluate(() => performance.clearMeasures("reader-render"));
      await page.evaluate((id) => (location.hash = `#/episode/${id}`), id);
      const duration = await waitFor(() => page.evaluate(() => performance.getEntriesByName("reader-render").at(-1)?.duration), { what: "reader render" });
      durations.push(duration);
    }
    const marks = await page.locator("mark.hl").count();
    print("reader: render episode with 300 highlights", `median ${fmt(median(durations))}, max ${fmt(Math.max(...durations))} (${marks} mark segments)`, "≤ 100 ms");
    await context.close();
  } finally {
    await gloss.stop();
  }
}

async function benchLibrary(browser) {
  const gloss = await startGloss({});
  try {
    const shows = Array.from({ length: 40 }, (_, n) => `Show ${n + 1}`);
    for (let n = 0; n < EPISODES; n++) {
      const text = summaryText({ ...SAMPLE, title: `Episode ${n + 1}: ${SAMPLE.title}`, show: shows[n % shows.length], related: [] });
      await writeFile(path.join(gloss.library, `ep-${String(n).padStart(5, "0")}.txt`), text);
    }
    const started = Date.now();
    await waitFor(async () => (await gloss.call("list_episodes", { limit: 1 })).total >= EPISODES, { timeout: 180_000, interval: 500, what: `${EPISODES} episodes ingested` });
    print(`library: ${EPISODES} files ingested by the server`, `${((Date.now() - started) / 1000).toFixed(1)} s`);

    const paints = [];
    const loads = [];
    let context;
    let page;
    for (let run = 0; run < RUNS; run++) {
      await context?.close();
      ({ context, page } = await openApp(browser, gloss.url));
      await page.waitForSelector(".episode-row");
      const { painted, load } = await page.evaluate(() => ({
        painted: performance.getEntriesByName("library-painted")[0].startTime,
        load: performance.getEntriesByName("library-first-paint")[0].duration,
      }));
      paints.push(painted);
      loads.push(load);
    }
    const rows = await page.locator(".vrow").count();
    print("library: navigation → first rows painted", `median ${fmt(median(paints))}, max ${fmt(Math.max(...paints))}`, "≤ 500 ms");
    print("library: list request → rows painted", `median ${fmt(median(loads))} (${rows} rows in the DOM for ${EPISODES})`);

    // Scroll through the whole list, one step per frame, timing each frame.
    const frames = await page.evaluate(async () => {
      const list = document.getElementById("episode-list");
      const gaps = [];
      let last = performance.now();
      const step = list.scrollHeight / 240;
      for (let n = 0; n < 240; n++) {
        list.scrollTop = n * step;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }
      return gaps.sort((a, b) => a - b);
    });
    const placeholders = await page.locator(".row-placeholder").count();
    print("library: scrolling 10,000 rows, frame time", `p50 ${fmt(frames[120])}, p95 ${fmt(frames[228])}, max ${fmt(frames.at(-1))} (${placeholders} rows still loading at the end)`);

    // Search as you type over the same library.
    const afterKey = [];
    for (const word of ["distill", "frontier", "episode 42"]) {
      await page.fill("#search", "");
      await page.evaluate(() => performance.clearMeasures("search-after-key"));
      await page.focus("#search");
      await page.keyboard.type(word, { delay: 90 });
      await page.waitForTimeout(400);
      const last = await page.evaluate(() => performance.getEntriesByName("search-after-key").at(-1)?.duration);
      if (last !== undefined) afterKey.push(last);
    }
    print("search: last key → results shown (10k library)", afterKey.length ? `median ${fmt(median(afterKey))}, max ${fmt(Math.max(...afterKey))}` : "no results measured", "≤ 100 ms");
    await context.close();
  } finally {
    await gloss.stop();
  }
}

const browser = await launchBrowser();
try {
  await benchReader(browser);
  if (!process.env.BENCH_ONLY_READER) await benchLibrary(browser);
} finally {
  await browser.close();
}

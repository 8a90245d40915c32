// UI benchmarks in Chromium, read from the UI's own performance marks and
// PRINTED (never asserted): reader with 300 highlights (target ≤ 100 ms),
// library of 10,000 episodes to first painted rows (≤ 500 ms) and scrolling
// it, search-as-you-type from the last key to shown results (≤ 100 ms), and
// in Review, the next card shown after a rating (≤ 50 ms).
// Each figure also prints as a `FIGURE {json}` line for bench/REPORT.md.
// Run: node tests/browser/bench.mjs   (GLOSS_BIN picks the gloss binary)

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { benchSizes, highlightArgs, longSummary, machineLoad, median, percentile, printFigure, serveAnnotatedLibrary } from "./benchkit.mjs";
import { SAMPLE, launchBrowser, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

const RUNS = 5;
/** Runs of the first rows at scale: a cold start varies by ±50 ms from one to the next. */
const SCALE_RUNS = 9;
const EPISODES = 10_000;

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const print = (name, figures) => console.log(`${name.padEnd(44)} ${figures}`);

async function benchReader(browser) {
  const gloss = await startGloss({ "a.txt": longSummary("Long One"), "b.txt": longSummary("Long Two") });
  try {
    const { items } = await gloss.call("list_episodes", { limit: 10 });
    for (const episode of items) {
      const full = await gloss.call("get_episode", { id: episode.id });
      for (let n = 0; n < 300; n++) await gloss.call("create_highlight", highlightArgs(full, n));
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
    print("reader: render episode with 300 highlights", `max ${fmt(Math.max(...durations))} (${marks} mark segments; ${machineLoad()})`);
    printFigure({ name: "reader: render an episode with 300 highlights", unit: "ms", measured: median(durations), target: 100 });
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
    print("library: navigation → first rows painted", `max ${fmt(Math.max(...paints))}`);
    printFigure({ name: `library of ${EPISODES.toLocaleString("en")} episodes: navigation to first rows painted`, unit: "ms", measured: median(paints), target: 500 });
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
    print("library: scrolling 10,000 rows, frame time", `p50 ${fmt(median(frames))}, max ${fmt(frames.at(-1))} (${placeholders} rows still loading at the end)`);
    // Smooth means no frame takes longer than two 60 Hz frames (33.4 ms).
    printFigure({ name: `library of ${EPISODES.toLocaleString("en")} episodes: scrolling, p95 frame time`, unit: "ms", measured: percentile(frames, 95), target: 33.4 });

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
    if (afterKey.length) {
      print("search: last key → results shown (10k library)", `max ${fmt(Math.max(...afterKey))}`);
      printFigure({ name: `search as you type (${EPISODES.toLocaleString("en")} episodes): last key to results shown`, unit: "ms", measured: median(afterKey), target: 100 });
    } else {
      print("search: last key → results shown (10k library)", "no results measured");
    }
    await context.close();
  } finally {
    await gloss.stop();
  }
}

/**
 * A 400 KB note built to make a naive Markdown renderer rescan (unclosed
 * emphasis, strong and code markers), rendered in the page. The raw limit
 * shows the same text plainly (textContent of a <pre>), and for parsing,
 * one pass over its characters.
 */
async function benchNote(browser) {
  const gloss = await startGloss({});
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(gloss.url);
    const figures = await page.evaluate(async (runs) => {
      const { parse, render } = await import("/js/markdown.js");
      const note = ["*open ", "**strong ", "`code ", "_under ", "plain words, "].join("").repeat(9000).slice(0, 400_000);
      const time = (work) => {
        const samples = [];
        for (let n = 0; n < runs; n++) {
          const start = performance.now();
          work();
          samples.push(performance.now() - start);
        }
        return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
      };
      const host = document.createElement("div");
      document.body.append(host);
      return {
        // Both lay out what they drew (offsetHeight), as showing it would.
        render: time(() => {
          host.replaceChildren(render(note));
          return host.offsetHeight;
        }),
        renderRaw: time(() => {
          const pre = document.createElement("pre");
          pre.textContent = note;
          host.replaceChildren(pre);
          return host.offsetHeight;
        }),
        parse: time(() => parse(note)),
        parseRaw: time(() => {
          let stars = 0;
          for (let i = 0; i < note.length; i++) if (note[i] === "*") stars++;
          return stars;
        }),
      };
    }, RUNS);
    printFigure({ name: "notes: render a 400 KB note (first part drawn)", unit: "ms", measured: figures.render, target: 50, raw: figures.renderRaw });
    printFigure({ name: "notes: parse all of a 400 KB note built to force rescans", unit: "ms", measured: figures.parse, target: 200, raw: figures.parseRaw });
    await context.close();
  } finally {
    await gloss.stop();
  }
}

/**
 * Review: from the rating key to the next card laid out, read from the
 * view's own marks (review-next-card), over a session of 40 cards. The raw
 * limit asks review_card for a card and draws its prompt as plain text,
 * the least any view can do to show a card it had not asked for.
 */
async function benchReview(browser) {
  const gloss = await startGloss({ "a.txt": longSummary("Long One") });
  try {
    const items = await waitFor(async () => {
      const { items } = await gloss.call("list_episodes", { limit: 1 });
      return items.length > 0 && items;
    }, { what: "the episode ingested" });
    const full = await gloss.call("get_episode", { id: items[0].id });
    for (let n = 0; n < 40; n++) await gloss.call("create_highlight", highlightArgs(full, n));
    await gloss.call("update_review_settings", { ...(await gloss.call("review_settings")), new_per_day: 1000 });
    const { page, context } = await openApp(browser, `${gloss.url}#/review`);
    await page.waitForSelector(".review-card");
    const cards = (await gloss.call("review_due")).cards.map((c) => c.card);
    const raw = await page.evaluate(async (cards) => {
      const host = document.createElement("div");
      document.body.append(host);
      const samples = [];
      for (const card of cards) {
        const start = performance.now();
        const response = await fetch("/api/call", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ op: "review_card", args: { card } }) });
        const shown = await response.json();
        const p = document.createElement("p");
        p.textContent = shown.prompt;
        host.replaceChildren(p);
        void host.offsetHeight;
        samples.push(performance.now() - start);
      }
      host.remove();
      return samples;
    }, cards);
    for (let n = 0; n < cards.length - 1; n++) {
      await page.keyboard.press(" ");
      await page.waitForSelector(".review-rating");
      await page.keyboard.press("4");
      await waitFor(() => page.evaluate((n) => performance.getEntriesByName("review-next-card").length > n, n), { what: `card ${n + 2} shown` });
    }
    const shown = await page.evaluate(() => performance.getEntriesByName("review-next-card").map((m) => m.duration));
    print("review: rating to next card shown", `p95 ${fmt(percentile(shown, 95))} over ${shown.length} (${machineLoad()})`);
    printFigure({ name: "review: next card shown after a rating", unit: "ms", measured: median(shown), target: 50, raw: median(raw) });
    await context.close();
  } finally {
    await gloss.stop();
  }
}

/**
 * The raw limit of the first rows: the plainest page doing the same work,
 * served at the same origin (Playwright answers its address): it asks for
 * the first page of the list and adds its rows, then marks
 * `library-painted` as the UI does.
 */
const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>first rows</title><ul id="rows"></ul>
<script type="module">
  const response = await fetch("/api/call", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ op: "list_episodes", args: { limit: 100, sort: "added" } }),
  });
  const { items } = await response.json();
  for (const item of items.slice(0, 30)) {
    const row = document.createElement("li");
    row.textContent = item.title;
    document.getElementById("rows").append(row);
  }
  performance.mark("library-painted");
</script>`;

/** Milliseconds from navigation to the `library-painted` mark of a page opened in a fresh context. */
async function firstRowsPainted(browser, url, { bare = false } = {}) {
  const context = await browser.newContext({ colorScheme: "light", viewport: { width: 1400, height: 900 }, reducedMotion: "reduce" });
  try {
    const page = await context.newPage();
    if (bare) await page.route(url, (route) => route.fulfill({ contentType: "text/html", body: BARE_PAGE }));
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName("library-painted").length > 0);
    return await page.evaluate(() => performance.getEntriesByName("library-painted")[0].startTime);
  } finally {
    await context.close();
  }
}

/**
 * Navigation to the first painted rows on the annotated libraries of
 * GLOSS_BENCH_SIZES (ten highlights an episode; see benchkit's
 * annotatedLibrary), target ≤ 300 ms; the raw limit is the bare page
 * above, opened the same way, one run after each of the UI's.
 */
async function benchLibraryAtScale(browser, episodes) {
  const gloss = await serveAnnotatedLibrary(episodes);
  try {
    const paints = [];
    const bare = [];
    for (let run = 0; run < SCALE_RUNS; run++) {
      paints.push(await firstRowsPainted(browser, gloss.url));
      bare.push(await firstRowsPainted(browser, new URL("first-rows.html", gloss.url).href, { bare: true }));
    }
    printFigure({ name: "library: navigation to first rows painted", unit: "ms", measured: median(paints), target: 300, raw: median(bare), episodes });
  } finally {
    await gloss.kill();
  }
}

const browser = await launchBrowser();
try {
  // BENCH_ONLY_SCALE=1 measures the libraries of GLOSS_BENCH_SIZES alone (as in api-bench.mjs).
  if (!process.env.BENCH_ONLY_SCALE) {
    await benchNote(browser);
    await benchReader(browser);
    await benchReview(browser);
  }
  if (!process.env.BENCH_ONLY_READER && !process.env.BENCH_ONLY_SCALE) await benchLibrary(browser);
  if (!process.env.BENCH_ONLY_READER) for (const size of benchSizes()) await benchLibraryAtScale(browser, size);
} finally {
  await browser.close();
}

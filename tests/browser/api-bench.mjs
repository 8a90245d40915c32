// API benchmarks over HTTP against a real `gloss serve` on a temp library,
// PRINTED (never asserted):
// - round trips through `POST /api/call`: get_episode of an episode with 300
//   highlights and create_highlight, p50 and p95 (targets: p95 ≤ 10 ms);
//   the raw limit is a `health` round trip, the transport alone;
// - the server's peak memory (VmHWM) with 10,000 episodes, after the
//   initial import and after a round of requests (target ≤ 100 MB);
// - the library at scale, at each size of GLOSS_BENCH_SIZES (default
//   "1000 10000"; `make bench` sets "1000 10000 100000"), with ten
//   highlights an episode: a page of the episode list in every order, the
//   first and a deep one (≤ 20 ms; raw limit: the same page read by a bare
//   SQLite query, with the first page's count of episodes and of each
//   show's, tests/browser/raw-list-page.py), the tag filter and the
//   Notes feed (≤ 50 ms), opening an episode with 300 highlights (≤ 50 ms),
//   creating a highlight (p95 ≤ 5 ms) (raw limit: a `health` round trip),
//   search (p95 ≤ 10 ms; raw limit: the same queries' reads of the two
//   full-text indexes by bare SQLite, tests/browser/raw-search.py), and
//   the server's RSS after that session (≤ 40 MB
//   at 10,000, ≤ 80 MB at 100,000; raw limit: its RSS just after start).
//   Each library is built once by tests/annotated-library
//   (write-annotated-library) into bench/raw/libraries/<size>/ and reused.
// Each figure prints as a `FIGURE {json}` line for bench/REPORT.md.
// Run: GLOSS_BIN=target/release/gloss node tests/browser/api-bench.mjs
// (the release builds of write-library and write-annotated-library must
// sit next to it).

import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchSizes, highlightArgs, longSummary, machineLoad, median, percentile, printFigure, serveAnnotatedLibrary, writeLibrary } from "./benchkit.mjs";
import { startGloss, waitFor } from "./helpers.mjs";

const HIGHLIGHTS = 300;
const ROUND_TRIPS = 300;
const EPISODES = 10_000;

/** Milliseconds one awaited call takes. */
async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * `count` timings of `work(n)`, after one untimed call unless `warmUp` is
 * false (the first call reads pages the operation has not read yet).
 */
async function samples(count, work, { warmUp = true } = {}) {
  if (warmUp) await work(count);
  const out = [];
  for (let n = 0; n < count; n++) out.push(await timed(() => work(n)));
  return out;
}

function printPercentiles(name, measured, raw) {
  for (const p of [50, 95]) {
    printFigure({ name: `${name}, p${p}`, unit: "ms", measured: percentile(measured, p), target: 10, raw: percentile(raw, p) });
  }
}

async function benchRoundTrips() {
  const gloss = await startGloss({ "long.txt": longSummary("Long One") });
  try {
    const id = await waitFor(async () => (await gloss.call("list_episodes", { limit: 1 })).items[0]?.id, { what: "the episode imported" });
    const episode = await gloss.call("get_episode", { id });
    await samples(20, () => gloss.call("health")); // warm the connection
    const transport = await samples(ROUND_TRIPS, () => gloss.call("health"));
    // Exactly HIGHLIGHTS made: the episode then has that many.
    const creates = await samples(HIGHLIGHTS, (n) => gloss.call("create_highlight", highlightArgs(episode, n)), { warmUp: false });
    const full = await gloss.call("get_episode", { id });
    if (full.highlights.length !== HIGHLIGHTS) throw new Error(`expected ${HIGHLIGHTS} highlights on the episode, found ${full.highlights.length}`);
    const gets = await samples(ROUND_TRIPS, () => gloss.call("get_episode", { id }));
    const size = JSON.stringify(full).length;
    console.log(`api: health round trip (the transport alone) p50 ${median(transport).toFixed(2)} ms; the episode's answer is ${(size / 1024).toFixed(0)} KiB; ${machineLoad()}`);
    printPercentiles(`API round trip: get_episode with ${HIGHLIGHTS} highlights`, gets, transport);
    printPercentiles("API round trip: create_highlight", creates, transport);
  } finally {
    await gloss.stop();
  }
}

/** Peak resident memory of process `pid`, in MB (1 MB = 10^6 bytes). */
const peakRss = (pid) => memory(pid, "VmHWM");

/** Field `field` (VmHWM, VmRSS) of process `pid`'s status, in MB. */
async function memory(pid, field) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return (Number(match[1]) * 1024) / 1e6;
}

async function benchMemory() {
  const started = Date.now();
  const gloss = await startGloss({}, { prepare: (library) => writeLibrary(library, EPISODES) });
  try {
    const counts = await waitFor(
      async () => {
        const { counts } = await gloss.call("library_status");
        return counts.active + counts.error >= EPISODES && counts;
      },
      { timeout: 600_000, interval: 250, what: `${EPISODES} files imported` },
    );
    console.log(`memory: ${EPISODES} files imported at start in ${((Date.now() - started) / 1000).toFixed(1)} s (${counts.active} episodes, ${counts.error} errors); ${machineLoad()}`);
    const afterImport = await peakRss(gloss.pid);

    // A round of what a reader does: page through the library, open
    // episodes, search, list highlights.
    for (let after; ; ) {
      const { next } = await gloss.call("list_episodes", { after, limit: 200 });
      if (!next) break;
      after = next;
    }
    const { items } = await gloss.call("list_episodes", { limit: 50 });
    for (const item of items) {
      const episode = await gloss.call("get_episode", { id: item.id });
      await gloss.call("create_highlight", highlightArgs(episode, 0));
    }
    for (const query of SEARCHES) await gloss.call("search", { query });
    await gloss.call("list_highlights", { limit: 500 });
    const afterRequests = await peakRss(gloss.pid);

    printFigure({ name: `gloss serve peak memory, ${EPISODES.toLocaleString("en")} episodes imported`, unit: "MB", measured: afterImport, target: 100 });
    printFigure({ name: `gloss serve peak memory, ${EPISODES.toLocaleString("en")} episodes, after requests`, unit: "MB", measured: afterRequests, target: 100 });
  } finally {
    await gloss.stop();
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const SORTS = ["added", "title", "show", "last_read", "most_highlighted"];
const SCALE_ROUNDS = 30;

/** The raw limit of a list page: the same page by a bare SQLite query (p50, p95 in ms). */
function rawPage(data, depth) {
  const out = execFileSync("python3", [path.join(here, "raw-list-page.py"), path.join(data, "gloss.db"), String(depth), String(SCALE_ROUNDS)]);
  return JSON.parse(out);
}

/** Queries the search figure sends: common words, a phrase, a prefix. */
const SEARCHES = ["grid", "compute frontier", "battery*", "\"open weights\"", "energy"];

/** The raw limit of search: the same queries' index reads by bare SQLite (p50, p95 in ms). */
function rawSearch(data) {
  const out = execFileSync("python3", [path.join(here, "raw-search.py"), path.join(data, "gloss.db"), "3", ...SEARCHES]);
  return JSON.parse(out);
}

/** The cursor after about `depth` rows of `args`' order, reached page by page. */
async function cursorAt(gloss, args, depth) {
  let after;
  for (let read = 0; read < depth; read += 1000) {
    const page = await gloss.call("list_episodes", { ...args, after, limit: Math.min(1000, depth - read) });
    if (!page.next) break;
    after = page.next;
  }
  return after;
}

async function benchScale(episodes) {
  // It creates highlights: on a copy, so every run starts from the library as built.
  const gloss = await serveAnnotatedLibrary(episodes, { writes: true });
  const figure = (name, measured, target, raw) => printFigure({ name, unit: "ms", measured, target, raw, episodes });
  try {
    const rssAtStart = await memory(gloss.pid, "VmRSS");
    const transport = await samples(SCALE_ROUNDS, () => gloss.call("health"));
    const deep = Math.floor(episodes * 0.9);
    const rawFirst = rawPage(gloss.data, 0);
    const rawDeep = rawPage(gloss.data, deep);
    for (const sort of SORTS) {
      const first = await samples(SCALE_ROUNDS, () => gloss.call("list_episodes", { sort, limit: 50 }));
      figure(`list_episodes first page of 50, sort ${sort}, p95`, percentile(first, 95), 20, rawFirst.p95);
      const after = await cursorAt(gloss, { sort }, deep);
      const later = await samples(SCALE_ROUNDS, () => gloss.call("list_episodes", { sort, after, limit: 50 }));
      figure(`list_episodes page of 50 after 90% of the list, sort ${sort}, p95`, percentile(later, 95), 20, rawDeep.p95);
    }
    for (const [what, op, args] of [
      ["list_episodes first page, tag filter", "list_episodes", { tag: "ai", limit: 50 }],
      ["list_episodes first page, unread filter", "list_episodes", { read: false, limit: 50 }],
      ["list_notes first page", "list_notes", { limit: 50 }],
      ["list_notes first page, tag filter", "list_notes", { tag: "energy", limit: 50 }],
    ]) {
      const times = await samples(SCALE_ROUNDS, () => gloss.call(op, args));
      figure(`${what}, p95`, percentile(times, 95), 50, percentile(transport, 95));
    }
    const heavy = (await gloss.call("list_episodes", { sort: "most_highlighted", limit: 1 })).items[0];
    const opens = await samples(SCALE_ROUNDS, () => gloss.call("get_episode", { id: heavy.id }));
    figure(`get_episode with ${heavy.highlight_count} highlights, p95`, percentile(opens, 95), 50, percentile(transport, 95));
    const episode = await gloss.call("get_episode", { id: heavy.id });
    const creates = await samples(SCALE_ROUNDS, (n) => gloss.call("create_highlight", highlightArgs(episode, n)));
    figure("create_highlight (durable), p95", percentile(creates, 95), 5, percentile(transport, 95));
    const searches = [];
    // A first round untimed, as `samples` does; then ten, so the p95 is
    // not the slowest of a handful.
    for (let round = 0; round <= 10; round++) {
      for (const query of SEARCHES) {
        const took = await timed(() => gloss.call("search", { query }));
        if (round > 0) searches.push(took);
      }
    }
    figure("search, p95", percentile(searches, 95), 10, rawSearch(gloss.data).p95);
    // The rest of a realistic session: more pages, episodes opened, the feed.
    for (const sort of SORTS) await cursorAt(gloss, { sort }, Math.min(episodes, 5000));
    const { items } = await gloss.call("list_episodes", { limit: 50 });
    for (const item of items) await gloss.call("get_episode", { id: item.id });
    await gloss.call("list_notes", { limit: 200 });
    const rss = await memory(gloss.pid, "VmRSS");
    printFigure({ name: "gloss serve RSS after a session of requests", unit: "MB", measured: rss, target: episodes > 10_000 ? 80 : 40, raw: rssAtStart, episodes });
  } finally {
    await gloss.kill();
  }
}

// BENCH_ONLY_SCALE=1 measures the libraries of GLOSS_BENCH_SIZES alone.
if (!process.env.BENCH_ONLY_SCALE) {
  await benchRoundTrips();
  await benchMemory();
}
for (const size of benchSizes()) await benchScale(size);

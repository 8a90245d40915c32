// API benchmarks over HTTP against a real `gloss serve` on a temp library,
// PRINTED (never asserted):
// - round trips through `POST /api/call`: get_episode of an episode with 300
//   highlights and create_highlight, p50 and p95 (targets: p95 ≤ 10 ms);
//   the raw limit is a `health` round trip, the transport alone;
// - the server's peak memory (VmHWM) with 10,000 episodes, after the
//   initial import and after a round of requests (target ≤ 100 MB).
// Each figure prints as a `FIGURE {json}` line for bench/REPORT.md.
// Run: GLOSS_BIN=target/release/gloss node tests/browser/api-bench.mjs
// (the release build of gloss-testkit's write-library must sit next to it).

import { readFile } from "node:fs/promises";
import { highlightArgs, longSummary, machineLoad, median, percentile, printFigure, writeLibrary } from "./benchkit.mjs";
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

async function samples(count, work) {
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
    const creates = await samples(HIGHLIGHTS, (n) => gloss.call("create_highlight", highlightArgs(episode, n)));
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
async function peakRss(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
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
    const { total } = await gloss.call("list_episodes", { limit: 1 });
    for (let offset = 0; offset < total; offset += 200) await gloss.call("list_episodes", { offset, limit: 200 });
    const { items } = await gloss.call("list_episodes", { limit: 50 });
    for (const item of items) {
      const episode = await gloss.call("get_episode", { id: item.id });
      await gloss.call("create_highlight", highlightArgs(episode, 0));
    }
    for (const query of ["grid", "compute frontier", "battery*", "\"open weights\""]) await gloss.call("search", { query });
    await gloss.call("list_highlights", { limit: 500 });
    const afterRequests = await peakRss(gloss.pid);

    printFigure({ name: `gloss serve peak memory, ${EPISODES.toLocaleString("en")} episodes imported`, unit: "MB", measured: afterImport, target: 100 });
    printFigure({ name: `gloss serve peak memory, ${EPISODES.toLocaleString("en")} episodes, after requests`, unit: "MB", measured: afterRequests, target: 100 });
  } finally {
    await gloss.stop();
  }
}

await benchRoundTrips();
await benchMemory();

// What the JavaScript benchmarks share: figures printed in the format of
// tests/testkit's `figures` module (so bench/report.py gathers them into
// bench/REPORT.md), percentiles, and the data they measure on.
// Benchmarks print; they never assert on time.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SAMPLE, glossBin, serveGloss, summaryText, waitFor } from "./helpers.mjs";

/**
 * Prints a figure for people and a `FIGURE {json}` line for bench/report.py.
 * `measured` is the median unless the name gives a percentile; `raw` is the
 * same work done the plainest way in the same run, when there is one.
 * `episodes`, when given, is the library size the figure was measured at:
 * one point of the series named `name`, which bench/report.py charts.
 */
export function printFigure({ name, unit, measured, target, better = "lower", raw = null, episodes = null }) {
  const meets = better === "lower" ? measured <= target : measured >= target;
  const rawText = raw ? `, raw limit ${raw.toFixed(3)} ${unit}, ratio ${(measured / raw).toFixed(2)}` : "";
  const at = episodes === null ? "" : ` at ${episodes} episodes`;
  console.log(`${name}${at}: ${measured.toFixed(3)} ${unit} (target ${better === "lower" ? "≤" : "≥"} ${target} ${unit}: ${meets ? "meets" : "MISSES"})${rawText}`);
  console.log(`FIGURE ${JSON.stringify({ name, unit, measured, target, better, raw, episodes })}`);
}

/**
 * The machine's load, to print beside figures: other work competing for the
 * cores inflates timings, the high percentiles most.
 */
export function machineLoad() {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} on ${availableParallelism()} cores`;
}

/** The p-th percentile (0-100) by nearest rank, as figures.rs computes it. */
export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

export const median = (samples) => percentile(samples, 50);

/** A long summary: 12 sections of 6 insights with ~40-word bodies. */
export function longSummary(title) {
  const words = "open models distill compute price quality adoption frontier labs release capital energy chips supply policy market".split(" ");
  const body = (s, i) => Array.from({ length: 40 }, (_, n) => words[(s * 7 + i * 3 + n) % words.length]).join(" ") + ".";
  return summaryText({
    ...SAMPLE,
    title,
    sections: Array.from({ length: 12 }, (_, s) => ({ emoji: "📈", title: `Section ${s + 1}`, insights: Array.from({ length: 6 }, (_, i) => [`Insight ${s + 1}.${i + 1}`, body(s, i)]) })),
  });
}

const COLORS = ["yellow", "green", "blue", "pink", "purple"];

/**
 * The `create_highlight` args of the n-th of many highlights on `episode`
 * (as `get_episode` answers it): spread over its longer blocks (insight
 * bodies, TL;DR, bottom line, paragraphs), every fifth overlapping the one
 * before it, every third with a note.
 */
export function highlightArgs(episode, n) {
  const blocks = episode.blocks.filter((b) => b.len >= 60);
  if (blocks.length === 0) throw new Error(`episode ${episode.id} has no block long enough to highlight in`);
  const block = blocks[n % blocks.length];
  const round = Math.floor(n / blocks.length);
  const start = block.start + ((round * 37) % (block.len - 45));
  return { episode_id: episode.id, start, end: start + (n % 5 === 0 ? 40 : 18), color: COLORS[n % 5], note: n % 3 ? "" : `note ${n}` };
}

/**
 * Writes `count` realistic summary files into `dir` with tests/testkit's
 * generator (the `write-library` binary next to the gloss binary), the same
 * mix of files the Rust benchmarks import.
 */
export function writeLibrary(dir, count) {
  const bin = path.join(path.dirname(glossBin()), "write-library");
  try {
    execFileSync(bin, [dir, String(count)], { stdio: ["ignore", "ignore", "inherit"] });
  } catch (error) {
    throw new Error(`${bin} failed (build it with: cargo build --release -p gloss-testkit --bins): ${error.message}`);
  }
}

/** The library sizes to measure at: GLOSS_BENCH_SIZES (`make bench` sets "1000 10000 100000"), else 1,000 and 10,000. */
export function benchSizes() {
  return (process.env.GLOSS_BENCH_SIZES ?? "1000 10000").split(/\s+/).filter(Boolean).map(Number);
}

/** The library of `episodes` episodes and ten times as many highlights, built once and kept in bench/raw/libraries/. */
export function annotatedLibrary(episodes) {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "raw", "libraries", String(episodes));
  const folders = { library: path.join(root, "library"), data: path.join(root, "data") };
  if (existsSync(path.join(root, "complete"))) return folders;
  execFileSync("rm", ["-rf", root]);
  const bin = path.join(path.dirname(glossBin()), "write-annotated-library");
  const started = Date.now();
  execFileSync(bin, [folders.library, folders.data, String(episodes), String(episodes * 10)], { stdio: ["ignore", "inherit", "inherit"] });
  // On disk before any figure is measured on it (see serveAnnotatedLibrary).
  execFileSync("sync");
  execFileSync("touch", [path.join(root, "complete")]);
  console.log(`scale: built the ${episodes}-episode library in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return folders;
}

/**
 * `gloss serve` on the annotated library of `episodes`, once it is idle:
 * its start-up scan of the folder done (`library_status.watching`), so a
 * figure measures its operation, not the scan of 100,000 files beside it.
 * With `writes`, on a copy of the data folder (`gloss.data`), removed by
 * `gloss.kill()`: the library stays as built for the next run.
 */
export async function serveAnnotatedLibrary(episodes, { writes = false } = {}) {
  const built = annotatedLibrary(episodes);
  const data = writes ? `${built.data}-scratch` : built.data;
  if (writes) {
    execFileSync("rm", ["-rf", data]);
    execFileSync("cp", ["-r", built.data, data]);
    // Written out before measuring: the kernel would otherwise be writing the
    // copy's 2 GB (at 100,000 episodes) back during the figures, and each
    // durable commit would wait behind it. After 30 highlights created so,
    // the search p95 measured 10–14 ms against 5–7 ms with the copy on disk.
    execFileSync("sync");
  }
  const gloss = await serveGloss({ library: built.library, data });
  await waitFor(async () => (await gloss.call("library_status")).watching, { what: "the start-up scan done", timeout: 600_000 });
  const kill = async (signal) => {
    await gloss.kill(signal);
    if (writes) execFileSync("rm", ["-rf", data]);
  };
  return { ...gloss, data, kill };
}

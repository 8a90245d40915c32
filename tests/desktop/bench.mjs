// Desktop start, PRINTED (never asserted): the release `gloss` binary in
// its Tauri window under Xvfb.
// - Cold start: from the moment tauri-driver is asked to launch it until
//   the UI has painted the first rows of the episode list (its
//   `library-painted` performance mark), on a library of 10,000 episodes
//   already imported. Median of 5 launches (target ≤ 1.5 s). The clock
//   starts before the WebDriver session request, so the figure also counts
//   WebKitWebDriver starting the process: it is an upper bound.
// - At scale, on the annotated libraries of GLOSS_BENCH_SIZES (as the
//   browser's figure, tests/browser/bench.mjs): from the page's start to
//   its first rows painted, target ≤ 300 ms, median of 3 launches, with
//   the start-up rescan of the library running meanwhile, as it does for
//   anyone opening Gloss. The raw limit is the first page's own request
//   through the window's IPC, timed in the page.
// Each launch is a new process with no other instance running; the files
// it reads are in the page cache after the first.
// Run (with a DISPLAY): GLOSS_BIN=target/release/gloss node tests/desktop/bench.mjs

import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { annotatedLibrary, benchSizes, machineLoad, median, printFigure, writeLibrary } from "../browser/benchkit.mjs";
import { glossBin } from "../browser/helpers.mjs";
import { Session, startDriver } from "./webdriver.mjs";

const RUNS = 5;
const RUNS_AT_SCALE = 3;
const EPISODES = 10_000;

/** Milliseconds since the epoch, to the microsecond (the page's clock is the same). */
const now = () => performance.timeOrigin + performance.now();

/** The pids of the processes with `marker` on their command line. */
async function processesWith(marker) {
  const found = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) found.push(pid);
  }
  return found;
}

/**
 * CPU seconds used so far by the processes `roots` and their descendants
 * (gloss and the WebKit processes it starts). Printed beside the wall-clock
 * figure: on a busy machine the wall clock mostly measures waiting for a core.
 */
async function cpuSeconds(roots) {
  const stats = new Map();
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
    const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields) stats.set(pid, { ppid: fields[1], ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const wanted = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid }] of stats) {
      if (wanted.has(ppid) && !wanted.has(pid)) {
        wanted.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of wanted) ticks += stats.get(pid)?.ticks ?? 0;
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Waits until no process has `marker` on its command line (the last launch has exited). */
async function waitGone(marker, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const running = await processesWith(marker);
    if (running.length === 0) return;
    if (Date.now() > deadline) throw new Error(`gloss (pid ${running.join(", ")}) still runs ${timeout / 1000} s after its session closed`);
    await sleep(100);
  }
}

/** When the page started and painted its first rows, and how many (page clock, ms since the epoch). */
const PAINTED = `const mark = performance.getEntriesByName("library-painted").at(-1);
  const rows = document.querySelectorAll("a.episode-row").length;
  return mark && rows ? { origin: performance.timeOrigin, painted: performance.timeOrigin + mark.startTime, rows } : null;`;

/** The first page's own request through the window's IPC, timed in the page (ms). */
const FIRST_PAGE_REQUEST = `const started = performance.now();
  return window.__TAURI__.core.invoke("call", { request: { op: "list_episodes", args: { limit: 100, sort: "added" } } })
    .then(() => performance.now() - started);`;

/**
 * Launches the window `runs` times on `args`' library (its folders under
 * `root`), each time until its first rows are painted, and calls `measure`
 * with the session, the launch time and what `PAINTED` returned.
 */
async function launches(driver, root, args, runs, measure) {
  for (let run = 0; run < runs; run++) {
    await waitGone(root);
    const spawned = now();
    const session = await Session.open(driver.base, bin, args);
    const opened = now();
    try {
      const paint = await session.waitFor(PAINTED, { timeout: 60_000 });
      const cpu = await cpuSeconds(await processesWith(root));
      console.log(
        `desktop launch ${run + 1}: page started after ${(paint.origin - spawned).toFixed(0)} ms, session ready after ${(opened - spawned).toFixed(0)} ms, ` +
          `first ${paint.rows} rows painted after ${(paint.painted - spawned).toFixed(0)} ms (${(paint.painted - paint.origin).toFixed(0)} ms after the page started), ` +
          `${cpu.toFixed(2)} s of CPU by then; ${machineLoad()}`,
      );
      await measure(session, spawned, paint);
    } finally {
      await session.close();
    }
  }
  await waitGone(root);
}

const bin = glossBin();
const root = await mkdtemp(path.join(tmpdir(), "gloss-coldstart-"));
const library = path.join(root, "library");
const data = path.join(root, "data");
await mkdir(data);
writeLibrary(library, EPISODES);
const args = ["--library", library, "--data", data];
const imported = now();
execFileSync(bin, [...args, "scan"], { stdio: ["ignore", "ignore", "inherit"] });
console.log(`desktop: imported ${EPISODES} files with 'gloss scan' in ${((now() - imported) / 1000).toFixed(1)} s`);

process.env.WEBKIT_DISABLE_COMPOSITING_MODE = "1";
// Ports of their own, so the benchmark can run beside the desktop tests (4444, 4445).
const driver = await startDriver(4454);
try {
  const starts = [];
  await launches(driver, root, args, RUNS, (session, spawned, { painted }) => starts.push(painted - spawned));
  printFigure({ name: `desktop cold start to first rows of the episode list (${EPISODES.toLocaleString("en")} episodes)`, unit: "s", measured: median(starts) / 1000, target: 1.5 });
  await rm(root, { recursive: true, force: true });

  for (const episodes of benchSizes()) {
    const built = annotatedLibrary(episodes);
    const paints = [];
    const requests = [];
    await launches(driver, built.data, ["--library", built.library, "--data", built.data], RUNS_AT_SCALE, async (session, spawned, { origin, painted }) => {
      paints.push(painted - origin);
      requests.push(await session.waitFor(FIRST_PAGE_REQUEST));
    });
    printFigure({ name: "desktop: page start to first rows painted", unit: "ms", measured: median(paints), target: 300, raw: median(requests), episodes });
  }
} finally {
  driver.stop();
  await waitGone(root).catch((error) => console.error(error.message));
  await rm(root, { recursive: true, force: true });
}

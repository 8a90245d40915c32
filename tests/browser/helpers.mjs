// Shared test harness: starts a real `gloss serve` on a temp library and
// data folder, drives Debian's Chromium through playwright-core, and writes
// screenshots to tests/artifacts/.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
export const artifactsDir = path.join(repoRoot, "tests/artifacts");

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/** Launches Debian's Chromium (never a downloaded one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/**
 * A summary file in the library's plain-text format. `sections` is a list of
 * { emoji, title, insights: [[title, body], ...] }.
 */
export function summaryText({ title, show, tldr, sections = [], bottom, relatedSource, related = [] }) {
  const lines = [`${title} | ${show}`];
  if (tldr) lines.push("TL;DR", tldr);
  for (const s of sections) {
    lines.push(`${s.emoji} ${s.title} ${s.insights.length} insight${s.insights.length === 1 ? "" : "s"}`);
    for (const [t, b] of s.insights) lines.push(t, b);
  }
  if (bottom) lines.push("Bottom Line", bottom);
  if (related.length) {
    lines.push(`More from ${relatedSource ?? show}`, "View all");
    for (const [t, b] of related) lines.push(t, b);
  }
  return `${lines.join("\n")}\n`;
}

/** A small, realistic summary used by most tests. */
export const SAMPLE = {
  title: "Compute, Open Models and the Price of Intelligence",
  show: "Signal Hours",
  tldr: "Open models now match last year's frontier at a tenth of the cost, and that reshapes who can build with AI.",
  sections: [
    {
      emoji: "🧠",
      title: "Open Models Catch Up",
      insights: [
        ["Downloads tell the story", "Open-weight models passed 400 million downloads, and the newest mid-size ones score like last year's frontier model."],
        ["Distillation compounds", "Labs distill from each other's public releases, so progress in one lab lifts every lab that builds on it."],
      ],
    },
    {
      emoji: "💸",
      title: "The Economics",
      insights: [["Price per unit of intelligence", "Enterprises get ninety percent of the quality for ten percent of the price 💡 and switch when the gap is that wide."]],
    },
  ],
  bottom: "Cheap, capable open models turn AI from a scarce service into a commodity input.",
  relatedSource: "Signal Hours",
  related: [["The Chip Supply Chain | Signal Hours", "Why a handful of factories decide the pace of AI progress, and what could change that."]],
};

/** The gloss binary under test: GLOSS_BIN, or the debug build. */
export function glossBin() {
  return path.resolve(repoRoot, process.env.GLOSS_BIN ?? "target/debug/gloss");
}

/** A fresh temp folder holding `library/` (with `files`, { name: text }) and `data/`. */
async function makeFolders(files = {}) {
  const root = await mkdtemp(path.join(tmpdir(), "gloss-ui-"));
  const library = path.join(root, "library");
  const data = path.join(root, "data");
  await mkdir(library);
  await mkdir(data);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(library, name), text);
  return { root, library, data };
}

/**
 * Runs `gloss serve --port 0` on existing `library` and `data` folders.
 * Resolves to { url, pid, call(op, args), kill(signal) } once it prints its
 * URL; `kill` resolves when the process has exited.
 */
export async function serveGloss({ library, data }) {
  const bin = glossBin();
  const child = spawn(bin, ["serve", "--library", library, "--data", data, "--port", "0"], {
    // The UI is read from disk: GLOSS_UI_DIR, or this checkout's ui/.
    env: { ...process.env, GLOSS_UI_DIR: process.env.GLOSS_UI_DIR ?? path.join(repoRoot, "ui") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`gloss serve printed no URL within 30 s; stderr: ${stderr}`)), 30000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /(http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`gloss serve exited with ${code} (is GLOSS_BIN=${bin} built?): ${stderr}`)));
  });
  const base = new URL(url);
  const call = async (op, args) => {
    const response = await fetch(new URL("/api/call", base), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(args === undefined ? { op } : { op, args }) });
    const body = await response.json();
    if (!response.ok) throw new Error(`${op}: ${JSON.stringify(body)}`);
    return body;
  };
  const kill = (signal = "SIGTERM") =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill(signal);
    });
  return { url, pid: child.pid, call, kill };
}

/**
 * Starts `gloss serve` on a fresh temp library holding `files`
 * ({ name: text }); `prepare(library)` may fill the library further before
 * the server starts. Resolves to { url, library, data, pid, call(op, args), stop() }.
 */
export async function startGloss(files = {}, { prepare } = {}) {
  const folders = await makeFolders(files);
  await prepare?.(folders.library);
  const server = await serveGloss(folders);
  const stop = async () => {
    await server.kill();
    await rm(folders.root, { recursive: true, force: true });
  };
  return { url: server.url, library: folders.library, data: folders.data, pid: server.pid, call: server.call, stop };
}

/**
 * Two devices: two `gloss serve`s with their own data and library folders,
 * each holding `summary` under its own file name, syncing through one
 * shared temp folder (set with `update_settings`, as a user would).
 * Resolves to { a, b, syncDir, stop() }; `a` and `b` are
 * { url, library, data, call, kill(signal), restart() }, and `restart`
 * serves the same folders again after `kill` (a new URL).
 */
export async function startSyncedPair(summary) {
  const syncRoot = await mkdtemp(path.join(tmpdir(), "gloss-sync-"));
  const device = async (fileName) => {
    const folders = await makeFolders({ [fileName]: summary });
    const dev = { ...folders };
    const serve = async () => Object.assign(dev, await serveGloss(folders));
    dev.restart = serve;
    await serve();
    await dev.call("update_settings", { sync_dir: syncRoot });
    return dev;
  };
  const a = await device("on-device-a.txt");
  const b = await device("Signal Hours - copied.txt");
  const stop = async () => {
    await Promise.all([a.kill(), b.kill()]);
    await Promise.all([a.root, b.root, syncRoot].map((dir) => rm(dir, { recursive: true, force: true })));
  };
  return { a, b, syncDir: syncRoot, stop };
}

/** Opens the app in a fresh context and waits until it has started. */
export async function openApp(browser, url, { colorScheme = "light", viewport = { width: 1400, height: 900 }, bypassCSP = false } = {}) {
  // bypassCSP only for injecting axe-core; every other test runs under the real policy.
  const context = await browser.newContext({ colorScheme, viewport, reducedMotion: "reduce", bypassCSP });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss();
  });
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  await page.goto(url);
  await page.waitForSelector("html[data-ready]");
  return { context, page, problems };
}

/**
 * Runs axe-core on the page (opened with `bypassCSP: true`, to inject it)
 * and fails on any serious or critical violation.
 */
export async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(summary, [], `${name}: axe violations`);
}

/** `problems` (from openApp) without the browser's log lines for HTTP `statuses` the test asked for. */
export function besidesStatus(problems, ...statuses) {
  return problems.filter((p) => !statuses.some((status) => p.includes(`the server responded with a status of ${status}`)));
}

/** Saves a full-window screenshot as tests/artifacts/<name>.png. */
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

/** Episode id of the library item titled `title`. */
export async function episodeId(gloss, title) {
  const { items } = await gloss.call("list_episodes", { limit: 500 });
  const item = items.find((e) => e.title === title);
  if (!item) throw new Error(`no episode titled ${title}: ${items.map((e) => e.title).join(", ")}`);
  return item.id;
}

/**
 * Canonical code point offsets `{ start, end }` of the first `phrase` in
 * episode `id`, whose blocks joined by "\n\n" are its canonical text; a
 * phrase may run across blocks.
 */
export async function phraseOffsets(gloss, id, phrase) {
  const text = (await gloss.call("get_episode", { id })).blocks.map((b) => b.text).join("\n\n");
  const at = text.indexOf(phrase);
  if (at < 0) throw new Error(`“${phrase}” is not in episode ${id}`);
  const start = [...text.slice(0, at)].length;
  return { start, end: start + [...phrase].length };
}

/** Highlights the first `phrase` in episode `id` through the API, as a script would. */
export async function highlightPhrase(gloss, id, phrase, color, extra = {}) {
  return gloss.call("create_highlight", { episode_id: id, ...(await phraseOffsets(gloss, id, phrase)), color, ...extra });
}

/**
 * Selects `phrase` inside the block `blockKey` with a real mouse drag, from
 * the first character's left edge to the last character's right edge.
 */
export async function dragSelect(page, blockKey, phrase, { endBlockKey = blockKey, endPhrase = phrase } = {}) {
  const box = await page.evaluate(
    ({ blockKey, phrase, endBlockKey, endPhrase }) => {
      const rectOf = (key, text, atEnd) => {
        const el = document.querySelector(`[data-block="${key}"]`);
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let full = "";
        const nodes = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          nodes.push([n, full.length]);
          full += n.data;
        }
        const at = full.indexOf(text);
        if (at < 0) throw new Error(`“${text}” not in block ${key}: ${full}`);
        const index = atEnd ? at + text.length - 1 : at;
        const [node, base] = nodes.filter(([, b]) => b <= index).pop();
        const range = document.createRange();
        range.setStart(node, index - base);
        range.setEnd(node, index - base + 1);
        const r = range.getBoundingClientRect();
        return { x: atEnd ? r.right - 1 : r.left + 1, y: r.top + r.height / 2 };
      };
      return { from: rectOf(blockKey, phrase, false), to: rectOf(endBlockKey, endPhrase, true) };
    },
    { blockKey, phrase, endBlockKey, endPhrase },
  );
  await page.mouse.move(box.from.x, box.from.y);
  await page.mouse.down();
  await page.mouse.move((box.from.x + box.to.x) / 2, (box.from.y + box.to.y) / 2, { steps: 4 });
  await page.mouse.move(box.to.x, box.to.y, { steps: 4 });
  await page.mouse.up();
}

/** Polls `check` until it returns something truthy; fails after `timeout` ms. */
export async function waitFor(check, { timeout = 10000, interval = 50, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** The text of every painted segment of highlight `id`, joined. */
export function markedText(page, id) {
  return page.evaluate((id) => [...document.querySelectorAll("mark.hl")].filter((m) => m.dataset.ids.split(" ").includes(id)).map((m) => m.textContent).join(""), id);
}

/**
 * The text `locator` renders, white-space rules applied (innerText).
 * Cards and feed items have `content-visibility: auto`: Chromium skips the
 * contents of one that is off screen or not yet laid out, and its innerText
 * is "" until then. So scroll it into view and wait for its first layout.
 */
export async function renderedText(locator) {
  await locator.scrollIntoViewIfNeeded();
  return waitFor(() => locator.evaluate((el) => el.innerText), { what: "the element's rendered text" });
}

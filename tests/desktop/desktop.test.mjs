// The real desktop app: the `gloss` binary in a Tauri window under Xvfb,
// driven through tauri-driver and WebKitWebDriver. It shows the library,
// takes a highlight made through the UI, and still has it after a restart.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, startDriver } from "./webdriver.mjs";
import { SAMPLE, summaryText } from "../browser/helpers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const bin = path.resolve(repoRoot, process.env.GLOSS_BIN ?? "target/debug/gloss");
const artifacts = path.join(repoRoot, "tests/artifacts");

let driver;
let root;
let args;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gloss-desktop-"));
  const library = path.join(root, "library");
  const data = path.join(root, "data");
  await mkdir(library);
  await mkdir(data);
  await writeFile(path.join(library, "signal-hours.txt"), summaryText(SAMPLE));
  args = ["--library", library, "--data", data];
  process.env.WEBKIT_DISABLE_COMPOSITING_MODE = "1";
  driver = await startDriver();
});

after(async () => {
  driver?.stop();
  await rm(root, { recursive: true, force: true });
});

/** Calls the Gloss API from inside the window, through the Tauri command. */
function invoke(session, op, args = {}) {
  return session.executeAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI__.core.invoke("call", { request: { op: arguments[0], args: arguments[1] } })
       .then((value) => done({ value }), (error) => done({ error }));`,
    [op, args],
  );
}

/** Selects `phrase` inside block `key` the way a user's drag would leave it. */
const SELECT = `
  const [key, phrase] = arguments;
  const el = document.querySelector('[data-block="' + key + '"]');
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.data.indexOf(phrase);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(n, at);
    range.setEnd(n, at + phrase.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    el.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
    return true;
  }
  return false;`;

test("the desktop window lists episodes, keeps a highlight made in the UI across a restart", async () => {
  let session = await Session.open(driver.base, bin, args);
  try {
    await session.waitFor("return document.documentElement.dataset.ready !== undefined", { timeout: 20000 });
    const title = await session.waitFor("return document.querySelector('a.episode-row .episode-title')?.textContent");
    assert.match(title, /Compute, Open Models/);
    await session.clickCss("a.episode-row");
    await session.find('[data-block="s1.i1.body"]');
    assert.ok(await session.execute(SELECT, ["s1.i1.body", "400 million downloads"]), "phrase found");
    await session.find(".toolbar:not([hidden]) .swatch[data-color=\"blue\"]");
    await session.clickCss('.toolbar .swatch[data-color="blue"]');
    await session.find("mark.hl-blue");
    const listed = await invoke(session, "list_highlights", {});
    assert.equal(listed.error, undefined, JSON.stringify(listed.error));
    assert.equal(listed.value.items.length, 1);
    assert.equal(listed.value.items[0].selector.exact, "400 million downloads");
    await mkdir(artifacts, { recursive: true });
    // WebKitWebDriver's own screenshot hangs under Xvfb; grab the display.
    execFileSync("import", ["-window", "root", path.join(artifacts, "desktop-reader.png")]);
  } finally {
    await session.close();
  }

  session = await Session.open(driver.base, bin, args);
  try {
    await session.find("a.episode-row", { timeout: 20000 });
    await session.clickCss("a.episode-row");
    await session.find("mark.hl-blue");
    const marked = await session.execute("return [...document.querySelectorAll('mark.hl-blue')].map((m) => m.textContent).join('')");
    assert.equal(marked, "400 million downloads");
  } finally {
    await session.close();
  }
});

test("a highlight made with the command line while the window is open appears in it", async () => {
  const session = await Session.open(driver.base, bin, args);
  try {
    await session.find("a.episode-row", { timeout: 20000 });
    await session.clickCss("a.episode-row");
    await session.find('[data-block="s1.i1.body"]');
    const episode = await invoke(session, "list_episodes", {});
    const id = String(episode.value.items[0].id);
    // The window holds the data folder: the command goes through its local channel.
    const printed = execFileSync(bin, [...args, "highlight", "--episode", id, "--quote", "Distillation compounds", "--color", "pink"]);
    assert.equal(JSON.parse(printed).selector.exact, "Distillation compounds");
    const marked = await session.waitFor(
      "return [...document.querySelectorAll('mark.hl-pink')].map((m) => m.textContent).join('') || undefined",
      { timeout: 10000 },
    );
    assert.equal(marked, "Distillation compounds");
    const listed = execFileSync(bin, [...args, "annotations", "--json"]);
    assert.ok(JSON.parse(listed).some((h) => h.selector.exact === "Distillation compounds"), "the CLI lists it while the window runs");
  } finally {
    await session.close();
  }
});

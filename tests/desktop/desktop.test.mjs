// The real desktop app: the `gloss` binary in a Tauri window under Xvfb,
// driven through tauri-driver and WebKitWebDriver. It shows the library,
// takes a highlight made through the UI, and still has it after a restart;
// Quit (menu and shortcut) ends it cleanly, every menu shortcut does what
// its item says, and Import picks its file in the native picker.
//
// WebDriver reaches the web page only. What GTK answers itself (the menu
// bar, the menu items' shortcuts, the native file picker) is driven with
// real key presses on the X display (`pressKeys`), and native windows are
// found by their titles (`nativeWindow`).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Session, exitRecorder, nativeWindow, pressKeys, startDriver } from "./webdriver.mjs";
import { SAMPLE, summaryText, waitFor } from "../browser/helpers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const bin = path.resolve(repoRoot, process.env.GLOSS_BIN ?? "target/debug/gloss");
const artifacts = path.join(repoRoot, "tests/artifacts");

let driver;
let root;
let library;
let args;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gloss-desktop-"));
  library = path.join(root, "library");
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
    await uiReady(session);
    const title = await session.waitFor("return document.querySelector('a.episode-row .episode-title')?.textContent");
    assert.match(title, /Compute, Open Models/);
    await session.clickCss("a.episode-row");
    await session.find('[data-block="s1.i1.body"]');
    assert.ok(await session.execute(SELECT, ["s1.i1.body", "400 million downloads"]), "phrase found");
    await session.find(".toolbar:not([hidden]) .swatch[data-color=\"blue\"]");
    await session.clickCss('.toolbar .swatch[data-color="blue"]');
    await session.find("mark.hl-blue");
    // The mark is drawn as the highlight is asked for; it is stored once the answer comes.
    let listed;
    await waitFor(
      async () => {
        listed = await invoke(session, "list_highlights", {});
        return listed.error === undefined && listed.value.items.length === 1;
      },
      { what: "the highlight stored" },
    );
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
    await uiReady(session);
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
    await uiReady(session);
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

/**
 * Waits until the whole UI is up (`html[data-ready]`): the first rows show
 * before the rest of the UI has loaded (ui/js/first-rows.js), and a menu
 * shortcut pressed then finds nothing listening yet.
 */
function uiReady(session) {
  return session.waitFor("return document.documentElement.dataset.ready !== undefined", { timeout: 20000 });
}

/** Arguments for a fresh data folder of its own on the shared library. */
async function freshData(name) {
  const data = await mkdtemp(path.join(root, `${name}-`));
  return ["--library", library, "--data", data];
}

/** Highlights `phrase` in block `key` through the UI and waits until it is saved. */
async function highlightInUi(session, key, phrase) {
  await session.clickCss("a.episode-row");
  await session.find(`[data-block="${key}"]`);
  assert.ok(await session.execute(SELECT, [key, phrase]), "phrase found");
  await session.find('.toolbar:not([hidden]) .swatch[data-color="green"]');
  await session.clickCss('.toolbar .swatch[data-color="green"]');
  // Saved means answered: the UI shows it at once, the save's answer comes after.
  const end = Date.now() + 10000;
  while ((await invoke(session, "list_highlights", {})).value?.items.length !== 1) {
    if (Date.now() > end) throw new Error(`the highlight on ${phrase} was not saved`);
    await sleep(100);
  }
}

/** The quotes the CLI lists for data folder `args` (with nothing running, it opens the folder itself). */
function quotesOnDisk(args) {
  return JSON.parse(execFileSync(bin, [...args, "annotations", "--json"])).map((h) => h.selector.exact);
}

/**
 * Quit, from the File menu (F10 opens it; Up wraps round to its last item,
 * Quit Gloss) and with Ctrl+Q: GTK activates the same menu item for both,
 * and Quit closes the window, the way out that closing the last window by
 * hand takes too. Gloss must end with status 0, and what was written just
 * before must be in the data folder when the CLI opens it afterwards.
 */
test("Quit in the File menu and Ctrl+Q end Gloss with status 0 and keep what was written", async () => {
  for (const [how, keys, block, phrase] of [
    ["the File menu", ["F10", "Up", "Return"], "s1.i1.body", "400 million downloads"],
    ["Ctrl+Q", ["ctrl+q"], "s1.i2.body", "progress in one lab"],
  ]) {
    const quitArgs = await freshData("quit");
    const { application, exitStatus } = await exitRecorder(bin, await mkdtemp(path.join(root, "launch-")));
    const session = await Session.open(driver.base, application, quitArgs);
    try {
      await uiReady(session);
      await highlightInUi(session, block, phrase);
      pressKeys(bin, ...keys);
      assert.equal(await exitStatus(), 0, `quitting with ${how} ends gloss with status 0`);
    } finally {
      await session.close().catch(() => {}); // the app is gone already
    }
    assert.deepEqual(quotesOnDisk(quitArgs), [phrase], `the highlight made before quitting with ${how} is kept`);
  }
});

test("every menu shortcut does what its menu item says", async () => {
  const session = await Session.open(driver.base, bin, await freshData("menu"));
  const focused = () => session.execute("return document.activeElement?.id || document.activeElement?.closest('[id]')?.id");
  /** Presses `chord`, then waits until the page is at `hash` with focus on element `id`. */
  const shows = async (chord, hash, id) => {
    pressKeys(bin, chord);
    await session.waitFor("return location.hash === arguments[0] && document.activeElement?.closest('#' + arguments[1]) !== null", { args: [hash, id] }).catch(async () => {
      assert.fail(`${chord}: at ${await session.execute("return location.hash")}, focus on ${await focused()}; expected ${hash}, focus in #${id}`);
    });
  };
  try {
    await uiReady(session);
    await shows("ctrl+e", "#/settings/export", "export-format");
    // Asked again with Settings already there, Export comes back into view and focus.
    await session.execute("document.getElementById('main').scrollTop = 0; document.getElementById('library-dir').focus()");
    await shows("ctrl+e", "#/settings/export", "export-format");
    await shows("ctrl+i", "#/settings/import", "import-file");
    await shows("ctrl+2", "#/notes", "main");
    await shows("ctrl+3", "#/tags", "main");
    await shows("ctrl+1", "#/", "episode-list");
    pressKeys(bin, "ctrl+comma");
    await session.waitFor("return location.hash === '#/settings'");
    pressKeys(bin, "ctrl+f");
    await session.waitFor("return document.activeElement?.id === 'search'");
    pressKeys(bin, "Escape", "F1");
    await session.waitFor("return document.querySelector('dialog#shortcuts[open]') !== null");
    pressKeys(bin, "Escape");
    await session.waitFor("return document.querySelector('dialog#shortcuts[open]') === null");
    // Help → About Gloss, the one item without a shortcut, through the menu bar.
    pressKeys(bin, "F10", "Left", "Down", "Return");
    assert.match(await session.waitFor("return document.querySelector('.toast-message')?.textContent"), /^Gloss \d+\.\d+\.\d+ · data in /);
    pressKeys(bin, "ctrl+o");
    await nativeWindow("Choose the library folder");
  } finally {
    await session.close();
  }
});

/**
 * Import's Choose… button opens the native file picker, and the file
 * picked there is imported: the path is typed into the GTK dialog with
 * real key presses, as a user would, and goes into the Import field the
 * way any picked path does (the `pick` command answers it to the page);
 * Import then reads that file.
 */
test("Import in the desktop window picks its file in the native file picker and imports it", async () => {
  // A backup holding one highlight, made with the CLI in a data folder of its own.
  const source = await freshData("backup");
  execFileSync(bin, [...source, "scan"]);
  const [episode] = JSON.parse(execFileSync(bin, [...source, "list", "--json"]));
  execFileSync(bin, [...source, "highlight", "--episode", String(episode.id), "--quote", "switch when the gap is that wide", "--color", "purple"]);
  const out = await mkdtemp(path.join(root, "export-"));
  execFileSync(bin, [...source, "export", "--format", "json", "--out", out]);
  const [backup] = (await readdir(out)).filter((name) => name.endsWith(".json")).map((name) => path.join(out, name));
  assert.ok(backup, "the export wrote a backup");

  const session = await Session.open(driver.base, bin, await freshData("import"));
  try {
    await uiReady(session);
    pressKeys(bin, "ctrl+i");
    await session.find('#settings-import button[aria-label="Choose the file to import"]');
    await session.clickCss('#settings-import button[aria-label="Choose the file to import"]');
    await nativeWindow("Choose the file to import");
    // Alt+O is the picker's Open button; a Return could reach the page too on a display without a window manager.
    pressKeys(bin, "ctrl+l", `--type=${backup}`, "alt+o");
    assert.equal(await session.waitFor("return document.getElementById('import-file').value"), backup);
    assert.equal(await session.execute("return document.querySelector('#settings-import .report').textContent"), "", "picking does not import yet");
    await session.clickCss('#settings-import button[type="submit"]');
    const report = await session.waitFor("return document.querySelector('#settings-import .report-summary')?.textContent");
    assert.match(report, /1 highlights added/);
    const listed = await invoke(session, "list_highlights", {});
    assert.deepEqual(listed.value.items.map((h) => h.selector.exact), ["switch when the gap is that wide"]);
  } finally {
    await session.close();
  }
});

// gloss:// links in the real desktop window: started with one, Gloss opens
// at it; while it runs, a second `gloss gloss://highlight/<id>` (what the
// desktop entry runs when a link is opened elsewhere) takes the running
// window to that highlight, flashed, and exits without a window of its own.
//
// The second process finds the first over the D-Bus session bus, so this
// file starts a bus of its own. That the system hands gloss:// links to
// `gloss` at all (the desktop entry's MimeType and Exec %u, and
// `xdg-mime query default x-scheme-handler/gloss`) is checked on the
// built package by `make package` (scripts/package.sh): it needs the .deb
// installed.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, sessionBus, startDriver } from "./webdriver.mjs";
import { SAMPLE, summaryText } from "../browser/helpers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, "../..", process.env.GLOSS_BIN ?? "target/debug/gloss");
const CHIPS = { ...SAMPLE, title: "The Chip Supply Chain", related: [] };

let root;
let bus;
let driver;
/** Highlights made before the window starts: { first, second }, in two episodes. */
const made = {};

/** Runs the gloss command line on the test's folders (GLOSS_DATA and GLOSS_LIBRARY, set below). */
const gloss = (...args) => execFileSync(bin, args, { encoding: "utf8" });

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gloss-links-"));
  const library = path.join(root, "library");
  const data = path.join(root, "data");
  await mkdir(library);
  await mkdir(data);
  await writeFile(path.join(library, "signal-hours.txt"), summaryText(SAMPLE));
  await writeFile(path.join(library, "chips.txt"), summaryText(CHIPS));
  // The window, started by WebKitWebDriver, and the second `gloss` both
  // take the folders from the environment: the link is their one argument,
  // as when the desktop entry runs `gloss %u`.
  Object.assign(process.env, { GLOSS_DATA: data, GLOSS_LIBRARY: library, WEBKIT_DISABLE_COMPOSITING_MODE: "1" });
  gloss("scan");
  const episodes = JSON.parse(gloss("list", "--json"));
  const id = (title) => String(episodes.find((e) => e.title === title).id);
  made.first = JSON.parse(gloss("highlight", "--episode", id(SAMPLE.title), "--quote", "400 million downloads", "--color", "blue")).id;
  made.second = JSON.parse(gloss("highlight", "--episode", id(CHIPS.title), "--quote", "Cheap, capable open models", "--color", "pink")).id;
  bus = await sessionBus();
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  driver = await startDriver();
});

after(async () => {
  driver?.stop();
  bus?.stop();
  await rm(root, { recursive: true, force: true });
});

/** Waits until the window shows highlight `id` as a link to it does: at its route, flashed, in view. */
function showsHighlight(session, id) {
  return session.waitFor(
    `const [route, id] = arguments;
     const mark = document.querySelector('mark.hl-flash[data-ids~="' + id + '"]');
     if (location.hash !== route || !mark) return false;
     const pane = document.getElementById("main").getBoundingClientRect();
     const box = mark.getBoundingClientRect();
     return box.top >= pane.top && box.bottom <= pane.bottom ? document.getElementById("doc-title").textContent : false;`,
    { args: [`#/highlight/${id}`, id], timeout: 20000 },
  );
}

/** Runs `gloss` with `args` to its end: { code, stderr }. */
function run(args) {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 30000 }, (error, _stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal) : 0, stderr }));
  });
}

/** The top-level windows titled Gloss on the X display. */
function glossWindows() {
  return execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => /^\s*0x[0-9a-f]+ "Gloss":/.test(line));
}

test("started with a gloss:// link the window opens at it, and a second gloss with a link takes the running window there", async () => {
  const session = await Session.open(driver.base, bin, [`gloss://highlight/${made.first}`]);
  try {
    assert.equal(await showsHighlight(session, made.first), SAMPLE.title, "opened at the link's highlight");

    // What the desktop entry runs when a gloss:// link is opened in another program.
    const second = await run([`gloss://highlight/${made.second}`]);
    assert.deepEqual(second, { code: 0, stderr: "" }, "the second gloss handed the link over and exited");
    assert.equal(await showsHighlight(session, made.second), CHIPS.title, "the running window went to the other episode, at the highlight");
    assert.equal(glossWindows().length, 1, `one Gloss window: ${glossWindows().join(" | ")}`);
  } finally {
    await session.close();
  }
});

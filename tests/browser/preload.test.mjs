// index.html lists by hand the modules the first paint needs (modulepreload),
// so the browser fetches them at once instead of finding imports level by
// level. The list must be exactly what the page's scripts import statically:
// a module missing from it arrives a round trip late, and one too many
// (a view loaded on first use) is fetched for nothing at every start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const UI = new URL("../../ui/", import.meta.url);
const html = readFileSync(new URL("index.html", UI), "utf8");

/** The modules a module imports statically (`import ... from "./x.js"`), not its `import()`s. */
function staticImports(path) {
  const source = readFileSync(new URL(path, UI), "utf8");
  return [...source.matchAll(/^\s*import\s[^;]*?from\s+"\.\/([^"]+)"/gms), ...source.matchAll(/^\s*import\s+"\.\/([^"]+)"/gm)].map((m) => `js/${m[1]}`);
}

/** Every module `scripts` import statically, themselves left out. */
function closure(scripts) {
  const needed = new Set();
  const queue = [...scripts];
  while (queue.length) {
    const path = queue.pop();
    for (const imported of staticImports(path)) {
      if (!needed.has(imported)) {
        needed.add(imported);
        queue.push(imported);
      }
    }
  }
  for (const script of scripts) needed.delete(script);
  return needed;
}

const scripts = [...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]);
const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);

// The rest of the UI (app.js and what it imports) loads once the first rows
// are drawn (first-rows.js): preloaded, it would hold them up.
test("index.html preloads exactly the modules its scripts import at start", () => {
  assert.deepEqual([...scripts].sort(), ["js/boot.js", "js/first-rows.js"]);
  assert.equal(new Set(preloaded).size, preloaded.length, "a module preloaded twice");
  assert.deepEqual([...preloaded].sort(), [...closure(scripts)].sort());
});

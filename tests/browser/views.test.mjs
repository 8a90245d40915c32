// Every view in both themes: axe-core finds no serious or critical
// violations, and a screenshot of each view is saved to tests/artifacts/
// for a person to look at. (colors.test.mjs measures the highlight colours.)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SAMPLE, axe, besidesStatus, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText } from "./helpers.mjs";

let gloss;
let browser;
let id;
let folders;

before(async () => {
  folders = await mkdtemp(path.join(tmpdir(), "gloss-views-"));
  gloss = await startGloss({
    "signal-hours.txt": summaryText(SAMPLE),
    "chips.txt": summaryText({ ...SAMPLE, title: "The Chip Supply Chain", show: "Signal Hours", related: [] }),
    "broken.txt": "",
  });
  browser = await launchBrowser();
  id = await episodeId(gloss, SAMPLE.title);
  const add = (phrase, color, extra) => highlightPhrase(gloss, id, phrase, color, extra);
  await add("Open models now match last year's frontier", "yellow", { note: "The **headline** claim. See [the report](https://example.com).", tags: ["open-source"] });
  await add("at a tenth of the cost", "green");
  await add("400 million downloads", "blue", { tags: ["adoption"] });
  await add("Labs distill from each other's", "pink", { note: "Compounding." });
  await add("each other's public releases", "purple");
  await add("ninety percent of the quality", "green", { note: "- cheap\n- good enough" });
  await gloss.call("set_insight_note", { episode_id: id, block_key: "s1.i2", text: "Same as in *open source*." });
  // Sync on, so Settings shows its status: this device, the last round.
  await mkdir(path.join(folders, "sync"));
  await gloss.call("update_settings", { sync_dir: path.join(folders, "sync") });
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
  await rm(folders, { recursive: true, force: true });
});

for (const scheme of ["light", "dark"]) {
  test(`library, reader, notes, tags, trash and settings pass axe in the ${scheme} theme`, async () => {
    const { context, page, problems } = await openApp(browser, gloss.url, { colorScheme: scheme, bypassCSP: true });
    await page.waitForSelector(".episode-row");
    await screenshot(page, `library-${scheme}`);
    await axe(page, `library (${scheme})`);

    await page.goto(`${gloss.url}#/episode/${id}`);
    await page.waitForSelector("mark.hl-overlap");
    await screenshot(page, `reader-${scheme}`);
    await axe(page, `reader (${scheme})`);

    await page.click("mark.hl-blue");
    await page.waitForSelector(".editor");
    await screenshot(page, `reader-editor-${scheme}`);
    await axe(page, `highlight editor (${scheme})`);
    await page.keyboard.press("Escape");

    await page.evaluate(() => document.querySelector('[data-block="s2.i1.body"]').scrollIntoView({ block: "center" }));
    await page.evaluate(() => {
      const el = document.querySelector('[data-block="bottom"]');
      const range = document.createRange();
      range.setStart(el.firstChild, 0);
      range.setEnd(el.firstChild, 24);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
      el.scrollIntoView({ block: "center" });
    });
    await page.waitForSelector(".toolbar:not([hidden])");
    await screenshot(page, `reader-toolbar-${scheme}`);
    await page.keyboard.press("Escape");

    for (const view of ["notes", "tags", "trash", "settings"]) {
      await page.goto(`${gloss.url}#/${view}`);
      await page.waitForSelector(`#${view}-title`);
      await page.waitForTimeout(100);
      if (view === "settings") await page.waitForSelector("#settings-sync .device-list");
      await screenshot(page, `${view}-${scheme}`);
      await axe(page, `${view} (${scheme})`);
    }

    // Settings' reports and errors: an export's report, an import's error under its field.
    await page.fill("#export-dir", path.join(folders, "exports", scheme));
    await page.click("#settings-export button[type=submit]");
    await page.waitForSelector("#settings-export .report-summary");
    await page.fill("#import-file", "not/a/full/path.json");
    await page.click("#settings-import button[type=submit]");
    await page.waitForSelector("#import-file-error:not([hidden])");
    await page.evaluate(() => document.querySelector("#settings-export").scrollIntoView({ block: "start" }));
    await screenshot(page, `settings-export-${scheme}`);
    await axe(page, `settings reports and errors (${scheme})`);
    await page.keyboard.press("?");
    await page.waitForSelector("dialog#shortcuts[open]");
    await screenshot(page, `shortcuts-${scheme}`);
    // 400: the import refused above.
    assert.deepEqual(besidesStatus(problems, 400), []);
    await context.close();
  });
}

test("on a narrow window the panes become drawers and nothing scrolls sideways", async () => {
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`, { viewport: { width: 420, height: 820 }, bypassCSP: true });
  await page.waitForSelector("mark.hl");
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth && document.body.scrollWidth <= innerWidth), true);
  await screenshot(page, "reader-narrow-light");
  await page.click("#toggle-library");
  await page.waitForSelector("#library .episode-row");
  await screenshot(page, "library-drawer-narrow-light");
  await axe(page, "narrow library drawer");
  await page.keyboard.press("Escape");
  assert.equal(await page.getAttribute("#toggle-library", "aria-expanded"), "false");
  assert.deepEqual(problems, []);
  await context.close();
});

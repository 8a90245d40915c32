// Makes the README's screenshots in docs/screenshots/ from two real devices
// syncing through a temp folder: the reader in the light theme, the reader
// with a note's earlier version in the dark theme, Settings with sync on,
// a review card before and after its answer is shown, the Trash with a
// deleted highlight and its note, the library sorted by title, and the
// Notes view with a highlight's and an insight's notes, and the Markdown
// export of the episode, with the user's own writing merged in, as a
// Markdown preview shows it.
// Run: node tests/browser/screenshots.mjs   (GLOSS_BIN picks the gloss binary)

import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { marked } from "marked";
import { SAMPLE, episodeId, highlightPhrase, launchBrowser, openApp, repoRoot, startSyncedPair, summaryText, waitFor } from "./helpers.mjs";

const OUT = path.join(repoRoot, "docs/screenshots");
const VIEWPORT = { width: 1280, height: 800 };

const MORE = [
  { ...SAMPLE, title: "The Chip Supply Chain", show: "Signal Hours", related: [] },
  { ...SAMPLE, title: "Why Batteries Got Cheap", show: "The Long Run", related: [] },
  { ...SAMPLE, title: "Cities Built for Walking", show: "Street Level", related: [] },
];

async function annotate(device, id) {
  const add = (phrase, color, extra) => highlightPhrase(device, id, phrase, color, extra);
  await add("Open models now match last year's frontier", "yellow", { note: "The **headline** claim.", tags: ["open-source"] });
  await add("400 million downloads", "blue", { tags: ["adoption"] });
  await add("progress in one lab lifts every lab", "green", { note: "Why the gap closes so fast." });
  await add("ninety percent of the quality", "pink", { note: "- cheap\n- good enough" });
  await device.call("set_insight_note", { episode_id: id, block_key: "s1.i2", text: "Same as in *open source*." });
  await device.call("set_episode_tags", { episode_id: id, tags: ["ai", "economics"] });
}

async function main() {
  const pair = await startSyncedPair(summaryText(SAMPLE));
  const browser = await launchBrowser();
  try {
    for (const [n, summary] of MORE.entries()) await writeFile(path.join(pair.a.library, `more-${n}.txt`), summaryText(summary));
    const id = await episodeId(pair.a, SAMPLE.title);
    await annotate(pair.a, id);
    // B writes the note while A does, so A's reader shows an earlier version.
    const blue = (await pair.a.call("list_highlights", { color: "blue" })).items[0];
    await waitFor(async () => (await pair.b.call("list_highlights", {})).total === 4, { timeout: 30000, what: "B receiving A's highlights" });
    await Promise.all([
      pair.a.call("update_highlight", { id: blue.id, note: "Mostly mid-size models." }),
      pair.b.call("update_highlight", { id: blue.id, note: "Check the source for this figure." }),
    ]);
    await waitFor(async () => (await pair.a.call("note_versions", { on: "highlight", id: blue.id })).length > 0, { timeout: 30000, what: "an earlier version on A" });
    await waitFor(async () => (await pair.a.call("list_episodes", {})).total === 4, { what: "A's library" });

    await mkdir(OUT, { recursive: true });
    for (const scheme of ["light", "dark"]) {
      const { context, page } = await openApp(browser, `${pair.a.url}#/episode/${id}`, { colorScheme: scheme, viewport: VIEWPORT });
      await page.waitForSelector("mark.hl-blue");
      if (scheme === "dark") {
        await page.click("mark.hl-blue");
        await page.waitForSelector(".editor .note-versions:not([hidden])");
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `reader-${scheme}.png`) });

      if (scheme === "light") {
        await page.goto(`${pair.a.url}#/settings`);
        await page.waitForSelector("#settings-sync .device-list");
        await page.click("#settings-sync button:has-text('Sync now')");
        await page.waitForSelector("#settings-sync .sync-result:has-text('Synced')");
        await page.mouse.move(0, VIEWPORT.height - 1);
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, "settings-sync-light.png") });

        await page.goto(`${pair.a.url}#/review`);
        await page.waitForSelector(".review-card .review-prompt");
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, "review-prompt-light.png") });
        await page.keyboard.press(" ");
        await page.waitForSelector(".review-rating");
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, "review-answer-light.png") });

        await page.goto(`${pair.a.url}#/episode/${id}`);
        await page.selectOption("#library-sort", "title");
        await waitFor(async () => (await page.$eval(".episode-row .episode-title", (el) => el.textContent)) === "Cities Built for Walking", { what: "the library sorted by title" });
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, "library-sorted-light.png") });
        await page.selectOption("#library-sort", "added");

        await page.goto(`${pair.a.url}#/notes`);
        await page.waitForSelector(".feed-note");
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(OUT, "notes-light.png") });
      }
      await context.close();
    }

    await exportPreview(browser, pair.a);

    // Last, as it deletes a highlight the readers above show.
    const green = (await pair.a.call("list_highlights", { color: "green" })).items[0];
    await pair.a.call("delete_highlight", { id: green.id });
    const { context, page } = await openApp(browser, `${pair.a.url}#/trash`, { viewport: VIEWPORT });
    await page.waitForSelector(".trash .feed-item");
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, "trash-light.png") });
    await context.close();
    console.log(`screenshots written to ${path.relative(process.cwd(), OUT) || "."}`);
  } finally {
    await browser.close();
    await pair.stop();
  }
}

/**
 * Exports `device`'s annotations as Markdown, writes in the file as a user
 * would (a property, a paragraph), exports again (Gloss merges), and shows
 * the file in a plain Markdown preview: properties as a table, the body
 * rendered by marked, Gloss's markers hidden as HTML comments are.
 */
async function exportPreview(browser, device) {
  const out = await mkdtemp(path.join(tmpdir(), "gloss-vault-"));
  await device.call("export", { format: "markdown", out_dir: out });
  const name = (await readdir(out)).find((file) => file.startsWith(SAMPLE.title));
  const file = path.join(out, name);
  const first = await readFile(file, "utf8");
  await writeFile(file, first.replace("---\n", "---\nstatus: listening\n").replace("\n## Highlights", "\nMy take: the gap closes because ideas travel faster than weights.\n\n## Highlights"));
  const blue = (await device.call("list_highlights", { color: "blue" })).items[0];
  await device.call("update_highlight", { id: blue.id, tags: ["adoption", "numbers"] });
  await device.call("export", { format: "markdown", out_dir: out });
  const text = await readFile(file, "utf8");
  const [, front, body] = text.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
  const rows = [];
  for (const line of front.split("\n")) {
    const property = line.match(/^(\w+):\s?(.*)$/);
    if (property) rows.push([property[1], property[2] ? [property[2]] : []]);
    else if (line.startsWith("- ") && rows.length > 0) rows.at(-1)[1].push(line.slice(2));
  }
  const escape = (value) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const properties = rows.map(([key, values]) => `<tr><th>${escape(key)}</th><td>${escape(values.join(", "))}</td></tr>`).join("");
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { font: 16px/1.6 system-ui, sans-serif; max-width: 760px; margin: 32px auto; color: #222; }
    table { border-collapse: collapse; font-size: 14px; margin-bottom: 24px; } th { text-align: left; color: #666; padding: 2px 16px 2px 0; font-weight: 500; }
    blockquote { border-left: 3px solid #7c6cf0; margin: 0; padding: 2px 16px; color: #333; } h1 { font-size: 28px; } h2 { border-bottom: 1px solid #eee; }
    code { background: #f3f3f3; } a { color: #5a4bd1; }
  </style><div class="file">${escape(name)}</div><table>${properties}</table>${marked.parse(body)}`;
  const context = await browser.newContext({ viewport: { width: 900, height: 1100 } });
  const page = await context.newPage();
  await page.setContent(html);
  await page.screenshot({ path: path.join(OUT, "obsidian-export.png"), fullPage: false });
  await context.close();
}

await main();

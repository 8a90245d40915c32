// Plain documents (the seed notes files) keep the shape of their file in
// the reader: lists are lists, bulleted or numbered as written and nested;
// verse and addresses keep their line breaks while prose an editor wrapped
// flows; indented blocks keep their layout. Highlighting inside them works
// as anywhere else, and a quote keeps the breaks it spans.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { axe, dragSelect, episodeId, launchBrowser, openApp, renderedText, repoRoot, screenshot, startGloss, waitFor } from "./helpers.mjs";

const SEEDS = {
  lists: ["garden-plan.txt", "Garden plan for the spring"],
  numbers: ["shakshuka-recipe.txt", "Shakshuka for four"],
  lines: ["cards-and-verses.txt", "Cards to send and a verse to copy out"],
  indented: ["home-server-notes.txt", "Home server notes"],
};

let gloss;
let browser;
const ids = {};

before(async () => {
  const files = {};
  for (const [file] of Object.values(SEEDS)) files[file] = await readFile(path.join(repoRoot, "seeds", file), "utf8");
  gloss = await startGloss(files);
  browser = await launchBrowser();
  for (const [name, [, title]] of Object.entries(SEEDS)) ids[name] = await episodeId(gloss, title);
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

/** Opens document `name` and waits for its last block. */
async function openDocument(name, options) {
  const { blocks } = await gloss.call("get_episode", { id: ids[name] });
  const app = await openApp(browser, `${gloss.url}#/episode/${ids[name]}`, options);
  await app.page.waitForSelector(`[data-block="${blocks.at(-1).key}"]`);
  return { ...app, blocks, key: (start) => blocks.find((b) => b.text.startsWith(start)).key };
}

/** The lists at the top of the document: tag, marker style, and each item's own text with its nested lists. */
function drawnLists(page) {
  return page.$$eval("#reader-view .doc > .doc-list", (lists) => {
    const read = (list) => ({
      tag: list.tagName.toLowerCase(),
      style: getComputedStyle(list).listStyleType,
      items: [...list.children].map((li) => {
        const nested = [...li.querySelectorAll(":scope > .doc-list")].map(read);
        const text = li.querySelector(":scope > [data-block]").textContent;
        return nested.length ? { text, value: li.value, nested } : { text, value: li.value };
      }),
    });
    return lists.map(read);
  });
}

/** The top of each line of `key`'s block as drawn, one per `\n`-separated line of its text. */
function lineTops(page, key) {
  return page.evaluate((key) => {
    const el = document.querySelector(`[data-block="${key}"]`);
    const node = el.firstChild;
    let at = 0;
    return node.data.split("\n").map((line) => {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      at += line.length + 1;
      return range.getBoundingClientRect().top;
    });
  }, key);
}

test("bulleted and numbered lists are drawn as lists, nested and numbered as the file writes them", async () => {
  const garden = await openDocument("lists", { bypassCSP: true });
  const item = (text, value = 0) => ({ text, value });
  assert.deepEqual(await drawnLists(garden.page), [
    {
      tag: "ul",
      style: "disc",
      items: [
        item("North bed: potatoes, as last year"),
        {
          ...item("South bed: tomatoes and basil"),
          nested: [{ tag: "ul", style: "circle", items: [item("stake the tomatoes before they flop"), item("basil between them, it keeps the aphids off")] }],
        },
        item("Herb spiral: leave it alone"),
      ],
    },
    { tag: "ul", style: "disc", items: [item("compost, two bags"), item("twine"), item("seed potatoes (Charlotte, not Maris Piper)")] },
    { tag: "ul", style: "disc", items: [item("Water butts are free again from April."), item("The shared shed is locked after 8 pm.")] },
  ]);
  await screenshot(garden.page, "document-lists-light");
  await axe(garden.page, "a document with lists");
  // j steps through a document's paragraphs and list items as through insights.
  for (const step of ["What the Volts", "North bed"]) {
    await garden.page.keyboard.press("j");
    assert.ok((await garden.page.evaluate(() => document.activeElement.textContent)).startsWith(step), `j reaches “${step}…”`);
  }
  assert.deepEqual(garden.problems, []);
  await garden.context.close();

  const recipe = await openDocument("numbers", { colorScheme: "dark" });
  const lists = await drawnLists(recipe.page);
  assert.deepEqual(
    lists.map((l) => [l.tag, l.style, l.items.map((i) => i.value)]),
    [
      ["ol", "decimal", [1, 2, 3, 4]],
      ["ol", "decimal-paren", [1, 2, 3]],
    ],
  );
  assert.equal(lists[1].items[0].text, "taste for salt", "the marker is drawn by the list, not part of the text");
  await screenshot(recipe.page, "document-numbers-dark");
  assert.deepEqual(recipe.problems, []);
  await recipe.context.close();
});

test("verse and addresses keep their line breaks, wrapped prose flows, and indented blocks keep their layout", async () => {
  const cards = await openDocument("lines");
  for (const start of ["Ana Ribeiro", "\"Hope\""]) {
    const key = cards.key(start);
    const tops = await lineTops(cards.page, key);
    assert.equal(tops.length, 4, `${start}: four lines`);
    assert.ok(tops.every((top, n) => n === 0 || top > tops[n - 1]), `${start}: each line drawn below the one before: ${tops}`);
  }
  const prose = cards.blocks.find((b) => b.text.startsWith("Ana asked"));
  assert.ok(!prose.text.includes("\n"), "the wrapped paragraph flows as one");
  await screenshot(cards.page, "document-lines-light");
  assert.deepEqual(cards.problems, []);
  await cards.context.close();

  const server = await openDocument("indented");
  const blocks = await server.page.$$eval("#reader-view pre.doc-pre", (els) => els.map((el) => [el.textContent, getComputedStyle(el).whiteSpace]));
  assert.deepEqual(
    blocks,
    server.blocks.filter((b) => b.role === "preformatted").map((b) => [b.text, "pre-wrap"]),
  );
  assert.equal(blocks.length, 3);
  // The crontab's second line keeps its two extra spaces of indentation.
  const [hash, thirty] = await server.page.evaluate(() => {
    const pre = [...document.querySelectorAll("pre.doc-pre")].find((el) => el.textContent.startsWith("# m"));
    const left = (at) => {
      const range = document.createRange();
      range.setStart(pre.firstChild, at);
      range.setEnd(pre.firstChild, at + 1);
      return range.getBoundingClientRect().left;
    };
    return [left(0), left(pre.textContent.indexOf("30"))];
  });
  assert.ok(thirty > hash + 5, `the indented line starts further right (${hash} → ${thirty})`);
  await screenshot(server.page, "document-indented-light");
  assert.deepEqual(server.problems, []);
  await server.context.close();
});

test("passages of lists, verse and indented blocks are highlighted with the mouse, keep their breaks in the sidebar and survive a reload", async () => {
  // [document, the block the drag starts in, from, the block it ends in, to, the quote]
  const cases = [
    ["lists", "stake the", "tomatoes before they flop", "basil between", "basil between", "tomatoes before they flop\n\nbasil between"],
    ["lines", "\"Hope\"", "perches in the soul", "\"Hope\"", "And sings", "perches in the soul -\nAnd sings"],
    ["indented", "# m", "restic backup", "# m", "restic backup", "restic backup"],
  ];
  for (const [name, startBlock, from, endBlock, to, exact] of cases) {
    const doc = await openDocument(name);
    await dragSelect(doc.page, doc.key(startBlock), from, { endBlockKey: doc.key(endBlock), endPhrase: to });
    await doc.page.waitForSelector(".toolbar:not([hidden])");
    await doc.page.click('.toolbar .swatch[data-color="green"]');
    const saved = await waitFor(async () => (await gloss.call("list_highlights", { episode_id: ids[name] })).items[0], { what: `the highlight in ${name}` });
    assert.equal(saved.selector.exact, exact);

    await doc.page.reload();
    await doc.page.waitForSelector("mark.hl-green");
    // One painted part per block, and blocks are joined by "\n\n" in the quote.
    const painted = await doc.page.$$eval("mark.hl-green", (marks) => marks.map((m) => m.textContent).join("\n\n"));
    assert.equal(painted, exact, `${name}: the painted parts`);
    const quote = doc.page.locator(".annotation-quote").first();
    assert.equal(await renderedText(quote), exact, `${name}: the sidebar keeps the breaks`);
    assert.deepEqual(doc.problems, []);
    await doc.context.close();
  }
});

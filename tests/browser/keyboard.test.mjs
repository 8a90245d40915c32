// The keyboard-only path: search, open an episode, select text with the
// keyboard, highlight it, add a note; shortcuts stay quiet while typing; and
// keyboard focus stays where the reader was working: after a highlight is
// made, deleted or brought back, after a panel or dialog closes, and on the
// row the library list jumps to.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, episodeId, launchBrowser, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

let gloss;
let browser;

/**
 * Where keyboard focus and the caret are: `focused`, the reading item (or
 * block) holding focus, as its first block's key, or the focused element's
 * `data-focus-key`, id or tag; `caret`, null unless the selection is a
 * caret, else the key of its block and the block's text before it.
 */
function whereFocus(page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    const item = active?.closest?.(".insight, .doc-paragraph, .tldr, .bottom-line, [data-block]");
    const focused = item ? (item.dataset.block ?? item.querySelector("[data-block]")?.dataset.block) : (active?.dataset.focusKey ?? (active?.id || active?.tagName.toLowerCase()));
    const selection = document.getSelection();
    const node = selection.anchorNode;
    const block = (node?.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest?.("[data-block]");
    if (!selection.isCollapsed || !block) return { focused, caret: null };
    const range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(node, selection.anchorOffset);
    return { focused, caret: { block: block.dataset.block, before: range.toString() } };
  });
}

/** Opens episode `id` and selects the TL;DR's first three words with the keyboard. */
async function selectOpenModelsNow(page, id) {
  await page.waitForSelector('[data-block="tldr"]');
  await page.keyboard.press("j");
  for (let n = 0; n < 3; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  assert.equal((await page.evaluate(() => String(document.getSelection()))).trim(), "Open models now");
  await page.waitForSelector(".toolbar:not([hidden])");
}

/** Deletes every highlight of episode `id`, so each test starts from a clean text. */
async function clearHighlights(id) {
  for (const hl of (await gloss.call("list_highlights", { episode_id: id })).items) await gloss.call("delete_highlight", { id: hl.id });
}

before(async () => {
  gloss = await startGloss({
    "signal-hours.txt": summaryText(SAMPLE),
    "other.txt": summaryText({ title: "An Unrelated Episode", show: "Elsewhere", tldr: "Nothing about the topic at all.", bottom: "Still nothing." }),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("search, open, select with the keyboard, highlight and note, without a mouse", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, gloss.url);
  await page.waitForSelector(".episode-row");

  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search");
  await page.keyboard.type("distill");
  await page.waitForSelector(".search-hit");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-block="tldr"]');
  assert.equal(await page.evaluate(() => location.hash), `#/episode/${id}`);

  // j moves to the TL;DR; Ctrl+Shift+→ selects word by word.
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  for (let n = 0; n < 3; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  assert.equal((await page.evaluate(() => String(document.getSelection()))).trim(), "Open models now");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("h");
  await page.waitForSelector("mark.hl");
  const first = await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items[0], { what: "the highlight saved" });
  assert.equal(first.selector.exact, "Open models now");

  // Next insight, select its first two words, n highlights and opens the note.
  await page.keyboard.press("j");
  const selected = () => page.evaluate(() => String(document.getSelection()).trim());
  for (let n = 0; n < 6 && (await selected()) !== "Open-weight models"; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.press("n");
  await page.waitForSelector("#editor-note:focus");
  await page.keyboard.type("Typed *without* a mouse: j k h n t stay letters.");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".editor", { state: "detached" });
  const back = await whereFocus(page);
  assert.equal(back.focused, "s1.i1.title", "focus is back on the insight");
  assert.match(back.caret?.before ?? "", /Open-weight models$/, "the caret is right after the highlight");
  const noted = await waitFor(
    async () => (await gloss.call("list_highlights", { episode_id: id })).items.find((hl) => hl.note.startsWith("Typed")),
    { what: "the note saved" },
  );
  assert.equal(noted.selector.exact, "Open-weight models");
  assert.equal(noted.note, "Typed *without* a mouse: j k h n t stay letters.");
  assert.equal(await page.locator(".annotation .markdown em").textContent(), "without");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the selection toolbar is reachable with Tab and closes with Esc", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="bottom"]');
  for (let n = 0; n < 4; n++) await page.keyboard.press("j");
  await page.keyboard.press("Shift+End");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.closest(".toolbar") !== null), true);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.waitForSelector("mark.hl-green");
  for (let n = 0; n < 2; n++) await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.press("j");
  await page.keyboard.press("Shift+ArrowRight");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Escape");
  await page.waitForSelector(".toolbar", { state: "hidden" });
  assert.equal(await page.evaluate(() => document.getSelection().isCollapsed), true);
  // Esc on the toolbar gives focus back to the text, at the selection's end.
  assert.equal((await whereFocus(page)).caret?.block, "bottom");
  assert.deepEqual(problems, []);
  await context.close();
});

test("shortcuts never fire while typing, and ? lists them", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await page.waitForSelector('[data-block="bottom"]');
  await page.click("#sidebar .note-edit");
  await page.keyboard.type("jkhnt/?");
  assert.equal(await page.inputValue("#episode-note"), "jkhnt/?");
  assert.equal(await page.locator("dialog#shortcuts[open]").count(), 0);
  assert.equal(await page.locator(".insight.is-current").count(), 0);
  await page.keyboard.press("Escape");
  await page.locator("#episode-note").blur();
  await page.keyboard.press("?");
  await page.waitForSelector("dialog#shortcuts[open]");
  assert.match(await page.textContent("#shortcuts-list"), /Next insight/);
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog#shortcuts[open]", { state: "detached" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("after highlighting with the keyboard, focus stays in the text right after the highlight", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  await clearHighlights(id);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);

  // With the shortcut: the caret sits after the highlight, and selecting goes on from there.
  await selectOpenModelsNow(page, id);
  await page.keyboard.press("h");
  await page.waitForSelector("mark.hl");
  assert.deepEqual(await whereFocus(page), { focused: "tldr", caret: { block: "tldr", before: "Open models now" } });
  await page.keyboard.press("Control+Shift+ArrowRight");
  assert.equal((await page.evaluate(() => String(document.getSelection()))).trim(), "match");
  // The save's answer repaints the text; the caret stays put.
  await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items.length === 1, { what: "the highlight saved" });
  await page.keyboard.press("Escape");

  // From the toolbar, which closes under the focus: focus comes back to the text.
  await page.keyboard.press("j");
  await page.keyboard.press("Shift+End");
  await page.waitForSelector(".toolbar:not([hidden])");
  const selected = (await page.evaluate(() => String(document.getSelection()))).trim();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await gloss.call("list_highlights", { episode_id: id })).items.length === 2, { what: "the second highlight saved" });
  const after = await whereFocus(page);
  assert.equal(after.focused, "s1.i1.title");
  assert.equal(after.caret?.block, "s1.i1.body");
  assert.equal(after.caret.before.trim(), selected);
  assert.deepEqual(problems, []);
  await context.close();
});

test("deleting a highlight leaves focus where it was in the text, and Undo puts it right after the highlight again", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  await clearHighlights(id);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await selectOpenModelsNow(page, id);
  await page.keyboard.press("h");
  await page.waitForSelector(".annotation-quote[data-focus-key^='quote-']:not([data-focus-key^='quote-tmp-'])");

  // Its card in the annotations pane opens the editor; Delete there.
  await page.focus(".annotation-quote");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".editor");
  await page.focus(".editor .button-danger");
  await page.keyboard.press("Enter");
  await page.waitForSelector("mark.hl", { state: "detached" });
  assert.deepEqual(await whereFocus(page), { focused: "tldr", caret: { block: "tldr", before: "Open models now" } });

  // Undo from its toast, with the keyboard.
  await page.focus(".toast-action");
  await page.keyboard.press("Enter");
  await page.waitForSelector("mark.hl");
  await waitFor(async () => (await whereFocus(page)).caret?.before === "Open models now", { what: "focus after the highlight brought back" });
  assert.equal((await whereFocus(page)).focused, "tldr");
  assert.deepEqual(problems, []);
  await context.close();
});

test("closing the editor or the shortcuts dialog gives focus back to where it was", async () => {
  const id = await episodeId(gloss, SAMPLE.title);
  await clearHighlights(id);
  const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`);
  await selectOpenModelsNow(page, id);
  await page.keyboard.press("h");
  const card = ".annotation-quote[data-focus-key^='quote-']:not([data-focus-key^='quote-tmp-'])";
  await page.waitForSelector(card);
  const key = await page.getAttribute(card, "data-focus-key");

  // The editor opened from a card (which the pane redraws meanwhile) closes back onto that card.
  await page.focus(card);
  await page.keyboard.press("Enter");
  await page.waitForSelector(".editor");
  assert.notEqual((await whereFocus(page)).focused, key);
  await page.keyboard.press("Escape");
  await page.waitForSelector(".editor", { state: "detached" });
  assert.equal((await whereFocus(page)).focused, key);

  // The shortcuts dialog, opened from the text, closes back onto it.
  await page.keyboard.press("j");
  const before = (await whereFocus(page)).focused;
  assert.equal(before, "s1.i1.title");
  await page.keyboard.press("?");
  await page.waitForSelector("dialog#shortcuts[open]");
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog#shortcuts[open]", { state: "detached" });
  assert.equal((await whereFocus(page)).focused, before);
  assert.deepEqual(problems, []);
  await context.close();
});

test("End, Home, Page Down and Page Up in a 5,000-episode library move focus to the row they scroll to", async () => {
  const EPISODES = 5000;
  const files = Object.fromEntries(
    Array.from({ length: EPISODES }, (_, n) => [`episode-${String(n).padStart(4, "0")}.txt`, summaryText({ ...SAMPLE, title: `Episode ${n + 1}`, sections: [] })]),
  );
  const big = await startGloss(files);
  let context;
  try {
    await waitFor(async () => (await big.call("list_episodes", { limit: 1 })).total === EPISODES, { what: `${EPISODES} episodes ingested`, timeout: 120000 });
    const titles = (await big.call("list_episodes", {})).items.map((item) => item.title);
    const titleAt = async (index) => titles[index];
    const app = await openApp(browser, big.url);
    context = app.context;
    const { page, problems } = app;
    await page.waitForSelector("a.episode-row");
    await page.focus("a.episode-row");
    /** The focused row: its place in the list and its title, once its link has focus. */
    const focusedRow = (place) =>
      waitFor(
        () =>
          page.evaluate(() => {
            const link = document.activeElement?.closest?.("a.episode-row");
            return link && { place: Number(link.closest(".vrow").getAttribute("aria-posinset")), title: link.querySelector(".episode-title").textContent };
          }).then((row) => row?.place === place && row),
        { what: `focus on row ${place}` },
      );
    for (const [key, place] of [["End", EPISODES], ["ArrowUp", EPISODES - 1], ["Home", 1], ["PageDown", 11], ["PageUp", 1], ["End", EPISODES]]) {
      await page.keyboard.press(key);
      const row = await focusedRow(place);
      assert.equal(row.title, await titleAt(place - 1), `${key} focuses the row it shows`);
    }
    assert.deepEqual(problems, []);
  } finally {
    // The page's event stream ends with its context; the server then stops.
    await context?.close();
    await big.stop();
  }
});

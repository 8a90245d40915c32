// One copy of the UI's state, kept up to date without refetching: a window
// puts the answers of its own changes in place, another window takes them
// from the events, and the reader draws an episode from the blocks the API
// sends. Requests are counted by op from the page's POSTs to /api/call.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, dragSelect, episodeId, highlightPhrase, launchBrowser, markedText, openApp, startGloss, summaryText, waitFor } from "./helpers.mjs";

const OTHER = { ...SAMPLE, title: "The Chip Supply Chain", related: [] };
const DOCUMENT = "Plain notes, not a summary.\n\nA second paragraph with a few more words.\n\nA third and last one.\n";
/** What a window fetches again when it reloads what it shows. */
const RELOADS = ["list_episodes", "list_tags", "get_episode"];

let gloss;
let browser;
let id;
let otherId;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE), "chips.txt": summaryText(OTHER), "plain.md": DOCUMENT });
  browser = await launchBrowser();
  id = await episodeId(gloss, SAMPLE.title);
  otherId = await episodeId(gloss, OTHER.title);
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

/** Opens `episode` in a new window and starts recording the requests it sends from then on: `{ op, args }`, in order. */
async function openRecorded(episode) {
  const app = await openApp(browser, `${gloss.url}#/episode/${episode}`);
  await app.page.waitForSelector('[data-block="bottom"]');
  app.requests = [];
  app.page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/call") app.requests.push(JSON.parse(request.postData()));
  });
  await app.page.evaluate(() => (window.__sameDocument = true));
  return app;
}

const opsOf = (app) => app.requests.map((request) => request.op);
const savedHighlights = async () => (await gloss.call("list_highlights", { episode_id: id })).items;

/**
 * Waits until `app` has handled every event sent so far: a highlight made
 * by a script is an event the window applies without a request, and events
 * arrive in order. Then a moment more, for any refresh they might have
 * scheduled to be sent.
 */
async function settled(app) {
  const marker = await highlightPhrase(gloss, id, "commodity input", "purple");
  await app.page.waitForSelector(`mark[data-ids~="${marker.id}"]`);
  await gloss.call("delete_highlight", { id: marker.id });
  await app.page.waitForSelector(`mark[data-ids~="${marker.id}"]`, { state: "detached" });
  await app.page.waitForTimeout(400);
}

/** The highlight count the library row of episode `episode` shows ("" for none). */
function rowCount(page, episode) {
  return page.evaluate((episode) => document.querySelector(`.episode-row[data-id="${episode}"] .badge`)?.textContent ?? "", episode);
}

test("a window that creates, edits and deletes a highlight fetches no episode list, tag list or episode afterwards", async () => {
  const app = await openRecorded(id);
  const { page, problems } = app;

  await dragSelect(page, "s1.i1.body", "400 million downloads");
  await page.waitForSelector(".toolbar:not([hidden])");
  await page.click('.toolbar .swatch[data-color="green"]');
  const created = await waitFor(async () => (await savedHighlights()).find((hl) => hl.color === "green"), { what: "the highlight saved" });
  await waitFor(async () => (await rowCount(page, id)) === "✎ 1", { what: "the library row counting it" });

  await page.click("mark.hl-green");
  await page.fill("#editor-note", "Growth, in one number.");
  await page.click('.editor .swatch[data-color="blue"]');
  await page.click(".editor button:has-text('Done')");
  await waitFor(async () => (await savedHighlights()).find((hl) => hl.id === created.id && hl.color === "blue" && hl.note === "Growth, in one number."), { what: "the edit saved" });
  assert.equal(await page.textContent(".annotation.hl-blue .markdown"), "Growth, in one number.");

  await page.click("mark.hl-blue");
  await page.click(".editor button:has-text('Delete')");
  await waitFor(async () => (await savedHighlights()).length === 0, { what: "the delete saved" });
  assert.equal(await page.locator("mark.hl").count(), 0);
  assert.equal(await rowCount(page, id), "");

  await settled(app);
  const ops = opsOf(app);
  for (const op of ["create_highlight", "update_highlight", "delete_highlight"]) assert.ok(ops.includes(op), `${op} was sent (${ops})`);
  assert.deepEqual(ops.filter((op) => RELOADS.includes(op)), [], `requests after the window's own changes: ${ops}`);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  assert.deepEqual(problems, []);
  await app.context.close();
});

test("a second window shows another window's new highlight, note change and deletion in place, without fetching the episode", async () => {
  const one = await openRecorded(id);
  const two = await openRecorded(id);

  await dragSelect(one.page, "s1.i2.body", "Labs distill from each other's");
  await one.page.waitForSelector(".toolbar:not([hidden])");
  await one.page.click('.toolbar .swatch[data-color="pink"]');
  const created = await waitFor(async () => (await savedHighlights()).find((hl) => hl.color === "pink"), { what: "the highlight saved" });
  await two.page.waitForSelector("mark.hl-pink");
  assert.equal(await markedText(two.page, created.id), "Labs distill from each other's");
  await waitFor(async () => (await rowCount(two.page, id)) === "✎ 1", { what: "the second window's library row counting it" });

  await one.page.click("mark.hl-pink");
  await one.page.fill("#editor-note", "Written in the first window.");
  await one.page.click(".editor button:has-text('Done')");
  const card = two.page.locator(".annotation.hl-pink .markdown");
  await waitFor(async () => (await card.count()) === 1 && (await card.textContent()) === "Written in the first window.", { what: "the note in the second window's sidebar" });

  await one.page.click("mark.hl-pink");
  await one.page.click(".editor button:has-text('Delete')");
  await two.page.waitForSelector("mark.hl-pink", { state: "detached" });
  assert.equal(await two.page.locator(".annotation.hl-pink").count(), 0, "its card left the sidebar");
  await waitFor(async () => (await rowCount(two.page, id)) === "", { what: "the second window's library row without it" });

  await settled(two);
  const ops = opsOf(two);
  assert.deepEqual(ops.filter((op) => RELOADS.includes(op)), [], `the second window's requests: ${ops}`);
  assert.equal(await two.page.evaluate(() => window.__sameDocument), true, "the second window was not reloaded");
  assert.deepEqual([...one.problems, ...two.problems], []);
  await one.context.close();
  await two.context.close();
});

test("another window's highlight on a different episode updates that episode's library row with one request for that row", async () => {
  const app = await openRecorded(id);
  const created = await highlightPhrase(gloss, otherId, "400 million downloads", "yellow");
  await waitFor(async () => (await rowCount(app.page, otherId)) === "✎ 1", { what: "the other episode's row counting it" });
  const rowIndex = await app.page.evaluate((episode) => Number(document.querySelector(`.episode-row[data-id="${episode}"]`).closest(".vrow").dataset.index), otherId);
  // The Review count asks on its own, after a quiet moment (review.js); the library asks for the one row.
  const library = app.requests.filter((request) => request.op !== "review_due");
  // Its page is the first: read again from the top down to the row.
  assert.deepEqual(library, [{ op: "list_episodes", args: { limit: rowIndex + 1, sort: "added" } }]);
  await gloss.call("delete_highlight", { id: created.id });
  await waitFor(async () => (await rowCount(app.page, otherId)) === "", { what: "the other episode's row without it" });
  assert.deepEqual(app.problems, []);
  await app.context.close();
});

test("the reader draws an episode from its blocks: one element per block, in order, holding exactly its text", async () => {
  const documentId = (await gloss.call("list_episodes", {})).items.find((e) => e.kind === "document").id;
  for (const episode of [id, documentId]) {
    const { blocks } = await gloss.call("get_episode", { id: episode });
    const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${episode}`);
    await page.waitForSelector(`[data-block="${blocks.at(-1).key}"]`);
    const drawn = await page.$$eval("#reader-view [data-block]", (els) => els.map((el) => [el.dataset.block, el.textContent]));
    assert.deepEqual(drawn, blocks.map((b) => [b.key, b.text]));

    const groups = (role) => [...new Set(blocks.filter((b) => b.role.startsWith(role)).map((b) => b.group))];
    const insights = await page.$$eval(".insight", (els) => els.map((el) => [el.dataset.insight, el.querySelector("[data-star]")?.dataset.star]));
    assert.deepEqual(insights, groups("insight_").map((key) => [key, key]), "an insight card, with its star, per insight");
    assert.equal(await page.locator(".doc-section").count(), groups("section_").length);
    assert.equal(await page.locator(".related .card").count(), groups("related_").length);
    assert.equal(await page.locator(".doc-paragraph").count(), blocks.filter((b) => b.role === "paragraph").length);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

// The highlight colours, measured rather than judged by eye, in both
// themes, from the reader's computed styles: each colour stands clearly
// apart from the text selection (a selection must never read as a
// highlight already made) and from the surface under it, the five stay
// apart from each other, and text keeps WCAG AA contrast on every
// highlight, overlap and the selection. A screenshot of the reader with
// highlights and a selection goes to tests/artifacts/ for a person to
// look at.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE, episodeId, highlightPhrase, launchBrowser, openApp, screenshot, startGloss, summaryText } from "./helpers.mjs";
import { ciede2000, contrast, deltaE2000, over, parseColor } from "./colors.mjs";

/** CIEDE2000 a highlight keeps from the selection: a different colour at a glance. */
const APART_FROM_SELECTION = 20;
/** CIEDE2000 a highlight keeps from the surface under it and from the other colours: plainly visible and told apart. */
const APART_FROM_SURFACE = 10;
/** WCAG AA for body text. */
const AA = 4.5;

const COLORS = ["yellow", "green", "blue", "pink", "purple"];

let gloss;
let browser;
let id;

before(async () => {
  gloss = await startGloss({ "signal-hours.txt": summaryText(SAMPLE) });
  browser = await launchBrowser();
  id = await episodeId(gloss, SAMPLE.title);
  const phrases = ["Open models now match", "400 million downloads", "score like last year's", "ninety percent of the quality", "commodity input"];
  for (const [n, color] of COLORS.entries()) await highlightPhrase(gloss, id, phrases[n], color);
  // Overlaps, and a highlight on a related episode's card (another surface).
  await highlightPhrase(gloss, id, "Labs distill from each other's", "pink");
  await highlightPhrase(gloss, id, "each other's public releases", "blue");
  await highlightPhrase(gloss, id, "a handful of factories", "yellow");
});

after(async () => {
  await browser?.close();
  await gloss?.stop();
});

test("the colour arithmetic gives the published CIEDE2000 differences and WCAG ratios", () => {
  // Pairs from Sharma, Wu and Dalal's CIEDE2000 test data: Lab, Lab, ΔE00.
  const pairs = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 2.49, -0.001], [50, -2.49, 0.0009], 7.1792],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
    [[90.8027, -2.0831, 1.441], [91.1528, -1.6435, 0.0447], 1.4441],
  ];
  for (const [a, b, expected] of pairs) assert.equal(ciede2000(a, b).toFixed(4), expected.toFixed(4));
  const [black, white] = [parseColor("rgb(0, 0, 0)"), parseColor("color(srgb 1 1 1)")];
  assert.equal(contrast(black, white), 21);
  assert.equal(deltaE2000(white, white), 0);
  assert.deepEqual(over(parseColor("rgba(0, 0, 0, 0.5)"), white).rgb, [0.5, 0.5, 0.5]);
});

/** Every painted highlight segment: its colours, the surface under it, and the selection's colours over it. */
function measureMarks(page) {
  return page.evaluate((colors) =>
    [...document.querySelectorAll("#reader-view mark.hl")].map((mark) => {
      const style = getComputedStyle(mark);
      const selection = getComputedStyle(mark, "::selection");
      let under = mark.parentElement;
      while (under.parentElement && getComputedStyle(under).backgroundColor === "rgba(0, 0, 0, 0)") under = under.parentElement;
      return {
        what: `${mark.className} “${mark.textContent}”`,
        color: mark.classList.contains("hl-overlap") ? null : colors.find((c) => mark.classList.contains(`hl-${c}`)),
        text: style.color,
        background: style.backgroundColor,
        surface: getComputedStyle(under).backgroundColor,
        selectionText: selection.color,
        selectionBackground: selection.backgroundColor,
      };
    }),
    COLORS,
  );
}

for (const scheme of ["light", "dark"]) {
  test(`highlight colours stand apart from the selection and the page and keep text at 4.5:1 in the ${scheme} theme`, async (t) => {
    const { context, page, problems } = await openApp(browser, `${gloss.url}#/episode/${id}`, { colorScheme: scheme });
    await page.waitForSelector("mark.hl-overlap");
    const marks = await measureMarks(page);
    assert.deepEqual(COLORS.filter((c) => !marks.some((m) => m.color === c)), [], "every colour is painted");

    const problemsFound = [];
    const singles = new Map();
    for (const mark of marks) {
      const surface = parseColor(mark.surface);
      const background = over(parseColor(mark.background), surface);
      const selection = parseColor(mark.selectionBackground);
      assert.equal(selection.alpha, 1, "the UI sets its own opaque selection colour, not the system's");
      const fromSelection = deltaE2000(background, selection);
      const fromSurface = deltaE2000(background, surface);
      const textContrast = contrast(parseColor(mark.text), background);
      const selectionContrast = contrast(parseColor(mark.selectionText), selection);
      t.diagnostic(`${mark.what}: ΔE00 ${fromSelection.toFixed(1)} from the selection, ${fromSurface.toFixed(1)} from the surface; text ${textContrast.toFixed(2)}:1`);
      if (fromSelection < APART_FROM_SELECTION) problemsFound.push(`${mark.what} is only ΔE00 ${fromSelection.toFixed(1)} from the selection`);
      if (fromSurface < APART_FROM_SURFACE) problemsFound.push(`${mark.what} is only ΔE00 ${fromSurface.toFixed(1)} from the surface under it`);
      if (textContrast < AA) problemsFound.push(`${mark.what}: text at ${textContrast.toFixed(2)}:1`);
      if (selectionContrast < AA) problemsFound.push(`selected text at ${selectionContrast.toFixed(2)}:1`);
      if (mark.color) singles.set(mark.color, background);
    }
    for (const [n, a] of COLORS.entries()) {
      for (const b of COLORS.slice(n + 1)) {
        const apart = deltaE2000(singles.get(a), singles.get(b));
        if (apart < APART_FROM_SURFACE) problemsFound.push(`${a} and ${b} are only ΔE00 ${apart.toFixed(1)} apart`);
      }
    }
    assert.deepEqual(problemsFound, []);

    // The reader with a selection running over a highlight, to look at.
    await page.evaluate(() => {
      const el = document.querySelector('[data-block="s1.i1.body"]');
      const range = document.createRange();
      range.setStart(el, 0);
      range.setEnd(el, el.childNodes.length);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
    });
    await page.waitForSelector(".toolbar:not([hidden])");
    await screenshot(page, `colors-reader-${scheme}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

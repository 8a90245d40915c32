// Unit tests of the UI's pure modules (no DOM): offset math, highlight
// segmenting and the Markdown parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpLength, cpToUtf16, utf16ToCp } from "../../ui/js/codepoints.js";
import { isPlaced, segment, spansForBlock } from "../../ui/js/highlights.js";
import { parse, parseInline } from "../../ui/js/markdown.js";
import { trimRange } from "../../ui/js/selection.js";

test("code points and UTF-16 indices convert both ways, astral characters included", () => {
  const text = "a🇨🇳b é😀!";
  assert.equal(cpLength(text), [...text].length);
  for (let cp = 0; cp <= cpLength(text); cp++) {
    const unit = cpToUtf16(text, cp);
    assert.equal(utf16ToCp(text, unit), cp);
    assert.equal(text.slice(0, unit), [...text].slice(0, cp).join(""));
  }
  assert.equal(text.slice(cpToUtf16(text, 1), cpToUtf16(text, 3)), "🇨🇳");
  assert.equal(cpToUtf16(text, 999), text.length, "clamped to the end");
  // An index inside a surrogate pair counts the whole character.
  assert.equal(utf16ToCp("😀x", 1), 1);
});

test("segment tiles the text and lists every covering highlight", () => {
  const runs = segment(10, [
    { id: "a", start: 2, end: 6 },
    { id: "b", start: 4, end: 8 },
  ]);
  assert.deepEqual(
    runs.map((r) => [r.start, r.end, r.spans.map((s) => s.id).join("+")]),
    [
      [0, 2, ""],
      [2, 4, "a"],
      [4, 6, "a+b"],
      [6, 8, "b"],
      [8, 10, ""],
    ],
  );
});

test("segment clamps spans and drops empty ones", () => {
  const runs = segment(5, [
    { id: "x", start: -3, end: 2 },
    { id: "y", start: 4, end: 40 },
    { id: "z", start: 3, end: 3 },
  ]);
  assert.deepEqual(runs.map((r) => [r.start, r.end, r.spans.length]), [
    [0, 2, 1],
    [2, 4, 0],
    [4, 5, 1],
  ]);
});

test("spansForBlock maps canonical code points to block UTF-16 units", () => {
  const block = { key: "tldr", text: "🧠 minds matter", start: 7, len: 14 };
  const highlight = (id, start, end, status = "anchored") => ({ id, color: "blue", note: "", anchor: { status, start, end } });
  const spans = spansForBlock(block, [
    highlight("inside", 9, 14), // "minds"
    highlight("spills-in", 0, 8), // title..."🧠"
    highlight("orphan", 0, 0, "orphaned"),
    highlight("later", 30, 40),
  ]);
  assert.deepEqual(spans.map((s) => [s.id, block.text.slice(s.start, s.end), s.endsHere]), [
    ["inside", "minds", true],
    ["spills-in", "🧠", true],
  ]);
  assert.equal(isPlaced(highlight("o", 1, 2, "orphaned")), false);
  assert.equal(isPlaced(highlight("f", 1, 2, "fuzzy")), true);
});

test("trimRange drops whitespace and block separators at the ends", () => {
  const cps = [..."one two\n\nthree"];
  assert.deepEqual(trimRange(cps, 3, 9), { start: 4, end: 7 });
  assert.deepEqual(trimRange(cps, 7, 9), { start: 9, end: 9 });
});

test("markdown parses blocks and inlines", () => {
  const blocks = parse("# Head\n\nSome **bold** and *em* and `x<y>`\nnext line\n\n- one\n- two\n\n1. first\n\n> quoted\n\n```\n<b>raw</b>\n```");
  assert.deepEqual(blocks.map((b) => b.type), ["heading", "paragraph", "ul", "ol", "quote", "code"]);
  assert.deepEqual(blocks[1].children.map((n) => n.type), ["text", "strong", "text", "em", "text", "code", "br", "text"]);
  assert.equal(blocks[5].text, "<b>raw</b>");
  assert.equal(blocks[2].items.length, 2);
});

test("markdown keeps raw HTML and unsafe links as plain text", () => {
  const inl = parseInline('<img src=x onerror="alert(1)"> [click](javascript:alert(1)) [ok](https://example.com) see https://a.example/x.');
  const links = inl.filter((n) => n.type === "link").map((n) => n.href);
  assert.deepEqual(links, ["https://example.com", "https://a.example/x"]);
  const text = inl.filter((n) => n.type === "text").map((n) => n.text).join("");
  assert.match(text, /<img src=x onerror="alert\(1\)">/);
  assert.match(text, /\[click\]\(javascript:alert\(1\)\)/);
});

test("markdown leaves snake_case words and lone stars alone", () => {
  assert.deepEqual(parseInline("a snake_case_name and 2 * 3 * 4"), [{ type: "text", text: "a snake_case_name and 2 * 3 * 4" }]);
  assert.deepEqual(parseInline("\\*not em\\*"), [{ type: "text", text: "*not em*" }]);
  assert.deepEqual(parseInline("window.__x = 1; window.__x"), [{ type: "text", text: "window.__x = 1; window.__x" }]);
  assert.deepEqual(parseInline("__strong__ and **strong**").map((n) => n.type), ["strong", "text", "strong"]);
});

/** The text of inline nodes, nested ones included. */
const allText = (nodes) => nodes.map((n) => n.text ?? allText(n.children ?? [])).join("");

test("markdown takes linear time on notes built to make it rescan", () => {
  const size = 400_000;
  const repeat = (unit) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  for (const unit of ["*a ", "_a ", "**a ", "__a ", "`a ", "[a ", "a*b "]) {
    const note = repeat(unit);
    const text = allText(parseInline(note));
    assert.ok(text.length > size * 0.4, `${JSON.stringify(unit)}: the text is kept`);
  }
  const deep = "**".repeat(2000) + "x" + "**".repeat(2000);
  assert.ok(parseInline(deep).length > 0);
  const quotes = parse(">".repeat(100_000) + " deep");
  assert.equal(quotes[0].type, "quote");
});

test("markdown still finds emphasis, strong and code between ordinary words", () => {
  const types = parseInline("a *b* c **d** e `f` g _h_ i __j__").map((n) => n.type);
  assert.deepEqual(types, ["text", "em", "text", "strong", "text", "code", "text", "em", "text", "strong"]);
  assert.deepEqual(parseInline("*a\n\nb*").map((n) => n.type), ["text", "br", "br", "text"], "emphasis stops at a blank line");
});

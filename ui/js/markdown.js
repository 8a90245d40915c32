// A small Markdown renderer for notes. It parses into a plain tree and then
// builds DOM nodes whose text is set as text, so raw HTML in a note shows up
// literally and never runs. Links are kept only for http(s) and mailto URLs.
//
// Supported: paragraphs (single newlines are line breaks), # headings,
// > quotes, - and 1. lists, ``` code blocks, `code`, **strong**, *em*,
// [links](https://...), bare https:// links and backslash escapes.
//
// Time is linear in the note's length whatever it holds: closing markers are
// looked up in position lists built once per run of text (an unclosed `*`
// used to rescan to the end of the note for every star), emphasis nests at
// most MAX_NESTING deep, and render() draws a long note a part at a time.

const LINK_URL = /^(https?:\/\/|mailto:)[^\s]+$/i;
const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}```/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ESCAPABLE = /[\\`*_[\]()#+\-.!>~|{}]/;
const MARKDOWN_LINK = /\[([^\]\n]+)\]\(([^()\s]+)\)/y;
const BARE_URL = /https?:\/\/[^\s<>()]+/y;

/** Emphasis deeper than this is shown as typed. */
const MAX_NESTING = 8;
/** Characters of a note drawn at once; a button draws the next part. */
export const RENDER_PART = 20000;

/** Parses `source` into a list of block nodes (quotes nest at most MAX_NESTING deep). */
export function parse(source, depth = 0) {
  const lines = String(source).replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
    } else if (FENCE.test(line)) {
      const body = [];
      i++;
      while (i < lines.length && !FENCE.test(lines[i])) body.push(lines[i++]);
      i++;
      blocks.push({ type: "code", text: body.join("\n") });
    } else if (HEADING.test(line)) {
      const [, hashes, text] = HEADING.exec(line);
      blocks.push({ type: "heading", level: hashes.length, children: parseInline(text) });
      i++;
    } else if (QUOTE.test(line) && depth < MAX_NESTING) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) body.push(QUOTE.exec(lines[i++])[1]);
      blocks.push({ type: "quote", children: parse(body.join("\n"), depth + 1) });
    } else if (LIST_ITEM.test(line)) {
      const ordered = /\d/.test(LIST_ITEM.exec(line)[1]);
      const items = [];
      while (i < lines.length && lines[i].trim() !== "") {
        const item = LIST_ITEM.exec(lines[i]);
        if (item && /\d/.test(item[1]) === ordered) items.push(item[2]);
        else if (item) break;
        else if (items.length) items[items.length - 1] += `\n${lines[i].trim()}`;
        i++;
      }
      blocks.push({ type: ordered ? "ol" : "ul", items: items.map(parseInline) });
    } else {
      const body = [];
      while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines[i], depth)) body.push(lines[i++].trim());
      blocks.push({ type: "paragraph", children: parseInline(body.join("\n")) });
    }
  }
  return blocks;
}

function startsBlock(line, depth) {
  return FENCE.test(line) || HEADING.test(line) || (QUOTE.test(line) && depth < MAX_NESTING) || LIST_ITEM.test(line);
}

const isWordChar = (c) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Where closing markers are in one run of text, found in one pass each on
 * first use; every lookup is then a binary search.
 */
class Closers {
  constructor(source) {
    this.source = source;
    this.lists = new Map();
  }

  /** Sorted positions `j` where `test(j)` holds, built once per `name`. */
  list(name, test) {
    let found = this.lists.get(name);
    if (!found) {
      found = [];
      for (let j = 0; j < this.source.length; j++) if (test(j)) found.push(j);
      this.lists.set(name, found);
    }
    return found;
  }

  /** The first position of list `name` at or after `from`, or -1. */
  next(name, test, from) {
    const list = this.list(name, test);
    let [low, high] = [0, list.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (list[mid] < from) low = mid + 1;
      else high = mid;
    }
    return low < list.length ? list[low] : -1;
  }

  backtick(from) {
    return this.next("`", (j) => this.source[j] === "`", from);
  }

  /** A `**` (or a `__` not followed by a letter) at or after `from`. */
  double(marker, from) {
    const s = this.source;
    return this.next(marker + marker, (j) => s[j] === marker && s[j + 1] === marker && !(marker === "_" && isWordChar(s[j + 2])), from);
  }

  /** The single marker closing emphasis opened before `from`, or -1 past a blank line. */
  single(marker, from) {
    const s = this.source;
    const closer = this.next(marker, (j) => s[j] === marker && s[j - 1] !== " " && s[j + 1] !== marker && !(marker === "_" && isWordChar(s[j + 1])), from);
    const blank = this.next("\n\n", (j) => s[j] === "\n" && s[j + 1] === "\n", from);
    return closer === -1 || (blank !== -1 && blank < closer) ? -1 : closer;
  }
}

/** Parses inline Markdown into text, code, strong, em, link and br nodes. */
export function parseInline(source, depth = 0) {
  const out = [];
  const closers = new Closers(source);
  let text = "";
  const flush = () => {
    if (text) out.push({ type: "text", text });
    text = "";
  };
  const nested = (from, to) => (depth < MAX_NESTING ? parseInline(source.slice(from, to), depth + 1) : [{ type: "text", text: source.slice(from, to) }]);
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\" && ESCAPABLE.test(source[i + 1] ?? "")) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    if (c === "\n") {
      flush();
      out.push({ type: "br" });
      i++;
      continue;
    }
    if (c === "`") {
      const end = closers.backtick(i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: "code", text: source.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    // Underscores never open or close emphasis inside a word (snake_case, __init__).
    if ((c === "*" || c === "_") && source[i + 1] === c && !(c === "_" && isWordChar(source[i - 1]))) {
      const end = closers.double(c, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ type: "strong", children: nested(i + 2, end) });
        i = end + 2;
        continue;
      }
    }
    if ((c === "*" || c === "_") && !(c === "_" && isWordChar(source[i - 1])) && source[i + 1] && source[i + 1] !== " ") {
      const end = closers.single(c, i + 2);
      if (end > i + 1) {
        flush();
        out.push({ type: "em", children: nested(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === "[") {
      MARKDOWN_LINK.lastIndex = i;
      const match = MARKDOWN_LINK.exec(source);
      if (match) {
        flush();
        if (LINK_URL.test(match[2])) out.push({ type: "link", href: match[2], children: nested(i + 1, i + 1 + match[1].length) });
        else out.push({ type: "text", text: match[0] });
        i += match[0].length;
        continue;
      }
    }
    if (c === "h" && !isWordChar(source[i - 1])) {
      BARE_URL.lastIndex = i;
      const match = BARE_URL.exec(source);
      if (match) {
        const url = match[0].replace(/[.,;:!?'"]+$/, "");
        flush();
        out.push({ type: "link", href: url, children: [{ type: "text", text: url }] });
        i += url.length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/**
 * Renders Markdown `source` into a new element of class `markdown`. A note
 * longer than RENDER_PART is drawn a part at a time (cut at a line end),
 * with a button for the next part.
 */
export function render(source, doc = document) {
  const root = doc.createElement("div");
  root.className = "markdown";
  renderPart(root, String(source), 0, doc);
  return root;
}

function renderPart(root, source, from, doc) {
  let to = Math.min(source.length, from + RENDER_PART);
  if (to < source.length) {
    const lineEnd = source.lastIndexOf("\n", to);
    if (lineEnd > from) to = lineEnd + 1;
  }
  for (const block of parse(source.slice(from, to))) root.append(renderBlock(block, doc));
  if (to < source.length) {
    const more = doc.createElement("button");
    more.type = "button";
    more.className = "md-more";
    more.textContent = `Show more (${(source.length - to).toLocaleString()} more characters)`;
    more.addEventListener("click", () => {
      more.remove();
      renderPart(root, source, to, doc);
    });
    root.append(more);
  }
}

function renderBlock(block, doc) {
  switch (block.type) {
    case "code": {
      const pre = doc.createElement("pre");
      const code = doc.createElement("code");
      code.textContent = block.text;
      pre.append(code);
      return pre;
    }
    case "heading":
      // Note headings stay small: a note lives inside the page's own outline.
      return withInlines(doc.createElement("p"), block.children, doc, "md-heading");
    case "quote": {
      const quote = doc.createElement("blockquote");
      for (const child of block.children) quote.append(renderBlock(child, doc));
      return quote;
    }
    case "ul":
    case "ol": {
      const list = doc.createElement(block.type);
      for (const item of block.items) list.append(withInlines(doc.createElement("li"), item, doc));
      return list;
    }
    default:
      return withInlines(doc.createElement("p"), block.children, doc);
  }
}

function withInlines(el, inlines, doc, className) {
  if (className) el.className = className;
  for (const node of inlines) el.append(renderInline(node, doc));
  return el;
}

function renderInline(node, doc) {
  switch (node.type) {
    case "br":
      return doc.createElement("br");
    case "code": {
      const code = doc.createElement("code");
      code.textContent = node.text;
      return code;
    }
    case "strong":
    case "em":
      return withInlines(doc.createElement(node.type), node.children, doc);
    case "link": {
      const a = doc.createElement("a");
      a.href = node.href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      return withInlines(a, node.children, doc);
    }
    default:
      return doc.createTextNode(node.text);
  }
}

// A small Markdown renderer for notes. It parses into a plain tree and then
// builds DOM nodes whose text is set as text, so raw HTML in a note shows up
// literally and never runs. Links are kept only for http(s) and mailto URLs.
//
// Supported: paragraphs (single newlines are line breaks), # headings,
// > quotes, - and 1. lists, ``` code blocks, `code`, **strong**, *em*,
// [links](https://...), bare https:// links and backslash escapes.

const LINK_URL = /^(https?:\/\/|mailto:)[^\s]+$/i;
const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}```/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ESCAPABLE = /[\\`*_[\]()#+\-.!>~|{}]/;
const MARKDOWN_LINK = /\[([^\]\n]+)\]\(([^()\s]+)\)/y;
const BARE_URL = /https?:\/\/[^\s<>()]+/y;

/** Parses `source` into a list of block nodes. */
export function parse(source) {
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
    } else if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i])) body.push(QUOTE.exec(lines[i++])[1]);
      blocks.push({ type: "quote", children: parse(body.join("\n")) });
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
      while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines[i])) body.push(lines[i++].trim());
      blocks.push({ type: "paragraph", children: parseInline(body.join("\n")) });
    }
  }
  return blocks;
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

const isWordChar = (c) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Parses inline Markdown into text, code, strong, em, link and br nodes. */
export function parseInline(source) {
  const out = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ type: "text", text });
    text = "";
  };
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
      const end = source.indexOf("`", i + 1);
      if (end > i + 1) {
        flush();
        out.push({ type: "code", text: source.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    // Underscores never open or close emphasis inside a word (snake_case, __init__).
    if ((c === "*" || c === "_") && source[i + 1] === c && !(c === "_" && isWordChar(source[i - 1]))) {
      let end = source.indexOf(c + c, i + 2);
      while (c === "_" && end > 0 && isWordChar(source[end + 2])) end = source.indexOf(c + c, end + 1);
      if (end > i + 2) {
        flush();
        out.push({ type: "strong", children: parseInline(source.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if ((c === "*" || c === "_") && !(c === "_" && isWordChar(source[i - 1])) && source[i + 1] && source[i + 1] !== " ") {
      const end = closingEmphasis(source, i + 1, c);
      if (end > i + 1) {
        flush();
        out.push({ type: "em", children: parseInline(source.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === "[") {
      MARKDOWN_LINK.lastIndex = i;
      const match = MARKDOWN_LINK.exec(source);
      if (match) {
        flush();
        if (LINK_URL.test(match[2])) out.push({ type: "link", href: match[2], children: parseInline(match[1]) });
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

function closingEmphasis(source, from, marker) {
  for (let j = from + 1; j < source.length; j++) {
    if (source[j] === "\n" && source[j + 1] === "\n") return -1;
    if (source[j] !== marker || source[j - 1] === " " || source[j + 1] === marker) continue;
    if (marker === "_" && isWordChar(source[j + 1])) continue;
    return j;
  }
  return -1;
}

/** Renders Markdown `source` into a new element of class `markdown`. */
export function render(source, doc = document) {
  const root = doc.createElement("div");
  root.className = "markdown";
  for (const block of parse(source)) root.append(renderBlock(block, doc));
  return root;
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

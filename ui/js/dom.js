// Element helpers. Text only ever goes in through textContent or text nodes,
// so nothing from a summary file, a note or a tag can become markup.

const SAFE_URL = /^(https?:|mailto:|#)/i;

/**
 * Builds an element. `props` keys: `class`, `text`, `on` ({event: fn}),
 * `data` ({key: value} → data-*), `vars` ({"--name": value} set through the
 * CSSOM, which a strict CSP allows), `props` (DOM properties such as
 * `value` or `checked`); anything else becomes an attribute. Inline event
 * handler attributes and `style` are refused, and `href` must be a safe URL.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "data") for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    else if (key === "vars") for (const [k, v] of Object.entries(value)) el.style.setProperty(k, v);
    else if (key === "props") Object.assign(el, value);
    else setAttr(el, key, value);
  }
  append(el, children);
  return el;
}

/** Sets one attribute, refusing the ones that could run or style code. */
function setAttr(el, name, value) {
  const lower = name.toLowerCase();
  if (lower.startsWith("on") || lower === "style" || lower === "srcdoc") {
    throw new Error(`dom: refusing to set the ${name} attribute`);
  }
  if ((lower === "href" || lower === "src") && !isSafeUrl(String(value))) {
    throw new Error(`dom: refusing unsafe URL in ${name}`);
  }
  el.setAttribute(name, value === true ? "" : String(value));
}

/** Whether a URL may go into an href: web, mail and in-app links only. */
function isSafeUrl(url) {
  return SAFE_URL.test(url.trim());
}

/** Appends children: nodes, strings (as text), arrays; skips null/false. */
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Shorthand for document.getElementById that fails loudly. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dom: no element #${id} in index.html`);
  return el;
}

/** Whether keyboard focus is in a place where the user types. */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = target.type;
  return !["button", "checkbox", "radio", "range", "submit", "reset", "color"].includes(type);
}

/** Calls `fn` at most once per `wait` ms, with the latest arguments. */
export function debounce(fn, wait) {
  let timer = 0;
  let pending = null;
  const run = () => {
    timer = 0;
    const args = pending;
    pending = null;
    fn(...args);
  };
  const debounced = (...args) => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(run, wait);
  };
  debounced.flush = () => {
    if (timer) {
      clearTimeout(timer);
      run();
    }
  };
  /** Drops a pending call (its text was replaced some other way). */
  debounced.cancel = () => {
    clearTimeout(timer);
    timer = 0;
    pending = null;
  };
  return debounced;
}

/** A short, human form of a time (RFC 3339 text or Unix milliseconds). */
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

const RELATIVE_STEPS = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** How long ago Unix-millisecond time `ms` was: "just now", "3 minutes ago", "yesterday". */
function relativeTime(ms) {
  const seconds = Math.round((ms - Date.now()) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), "minute");
}

/** A <time> showing `ms` as a relative time, with the exact time on hover. */
export function timeAgo(ms) {
  const date = new Date(ms);
  return h("time", { datetime: date.toISOString(), title: date.toLocaleString(), text: relativeTime(ms) });
}

/** "1 episode", "2 episodes", "10,000 episodes": `n` and its noun, made plural with -s unless `plural` is given. */
export function count(n, noun, plural = `${noun}s`) {
  return `${n.toLocaleString()} ${n === 1 ? noun : plural}`;
}

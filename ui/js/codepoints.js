// Offsets in the API are Unicode code points; the DOM counts UTF-16 code
// units. These helpers convert between the two without allocating arrays,
// because the reader converts once per highlight per block on every render.

/** Whether the code unit at `i` is the high half of a surrogate pair. */
function isHighSurrogate(text, i) {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

/** Number of code points in `text`. */
export function cpLength(text) {
  let count = 0;
  for (let i = 0; i < text.length; i += isHighSurrogate(text, i) ? 2 : 1) count++;
  return count;
}

/**
 * Code point offset of UTF-16 index `index` in `text`. An index that falls
 * between the halves of a pair counts the whole pair, so a selection never
 * ends inside a character.
 */
export function utf16ToCp(text, index) {
  const end = Math.max(0, Math.min(index, text.length));
  let count = 0;
  let i = 0;
  while (i < end) {
    i += isHighSurrogate(text, i) ? 2 : 1;
    count++;
  }
  return count;
}

/** UTF-16 index of code point offset `cp` in `text` (clamped to its length). */
export function cpToUtf16(text, cp) {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) i += isHighSurrogate(text, i) ? 2 : 1;
  return i;
}

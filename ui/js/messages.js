// What the window says when something goes wrong, written for a reader.
// Messages from the backend name things in `code` spans and start in lower
// case (they are also read on the command line); this is the one place
// that turns them into plain sentences, and that decides whether trying
// again could help.

/** Failures that can pass: Gloss out of reach, the database or the disk failing for now. */
const PASSING = new Set(["network", "storage", "disk_full"]);

/**
 * Whether trying `error` (an ApiError) again could succeed. Invalid input,
 * something that no longer exists or a clash with what is there fail the
 * same way every time, so they get no Retry.
 */
export function canRetry(error) {
  return PASSING.has(error?.kind);
}

/** `text` with `code` spans as quoted words. */
export function plain(text) {
  return String(text ?? "").replace(/`([^`]*)`/g, "“$1”").replaceAll("`", "");
}

/** `text` as a sentence: plain, with a capital first letter and a full stop. */
export function sentence(text) {
  const words = plain(text).trim();
  if (!words) return "";
  const capital = words[0].toUpperCase() + words.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** "`what`: why it failed." for a failure of an operation. */
export function failure(what, error) {
  return `${what}: ${sentence(error?.message ?? "something went wrong")}`;
}

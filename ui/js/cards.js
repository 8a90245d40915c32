// Review cards as the API names them (docs/api.md, Operations): what a
// card's id says about its source, and how far away a next review is, in
// the few characters a rating button has room for. Pure, so the Node tests
// run it without a page.

/** The card of highlight `id`. */
export const highlightCard = (id) => `highlight/${id}`;

/** The card of insight `key` of the episode with `fingerprint`. */
export const insightCard = (fingerprint, key) => `insight/${fingerprint}/${key}`;

/**
 * What card `id` is made from: `{ kind: "highlight", highlightId }`,
 * `{ kind: "insight", blockKey }` or `{ kind: "episode" }` (only a
 * question is made from an episode's note), with `question` true when the
 * card is a `Q: … A:` note written there. Null for an id of another shape.
 */
export function cardSource(id) {
  const parts = String(id).split("/");
  const question = parts[0] === "question";
  const [kind, ...rest] = question ? parts.slice(1) : parts;
  if (kind === "highlight" && rest.length === 1) return { kind, highlightId: rest[0], question };
  if (kind === "insight" && rest.length === 2) return { kind, blockKey: rest[1], question };
  if (kind === "episode" && question && rest.length === 1) return { kind, question };
  return null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Units from the largest, as [size in ms, short name, long name]. */
const UNITS = [
  [365 * DAY, "y", "year"],
  [30 * DAY, "mo", "month"],
  [DAY, "d", "day"],
  [HOUR, "h", "hour"],
  [MINUTE, "min", "minute"],
];

/**
 * How long from `nowMs` until `dueMs`, in its largest whole unit: `short`
 * for a button ("10 min", "4 d", "2 mo") and `long` for a screen reader
 * ("10 minutes", "4 days"). Under a minute counts as one.
 */
export function interval(dueMs, nowMs) {
  const ms = Math.max(0, dueMs - nowMs);
  const [size, short, long] = UNITS.find(([unit]) => ms >= unit) ?? UNITS.at(-1);
  const n = Math.max(1, Math.round(ms / size));
  return { short: `${n} ${short}`, long: `${n} ${long}${n === 1 ? "" : "s"}` };
}

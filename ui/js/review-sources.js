// What enters review, as the user chooses it (docs/api.md, review_sources):
// the kinds of card in Settings, a choice per episode in the reader's
// "This episode" panel, and a choice per tag in the tag manager. The
// backend applies the rules; this module only shows and sends choices.

import { call } from "./transport.js";
import { h } from "./dom.js";
import * as toast from "./toast.js";

/** The last answer of review_sources, until a change says it may be stale. */
let known = null;

function sources() {
  known ??= call("review_sources").catch((error) => {
    known = null;
    throw error;
  });
  return known;
}

/** Forgets what is known (after a change to settings, here or elsewhere). */
export function forgetSources() {
  known = null;
}

/** Sends one choice; `included` is true, false or null (the other rules decide). */
async function choose(source, included, what) {
  try {
    known = Promise.resolve(await call("set_review_source", { source, included }));
    return true;
  } catch (error) {
    toast.failed(`${what} not saved`, error, () => choose(source, included, what));
    return false;
  }
}

const CHOICE_VALUES = { "": null, in: true, out: false };
const valueOf = (choice) => (choice === true ? "in" : choice === false ? "out" : "");

/**
 * A labelled select of a three-way choice (`labels` for "", "in", "out"),
 * filled once review_sources answers from `read(sources)`, sending
 * `source` when changed.
 */
function choiceSelect({ id, label, labels, source, read, what }) {
  const select = h(
    "select",
    { id, disabled: true },
    Object.entries(labels).map(([value, text]) => h("option", { props: { value }, text })),
  );
  let shown = "";
  select.addEventListener("change", async () => {
    const saved = await choose(source, CHOICE_VALUES[select.value], what);
    if (saved) shown = select.value;
    else select.value = shown;
  });
  sources().then(
    (all) => {
      shown = valueOf(read(all));
      select.value = shown;
      select.disabled = false;
    },
    () => {}, // the select stays disabled; opening it again asks again
  );
  return { label: h("label", { for: id, class: "field-label", text: label }), select };
}

/** The review choice of episode `episode` (with its fingerprint), for the "This episode" panel. */
export function episodeReviewChoice(episode) {
  if (!episode.fingerprint) return null;
  const { label, select } = choiceSelect({
    id: "episode-review",
    label: "Review",
    labels: { "": "Highlights and starred insights", in: "Everything in this episode", out: "Leave out of review" },
    source: { kind: "episode", episode_id: episode.id },
    read: (all) => all.episodes[episode.fingerprint],
    what: "The episode's review choice",
  });
  return [label, select];
}

/** The review choice of tag `tag` ({name}), for its row in the tag manager. */
export function tagReviewChoice(tag, n) {
  const key = tag.name.toLowerCase();
  const { label, select } = choiceSelect({
    id: `tag-review-${n}`,
    label: `Review for ${tag.name}`,
    labels: { "": "As the rules say", in: "Add to review", out: "Leave out of review" },
    source: { kind: "tag", tag: tag.name },
    read: (all) => all.tags[key],
    what: "The tag's review choice",
  });
  label.className = "visually-hidden";
  return [label, select];
}

const KINDS = [
  ["highlights", "Highlights", "A cloze card: the sentence with the highlighted words blanked."],
  ["starred_insights", "Starred insights", "The insight's title asks; its body answers."],
  ["questions", "Notes written as “Q: … A: …”", "On a highlight, an insight or an episode."],
];

/** The kinds of card that enter review, as checkboxes for Settings. */
export function kindsFieldset() {
  const boxes = KINDS.map(([kind, label, hint]) => {
    const id = `review-kind-${kind}`;
    const box = h("input", { type: "checkbox", id, disabled: true, "aria-describedby": `${id}-hint` });
    box.addEventListener("change", async () => {
      if (!(await choose({ kind }, box.checked, "What enters review"))) box.checked = !box.checked;
    });
    return {
      kind,
      box,
      el: h("div", { class: "setting setting-check" }, box, h("label", { for: id, text: label }), h("span", { class: "hint", id: `${id}-hint`, text: hint })),
    };
  });
  sources().then(
    (all) => {
      for (const { kind, box } of boxes) {
        box.checked = all[kind];
        box.disabled = false;
      }
    },
    (error) => toast.failed("Could not read what enters review", error),
  );
  return h(
    "fieldset",
    { class: "review-kinds" },
    h("legend", { text: "What enters review" }),
    h("p", { class: "hint", text: "Choose per episode in its panel, and per tag under Tags; a single card's choice comes first." }),
    boxes.map((b) => b.el),
  );
}

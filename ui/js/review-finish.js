// The finish screen of Review, shown when no card is left: what was done
// today, how often answers came back, the streak, and the next seven days
// as a small bar chart drawn with plain elements (heights set through the
// CSSOM, which the strict CSP allows). Or, before there is anything to
// review, what makes a card.

import { count, h } from "./dom.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The label of forecast day `n` (0 is today): "Today", then short weekday names. */
function dayLabel(n, now) {
  return n === 0 ? "Today" : new Date(now + n * DAY_MS).toLocaleDateString(undefined, { weekday: "short" });
}

/** The forecast as bars, each labelled for a screen reader with its day and number of cards. */
function forecastChart(forecast, now) {
  const most = Math.max(1, ...forecast);
  return h(
    "figure",
    { class: "forecast" },
    h("figcaption", { class: "field-label", text: "Due in the next 7 days" }),
    h(
      "ol",
      { class: "forecast-bars" },
      forecast.map((cards, n) =>
        h(
          "li",
          { class: "forecast-day" },
          h("span", { class: "visually-hidden", text: `${dayLabel(n, now)}: ${count(cards, "card")}` }),
          h("span", { class: "forecast-count", "aria-hidden": "true", text: String(cards) }),
          h("span", { class: "forecast-bar", "aria-hidden": "true", vars: { "--share": String(cards / most) } }),
          h("span", { class: "forecast-label", "aria-hidden": "true", text: dayLabel(n, now) }),
        ),
      ),
    ),
  );
}

/** One figure of the day: its name and value. */
const fact = (name, value) => h("div", { class: "review-fact" }, h("dt", { text: name }), h("dd", { text: value }));

/**
 * The finish screen for `stats` (review_stats) and `due` (review_due, with
 * no cards left in it). Its heading takes focus (`tabindex=-1`), so a
 * screen reader says the session is over.
 */
export function finishScreen(stats, due, now = Date.now()) {
  const waiting = due.due + due.new;
  const never = stats.reviewed_today === 0 && waiting === 0 && stats.forecast.every((n) => n === 0) && stats.streak === 0;
  if (never) {
    return h(
      "section",
      { class: "review-finish empty", "aria-labelledby": "review-finish-title" },
      h("h2", { id: "review-finish-title", tabindex: "-1", text: "Nothing to review yet" }),
      h("p", { text: "Highlights, starred insights and notes written as “Q: … A: …” become cards. Highlight a passage in an episode, star an insight or write such a note, and it comes up here." }),
    );
  }
  return h(
    "section",
    { class: "review-finish", "aria-labelledby": "review-finish-title" },
    h("h2", { id: "review-finish-title", tabindex: "-1", text: "All done for now" }),
    waiting > 0
      ? h(
          "p",
          { class: "page-intro" },
          `Today's limits are reached: ${count(due.due, "card")} due and ${due.new.toLocaleString()} new wait. `,
          h("a", { href: "#/settings/review", text: "Change the limits in Settings" }),
          ".",
        )
      : h("p", { class: "page-intro", text: "Nothing else is due today." }),
    h(
      "dl",
      { class: "review-facts" },
      fact("Reviewed today", count(stats.reviewed_today, "card")),
      fact("Retention", stats.retention == null ? "–" : `${Math.round(stats.retention * 100)} %`),
      fact("Streak", count(stats.streak, "day")),
    ),
    forecastChart(stats.forecast, now),
  );
}

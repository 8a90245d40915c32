// The Review section of Settings: desired retention, new cards and reviews
// per day, the hour a review day starts, and what enters review. The API takes the settings
// whole (update_review_settings), so every change sends all four, and the
// day's time zone is this computer's: the hour is meant as a local one.

import { call } from "./transport.js";
import { h } from "./dom.js";
import { fieldError, showErrorAt } from "./fields.js";
import { kindsFieldset } from "./review-sources.js";
import * as toast from "./toast.js";

const RETENTION = { min: 70, max: 99 };

/** A labelled control with a hint and its own error line; `beside` (an output) sits next to the control. */
function setting(id, label, control, hint, beside = null) {
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
  const error = fieldError(`${id}-error`, control);
  return {
    ...error,
    el: h(
      "div",
      { class: "setting" },
      h("label", { for: id, class: "field-label", text: label }),
      beside ? h("div", { class: "size-row" }, control, beside) : control,
      h("span", { class: "hint", id: `${id}-hint`, text: hint }),
      error.el,
    ),
  };
}

const hourName = (hour) => new Date(2000, 0, 1, hour).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });

/** A whole number of at least 0 typed in `input`, or null. */
function wholeNumber(input) {
  const n = Number(input.value);
  return input.value.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : null;
}

/** The Review fieldset; it fills in once review_settings answers. */
export function reviewSection() {
  const output = h("output", { for: "review-retention" });
  const retention = h("input", { type: "range", min: RETENTION.min, max: RETENTION.max, step: 1, disabled: true });
  const newPerDay = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", disabled: true });
  const maxPerDay = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", disabled: true });
  const dayStart = h("select", { disabled: true }, Array.from({ length: 24 }, (_, hour) => h("option", { props: { value: String(hour) }, text: hourName(hour) })));
  const fields = {
    desired_retention: setting("review-retention", "Desired retention", retention, "How likely you are to remember a card when it comes due. Higher means more reviews.", output),
    new_per_day: setting("review-new", "New cards per day", newPerDay, "Cards seen for the first time each day."),
    max_reviews_per_day: setting("review-max", "Most reviews per day", maxPerDay, "New cards count too."),
    "day.starts_at_hour": setting("review-day-start", "A new day starts at", dayStart, "In this computer's time zone. Reviews before that hour count for the day before."),
  };

  let saved = null;
  const show = (settings) => {
    retention.value = String(Math.round(settings.desired_retention * 100));
    output.textContent = `${retention.value} %`;
    newPerDay.value = String(settings.new_per_day);
    maxPerDay.value = String(settings.max_reviews_per_day);
    dayStart.value = String(settings.day.starts_at_hour);
  };
  const save = async () => {
    for (const field of Object.values(fields)) field.clearError();
    const next = {
      desired_retention: Number(retention.value) / 100,
      new_per_day: wholeNumber(newPerDay),
      max_reviews_per_day: wholeNumber(maxPerDay),
      day: { starts_at_hour: Number(dayStart.value), utc_offset_minutes: -new Date().getTimezoneOffset() },
    };
    const bad = [["new_per_day", newPerDay], ["max_reviews_per_day", maxPerDay]].filter(([key]) => next[key] === null);
    for (const [key] of bad) fields[key].showError("A whole number, 0 or more.");
    if (bad.length) return;
    const before = saved;
    saved = next;
    try {
      await call("update_review_settings", next);
    } catch (error) {
      saved = before;
      show(before);
      const named = String(error.field ?? "").replace(/^args\./, "");
      if (fields[named]) showErrorAt(error, fields);
      else toast.failed("Review settings not saved", error, () => {
        show(next);
        save();
      });
    }
  };
  retention.addEventListener("input", () => (output.textContent = `${retention.value} %`));
  for (const control of [retention, newPerDay, maxPerDay, dayStart]) control.addEventListener("change", save);

  call("review_settings").then(
    (settings) => {
      saved = settings;
      show(settings);
      for (const control of [retention, newPerDay, maxPerDay, dayStart]) control.disabled = false;
    },
    (error) => fields.desired_retention.showError(`Could not read the review settings: ${error.message}`),
  );
  return h("fieldset", { id: "settings-review", class: "review-settings" }, h("legend", { text: "Review" }), Object.values(fields).map((field) => field.el), kindsFieldset());
}

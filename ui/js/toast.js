// Toasts: quiet news (a new episode), undo after a delete (6 s), and failed
// saves said plainly with a Retry button. Errors stay until dismissed.

import { byId, h } from "./dom.js";

const UNDO_MS = 6000;
const INFO_MS = 4000;

/** Shows a passing message. */
export function info(message) {
  return show({ message, timeout: INFO_MS });
}

/** Shows `message` with an Undo button for 6 s. */
export function undo(message, onUndo) {
  return show({ message, action: { label: "Undo", run: onUndo }, timeout: UNDO_MS });
}

/** Shows a failure; with `retry`, a Retry button runs it again. */
export function error(message, retry) {
  return show({ message, kind: "error", action: retry && { label: "Retry", run: retry } });
}

function show({ message, kind = "info", action, timeout }) {
  const region = byId(kind === "error" ? "alerts" : "toasts");
  let timer = 0;
  const close = () => {
    clearTimeout(timer);
    toast.remove();
  };
  const toast = h(
    "div",
    { class: `toast toast-${kind}` },
    h("span", { class: "toast-message", text: message }),
    action &&
      h("button", {
        type: "button",
        class: "toast-action",
        text: action.label,
        on: {
          click: () => {
            close();
            action.run();
          },
        },
      }),
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", text: "×", on: { click: close } }),
  );
  region.append(toast);
  if (timeout) timer = setTimeout(close, timeout);
  return close;
}

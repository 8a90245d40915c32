// Toasts: quiet news (a new episode), undo after a delete (6 s), and failed
// saves said plainly, with a Retry button when another try could work.
// Errors stay until dismissed. A toast that goes while it holds keyboard
// focus gives it back to where it came from.

import { byId, h } from "./dom.js";
import { canRetry, failure } from "./messages.js";

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

/**
 * Says that `what` ("Highlight not saved") failed with `error` (an
 * ApiError), in words for a reader; `retry` is offered only when another
 * try could succeed.
 */
export function failed(what, error, retry) {
  return show({ message: failure(what, error), kind: "error", action: retry && canRetry(error) && { label: "Retry", run: retry } });
}

function show({ message, kind = "info", action, timeout }) {
  const region = byId(kind === "error" ? "alerts" : "toasts");
  let timer = 0;
  /** What had focus before it came into the toast (Tab from the text, say). */
  let cameFrom = null;
  const close = () => {
    clearTimeout(timer);
    const hadFocus = toast.contains(document.activeElement);
    toast.remove();
    if (hadFocus) (cameFrom?.isConnected ? cameFrom : byId("main")).focus({ preventScroll: true });
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
  toast.addEventListener("focusin", (event) => {
    if (!toast.contains(event.relatedTarget)) cameFrom = event.relatedTarget;
  });
  region.append(toast);
  if (timeout) timer = setTimeout(close, timeout);
  return close;
}

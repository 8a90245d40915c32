// The only module that talks to the backend. Inside the Tauri window it uses
// the `call` command and the `gloss://event` event; in a browser it uses
// `POST /api/call` and the `/api/events` server-sent event stream. Both carry
// the same JSON (docs/api.md).

import { plain } from "./messages.js";

/** An error answered by the backend, or the backend being unreachable; its message is plain text. */
export class ApiError extends Error {
  constructor({ kind, message, field = null }) {
    super(plain(message));
    this.kind = kind;
    this.field = field;
  }
}

const tauri = globalThis.__TAURI__;

/**
 * This window's name for itself. Requests carry it, and the events they
 * cause carry it back (`event.origin.client`), so a window can skip the echo
 * of its own change.
 */
export const clientId = `w${Math.random().toString(36).slice(2, 12)}`;

/** Whether an event reports a change this window made itself. */
export function isOwnEcho(event) {
  return event?.origin?.client === clientId;
}

/** Runs one operation and resolves with its result; rejects with ApiError. */
export async function call(op, args) {
  const request = args === undefined ? { op } : { op, args };
  if (tauri) {
    try {
      return await tauri.core.invoke("call", { request, client: clientId });
    } catch (rejected) {
      throw toApiError(rejected?.error ?? rejected);
    }
  }
  let response;
  try {
    response = await fetch("/api/call", {
      method: "POST",
      headers: { "content-type": "application/json", "x-gloss-client": clientId },
      body: JSON.stringify(request),
    });
  } catch (cause) {
    console.warn("gloss: request failed", cause);
    throw new ApiError({ kind: "network", message: "Gloss can not be reached; if you started it with gloss serve, check that it is still running" });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(body?.error ?? { message: `Gloss did not answer as expected (error ${response.status}); try again` });
  return body;
}

function toApiError(error) {
  if (error instanceof ApiError) return error;
  if (typeof error === "string") return new ApiError({ kind: "storage", message: error });
  return new ApiError({ kind: error?.kind ?? "storage", message: error?.message ?? "something went wrong", field: error?.field ?? null });
}

/**
 * Calls `handler(event)` for every live event. After the browser's event
 * stream reconnects it sends `{ type: "reconnected" }`, because events may
 * have been missed meanwhile and views should refresh.
 */
export function onEvent(handler) {
  if (tauri) {
    tauri.event.listen("gloss://event", (message) => handler(message.payload));
    return;
  }
  const source = new EventSource("/api/events");
  let dropped = false;
  source.addEventListener("gloss", (message) => {
    try {
      handler(JSON.parse(message.data));
    } catch (error) {
      console.error("gloss: bad event", error);
    }
  });
  source.addEventListener("error", () => {
    dropped = true;
  });
  source.addEventListener("open", () => {
    if (dropped) handler({ type: "reconnected" });
    dropped = false;
  });
}

/**
 * What only the desktop window offers: the native picker and the menu. In
 * a browser `available` is false and neither is used.
 */
export const desktop = {
  available: Boolean(tauri),
  /**
   * Asks for a folder or a file with the native picker and resolves with
   * its path, or null when the user cancels: `kind` is "folder" or "file",
   * `title` heads the picker, `filter` (`{ name, extensions }`, files only)
   * narrows what it offers.
   */
  async pick({ kind, title, filter = null }) {
    return tauri ? tauri.core.invoke("pick", { kind, title, filter }) : null;
  },
  /** Calls `handler(action)` for every menu item chosen ("settings", "notes", ...). */
  onMenu(handler) {
    tauri?.event.listen("gloss://menu", (message) => handler(message.payload));
  },
  /**
   * Calls `handler(route)` for every gloss:// link the running window is
   * sent to (src-tauri/src/desktop/links.rs); `route` is a hash route,
   * "#/highlight/<id>" or "#/episode/<id>".
   */
  onOpen(handler) {
    tauri?.event.listen("gloss://open", (message) => handler(message.payload));
  },
};

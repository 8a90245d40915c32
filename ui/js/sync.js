// The Sync section of Settings: the sync folder, what sync is doing (on or
// off, the last round, changes not sent yet, the devices seen, problems) and
// a Sync now button. It refreshes on `sync_done` and every few seconds while
// it is on screen, so "last synced" stays true without a reload.

import { call } from "./transport.js";
import { count, h, replace, timeAgo } from "./dom.js";
import { fieldError } from "./fields.js";

const REFRESH_MS = 5000;

/** The section on screen: its refresh function, or null. */
let shown = null;

/** Refreshes the Sync section if it is on screen (after `sync_done`, a settings change). */
export function refreshSyncStatus() {
  shown?.();
}

/**
 * The Sync fieldset. `folder` is the sync folder's text field (from
 * fields.js), saved by Settings; the rest is rendered here.
 */
export function syncSection(folder) {
  const statusEl = h("div", { class: "sync-status" });
  const resultEl = h("p", { class: "sync-result", role: "status" });
  const button = h("button", { type: "button", class: "button", text: "Sync now", "aria-describedby": "sync-now-error", on: { click: () => syncNow() } });
  const error = fieldError("sync-now-error", button);
  const section = h(
    "fieldset",
    { id: "settings-sync" },
    h("legend", { text: "Sync" }),
    folder.el,
    statusEl,
    h("div", { class: "button-row" }, button, resultEl),
    error.el,
  );

  let status = null;
  let statusFailed = false;
  const render = () => {
    replace(statusEl, status ? statusList(status) : h("p", { class: "hint", text: "Loading…" }));
    button.disabled = !status?.enabled;
  };
  const refresh = async () => {
    try {
      status = await call("sync_status");
      if (statusFailed) error.clearError();
      statusFailed = false;
    } catch (failure) {
      statusFailed = true;
      error.showError(`Could not read the sync status: ${failure.message}`);
    }
    render();
  };
  const syncNow = async () => {
    button.disabled = true;
    button.textContent = "Syncing…";
    resultEl.textContent = "";
    error.clearError();
    let report = null;
    try {
      report = await call("sync_now");
    } catch (failure) {
      error.showError(failure.message);
    }
    button.textContent = "Sync now";
    await refresh();
    if (report) resultEl.textContent = roundSummary(report);
  };

  // Polls only while this very section is on screen; a re-render or
  // another view ends it (Settings is rendered afresh each time it opens).
  const onScreen = () => section.isConnected && !section.closest("[hidden]");
  const timer = setInterval(() => {
    if (!onScreen()) {
      clearInterval(timer);
      if (shown === refresh) shown = null;
    } else if (!document.hidden) {
      refresh();
    }
  }, REFRESH_MS);
  shown = refresh;
  render();
  refresh();
  return section;
}

function statusList(status) {
  const row = (term, ...detail) => [h("dt", { text: term }), h("dd", {}, ...detail)];
  const pending = status.pending === 0 ? "None" : count(status.pending, "change");
  return h(
    "dl",
    { class: "sync-facts" },
    status.enabled
      ? row("Status", h("span", { class: "badge badge-ok", text: "On" }), " ", h("span", { class: "path", text: status.sync_dir ?? "" }))
      : row("Status", h("span", { class: "badge", text: "Off" }), " Give a sync folder to turn it on."),
    status.enabled && row("Last sync", status.last_sync ? timeAgo(status.last_sync) : "Not yet"),
    row(status.enabled ? "Not sent yet" : "Waiting for sync", pending),
    status.devices?.length > 0 &&
      row(
        "Devices",
        h(
          "ul",
          { class: "device-list" },
          status.devices.map((device) =>
            h(
              "li",
              {},
              h("span", { class: "path", text: device.id }),
              device.this_device && h("span", { class: "badge", text: "this device" }),
              h("span", { class: "hint" }, "last change ", timeAgo(device.last_seen)),
            ),
          ),
        ),
      ),
    status.problems?.length > 0 && row("Problems", h("ul", { class: "problem-list" }, status.problems.map((problem) => h("li", { text: problem })))),
  );
}

/** One sentence about a finished round. */
function roundSummary(report) {
  const parts = [`sent ${count(report.sent, "change")}`, `applied ${count(report.applied, "change")}`];
  if (report.waiting) parts.push(`${count(report.waiting, "change")} wait for episodes this library does not have yet`);
  const problems = report.problems?.length ? ` ${count(report.problems.length, "problem")}: ${report.problems.join("; ")}` : "";
  return `Synced: ${parts.join(", ")}.${problems}`;
}

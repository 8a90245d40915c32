// A minimal W3C WebDriver client over fetch, for driving the real Gloss
// window through tauri-driver (which forwards to WebKitWebDriver), and what
// WebDriver can not do: press keys that GTK answers itself (the menu bar,
// menu shortcuts, native dialogs), see native windows, learn how the app's
// process ended, and give it a D-Bus session bus of its own.
import { execFileSync, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** Starts tauri-driver on `port`, with WebKitWebDriver on the port after it. */
export async function startDriver(port = 4444) {
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) return { base, stop: () => driver.kill("SIGTERM") };
    } catch {}
    await sleep(100);
  }
  driver.kill("SIGKILL");
  throw new Error("tauri-driver did not start on port " + port);
}

async function wd(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

export class Session {
  static async open(base, application, args) {
    const value = await wd(base, "POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application, args } } },
    });
    return new Session(base, value.sessionId);
  }
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }
  cmd(method, path, body) {
    return wd(this.base, method, `/session/${this.id}${path}`, body);
  }
  /** Runs a script in the window; async scripts get a `done` callback as the last argument. */
  execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }
  executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }
  async find(css, { timeout = 10000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      try {
        const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
        if (el?.[ELEMENT]) return el[ELEMENT];
        throw new Error(`unexpected element reference ${JSON.stringify(el)}`);
      } catch (err) {
        if (Date.now() > end) throw new Error(`no element matches ${css}: ${err.message}`);
        await sleep(100);
      }
    }
  }
  async waitFor(script, { timeout = 10000, args = [] } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await this.execute(script, args).catch(() => null);
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${script}`);
      await sleep(100);
    }
  }
  click(element) {
    return this.cmd("POST", `/element/${element}/click`, {});
  }
  /** Clicks the first element matching `css` from inside the page. */
  clickCss(css) {
    return this.execute("const el = document.querySelector(arguments[0]); if (el) el.click(); return !!el;", [css]);
  }
  close() {
    return this.cmd("DELETE", "");
  }
}

/**
 * Presses `chords` on the X display as a keyboard would ("ctrl+q", "F10",
 * "Up", "Return", or "--type=TEXT" to type TEXT), with the testkit's
 * `press-keys` next to `bin` (built with the workspace). WebDriver's own key
 * actions go to the web page only: GTK never sees them, so they can not
 * reach the native menu, its shortcuts or a native dialog.
 */
export function pressKeys(bin, ...chords) {
  execFileSync(path.join(path.dirname(bin), "press-keys"), chords, { stdio: ["ignore", "ignore", "inherit"] });
}

/** Waits until a native window titled `title` is on the X display (a GTK dialog, say). */
export async function nativeWindow(title, { timeout = 10000 } = {}) {
  const end = Date.now() + timeout;
  while (!execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" }).includes(`"${title}"`)) {
    if (Date.now() > end) throw new Error(`no window titled ${title} appeared`);
    await sleep(100);
  }
}

/**
 * A launcher for `bin` in `dir`, to give WebDriver as the application:
 * WebKitWebDriver starts the app and never says how it ended, so the
 * launcher runs it, passes a stop signal on to it, and keeps its exit
 * status. Resolves to { application, exitStatus() }; `exitStatus()` waits
 * for the app to end and resolves to its status.
 */
export async function exitRecorder(bin, dir) {
  const application = path.join(dir, "launch-gloss.sh");
  const statusFile = path.join(dir, "exit-status");
  const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
  await writeFile(
    application,
    `#!/bin/sh
${quote(bin)} "$@" &
app=$!
trap 'kill -TERM "$app" 2>/dev/null' TERM INT HUP
# wait returns early when a signal comes; wait again until the app is gone.
while :; do wait "$app"; status=$?; kill -0 "$app" 2>/dev/null || break; done
echo "$status" > ${quote(statusFile)}
exit "$status"
`,
    { mode: 0o755 },
  );
  const exitStatus = async ({ timeout = 20000 } = {}) => {
    const end = Date.now() + timeout;
    for (;;) {
      const status = await readFile(statusFile, "utf8").catch(() => null);
      if (status !== null) return Number(status.trim());
      if (Date.now() > end) throw new Error(`gloss did not exit within ${timeout / 1000} s`);
      await sleep(100);
    }
  };
  return { application, exitStatus };
}

/**
 * Starts a D-Bus session bus of the test's own, as a desktop session has
 * one: a second `gloss` finds the running one there (the single-instance
 * plugin), which Xvfb alone does not offer. Resolves to { address, stop() };
 * give `address` to the app as DBUS_SESSION_BUS_ADDRESS.
 */
export async function sessionBus({ timeout = 10000 } = {}) {
  // Its log (the accessibility bus it starts for WebKit, say) is noise here.
  const bus = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1"], { stdio: ["ignore", "pipe", "ignore"] });
  const address = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("dbus-daemon printed no address (Debian: dbus-daemon)")), timeout);
    bus.on("error", reject);
    bus.stdout.on("data", (chunk) => {
      out += chunk;
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      resolve(out.trim());
    });
  });
  return { address, stop: () => bus.kill("SIGTERM") };
}

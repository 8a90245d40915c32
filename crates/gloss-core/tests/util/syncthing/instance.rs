//! One Syncthing instance for a test: a temporary home of its own (keys,
//! config, database and `syncthing.log`), talking to nothing but loopback,
//! with its REST API on a Unix socket in that home and its sync port picked
//! by the kernel, so no two instances (nor a Syncthing the user runs) can
//! clash over a port.

use std::fs::{self, File, OpenOptions};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};
use tempfile::TempDir;

use super::rest::Rest;
use super::PATIENCE;

const SYNCTHING: &str = "syncthing";
const LOG: &str = "syncthing.log";
const API_KEY: &str = "gloss-tests";
/// The id of the one folder the pair shares.
const FOLDER: &str = "gloss";

/// Edits to the config `syncthing generate` writes, each of a line it is
/// known to write: listen on loopback, on a port the kernel picks (read back
/// once running); no discovery, relays or port mapping, as the only device
/// to find is the other instance, at an address it is given; no usage or
/// crash reports; no upgrades; and the test's own priority, as the test
/// waits for it.
const CONFIG_EDITS: [(&str, &str); 9] = [
    ("<listenAddress>default</listenAddress>", "<listenAddress>tcp://127.0.0.1:0</listenAddress>"),
    ("<globalAnnounceEnabled>true</globalAnnounceEnabled>", "<globalAnnounceEnabled>false</globalAnnounceEnabled>"),
    ("<localAnnounceEnabled>true</localAnnounceEnabled>", "<localAnnounceEnabled>false</localAnnounceEnabled>"),
    ("<relaysEnabled>true</relaysEnabled>", "<relaysEnabled>false</relaysEnabled>"),
    ("<natEnabled>true</natEnabled>", "<natEnabled>false</natEnabled>"),
    ("<urAccepted>0</urAccepted>", "<urAccepted>-1</urAccepted>"),
    ("<crashReportingEnabled>true</crashReportingEnabled>", "<crashReportingEnabled>false</crashReportingEnabled>"),
    ("<autoUpgradeIntervalH>12</autoUpgradeIntervalH>", "<autoUpgradeIntervalH>0</autoUpgradeIntervalH>"),
    ("<setLowPriority>true</setLowPriority>", "<setLowPriority>false</setLowPriority>"),
];

/// Runs its arguments (Syncthing) under a shell that leads a process group
/// of its own and reads a pipe from the test: when the pipe closes, because
/// the instance is dropped or because the test process died however it
/// died, the shell kills its whole group (Syncthing is two processes, a
/// monitor and the server it runs), so no Syncthing outlives its test.
/// Exits with Syncthing's status if Syncthing stops first.
const WATCHDOG: &str = r#"exec 3<&0
"$@" &
syncthing=$!
{ read -r line <&3; kill -KILL 0; } &
wait "$syncthing""#;

/// A running instance: its device id and where it listens for the other.
pub struct Instance {
    pub id: String,
    pub address: String,
    rest: Rest,
    process: Process,
}

impl Instance {
    /// Generates a home named after `name`, configures it and starts
    /// Syncthing on it; returns once its API answers and it listens.
    pub fn start(name: &'static str) -> Instance {
        let home = tempfile::Builder::new().prefix(&format!("syncthing-{name}-")).tempdir().unwrap();
        generate(home.path());
        configure(home.path());
        let socket = home.path().join("api.sock");
        let child = Command::new("sh")
            .args(["-c", WATCHDOG, "sh", SYNCTHING, "serve", "--no-browser", "--no-restart"])
            .arg(format!("--home={}", home.path().display()))
            .arg(format!("--gui-address=unix://{}", socket.display()))
            .arg(format!("--gui-apikey={API_KEY}"))
            .stdin(Stdio::piped())
            .stdout(log(home.path()))
            .stderr(log(home.path()))
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("can not start a shell to run Syncthing in: {e}"));
        let mut process = Process { name, home, child };
        let rest = Rest { socket, key: API_KEY.to_owned() };
        let (id, address) = wait_until_up(&mut process, &rest);
        Instance { id, address, rest, process }
    }

    /// Lets `other` connect; dials it at `address` unless that is
    /// `dynamic` (found by discovery, which is off: never dialled).
    pub fn add_device(&self, other: &Instance, address: &str) {
        let device = json!({ "deviceID": other.id, "name": other.process.name, "addresses": [address] });
        self.answer(self.rest.post("/rest/config/devices", Some(&device)));
    }

    /// Shares `folder` with `other`: trash-can versioning on, as many users
    /// have it (files replaced or deleted by the other side are kept in
    /// `.stversions`), and changes noticed within a second.
    pub fn share(&self, folder: &Path, other: &Instance) {
        let config = json!({
            "id": FOLDER,
            "label": "Gloss",
            "path": folder,
            "type": "sendreceive",
            "fsWatcherEnabled": true,
            "fsWatcherDelayS": 1,
            "devices": [{ "deviceID": self.id }, { "deviceID": other.id }],
            "versioning": { "type": "trashcan", "params": { "cleanoutDays": "0" } },
        });
        self.answer(self.rest.post("/rest/config/folders", Some(&config)));
    }

    pub fn connected_to(&self, other: &Instance) -> bool {
        let connections = self.answer(self.rest.get("/rest/system/connections"));
        connections["connections"][&other.id]["connected"] == true
    }

    pub fn set_paused(&self, other: &Instance, paused: bool) {
        let verb = if paused { "pause" } else { "resume" };
        self.answer(self.rest.post(&format!("/rest/system/{verb}?device={}", other.id), None));
    }

    /// Scans the folder now (the watcher would, within a second or so);
    /// returns when the scan is done.
    pub fn scan(&self) {
        self.answer(self.rest.post(&format!("/rest/db/scan?folder={FOLDER}"), None));
    }

    /// `Ok` when this instance has nothing left to do and, as far as it
    /// knows, `other` has everything it has; else what is still pending.
    pub fn in_sync_with(&self, other: &Instance) -> Result<(), String> {
        let status = self.answer(self.rest.get(&format!("/rest/db/status?folder={FOLDER}")));
        if status["state"] != "idle" || status["needTotalItems"] != 0 {
            let (name, state, needing) = (self.process.name, &status["state"], &status["needTotalItems"]);
            return Err(format!("{name} is {state}, needing {needing} items"));
        }
        let completion =
            self.answer(self.rest.get(&format!("/rest/db/completion?folder={FOLDER}&device={}", other.id)));
        if completion["needItems"] != 0 || completion["needDeletes"] != 0 {
            return Err(format!("{} sees {} still needing {completion}", self.process.name, other.process.name));
        }
        Ok(())
    }

    /// Receives at most `kib_per_second` KiB/s (0: as fast as it can),
    /// loopback included.
    pub fn limit_receiving(&self, kib_per_second: u32) {
        let options = json!({ "maxRecvKbps": kib_per_second, "limitBandwidthInLan": true });
        self.answer(self.rest.patch("/rest/config/options", &options));
    }

    fn answer(&self, result: Result<Value, String>) -> Value {
        result.unwrap_or_else(|e| panic!("Syncthing {}: {e}", self.process.name))
    }
}

/// The shell and the Syncthing under it, and the home they use.
struct Process {
    name: &'static str,
    home: TempDir,
    child: Child,
}

impl Drop for Process {
    /// Stops the process group (closing the pipe has the shell kill it) and,
    /// when the test failed, prints Syncthing's log.
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = fs::read_to_string(self.home.path().join(LOG)).unwrap_or_else(|e| format!("(unreadable: {e})\n"));
            eprintln!("--- Syncthing {}'s log ---\n{log}--- end of Syncthing {}'s log ---", self.name, self.name);
        }
    }
}

/// The log file in `home`, to append to.
fn log(home: &Path) -> File {
    OpenOptions::new().create(true).append(true).open(home.join(LOG)).unwrap()
}

/// Keys and a config with no folders (`syncthing generate`).
fn generate(home: &Path) {
    let status = Command::new(SYNCTHING)
        .arg("generate")
        .arg(format!("--home={}", home.display()))
        .arg("--no-default-folder")
        .stdout(log(home))
        .stderr(log(home))
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => {
            let output = fs::read_to_string(home.join(LOG)).unwrap_or_default();
            panic!("`syncthing generate` failed ({status}):\n{output}")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "Syncthing is not installed (no `{SYNCTHING}` on PATH), and these tests carry the sync folder \
             between two real Syncthing instances: run `make setup` (scripts/setup.sh installs it)"
        ),
        Err(e) => panic!("can not run `{SYNCTHING}`: {e}"),
    }
}

/// Applies [`CONFIG_EDITS`] to the generated config.
fn configure(home: &Path) {
    let path = home.join("config.xml");
    let mut config = fs::read_to_string(&path).unwrap();
    for (from, to) in CONFIG_EDITS {
        assert!(
            config.contains(from),
            "{} has no `{from}`: this Syncthing writes its config differently; update CONFIG_EDITS in {}",
            path.display(),
            file!()
        );
        config = config.replace(from, to);
    }
    fs::write(&path, config).unwrap();
}

/// Waits until the API answers and Syncthing listens for devices; returns
/// its device id and the address it listens on.
fn wait_until_up(process: &mut Process, rest: &Rest) -> (String, String) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = process.child.try_wait().unwrap() {
            panic!("Syncthing {} stopped before it was up ({status}); its log follows", process.name);
        }
        if let Ok(status) = rest.get("/rest/system/status") {
            if let (Some(id), Some(address)) = (status["myID"].as_str(), listening_on(&status)) {
                return (id.to_owned(), address);
            }
        }
        assert!(Instant::now() < deadline, "Syncthing {} did not come up; its log follows", process.name);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The loopback address with the port the kernel gave the listener, once
/// it has one.
fn listening_on(status: &Value) -> Option<String> {
    let services = status["connectionServiceStatus"].as_object()?;
    let addresses = services.values().filter_map(|service| service["lanAddresses"].as_array()).flatten();
    addresses
        .filter_map(Value::as_str)
        .find(|address| address.starts_with("tcp://127.0.0.1:") && !address.ends_with(":0"))
        .map(str::to_owned)
}

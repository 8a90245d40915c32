//! The real `gloss serve` process for the fault tests: started on an
//! ephemeral loopback port over a library and a data folder, driven over
//! HTTP, killed with SIGKILL, and its database checked while it is stopped.
//!
//! Every wait has a generous bound (the machine may be busy), so a hang
//! fails the test instead of stalling it; nothing asserts on how long
//! anything took.

pub mod events;
pub mod netns;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the server may take to start, or the library to settle.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// How long one request may take before the server is called hung.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a `gloss serve` may take to exit after SIGTERM before it is
/// called hung. It should need well under a second; this bound only keeps
/// a hang from stalling the test.
pub const EXIT_PATIENCE: Duration = Duration::from_secs(10);

/// Largest answer read (a list of every highlight with long notes).
const MAX_ANSWER: u64 = 256 << 20;

/// The database's file name in the data folder (see `gloss_core::store::DB_FILE`).
pub const DB_FILE: &str = "gloss.db";

/// A running `gloss serve`. Dropping it kills the process. Calls go
/// through its [`Client`].
pub struct Server {
    child: Child,
    client: Client,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

/// Calls the API of one server; clones share its connections, so each
/// writer thread can have its own while the test kills the server.
#[derive(Clone)]
pub struct Client {
    pub url: String,
    agent: ureq::Agent,
}

/// One API answer: the HTTP status and the JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body of a 2xx answer; panics with the error otherwise.
    pub fn json(&self) -> &Value {
        assert!(self.ok(), "the call failed: {} {}", self.status, self.body);
        &self.body
    }

    pub fn error_kind(&self) -> &str {
        self.body["error"]["kind"].as_str().unwrap_or_default()
    }

    pub fn error_message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

/// The `gloss` command over `library` and `data`, with `args` after them.
pub fn gloss(library: &Path, data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gloss"));
    command.arg("--library").arg(library).arg("--data").arg(data).args(args);
    command
}

impl Server {
    /// Starts `gloss serve` over `library` and `data`; panics if it does not.
    pub fn start(library: &Path, data: &Path) -> Server {
        Server::spawn(gloss(library, data, &["serve", "--port", "0"])).unwrap_or_else(|err| panic!("{err}"))
    }

    /// Starts `command` (a `gloss serve`) and waits for its URL. `Err` holds
    /// what it printed on stderr if it exited (or hung) instead.
    pub fn spawn(mut command: Command) -> Result<Server, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("could not run {command:?}: {err}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (url_tx, url_rx) = mpsc::channel();
        let readers = vec![
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("Gloss is serving at ") {
                        let _ = url_tx.send(url.to_owned());
                    }
                }
            }),
            {
                let stderr = Arc::clone(&stderr);
                std::thread::spawn(move || {
                    let mut chunk = [0u8; 4096];
                    while let Ok(n @ 1..) = stderr_pipe.read(&mut chunk) {
                        stderr.lock().unwrap().push_str(&String::from_utf8_lossy(&chunk[..n]));
                    }
                })
            },
        ];
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .into();
        let url = url_rx.recv_timeout(PATIENCE);
        let mut server = Server { child, client: Client { url: String::new(), agent }, stderr, readers };
        match url {
            Ok(url) => {
                server.client.url = url;
                Ok(server)
            }
            Err(_) => {
                let status = server.stop();
                Err(format!("gloss serve did not start ({status}): {}", server.stderr()))
            }
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Kills the server with SIGKILL (no chance to clean up) and reaps it.
    /// Returns how it ended.
    pub fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let status = self.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }

    /// The server's process id, to signal it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as a service manager stops Gloss, and waits for the
    /// process to exit. Panics, with what it printed, if it is still
    /// running after [`EXIT_PATIENCE`]. Returns how it ended.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status().expect("kill runs");
        assert!(sent.success(), "kill -TERM {} failed", self.pid());
        let deadline = Instant::now() + EXIT_PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the server can be waited for") {
                break status;
            }
            assert!(Instant::now() < deadline, "gloss serve still runs after SIGTERM: {}", self.stderr());
            std::thread::sleep(Duration::from_millis(20));
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl std::ops::Deref for Server {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Client {
    /// Runs operation `op` (`args` null for none); `Err` when no answer came
    /// (the server is gone).
    pub fn try_call(&self, op: &str, args: Value) -> Result<Answer, ureq::Error> {
        let request = match args {
            Value::Null => json!({ "op": op }),
            args => json!({ "op": op, "args": args }),
        };
        let mut response = self.agent.post(format!("{}api/call", self.url)).send_json(request)?;
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(MAX_ANSWER).read_json::<Value>()?;
        Ok(Answer { status, body })
    }

    /// Runs operation `op`; panics if no answer came.
    pub fn call(&self, op: &str, args: Value) -> Answer {
        self.try_call(op, args).unwrap_or_else(|err| panic!("no answer to {op}: {err}"))
    }

    /// Every highlight, live (`trashed` false) or in the trash.
    pub fn highlights(&self, trashed: bool) -> Vec<Value> {
        let page = self.call("list_highlights", json!({ "trashed": trashed }));
        page.json()["items"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until every episode is in (`active` of them, none missing or
    /// in error) and the folder is watched; returns the episodes. Panics with
    /// the last status if that does not happen in [`PATIENCE`].
    pub fn settled(&self, active: usize) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let status = self.call("library_status", Value::Null).json().clone();
            let counts = &status["counts"];
            let done = counts["active"] == active
                && counts["missing"] == 0
                && counts["error"] == 0
                && status["watching"] == true;
            if done {
                let page = self.call("list_episodes", json!({ "limit": 100_000 }));
                return page.json()["items"].as_array().cloned().unwrap_or_default();
            }
            assert!(Instant::now() < deadline, "the library did not settle on {active} active episodes: {status}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether any file under `dir` holds `word`.
pub fn folder_holds(dir: &Path, word: &str) -> bool {
    files(dir).iter().any(|file| std::fs::read_to_string(file).is_ok_and(|text| text.contains(word)))
}

/// Every file under `dir`, in its subfolders too.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// `PRAGMA integrity_check` of the database in `data`, opened read-only
/// (with its WAL) while no server has it open: "ok" when sound.
pub fn integrity(data: &Path) -> String {
    let path = data.join(DB_FILE);
    let conn = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|err| panic!("can not open {}: {err}", path.display()));
    let mut stmt = conn.prepare("PRAGMA integrity_check").expect("integrity_check");
    let rows = stmt.query_map([], |row| row.get::<_, String>(0)).expect("integrity_check rows");
    rows.map(|row| row.expect("integrity_check row")).collect::<Vec<_>>().join("\n")
}

/// A summary file's name and bytes, distinct per `seed`.
pub fn summary_file(seed: u64) -> (String, String) {
    (format!("{seed:05}.txt"), gloss_testkit::summary(seed))
}

/// A library folder with summaries for `seeds`.
pub fn library(dir: &Path, seeds: std::ops::Range<u64>) -> PathBuf {
    std::fs::create_dir_all(dir).expect("library folder");
    for seed in seeds {
        let (name, text) = summary_file(seed);
        std::fs::write(dir.join(name), text).expect("summary file");
    }
    dir.to_owned()
}

/// A code point range inside one block of `episode` (from `get_episode`)
/// to highlight, picked with `rng`; it starts on a letter, so it is never
/// only spaces.
pub fn some_range(episode: &Value, rng: &mut fastrand::Rng) -> (u64, u64) {
    let blocks = episode["blocks"].as_array().expect("blocks");
    let block = &blocks[rng.usize(..blocks.len())];
    let text: Vec<char> = block["text"].as_str().expect("block text").chars().collect();
    let letters: Vec<usize> = (0..text.len()).filter(|&i| text[i].is_alphanumeric()).collect();
    let from = letters[rng.usize(..letters.len())];
    let to = rng.usize(from + 1..=text.len().min(from + 40));
    let start = block["start"].as_u64().expect("start");
    (start + from as u64, start + to as u64)
}

/// The seed for this run: `GLOSS_FAULT_SEED` to replay one, else random.
/// Printed, so a failure can be replayed.
pub fn seed(test: &str) -> u64 {
    let seed = std::env::var("GLOSS_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    println!("{test}: seed {seed} (replay with GLOSS_FAULT_SEED={seed})");
    seed
}

/// The summary the command-line tests read.
pub const SUMMARY: &str = "Open Models | Signal Hours w/ Ada Host and Ben Host\nTL;DR\nA short take on open models.\n\
🧠 Big Ideas 2 insights\nFirst idea\nThe first idea has 400 million downloads and counting.\nSecond idea\n\
The second idea builds on the first one quickly.\nBottom Line\nIdeas compound.\n";

/// A library with one summary and a data folder under one temp root, and
/// the `gloss` command on them as a user runs it.
pub struct Folders {
    pub root: tempfile::TempDir,
}

impl Folders {
    pub fn new() -> Folders {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("library")).unwrap();
        std::fs::create_dir_all(root.path().join("data")).unwrap();
        std::fs::write(root.path().join("library/open models.txt"), SUMMARY).unwrap();
        Folders { root }
    }

    pub fn library(&self) -> PathBuf {
        self.root.path().join("library")
    }

    pub fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn serve(&self) -> Server {
        Server::start(&self.library(), &self.data())
    }

    /// `gloss ARGS`, each `{root}` in them replaced by this root. The global
    /// flags go after the subcommand, as a user may type them.
    pub fn command(&self, args: &[&str]) -> Command {
        let root = self.root.path().to_str().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_gloss"));
        command.args(args.iter().map(|a| a.replace("{root}", root)));
        command.arg("--data").arg(self.data()).arg("--library").arg(self.library());
        command.env_remove("GLOSS_DATA").env_remove("GLOSS_LIBRARY");
        command
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().expect("gloss runs")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        assert!(output.status.success(), "gloss {args:?} failed: {}", text(&output.stderr));
        text(&output.stdout)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }
}

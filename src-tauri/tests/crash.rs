//! Killing `gloss serve` with SIGKILL at random moments while clients
//! create, edit and delete highlights as fast as they can (and, in the
//! second test, while summaries keep arriving in the library folder).
//!
//! After every kill the database must pass `PRAGMA integrity_check`, and
//! after every restart each write the server acknowledged (answered 2xx) is
//! there exactly as acknowledged: a created highlight with its last
//! acknowledged note and color, a deleted one in the trash. A write the kill
//! cut off before its answer may or may not be stored, but nothing else may
//! appear. The library reconciles: every summary fully written is one active
//! episode.
//!
//! Every run prints its seed; `GLOSS_FAULT_SEED=N` replays the choices (the
//! moments of the kills still depend on the machine's timing).

use crate::support::{integrity, seed, some_range, summary_file, Client, Server};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kill rounds every test runs, and at most.
const MIN_ROUNDS: usize = 10;
const MAX_ROUNDS: usize = 30;
/// Rounds past [`MIN_ROUNDS`] start only within this time from the start,
/// so a slow machine runs fewer rounds instead of running long.
const BUDGET: Duration = Duration::from_secs(40);
/// Client threads writing at once; each has highlights of its own, so the
/// order of its acknowledgements is the order of its writes.
const WRITERS: usize = 2;
/// Summaries in the library from the start.
const EPISODES: u64 = 6;
const COLORS: [&str; 5] = ["yellow", "green", "blue", "pink", "purple"];

/// A highlight as the test knows it: as last acknowledged.
#[derive(Debug, Clone, PartialEq)]
struct Known {
    note: String,
    color: String,
    trashed: bool,
}

/// A write sent but never answered: the kill came first, so it may or may
/// not be stored.
#[derive(Debug, Clone)]
enum Unanswered {
    Create { note: String, color: String },
    Update { id: String, note: Option<String>, color: Option<String> },
    Delete { id: String },
}

/// What one writer thread wrote, over all rounds.
#[derive(Debug, Default)]
struct Ledger {
    known: HashMap<String, Known>,
    unanswered: Option<Unanswered>,
    acknowledged: usize,
    /// Writes a kill cut off, and how many of them had been stored.
    cut_off: usize,
    cut_off_stored: usize,
}

impl Known {
    fn from_item(item: &Value, trashed: bool) -> (String, Known) {
        let text = |field: &str| item[field].as_str().unwrap_or_else(|| panic!("no {field} in {item}")).to_owned();
        (text("id"), Known { note: text("note"), color: text("color"), trashed })
    }

    fn patched(&self, note: &Option<String>, color: &Option<String>) -> Known {
        Known {
            note: note.clone().unwrap_or_else(|| self.note.clone()),
            color: color.clone().unwrap_or_else(|| self.color.clone()),
            trashed: self.trashed,
        }
    }
}

/// One writer: creates, edits and deletes its own highlights as fast as the
/// server answers, until a call gets no answer (the server was killed).
fn write_until_killed(client: &Client, episodes: &[Value], ledger: &mut Ledger, rng: &mut fastrand::Rng, name: &str) {
    for seq in 0.. {
        let live: Vec<String> = ledger.known.iter().filter(|(_, k)| !k.trashed).map(|(id, _)| id.clone()).collect();
        let note = |rng: &mut fastrand::Rng| format!("{name}-{seq} {}", "margin note ".repeat(rng.usize(..40)));
        let color = |rng: &mut fastrand::Rng| COLORS[rng.usize(..COLORS.len())].to_owned();
        let write = match rng.u8(..10) {
            _ if live.is_empty() => Unanswered::Create { note: note(rng), color: color(rng) },
            0..=3 => Unanswered::Create { note: note(rng), color: color(rng) },
            4..=7 => {
                let id = live[rng.usize(..live.len())].clone();
                match rng.u8(..3) {
                    0 => Unanswered::Update { id, note: Some(note(rng)), color: None },
                    1 => Unanswered::Update { id, note: None, color: Some(color(rng)) },
                    _ => Unanswered::Update { id, note: Some(note(rng)), color: Some(color(rng)) },
                }
            }
            _ => Unanswered::Delete { id: live[rng.usize(..live.len())].clone() },
        };
        let (op, args) = match &write {
            Unanswered::Create { note, color } => {
                let episode = &episodes[rng.usize(..episodes.len())];
                let (start, end) = some_range(episode, rng);
                let args =
                    json!({ "episode_id": episode["id"], "start": start, "end": end, "note": note, "color": color });
                ("create_highlight", args)
            }
            Unanswered::Update { id, note, color } => {
                let mut args = json!({ "id": id });
                if let Some(note) = note {
                    args["note"] = json!(note);
                }
                if let Some(color) = color {
                    args["color"] = json!(color);
                }
                ("update_highlight", args)
            }
            Unanswered::Delete { id } => ("delete_highlight", json!({ "id": id })),
        };
        ledger.unanswered = Some(write.clone());
        let Ok(answer) = client.try_call(op, args) else { return };
        assert!(answer.ok(), "{name}: {op} refused while the server was up: {} {}", answer.status, answer.body);
        ledger.unanswered = None;
        ledger.acknowledged += 1;
        match write {
            Unanswered::Create { note, color } => {
                let (id, known) = Known::from_item(&answer.body, false);
                assert_eq!((&known.note, &known.color), (&note, &color), "{name}: the answer is not what was sent");
                ledger.known.insert(id, known);
            }
            Unanswered::Update { id, note, color } => {
                let known = ledger.known.get_mut(&id).expect("own highlight");
                *known = known.patched(&note, &color);
            }
            Unanswered::Delete { id } => ledger.known.get_mut(&id).expect("own highlight").trashed = true,
        }
    }
}

/// Checks every ledger against the highlights the restarted server has,
/// settling the unanswered writes by what was stored. Returns how many
/// highlights there are.
fn check_highlights(client: &Client, ledgers: &mut [Ledger], round: usize) -> usize {
    let mut stored: HashMap<String, Known> = HashMap::new();
    for trashed in [false, true] {
        stored.extend(client.highlights(trashed).iter().map(|item| Known::from_item(item, trashed)));
    }
    let claimed = |ledgers: &[Ledger], id: &str| ledgers.iter().any(|l| l.known.contains_key(id));
    for at in 0..ledgers.len() {
        let Some(unanswered) = ledgers[at].unanswered.take() else { continue };
        let count = ledgers[at].known.len();
        let was_stored = match unanswered {
            Unanswered::Create { note, color } => {
                let found = stored.iter().find(|(id, k)| k.note == note && !claimed(ledgers, id));
                if let Some((id, known)) = found {
                    let whole = Known { note, color, trashed: false };
                    assert_eq!(known, &whole, "round {round}: an unanswered create half stored");
                    ledgers[at].known.insert(id.clone(), known.clone());
                }
                ledgers[at].known.len() > count
            }
            Unanswered::Update { id, note, color } => {
                let before = ledgers[at].known[&id].clone();
                let now = stored.get(&id).unwrap_or_else(|| panic!("round {round}: highlight {id} lost"));
                let after = before.patched(&note, &color);
                let half = format!("{now:?}, before {before:?}, after {after:?}");
                assert!(now == &before || now == &after, "round {round}: an unanswered update half stored: {half}");
                ledgers[at].known.insert(id, now.clone());
                now != &before
            }
            Unanswered::Delete { id } => {
                let before = ledgers[at].known[&id].clone();
                let now = stored.get(&id).unwrap_or_else(|| panic!("round {round}: highlight {id} lost"));
                let after = Known { trashed: true, ..before.clone() };
                assert!(now == &before || now == &after, "round {round}: an unanswered delete changed {id}: {now:?}");
                ledgers[at].known.insert(id, now.clone());
                now.trashed
            }
        };
        ledgers[at].cut_off += 1;
        ledgers[at].cut_off_stored += usize::from(was_stored);
    }
    for ledger in ledgers.iter() {
        for (id, known) in &ledger.known {
            let what = if known.trashed { "an acknowledged delete" } else { "an acknowledged write" };
            assert_eq!(stored.get(id), Some(known), "round {round}: {what} of highlight {id} was lost");
        }
    }
    let known: usize = ledgers.iter().map(|l| l.known.len()).sum();
    assert_eq!(stored.len(), known, "round {round}: highlights nobody wrote appeared");
    known
}

/// Checks that every file in `files` is exactly one active episode, and
/// nothing else is.
fn check_library(server: &Server, files: &[String], round: usize) {
    let episodes = server.settled(files.len());
    let mut paths: Vec<&str> = episodes.iter().map(|e| e["source_path"].as_str().expect("source_path")).collect();
    paths.sort_unstable();
    let mut expected: Vec<&str> = files.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(paths, expected, "round {round}: the episodes are not the library's files, once each");
    assert!(episodes.iter().all(|e| e["status"] == "active"), "round {round}: an episode is not active");
}

fn assert_no_panic(server: &Server, round: usize) {
    let stderr = server.stderr();
    assert!(!stderr.contains("panicked"), "round {round}: the server panicked: {stderr}");
}

/// Summaries arriving in the library folder while the server runs, dies and
/// restarts, until dropped. Each is written in two parts, so a kill or a
/// scan may meet a half-written file. Holding [`Burst::pause`] keeps any new
/// file from starting, and means none is half written.
struct Burst {
    written: Arc<Mutex<Vec<String>>>,
    pen: Arc<Mutex<()>>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Burst {
    fn start(library: &Path, mut rng: fastrand::Rng) -> Burst {
        let written = Arc::new(Mutex::new(Vec::new()));
        let pen = Arc::new(Mutex::new(()));
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let (library, written, pen, done) =
                (library.to_owned(), Arc::clone(&written), Arc::clone(&pen), Arc::clone(&done));
            std::thread::spawn(move || {
                for seed in 1000.. {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        let _writing = pen.lock().unwrap();
                        let (name, text) = summary_file(seed);
                        let (head, tail) = text.as_bytes().split_at(text.len() / 2);
                        std::fs::write(library.join(&name), head).expect("first half");
                        std::thread::sleep(Duration::from_millis(rng.u64(..5)));
                        let mut file =
                            std::fs::OpenOptions::new().append(true).open(library.join(&name)).expect("reopen");
                        file.write_all(tail).expect("second half");
                        written.lock().unwrap().push(name);
                    }
                    std::thread::sleep(Duration::from_millis(rng.u64(10..60)));
                }
            })
        };
        Burst { written, pen, done, thread: Some(thread) }
    }

    /// No file is being written while the guard lives.
    fn pause(&self) -> std::sync::MutexGuard<'_, ()> {
        self.pen.lock().unwrap()
    }

    fn written(&self) -> Vec<String> {
        self.written.lock().unwrap().clone()
    }
}

impl Drop for Burst {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The kill rounds, with summaries arriving meanwhile when `burst`.
fn kill_rounds(test: &str, burst: bool) {
    let seed = seed(test);
    let mut rng = fastrand::Rng::with_seed(seed);
    let root = tempfile::tempdir().expect("temp dir");
    let (library, data) =
        (crate::support::library(&root.path().join("library"), 0..EPISODES), root.path().join("data"));
    let initial: Vec<String> = (0..EPISODES).map(|s| summary_file(s).0).collect();
    let episodes: Vec<Value> = {
        let server = Server::start(&library, &data);
        let ids: Vec<Value> = server.settled(initial.len()).iter().map(|e| e["id"].clone()).collect();
        ids.iter().map(|id| server.call("get_episode", json!({ "id": id })).json().clone()).collect()
    };
    let burst = burst.then(|| Burst::start(&library, rng.fork()));
    let mut ledgers: Vec<Ledger> = (0..WRITERS).map(|_| Ledger::default()).collect();
    let started = Instant::now();
    let mut rounds = 0;
    let mut kills_in_startup = 0;
    while rounds < MIN_ROUNDS || (rounds < MAX_ROUNDS && started.elapsed() < BUDGET) {
        rounds += 1;
        let mut server = Server::start(&library, &data);
        // Now and then, a kill in the middle of starting up (reconciling,
        // re-anchoring) rather than of the writes.
        if rng.u8(..4) == 0 {
            std::thread::sleep(Duration::from_millis(rng.u64(..50)));
            server.stop();
            kills_in_startup += 1;
            assert_no_panic(&server, rounds);
            assert_eq!(integrity(&data), "ok", "round {rounds}: killed while starting");
            continue;
        }
        {
            let _still = burst.as_ref().map(Burst::pause);
            let files = [initial.clone(), burst.as_ref().map(Burst::written).unwrap_or_default()].concat();
            check_library(&server, &files, rounds);
            check_highlights(&server, &mut ledgers, rounds);
        }
        let kill_after = Duration::from_millis(rng.u64(20..700));
        std::thread::scope(|scope| {
            for (at, ledger) in ledgers.iter_mut().enumerate() {
                let (client, episodes, mut rng) = (server.client().clone(), &episodes, rng.fork());
                scope
                    .spawn(move || write_until_killed(&client, episodes, ledger, &mut rng, &format!("w{at}r{rounds}")));
            }
            std::thread::sleep(kill_after);
            server.stop();
        });
        assert_no_panic(&server, rounds);
        assert_eq!(integrity(&data), "ok", "round {rounds}: killed {kill_after:?} into the writes");
    }
    let server = Server::start(&library, &data);
    let _still = burst.as_ref().map(Burst::pause);
    let files = [initial, burst.as_ref().map(Burst::written).unwrap_or_default()].concat();
    check_library(&server, &files, rounds + 1);
    let highlights = check_highlights(&server, &mut ledgers, rounds + 1);
    let sum = |count: fn(&Ledger) -> usize| ledgers.iter().map(count).sum::<usize>();
    println!(
        "{test}: {rounds} kills ({kills_in_startup} while starting), {} writes acknowledged, {} cut off by a kill \
         ({} of them stored), {highlights} highlights, {} files in the library",
        sum(|l| l.acknowledged),
        sum(|l| l.cut_off),
        sum(|l| l.cut_off_stored),
        files.len()
    );
}

#[test]
#[ignore = "slow: ten kill -9 rounds of a real server"]
fn killed_server_keeps_every_acknowledged_write() {
    kill_rounds("killed_server_keeps_every_acknowledged_write", false);
}

#[test]
#[ignore = "slow: ten kill -9 rounds during a file burst"]
fn killed_server_keeps_writes_while_summaries_arrive() {
    kill_rounds("killed_server_keeps_writes_while_summaries_arrive", true);
}

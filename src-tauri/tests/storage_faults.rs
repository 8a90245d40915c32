//! `gloss serve` when its data folder can not take writes: a disk that fills
//! up under it, and a folder it may not write in.
//!
//! Both need privileges the tests run with here (root): mounting a small
//! tmpfs, and running the server as user `nobody` so that file modes apply.
//! Where that is not possible the test prints `skipped: <reason>` and
//! passes; the full disk is also covered without mounting anything by
//! gloss-core's `store_disk_full` test.

use crate::support::{gloss, integrity, some_range, Server};
use serde_json::{json, Value};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Largest number of writes tried before calling the disk bottomless.
const MAX_WRITES: usize = 2000;
/// User and group `nobody`.
const NOBODY: u32 = 65534;

/// A tmpfs mounted on a folder, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|err| format!("can not create {}: {err}", dir.display()))?;
        run(Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir))?;
        Ok(Tmpfs { dir: dir.to_owned() })
    }

    /// Grows (or shrinks) the tmpfs, keeping its files: freeing space.
    fn resize(&self, size: &str) -> Result<(), String> {
        run(Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazily if something still has a file open: it is going away.
        if run(Command::new("umount").arg(&self.dir)).is_err() {
            let _ = run(Command::new("umount").arg("--lazy").arg(&self.dir));
        }
    }
}

/// Runs a command to its end; `Err` says how it failed.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|err| format!("can not run {command:?}: {err}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!("{command:?} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr).trim()))
}

/// A note of about 64 KiB, starting with `word`.
fn big_note(word: &str) -> String {
    format!("{word} ") + &"the cost of inference keeps falling while demand rises ".repeat(1200)
}

/// Asserts every highlight in `expected` (id, note) is live with that note.
fn assert_all_there(server: &Server, expected: &[(String, String)], when: &str) {
    let live = server.highlights(false);
    let note_of = |id: &str| live.iter().find(|h| h["id"] == id).and_then(|h| h["note"].as_str());
    for (id, note) in expected {
        assert!(note_of(id) == Some(note.as_str()), "{when}: acknowledged highlight {id} lost or changed");
    }
    assert_eq!(live.len(), expected.len(), "{when}: highlights nobody acknowledged appeared");
}

/// Creates a highlight with `note`; the answer.
fn create(server: &Server, episode: &Value, note: &str, rng: &mut fastrand::Rng) -> crate::support::Answer {
    let (start, end) = some_range(episode, rng);
    server.call("create_highlight", json!({ "episode_id": episode["id"], "start": start, "end": end, "note": note }))
}

/// Asserts `answer` is the clear refusal of a write for want of room.
fn assert_refused_for_room(answer: &crate::support::Answer, what: &str) {
    let kind = (answer.status, answer.error_kind());
    assert!(kind == (507, "disk_full") || kind == (500, "storage"), "{what}: not a storage error: {answer:?}");
    let message = answer.error_message();
    assert!(message.contains("full") && message.contains("free some space"), "{what}: unclear message: {message}");
}

#[test]
fn a_full_disk_refuses_writes_clearly_and_loses_nothing() {
    let mut rng =
        fastrand::Rng::with_seed(crate::support::seed("a_full_disk_refuses_writes_clearly_and_loses_nothing"));
    let root = tempfile::tempdir().expect("temp dir");
    let library = crate::support::library(&root.path().join("library"), 0..3);
    let data = root.path().join("data");
    let disk = match Tmpfs::mount(&data, "3m") {
        Ok(disk) => disk,
        Err(reason) => {
            println!("skipped: can not mount a small disk for the data folder: {reason}");
            return;
        }
    };
    let mut server = Server::start(&library, &data);
    let id = server.settled(3)[0]["id"].clone();
    let episode = server.call("get_episode", json!({ "id": id })).json().clone();

    // Fill the disk with big notes until a write is refused.
    let mut stored: Vec<(String, String)> = Vec::new();
    let refused = (0..MAX_WRITES)
        .find_map(|n| {
            let note = big_note(&format!("note{n}"));
            let answer = create(&server, &episode, &note, &mut rng);
            match answer.ok() {
                true => stored.push((answer.body["id"].as_str().expect("id").to_owned(), note)),
                false => return Some(answer),
            }
            None
        })
        .expect("the disk never filled up");
    println!("{} highlights stored, then: {} {}", stored.len(), refused.status, refused.body);
    assert_refused_for_room(&refused, "the write that filled the disk");

    // The other writes are refused the same way (or stored, if they fit).
    let edited = big_note("edited");
    let update = server.call("update_highlight", json!({ "id": stored[0].0, "note": edited }));
    match update.ok() {
        true => stored[0].1 = edited,
        false => assert_refused_for_room(&update, "an edit on a full disk"),
    }
    let delete = server.call("delete_highlight", json!({ "id": stored[1].0 }));
    match delete.ok() {
        true => drop(stored.remove(1)),
        false => assert_refused_for_room(&delete, "a delete on a full disk"),
    }

    // Still up, still reading, nothing acknowledged lost; and so after a kill.
    assert!(server.running(), "the server died: {}", server.stderr());
    assert_eq!(server.call("health", Value::Null).json()["ok"], true);
    assert_all_there(&server, &stored, "on the full disk");
    server.stop();
    assert_eq!(integrity(&data), "ok", "after a kill on the full disk");
    let mut server = Server::start(&library, &data);
    assert_all_there(&server, &stored, "restarted on the full disk");
    assert_eq!(server.call("list_episodes", Value::Null).json()["total"], 3, "episodes gone on the full disk");
    assert_refused_for_room(&create(&server, &episode, &big_note("still"), &mut rng), "a write after the restart");

    // Room again: writes go through without a restart.
    disk.resize("64m").expect("grow the disk");
    let answer = create(&server, &episode, &big_note("room"), &mut rng);
    stored.push((answer.json()["id"].as_str().expect("id").to_owned(), big_note("room")));
    let edited = big_note("edited-again");
    assert_eq!(server.call("update_highlight", json!({ "id": stored[0].0, "note": edited })).json()["note"], edited);
    stored[0].1 = edited;
    server.call("delete_highlight", json!({ "id": stored[1].0 })).json();
    stored.remove(1);
    assert_all_there(&server, &stored, "after freeing space");
    server.stop();
    assert_eq!(integrity(&data), "ok", "after freeing space");
    assert_all_there(&Server::start(&library, &data), &stored, "restarted after freeing space");
    assert!(!server.stderr().contains("panicked"), "the server panicked: {}", server.stderr());
}

/// How the server is made to run where the folder's modes apply: as
/// `nobody` when this is root (whom modes do not stop), else as is.
enum Runner {
    Myself,
    Nobody,
}

impl Runner {
    fn find(probe: &Path) -> Result<Runner, String> {
        let me = std::fs::metadata("/proc/self").map_err(|err| format!("can not tell who runs this: {err}"))?.uid();
        if me != 0 {
            return Ok(Runner::Myself);
        }
        let status = Command::new(env!("CARGO_BIN_EXE_gloss"))
            .arg("--version")
            .current_dir(probe)
            .uid(NOBODY)
            .gid(NOBODY)
            .output()
            .map_err(|err| format!("can not run gloss as nobody: {err}"))?
            .status;
        match status.success() {
            true => Ok(Runner::Nobody),
            false => Err(format!("gloss --version as nobody failed ({status})")),
        }
    }

    /// Gives `dir` and what is in it to the user the server runs as.
    fn own(&self, dir: &Path) {
        if let Runner::Nobody = self {
            run(Command::new("chown").args(["-R", &format!("{NOBODY}:{NOBODY}")]).arg(dir)).expect("chown");
        }
    }

    fn command(&self, library: &Path, data: &Path, args: &[&str]) -> Command {
        let mut command = gloss(library, data, args);
        if let Runner::Nobody = self {
            command.uid(NOBODY).gid(NOBODY);
        }
        command
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Starts the server on a data folder it may not write in; asserts it
/// refuses to start with a message naming the folder and what to do.
fn assert_refused_to_start(runner: &Runner, library: &Path, data: &Path, when: &str) {
    let refused = match Server::spawn(runner.command(library, data, &["serve", "--port", "0"])) {
        Ok(mut server) => {
            let create = server.call("set_episode_note", json!({ "episode_id": 1, "text": "read-only?" }));
            server.stop();
            panic!("{when}: the server started on a read-only data folder; a write answered {create:?}");
        }
        Err(refused) => refused,
    };
    println!("{when}: {refused}");
    let folder = data.display().to_string();
    assert!(refused.contains(&folder) && refused.contains("writable"), "{when}: unclear refusal: {refused}");
    assert!(!refused.contains("panicked"), "{when}: the server panicked: {refused}");
}

#[test]
fn a_read_only_data_folder_is_refused_clearly_and_left_sound() {
    let root = tempfile::tempdir().expect("temp dir");
    chmod(root.path(), 0o755);
    let runner = match Runner::find(root.path()) {
        Ok(runner) => runner,
        Err(reason) => {
            println!("skipped: can not run gloss where folder modes apply: {reason}");
            return;
        }
    };
    let library = crate::support::library(&root.path().join("library"), 0..2);
    let data = root.path().join("data");
    std::fs::create_dir(&data).expect("data folder");
    runner.own(&data);

    // A database with a highlight, closed cleanly: only gloss.db is left.
    let note = "kept through it all";
    let highlight = {
        let server = Server::spawn(runner.command(&library, &data, &["serve", "--port", "0"])).expect("start");
        let id = server.settled(2)[0]["id"].clone();
        let episode = server.call("get_episode", json!({ "id": id })).json().clone();
        let (start, end) = some_range(&episode, &mut fastrand::Rng::with_seed(7));
        let args = json!({ "episode_id": id, "start": start, "end": end, "note": note });
        server.call("create_highlight", args).json()["id"].clone()
    };
    // (That server was killed: the next clean exit folds its WAL in.)
    run(&mut runner.command(&library, &data, &["scan"])).expect("gloss scan");
    let left: Vec<String> = std::fs::read_dir(&data)
        .expect("data folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|name| name.ends_with("-wal")), "a clean exit left a WAL: {left:?}");

    // The folder read-only, its files still writable: SQLite can not create
    // its WAL next to the database.
    chmod(&data, 0o555);
    assert_refused_to_start(&runner, &library, &data, "folder read-only");
    // Everything read-only, with the WAL of a killed server.
    chmod(&data, 0o755);
    drop(Server::spawn(runner.command(&library, &data, &["serve", "--port", "0"])).expect("start"));
    for entry in std::fs::read_dir(&data).expect("data folder") {
        chmod(&entry.expect("entry").path(), 0o444);
    }
    chmod(&data, 0o555);
    assert_refused_to_start(&runner, &library, &data, "folder and files read-only");

    // Nothing was damaged: writable again, all is there.
    chmod(&data, 0o755);
    for entry in std::fs::read_dir(&data).expect("data folder") {
        chmod(&entry.expect("entry").path(), 0o644);
    }
    assert_eq!(integrity(&data), "ok");
    let server = Server::spawn(runner.command(&library, &data, &["serve", "--port", "0"])).expect("start");
    server.settled(2);
    let live = server.highlights(false);
    assert_eq!(live.len(), 1);
    assert_eq!((&live[0]["id"], live[0]["note"].as_str()), (&highlight, Some(note)));
}

//! One path for every change, proven end to end: every origin of a change
//! to what the user owns reaches every consumer of it.
//!
//! Origins: an API operation as the UI makes it, the command line while
//! Gloss runs and while nothing runs, an assistant through MCP, an import of each format, a remote
//! change arriving by sync, a restore from the trash, a note edited in an
//! exported Markdown file, a tag renamed and a tag merged, a rating made
//! here and one made elsewhere. Consumers: the
//! sync log (and a second device actually receiving the change), the automatic export folder, a live event in a
//! second connected client, and search. A remote change is checked *not*
//! to be sent back out.
//!
//! Two real `gloss serve` processes (devices A and B) share a sync folder;
//! A exports automatically. Every change carries a word found nowhere
//! else, and each consumer is asked for that word.

use crate::support::events::Listener;
use crate::support::{folder_holds, gloss, library, Client, Server, PATIENCE};
use gloss_testkit::mcp::Session;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

/// The client name the "UI" requests carry, as `ui/js/transport.js` does.
const UI_CLIENT: &str = "matrix-ui";

/// Polls `check` until it holds; panics with `what` after [`PATIENCE`].
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "{what} did not happen");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn search_finds(client: &Client, word: &str) -> bool {
    let hits = client.call("search", json!({ "query": word }));
    hits.json()["hits"].as_array().is_some_and(|hits| !hits.is_empty())
}

/// A call made as the UI makes it: over HTTP, naming its client.
fn ui_call(client: &Client, op: &str, args: Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut response = agent
        .post(format!("{}api/call", client.url))
        .header("x-gloss-client", UI_CLIENT)
        .send_json(json!({ "op": op, "args": args }))
        .expect("the server answers");
    let status = response.status().as_u16();
    let body: Value = response.body_mut().read_json().expect("a JSON answer");
    assert!((200..300).contains(&status), "{op} failed: {status} {body}");
    body
}

struct Matrix {
    _root: tempfile::TempDir,
    library: PathBuf,
    sync: PathBuf,
    export: PathBuf,
    a_data: PathBuf,
    a: Server,
    b: Server,
    listener: Listener,
    /// Blocks of each episode, for places to highlight: (episode id on A, block start, block text).
    places: Vec<(u64, u64, String)>,
    next_place: usize,
}

impl Matrix {
    fn new() -> Matrix {
        let root = tempfile::tempdir().unwrap();
        let library = library(&root.path().join("library"), 0..4);
        let (sync, export, a_data, b_data) =
            (root.path().join("sync"), root.path().join("export"), root.path().join("a"), root.path().join("b"));
        for dir in [&sync, &export] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let a = Server::start(&library, &a_data);
        let b = Server::start(&library, &b_data);
        let episodes = a.settled(4);
        b.settled(4);
        for device in [&a, &b] {
            device.call("update_settings", json!({ "sync_dir": sync })).json();
        }
        a.call("update_settings", json!({ "auto_export": { "format": "markdown", "out_dir": export } })).json();
        let mut places = Vec::new();
        for episode in &episodes {
            let id = episode["id"].as_u64().unwrap();
            let view = a.call("get_episode", json!({ "id": id })).json().clone();
            for block in view["blocks"].as_array().unwrap() {
                let text = block["text"].as_str().unwrap().to_owned();
                if text.chars().count() >= 30 {
                    places.push((id, block["start"].as_u64().unwrap(), text));
                }
            }
        }
        let listener = Listener::connect(&a.url);
        Matrix { _root: root, library, sync, export, a_data, a, b, listener, places, next_place: 0 }
    }

    /// A place no other change of this test used: (episode, start, end, quote).
    fn place(&mut self) -> (u64, u64, u64, String) {
        let (episode, start, text) = self.places[self.next_place].clone();
        self.next_place += 1;
        let quote: String = text.chars().take(30).collect();
        (episode, start, start + 30, quote)
    }

    /// Device A's log in the sync folder.
    fn a_log(&self) -> PathBuf {
        let status = self.a.call("sync_status", Value::Null).json().clone();
        let device = status["devices"].as_array().unwrap().iter().find(|d| d["this_device"] == true).cloned();
        let id = device.expect("A lists itself")["id"].as_str().unwrap().to_owned();
        self.sync.join("gloss").join(id)
    }

    /// Every consumer of a change made on device A, of origin `kind`,
    /// carrying `word`, seen after event `from`.
    fn reaches_every_consumer(&self, from: Option<usize>, kind: &str, word: &str) {
        if let Some(from) = from {
            self.listener.wait_for(from, kind, word);
        }
        assert!(search_finds(&self.a, word), "A's search finds {word}");
        eventually(&format!("the automatic export holding {word}"), || folder_holds(&self.export, word));
        eventually(&format!("A's sync log holding {word}"), || {
            self.a.call("sync_now", Value::Null);
            folder_holds(&self.a_log(), word)
        });
        eventually(&format!("device B receiving {word}"), || {
            self.b.call("sync_now", Value::Null);
            search_finds(&self.b, word)
        });
    }

    /// `gloss highlight` of `quote` in `episode`, with `note`.
    fn cli_highlight(&self, episode: u64, quote: &str, note: &str) {
        let episode = episode.to_string();
        self.cli(&["highlight", "--episode", &episode, "--quote", quote, "--occurrence", "1", "--note", note]);
    }

    fn cli(&self, args: &[&str]) -> Output {
        let output = gloss(&self.library, &self.a_data, args).output().unwrap();
        assert!(output.status.success(), "gloss {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        output
    }
}

#[test]
#[ignore = "slow: three real servers, a sync folder and every origin"]
fn every_origin_reaches_every_consumer() {
    let mut m = Matrix::new();

    // An API operation from the UI: the event names the client that made it.
    let (episode, start, end, _) = m.place();
    let from = m.listener.mark();
    ui_call(&m.a, "create_highlight", json!({ "episode_id": episode, "start": start, "end": end, "note": "zqfromui" }));
    let event = m.listener.wait_for(from, "user", "zqfromui");
    assert_eq!((event["origin"]["door"].as_str(), event["origin"]["client"].as_str()), (Some("http"), Some(UI_CLIENT)));
    m.reaches_every_consumer(None, "user", "zqfromui");

    // The command line while Gloss runs: it goes through the running Gloss.
    let (episode, _, _, quote) = m.place();
    let from = m.listener.mark();
    m.cli_highlight(episode, &quote, "zqclirunning");
    let event = m.listener.wait_for(from, "user", "zqclirunning");
    assert_eq!(event["origin"]["door"], "cli");
    m.reaches_every_consumer(None, "user", "zqclirunning");

    // An assistant through `gloss mcp --allow-write` while Gloss runs: it
    // goes through the running Gloss too, as the MCP door.
    let (episode, _, _, quote) = m.place();
    let from = m.listener.mark();
    let mut mcp = Session::start(gloss(&m.library, &m.a_data, &["mcp", "--allow-write"]));
    let args = json!({ "episode_id": episode, "quote": quote, "occurrence": 1, "note": "zqfrommcp" });
    let made = mcp.call_tool("create_highlight", args);
    assert_eq!(made["isError"], false, "{made}");
    let event = m.listener.wait_for(from, "user", "zqfrommcp");
    assert_eq!(event["origin"]["door"], "mcp");
    m.reaches_every_consumer(None, "user", "zqfrommcp");
    assert!(mcp.close().success());

    // Each import format, made on a third device and imported on A.
    let scratch = tempfile::tempdir().unwrap();
    let c = Server::start(&m.library, &scratch.path().join("c"));
    c.settled(4);
    for (format, file, word) in [
        ("json", "gloss-backup.json", "zqimportjson"),
        ("w3c", "gloss-annotations.jsonld", "zqimportwthreec"),
        ("csv", "gloss-readwise.csv", "zqimportcsv"),
    ] {
        let (episode, start, end, _) = m.place();
        let made =
            c.call("create_highlight", json!({ "episode_id": episode, "start": start, "end": end, "note": word }));
        let out = scratch.path().join(format);
        c.call("export", json!({ "format": format, "out_dir": out })).json();
        c.call("delete_highlight", json!({ "id": made.json()["id"] })).json();
        c.call("empty_trash", Value::Null).json();
        let from = m.listener.mark();
        let report = ui_call(&m.a, "import", json!({ "file": out.join(file) }));
        assert_eq!(report["highlights_added"], 1, "{format}: {report}");
        let event = m.listener.wait_for(from, "import", word);
        assert_eq!(event["origin"]["client"], UI_CLIENT);
        m.reaches_every_consumer(None, "import", word);
    }
    drop(c);

    // A remote change: made on B, applied on A, and never sent back out.
    let (episode, start, end, _) = m.place();
    let from = m.listener.mark();
    m.b.call("create_highlight", json!({ "episode_id": episode, "start": start, "end": end, "note": "zqfromremote" }))
        .json();
    eventually("B sending its change", || {
        m.b.call("sync_now", Value::Null).ok() && folder_holds(&m.sync, "zqfromremote")
    });
    eventually("A applying B's change", || {
        m.a.call("sync_now", Value::Null);
        search_finds(&m.a, "zqfromremote")
    });
    m.listener.wait_for(from, "remote", "zqfromremote");
    eventually("the automatic export holding B's change", || folder_holds(&m.export, "zqfromremote"));
    let again = m.a.call("sync_now", Value::Null).json().clone();
    assert_eq!(again["sent"], 0, "A sends nothing back: {again}");
    assert_eq!(m.a.call("sync_status", Value::Null).json()["pending"], 0);
    assert!(!folder_holds(&m.a_log(), "zqfromremote"), "a remote change is not echoed into A's log");

    // A restore from the trash: deleted everywhere first, then back everywhere.
    let (episode, start, end, _) = m.place();
    let made = ui_call(
        &m.a,
        "create_highlight",
        json!({ "episode_id": episode, "start": start, "end": end, "note": "zqrestored" }),
    );
    m.reaches_every_consumer(None, "user", "zqrestored");
    ui_call(&m.a, "delete_highlight", json!({ "id": made["id"] }));
    eventually("the deletion reaching B", || {
        m.a.call("sync_now", Value::Null);
        m.b.call("sync_now", Value::Null);
        !search_finds(&m.b, "zqrestored")
    });
    eventually("the export dropping the deleted highlight", || !folder_holds(&m.export, "zqrestored"));
    let from = m.listener.mark();
    ui_call(&m.a, "restore_highlight", json!({ "id": made["id"] }));
    m.reaches_every_consumer(Some(from), "user", "zqrestored");

    // A note edited in the automatic export's file (in Obsidian, say): read
    // back through the write path with no other change to start it.
    let file = std::fs::read_dir(&m.export)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("zqrestored\n")))
        .expect("the exported file with the restored highlight's note");
    let from = m.listener.mark();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("zqrestored\n", "zqfromfile\n", 1)).unwrap();
    let event = m.listener.wait_for(from, "user", "zqfromfile");
    assert_eq!(event["origin"]["door"], "exported_file");
    m.reaches_every_consumer(None, "user", "zqfromfile");

    // A rating (review has no words to search): a live event of kind
    // review, the rating in A's log and applied on B, and the highlight's
    // review state in the automatic export. B's rating comes back to A.
    let card = format!("highlight/{}", made["id"].as_str().unwrap());
    let from = m.listener.mark();
    let rated = ui_call(&m.a, "rate_card", json!({ "card": card, "rating": 3 }));
    let event_id = rated["id"].as_str().unwrap().to_owned();
    m.listener.wait_for(from, "user", "\"review\"");
    eventually("the export showing the review state", || folder_holds(&m.export, "Review: due"));
    eventually("A's sync log holding the rating", || {
        m.a.call("sync_now", Value::Null);
        folder_holds(&m.a_log(), &event_id)
    });
    let state = |server: &Server| {
        let shown = server.call("review_card", json!({ "card": card })).json().clone();
        (shown["phase"].clone(), shown["due"].clone())
    };
    eventually("device B applying the rating", || {
        m.b.call("sync_now", Value::Null);
        state(&m.b) == state(&m.a)
    });
    let from = m.listener.mark();
    m.b.call("rate_card", json!({ "card": card, "rating": 4 })).json();
    eventually("A applying B's rating", || {
        m.b.call("sync_now", Value::Null);
        m.a.call("sync_now", Value::Null);
        state(&m.a) == state(&m.b) && state(&m.a).0 != "learning"
    });
    m.listener.wait_for(from, "remote", "\"review\"");

    // A tag renamed, and a tag merged into a new one.
    for (op, old, new) in [("rename_tag", "zqtagold", "zqtagrenamed"), ("merge_tag", "zqtagsource", "zqtagmerged")] {
        let (episode, start, end, _) = m.place();
        ui_call(&m.a, "create_highlight", json!({ "episode_id": episode, "start": start, "end": end, "tags": [old] }));
        m.reaches_every_consumer(None, "user", old);
        let from = m.listener.mark();
        ui_call(&m.a, op, json!({ "from": old, "to": new }));
        m.reaches_every_consumer(Some(from), "user", new);
        assert!(!search_finds(&m.a, old), "{op}: the old tag is gone");
    }

    // The command line while nothing runs: the change is stored and queued,
    // exported as the command closes, and shown and sent once Gloss runs.
    m.a.stop();
    let (episode, _, _, quote) = m.place();
    m.cli_highlight(episode, &quote, "zqclialone");
    assert!(folder_holds(&m.export, "zqclialone"), "the one-shot command exported as it closed");
    m.a = Server::start(&m.library, &m.a_data);
    m.a.settled(4);
    m.listener = Listener::connect(&m.a.url);
    let view = m.a.call("get_episode", json!({ "id": episode })).json().to_string();
    assert!(view.contains("zqclialone"), "a client connecting now sees it");
    m.reaches_every_consumer(None, "user", "zqclialone");
}

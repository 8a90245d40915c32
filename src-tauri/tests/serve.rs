//! `gloss serve` as a service runs it: stopped with SIGTERM while a browser
//! tab keeps its event stream open.

use crate::support::events::Listener;
use crate::support::{folder_holds, Folders, DB_FILE};
use serde_json::json;

#[test]
fn sigterm_ends_event_streams_and_exits_keeping_what_was_written() {
    // Regression (issue 14): axum's graceful shutdown waited for every open
    // connection, so an open tab kept `gloss serve` running for minutes.
    let folders = Folders::new();
    let mut server = folders.serve();
    let id = server.settled(1)[0]["id"].clone();
    let export = folders.root.path().join("export");
    server.call("update_settings", json!({ "auto_export": { "format": "markdown", "out_dir": export } })).json();
    let tab = Listener::connect(&server.url);

    let from = tab.mark();
    let note = "kept through sigterm";
    server.call("create_highlight", json!({ "episode_id": id, "quote": "Ideas compound", "note": note })).json();
    tab.wait_for(from, "user", note);
    let status = server.terminate();
    assert!(status.success(), "{status}: {}", server.stderr());
    tab.wait_ended();

    // Closed cleanly: the last connection checkpointed the WAL and removed it.
    let wal = folders.data().join(format!("{DB_FILE}-wal"));
    assert!(!wal.exists(), "{} is left: the database was not closed", wal.display());
    // The highlight was made moments before the signal: its automatic
    // export was still waiting for the burst of changes to end.
    assert!(folder_holds(&export, note), "the automatic export was not done on exit");
    let again = folders.serve();
    assert_eq!(again.highlights(false)[0]["note"], note);
}

//! `gloss serve` as a service runs it: stopped with SIGTERM while a browser
//! tab keeps its event stream open, and reached from another machine.

use crate::support::events::Listener;
use crate::support::netns::OtherMachine;
use crate::support::{folder_holds, gloss, Folders, Server, DB_FILE};
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

/// The token the server on every address is started with.
const TOKEN: &str = "s3cret-token";

#[test]
fn on_every_address_another_machine_gets_in_with_the_token_and_by_a_name_of_this_machine() {
    // Regression (issue 14): bound to 0.0.0.0, the server accepted only the
    // Host `0.0.0.0:PORT`, so every other machine was refused.
    let other = match OtherMachine::create() {
        Ok(other) => other,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let folders = Folders::new();
    let args = ["serve", "--host", "0.0.0.0", "--port", "0", "--token", TOKEN];
    let server = Server::spawn(gloss(&folders.library(), &folders.data(), &args)).unwrap_or_else(|err| panic!("{err}"));
    assert!(!server.url.contains("0.0.0.0"), "the printed URL opens from another machine: {}", server.url);
    let port = server.url.rsplit_once(':').and_then(|(_, rest)| rest.split('/').next()).expect("a port").to_owned();
    let episodes = format!("http://{}:{port}/api/episodes", other.here);
    let bearer = format!("Authorization: Bearer {TOKEN}");

    let (status, body) = other.curl(&["-H", &bearer, &episodes]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).expect("JSON")["items"].as_array().map(Vec::len),
        Some(1)
    );
    let (status, body) = other.curl(&[&episodes]);
    assert_eq!(status, 403, "without the token: {body}");
    let (status, body) = other.curl(&["-H", &bearer, "-H", &format!("Host: evil.example:{port}"), &episodes]);
    assert_eq!(status, 403, "a foreign name (DNS rebinding): {body}");
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("the host name").trim().to_owned();
    let (status, body) = other.curl(&["-H", &bearer, "-H", &format!("Host: {hostname}.local:{port}"), &episodes]);
    assert_eq!(status, 200, "the machine's name: {body}");

    // A page of this server calling its API: the same names as Origin.
    let call = format!("http://{}:{port}/api/call", other.here);
    let post = |origin: &str| {
        let origin = format!("Origin: {origin}");
        let json = "Content-Type: application/json";
        other.curl(&["-H", &bearer, "-H", json, "-H", &origin, "--data", r#"{"op":"health"}"#, &call])
    };
    assert_eq!(post(&format!("http://{}:{port}", other.here)).0, 200);
    assert_eq!(post(&format!("http://evil.example:{port}")).0, 403);
}

//! The command line as a client: with `gloss serve` running on the data
//! folder, every command goes through it (the local channel) and prints
//! exactly what it prints with nothing running; its writes reach the
//! server's event stream; the channel lets in only its own user with the
//! token. Real processes throughout: the `gloss` binary and `gloss serve`.

use crate::support::{Folders, PATIENCE};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Output};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a run printed and how it ended, with what differs between two
/// roots and two runs (the root, highlight ids, times) made alike.
fn seen(output: &Output, root: &Path, ids: &[String]) -> (Option<i32>, String, String) {
    let clean = |bytes: &[u8]| {
        let mut text = text(bytes).replace(root.to_str().unwrap(), "{root}");
        for id in ids {
            text = text.replace(id.as_str(), "{id}");
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(mut json) => {
                forget_times(&mut json);
                serde_json::to_string_pretty(&json).unwrap()
            }
            Err(_) => text,
        }
    };
    (output.status.code(), clean(&output.stdout), clean(&output.stderr))
}

fn forget_times(json: &mut Value) {
    match json {
        Value::Object(fields) => {
            for (key, value) in fields.iter_mut() {
                if (key.ends_with("_at") || key == "first_seen") && value.is_number() {
                    *value = json!("{time}");
                }
                forget_times(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(forget_times),
        _ => {}
    }
}

/// Every highlight id in a data folder's listing, live or in the trash.
fn highlight_ids(folders: &Folders) -> Vec<String> {
    let listed = folders.json(&["annotations", "--json"]);
    listed.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn every_command_prints_the_same_with_serve_running_as_without() {
    // Two roots with the same library, both scanned once; `gloss serve`
    // runs on the second. The same commands run against both.
    let alone = Folders::new();
    let served = Folders::new();
    for folders in [&alone, &served] {
        folders.ok(&["scan"]);
    }
    let id = alone.json(&["list", "--json"])[0]["id"].to_string();
    assert_eq!(served.json(&["list", "--json"])[0]["id"].to_string(), id, "the same episode id on both");
    let server = served.serve();
    server.settled(1);
    let commands: Vec<Vec<&str>> = vec![
        vec!["scan"],
        vec!["list"],
        vec!["list", "--json"],
        vec![
            "highlight",
            "--episode",
            &id,
            "--quote",
            "400 million downloads",
            "--color",
            "green",
            "--note",
            "big",
            "--tag",
            "ai",
        ],
        vec!["highlight", "--episode", &id, "--quote", "not in the text"],
        vec!["highlight", "--episode", &id, "--quote", "idea"],
        vec!["highlight", "--episode", &id, "--quote", "idea", "--occurrence", "2"],
        vec!["highlight", "--episode", "999", "--quote", "idea"],
        vec!["annotations"],
        vec!["annotations", "--episode", &id, "--json"],
        vec!["search", "downloads"],
        vec!["search", "downloads", "--json"],
        vec!["search", "\"unbalanced -("],
        vec!["export", "--format", "json", "--out", "{root}/export", "--json"],
        vec!["export", "--format", "markdown", "--out", "{root}/export"],
        vec!["export", "--format", "markdown", "--out", "{root}/library/exports"],
        vec!["import", "{root}/export/gloss-backup.json"],
        vec!["import", "{root}/export/gloss-backup.json", "--json"],
        vec!["import", "{root}/nothing-here.json"],
        vec!["sync"],
        vec!["sync", "--dir", "{root}/sync", "--json"],
        vec!["sync"],
    ];
    for args in &commands {
        let (on_its_own, through_serve) = (alone.run(args), served.run(args));
        let ids = [highlight_ids(&alone), highlight_ids(&served)].concat();
        assert_eq!(
            seen(&on_its_own, alone.root.path(), &ids),
            seen(&through_serve, served.root.path(), &ids),
            "gloss {args:?} printed something else through gloss serve"
        );
    }
    // The server did the writes: its own answers show them.
    assert_eq!(server.highlights(false).len(), 2);
    assert!(served.root.path().join("export/gloss-backup.json").is_file());
    assert!(!served.library().join("exports").exists(), "nothing was written into the library folder");
}

#[test]
fn a_highlight_made_on_the_command_line_reaches_the_server_s_event_stream() {
    let folders = Folders::new();
    let server = folders.serve();
    let id = server.settled(1)[0]["id"].to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(PATIENCE)).build().into();
    let stream = agent.get(format!("{}api/events", server.url)).call().expect("the event stream opens");
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let lines = BufReader::new(stream.into_body().into_reader()).lines();
        for line in lines.map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data:") {
                let _ = seen_tx.send(serde_json::from_str::<Value>(data.trim()).unwrap_or(Value::Null));
            }
        }
    });
    let made = folders.json(&["highlight", "--episode", &id, "--quote", "Ideas compound"]);
    let changed = seen_rx
        .iter()
        .find(|event| event["type"] == "annotation_changed")
        .expect("an annotation_changed event before the stream ended");
    assert_eq!(changed["episode_id"].to_string(), id);
    assert_eq!(server.highlights(false)[0]["id"], made["id"]);
}

#[test]
fn commands_that_would_change_the_running_gloss_s_library_are_refused() {
    let folders = Folders::new();
    let server = folders.serve();
    server.settled(1);
    let elsewhere = folders.root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let scan = Command::new(env!("CARGO_BIN_EXE_gloss"))
        .args(["scan", "--data"])
        .arg(folders.data())
        .arg("--library")
        .arg(&elsewhere)
        .output()
        .unwrap();
    let said = text(&scan.stderr);
    assert_eq!(scan.status.code(), Some(1), "{said}");
    assert!(said.contains("keeps") && said.contains("elsewhere"), "{said}");
    let watch = folders.run(&["watch"]);
    let said = text(&watch.stderr);
    assert_eq!(watch.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("pid {}", server.pid())), "watch names the running Gloss: {said}");
    assert_eq!(server.settled(1).len(), 1, "the server's library is as it was");
}

/// One raw request on the channel of the Gloss serving `data`; the answer.
fn ask_socket(data: &Path, request: &Value) -> Value {
    let mut stream = UnixStream::connect(data.join("gloss.sock")).expect("the socket answers");
    stream.write_all(request.to_string().as_bytes()).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    serde_json::from_str(&answer).unwrap_or_else(|err| panic!("not JSON ({err}): {answer}"))
}

#[test]
fn the_channel_needs_the_token_and_keeps_its_files_private() {
    let folders = Folders::new();
    let data = folders.data();
    let _server = folders.serve();
    for file in ["gloss.sock", "gloss.token"] {
        let mode = std::fs::metadata(data.join(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is only its owner's");
    }
    let token = std::fs::read_to_string(data.join("gloss.token")).unwrap();

    let without = ask_socket(&data, &json!({ "op": "health" }));
    assert_eq!(without["error"]["kind"], "forbidden", "{without}");
    assert!(without["error"]["message"].as_str().unwrap().contains("token"), "{without}");
    let wrong = ask_socket(&data, &json!({ "token": format!("{token}x"), "op": "health" }));
    assert_eq!(wrong["error"]["kind"], "forbidden", "{wrong}");
    let not_text = ask_socket(&data, &json!({ "token": 7, "op": "health" }));
    assert_eq!(not_text["error"]["kind"], "forbidden", "{not_text}");
    let right = ask_socket(&data, &json!({ "token": token, "op": "health" }));
    assert_eq!(right["answer"]["ok"], true, "{right}");
    let unknown = ask_socket(&data, &json!({ "token": token, "op": "drop_everything" }));
    assert_eq!(
        (unknown["error"]["kind"].as_str(), unknown["error"]["field"].as_str()),
        (Some("invalid_input"), Some("op"))
    );
    let mut garbage = UnixStream::connect(data.join("gloss.sock")).unwrap();
    garbage.write_all(b"{not json").unwrap();
    garbage.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    garbage.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("invalid_input"), "{answer}");
}

#[test]
fn a_client_that_never_sends_blocks_nobody_else() {
    let folders = Folders::new();
    let server = folders.serve();
    server.settled(1);
    let _hung = UnixStream::connect(folders.data().join("gloss.sock")).unwrap();
    let listed = folders.json(&["list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_stale_socket_falls_back_and_a_clean_exit_removes_the_files() {
    let folders = Folders::new();
    let mut server = folders.serve();
    server.settled(1);
    server.stop(); // SIGKILL: the files stay behind
    assert!(folders.data().join("gloss.sock").exists());
    let listed = folders.json(&["list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "the data folder was opened here instead");

    let mut server = folders.serve(); // replaces the stale pair
    let made = folders.json(&["highlight", "--episode", &listed[0]["id"].to_string(), "--quote", "Ideas compound"]);
    assert_eq!(server.highlights(false)[0]["id"], made["id"], "the highlight went through the new server");
    assert!(server.terminate().success(), "{}", server.stderr());
    assert!(!folders.data().join("gloss.sock").exists() && !folders.data().join("gloss.token").exists());
}

/// User and group `nobody`.
const NOBODY: u32 = 65534;

#[test]
fn another_user_is_refused() {
    use std::os::unix::process::CommandExt;
    if std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).ok() != Some(0) {
        println!("skipped: another user can be tried only when the tests run as root");
        return;
    }
    let folders = Folders::new();
    let server = folders.serve();
    server.settled(1);
    // The binary where nobody can run it.
    let bin_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(bin_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = bin_dir.path().join("gloss");
    std::fs::copy(env!("CARGO_BIN_EXE_gloss"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let as_nobody = || {
        let mut command = Command::new(&bin);
        command.args(["list", "--json", "--data"]).arg(folders.data()).env_remove("GLOSS_LIBRARY");
        command.env("HOME", bin_dir.path()).uid(NOBODY).gid(NOBODY);
        command.output().expect("gloss runs as nobody")
    };

    // As things are: the folder and the socket are not nobody's to open.
    let shut_out = as_nobody();
    let said = text(&shut_out.stderr);
    println!("as nobody, with the files private: {said}");
    assert_eq!(shut_out.status.code(), Some(1), "{said}");
    assert!(said.contains("another user") && !said.contains("panicked"), "{said}");

    // Even with every file opened up, the socket answers only its user.
    for (path, mode) in [
        (folders.root.path().to_owned(), 0o755),
        (folders.data(), 0o755),
        (folders.data().join("gloss.sock"), 0o666),
        (folders.data().join("gloss.token"), 0o644),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let refused = as_nobody();
    let said = text(&refused.stderr);
    println!("as nobody, with the files open: {said}");
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(said.contains("answers only that user") && !said.contains("panicked"), "{said}");
    assert!(refused.stdout.is_empty());
}

//! Export, import and sync over the API: the operations, their path rules,
//! and two servers with their own data and library folders meeting in one
//! sync folder.

use crate::util::{ok, summary, Server};
use serde_json::{json, Value};

#[test]
fn export_then_import_round_trips_and_refuses_unsafe_paths() {
    let server = Server::start(&[("one.txt", &summary("Open Models", "Signal Hours"))]);
    let episode = server.first_episode_id();
    ok(server.call(
        "create_highlight",
        json!({ "episode_id": episode, "quote": "Ideas compound", "note": "n", "tags": ["t"] }),
    ));
    let out = tempfile::tempdir().unwrap();
    for format in ["markdown", "w3c", "csv", "json"] {
        let report = ok(server.call("export", json!({ "format": format, "out_dir": out.path() })));
        assert_eq!(report["highlights"], 1, "{format}: {report}");
    }
    let backup = out.path().join("gloss-backup.json");
    let imported = ok(server.call("import", json!({ "file": backup })));
    assert_eq!(imported["highlights_added"], 0, "importing what is there adds nothing: {imported}");
    assert_eq!(ok(server.call("list_highlights", Value::Null))["total"], 1);

    for bad in ["relative/dir", "/tmp/../etc"] {
        let refused = server.call("export", json!({ "format": "json", "out_dir": bad }));
        assert_eq!((refused.status, refused.json()["error"]["field"].as_str()), (400, Some("args.out_dir")), "{bad}");
    }
    let a_file = server.call("export", json!({ "format": "json", "out_dir": backup }));
    assert_eq!((a_file.status, a_file.json()["error"]["field"].as_str()), (400, Some("args.out_dir")));
    let not_an_export = server.call("import", json!({ "file": server.library.join("one.txt") }));
    assert_eq!((not_an_export.status, not_an_export.json()["error"]["field"].as_str()), (400, Some("args.file")));
    let format = server.call("export", json!({ "format": "pdf", "out_dir": out.path() }));
    assert_eq!(format.json()["error"]["field"], "args.format");
}

#[test]
fn the_sync_folder_is_a_setting_and_its_status_is_reported() {
    let server = Server::start(&[("one.txt", &summary("Open Models", "Signal Hours"))]);
    assert_eq!(ok(server.call("sync_status", Value::Null))["enabled"], false);
    assert_eq!(server.call("sync_now", Value::Null).error_kind(), "conflict", "sync is off");
    let folder = tempfile::tempdir().unwrap();
    let settings = ok(server.call("update_settings", json!({ "sync_dir": folder.path() })));
    assert!(settings["sync_dir"].is_string());
    ok(server.call("sync_now", Value::Null));
    let status = ok(server.call("sync_status", Value::Null));
    assert_eq!((status["enabled"].as_bool(), status["pending"].as_u64()), (Some(true), Some(0)));
    let missing = server.call("update_settings", json!({ "sync_dir": "/nonexistent/gloss-sync" }));
    assert_eq!((missing.status, missing.json()["error"]["field"].as_str()), (400, Some("args.sync_dir")));
    assert!(ok(server.call("update_settings", json!({ "sync_dir": null })))["sync_dir"].is_null());
    assert_eq!(ok(server.call("sync_status", Value::Null))["enabled"], false);
}

#[test]
fn two_devices_meet_in_one_sync_folder() {
    let folder = tempfile::tempdir().unwrap();
    let text = summary("Open Models", "Signal Hours");
    let a = Server::start(&[("open-models.txt", &text)]);
    let b = Server::start(&[("Signal Hours/2026 open models.txt", &text.replace('\n', "\r\n"))]);
    for server in [&a, &b] {
        ok(server.call("update_settings", json!({ "sync_dir": folder.path() })));
    }
    let (on_a, on_b) = (a.first_episode_id(), b.first_episode_id());
    let made =
        ok(a.call("create_highlight", json!({ "episode_id": on_a, "quote": "Ideas compound", "tags": ["shared"] })));
    let id = made["id"].as_str().unwrap().to_owned();
    let highlights_on = |s: &Server, e: i64| s.call("get_episode", json!({ "id": e })).json()["highlights"].clone();
    b.wait_until(|b| highlights_on(b, on_b)[0]["id"] == id.as_str());
    assert_eq!(highlights_on(&b, on_b)[0]["tags"], json!(["shared"]));

    // Both edit the note at once: one value wins on both, the other is kept.
    ok(a.call("update_highlight", json!({ "id": id, "note": "from A" })));
    ok(b.call("update_highlight", json!({ "id": id, "note": "from B" })));
    let note = |s: &Server, e: i64| highlights_on(s, e)[0]["note"].as_str().map(str::to_owned);
    a.wait_until(|a| {
        let (on_a_now, on_b_now) = (note(a, on_a), note(&b, on_b));
        on_a_now == on_b_now && on_a_now.is_some()
    });
    let versions = ok(a.call("note_versions", json!({ "on": "highlight", "id": id })));
    let kept = versions.to_string();
    assert!(kept.contains("from A") || kept.contains("from B"), "the losing edit is kept: {versions}");

    ok(b.call("delete_highlight", json!({ "id": id })));
    a.wait_until(|a| highlights_on(a, on_a) == json!([]));
}

#[test]
fn automatic_export_follows_every_change() {
    let server = Server::start(&[("one.txt", &summary("Open Models", "Signal Hours"))]);
    let vault = tempfile::tempdir().unwrap();
    let target = json!({ "format": "markdown", "out_dir": vault.path() });
    let settings = ok(server.call("update_settings", json!({ "auto_export": target })));
    assert_eq!(settings["auto_export"]["format"], "markdown");
    let episode = server.first_episode_id();
    ok(server
        .call("create_highlight", json!({ "episode_id": episode, "quote": "Ideas compound", "note": "in the vault" })));
    let markdown = || -> String {
        std::fs::read_dir(vault.path())
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect()
    };
    server.wait_until(|_| markdown().contains("in the vault"));

    // A note edited in the vault comes back by itself, with no change in Gloss to start an export.
    let file = std::fs::read_dir(vault.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("in the vault", "rewritten in Obsidian")).unwrap();
    server.wait_until(|s| {
        let highlights = ok(s.call("list_highlights", Value::Null));
        highlights["items"][0]["note"] == "rewritten in Obsidian"
    });

    let relative = server.call("update_settings", json!({ "auto_export": { "format": "csv", "out_dir": "vault" } }));
    assert_eq!((relative.status, relative.json()["error"]["field"].as_str()), (400, Some("args.auto_export.out_dir")));
    assert!(ok(server.call("update_settings", json!({ "auto_export": null })))["auto_export"].is_null());
}

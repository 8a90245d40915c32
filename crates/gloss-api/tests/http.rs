//! The HTTP API against a real server on an ephemeral loopback port: every
//! operation, the error shapes, the security rules, and live events.

use crate::util::{summary, Server};
use gloss_api::{Api, ErrorKind, Request};
use gloss_core::events::{Caller, Door};
use gloss_core::OpenOptions;
use serde_json::{json, Value};

fn library() -> Server {
    Server::start(&[
        ("one.txt", &summary("Open Models", "Signal Hours")),
        ("two.txt", &summary("Chip Supply", "Wafer Talk")),
    ])
}

#[test]
fn health_answers_on_rest_and_call() {
    let server = library();
    let rest = server.get("/api/health");
    assert_eq!(rest.status, 200);
    assert_eq!(rest.json()["ok"], true);
    assert_eq!(server.call("health", Value::Null).json()["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn episodes_are_listed_filtered_and_fetched() {
    let server = library();
    let page = server.get("/api/episodes?limit=1").json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["shows"].as_array().map(Vec::len), Some(2));
    let filtered = server.call("list_episodes", json!({ "show": "Wafer Talk" })).json();
    assert_eq!(filtered["items"][0]["title"], "Chip Supply");

    let id = server.first_episode_id();
    let episode = server.get(&format!("/api/episodes/{id}")).json();
    assert_eq!(episode["id"], id);
    assert_eq!(episode["hosts"], json!(["Ada Host", "Ben Host"]));
    assert_eq!(episode["sections"][0]["emoji"], "🧠");
    let blocks = episode["blocks"].as_array().expect("blocks");
    assert!(blocks.iter().any(|b| b["key"] == "s1.i1.body"));
}

#[test]
fn search_finds_words_and_survives_fts_syntax() {
    let server = library();
    let hits = server.get("/api/search?q=downloads").json();
    assert_eq!((hits["total"].as_u64(), hits["hits"].as_array().map(Vec::len)), (Some(2), Some(2)));
    let odd = server.call("search", json!({ "query": "\"unbalanced -(" }));
    assert_eq!(odd.status, 200, "FTS syntax is answered as words, never as an error");
}

#[test]
fn library_status_and_settings() {
    let server = library();
    let status = server.call("library_status", Value::Null).json();
    assert_eq!(status["counts"]["active"], 2);
    let updated = server.call("update_settings", json!({ "theme": "dark", "text_size": 20 })).json();
    assert_eq!(updated["theme"], "dark");
    assert_eq!(server.call("get_settings", Value::Null).json()["text_size"], 20);
    let bad = server.call("update_settings", json!({ "theme": "purple" }));
    assert_eq!((bad.status, bad.error_kind()), (400, "invalid_input".into()));
}

#[test]
fn the_library_is_sorted_as_asked_and_the_order_is_kept_as_a_setting() {
    let server = library();
    let titles = |sort: &str| -> Vec<String> {
        let page = server.call("list_episodes", json!({ "sort": sort })).json();
        page["items"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(titles("title"), ["Chip Supply", "Open Models"]);
    assert_eq!(titles("show"), ["Open Models", "Chip Supply"], "Signal Hours before Wafer Talk");
    let open = server.call("list_episodes", json!({ "sort": "title" })).json()["items"][1]["id"].clone();
    server.call("create_highlight", json!({ "episode_id": open, "quote": "400 million downloads" }));
    assert_eq!(titles("most_highlighted"), ["Open Models", "Chip Supply"]);
    server.call("set_reading_state", json!({ "episode_id": open, "position": 0 }));
    assert_eq!(titles("last_read")[0], "Open Models");

    assert_eq!(server.call("get_settings", Value::Null).json()["library_sort"], "added");
    server.call("update_settings", json!({ "library_sort": "title" }));
    assert_eq!(server.call("get_settings", Value::Null).json()["library_sort"], "title");
    let bad = server.call("list_episodes", json!({ "sort": "random" }));
    assert_eq!((bad.status, bad.error_kind()), (400, "invalid_input".into()));
}

#[test]
fn errors_are_typed_json_naming_the_field() {
    let server = library();
    let missing = server.get("/api/episodes/99999");
    assert_eq!((missing.status, missing.error_kind()), (404, "not_found".into()));
    assert!(missing.json()["error"]["message"].as_str().unwrap_or("").contains("99999"));

    let malformed = server.request("POST", "/api/call", &[("Content-Type", "application/json")], b"{\"op\": ");
    assert_eq!((malformed.status, malformed.error_kind()), (400, "invalid_input".into()));

    let unknown_op = server.call("drop_tables", Value::Null);
    assert_eq!(unknown_op.status, 400);
    assert_eq!(unknown_op.json()["error"]["field"], "op");

    let wrong_type = server.call("get_episode", json!({ "id": "seven" }));
    assert_eq!(wrong_type.json()["error"]["field"], "args.id");

    let unknown_field = server.call("list_episodes", json!({ "order": "title" }));
    assert_eq!(unknown_field.status, 400);

    let huge = server.call("get_episode", json!({ "id": 1e300 }));
    assert_eq!(huge.status, 400);

    let no_route = server.get("/api/nothing-here");
    assert_eq!((no_route.status, no_route.error_kind()), (404, "not_found".into()));
}

#[test]
fn foreign_host_and_origin_are_refused() {
    let server = library();
    let rebinding = server.request("GET", "/api/health", &[("Host", "attacker.example:80")], b"");
    assert_eq!((rebinding.status, rebinding.error_kind()), (403, "forbidden".into()));
    let localhost =
        server.request("GET", "/api/health", &[("Host", &format!("localhost:{}", server.addr.port()))], b"");
    assert_eq!(localhost.status, 200);

    let body = br#"{"op":"update_settings","args":{"theme":"dark"}}"#;
    let cross_site = server.request(
        "POST",
        "/api/call",
        &[("Content-Type", "application/json"), ("Origin", "http://attacker.example")],
        body,
    );
    assert_eq!(cross_site.status, 403);
    let form = server.request("POST", "/api/call", &[("Content-Type", "text/plain")], body);
    assert_eq!(form.status, 403, "a simple cross-site form post is refused");
    assert_eq!(server.call("get_settings", Value::Null).json()["theme"], "system", "nothing changed");
}

#[test]
fn oversized_bodies_are_refused() {
    let server = library();
    let big = vec![b' '; 2 * 1024 * 1024];
    let response = server.request("POST", "/api/call", &[("Content-Type", "application/json")], &big);
    assert_eq!((response.status, response.error_kind()), (413, "too_large".into()));
}

#[test]
fn a_token_server_refuses_requests_without_it() {
    let server = Server::start_with_token(&[("one.txt", &summary("Open Models", "Signal Hours"))], Some("s3cret"));
    let anonymous = server.request("GET", "/api/health", &[], b"");
    assert_eq!((anonymous.status, anonymous.error_kind()), (403, "forbidden".into()));
    assert_eq!(server.get("/api/health").status, 200, "bearer token accepted");
    let page = server.request("GET", "/?token=s3cret", &[], b"");
    assert_eq!(page.status, 200);
    let cookie = page.header("set-cookie").expect("the page sets the token cookie");
    assert!(cookie.contains("HttpOnly"));
    let with_cookie = server.request("GET", "/api/health", &[("Cookie", "gloss_token=s3cret")], b"");
    assert_eq!(with_cookie.status, 200);
}

#[test]
fn the_ui_is_served_with_a_strict_policy_and_no_traversal() {
    let server = library();
    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert!(index.header("content-type").unwrap_or("").starts_with("text/html"));
    assert!(index.header("content-security-policy").unwrap_or("").contains("script-src 'self'"));
    let module = server.get("/js/transport.js");
    assert!(module.header("content-type").unwrap_or("").contains("javascript"));
    assert_eq!(server.get("/../Cargo.toml").status, 404);
    assert_eq!(server.get("/%2e%2e/Cargo.toml").status, 404);
}

#[test]
fn events_stream_an_ingested_file() {
    let server = library();
    let mut events = server.events();
    server.write_file("three.txt", &summary("Grid Batteries", "Volts"));
    let added =
        events.find(|event| event["type"] == "episode_added").expect("an episode_added event before the stream ends");
    assert_eq!(added["episode"]["title"], "Grid Batteries");
}

#[test]
fn related_episodes_link_to_the_ones_in_the_library() {
    let related = "More from Signal Hours\nView all\nChip Supply | Signal Hours\nFactories set the pace.\n\
                   Not Here Yet | Signal Hours\nAn episode nobody has.\n";
    let server = Server::start(&[
        ("open.txt", &format!("{}{related}", summary("Open Models", "Signal Hours"))),
        ("chips.txt", &summary("Chip Supply", "Signal Hours")),
    ]);
    let episodes = server.call("list_episodes", Value::Null).json();
    let id_of = |title: &str| {
        episodes["items"].as_array().unwrap().iter().find(|e| e["title"] == title).map(|e| e["id"].clone()).unwrap()
    };
    let open = server.call("get_episode", json!({ "id": id_of("Open Models") })).json();
    let links: Vec<_> = open["related"].as_array().unwrap().iter().map(|r| r["episode_id"].clone()).collect();
    assert_eq!(links, [id_of("Chip Supply"), Value::Null], "{}", open["related"]);
}

#[test]
fn a_closed_api_stops_queries_and_still_makes_changes() {
    // What `gloss serve` does on SIGTERM: nobody waits for a query's answer
    // any more, but what a user asked to change is kept.
    let root = tempfile::tempdir().unwrap();
    let library = root.path().join("library");
    std::fs::create_dir_all(&library).unwrap();
    std::fs::write(library.join("one.txt"), summary("Open Models", "Signal Hours")).unwrap();
    let options = OpenOptions { data_dir: Some(root.path().join("data")), library_dir: Some(library), watch: false };
    let api = Api::open(options).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let call = |request: Value| {
        let request = Request::from_value(request).unwrap();
        runtime.block_on(api.call(request, Caller::door(Door::Http))).map(|answer| answer.get().to_owned())
    };
    call(json!({ "op": "scan_library" })).unwrap();
    let listed: Value = serde_json::from_str(&call(json!({ "op": "list_episodes" })).unwrap()).unwrap();
    let id = listed["items"][0]["id"].clone();

    api.close();
    let stopped = call(json!({ "op": "list_episodes" })).unwrap_err();
    assert_eq!(stopped.kind, ErrorKind::Storage);
    assert!(stopped.message.contains("Gloss is closing"), "{}", stopped.message);
    call(json!({ "op": "set_episode_note", "args": { "episode_id": id, "text": "kept" } })).unwrap();
}

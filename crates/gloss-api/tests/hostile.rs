//! Hostile requests against a real server on an ephemeral loopback port:
//! malformed JSON, wrong types, numbers past every integer type, strings
//! just under the body limit, unknown fields and operations, nesting
//! bombs, invalid UTF-8, wrong content types, foreign Host and Origin.
//! Each gets a 4xx with a JSON error body (naming the field when there is
//! one), the answer stays small, and the library is unchanged afterwards.

use crate::util::{summary, Response, Server};
use serde_json::{json, Value};

/// Less than the 1 MiB body limit once wrapped in a request.
const NEAR_LIMIT: usize = 1024 * 1024 - 200;

/// No error answer echoes a huge input back.
const MAX_ERROR_BODY: usize = 4096;

fn library() -> Server {
    Server::start(&[
        ("one.txt", &summary("Open Models", "Signal Hours")),
        ("two.txt", &summary("Chip Supply", "Wafer Talk")),
    ])
}

/// What must not change: the episodes and the settings.
fn state(server: &Server) -> (Value, Value) {
    let episodes = server.call("list_episodes", Value::Null);
    let settings = server.call("get_settings", Value::Null);
    assert_eq!((episodes.status, settings.status), (200, 200));
    (episodes.json(), settings.json())
}

/// `POST /api/call` with these exact body bytes, as JSON.
fn post(server: &Server, body: &[u8]) -> Response {
    server.request("POST", "/api/call", &[("Content-Type", "application/json")], body)
}

/// Checks a refusal: the status, a JSON error of `kind`, the field when
/// one is expected, and a small body.
fn assert_refused(what: &str, response: &Response, status: u16, kind: &str, field: Option<&str>) {
    assert_eq!(response.status, status, "{what}: {}", String::from_utf8_lossy(&response.body));
    assert!(response.body.len() <= MAX_ERROR_BODY, "{what}: a {}-byte error body", response.body.len());
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{what}: answered as {content_type}");
    let error = &response.json()["error"];
    assert_eq!(error["kind"], kind, "{what}: {error}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: no message");
    if let Some(field) = field {
        assert_eq!(error["field"], field, "{what}: {error}");
    }
}

/// Every file and folder under `dir`.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_in(&path));
        }
        found.push(path);
    }
    found.sort();
    found
}

fn deep(open: &str, close: &str, depth: usize) -> Vec<u8> {
    format!("{}{}", open.repeat(depth), close.repeat(depth)).into_bytes()
}

#[test]
fn malformed_bodies_are_refused_as_invalid_input() {
    let server = library();
    let before = state(&server);
    let bodies: &[(&str, &[u8])] = &[
        ("cut short", b"{\"op\": "),
        ("unquoted key", b"{op: \"health\"}"),
        ("single quotes", b"{'op': 'health'}"),
        ("trailing comma", b"{\"op\": \"health\",}"),
        ("trailing garbage", b"{\"op\": \"health\"} {\"op\": \"health\"}"),
        ("a comment", b"{\"op\": \"health\" /* hi */}"),
        ("NaN", b"{\"op\": \"search\", \"args\": {\"query\": \"x\", \"limit\": NaN}}"),
        ("1e400", b"{\"op\": \"get_episode\", \"args\": {\"id\": 1e400}}"),
        ("a raw control character", b"{\"op\": \"search\", \"args\": {\"query\": \"a\x01b\"}}"),
        ("a lone surrogate escape", b"{\"op\": \"search\", \"args\": {\"query\": \"\\ud800\"}}"),
        ("invalid UTF-8", b"{\"op\": \"search\", \"args\": {\"query\": \"\xff\xfe\xc0\xaf\"}}"),
        ("a UTF-16 body", b"\xff\xfe{\x00\"\x00o\x00p\x00\"\x00}\x00"),
        ("NUL bytes", b"\x00\x00\x00\x00"),
        ("arrays 100,000 deep", &deep("[", "]", 100_000)),
        ("objects 100,000 deep", &deep("{\"a\":", "}", 100_000)),
        ("args 100,000 deep", &[&b"{\"op\":\"search\",\"args\":"[..], &deep("[", "]", 100_000), b"}"].concat()),
    ];
    for (what, body) in bodies {
        assert_refused(what, &post(&server, body), 400, "invalid_input", Some("body"));
    }
    for (what, body) in [("an array", "[]"), ("a string", "\"health\""), ("a number", "7"), ("null", "null")] {
        assert_refused(what, &post(&server, body.as_bytes()), 400, "invalid_input", Some("body"));
    }
    assert_eq!(state(&server), before);
}

#[test]
fn wrong_types_and_numbers_past_every_integer_type_name_the_field() {
    let server = library();
    let before = state(&server);
    let cases = [
        (json!({ "op": 1 }), "op"),
        (json!({ "op": null }), "op"),
        (json!({ "op": ["health"] }), "op"),
        (json!({ "op": "get_episode", "args": { "id": "1" } }), "args.id"),
        (json!({ "op": "get_episode", "args": { "id": 1.5 } }), "args.id"),
        (json!({ "op": "get_episode", "args": { "id": 9_223_372_036_854_775_808u64 } }), "args.id"),
        (json!({ "op": "get_episode", "args": { "id": 1e300 } }), "args.id"),
        (json!({ "op": "get_episode", "args": {} }), "args"),
        (json!({ "op": "search", "args": { "query": 5 } }), "args.query"),
        (json!({ "op": "search", "args": { "query": ["a"] } }), "args.query"),
        (json!({ "op": "search", "args": { "query": "x", "limit": -1 } }), "args.limit"),
        (json!({ "op": "search", "args": { "query": "x", "limit": 1e30 } }), "args.limit"),
        (json!({ "op": "list_episodes", "args": { "offset": -5 } }), "args.offset"),
        (json!({ "op": "list_episodes", "args": { "status": "deleted" } }), "args.status"),
        (json!({ "op": "list_episodes", "args": { "show": { "$ne": null } } }), "args.show"),
        (json!({ "op": "update_settings", "args": { "text_size": "big" } }), "args.text_size"),
        (json!({ "op": "update_settings", "args": { "text_size": 4_294_967_296u64 } }), "args.text_size"),
        (json!({ "op": "update_settings", "args": { "theme": "purple" } }), "args.theme"),
        (json!({ "op": "update_settings", "args": { "color_names": { "yellow": 5 } } }), "args.color_names.yellow"),
        (json!({ "op": "update_settings", "args": { "color_names": ["yellow"] } }), "args.color_names"),
        (json!({ "op": "update_settings", "args": "dark" }), "args"),
        (json!({ "op": "health", "args": [] }), "args"),
    ];
    for (request, field) in cases {
        assert_refused(
            &request.to_string(),
            &server.post_json("/api/call", &request),
            400,
            "invalid_input",
            Some(field),
        );
    }
    // A library folder that is missing or a file is the request's fault.
    let file = server.library.join("one.txt");
    for folder in [Value::from("/no/such/folder"), Value::from(file.to_string_lossy().as_ref())] {
        let request = json!({ "op": "update_settings", "args": { "library_dir": folder } });
        assert_refused(
            &request.to_string(),
            &server.post_json("/api/call", &request),
            400,
            "invalid_input",
            Some("args.library_dir"),
        );
    }
    // In range but absent: not found, not a crash.
    for id in [i64::MAX, i64::MIN, 0, -1] {
        let response = server.call("get_episode", json!({ "id": id }));
        assert_refused(&format!("id {id}"), &response, 404, "not_found", None);
    }
    assert_eq!(state(&server), before);
}

#[test]
fn unknown_fields_and_operations_are_refused_by_name() {
    let server = library();
    let before = state(&server);
    let cases = [
        (json!({ "op": "health", "extra": 1 }), "extra"),
        (json!({ "op": "search", "args": { "query": "x", "sort": "title" } }), "args.sort"),
        (json!({ "op": "list_episodes", "args": { "__proto__": { "admin": true } } }), "args.__proto__"),
        (json!({ "op": "update_settings", "args": { "theme": "dark", "data_dir": "/" } }), "args.data_dir"),
        (json!({ "op": "drop_tables" }), "op"),
        (json!({ "op": "" }), "op"),
        (json!({ "op": "Health" }), "op"),
        (json!({ "op": "health\u{0}" }), "op"),
        (json!({ "args": {} }), "op"),
        (json!({}), "op"),
    ];
    for (request, field) in cases {
        assert_refused(
            &request.to_string(),
            &server.post_json("/api/call", &request),
            400,
            "invalid_input",
            Some(field),
        );
    }
    assert_eq!(state(&server), before);
}

#[test]
fn strings_just_under_the_body_limit_are_answered_briefly() {
    let server = library();
    let before = state(&server);
    let long = "a".repeat(NEAR_LIMIT);
    let refused = [
        (json!({ "op": &long }), "op"),
        (json!({ "op": "update_settings", "args": { "theme": &long } }), "args.theme"),
        (json!({ "op": "update_settings", "args": { "library_dir": &long } }), "args.library_dir"),
        (json!({ "op": "list_episodes", "args": { "status": &long } }), "args.status"),
    ];
    for (request, field) in refused {
        let what = format!("a {}-character {field}", long.len());
        assert_refused(&what, &server.post_json("/api/call", &request), 400, "invalid_input", Some(field));
    }
    let mut unknown = serde_json::Map::new();
    unknown.insert("op".into(), json!("health"));
    unknown.insert(long.clone(), json!(1));
    let response = server.post_json("/api/call", &Value::Object(unknown));
    assert_refused("a long unknown field", &response, 400, "invalid_input", None);

    // Valid requests with long strings are answered, not refused.
    let words = "word ".repeat(NEAR_LIMIT / 5);
    for query in [&long, &words] {
        let response = server.call("search", json!({ "query": query }));
        assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    }
    let response = server.call("list_episodes", json!({ "show": &long }));
    assert_eq!((response.status, response.json()["items"].as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(state(&server), before);
}

#[test]
fn wrong_content_types_and_methods_are_refused() {
    let server = library();
    let before = state(&server);
    let body = br#"{"op":"update_settings","args":{"theme":"dark"}}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json-patch+json"),
        Some("text/json"),
        Some(""),
    ] {
        let headers: Vec<(&str, &str)> = content_type.iter().map(|ct| ("Content-Type", *ct)).collect();
        let response = server.request("POST", "/api/call", &headers, body);
        assert_refused(&format!("Content-Type {content_type:?}"), &response, 403, "forbidden", None);
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        let response = server.request(method, "/api/call", &[("Content-Type", "application/json")], body);
        assert_refused(&format!("{method} /api/call"), &response, 405, "method_not_allowed", None);
    }
    let response = server.request("GET", "/api/call", &[], b"");
    assert_refused("GET /api/call", &response, 405, "method_not_allowed", None);
    assert_eq!(state(&server), before);
}

#[test]
fn foreign_hosts_and_origins_are_refused() {
    let server = library();
    let before = state(&server);
    let port = server.addr.port();
    let body = br#"{"op":"update_settings","args":{"theme":"dark"}}"#;
    let wrong_port = format!("127.0.0.1:{}", port.wrapping_add(1));
    for host in [
        "attacker.example",
        "attacker.example:80",
        "",
        "localhost",
        wrong_port.as_str(),
        "127.0.0.1.nip.io",
        "[::ffff:127.0.0.1]",
    ] {
        for (method, path, payload) in [("GET", "/api/health", &b""[..]), ("POST", "/api/call", &body[..])] {
            let headers = [("Host", host), ("Content-Type", "application/json")];
            let response = server.request(method, path, &headers, payload);
            assert_refused(&format!("{method} with Host {host:?}"), &response, 403, "forbidden", None);
        }
    }
    let own = format!("http://127.0.0.1:{port}");
    let https = format!("https://127.0.0.1:{port}");
    let lookalike = format!("http://127.0.0.1:{port}.attacker.example");
    for origin in ["http://attacker.example", "null", "file://", https.as_str(), lookalike.as_str(), "http://localhost"]
    {
        let headers = [("Content-Type", "application/json"), ("Origin", origin)];
        let response = server.request("POST", "/api/call", &headers, body);
        assert_refused(&format!("Origin {origin:?}"), &response, 403, "forbidden", None);
    }
    // The server's own origin is still let in.
    let headers = [("Content-Type", "application/json"), ("Origin", own.as_str())];
    assert_eq!(server.request("POST", "/api/call", &headers, br#"{"op":"health"}"#).status, 200);
    assert_eq!(state(&server), before);
}

#[test]
fn hostile_rest_queries_are_refused_by_field() {
    let server = library();
    let before = state(&server);
    for (path, field) in [
        ("/api/episodes?limit=-1", "args.limit"),
        ("/api/episodes?offset=99999999999999999999999", "args.offset"),
        ("/api/episodes?status=%3Cscript%3E", "args.status"),
        ("/api/episodes?unknown=1", "args.unknown"),
        ("/api/episodes/abc", "args.id"),
        ("/api/episodes/99999999999999999999", "args.id"),
        ("/api/episodes/1.5", "args.id"),
        ("/api/search?q=x&limit=lots", "args.limit"),
    ] {
        assert_refused(path, &server.get(path), 400, "invalid_input", Some(field));
    }
    for path in
        ["/api/search?q=%FF%FE", "/api/search?q=%00", "/api/search?q=%22unbalanced%20(", "/api/episodes?show=%00"]
    {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}: {}", String::from_utf8_lossy(&response.body));
    }
    let missing = server.get("/api/../../etc/passwd");
    assert!(matches!(missing.status, 400 | 404), "{}", missing.status);
    assert_eq!(state(&server), before);
}

#[test]
fn export_and_import_paths_that_climb_or_point_into_glosss_own_folders_are_refused() {
    let server = library();
    let before = state(&server);
    let (library_files, data_files) = (files_in(&server.library), files_in(&server.data));
    let library = server.library.to_string_lossy().into_owned();
    let data = server.data.to_string_lossy().into_owned();
    let out_dirs = [
        "relative/out".to_owned(),
        "../../etc".to_owned(),
        "/tmp/../etc".to_owned(),
        format!("{library}/exports"),
        format!("{library}/./new/../deeper"),
        library.clone(),
        format!("{data}/export"),
        "/tmp/a\u{0}b".to_owned(),
    ];
    for out_dir in &out_dirs {
        for format in ["markdown", "json"] {
            let refused = server.call("export", json!({ "format": format, "out_dir": out_dir }));
            assert_refused(&format!("export to {out_dir:?}"), &refused, 400, "invalid_input", Some("args.out_dir"));
        }
        let auto = json!({ "auto_export": { "format": "markdown", "out_dir": out_dir } });
        let refused = server.call("update_settings", auto);
        assert_eq!(refused.status, 400, "auto export to {out_dir}: {}", String::from_utf8_lossy(&refused.body));
    }
    for file in ["relative.json", "/tmp/../etc/passwd", "../../../../etc/shadow"] {
        assert_refused(
            &format!("import {file}"),
            &server.call("import", json!({ "file": file })),
            400,
            "invalid_input",
            Some("args.file"),
        );
    }
    assert_eq!(files_in(&server.library), library_files, "nothing was written in the library folder");
    assert_eq!(files_in(&server.data).len(), data_files.len(), "nothing was added to the data folder");
    assert_eq!(state(&server), before);
}

#[test]
fn the_server_keeps_answering_after_every_kind_of_abuse() {
    let server = library();
    let before = state(&server);
    // A body over the limit, a truncated request line, garbage instead of HTTP.
    let big = vec![b'['; 2 * 1024 * 1024];
    assert_refused("2 MiB of brackets", &post(&server, &big), 413, "too_large", None);
    for raw in [&b"GARBAGE\r\n\r\n"[..], b"GET / HTTP/9.9\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"] {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
        let _ = stream.write_all(raw);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
    assert_eq!(server.get("/api/health").json()["ok"], true);
    assert_eq!(state(&server), before);
}

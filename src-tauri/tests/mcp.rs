//! `gloss mcp` as an assistant runs it: the real binary on a temp library
//! and data folder, spoken to over stdin and stdout by a scripted MCP
//! client (gloss_testkit::mcp). With Gloss closed it opens the data folder
//! itself; with `gloss serve` running it goes through it, and its changes
//! reach that server's windows as made through the MCP door. Writes are
//! offered only with `--allow-write`.

use crate::support::events::Listener;
use crate::support::{gloss, Folders, Server, PATIENCE};
use gloss_testkit::mcp::{text, Session, PROTOCOL_VERSION};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const READ_TOOLS: [&str; 5] = ["search", "get_episode", "list_highlights", "list_notes", "due_review_cards"];
const WRITE_TOOLS: [&str; 2] = ["create_highlight", "add_note"];

fn start(folders: &Folders, flags: &[&str]) -> Session {
    Session::start(folders.command(&[&["mcp"], flags].concat()))
}

/// The answer of a successful tool call; its text and its structured
/// content are the same JSON.
fn answer(result: Value) -> Value {
    assert_eq!(result["isError"], false, "the call failed: {result}");
    let said: Value = serde_json::from_str(text(&result)).expect("the text is the answer's JSON");
    assert_eq!(result["structuredContent"], said, "structured content and text differ");
    said
}

/// The message of a tool call that failed as a tool error (not a protocol
/// error), with the API's error as structured content.
fn refused(result: &Value) -> String {
    assert_eq!(result["isError"], true, "the call should have failed: {result}");
    assert!(result["structuredContent"]["error"]["kind"].is_string(), "{result}");
    text(result).to_owned()
}

/// Ends the session and checks it kept stdout for the protocol and never panicked.
fn close(session: Session) {
    let stray = session.stray_lines();
    let said = session.stderr();
    let status = session.close();
    assert!(status.success(), "gloss mcp ended with {status}: {said}");
    assert!(stray.is_empty(), "stdout carried more than protocol messages: {stray:?}");
    assert!(!said.contains("panicked"), "{said}");
}

/// The one episode of a scanned [`Folders`] library, and its id.
fn scanned(folders: &Folders) -> i64 {
    folders.ok(&["scan"]);
    folders.json(&["list", "--json"])[0]["id"].as_i64().expect("an episode id")
}

#[test]
fn every_read_tool_answers_from_the_library_with_gloss_closed() {
    let folders = Folders::new();
    let id = scanned(&folders);
    let made = folders.json(&[
        "highlight",
        "--episode",
        &id.to_string(),
        "--quote",
        "400 million downloads",
        "--color",
        "green",
        "--note",
        "big",
    ]);
    let mut mcp = start(&folders, &[]);
    assert_eq!(mcp.initialized["protocolVersion"], PROTOCOL_VERSION);
    assert_eq!(mcp.initialized["serverInfo"]["name"], "gloss");
    assert!(mcp.initialized["capabilities"]["tools"].is_object(), "{}", mcp.initialized);

    let (names, tools) = mcp.tools();
    assert_eq!(names, READ_TOOLS, "read-only: the write tools are not listed");
    for tool in &tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
    }

    let found = answer(mcp.call_tool("search", json!({ "query": "downloads" })));
    assert_eq!(found["hits"][0]["title"], "Open Models", "{found}");
    let kinds: Vec<&str> = found["hits"].as_array().unwrap().iter().filter_map(|h| h["kind"].as_str()).collect();
    assert_eq!(kinds, ["episode", "highlight"], "{found}");
    let second = answer(mcp.call_tool("search", json!({ "query": "downloads", "limit": 1, "offset": 1 })));
    assert_eq!(second["hits"][0]["highlight_id"], made["id"], "{second}");

    let episode = answer(mcp.call_tool("get_episode", json!({ "id": id })));
    assert_eq!(episode["title"], "Open Models");
    assert_eq!(episode["sections"][0]["insights"][1]["title"], "Second idea");
    assert_eq!(episode["highlights"][0]["note"], "big");

    let green = answer(mcp.call_tool("list_highlights", json!({ "episode_id": id, "color": "green" })));
    assert_eq!((green["total"].as_u64(), &green["items"][0]["id"]), (Some(1), &made["id"]), "{green}");
    for (filter, value) in [("color", "blue"), ("status", "orphaned")] {
        let none = answer(mcp.call_tool("list_highlights", json!({ filter: value })));
        assert_eq!(none["total"], 0, "{filter} {value}: {none}");
    }
    let notes = answer(mcp.call_tool("list_notes", json!({ "text": "big" })));
    assert_eq!((notes["total"].as_u64(), notes["items"][0]["kind"].as_str()), (Some(1), Some("highlight")));
    let due = answer(mcp.call_tool("due_review_cards", json!({})));
    assert_eq!(due["cards"][0]["card"], format!("highlight/{}", made["id"].as_str().unwrap()), "{due}");
    assert_eq!(due["new"], 1);

    // The API's refusals come back as tool errors, with its message.
    let missing = mcp.call_tool("get_episode", json!({ "id": 999 }));
    assert!(refused(&missing).contains("no episode with id 999"), "{missing}");
    assert_eq!(missing["structuredContent"]["error"]["kind"], "not_found");
    assert!(refused(&mcp.call_tool("get_episode", json!({ "id": "seven" }))).starts_with("id: "));
    assert!(refused(&mcp.call_tool("search", json!({}))).contains("query"));
    assert!(refused(&mcp.call_tool("list_highlights", json!({ "colour": "green" }))).contains("colour"));

    // Writes are refused, saying how to allow them, and change nothing.
    for (tool, args) in [
        ("create_highlight", json!({ "episode_id": id, "quote": "Ideas compound" })),
        ("add_note", json!({ "episode_id": id, "text": "mine" })),
    ] {
        let said = refused(&mcp.call_tool(tool, args));
        assert!(said.contains("--allow-write"), "{tool}: {said}");
    }
    assert_eq!(answer(mcp.call_tool("list_highlights", json!({})))["total"], 1);
    assert!(answer(mcp.call_tool("get_episode", json!({ "id": id })))["note"].as_str().unwrap().is_empty());

    // Bad input never ends the session.
    let unknown = mcp.request("tools/call", json!({ "name": "drop_everything", "arguments": {} }));
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    assert!(!unknown["error"]["message"].as_str().unwrap().contains("create_highlight"), "{unknown}");
    mcp.send_line("this is not JSON");
    for params in [json!({ "name": 5 }), json!({ "name": "search", "arguments": [1] })] {
        mcp.send_line(&json!({ "jsonrpc": "2.0", "id": 7000, "method": "tools/call", "params": params }).to_string());
    }
    assert_eq!(mcp.tools().0, READ_TOOLS, "still answering");
    close(mcp);
}

#[test]
fn with_allow_write_a_highlight_and_notes_are_made_and_the_cli_sees_them() {
    let folders = Folders::new();
    let id = scanned(&folders);
    let mut mcp = start(&folders, &["--allow-write"]);
    let (names, tools) = mcp.tools();
    assert_eq!(names, [&READ_TOOLS[..], &WRITE_TOOLS[..]].concat());
    let hint = |name: &str, hint: &str| tools.iter().find(|t| t["name"] == name).unwrap()["annotations"][hint].clone();
    assert_eq!(
        (hint("create_highlight", "readOnlyHint"), hint("create_highlight", "destructiveHint")),
        (json!(false), json!(false))
    );
    assert_eq!(hint("add_note", "destructiveHint"), true, "a note replaces the one there");

    let args = json!({ "episode_id": id, "quote": "400 million downloads", "note": "from an assistant", "color": "blue", "tags": ["ai"] });
    let made = answer(mcp.call_tool("create_highlight", args));
    assert_eq!(made["selector"]["exact"], "400 million downloads");
    let highlight = made["id"].as_str().unwrap().to_owned();
    let twice = mcp.call_tool("create_highlight", json!({ "episode_id": id, "quote": "idea" }));
    assert!(refused(&twice).contains("occurrence"), "{twice}");
    assert_eq!(twice["structuredContent"]["error"]["kind"], "conflict");

    let noted = answer(mcp.call_tool("add_note", json!({ "highlight_id": highlight, "text": "rewritten" })));
    assert_eq!(noted["note"], "rewritten");
    answer(mcp.call_tool("add_note", json!({ "episode_id": id, "text": "episode thoughts" })));
    answer(mcp.call_tool("add_note", json!({ "episode_id": id, "block_key": "s1.i2", "text": "insight thoughts" })));
    assert!(refused(&mcp.call_tool("add_note", json!({ "text": "on nothing" }))).contains("highlight_id"));
    let nowhere = json!({ "episode_id": id, "block_key": "s9.i9", "text": "lost" });
    assert!(refused(&mcp.call_tool("add_note", nowhere)).contains("s9.i9"));

    let listed = answer(mcp.call_tool("list_highlights", json!({ "episode_id": id })));
    assert_eq!((listed["total"].as_u64(), &listed["items"][0]["note"]), (Some(1), &json!("rewritten")));
    let episode = answer(mcp.call_tool("get_episode", json!({ "id": id })));
    assert_eq!(
        (&episode["note"], &episode["insight_notes"]["s1.i2"]),
        (&json!("episode thoughts"), &json!("insight thoughts"))
    );
    close(mcp);

    let on_the_cli = folders.json(&["annotations", "--json"]);
    assert_eq!(on_the_cli.as_array().map(Vec::len), Some(1), "{on_the_cli}");
    assert_eq!((&on_the_cli[0]["id"], &on_the_cli[0]["note"]), (&json!(highlight), &json!("rewritten")));
    assert_eq!((&on_the_cli[0]["color"], &on_the_cli[0]["tags"]), (&json!("blue"), &json!(["ai"])));
}

#[test]
fn with_gloss_running_calls_go_through_it_as_the_mcp_door() {
    let folders = Folders::new();
    let server = folders.serve();
    let id = server.settled(1)[0]["id"].as_i64().unwrap();
    let events = Listener::connect(&server.url);
    let from = events.mark();
    let mut mcp = start(&folders, &["--allow-write"]);

    let found = answer(mcp.call_tool("search", json!({ "query": "downloads" })));
    assert_eq!(found["hits"][0]["episode_id"], id);
    let made = answer(mcp.call_tool("create_highlight", json!({ "episode_id": id, "quote": "Ideas compound" })));
    let highlight = made["id"].as_str().unwrap();
    let event = events.wait_for(from, "user", highlight);
    assert_eq!(event["origin"]["door"], "mcp", "{event}");
    assert_eq!(server.highlights(false)[0]["id"], made["id"], "the running Gloss made it");
    // The command line goes through the same Gloss while the session runs.
    assert_eq!(folders.json(&["annotations", "--json"])[0]["id"], made["id"]);
    close(mcp);
}

#[test]
fn an_idle_session_lets_go_of_the_data_folder_so_gloss_can_open_it() {
    let folders = Folders::new();
    let id = scanned(&folders);
    let mut mcp = start(&folders, &["--allow-write"]);
    answer(mcp.call_tool("search", json!({ "query": "downloads" }))); // opens the data folder here

    // Gloss can start once the session has been idle for a moment.
    let deadline = Instant::now() + PATIENCE;
    let server = loop {
        match Server::spawn(gloss(&folders.library(), &folders.data(), &["serve", "--port", "0"])) {
            Ok(server) => break server,
            Err(said) => assert!(Instant::now() < deadline, "gloss serve never got the data folder: {said}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    server.settled(1);
    let made = answer(mcp.call_tool("create_highlight", json!({ "episode_id": id, "quote": "Ideas compound" })));
    assert_eq!(server.highlights(false)[0]["id"], made["id"], "the session now goes through the running Gloss");
    close(mcp);
}

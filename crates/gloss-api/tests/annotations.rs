//! The annotation operations over a real server: highlights (create by
//! quote or range, edit, delete, undo, re-attach, confirm), notes, stars,
//! tags, reading state, trash, search over annotations, their error
//! shapes, and the `annotation_changed` event.

use crate::util::{ok, summary, Server};
use serde_json::{json, Value};

fn library() -> (Server, i64) {
    let server = Server::start(&[("one.txt", &summary("Open Models", "Signal Hours"))]);
    let id = server.first_episode_id();
    (server, id)
}

#[test]
fn a_highlight_is_created_by_quote_over_rest_and_shows_in_the_episode() {
    let (server, episode) = library();
    let created = server.post_json(
        "/api/highlights",
        &json!({ "episode_id": episode, "quote": "400 million downloads", "note": "big", "tags": ["AI/Open"], "color": "green" }),
    );
    assert_eq!(created.status, 201);
    let highlight = created.json();
    assert_eq!(highlight["selector"]["exact"], "400 million downloads");
    assert_eq!(highlight["anchor"]["status"], "anchored");
    assert_eq!((highlight["color"].as_str(), highlight["note"].as_str()), (Some("green"), Some("big")));

    let view = ok(server.call("get_episode", json!({ "id": episode })));
    assert_eq!(view["highlights"][0]["id"], highlight["id"]);
    let list = ok(server.call("list_episodes", Value::Null));
    assert_eq!(list["items"][0]["highlight_count"], 1);
    let listed = server.get(&format!("/api/highlights?episode_id={episode}")).json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["episode_title"], "Open Models");
}

#[test]
fn create_by_range_then_edit_delete_and_undo() {
    let (server, episode) = library();
    let view = ok(server.call("get_episode", json!({ "id": episode })));
    let body = view["blocks"].as_array().unwrap().iter().find(|b| b["key"] == "s1.i2.body").unwrap().clone();
    let start = body["start"].as_u64().unwrap();
    let highlight =
        ok(server.call("create_highlight", json!({ "episode_id": episode, "start": start, "end": start + 10 })));
    assert_eq!(highlight["selector"]["exact"], "The second");
    let id = highlight["id"].as_str().unwrap().to_owned();

    let edited =
        ok(server.call("update_highlight", json!({ "id": id, "color": "pink", "note": "**why**", "tags": ["x"] })));
    assert_eq!((edited["color"].as_str(), edited["tags"][0].as_str()), (Some("pink"), Some("x")));

    let deleted = ok(server.call("delete_highlight", json!({ "id": id })));
    assert_eq!(deleted["id"], id.as_str());
    assert_eq!(ok(server.call("get_episode", json!({ "id": episode })))["highlights"], json!([]));
    let trash = ok(server.call("list_trash", Value::Null));
    assert!(trash.to_string().contains(&id));

    let restored = ok(server.call("restore_highlight", json!({ "id": id })));
    assert_eq!(restored["note"], "**why**", "undo brings it back whole");
    ok(server.call("delete_highlight", json!({ "id": id })));
    let emptied = ok(server.call("empty_trash", Value::Null));
    assert_eq!(emptied["highlights"], 1);
    assert_eq!(server.call("restore_highlight", json!({ "id": id })).status, 404);
}

#[test]
fn reattach_and_confirm_place_a_highlight_by_hand() {
    let (server, episode) = library();
    let highlight = ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": "Ideas compound" })));
    let id = highlight["id"].as_str().unwrap();
    let view = ok(server.call("get_episode", json!({ "id": episode })));
    let tldr = view["blocks"].as_array().unwrap().iter().find(|b| b["key"] == "tldr").unwrap().clone();
    let start = tldr["start"].as_u64().unwrap();
    let moved = ok(server.call("reattach_highlight", json!({ "id": id, "start": start, "end": start + 7 })));
    assert_eq!(moved["anchor"]["start"], start);
    assert_eq!(moved["selector"]["exact"], "A short");
    let not_fuzzy = server.call("confirm_highlight", json!({ "id": id }));
    assert_eq!((not_fuzzy.status, not_fuzzy.error_kind()), (409, "conflict".into()));
    let past_end = server.call("reattach_highlight", json!({ "id": id, "start": 0, "end": 1_000_000 }));
    assert_eq!((past_end.status, past_end.error_kind()), (400, "invalid_input".into()));
}

#[test]
fn a_fuzzy_place_after_an_edit_is_confirmed_by_the_user() {
    let (server, episode) = library();
    let quote = "The second idea builds on the first one quickly";
    let highlight = ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": quote })));
    let mut events = server.events();
    let edited = summary("Open Models", "Signal Hours").replace("first one quickly", "first one rapidly");
    server.write_file("one.txt", &edited);
    events.find(|e| e["type"] == "episode_updated").expect("the edit is ingested");
    let view = ok(server.call("get_episode", json!({ "id": episode })));
    assert_eq!(view["highlights"][0]["anchor"]["status"], "fuzzy", "an edited quote is only proposed: {view}");
    let confirmed = ok(server.call("confirm_highlight", json!({ "id": highlight["id"] })));
    assert_eq!(confirmed["anchor"]["status"], "anchored");
    assert_eq!(confirmed["selector"]["exact"], "The second idea builds on the first one rapidly");
}

#[test]
fn notes_stars_tags_and_reading_state() {
    let (server, episode) = library();
    ok(server.call("set_episode_note", json!({ "episode_id": episode, "text": "Worth a re-listen." })));
    ok(server
        .call("set_insight_note", json!({ "episode_id": episode, "block_key": "s1.i1", "text": "Check the number." })));
    ok(server.call("set_star", json!({ "episode_id": episode, "block_key": "s1.i2", "starred": true })));
    ok(server.call("set_episode_tags", json!({ "episode_id": episode, "tags": ["AI/Open-Source", "favourites"] })));
    let reading = ok(server.call("set_reading_state", json!({ "episode_id": episode, "read": true, "position": 12 })));
    assert_eq!(reading["position"], 12);

    let view = ok(server.call("get_episode", json!({ "id": episode })));
    assert_eq!(view["note"], "Worth a re-listen.");
    assert_eq!(view["insight_notes"]["s1.i1"], "Check the number.");
    assert_eq!(view["stars"], json!(["s1.i2"]));
    assert_eq!(view["reading"]["read"], true);
    assert_eq!(view["tags"].as_array().map(Vec::len), Some(2));

    // Nested tags: `ai` finds the episode tagged `AI/Open-Source`.
    assert_eq!(ok(server.call("list_episodes", json!({ "tag": "ai" })))["total"], 1);
    assert_eq!(ok(server.call("list_episodes", json!({ "read": false })))["total"], 0);
    assert_eq!(ok(server.call("list_episodes", json!({ "read": true })))["items"][0]["read"], true);

    let tags = ok(server.call("list_tags", Value::Null));
    assert!(tags.to_string().contains("favourites"));
    assert_eq!(ok(server.call("rename_tag", json!({ "from": "favourites", "to": "keepers" })))["changed"], 1);
    let taken = server.call("rename_tag", json!({ "from": "keepers", "to": "ai/open-source" }));
    assert_eq!((taken.status, taken.error_kind()), (409, "conflict".into()));
    assert_eq!(ok(server.call("merge_tag", json!({ "from": "keepers", "to": "AI/Open-Source" })))["changed"], 1);
    assert_eq!(ok(server.call("delete_tag", json!({ "name": "ai/open-source" })))["changed"], 1);
    assert_eq!(ok(server.call("list_episodes", json!({ "tag": "ai" })))["total"], 0);
    ok(server.call("restore_tag", json!({ "name": "ai/open-source" })));
    assert_eq!(ok(server.call("list_episodes", json!({ "tag": "ai" })))["total"], 1, "the delete is undone");
}

#[test]
fn search_finds_highlights_by_quote_note_and_tag() {
    let (server, episode) = library();
    ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": "builds on the first", "note": "compounding returns", "tags": ["growth"] })));
    let hits = ok(server.call("search", json!({ "query": "compounding" })))["hits"].take();
    let note = hits.as_array().unwrap().iter().find(|h| h["kind"] == "note").expect("a note hit");
    assert_eq!(note["episode_id"], episode);
    assert_eq!(note["snippet"]["text"], "compounding returns");
    assert_eq!(note["snippet"]["matches"], json!([[0, 11]]));
    let quote = ok(server.call("search", json!({ "query": "builds", "color": "yellow" })))["hits"].take();
    assert_eq!(quote[0]["kind"], "highlight");
    assert!(quote[0]["highlight_id"].is_string());
    let by_tag = ok(server.call("search", json!({ "query": "first", "tag": "growth" })))["hits"].take();
    assert!(by_tag.as_array().unwrap().iter().all(|h| h["episode_id"] == episode));
    assert!(ok(server.call("search", json!({ "query": "builds", "color": "blue" })))["hits"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn refusals_name_the_field_and_change_nothing() {
    let (server, episode) = library();
    let absent = server.call("create_highlight", json!({ "episode_id": episode, "quote": "not in the text" }));
    assert_eq!((absent.status, absent.json()["error"]["field"].as_str()), (400, Some("args.quote")));
    let twice = server.call("create_highlight", json!({ "episode_id": episode, "quote": "idea" }));
    assert_eq!((twice.status, twice.json()["error"]["field"].as_str()), (409, Some("args.quote")));
    let second =
        ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": "idea", "occurrence": 2 })));
    assert_eq!(second["selector"]["exact"], "idea");
    let no_episode = server.call("create_highlight", json!({ "episode_id": 4242, "quote": "idea" }));
    assert_eq!((no_episode.status, no_episode.json()["error"]["field"].as_str()), (404, Some("args.episode_id")));
    let bad_color = server.call("create_highlight", json!({ "episode_id": episode, "quote": "Ideas", "color": "red" }));
    assert_eq!(bad_color.json()["error"]["field"], "args.color");
    let bad_id = server.call("update_highlight", json!({ "id": "nope", "note": "x" }));
    assert_eq!((bad_id.status, bad_id.json()["error"]["field"].as_str()), (400, Some("args.id")));
    let bad_tag = server.call("set_episode_tags", json!({ "episode_id": episode, "tags": ["  "] }));
    assert_eq!(bad_tag.status, 400);
    assert_eq!(ok(server.call("list_highlights", Value::Null))["total"], 1, "only the good highlight is stored");
}

#[test]
fn changes_are_announced_to_every_subscriber() {
    let (server, episode) = library();
    let mut events = server.events();
    ok(server.call("set_episode_note", json!({ "episode_id": episode, "text": "hello" })));
    let changed = events.find(|e| e["type"] == "annotation_changed").expect("an annotation_changed event");
    assert_eq!(changed["episode_id"], episode);
    let highlight = ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": "Ideas compound" })));
    ok(server.call("delete_highlight", json!({ "id": highlight["id"] })));
    let mut changes = events.filter(|e| e["type"] == "annotation_changed");
    let created = changes.next().expect("an event for the create");
    let deleted = changes.next().expect("an event for the delete");
    assert_eq!(created["episode_id"], episode);
    assert_eq!(deleted["episode_id"], episode, "a delete names the highlight's episode");
}

#[test]
fn an_edited_file_reanchors_its_highlights() {
    let (server, episode) = library();
    let highlight =
        ok(server.call("create_highlight", json!({ "episode_id": episode, "quote": "builds on the first" })));
    let edited =
        summary("Open Models", "Signal Hours").replace("The first idea", "An inserted sentence. The first idea");
    let mut events = server.events();
    server.write_file("one.txt", &edited);
    events.find(|e| e["type"] == "episode_updated").expect("the edit is ingested");
    let view = ok(server.call("get_episode", json!({ "id": episode })));
    let now = &view["highlights"][0];
    assert_eq!(now["id"], highlight["id"]);
    assert_eq!(now["anchor"]["status"], "anchored");
    assert!(now["anchor"]["start"].as_u64() > highlight["anchor"]["start"].as_u64(), "it moved with its text");
}

/// Code points a snippet may hold: a passage of a few dozen words, never
/// the whole text.
const SNIPPET_BOUND: usize = 400;

/// The marked parts of a search hit's snippet, lowercased.
fn marked(hit: &Value) -> Vec<String> {
    let text: Vec<char> = hit["snippet"]["text"].as_str().expect("snippet text").chars().collect();
    let matches = hit["snippet"]["matches"].as_array().expect("snippet matches");
    let range = |m: &Value| (m[0].as_u64().unwrap() as usize, m[1].as_u64().unwrap() as usize);
    matches.iter().map(range).map(|(start, end)| text[start..end].iter().collect::<String>().to_lowercase()).collect()
}

#[test]
fn a_search_in_notes_of_a_megabyte_answers_with_a_short_passage() {
    // Regression (issue 14): FTS5's snippet() compared every match of a row
    // with every other; one search in a 1 MB note took minutes.
    let (server, episode) = library();
    // An episode note with the word once, in its middle; a highlight note
    // with it everywhere. Each just fits in a request.
    let hay = "straw and hay ".repeat(35_000);
    let once = format!("{hay}the needle is here {hay}");
    let everywhere = "needle hay ".repeat(90_000);
    assert!(once.len() > 900_000 && everywhere.len() > 900_000);
    ok(server.call("set_episode_note", json!({ "episode_id": episode, "text": once })));
    let hits = ok(server.call("search", json!({ "query": "needle" })))["hits"].take();
    let passage = hits[0]["snippet"]["text"].as_str().expect("an episode hit");
    assert!(passage.starts_with('…') && passage.contains("the needle is here"), "{passage}");

    ok(server
        .call("create_highlight", json!({ "episode_id": episode, "quote": "Ideas compound", "note": everywhere })));
    let hits = ok(server.call("search", json!({ "query": "needle" })))["hits"].take();
    let hits = hits.as_array().expect("hits");
    let kinds: Vec<&str> = hits.iter().map(|h| h["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(kinds, ["episode", "note"]);
    for hit in hits {
        let text = hit["snippet"]["text"].as_str().unwrap();
        assert!(text.chars().count() <= SNIPPET_BOUND, "a snippet of {} characters", text.chars().count());
        let marked = marked(hit);
        assert!(!marked.is_empty() && marked.iter().all(|m| m == "needle"), "{hit}");
    }
}

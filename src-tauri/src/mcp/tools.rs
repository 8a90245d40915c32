//! The tools `gloss mcp` offers, and the API request each one is.
//!
//! A tool is one operation of `gloss_api::Request`: its arguments are the
//! operation's own, passed on as they came, so the API checks them, decides
//! and answers, exactly as for the window. Only `add_note` picks among
//! three operations, by what the note is on. The input schemas describe the
//! arguments to the assistant; they are no gate (the API is).

use gloss_api::ApiError;
use gloss_core::annotations::Color;
use rmcp::model::JsonObject;
use serde::Deserialize;
use serde_json::{json, Value};

/// What calling a tool does to the library: the MCP hints an assistant
/// shows its user before a call, and whether it needs `--allow-write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Reads,
    /// Adds something new; nothing there is changed.
    Adds,
    /// May replace what the user wrote.
    Replaces,
}

/// The API request a tool makes.
#[derive(Debug, Clone, Copy)]
enum Forward {
    /// This operation, with the tool's arguments as its `args`.
    Op(&'static str),
    /// `update_highlight`, `set_episode_note` or `set_insight_note`.
    Note,
}

pub struct GlossTool {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub effect: Effect,
    schema: fn() -> Value,
    forward: Forward,
}

pub const TOOLS: [GlossTool; 7] = [
    GlossTool {
        name: "search",
        title: "Search the library",
        description: "Search the user's library of podcast episode summaries, and their highlights and notes. \
            Words, \"a phrase\" or prefix*; the last word also matches as a prefix. Answers \
            {total, hits[{kind: episode|highlight|note, episode_id, highlight_id?, title, show, snippet{text}}], \
            more, corrected?} (more: more match than total, which stops counting at 1,000 of each kind; \
            corrected: the words searched for instead, when a word typed matched nothing). \
            Read an episode with get_episode.",
        effect: Effect::Reads,
        schema: search_schema,
        forward: Forward::Op("search"),
    },
    GlossTool {
        name: "get_episode",
        title: "Read an episode",
        description: "One episode in full: title, show, hosts, tldr, sections of insights (title and body), \
            bottom_line, related episodes, and what the user added: tags, note (on the episode), insight_notes \
            (by insight key, e.g. \"s1.i2\"), stars, reading state, and highlights (quote in selector.exact, \
            color, note, tags, anchor.status). blocks lists the text's parts with their keys; an insight's key \
            is the group of its blocks.",
        effect: Effect::Reads,
        schema: get_episode_schema,
        forward: Forward::Op("get_episode"),
    },
    GlossTool {
        name: "list_highlights",
        title: "List highlights",
        description: "The user's highlights with their quote (selector.exact), color, note, tags, anchoring \
            status and episode_title, filtered; answers {total, items}. Without limit every match is listed: \
            page with limit and offset. status \"orphaned\" or \"ambiguous\": highlights whose text changed and \
            that are no longer placed; \"fuzzy\": placed on similar text, to be confirmed.",
        effect: Effect::Reads,
        schema: list_highlights_schema,
        forward: Forward::Op("list_highlights"),
    },
    GlossTool {
        name: "list_notes",
        title: "List notes",
        description: "Everything the user wrote, newest first: highlights (kind \"highlight\", with their \
            notes) and notes on episodes and insights (kind \"note\"; on_title names the insight). Answers \
            {total, items}. A color lists only highlights.",
        effect: Effect::Reads,
        schema: list_notes_schema,
        forward: Forward::Op("list_notes"),
    },
    GlossTool {
        name: "due_review_cards",
        title: "Cards due for review",
        description: "The retrieval-practice cards up for review now: {cards[{card, episode_id, episode_title, \
            phase, due?}], due, new} (due and new count all that wait). Cards are answered in Gloss's Review \
            view.",
        effect: Effect::Reads,
        schema: no_arguments,
        forward: Forward::Op("review_due"),
    },
    GlossTool {
        name: "create_highlight",
        title: "Highlight a quote",
        description: "Highlights a quote of an episode's text, as the user would in Gloss, with an optional \
            note, color and tags; answers the highlight. The quote must be the text exactly as get_episode \
            gives it; when it occurs more than once, say which with occurrence.",
        effect: Effect::Adds,
        schema: create_highlight_schema,
        forward: Forward::Op("create_highlight"),
    },
    GlossTool {
        name: "add_note",
        title: "Write a note",
        description: "Writes the note on a highlight (highlight_id), an episode (episode_id) or one of its \
            insights (episode_id and block_key, the insight's key such as \"s1.i2\"). The text replaces the \
            note there: to add to a note, read it first (get_episode, list_highlights) and send it whole. \
            Markdown.",
        effect: Effect::Replaces,
        schema: add_note_schema,
        forward: Forward::Note,
    },
];

/// The tool named `name`, offered or not.
pub fn find(name: &str) -> Option<&'static GlossTool> {
    TOOLS.iter().find(|tool| tool.name == name)
}

impl GlossTool {
    /// The JSON Schema of the tool's arguments.
    pub fn input_schema(&self) -> JsonObject {
        match (self.schema)() {
            Value::Object(schema) => schema,
            _ => JsonObject::new(),
        }
    }

    /// The API request (`{"op": ..., "args": ...}`) for a call with `args`.
    pub fn request(&self, args: JsonObject) -> Result<Value, ApiError> {
        match self.forward {
            Forward::Op(op) => Ok(json!({ "op": op, "args": args })),
            Forward::Note => note_request(args),
        }
    }
}

/// What `add_note` takes. The values go to the API as they came.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteOn {
    text: Value,
    highlight_id: Option<Value>,
    episode_id: Option<Value>,
    block_key: Option<Value>,
}

fn note_request(args: JsonObject) -> Result<Value, ApiError> {
    let on: NoteOn = gloss_api::error::from_json(Value::Object(args))?;
    match (on.highlight_id, on.episode_id, on.block_key) {
        (Some(id), None, None) => Ok(json!({ "op": "update_highlight", "args": { "id": id, "note": on.text } })),
        (None, Some(episode_id), None) => {
            Ok(json!({ "op": "set_episode_note", "args": { "episode_id": episode_id, "text": on.text } }))
        }
        (None, Some(episode_id), Some(block_key)) => Ok(json!({
            "op": "set_insight_note",
            "args": { "episode_id": episode_id, "block_key": block_key, "text": on.text },
        })),
        _ => Err(ApiError::invalid(
            "highlight_id",
            "say what the note is on: highlight_id alone, or episode_id (with block_key for one of its insights)",
        )),
    }
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

fn no_arguments() -> Value {
    object(json!({}), &[])
}

fn episode_id(what: &str) -> Value {
    json!({ "type": "integer", "description": what })
}

fn text(what: &str) -> Value {
    json!({ "type": "string", "description": what })
}

fn color(what: &str) -> Value {
    let names: Vec<&str> = Color::ALL.iter().map(|c| c.as_str()).collect();
    json!({ "type": "string", "enum": names, "description": what })
}

fn limit(what: &str) -> Value {
    json!({ "type": "integer", "minimum": 1, "description": what })
}

fn offset() -> Value {
    json!({ "type": "integer", "minimum": 0, "description": "How many to skip: the next page starts where the last ended." })
}

fn search_schema() -> Value {
    object(
        json!({
            "query": text("Words, \"a phrase\" or prefix*."),
            "limit": limit("Hits to answer (50 unless told; at most 200 of each kind)."),
            "offset": offset(),
            "episode_id": episode_id("Only in this episode."),
            "show": text("Only this show's episodes."),
            "tag": text("Only episodes and highlights with this tag."),
        }),
        &["query"],
    )
}

fn get_episode_schema() -> Value {
    object(json!({ "id": episode_id("The episode's id, from search or a highlight's episode_id.") }), &["id"])
}

fn list_highlights_schema() -> Value {
    object(
        json!({
            "episode_id": episode_id("Only this episode's."),
            "tag": text("Only with this tag (on the highlight or its episode)."),
            "color": color("Only this color."),
            "status": {
                "type": "string",
                "enum": ["anchored", "moved", "fuzzy", "orphaned", "ambiguous"],
                "description": "Only with this anchoring status.",
            },
            "show": text("Only this show's."),
            "text": text("Only those whose quote, note or tags hold every word."),
            "limit": limit("How many to answer (all unless told)."),
            "offset": offset(),
        }),
        &[],
    )
}

fn list_notes_schema() -> Value {
    object(
        json!({
            "text": text("Only those holding every word."),
            "tag": text("Only with this tag (on the highlight or its episode)."),
            "color": color("Only highlights of this color."),
            "show": text("Only this show's."),
            "limit": limit("How many to answer (all unless told)."),
            "offset": offset(),
        }),
        &[],
    )
}

fn create_highlight_schema() -> Value {
    object(
        json!({
            "episode_id": episode_id("The episode to highlight in."),
            "quote": text("The exact text to highlight."),
            "occurrence": { "type": "integer", "minimum": 1, "description": "Which occurrence of the quote (1 is the first), when it occurs more than once." },
            "note": text("A note on the highlight (Markdown)."),
            "color": color("The highlight's color (yellow unless told); the user's settings say what each means."),
            "tags": { "type": "array", "items": { "type": "string" }, "description": "Tags on the highlight." },
        }),
        &["episode_id", "quote"],
    )
}

fn add_note_schema() -> Value {
    object(
        json!({
            "text": text("The note (Markdown); it replaces the note there."),
            "highlight_id": text("The highlight the note is on."),
            "episode_id": episode_id("The episode the note is on (or whose insight it is on)."),
            "block_key": text("The insight the note is on, by its key (\"s1.i2\")."),
        }),
        &["text"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(value: Value) -> JsonObject {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn names_are_unique_and_schemas_are_objects() {
        for (n, tool) in TOOLS.iter().enumerate() {
            assert!(TOOLS[..n].iter().all(|other| other.name != tool.name), "{} twice", tool.name);
            assert_eq!(tool.input_schema()["type"], "object", "{}", tool.name);
            assert!(find(tool.name).is_some());
        }
        assert!(find("drop_everything").is_none());
    }

    #[test]
    fn arguments_pass_to_the_operation_as_they_came() {
        let search = find("search").unwrap().request(args(json!({ "query": "grid", "nonsense": 1 }))).unwrap();
        assert_eq!(search, json!({ "op": "search", "args": { "query": "grid", "nonsense": 1 } }));
        let due = find("due_review_cards").unwrap().request(JsonObject::new()).unwrap();
        assert_eq!(due, json!({ "op": "review_due", "args": {} }));
    }

    #[test]
    fn a_note_goes_where_it_is_on() {
        let note = |value| find("add_note").unwrap().request(args(value));
        assert_eq!(
            note(json!({ "text": "t", "highlight_id": "h" })).unwrap(),
            json!({ "op": "update_highlight", "args": { "id": "h", "note": "t" } })
        );
        assert_eq!(note(json!({ "text": "t", "episode_id": 3 })).unwrap()["op"], "set_episode_note");
        assert_eq!(
            note(json!({ "text": "t", "episode_id": 3, "block_key": "s1.i2" })).unwrap()["op"],
            "set_insight_note"
        );
        for unclear in [json!({ "text": "t" }), json!({ "text": "t", "highlight_id": "h", "episode_id": 3 })] {
            assert_eq!(note(unclear).unwrap_err().field.as_deref(), Some("highlight_id"));
        }
        assert!(note(json!({ "text": "t", "episode_id": 3, "color": "red" })).unwrap_err().message.contains("color"));
        assert!(note(json!({ "episode_id": 3 })).unwrap_err().message.contains("text"));
    }
}

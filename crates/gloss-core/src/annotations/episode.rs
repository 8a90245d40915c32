//! The episode an annotation write is about: loaded once, checked, and used
//! to place selections and validate block keys.

use std::cell::OnceCell;

use rusqlite::Connection;

use super::error::{Error, Result};
use crate::store::episodes::{self, EpisodeId, EpisodeRecord};
use gloss_anchor::{self as anchor, RangeError, Selector, Span};
use gloss_parse::model::Block;

/// An episode with the text highlights anchor into.
pub(crate) struct TextEpisode {
    pub record: EpisodeRecord,
    pub text: String,
    /// The text's code points and the episode's blocks, made on first use:
    /// re-anchoring describes many places on one text.
    chars: OnceCell<Vec<char>>,
    blocks: OnceCell<Vec<Block>>,
}

/// Loads episode `id`; `field` names the request field that carried it.
pub(crate) fn load(conn: &Connection, id: EpisodeId, field: &'static str) -> Result<EpisodeRecord> {
    episodes::get(conn, id)?
        .ok_or_else(|| Error::not_found(field, format!("no episode with id {id}; list them with `gloss list`")))
}

/// Loads episode `id` and its canonical text, which a file that never parsed
/// does not have.
pub(crate) fn load_text(conn: &Connection, id: EpisodeId, field: &'static str) -> Result<TextEpisode> {
    let mut record = load(conn, id, field)?;
    let Some(text) = record.canonical_text.take() else {
        let why = record.summary.error.as_deref().unwrap_or("it has not been read yet");
        return Err(Error::conflict(
            field,
            format!("episode {id} ({}) has no text to annotate: {why}", record.summary.source_path),
        ));
    };
    Ok(TextEpisode { record, text, chars: OnceCell::new(), blocks: OnceCell::new() })
}

impl TextEpisode {
    fn blocks(&self) -> &[Block] {
        self.blocks.get_or_init(|| self.record.episode.as_ref().map(|e| e.blocks()).unwrap_or_default())
    }

    /// Describes `span` of the text as a selector, with the key of the block
    /// it starts in. `fields` name the request fields of the start and end.
    pub fn describe(&self, span: Span, fields: (&'static str, &'static str)) -> Result<Selector> {
        let chars = self.chars.get_or_init(|| self.text.chars().collect());
        let mut selector = anchor::describe_chars(chars, span).map_err(|e| match e {
            RangeError::PastEnd { .. } => Error::invalid(fields.1, e.to_string()),
            RangeError::Empty | RangeError::Reversed { .. } => Error::invalid(fields.0, e.to_string()),
        })?;
        if selector.exact.trim().is_empty() {
            return Err(Error::invalid(fields.0, "the selection is only spaces or line breaks; select some text"));
        }
        selector.block_key =
            self.blocks().iter().find(|b| b.start <= span.start && span.start < b.start + b.len).map(|b| b.key.clone());
        Ok(selector)
    }

    /// Length of the text in code points.
    pub fn len(&self) -> usize {
        self.chars.get().map_or_else(|| self.text.chars().count(), Vec::len)
    }
}

/// Checks that `key` names a block of the episode (`s2.i1.body`) or a group
/// of blocks (`s2.i1`, a whole insight), so notes and stars land somewhere.
pub(crate) fn check_block_key(record: &EpisodeRecord, key: &str) -> Result<()> {
    let blocks = record.episode.as_ref().map(|e| e.blocks()).unwrap_or_default();
    let names_a_block = |b: &Block| b.key == key || b.key.strip_prefix(key).is_some_and(|rest| rest.starts_with('.'));
    if !key.is_empty() && blocks.iter().any(names_a_block) {
        return Ok(());
    }
    let known: Vec<&str> = blocks.iter().map(|b| b.key.as_str()).collect();
    Err(Error::invalid(
        "block_key",
        format!(
            "episode {} has no block `{key}`; use one of its block keys ({}) or an insight (`s1.i2`)",
            record.summary.id,
            known.join(", ")
        ),
    ))
}

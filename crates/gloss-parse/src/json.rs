//! The JSON `gloss parse FILE` prints, documented in `docs/format.md`.

use crate::model::{Block, Episode, CANONICAL_TEXT_VERSION};
use serde::Serialize;

/// An episode with what is derived from it: its blocks with their offsets
/// in the canonical text, the canonical-text version, the content hash and
/// the fingerprint. Serialises flat, the episode's own fields first.
#[derive(Debug, Clone, Serialize)]
pub struct EpisodeJson<'a> {
    #[serde(flatten)]
    pub episode: &'a Episode,
    pub canonical_text_version: u32,
    pub content_hash: String,
    pub fingerprint: String,
    pub blocks: Vec<Block>,
}

impl<'a> EpisodeJson<'a> {
    pub fn new(episode: &'a Episode) -> Self {
        EpisodeJson {
            episode,
            canonical_text_version: CANONICAL_TEXT_VERSION,
            content_hash: episode.content_hash(),
            fingerprint: episode.fingerprint(),
            blocks: episode.blocks(),
        }
    }
}

/// The episode as the one-line JSON object `gloss parse` prints.
pub fn to_json(episode: &Episode) -> String {
    // Serialising plain strings, numbers and lists cannot fail.
    serde_json::to_string(&EpisodeJson::new(episode)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocKind;

    #[test]
    fn carries_the_contract_fields_and_the_derived_ones() {
        let mut episode = Episode::empty(DocKind::Summary);
        episode.title = Some("T".into());
        let value: serde_json::Value = serde_json::from_str(&to_json(&episode)).unwrap();
        for field in [
            "title",
            "show",
            "hosts",
            "tldr",
            "sections",
            "bottom_line",
            "related_source",
            "related",
            "warnings",
            "kind",
            "paragraphs",
            "blocks",
            "content_hash",
            "fingerprint",
            "canonical_text_version",
        ] {
            assert!(value.get(field).is_some(), "{field}");
        }
        assert_eq!(value["show"], serde_json::Value::Null);
        assert_eq!(value["hosts"], serde_json::json!([]));
        assert_eq!(
            value["blocks"][0],
            serde_json::json!({"key": "title", "text": "T", "start": 0, "len": 1, "role": "title"})
        );
    }
}

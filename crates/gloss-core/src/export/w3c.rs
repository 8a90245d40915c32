//! W3C Web Annotation (JSON-LD): one `AnnotationCollection` holding every
//! live highlight as an `Annotation` whose target is the episode
//! (`urn:gloss:episode:<fingerprint>`) with a `TextQuoteSelector` and a
//! `TextPositionSelector`. What the model has no field for (the color, the
//! anchor, the block key, that offsets count code points) is in `gloss:`
//! extension fields, so a Gloss export reads back without loss and other
//! tools read the standard part.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::backup::{Backup, EpisodeEntry, EpisodeRef, HighlightEntry, FORMAT, VERSION};
use super::time;
use crate::annotations::{Anchor, Color};
use gloss_anchor::{AnchorStatus, Selector};
use gloss_parse::model::CANONICAL_TEXT_VERSION;

const ANNOTATION_CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";

/// Where the `gloss:` terms are defined (a URN: there is nothing to fetch).
const GLOSS_NAMESPACE: &str = "urn:gloss:ns:";

/// Prefix of a target's source: the episode's fingerprint follows.
pub const EPISODE_URN: &str = "urn:gloss:episode:";

/// A source for an episode without a fingerprint: its id follows.
const EPISODE_ID_URN: &str = "urn:gloss:episode-id:";

/// What `gloss:offsetUnit` says: positions count Unicode code points.
const CODE_POINTS: &str = "codepoint";

#[derive(Debug, Serialize, Deserialize)]
pub struct Collection {
    #[serde(rename = "@context")]
    context: serde_json::Value,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    generated: Option<String>,
    #[serde(default)]
    total: usize,
    first: Page,
}

#[derive(Debug, Serialize, Deserialize)]
struct Page {
    #[serde(rename = "type")]
    kind: String,
    items: Vec<Annotation>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Annotation {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    motivation: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "one_or_many")]
    body: Vec<Body>,
    target: Target,
    #[serde(rename = "gloss:color", default)]
    color: Option<Color>,
    #[serde(rename = "gloss:anchor", default, skip_serializing_if = "Option::is_none")]
    anchor: Option<Anchor>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Body {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    value: String,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Target {
    source: String,
    #[serde(default, with = "one_or_many")]
    selector: Vec<TargetSelector>,
    #[serde(rename = "gloss:episodeId", default, skip_serializing_if = "Option::is_none")]
    episode_id: Option<i64>,
    #[serde(rename = "gloss:episodeTitle", default, skip_serializing_if = "Option::is_none")]
    episode_title: Option<String>,
    #[serde(rename = "gloss:show", default, skip_serializing_if = "Option::is_none")]
    show: Option<String>,
    #[serde(rename = "gloss:blockKey", default, skip_serializing_if = "Option::is_none")]
    block_key: Option<String>,
    /// BLAKE3 of the canonical text the anchor was computed on.
    #[serde(rename = "gloss:textHash", default, skip_serializing_if = "Option::is_none")]
    text_hash: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type")]
enum TargetSelector {
    TextQuoteSelector {
        exact: String,
        #[serde(default)]
        prefix: String,
        #[serde(default)]
        suffix: String,
    },
    TextPositionSelector {
        start: usize,
        end: usize,
        #[serde(rename = "gloss:offsetUnit", default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        #[serde(rename = "gloss:textVersion", default, skip_serializing_if = "Option::is_none")]
        text_version: Option<u32>,
    },
    #[serde(other)]
    Other,
}

/// A target is an IRI or an object; a body or selector one or many.
mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }

    pub fn serialize<T: Serialize, S: Serializer>(items: &[T], serializer: S) -> Result<S::Ok, S::Error> {
        items.serialize(serializer)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        Ok(match OneOrMany::deserialize(deserializer)? {
            OneOrMany::Many(items) => items,
            OneOrMany::One(item) => vec![item],
        })
    }
}

/// The collection of `backup`'s live highlights.
pub fn collection(backup: &Backup) -> Collection {
    let hashes: BTreeMap<i64, Option<&String>> =
        backup.episodes.iter().map(|e| (e.episode.id, e.text_hash.as_ref())).collect();
    let items: Vec<Annotation> = backup
        .highlights
        .iter()
        .filter(|h| h.deleted_at.is_none())
        .map(|h| annotation(h, hashes.get(&h.episode.id).copied().flatten()))
        .collect();
    Collection {
        context: serde_json::json!([ANNOTATION_CONTEXT, { "gloss": GLOSS_NAMESPACE }]),
        kind: "AnnotationCollection".into(),
        label: "Gloss highlights".into(),
        generated: Some(backup.exported_at.clone()),
        total: items.len(),
        first: Page { kind: "AnnotationPage".into(), items },
    }
}

fn annotation(h: &HighlightEntry, text_hash: Option<&String>) -> Annotation {
    let mut body = Vec::new();
    if !h.note.is_empty() {
        body.push(Body {
            kind: Some("TextualBody".into()),
            value: h.note.clone(),
            purpose: Some("commenting".into()),
            format: Some("text/markdown".into()),
        });
    }
    for tag in &h.tags {
        body.push(Body {
            kind: Some("TextualBody".into()),
            value: tag.clone(),
            purpose: Some("tagging".into()),
            format: None,
        });
    }
    let source = match &h.episode.fingerprint {
        Some(fingerprint) => format!("{EPISODE_URN}{fingerprint}"),
        None => format!("{EPISODE_ID_URN}{}", h.episode.id),
    };
    let s = &h.selector;
    Annotation {
        id: format!("urn:uuid:{}", h.id),
        kind: "Annotation".into(),
        motivation: Some(if h.note.is_empty() { "highlighting" } else { "commenting" }.into()),
        created: Some(time::rfc3339(h.created_at)),
        modified: Some(time::rfc3339(h.updated_at)),
        body,
        target: Target {
            source,
            selector: vec![
                TargetSelector::TextQuoteSelector {
                    exact: s.exact.clone(),
                    prefix: s.prefix.clone(),
                    suffix: s.suffix.clone(),
                },
                TargetSelector::TextPositionSelector {
                    start: s.start,
                    end: s.end,
                    unit: Some(CODE_POINTS.into()),
                    text_version: Some(s.text_version),
                },
            ],
            episode_id: Some(h.episode.id),
            episode_title: h.episode.title.clone(),
            show: h.episode.show.clone(),
            block_key: s.block_key.clone(),
            text_hash: text_hash.cloned(),
        },
        color: Some(h.color),
        anchor: Some(h.anchor.clone()),
    }
}

/// Reads a collection back as a backup holding its highlights. What can not
/// become a highlight is returned as `(annotation number, reason)`.
pub fn to_backup(collection: Collection) -> (Backup, Vec<(usize, String)>) {
    let mut problems = Vec::new();
    let mut episodes: BTreeMap<String, EpisodeEntry> = BTreeMap::new();
    let mut highlights = Vec::new();
    for (n, annotation) in collection.first.items.into_iter().enumerate() {
        match highlight(annotation) {
            Ok((highlight, text_hash)) => {
                let key = format!("{:?}/{}", highlight.episode.fingerprint, highlight.episode.id);
                let entry = episodes.entry(key).or_insert_with(|| EpisodeEntry {
                    episode: highlight.episode.clone(),
                    source_path: None,
                    text_hash: text_hash.clone(),
                    notes: Vec::new(),
                    stars: Vec::new(),
                    tags: Vec::new(),
                    reading: None,
                });
                // Anchors are kept only if every one was taken on the same text.
                if entry.text_hash != text_hash {
                    entry.text_hash = None;
                }
                highlights.push(highlight);
            }
            Err(reason) => problems.push((n + 1, reason)),
        }
    }
    let backup = Backup {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: collection.generated.unwrap_or_default(),
        canonical_text_version: CANONICAL_TEXT_VERSION,
        episodes: episodes.into_values().collect(),
        highlights,
        tags: Vec::new(),
        settings: BTreeMap::new(),
        review: Default::default(),
    };
    (backup, problems)
}

fn highlight(a: Annotation) -> Result<(HighlightEntry, Option<String>), String> {
    let id = highlight_id(&a.id);
    let mut quote = None;
    let mut position = None;
    for selector in a.target.selector {
        match selector {
            TargetSelector::TextQuoteSelector { exact, prefix, suffix } => quote = Some((exact, prefix, suffix)),
            TargetSelector::TextPositionSelector { start, end, unit, text_version } => {
                position = Some((start, end, unit, text_version))
            }
            TargetSelector::Other => {}
        }
    }
    let Some((exact, prefix, suffix)) = quote else {
        return Err(format!("annotation {} has no TextQuoteSelector, so there is no quote to place", a.id));
    };
    // Offsets in another unit (or on another text version) are left to
    // re-anchoring by the quote: a zero-length position is never trusted.
    let (start, end, text_version) = match position {
        Some((start, end, unit, version)) if unit.as_deref().is_none_or(|u| u == CODE_POINTS) => {
            (start, end, version.unwrap_or(CANONICAL_TEXT_VERSION))
        }
        _ => (0, 0, CANONICAL_TEXT_VERSION),
    };
    let episode = episode_ref(&a.target.source, a.target.episode_id, a.target.episode_title, a.target.show)
        .ok_or_else(|| format!("annotation {} targets {}, which is not a Gloss episode", a.id, a.target.source))?;
    let mut note = String::new();
    let mut tags = Vec::new();
    for body in a.body {
        match body.purpose.as_deref() {
            Some("tagging") => tags.push(body.value),
            _ if note.is_empty() => note = body.value,
            _ => note = format!("{note}\n\n{}", body.value),
        }
    }
    let created_at = a.created.as_deref().and_then(time::parse_rfc3339).unwrap_or(0);
    let updated_at = a.modified.as_deref().and_then(time::parse_rfc3339).unwrap_or(created_at);
    let anchor = a.anchor.unwrap_or(Anchor {
        status: AnchorStatus::Anchored,
        start: Some(start),
        end: Some(end),
        reason: None,
        score: None,
    });
    let selector = Selector { exact, prefix, suffix, start, end, block_key: a.target.block_key, text_version };
    let entry = HighlightEntry {
        id,
        episode,
        selector,
        color: a.color.unwrap_or_default(),
        note,
        tags,
        anchor,
        created_at,
        updated_at,
        deleted_at: None,
    };
    Ok((entry, a.target.text_hash))
}

/// The highlight id of an annotation: its own UUID for a Gloss export
/// (`urn:uuid:…`); for another tool's id, a UUID derived from it, so that
/// importing the same file twice finds the same highlights.
fn highlight_id(id: &str) -> String {
    let bare = id.strip_prefix("urn:uuid:").unwrap_or(id);
    match uuid::Uuid::parse_str(bare) {
        Ok(uuid) => uuid.to_string(),
        Err(_) => {
            let digest = blake3::hash(id.as_bytes());
            let mut bytes = [0; 16];
            bytes.copy_from_slice(&digest.as_bytes()[..16]);
            uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
        }
    }
}

fn episode_ref(source: &str, id: Option<i64>, title: Option<String>, show: Option<String>) -> Option<EpisodeRef> {
    if let Some(fingerprint) = source.strip_prefix(EPISODE_URN) {
        return Some(EpisodeRef { id: id.unwrap_or(0), fingerprint: Some(fingerprint.to_owned()), title, show });
    }
    let id = source.strip_prefix(EPISODE_ID_URN).and_then(|n| n.parse().ok()).or(id)?;
    Some(EpisodeRef { id, fingerprint: None, title, show })
}

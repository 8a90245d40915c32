//! The operations, as serde types: `{"op": "get_episode", "args": {...}}`.
//! docs/api.md lists them with their answers.

use crate::error::{from_json, ApiError};
use gloss_anchor::AnchorStatus;
use gloss_core::annotations::review_sources::ReviewSource;
use gloss_core::annotations::{
    Color, FeedFilter, HighlightFilter, HighlightPatch, NewHighlight, NoteRef, ReadingUpdate,
};
use gloss_core::app::{EpisodeFilter, SettingsPatch};
use gloss_core::export::Format;
use gloss_core::store::episodes::EpisodeId;
use gloss_review::{CardId, Settings as ReviewSettings};
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Health {},
    LibraryStatus {},
    ScanLibrary {},
    ListEpisodes(EpisodeFilter),
    GetEpisode {
        id: EpisodeId,
    },
    Search(SearchArgs),
    CreateHighlight(NewHighlight),
    UpdateHighlight(HighlightPatch),
    DeleteHighlight {
        id: String,
    },
    RestoreHighlight {
        id: String,
    },
    ReattachHighlight {
        id: String,
        start: usize,
        end: usize,
    },
    ConfirmHighlight {
        id: String,
    },
    /// One highlight, live or in the trash: where a link to it leads.
    GetHighlight {
        id: String,
    },
    ListHighlights(HighlightFilter),
    /// The Notes view's feed: highlights and episode and insight notes.
    ListNotes(FeedFilter),
    SetEpisodeNote {
        episode_id: EpisodeId,
        text: String,
    },
    SetInsightNote {
        episode_id: EpisodeId,
        block_key: String,
        text: String,
    },
    SetStar {
        episode_id: EpisodeId,
        block_key: String,
        starred: bool,
    },
    SetEpisodeTags {
        episode_id: EpisodeId,
        tags: Vec<String>,
    },
    ListTags {},
    RenameTag {
        from: String,
        to: String,
    },
    MergeTag {
        from: String,
        to: String,
    },
    DeleteTag {
        name: String,
    },
    RestoreTag {
        name: String,
    },
    SetReadingState(ReadingUpdate),
    ListTrash {},
    EmptyTrash {},
    NoteVersions(NoteRef),
    SettleNote {
        note: NoteRef,
        text: String,
    },
    GetSettings {},
    UpdateSettings(SettingsPatch),
    Export {
        format: Format,
        out_dir: PathBuf,
        /// Templates and layout, for Markdown.
        #[serde(default)]
        markdown: gloss_core::export::MarkdownOptions,
    },
    Import {
        file: PathBuf,
    },
    SyncStatus {},
    SyncNow {},
    /// What is up for review; `now` (Unix ms) stands in for the clock.
    ReviewDue {
        now: Option<i64>,
    },
    /// Whether a card is in review: its deck entry, or null.
    CardInReview {
        card: CardId,
    },
    /// A card's prompt; its answer only with `reveal`.
    ReviewCard {
        card: CardId,
        #[serde(default)]
        reveal: bool,
        now: Option<i64>,
    },
    /// A rating, 1 (Again) to 4 (Easy); `at` (Unix ms) stands in for the clock.
    RateCard {
        card: CardId,
        rating: u8,
        at: Option<i64>,
    },
    UndoRating {},
    /// A card in or out of review (`included: null`: the default rule), suspended or not.
    SetCard {
        card: CardId,
        included: Option<bool>,
        #[serde(default)]
        suspended: bool,
    },
    /// A card out of review until the next day (`buried: false`: back today).
    BuryCard {
        card: CardId,
        #[serde(default = "yes")]
        buried: bool,
        now: Option<i64>,
    },
    ReviewStats {
        now: Option<i64>,
    },
    ReviewSettings {},
    UpdateReviewSettings(ReviewSettings),
    /// What enters review: kinds of card, episodes and tags.
    ReviewSources {},
    /// A kind of card, an episode or a tag in review, left out, or
    /// (`included: null`) left to the other rules.
    SetReviewSource {
        source: ReviewSource,
        included: Option<bool>,
    },
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    pub query: String,
    /// Hits to skip: the next page starts where the last ended.
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    pub episode_id: Option<EpisodeId>,
    pub show: Option<String>,
    pub tag: Option<String>,
    pub color: Option<Color>,
    pub status: Option<AnchorStatus>,
    /// Highlights created at or after, Unix milliseconds.
    pub since: Option<i64>,
    /// Highlights created before, Unix milliseconds.
    pub until: Option<i64>,
}

impl SearchArgs {
    /// The filters, as the annotation search takes them.
    pub fn filter(&self) -> HighlightFilter {
        HighlightFilter {
            episode_id: self.episode_id,
            show: self.show.clone(),
            tag: self.tag.clone(),
            color: self.color,
            status: self.status,
            since: self.since,
            until: self.until,
            ..Default::default()
        }
    }
}

impl Request {
    /// Whether the operation only reads: its answer is all it gives, so
    /// once nobody waits for that (the server is closing, the client went
    /// away) it may be stopped. One that changes something runs to its end.
    pub fn only_reads(&self) -> bool {
        match self {
            Request::Health {}
            | Request::LibraryStatus {}
            | Request::ListEpisodes(_)
            | Request::GetEpisode { .. }
            | Request::Search(_)
            | Request::GetHighlight { .. }
            | Request::ListHighlights(_)
            | Request::ListNotes(_)
            | Request::ListTags {}
            | Request::ListTrash {}
            | Request::NoteVersions(_)
            | Request::GetSettings {}
            | Request::SyncStatus {}
            | Request::ReviewDue { .. }
            | Request::ReviewCard { .. }
            | Request::CardInReview { .. }
            | Request::ReviewStats { .. }
            | Request::ReviewSettings {}
            | Request::ReviewSources {} => true,
            Request::ScanLibrary {}
            | Request::CreateHighlight(_)
            | Request::UpdateHighlight(_)
            | Request::DeleteHighlight { .. }
            | Request::RestoreHighlight { .. }
            | Request::ReattachHighlight { .. }
            | Request::ConfirmHighlight { .. }
            | Request::SetEpisodeNote { .. }
            | Request::SetInsightNote { .. }
            | Request::SetStar { .. }
            | Request::SetEpisodeTags { .. }
            | Request::RenameTag { .. }
            | Request::MergeTag { .. }
            | Request::DeleteTag { .. }
            | Request::RestoreTag { .. }
            | Request::SetReadingState(_)
            | Request::EmptyTrash {}
            | Request::SettleNote { .. }
            | Request::UpdateSettings(_)
            | Request::Export { .. }
            | Request::Import { .. }
            | Request::SyncNow {}
            | Request::RateCard { .. }
            | Request::UndoRating {}
            | Request::SetCard { .. }
            | Request::BuryCard { .. }
            | Request::SetReviewSource { .. }
            | Request::UpdateReviewSettings(_) => false,
        }
    }

    /// Reads `{"op": ..., "args": ...}`. `args` may be left out for
    /// operations that take none; unknown operations and fields are refused,
    /// and the error names the field (`args.id`).
    pub fn from_value(value: Value) -> Result<Request, ApiError> {
        let Value::Object(mut envelope) = value else {
            return Err(ApiError::invalid("body", "a request is a JSON object {\"op\": ..., \"args\": {...}}"));
        };
        let op = match envelope.remove("op") {
            Some(Value::String(op)) => op,
            _ => return Err(ApiError::invalid("op", "name the operation in \"op\" (see docs/api.md)")),
        };
        let args = envelope.remove("args").unwrap_or_else(|| Value::Object(Default::default()));
        if let Some(extra) = envelope.keys().next() {
            return Err(ApiError::invalid(
                extra.clone(),
                format!("unknown field `{extra}`: a request has only op and args"),
            ));
        }
        // Externally tagged (`{op: args}`) so that serde can tell which
        // field of the arguments was wrong.
        let tagged = Value::Object([(op.clone(), args)].into_iter().collect());
        from_json(tagged).map_err(|mut err| {
            err.field = match err.field.as_deref().and_then(|f| f.strip_prefix(op.as_str())) {
                Some(rest) => Some(format!("args{rest}")),
                None => Some("op".to_owned()),
            };
            err
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn args_may_be_left_out_but_unknown_fields_are_refused() {
        assert!(Request::from_value(json!({ "op": "health" })).is_ok());
        assert!(Request::from_value(json!({ "op": "health", "args": {} })).is_ok());
        let err = Request::from_value(json!({ "op": "health", "args": { "x": 1 } })).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::InvalidInput);
        let err = Request::from_value(json!({ "op": "nope" })).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("op"));
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = Request::from_value(json!({ "op": "get_episode", "args": { "id": "seven" } })).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("args.id"));
    }
}

//! Anchoring highlights, and re-anchoring them when a summary changes.
//!
//! A highlight is stored as a [`Selector`] (quote, context and code point
//! offsets). When an episode's canonical text changes, [`reanchor`] runs
//! every selector through these stages, stopping at the first that answers:
//!
//! 1. `position`: the stored offsets still hold the quote: `anchored`.
//! 2. `diff`: the offsets, carried through a diff of the old and new text,
//!    hold the quote: `anchored`.
//! 3. `quote`: the quote verbatim elsewhere, unique or clearly best by its
//!    prefix and suffix: `moved`.
//! 4. `fuzzy` (with `approx`): the quote with a few edits, above a
//!    minimum score, length and length ratio, with a clear margin: `fuzzy`,
//!    for the user to confirm.
//! 5. Otherwise `orphaned` or `ambiguous`, with the reason.
//!
//! An exact place from stages 1 to 3 whose prefix and suffix both fail to
//! match is then checked (`contest`) against the near matches that sit in
//! the quote's context: an edited original there wins as `fuzzy`, or, if it
//! is not clearly better, the highlight is `ambiguous`.
//!
//! All comparisons happen on a normalised view (`normalize`) of both texts. A wrong
//! anchor is worse than an orphan: an unedited passage that already existed
//! elsewhere never captures a highlight whose original was edited, and
//! neither does a copy of the old wording that the edit itself inserted
//! out of context.

mod approx;
mod candidate;
mod contest;
mod diff;
mod fuzzy;
mod normalize;
mod offsets;
mod position;
mod quote;
mod reanchor;
mod selector;

use serde::{Deserialize, Serialize};

pub use normalize::normalize_for_matching;
pub use offsets::OffsetIndex;
pub use quote::{find_quote, quote_spans, QuoteError};
pub use reanchor::reanchor;
pub use selector::{describe, describe_chars, describe_in_episode, RangeError, Selector, Span, CONTEXT_LEN};

/// What re-anchoring concluded about one highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorStatus {
    /// At its old place, or carried there exactly through the edits.
    Anchored,
    /// The same text, found elsewhere.
    Moved,
    /// Text close to the quote, found in its context; the user should confirm.
    Fuzzy,
    /// Not placed: the text is gone or changed too much.
    Orphaned,
    /// Not placed: several places fit equally well.
    Ambiguous,
}

/// The outcome of re-anchoring one selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchoring {
    pub status: AnchorStatus,
    /// Code points `[start, end)` in the new text; `None` when orphaned or
    /// ambiguous (the highlight keeps its quote and stays visible).
    pub span: Option<Span>,
    /// Why the highlight is not simply where it was, for the user.
    pub reason: Option<String>,
    /// How well the chosen place matched, 0 to 1 (moved, fuzzy, ambiguous).
    pub score: Option<f32>,
}

impl Anchoring {
    fn placed(status: AnchorStatus, span: Span, reason: Option<&str>, score: Option<f32>) -> Self {
        Anchoring { status, span: Some(span), reason: reason.map(str::to_owned), score }
    }

    fn unplaced(status: AnchorStatus, reason: &str, score: Option<f32>) -> Self {
        Anchoring { status, span: None, reason: Some(reason.to_owned()), score }
    }
}

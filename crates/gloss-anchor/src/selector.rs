//! Selector description: what Gloss stores to find a highlight again.
//!
//! A [`Selector`] is a W3C TextQuoteSelector (the quote and ~32 code points
//! of context either side) and TextPositionSelector (code point offsets)
//! taken on one version of an episode's canonical text.

use serde::{Deserialize, Serialize};

use gloss_parse::model::{Episode, CANONICAL_TEXT_VERSION};

/// Code points of context kept on each side of a quote.
pub const CONTEXT_LEN: usize = 32;

/// A range of code points `[start, end)` in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Where a highlight was, and what it said, on the text it was made on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    /// The highlighted text itself.
    pub exact: String,
    /// Up to [`CONTEXT_LEN`] code points before the quote.
    pub prefix: String,
    /// Up to [`CONTEXT_LEN`] code points after the quote.
    pub suffix: String,
    /// Code point offsets of the quote in the canonical text.
    pub start: usize,
    pub end: usize,
    /// Key of the block the quote starts in (`s2.i1.body`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_key: Option<String>,
    /// [`CANONICAL_TEXT_VERSION`] of the text the offsets count in.
    pub text_version: u32,
}

/// Why a range can not be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("the selection is empty; select at least one character")]
    Empty,
    #[error("the selection starts at {start} but ends before it, at {end}")]
    Reversed { start: usize, end: usize },
    #[error("the selection ends at {end}, past the end of the text ({len} characters)")]
    PastEnd { end: usize, len: usize },
}

/// Describes the code point range `[start, end)` of `text` as a selector.
/// `block_key` is left empty; [`describe_in_episode`] fills it.
pub fn describe(text: &str, start: usize, end: usize) -> Result<Selector, RangeError> {
    let chars: Vec<char> = text.chars().collect();
    describe_chars(&chars, Span { start, end })
}

/// Like [`describe`], over an episode's canonical text, with the key of the
/// block the selection starts in.
pub fn describe_in_episode(episode: &Episode, start: usize, end: usize) -> Result<Selector, RangeError> {
    let mut selector = describe(&episode.canonical_text(), start, end)?;
    selector.block_key =
        episode.blocks().into_iter().find(|b| b.start <= start && start < b.start + b.len).map(|b| b.key);
    Ok(selector)
}

/// Like [`describe`], over a text already split into code points, for
/// callers that describe many ranges of one text.
pub fn describe_chars(chars: &[char], span: Span) -> Result<Selector, RangeError> {
    let Span { start, end } = span;
    if start > end {
        return Err(RangeError::Reversed { start, end });
    }
    if end > chars.len() {
        return Err(RangeError::PastEnd { end, len: chars.len() });
    }
    if start == end {
        return Err(RangeError::Empty);
    }
    let collect = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    Ok(Selector {
        exact: collect(start, end),
        prefix: collect(start.saturating_sub(CONTEXT_LEN), start),
        suffix: collect(end, (end + CONTEXT_LEN).min(chars.len())),
        start,
        end,
        block_key: None,
        text_version: CANONICAL_TEXT_VERSION,
    })
}

impl Selector {
    /// The stored position, if it can be trusted at all: taken on the current
    /// canonical-text version, non-empty, and as long as the quote. Corrupt
    /// or foreign selectors are still found by their quote.
    pub(crate) fn stored_span(&self) -> Option<Span> {
        let consistent = self.text_version == CANONICAL_TEXT_VERSION
            && self.start < self.end
            && self.end - self.start == self.exact.chars().count();
        consistent.then_some(Span { start: self.start, end: self.end })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gloss_parse::model::{DocKind, Insight, Section};

    #[test]
    fn describes_quote_context_and_position_in_code_points() {
        let s = describe("ab🧠cd", 2, 4).unwrap();
        assert_eq!((s.exact.as_str(), s.prefix.as_str(), s.suffix.as_str()), ("🧠c", "ab", "d"));
        assert_eq!((s.start, s.end, s.text_version), (2, 4, CANONICAL_TEXT_VERSION));
    }

    #[test]
    fn context_is_capped() {
        let text = "x".repeat(100);
        let s = describe(&text, 50, 51).unwrap();
        assert_eq!(s.prefix.chars().count(), CONTEXT_LEN);
        assert_eq!(s.suffix.chars().count(), CONTEXT_LEN);
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert_eq!(describe("abc", 2, 1), Err(RangeError::Reversed { start: 2, end: 1 }));
        assert_eq!(describe("abc", 1, 9), Err(RangeError::PastEnd { end: 9, len: 3 }));
        assert_eq!(describe("abc", 1, 1), Err(RangeError::Empty));
    }

    #[test]
    fn episode_selectors_carry_the_block_key() {
        let mut e = Episode::empty(DocKind::Summary);
        e.title = Some("Title".into());
        e.sections.push(Section {
            emoji: None,
            title: "Minds".into(),
            insights: vec![Insight { title: "One".into(), body: "Body text".into() }],
        });
        let start = e.canonical_text().find("Body").unwrap();
        let s = describe_in_episode(&e, start, start + 4).unwrap();
        assert_eq!(s.block_key.as_deref(), Some("s1.i1.body"));
    }

    #[test]
    fn inconsistent_positions_are_not_trusted() {
        let mut s = describe("abcdef", 1, 3).unwrap();
        assert_eq!(s.stored_span(), Some(Span { start: 1, end: 3 }));
        s.end = 5;
        assert_eq!(s.stored_span(), None);
        s.end = 3;
        s.text_version += 1;
        assert_eq!(s.stored_span(), None);
    }
}

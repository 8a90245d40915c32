//! Scoring a candidate place for a quote: how well the quote matches there,
//! how well the stored prefix and suffix match the text around it, and,
//! when the previous text is known, where the passage came from.

use super::approx::edit_distance;
use super::diff::{DiffMap, Provenance};
use super::normalize::{normalize, NormText};
use super::selector::{Selector, Span, CONTEXT_LEN};

/// Context agreement below this is no evidence at all: two unrelated English
/// snippets of 32 code points are typically 0.3 to 0.45 similar.
const MIN_CONTEXT: f32 = 0.6;
/// ... unless one side alone, at least [`MIN_SIDE_LEN`] long, agrees this
/// well (a paragraph moved: the text before the quote came along, the text
/// after it did not).
const MIN_ONE_SIDE: f32 = 0.9;
const MIN_SIDE_LEN: usize = 8;

/// Hypothesis's weights (quote 50, prefix + suffix 40); position only breaks
/// ties and never counts towards a margin.
const QUOTE_WEIGHT: f32 = 50.0;
const CONTEXT_WEIGHT: f32 = 40.0;

/// One selector's search through one new text.
pub(crate) struct Search<'a> {
    pub text: &'a NormText,
    pub quote: Vec<char>,
    prefix: Vec<char>,
    suffix: Vec<char>,
    /// The diff from the previous text and the quote's place in it, if known.
    pub diff: Option<&'a DiffMap>,
    pub original: Option<(usize, usize)>,
    /// Where the quote is expected, in normalised code points.
    pub hint: usize,
}

/// A possible place for the quote, in normalised code points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    /// The same place in the real text.
    pub raw: Span,
    /// 1 for the exact quote, less by the share of edits.
    pub quote: f32,
    /// Agreement of the stored prefix and suffix with the text around it.
    pub context: f32,
    /// The better of the prefix and suffix agreements, for sides long enough.
    best_side: f32,
    pub provenance: Option<Provenance>,
    pub score: f32,
    distance_from_hint: usize,
}

impl Candidate {
    pub fn is_lookalike(&self) -> bool {
        self.provenance.is_some_and(|p| p.is_lookalike())
    }

    pub fn is_original(&self) -> bool {
        self.provenance.is_some_and(|p| p.is_original())
    }

    /// Whether the context is evidence that this is the quote's place.
    pub fn context_supports(&self) -> bool {
        self.context >= MIN_CONTEXT || self.best_side >= MIN_ONE_SIDE
    }

    /// Whether the context all but equals the stored one, on both sides
    /// together: evidence even where the quote says little by itself.
    pub fn context_confirms(&self) -> bool {
        self.context >= MIN_ONE_SIDE
    }

    pub fn overlaps(&self, other: &Candidate) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Best first: higher score, then nearer the expected place.
    pub fn rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
        b.score.total_cmp(&a.score).then(a.distance_from_hint.cmp(&b.distance_from_hint))
    }
}

impl<'a> Search<'a> {
    pub fn new(
        text: &'a NormText,
        selector: &Selector,
        diff: Option<&'a DiffMap>,
        original: Option<(usize, usize)>,
        hint: usize,
    ) -> Self {
        let prefix = normalize(&selector.prefix);
        let suffix = normalize(&selector.suffix);
        Search {
            text,
            quote: normalize(&selector.exact),
            prefix: prefix[prefix.len().saturating_sub(CONTEXT_LEN)..].to_vec(),
            suffix: suffix[..suffix.len().min(CONTEXT_LEN)].to_vec(),
            diff,
            original,
            hint,
        }
    }

    /// Scores the place `[start, end)` found with `errors` edits; `None` if
    /// it does not correspond to a range of the real text.
    pub fn candidate(&self, start: usize, end: usize, errors: usize) -> Option<Candidate> {
        let (raw_start, raw_end) = self.text.to_raw(start, end)?;
        let chars = &self.text.chars;
        let before = &chars[start.saturating_sub(self.prefix.len()).min(start)..start.min(chars.len())];
        let after = &chars[end.min(chars.len())..(end + self.suffix.len()).min(chars.len())];
        let weight = (self.prefix.len() + self.suffix.len()) as f32;
        let (p, s) = (similarity(&self.prefix, before), similarity(&self.suffix, after));
        let context =
            if weight == 0.0 { 1.0 } else { (p * self.prefix.len() as f32 + s * self.suffix.len() as f32) / weight };
        let side = |sim: f32, stored: &[char]| if stored.len() >= MIN_SIDE_LEN { sim } else { 0.0 };
        let best_side = side(p, &self.prefix).max(side(s, &self.suffix));
        let quote = 1.0 - errors as f32 / self.quote.len().max(1) as f32;
        Some(Candidate {
            start,
            end,
            raw: Span { start: raw_start, end: raw_end },
            quote,
            context,
            best_side,
            provenance: self.diff.map(|d| d.provenance(start, end, self.original)),
            score: (QUOTE_WEIGHT * quote + CONTEXT_WEIGHT * context) / (QUOTE_WEIGHT + CONTEXT_WEIGHT),
            distance_from_hint: start.abs_diff(self.hint),
        })
    }
}

/// Similarity of two short strings: 1 when equal, 0 when nothing is shared.
fn similarity(a: &[char], b: &[char]) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - edit_distance(a, b) as f32 / longest as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::describe;

    #[test]
    fn context_agreement_prefers_the_original_surroundings() {
        let old = "Alpha says the plan works. Beta says the plan fails.";
        let s = describe(old, 11, 19).unwrap(); // first "the plan"
        let new = NormText::new(old);
        let search = Search::new(&new, &s, None, None, 11);
        let here = search.candidate(11, 19, 0).unwrap();
        let there = search.candidate(37, 45, 0).unwrap();
        assert!(here.context > 0.99);
        assert!(here.context_supports());
        assert!(!there.context_supports(), "{}", there.context);
        assert_eq!(Candidate::rank(&here, &there), std::cmp::Ordering::Less);
    }

    #[test]
    fn edits_lower_the_quote_score() {
        let s = describe("a quick brown fox", 2, 17).unwrap();
        let new = NormText::new("a quick brown cat");
        let c = Search::new(&new, &s, None, None, 0).candidate(2, 17, 3).unwrap();
        assert!((c.quote - 0.8).abs() < 1e-6);
    }
}

//! Stage 4, approximate match: the quote with a few edits, accepted only
//! when it is clearly the same passage.
//!
//! Hypothesis takes the lowest-error match with no minimum and no margin,
//! which lets an unedited look-alike capture a highlight whose original was
//! edited. Here a match must be long enough, close enough in length, score
//! well, agree with its context (or be, by the diff, the original passage
//! itself), and beat every other place by a clear margin.

use std::collections::BTreeMap;

use super::approx::search;
use super::candidate::{Candidate, Search};

/// Shorter quotes are too common to place by approximation.
pub(crate) const MIN_FUZZY_LEN: usize = 12;
/// At most this share of the quote may be edited.
const MAX_ERROR_RATE: f32 = 0.25;
/// A match may be this much shorter or longer than the quote.
const MIN_LENGTH_RATIO: f32 = 0.75;
const MAX_LENGTH_RATIO: f32 = 1.33;
pub(crate) const MIN_SCORE: f32 = 0.75;
/// The best place must beat every other place by this much.
pub(crate) const MARGIN: f32 = 0.1;

/// What the approximate search found.
pub(crate) enum Fuzzy {
    Found(Candidate),
    /// Several places match about equally well.
    Ambiguous {
        count: usize,
        best: Candidate,
    },
    NotFound,
}

/// Stage 4.
pub(crate) fn search_fuzzy(s: &Search) -> Fuzzy {
    if s.quote.len() < MIN_FUZZY_LEN {
        return Fuzzy::NotFound;
    }
    let candidates = near_matches(s);
    let Some(best) = candidates.first().copied() else { return Fuzzy::NotFound };
    let acceptable = best.score >= MIN_SCORE && (best.context_supports() || best.is_original());
    if !acceptable {
        return Fuzzy::NotFound;
    }
    match close_rivals(&best, &candidates[1..]) {
        0 => Fuzzy::Found(best),
        rivals => Fuzzy::Ambiguous { count: rivals + 1, best },
    }
}

/// How many other places (not overlapping `best` or each other) score
/// within the margin of `best`.
pub(crate) fn close_rivals(best: &Candidate, others: &[Candidate]) -> usize {
    let mut rivals: BTreeMap<usize, Candidate> = BTreeMap::new();
    for c in others {
        if c.score + MARGIN > best.score && !c.overlaps(best) && !overlaps_any(&rivals, c) {
            rivals.insert(c.start, *c);
        }
    }
    rivals.len()
}

/// Every place where the quote occurs with at most a quarter of it edited
/// and about its length, best first, leaving out unedited look-alikes of
/// other passages. The exact occurrences are among them, with no errors.
pub(crate) fn near_matches(s: &Search) -> Vec<Candidate> {
    let len = s.quote.len();
    let max_errors = (len as f32 * MAX_ERROR_RATE) as usize;
    let mut candidates: Vec<Candidate> = search(&s.quote, &s.text.chars, max_errors, s.text.grams())
        .into_iter()
        .filter(|m| {
            let ratio = (m.end - m.start) as f32 / len as f32;
            (MIN_LENGTH_RATIO..=MAX_LENGTH_RATIO).contains(&ratio)
        })
        .filter_map(|m| s.candidate(m.start, m.end, m.errors))
        .filter(|c| !c.is_lookalike())
        .collect();
    candidates.sort_by(Candidate::rank);
    candidates
}

/// Whether `c` overlaps one of `rivals`, which do not overlap each other:
/// ordered by start, their ends are ordered too, so only the last one
/// starting before `c` ends can reach into it. (Checking every rival made
/// a repetitive text with thousands of equal places quadratic.)
fn overlaps_any(rivals: &BTreeMap<usize, Candidate>, c: &Candidate) -> bool {
    rivals.range(..c.end).next_back().is_some_and(|(_, r)| r.overlaps(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffMap;
    use crate::normalize::NormText;
    use crate::selector::describe;

    const OLD: &str = "Intro line here. The committee approved the budget on Monday. Then lunch. \
                       Later, the committee approved the budget on Monday. Fin.";

    #[test]
    fn finds_a_lightly_edited_quote_in_its_context() {
        let s = describe("Intro here. The committee approved the budget on Monday. The end.", 12, 56).unwrap();
        let new = NormText::new("Intro here. The committee approved the new budget on Monday. The end.");
        match search_fuzzy(&Search::new(&new, &s, None, None, 12)) {
            Fuzzy::Found(c) => assert_eq!((c.start, c.end), (12, 60)),
            _ => panic!("should find the edited quote"),
        }
    }

    #[test]
    fn unedited_lookalike_never_captures_an_edited_original() {
        // The first copy is rewritten beyond recognition; the second is untouched.
        let s = describe(OLD, 17, 61).unwrap();
        let new_text =
            OLD.replacen("The committee approved the budget on Monday.", "Nobody voted at all that week.", 1);
        let (old, new) = (NormText::new(OLD), NormText::new(&new_text));
        let diff = DiffMap::new(&old.chars, &new.chars);
        let search = Search::new(&new, &s, Some(&diff), Some((17, 61)), 17);
        assert!(matches!(search_fuzzy(&search), Fuzzy::NotFound));
    }

    #[test]
    fn thousands_of_equal_places_are_counted_in_one_pass() {
        // Regression (hostile corpus): a repetitive text gave thousands of
        // equally good places, each checked against all the others.
        let s = describe(&"The committee approved the budget on Monday. ".repeat(3), 45, 89).unwrap();
        let new = NormText::new(&"The committee approved the budgets on Monday. ".repeat(20_000));
        match search_fuzzy(&Search::new(&new, &s, None, None, 45)) {
            // All but the first and last copies, which lack half their context.
            Fuzzy::Ambiguous { count, .. } => assert_eq!(count, 19_998),
            _ => panic!("every copy fits equally well"),
        }
    }

    #[test]
    fn short_quotes_are_not_approximated() {
        let s = describe("a big cat", 2, 9).unwrap();
        let new = NormText::new("a big bat");
        assert!(matches!(search_fuzzy(&Search::new(&new, &s, None, None, 2)), Fuzzy::NotFound));
    }
}

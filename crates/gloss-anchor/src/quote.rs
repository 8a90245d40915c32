//! Stage 3, exact quote search with prefix/suffix scoring, and the quote
//! lookup behind `gloss highlight --quote`.

use super::candidate::{Candidate, Search};
use super::normalize::{normalize, NormText};
use super::selector::Span;

/// A context must beat the runner-up's by this much to pick one of several
/// exact occurrences.
const CONTEXT_MARGIN: f32 = 0.15;

/// Quotes at least this long, found verbatim in text that is new since the
/// previous version, moved there even if their surroundings changed.
const LONG_QUOTE: usize = 24;

/// Why a quote could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the quote is empty or only spaces; give the text to highlight")]
    Empty,
    #[error("the quote does not appear in the text; check it against the episode")]
    NotFound,
    #[error("the quote appears {count} times; choose an occurrence from 1 to {count}")]
    Ambiguous { count: usize },
    #[error("there is no occurrence {occurrence}: the quote appears {count} times")]
    NoSuchOccurrence { occurrence: usize, count: usize },
}

/// Finds `quote` in `text`, ignoring differences of whitespace, quote marks
/// and Unicode form. `occurrence` (1-based) picks one of several.
pub fn find_quote(text: &str, quote: &str, occurrence: Option<usize>) -> Result<Span, QuoteError> {
    let found = quote_spans(text, quote)?;
    match (found.as_slice(), occurrence) {
        ([only], None) => Ok(*only),
        (_, None) => Err(QuoteError::Ambiguous { count: found.len() }),
        (_, Some(k)) => k
            .checked_sub(1)
            .and_then(|i| found.get(i).copied())
            .ok_or(QuoteError::NoSuchOccurrence { occurrence: k, count: found.len() }),
    }
}

/// Every place of `quote` in `text` (as [`find_quote`] matches it), in
/// order, found in one pass: an importer choosing among thousands of
/// occurrences of a short quote asks once, not once per occurrence.
pub fn quote_spans(text: &str, quote: &str) -> Result<Vec<Span>, QuoteError> {
    let needle = normalize(quote);
    if needle.iter().all(|&c| c == ' ') {
        return Err(QuoteError::Empty);
    }
    let text = NormText::new(text);
    let found: Vec<Span> = occurrences(&text, &needle)
        .into_iter()
        .filter_map(|s| text.to_raw(s, s + needle.len()))
        .map(|(start, end)| Span { start, end })
        .collect();
    if found.is_empty() {
        return Err(QuoteError::NotFound);
    }
    Ok(found)
}

/// Start of every (possibly overlapping) occurrence of `needle` in `text`,
/// in order: only the places where the needle's rarest q-gram occurs are
/// compared, so a quote costs its few candidates, not a pass over the text
/// (which, with a first-character filter, compared at every common letter).
pub(crate) fn occurrences(text: &NormText, needle: &[char]) -> Vec<usize> {
    let hay = &text.chars;
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    let matches_at = |i: usize| hay[i..].starts_with(needle);
    match text.grams().rarest(needle) {
        Some((offset, places)) => places
            .iter()
            .filter_map(|&at| (at as usize).checked_sub(offset))
            .filter(|&i| i + needle.len() <= hay.len() && matches_at(i))
            .collect(),
        None => (0..=hay.len() - needle.len()).filter(|&i| matches_at(i)).collect(),
    }
}

/// What the exact search found.
pub(crate) enum Exact {
    /// One occurrence is clearly the quote's new place.
    Found(Candidate),
    /// Nothing decided; `viable` occurrences were not look-alikes,
    /// `lookalikes` were unedited passages that were there before.
    Undecided { viable: usize, lookalikes: usize },
}

/// Stage 3: the quote verbatim (after normalisation), unique or clearly best
/// by its context, and never an unedited look-alike of another passage.
pub(crate) fn search_exact(search: &Search) -> Exact {
    let found: Vec<Candidate> = occurrences(search.text, &search.quote)
        .into_iter()
        .filter_map(|s| search.candidate(s, s + search.quote.len(), 0))
        .collect();
    let mut viable: Vec<Candidate> = found.iter().filter(|c| !c.is_lookalike()).copied().collect();
    let lookalikes = found.len() - viable.len();
    viable.sort_by(Candidate::rank);
    let supported = |c: &Candidate| {
        c.context_supports() || c.is_original() || (search.original.is_some() && search.quote.len() >= LONG_QUOTE)
    };
    let decided = match viable.as_slice() {
        [only] if supported(only) => Some(*only),
        [best, second, ..] if best.context_supports() && best.context - second.context >= CONTEXT_MARGIN => Some(*best),
        many => {
            let mut originals = many.iter().filter(|c| c.is_original());
            match (originals.next(), originals.next()) {
                (Some(only), None) => Some(*only),
                _ => None,
            }
        }
    };
    match decided {
        Some(c) => Exact::Found(c),
        None => Exact::Undecided { viable: viable.len(), lookalikes },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selector::describe;

    #[test]
    fn finds_unique_quotes_across_normalisation_differences() {
        assert_eq!(find_quote("He said “it’s fine”.", "\"it's fine\"", None), Ok(Span { start: 8, end: 19 }));
        assert_eq!(find_quote("a\r\nb", "a b", None), Ok(Span { start: 0, end: 4 }));
    }

    #[test]
    fn reports_missing_ambiguous_and_bad_occurrences() {
        let text = "the cat and the cat";
        assert_eq!(find_quote(text, "dog", None), Err(QuoteError::NotFound));
        assert_eq!(find_quote(text, "  ", None), Err(QuoteError::Empty));
        assert_eq!(find_quote(text, "the cat", None), Err(QuoteError::Ambiguous { count: 2 }));
        assert_eq!(find_quote(text, "the cat", Some(2)), Ok(Span { start: 12, end: 19 }));
        assert_eq!(find_quote(text, "the cat", Some(3)), Err(QuoteError::NoSuchOccurrence { occurrence: 3, count: 2 }));
        assert!(find_quote(text, "the cat", Some(0)).is_err());
    }

    #[test]
    fn occurrences_overlap() {
        let hay = NormText::new("aaaa");
        assert_eq!(occurrences(&hay, &['a', 'a']), vec![0, 1, 2]);
        assert_eq!(occurrences(&hay, &['a', 'a', 'a']), vec![0, 1]);
        assert!(occurrences(&hay, &[]).is_empty());
    }

    #[test]
    fn picks_the_occurrence_whose_context_matches() {
        let old = "Alpha says the plan works well. Beta says the plan fails badly.";
        let s = describe(old, 42, 50).unwrap(); // second "the plan"
        let new = NormText::new(&format!("Intro. {old}"));
        let search = Search::new(&new, &s, None, None, 42);
        match search_exact(&search) {
            Exact::Found(c) => assert_eq!((c.start, c.end), (49, 57)),
            Exact::Undecided { .. } => panic!("should pick the second occurrence"),
        }
    }
}

//! The last word on an exact place (stages 1 to 3): a copy of the quote
//! that the edit itself made does not take the highlight from the edited
//! original.
//!
//! The look-alike guard (`diff`'s provenance) knows only copies that were
//! in the previous text. One edit can both change the highlighted passage
//! a little (a word, a comma) and insert the old wording elsewhere, in
//! other surroundings. The inserted copy is then the only verbatim match;
//! it is new text, so nothing marks it as a look-alike, and the diff may
//! even pair it with the original passage (when it lies next to it, the
//! copy shares more words with the old passage than the edited passage
//! does). Its context is the tell: neither the stored prefix nor the
//! stored suffix is around it, while the edited passage, a near match of
//! the quote, still sits between them.
//!
//! So an exact place whose context gives no support is contested by the
//! near matches whose context does. The near match wins, as a fuzzy match
//! for the user to confirm, when it passes the approximate stage's bar
//! (score, and margin over the exact copy and every other place); when it
//! does not, neither reading is clearly right and the highlight is
//! ambiguous. With no near match in the quote's context, the exact place
//! stands: a paragraph that moved keeps its highlight even though its
//! surroundings changed.
//!
//! A quote too short to be placed by approximation (see `fuzzy`) has near
//! matches everywhere (`the` is one letter from `she`, `then`, `he`), and
//! one side of context around one of them is no evidence. So for it only a
//! near match whose context all but equals the stored one, on both sides,
//! contests the copy, and never wins: the highlight is ambiguous.

use super::candidate::{Candidate, Search};
use super::fuzzy::{close_rivals, near_matches, MARGIN, MIN_FUZZY_LEN, MIN_SCORE};

/// What became of an exact place.
pub(crate) enum Contest {
    /// No near match in the quote's context: the exact place stands.
    Stands,
    /// The edited passage in the quote's context, clearly.
    Edited(Candidate),
    /// A near match in the quote's context, but not clearly better than
    /// the exact copy or other places.
    Ambiguous { best: Candidate },
}

/// Checks the exact place `exact` against the near matches of the quote.
pub(crate) fn contest(search: &Search, exact: &Candidate) -> Contest {
    if exact.context_supports() {
        return Contest::Stands;
    }
    let long = search.quote.len() >= MIN_FUZZY_LEN;
    let placed_by_context = |c: &Candidate| if long { c.context_supports() } else { c.context_confirms() };
    let near = near_matches(search);
    let mut in_context = near.iter().filter(|c| placed_by_context(c) && !c.overlaps(exact));
    let Some(best) = in_context.next().copied() else { return Contest::Stands };
    let others: Vec<Candidate> = near.iter().filter(|c| !c.overlaps(&best)).copied().collect();
    let clear =
        long && best.score >= MIN_SCORE && best.score >= exact.score + MARGIN && close_rivals(&best, &others) == 0;
    if clear {
        Contest::Edited(best)
    } else {
        Contest::Ambiguous { best }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffMap;
    use crate::normalize::NormText;
    use crate::quote::occurrences;
    use crate::selector::describe;

    const BEFORE: &str = "A lab with a modest model but a loyal community can outrun a frontier lab. ";
    const QUOTE: &str = "Open weights let anyone audit the model before trusting it.";
    const AFTER: &str = " The hosts cite three startups that grew this way in under a year.";

    /// The exact copy's candidate, and the search, for a new text holding
    /// one verbatim copy of the quote.
    fn exact_copy_in(new: &NormText, old: &str, keep_old: bool, test: impl FnOnce(&Search, &Candidate)) {
        let start = BEFORE.chars().count();
        let selector = describe(old, start, start + QUOTE.chars().count()).unwrap();
        let old = NormText::new(old);
        let diff = DiffMap::new(&old.chars, &new.chars);
        let quote: Vec<char> = QUOTE.chars().collect();
        let [at] = occurrences(new, &quote)[..] else { panic!("one copy") };
        let search = if keep_old {
            Search::new(new, &selector, Some(&diff), Some((start, start + quote.len())), start)
        } else {
            Search::new(new, &selector, None, None, start)
        };
        let exact = search.candidate(at, at + quote.len(), 0).unwrap();
        test(&search, &exact);
    }

    #[test]
    fn an_edited_original_in_its_context_beats_a_copy_out_of_it() {
        let old = format!("{BEFORE}{QUOTE}{AFTER}");
        let edited = QUOTE.replace("anyone", "anybody");
        let new = NormText::new(&format!("{BEFORE}{edited}{AFTER}\n\nCritics wrote: {QUOTE} Nobody agreed with that."));
        for keep_old in [true, false] {
            exact_copy_in(&new, &old, keep_old, |search, exact| match contest(search, exact) {
                Contest::Edited(c) => assert_eq!(c.start, BEFORE.chars().count()),
                _ => panic!("the edited original should win"),
            });
        }
    }

    #[test]
    fn a_copy_in_the_quotes_context_stands() {
        let old = format!("{BEFORE}{QUOTE}{AFTER}");
        let new = NormText::new(&format!("Intro.\n\n{BEFORE}{QUOTE}{AFTER}"));
        exact_copy_in(&new, &old, true, |search, exact| assert!(matches!(contest(search, exact), Contest::Stands)));
    }

    #[test]
    fn a_moved_quote_with_no_edited_original_stands() {
        let old = format!("{BEFORE}{QUOTE}{AFTER}");
        let new = NormText::new(&format!("{BEFORE}{AFTER}\n\nCritics wrote: {QUOTE} Nobody agreed with that."));
        exact_copy_in(&new, &old, true, |search, exact| assert!(matches!(contest(search, exact), Contest::Stands)));
    }

    #[test]
    fn a_heavily_edited_original_leaves_both_readings_open() {
        // Two words of the quote changed and the sentence after it rewritten:
        // the prefix still places the edited passage, but not clearly.
        let old = format!("{BEFORE}{QUOTE}{AFTER}");
        let edited = QUOTE.replace("anyone audit", "everybody check");
        let new = NormText::new(&format!(
            "{BEFORE}{edited} Three startups did so within a year.\n\nCritics wrote: {QUOTE} Nobody agreed with that."
        ));
        exact_copy_in(&new, &old, true, |search, exact| match contest(search, exact) {
            Contest::Ambiguous { best } => assert_eq!(best.start, BEFORE.chars().count()),
            Contest::Edited(c) => panic!("edited {} {} {}", c.score, c.quote, exact.score),
            Contest::Stands => panic!("stands"),
        });
    }
}

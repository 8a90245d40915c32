//! The re-anchoring pipeline: runs each selector through the stages in
//! order and says what happened, in words a user understands.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::candidate::{Candidate, Search};
use super::contest::{contest, Contest};
use super::diff::DiffMap;
use super::fuzzy::{search_fuzzy, Fuzzy};
use super::normalize::{normalize, NormText};
use super::quote::{occurrences, search_exact, Exact};
use super::selector::{Selector, Span};
use super::{position, AnchorStatus, Anchoring};

const NORMALISED: &str = "ignoring differences in spacing, quote marks or Unicode form";

/// Re-anchors every selector on `new_text`. `old_text` is the canonical text
/// the selectors were last anchored on, if kept: with it, edits are followed
/// through a diff (computed once for all selectors) and unedited look-alike
/// passages are told apart from the edited original. Returns one
/// [`Anchoring`] per selector, in order.
pub fn reanchor(old_text: Option<&str>, new_text: &str, selectors: &[Selector]) -> Vec<Anchoring> {
    let new = NormText::new(new_text);
    let old = old_text.map(NormText::new);
    let diff = old.as_ref().map(|old| DiffMap::new(&old.chars, &new.chars));
    selectors.iter().map(|s| reanchor_one(s, old.as_ref(), diff.as_ref(), &new)).collect()
}

fn reanchor_one(selector: &Selector, old: Option<&NormText>, diff: Option<&DiffMap>, new: &NormText) -> Anchoring {
    let quote = normalize(&selector.exact);
    if quote.is_empty() {
        // Nothing to search for: no text, or only invisible characters (a
        // lone word joiner). Those are still where they were if the text
        // did not change.
        let unchanged = old.is_none_or(|old| old.raw == new.raw);
        if let Some(span) = position::check(new, selector).filter(|_| unchanged) {
            return Anchoring::placed(AnchorStatus::Anchored, span, None, None);
        }
        return Anchoring::unplaced(AnchorStatus::Orphaned, "the highlight has no visible text to look for", None);
    }
    // The diff helps only when we know where the quote was in the old text.
    let (diff, located) = match (diff, old.and_then(|old| locate_original(selector, old))) {
        (Some(diff), Some(located)) => (Some(diff), Some(located)),
        _ => (None, None),
    };
    let original = located.map(|o| o.span);
    let hint = match (diff, original) {
        (Some(diff), Some((start, _))) => diff.new_position_of(start),
        _ => new.offset_from_raw(selector.start),
    };
    // With a diff, text at the old position counts only if it is the
    // original passage, not something new or moved there that reads alike.
    let is_original = |span: Span| match (diff, new.norm_span_of_raw(span.start, span.end)) {
        (Some(d), Some((s, e))) => d.provenance(s, e, original).is_original(),
        (Some(_), None) => false,
        (None, _) => true,
    };

    let search = Search::new(new, selector, diff, original, hint);

    // 1. The stored position still holds the quote.
    if let Some(span) = position::check(new, selector).filter(|&span| is_original(span)) {
        return settle(&search, span, || Anchoring::placed(AnchorStatus::Anchored, span, None, None));
    }
    // 2. The diff carries the position through the edits.
    if let (Some(diff), Some(located), Some(old)) = (diff, located, old) {
        let (start, end) = located.span;
        if let Some((s, e)) = diff.map_span(start, end) {
            let same_quote = new.chars[s..e] == quote[..];
            let same_passage = new.chars[s..e] == old.chars[start..end];
            if let Some((rs, re)) = new.to_raw(s, e).filter(|_| same_quote || same_passage) {
                let mapped = Span { start: rs, end: re };
                let span = match trim_back(old, new, selector, &located, mapped) {
                    Some(span) => Some(span),
                    // Whole units only: a highlight inside one (a `\n` of a
                    // run the edit split) can not be told apart from its
                    // neighbours there.
                    None if same_quote && located.inner == located.outer => Some(mapped),
                    None => None,
                };
                if let Some(span) = span {
                    return settle(&search, span, || place(new, selector, AnchorStatus::Anchored, span, None, None));
                }
            }
        }
    }
    // 3. The quote, verbatim, elsewhere.
    let (viable, lookalikes) = match search_exact(&search) {
        Exact::Found(c) => {
            let stored = Span { start: selector.start, end: selector.end };
            // Found by search, but the original passage itself: still anchored.
            let (status, reason) = if c.raw == stored || c.is_original() {
                (AnchorStatus::Anchored, None)
            } else {
                (AnchorStatus::Moved, Some("the quoted text moved"))
            };
            return settle(&search, c.raw, || place(new, selector, status, c.raw, reason, Some(c.score)));
        }
        Exact::Undecided { viable, lookalikes } => (viable, lookalikes),
    };
    // 4. The quote with a few edits.
    match search_fuzzy(&search) {
        Fuzzy::Found(c) => return fuzzy(c),
        Fuzzy::Ambiguous { count, best } => {
            let reason = format!("the quote matches {count} places about equally well");
            return Anchoring::unplaced(AnchorStatus::Ambiguous, &reason, Some(best.score));
        }
        Fuzzy::NotFound => {}
    }
    // 5. Nowhere safe.
    if viable >= 2 {
        let reason = format!("the quote now appears {viable} times");
        return Anchoring::unplaced(AnchorStatus::Ambiguous, &reason, None);
    }
    Anchoring::unplaced(AnchorStatus::Orphaned, &orphan_reason(diff, original, viable, lookalikes), None)
}

/// The answer for an exact place found by stages 1 to 3 (`placed` gives
/// it), unless a near match in the quote's context contests it
/// (see `contest`): then that near match, or, when neither is clearly
/// right, no place.
fn settle(search: &Search, span: Span, placed: impl FnOnce() -> Anchoring) -> Anchoring {
    let exact =
        search.text.norm_span_of_raw(span.start, span.end).and_then(|(start, end)| search.candidate(start, end, 0));
    match exact.map(|exact| contest(search, &exact)) {
        None | Some(Contest::Stands) => placed(),
        Some(Contest::Edited(c)) => fuzzy(c),
        Some(Contest::Ambiguous { best }) => Anchoring::unplaced(AnchorStatus::Ambiguous, CONTESTED, Some(best.score)),
    }
}

const CONTESTED: &str =
    "the quote appears elsewhere out of its context, and an edited version of it is still in its context";

/// Where a highlight was in the previous text.
#[derive(Clone, Copy)]
struct Original {
    /// In normalised code points.
    span: (usize, usize),
    /// The raw code points `span` covers, and the highlight's own, which may
    /// be less (one `\n` of a `\n\n` run; `cafe` without its accent).
    outer: Span,
    inner: Span,
}

/// Where the selector's quote was in the previous text: its stored position
/// if that still checks, else its only occurrence or the one its context
/// clearly picks.
fn locate_original(selector: &Selector, old: &NormText) -> Option<Original> {
    if let Some(inner) = position::check(old, selector) {
        let span = old.norm_span_of_raw(inner.start, inner.end)?;
        let (start, end) = old.to_raw(span.0, span.1)?;
        // Invisible code points at the highlight's ends belong to no unit.
        let outer = Span { start: start.min(inner.start), end: end.max(inner.end) };
        return Some(Original { span, outer, inner });
    }
    let quote = normalize(&selector.exact);
    let search = Search::new(old, selector, None, None, old.offset_from_raw(selector.start));
    let span = match occurrences(old, &quote).as_slice() {
        [] => return None,
        [only] => (*only, only + quote.len()),
        _ => match search_exact(&search) {
            Exact::Found(c) => (c.start, c.end),
            Exact::Undecided { .. } => return None,
        },
    };
    let (start, end) = old.to_raw(span.0, span.1)?;
    let raw = Span { start, end };
    Some(Original { span, outer: raw, inner: raw })
}

/// The highlight's own raw span inside `mapped`, the new place of the
/// original's whole normalised units: the two raw runs are diffed and the
/// highlight's ends carried through, so one `\n` of a `\n\n` run stays that
/// `\n` even when an insertion lengthened the run. `None` unless the result
/// holds the quote verbatim.
fn trim_back(old: &NormText, new: &NormText, selector: &Selector, original: &Original, mapped: Span) -> Option<Span> {
    let (outer, inner) = (original.outer, original.inner);
    let before = old.raw.get(outer.start..outer.end)?;
    let after = new.raw.get(mapped.start..mapped.end)?;
    let span = if before == after {
        Span {
            start: mapped.start + inner.start.checked_sub(outer.start)?,
            end: mapped.end.checked_sub(outer.end.checked_sub(inner.end)?)?,
        }
    } else {
        let ops = capture_diff_slices(Algorithm::Myers, before, after);
        let carry = |i: usize| {
            ops.iter().find_map(|op| match *op {
                DiffOp::Equal { old_index, new_index, len } if (old_index..old_index + len).contains(&i) => {
                    Some(mapped.start + new_index + (i - old_index))
                }
                _ => None,
            })
        };
        let start = carry(inner.start.checked_sub(outer.start)?)?;
        let end = carry(inner.end.checked_sub(outer.start + 1)?)? + 1;
        Span { start, end }
    };
    new.raw_slice(span.start, span.end).filter(|t| *t == selector.exact).map(|_| span)
}

/// An anchored or moved result, noting when the text there equals the
/// quote only after normalisation.
fn place(
    new: &NormText,
    selector: &Selector,
    status: AnchorStatus,
    span: Span,
    reason: Option<&str>,
    score: Option<f32>,
) -> Anchoring {
    let verbatim = new.raw_slice(span.start, span.end).is_some_and(|text| text == selector.exact);
    let reason = match (reason, verbatim) {
        (reason, true) => reason.map(str::to_owned),
        (Some(reason), false) => Some(format!("{reason}, {NORMALISED}")),
        (None, false) => Some(format!("matched {NORMALISED}")),
    };
    Anchoring { status, span: Some(span), reason, score }
}

fn fuzzy(c: Candidate) -> Anchoring {
    let reason = if c.quote >= 1.0 {
        "the quote was found, but the text around it changed; please confirm the place"
    } else {
        "the quoted text was edited; please confirm the new place"
    };
    Anchoring::placed(AnchorStatus::Fuzzy, c.raw, Some(reason), Some(c.score))
}

fn orphan_reason(diff: Option<&DiffMap>, original: Option<(usize, usize)>, viable: usize, lookalikes: usize) -> String {
    let base = match (diff, original) {
        (Some(diff), Some((start, end))) if diff.kept(start, end) == 0 => "the quoted text was deleted",
        (Some(diff), Some((start, end))) if diff.kept(start, end) * 2 < end - start => "the quoted text was rewritten",
        (Some(_), Some(_)) => "the quoted text was changed too much to place it safely",
        _ if viable == 1 => "the quote appears elsewhere, but not in its original context",
        _ => "the quote no longer appears in the text",
    };
    if lookalikes > 0 {
        format!("{base}; the same words elsewhere belong to another passage")
    } else {
        base.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe;

    #[test]
    fn an_exact_copy_the_edit_inserted_out_of_context_does_not_take_the_highlight() {
        // One edit changes a word of the highlighted sentence and inserts its
        // old wording elsewhere, in other surroundings: before or after it,
        // right next to it, at the start or the end of the text, or twice.
        let (before, after) = ("A lab with a modest model can outrun a frontier lab. ", " Three startups did so.");
        let quote = "Open weights let anyone audit the model before trusting it.";
        let edited = "Open weights let anybody audit the model before trusting it.";
        let elsewhere = "Inference costs dropped by roughly half every quarter last year.";
        let copy = format!("Critics wrote: {quote} Nobody agreed.");
        let old = format!("Title\n\n{before}{quote}{after}\n\n{elsewhere}");
        let start = old[..old.find(quote).unwrap()].chars().count();
        let selector = describe(&old, start, start + quote.chars().count()).unwrap();
        for new in [
            format!("Title\n\n{before}{edited}{after}\n\n{elsewhere} {copy}"),
            format!("{copy}\n\nTitle\n\n{before}{edited}{after}\n\n{elsewhere}"),
            format!("Title\n\n{before}{copy} {edited}{after}\n\n{elsewhere}"),
            format!("Title\n\n{before}{edited} {copy}{after}\n\n{elsewhere}"),
            format!("Title\n\n{before}{edited}{after}\n\n{elsewhere}\n\n{quote}"),
            format!("{quote}\n\nTitle\n\n{before}{edited}{after}\n\n{elsewhere}\n\n{quote}"),
        ] {
            let at = new[..new.find(edited).unwrap()].chars().count();
            for old in [Some(old.as_str()), None] {
                let got = &reanchor(old, &new, std::slice::from_ref(&selector))[0];
                assert_eq!(got.status, AnchorStatus::Fuzzy, "{new}: {:?}", got.reason);
                assert_eq!(got.span, Some(Span { start: at, end: at + edited.chars().count() }), "{new}");
            }
        }
    }

    #[test]
    fn an_invisible_highlight_stays_on_an_unchanged_text_only() {
        // Regression (fuzzing the hostile corpus): a block of one word
        // joiner normalises to nothing, and was orphaned even in place.
        let text = "Title\n\n\u{2060}\n\nBody";
        let selector = describe(text, 7, 8).unwrap();
        for old in [None, Some(text)] {
            let got = &reanchor(old, text, std::slice::from_ref(&selector))[0];
            assert_eq!((got.status, got.span), (AnchorStatus::Anchored, Some(Span { start: 7, end: 8 })));
        }
        let edited = "Title\n\n\u{2060}\n\nBody, edited";
        let got = &reanchor(Some(text), edited, &[selector])[0];
        assert_eq!(got.status, AnchorStatus::Orphaned);
    }
}

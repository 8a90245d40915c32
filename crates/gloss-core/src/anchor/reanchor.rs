//! The re-anchoring pipeline: runs each selector through the stages in
//! order and says what happened, in words a user understands.

use super::candidate::{Candidate, Search};
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
        return Anchoring::unplaced(AnchorStatus::Orphaned, "the highlight has no stored text to look for", None);
    }
    // The diff helps only when we know where the quote was in the old text.
    let (diff, original) = match (diff, old.and_then(|old| locate_original(selector, old))) {
        (Some(diff), Some(original)) => (Some(diff), Some(original)),
        _ => (None, None),
    };
    let hint = match (diff, original) {
        (Some(diff), Some((start, _))) => diff.new_position_of(start),
        _ => new.offset_from_raw(selector.start),
    };
    let is_lookalike = |span: Span| {
        let norm = new.from_raw(span.start, span.end);
        matches!((diff, norm), (Some(d), Some((s, e))) if d.provenance(s, e, original).is_lookalike())
    };

    // 1. The stored position still holds the quote.
    if let Some(span) = position::check(new, selector).filter(|&span| !is_lookalike(span)) {
        return Anchoring::placed(AnchorStatus::Anchored, span, None, None);
    }
    // 2. The diff carries the position through the edits.
    if let (Some(diff), Some((start, end))) = (diff, original) {
        if let Some((s, e)) = diff.map_span(start, end).filter(|&(s, e)| new.chars[s..e] == quote[..]) {
            if let Some(anchoring) = place(new, selector, AnchorStatus::Anchored, s, e, None, None) {
                return anchoring;
            }
        }
    }
    let search = Search::new(new, selector, diff, original, hint);
    // 3. The quote, verbatim, elsewhere.
    let (viable, lookalikes) = match search_exact(&search) {
        Exact::Found(c) => {
            let stored = Span { start: selector.start, end: selector.end };
            let status = match new.to_raw(c.start, c.end) {
                Some((s, e)) if (Span { start: s, end: e }) == stored => AnchorStatus::Anchored,
                _ => AnchorStatus::Moved,
            };
            let reason = (status == AnchorStatus::Moved).then_some("the quoted text moved");
            if let Some(anchoring) = place(new, selector, status, c.start, c.end, reason, Some(c.score)) {
                return anchoring;
            }
            (1, 0)
        }
        Exact::Undecided { viable, lookalikes } => (viable, lookalikes),
    };
    // 4. The quote with a few edits.
    match search_fuzzy(&search) {
        Fuzzy::Found(c) => {
            if let Some(anchoring) = fuzzy(new, c) {
                return anchoring;
            }
        }
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

/// Where the selector's quote was in the previous text: its stored position
/// if that still checks, else its only occurrence or the one its context
/// clearly picks.
fn locate_original(selector: &Selector, old: &NormText) -> Option<(usize, usize)> {
    if let Some(span) = position::check(old, selector) {
        return old.from_raw(span.start, span.end);
    }
    let quote = normalize(&selector.exact);
    match occurrences(&old.chars, &quote).as_slice() {
        [] => None,
        [only] => Some((*only, only + quote.len())),
        _ => match search_exact(&Search::new(old, selector, None, None, old.offset_from_raw(selector.start))) {
            Exact::Found(c) => Some((c.start, c.end)),
            Exact::Undecided { .. } => None,
        },
    }
}

/// An anchored or moved result at normalised `[start, end)`, noting when
/// the text there equals the quote only after normalisation.
fn place(
    new: &NormText,
    selector: &Selector,
    status: AnchorStatus,
    start: usize,
    end: usize,
    reason: Option<&str>,
    score: Option<f32>,
) -> Option<Anchoring> {
    let (s, e) = new.to_raw(start, end)?;
    let verbatim = new.raw_slice(s, e)? == selector.exact;
    let reason = match (reason, verbatim) {
        (reason, true) => reason.map(str::to_owned),
        (Some(reason), false) => Some(format!("{reason}, {NORMALISED}")),
        (None, false) => Some(format!("matched {NORMALISED}")),
    };
    Some(Anchoring { status, span: Some(Span { start: s, end: e }), reason, score })
}

fn fuzzy(new: &NormText, c: Candidate) -> Option<Anchoring> {
    let (s, e) = new.to_raw(c.start, c.end)?;
    let reason = if c.quote >= 1.0 {
        "the quote was found, but the text around it changed; please confirm the place"
    } else {
        "the quoted text was edited; please confirm the new place"
    };
    Some(Anchoring::placed(AnchorStatus::Fuzzy, Span { start: s, end: e }, Some(reason), Some(c.score)))
}

fn orphan_reason(diff: Option<&DiffMap>, original: Option<(usize, usize)>, viable: usize, lookalikes: usize) -> String {
    let base = match (diff, original) {
        (Some(diff), Some((start, end))) if diff.kept(start, end) == 0 => "the quoted text was deleted",
        (Some(diff), Some((start, end))) if diff.kept(start, end) * 2 < end - start => {
            "the quoted text was rewritten"
        }
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

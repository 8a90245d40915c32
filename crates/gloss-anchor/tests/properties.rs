//! Property tests for re-anchoring: random documents, random highlights,
//! random edit scripts. Whatever happens, every highlight comes back with a
//! status, nothing panics, and an `anchored` or `moved` highlight points at
//! text equal to its quote.

use gloss_anchor::{describe, normalize_for_matching, reanchor, AnchorStatus, Selector, Span};
use proptest::prelude::*;
use unicode_normalization::char::canonical_combining_class;

/// Words that repeat (look-alikes), with accents, emoji, RTL and spacing.
const WORDS: &[&str] = &[
    "the",
    "cat",
    "model",
    "open",
    "costs",
    "fall",
    "naïve",
    "cafe\u{301}",
    "🧠",
    "👩‍🔬",
    "שלום",
    "مرحبا",
    "it’s",
    "\"quoted\"",
    "a",
    "of",
    "lab",
    "weights",
    "—",
    "x",
];
const SEPARATORS: &[&str] = &[" ", " ", " ", ", ", ". ", "\n\n", "\u{a0}", "  "];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec((0..WORDS.len(), 0..SEPARATORS.len()), 0..80)
        .prop_map(|parts| parts.iter().map(|&(w, s)| format!("{}{}", WORDS[w], SEPARATORS[s])).collect())
}

#[derive(Debug, Clone)]
enum Edit {
    Insert { at: usize, text: String },
    Delete { at: usize, len: usize },
    Replace { at: usize, len: usize, text: String },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), text()).prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), 0..40usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 0..40usize, text()).prop_map(|(at, len, text)| Edit::Replace { at, len, text }),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let at = |at: usize, len: usize| at % (len + 1);
        match edit {
            Edit::Insert { at: a, text } => {
                let a = at(*a, chars.len());
                chars.splice(a..a, text.chars());
            }
            Edit::Delete { at: a, len } | Edit::Replace { at: a, len, .. } => {
                let a = at(*a, chars.len());
                let end = (a + len).min(chars.len());
                let with = match edit {
                    Edit::Replace { text, .. } => text.chars().collect(),
                    _ => Vec::new(),
                };
                chars.splice(a..end, with);
            }
        }
    }
    chars.into_iter().collect()
}

fn selectors(text: &str, ranges: &[(usize, usize)]) -> Vec<Selector> {
    let len = text.chars().count();
    ranges
        .iter()
        .filter_map(|&(start, span)| {
            let start = start % (len + 1);
            describe(text, start, (start + 1 + span % 60).min(len)).ok()
        })
        .collect()
}

fn slice(text: &str, span: Span) -> String {
    text.chars().skip(span.start).take(span.end - span.start).collect()
}

fn placed(status: AnchorStatus) -> bool {
    matches!(status, AnchorStatus::Anchored | AnchorStatus::Moved | AnchorStatus::Fuzzy)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gloss_testkit::proptest_cases(300)))]

    #[test]
    fn every_highlight_gets_a_status_and_exact_ones_point_at_their_quote(
        old in text(),
        ranges in prop::collection::vec((any::<usize>(), any::<usize>()), 0..8),
        edits in prop::collection::vec(edit(), 0..4),
        keep_old in any::<bool>(),
    ) {
        let sels = selectors(&old, &ranges);
        let new = apply(&old, &edits);
        let len = new.chars().count();
        let results = reanchor(keep_old.then_some(old.as_str()), &new, &sels);
        prop_assert_eq!(results.len(), sels.len());
        for (sel, got) in sels.iter().zip(&results) {
            match got.span {
                Some(span) => {
                    prop_assert!(placed(got.status), "{:?} with a span", got.status);
                    prop_assert!(span.start < span.end && span.end <= len, "{:?} out of range", span);
                }
                None => {
                    prop_assert!(!placed(got.status), "{:?} without a span", got.status);
                    prop_assert!(got.reason.as_deref().is_some_and(|r| !r.is_empty()), "no reason");
                }
            }
            if let (AnchorStatus::Anchored | AnchorStatus::Moved, Some(span)) = (got.status, got.span) {
                let here = slice(&new, span);
                if got.reason.as_deref().is_some_and(|r| r.contains("ignoring differences")) {
                    prop_assert_eq!(normalize_for_matching(&here), normalize_for_matching(&sel.exact));
                } else {
                    prop_assert_eq!(&here, &sel.exact);
                }
            }
        }
    }

    #[test]
    fn unchanged_text_keeps_every_highlight_in_place(
        old in text(),
        ranges in prop::collection::vec((any::<usize>(), any::<usize>()), 0..8),
        keep_old in any::<bool>(),
    ) {
        let sels = selectors(&old, &ranges);
        for (sel, got) in sels.iter().zip(reanchor(keep_old.then_some(old.as_str()), &old, &sels)) {
            prop_assert_eq!(got.status, AnchorStatus::Anchored);
            prop_assert_eq!(got.span, Some(Span { start: sel.start, end: sel.end }));
        }
    }

    #[test]
    fn an_insertion_shifts_highlights_exactly(
        old in text(),
        ranges in prop::collection::vec((any::<usize>(), any::<usize>()), 0..8),
        at in any::<usize>(),
    ) {
        // The inserted text shares no code point with the document, so the
        // shift is the only reading.
        let insert = "§§§";
        let at = at % (old.chars().count() + 1);
        // Inserted between a letter and its combining mark, the text takes
        // the mark from the letter (`cafe§§§\u{301}`): a highlight of the
        // mark alone has no single right answer either.
        prop_assume!(old.chars().nth(at).is_none_or(|c| canonical_combining_class(c) == 0));
        let new = apply(&old, &[Edit::Insert { at, text: insert.into() }]);
        let sels = selectors(&old, &ranges);
        for (sel, got) in sels.iter().zip(reanchor(Some(&old), &new, &sels)) {
            // Inserting at a highlight's end is after it; at its start, before.
            // A highlight of only whitespace inside a run the insertion
            // splits has no single right answer.
            if sel.exact.trim().is_empty() {
                continue;
            }
            let expected = if sel.end <= at {
                Span { start: sel.start, end: sel.end }
            } else if sel.start >= at {
                Span { start: sel.start + 3, end: sel.end + 3 }
            } else {
                continue;
            };
            prop_assert_eq!(got.status, AnchorStatus::Anchored);
            prop_assert_eq!(got.span, Some(expected));
        }
    }

    #[test]
    fn an_unedited_lookalike_never_captures_an_edited_original(
        before in text(), middle in text(), after in text(), quote in text(), rewrite in text(),
    ) {
        let q = quote.trim();
        prop_assume!(q.chars().count() >= 12 && rewrite.trim() != q);
        // With nothing but spaces between the copies and none for the
        // rewrite, deleting the first copy or the second gives the same text
        // once spacing is folded: neither reading is wrong.
        prop_assume!(!(rewrite.trim().is_empty() && middle.trim().is_empty()));
        let old = format!("{before}{q} {middle}{q} {after}");
        let start = before.chars().count();
        let sel = describe(&old, start, start + q.chars().count()).expect("valid range");
        let new = format!("{before}{rewrite} {middle}{q} {after}");
        let lookalike_start = before.chars().count() + rewrite.chars().count() + 1 + middle.chars().count();
        let lookalike = Span { start: lookalike_start, end: lookalike_start + q.chars().count() };
        let got = &reanchor(Some(&old), &new, &[sel])[0];
        if let Some(span) = got.span {
            prop_assert!(
                span.end <= lookalike.start || span.start >= lookalike.end,
                "{:?} captured by the look-alike at {:?}: {:?}", got.status, lookalike, got.reason
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gloss_testkit::proptest_cases(300)))]

    /// Stored selectors can be anything: offsets past the end or reversed,
    /// empty or foreign quotes, other versions, odd Unicode.
    #[test]
    fn corrupt_selectors_never_panic(
        old in text(),
        new in text(),
        exact in ".{0,20}", prefix in ".{0,40}", suffix in ".{0,40}",
        start in any::<usize>(), end in any::<usize>(), text_version in any::<u32>(),
        keep_old in any::<bool>(),
    ) {
        let sel = Selector { exact, prefix, suffix, start, end, block_key: None, text_version };
        let got = reanchor(keep_old.then_some(old.as_str()), &new, std::slice::from_ref(&sel));
        prop_assert_eq!(got.len(), 1);
        if let Some(span) = got[0].span {
            prop_assert!(span.start < span.end && span.end <= new.chars().count());
        } else {
            prop_assert!(got[0].reason.is_some());
        }
    }
}

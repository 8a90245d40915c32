//! Runs the re-anchoring corpus in `tests/anchoring/` (one JSON case per
//! file: old text, new text, highlights, expected outcome), prints a summary
//! per category, and holds the pipeline to issue 4's bar: no wrong anchors,
//! no lost highlights, every deterministic shift exact, and at least 95% of
//! normalisation and small-edit cases recovered. Set ANCHOR_CORPUS_VERBOSE=1
//! to print every highlight's outcome.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gloss_anchor::{describe, reanchor, AnchorStatus, Anchoring, Selector, Span};
use serde::Deserialize;

/// A text, either whole or as blocks joined like the canonical text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Whole(String),
    Blocks(Vec<String>),
}

impl Text {
    fn joined(&self) -> String {
        match self {
            Text::Whole(text) => text.clone(),
            Text::Blocks(blocks) => blocks.join(gloss_parse::model::BLOCK_SEPARATOR),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expect {
    One(AnchorStatus),
    AnyOf(Vec<AnchorStatus>),
}

#[derive(Deserialize)]
struct Highlight {
    /// The quote in the old text (its `occurrence`-th copy, 1-based)...
    quote: Option<String>,
    occurrence: Option<usize>,
    /// ... or a stored selector as is, for corrupt ones.
    selector: Option<Selector>,
    expect: Expect,
    /// What the new text holds where the highlight should land (its
    /// `at_occurrence`-th copy); defaults to the quote.
    at: Option<String>,
    at_occurrence: Option<usize>,
}

#[derive(Deserialize)]
struct Case {
    category: String,
    description: String,
    old: Text,
    new: Text,
    /// Whether the previous text is handed to `reanchor`.
    #[serde(default = "yes")]
    keep_old: bool,
    highlights: Vec<Highlight>,
}

fn yes() -> bool {
    true
}

/// Categories whose cases must be recovered at least 95% of the time.
const NORMALISATION: &[&str] = &["whitespace", "unicode_form", "quotes", "mojibake"];
const SMALL_EDIT: &[&str] = &["small_quote_edit", "context_edit"];

/// How far a fuzzy match's ends may stray from the expected ones.
const FUZZY_SLACK: usize = 3;

#[derive(Default)]
struct Tally {
    highlights: usize,
    recovered: usize,
    expected_placed: usize,
    orphaned: usize,
    ambiguous: usize,
    wrong: usize,
    lost: usize,
    unexpected: usize,
}

/// Code point span of the `k`-th (1-based) verbatim copy of `needle`.
fn nth(text: &str, needle: &str, k: usize) -> Option<Span> {
    let byte = text.match_indices(needle).nth(k.checked_sub(1)?)?.0;
    let start = text[..byte].chars().count();
    Some(Span { start, end: start + needle.chars().count() })
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/anchoring")
}

#[test]
fn corpus_meets_the_bar() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/anchoring exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus needs at least 40 cases, has {}", files.len());

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let raw = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let case: Case = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (old, new) = (case.old.joined(), case.new.joined());
        let selectors: Vec<Selector> = case
            .highlights
            .iter()
            .map(|h| match (&h.selector, &h.quote) {
                (Some(selector), _) => selector.clone(),
                (None, Some(quote)) => {
                    let span = nth(&old, quote, h.occurrence.unwrap_or(1))
                        .unwrap_or_else(|| panic!("{name}: quote {quote:?} not in the old text"));
                    describe(&old, span.start, span.end).expect("valid span")
                }
                (None, None) => panic!("{name}: a highlight needs a quote or a selector"),
            })
            .collect();
        let results = reanchor(case.keep_old.then_some(old.as_str()), &new, &selectors);
        let tally = tallies.entry(case.category.clone()).or_default();
        tally.highlights += selectors.len();
        if results.len() != selectors.len() {
            tally.lost += selectors.len().abs_diff(results.len());
            failures.push(format!("{name}: {} results for {} highlights", results.len(), selectors.len()));
            continue;
        }
        for (n, ((h, selector), got)) in case.highlights.iter().zip(&selectors).zip(&results).enumerate() {
            let expected: Vec<AnchorStatus> = match &h.expect {
                Expect::One(s) => vec![*s],
                Expect::AnyOf(s) => s.clone(),
            };
            let wants_place = expected.iter().any(|s| placed(*s));
            let target = wants_place.then(|| {
                let at = h.at.as_deref().unwrap_or(&selector.exact);
                nth(&new, at, h.at_occurrence.unwrap_or(1))
                    .unwrap_or_else(|| panic!("{name}: expected text {at:?} not in the new text"))
            });
            tally.expected_placed += usize::from(wants_place);
            let verdict = judge(got, target, new.chars().count());
            if std::env::var_os("ANCHOR_CORPUS_VERBOSE").is_some() {
                println!("{name} #{}: {:?} {:?} {:?} {:?}", n + 1, got.status, got.span, got.score, got.reason);
            }
            match verdict {
                Verdict::Recovered => tally.recovered += 1,
                Verdict::Unplaced if got.status == AnchorStatus::Ambiguous => tally.ambiguous += 1,
                Verdict::Unplaced => tally.orphaned += 1,
                Verdict::Wrong => tally.wrong += 1,
                Verdict::Lost => tally.lost += 1,
            }
            if !expected.contains(&got.status) || matches!(verdict, Verdict::Wrong | Verdict::Lost) {
                tally.unexpected += 1;
                failures.push(format!(
                    "{name} #{}: expected {expected:?}, got {:?} at {:?} ({:?}) — {}",
                    n + 1,
                    got.status,
                    got.span,
                    got.reason,
                    case.description
                ));
            }
        }
    }

    println!("\nre-anchoring corpus: {} cases", files.len());
    println!(
        "{:<26} {:>5} {:>9} {:>8} {:>9} {:>5} {:>4} {:>10}",
        "category", "marks", "recovered", "orphaned", "ambiguous", "wrong", "lost", "unexpected"
    );
    let mut total = Tally::default();
    for (category, t) in &tallies {
        println!(
            "{category:<26} {:>5} {:>5}/{:<3} {:>8} {:>9} {:>5} {:>4} {:>10}",
            t.highlights, t.recovered, t.expected_placed, t.orphaned, t.ambiguous, t.wrong, t.lost, t.unexpected
        );
        total.highlights += t.highlights;
        total.recovered += t.recovered;
        total.expected_placed += t.expected_placed;
        total.orphaned += t.orphaned;
        total.ambiguous += t.ambiguous;
        total.wrong += t.wrong;
        total.lost += t.lost;
        total.unexpected += t.unexpected;
    }
    println!(
        "{:<26} {:>5} {:>5}/{:<3} {:>8} {:>9} {:>5} {:>4} {:>10}",
        "total",
        total.highlights,
        total.recovered,
        total.expected_placed,
        total.orphaned,
        total.ambiguous,
        total.wrong,
        total.lost,
        total.unexpected
    );
    for failure in &failures {
        println!("  {failure}");
    }

    for category in [
        "insertion_before",
        "insertion_after",
        "context_edit",
        "small_quote_edit",
        "large_quote_edit",
        "deleted_sentence",
        "deleted_paragraph",
        "duplicate_quote",
        "duplicate_edited_original",
        "short_common_quote",
        "moved_paragraph",
        "whitespace",
        "unicode_form",
        "quotes",
        "mojibake",
        "emoji_combining",
        "rtl",
        "cross_block",
        "corrupt_selector",
    ] {
        assert!(tallies.contains_key(category), "the corpus has no {category} case");
    }
    assert_eq!(total.wrong, 0, "wrong anchors");
    assert_eq!(total.lost, 0, "lost highlights");
    let rate = |group: &[&str]| {
        let (got, of) = group
            .iter()
            .filter_map(|c| tallies.get(*c))
            .fold((0, 0), |(g, o), t| (g + t.recovered, o + t.expected_placed));
        got as f64 / of.max(1) as f64
    };
    assert!(rate(NORMALISATION) >= 0.95, "normalisation cases recovered: {:.0}%", rate(NORMALISATION) * 100.0);
    assert!(rate(SMALL_EDIT) >= 0.95, "small-edit cases recovered: {:.0}%", rate(SMALL_EDIT) * 100.0);
    // Every outcome is as the case expects: deterministic shifts land exactly.
    assert!(failures.is_empty(), "{} highlights not as expected", failures.len());
}

fn placed(status: AnchorStatus) -> bool {
    matches!(status, AnchorStatus::Anchored | AnchorStatus::Moved | AnchorStatus::Fuzzy)
}

enum Verdict {
    Recovered,
    Unplaced,
    Wrong,
    Lost,
}

/// Anchored and moved results must land exactly on the target, fuzzy ones
/// within a few code points; placing a highlight that should not be placed
/// is a wrong anchor, and a result that is neither placed nor explained is
/// a lost highlight.
fn judge(got: &Anchoring, target: Option<Span>, len: usize) -> Verdict {
    match (placed(got.status), got.span) {
        (true, Some(span)) if span.start >= span.end || span.end > len => Verdict::Lost,
        (true, Some(span)) => match target {
            Some(t) if span == t => Verdict::Recovered,
            Some(t)
                if got.status == AnchorStatus::Fuzzy
                    && span.start.abs_diff(t.start) <= FUZZY_SLACK
                    && span.end.abs_diff(t.end) <= FUZZY_SLACK =>
            {
                Verdict::Recovered
            }
            _ => Verdict::Wrong,
        },
        (false, None) if got.reason.as_deref().is_some_and(|r| !r.is_empty()) => Verdict::Unplaced,
        _ => Verdict::Lost,
    }
}

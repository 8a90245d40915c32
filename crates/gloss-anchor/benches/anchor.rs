//! Re-anchoring 500 highlights on a 20,000-character episode after an edit
//! (issue 4: at most 50 ms). Also shown: the same without the previous text,
//! where every highlight goes through quote search, and the common case of
//! a regenerated summary, a text rewritten from scratch (issue 18: at most
//! 50 ms), beside its raw limit: each quote looked for once, with up to a
//! quarter of it edited, by triple_accel's vectorised Levenshtein search
//! and nothing else (no context, no diff, no checks).

use criterion::{criterion_group, criterion_main, Criterion};
use gloss_anchor::{describe, reanchor, AnchorStatus, Selector};
use std::time::Duration;

const WORDS: &[&str] = &[
    "open",
    "models",
    "let",
    "small",
    "labs",
    "ship",
    "faster",
    "than",
    "the",
    "giants",
    "expected",
    "hosts",
    "argue",
    "that",
    "distribution",
    "not",
    "size",
    "decides",
    "who",
    "wins",
    "community",
    "inference",
    "costs",
    "dropped",
    "by",
    "half",
    "every",
    "quarter",
    "regulation",
    "would",
    "favour",
    "incumbents",
    "with",
    "legal",
    "teams",
    "weights",
    "audit",
    "trust",
    "founders",
    "revenue",
    "funding",
    "café",
    "naïve",
    "🧠",
    "moat",
    "users",
];

/// A deterministic pseudo-random generator, so every run measures the same text.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

fn sentence(rng: &mut Lcg) -> String {
    let words: Vec<&str> = (0..8 + rng.next(10)).map(|_| WORDS[rng.next(WORDS.len())]).collect();
    let mut s = words.join(" ");
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s + "."
}

fn episode(rng: &mut Lcg, chars: usize) -> String {
    let mut text = String::new();
    while text.chars().count() < chars {
        if !text.is_empty() {
            text.push_str(if rng.next(4) == 0 { "\n\n" } else { " " });
        }
        text.push_str(&sentence(rng));
    }
    text
}

fn highlights(rng: &mut Lcg, text: &str, count: usize) -> Vec<Selector> {
    let len = text.chars().count();
    (0..count)
        .filter_map(|_| {
            let start = rng.next(len - 100);
            describe(text, start, start + 20 + rng.next(60)).ok()
        })
        .collect()
}

/// A typical regeneration: a sentence added near the start, one removed in
/// the middle, a word changed near the end.
fn edit(rng: &mut Lcg, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    chars.splice(len * 3 / 4..len * 3 / 4 + 12, "slightly changed".chars());
    chars.drain(len / 2..len / 2 + 150);
    let added = format!("{} ", sentence(rng));
    chars.splice(len / 10..len / 10, added.chars());
    chars.into_iter().collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = Lcg(4);
    let old = episode(&mut rng, 20_000);
    let selectors = highlights(&mut rng, &old, 500);
    let new = edit(&mut rng, &old);

    let outcome = reanchor(Some(&old), &new, &selectors);
    let count = |s: AnchorStatus| outcome.iter().filter(|a| a.status == s).count();
    println!(
        "{} highlights on {} characters: {} anchored, {} moved, {} fuzzy, {} orphaned, {} ambiguous",
        selectors.len(),
        old.chars().count(),
        count(AnchorStatus::Anchored),
        count(AnchorStatus::Moved),
        count(AnchorStatus::Fuzzy),
        count(AnchorStatus::Orphaned),
        count(AnchorStatus::Ambiguous),
    );

    let mut group = c.benchmark_group("reanchor");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.bench_function("500 highlights, 20k chars, after an edit", |b| {
        b.iter(|| reanchor(Some(&old), &new, &selectors))
    });
    group
        .bench_function("500 highlights, 20k chars, no previous text", |b| b.iter(|| reanchor(None, &new, &selectors)));
    let rewritten = episode(&mut Lcg(99), 20_000);
    group.bench_function("500 highlights, 20k chars, whole text rewritten", |b| {
        b.iter(|| reanchor(Some(&old), &rewritten, &selectors))
    });
    group.bench_function("raw: 500 quotes searched, 20k chars, whole text rewritten", |b| {
        b.iter(|| raw_search(&rewritten, &selectors))
    });
    group.finish();
}

/// Each quote's best places in `text` with at most a quarter of it edited
/// (the largest share re-anchoring accepts), by bytes.
fn raw_search(text: &str, selectors: &[Selector]) -> usize {
    selectors
        .iter()
        .map(|s| {
            let quote = s.exact.as_bytes();
            let max_edits = (quote.len() / 4) as u32;
            let costs = triple_accel::levenshtein::LEVENSHTEIN_COSTS;
            triple_accel::levenshtein::levenshtein_search_simd_with_opts(
                quote,
                text.as_bytes(),
                max_edits,
                triple_accel::SearchType::Best,
                costs,
                false,
            )
            .count()
        })
        .sum()
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Search over a library where one episode carries a 1 MB note (issue 14:
//! FTS5's `snippet()` compared every match of a row with every other, and
//! one such search took minutes).
//!
//! Two episodes carry such notes, written through the write path as a
//! user's are: one of realistic text, searched for its most common word
//! and for a word found once, at its very end (the snippet's scan for a
//! first match reads the whole note); one repeating a single word, the
//! hostile case that took minutes.
//! Each is searched the way the API searches ([`Annotations::search`]:
//! episodes and highlights, ranked, with their snippets). Beside each
//! figure, the raw limit measured in the same run: the same FTS5 MATCH,
//! unranked, reading the annotation text of each episode it matches and
//! finding the word in it with `str::find`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use gloss_core::annotations::{Caller, Door, HighlightFilter};
use gloss_core::app::Annotations;
use gloss_core::Library;
use gloss_testkit::figures::{percentile, Better, Figure};

const TARGET_MS: f64 = 50.0;
const NOTE_BYTES: usize = 1_000_000;
const EPISODES: u64 = 20;
const ROUNDS: usize = 20;
/// Found nowhere but at the end of the realistic note.
const ONCE: &str = "zygomorphic";
/// The hostile note's one word.
const REPEATED: &str = "needle ";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::TempDir::new()?;
    let folder = work.path().join("library");
    std::fs::create_dir_all(&folder)?;
    for seed in 0..EPISODES {
        std::fs::write(folder.join(format!("episode-{seed}.txt")), gloss_testkit::summary(seed))?;
    }
    let library = Library::open(&work.path().join("data"))?;
    library.reconcile(&folder)?;
    let episodes: Vec<i64> = library.list_episodes()?.iter().map(|e| e.id).collect();
    let note = format!("{} {ONCE}", gloss_testkit::plain_document(7, NOTE_BYTES - ONCE.len() - 1));
    let (common, count) = most_frequent_word(&note);
    let hostile = REPEATED.repeat(NOTE_BYTES / REPEATED.len());
    let notes = Annotations::new(&library, Caller::door(Door::Cli));
    notes.set_episode_note(episodes[0], &note)?;
    notes.set_episode_note(episodes[1], &hostile)?;
    println!(
        "search in notes of 1 MB: \"{common}\" found {count} times in one, \"{ONCE}\" once, at its end; \
         \"{}\" {} times in the other",
        REPEATED.trim(),
        NOTE_BYTES / REPEATED.len()
    );

    let cases = [
        ("the most common word of a 1 MB note", common.as_str(), episodes[0]),
        ("a word found once, at the end of a 1 MB note", ONCE, episodes[0]),
        ("a word making up a whole 1 MB note", REPEATED.trim(), episodes[1]),
    ];
    for (name, query, episode) in cases {
        let mut times = rounds(|| {
            let found = notes.search(query, &HighlightFilter::default(), 50)?;
            assert!(found.episodes.iter().any(|hit| hit.episode.id == episode), "{query} finds its note");
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
        let mut raw = raw_match(&library, query)?;
        Figure {
            name: &format!("search for {name}, p50"),
            unit: "ms",
            measured: percentile(&mut times, 50.0),
            target: TARGET_MS,
            better: Better::Lower,
            raw: Some(percentile(&mut raw, 50.0)),
        }
        .print();
    }
    Ok(())
}

/// Times of [`ROUNDS`] runs of `work`, in milliseconds.
fn rounds<E>(mut work: impl FnMut() -> Result<(), E>) -> Result<Vec<f64>, E> {
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            work()?;
            Ok(ms(started.elapsed()))
        })
        .collect()
}

/// The least a search showing where it matched must do: the same FTS5
/// MATCH, unranked, reading the annotation text of each episode matched and
/// finding the word in it.
fn raw_match(library: &Library, query: &str) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let conn =
        rusqlite::Connection::open_with_flags(library.store().db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare(
        "SELECT episodes.search_notes FROM search_index JOIN episodes ON episodes.id = search_index.rowid
         WHERE search_index MATCH ?1",
    )?;
    Ok(rounds(|| {
        let texts = stmt.query_map([query], |row| row.get::<_, Option<String>>(0))?;
        texts
            .map(|text| text.map(|text| std::hint::black_box(text.unwrap_or_default().find(query))))
            .try_for_each(|found| found.map(drop))
    })?)
}

/// The word `text` holds most often, and how often.
fn most_frequent_word(text: &str) -> (String, usize) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        *counts.entry(word.to_lowercase()).or_default() += 1;
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

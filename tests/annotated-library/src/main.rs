//! Builds a large, annotated library for the benchmarks, the same for the
//! same arguments: the summary files (`gloss_testkit::library`) and a Gloss
//! data folder holding them with seeded highlights, a share of them with
//! notes and tags, and some episodes opened and read. Highlights are
//! stored through gloss-core's one write path for them
//! (`Annotations::create_highlights`, many per transaction), so they are
//! queued for sync, indexed for search and announced as any other.
//!
//! Usage: write-annotated-library LIBRARY_DIR DATA_DIR EPISODES HIGHLIGHTS [SEED]
//!
//! Every thousandth episode holds 300 highlights (opening one is a figure);
//! the rest share what is left, 0 to twice the mean each, HIGHLIGHTS in all.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use gloss_core::annotations::{Caller, Color, Door, NewHighlight, ReadingUpdate};
use gloss_core::app::{Annotations, EpisodeFilter, Gloss, OpenOptions};

/// Highlights written per transaction.
const BATCH: usize = 5000;
/// The episodes that hold this many highlights: one in [`HEAVY_EVERY`].
const HEAVY: usize = 300;
const HEAVY_EVERY: usize = 1000;
/// One episode in this many is opened and marked read.
const READ_EVERY: usize = 50;
const TAGS: [&str; 12] = [
    "ai",
    "ai/llm",
    "ai/agents",
    "energy",
    "energy/grid",
    "climate",
    "health",
    "biology",
    "economics",
    "history",
    "ideas",
    "to-read",
];
const NOTE_WORDS: [&str; 16] = [
    "compare",
    "with",
    "the",
    "earlier",
    "claim",
    "about",
    "costs",
    "this",
    "contradicts",
    "follow",
    "up",
    "on",
    "data",
    "source",
    "worth",
    "quoting",
];

struct Args {
    library: PathBuf,
    data: PathBuf,
    episodes: usize,
    highlights: usize,
    seed: u64,
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1).collect()) {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("write-annotated-library: {problem}\nusage: write-annotated-library LIBRARY_DIR DATA_DIR EPISODES HIGHLIGHTS [SEED]");
            return ExitCode::from(2);
        }
    };
    match build(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("write-annotated-library: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: Vec<String>) -> Result<Args, String> {
    let number = |name: &str, text: &str| {
        text.parse::<u64>().map_err(|_| format!("{name} must be a whole number, not {text:?}"))
    };
    match args.as_slice() {
        [library, data, episodes, highlights, rest @ ..] if rest.len() <= 1 => Ok(Args {
            library: library.into(),
            data: data.into(),
            episodes: number("EPISODES", episodes)? as usize,
            highlights: number("HIGHLIGHTS", highlights)? as usize,
            seed: rest.first().map(|seed| number("SEED", seed)).transpose()?.unwrap_or(1),
        }),
        _ => Err("expected four or five arguments".into()),
    }
}

fn build(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    if args.data.exists() {
        return Err(format!(
            "{} exists already: give a new data folder (the library is built once, into it)",
            args.data.display()
        ));
    }
    gloss_testkit::library(&args.library, args.episodes)
        .map_err(|e| format!("could not write the files into {}: {e}", args.library.display()))?;
    println!("wrote {} files in {:.1} s", args.episodes, started.elapsed().as_secs_f64());
    let options =
        OpenOptions { data_dir: Some(args.data.clone()), library_dir: Some(args.library.clone()), watch: false };
    let gloss =
        Gloss::open(options).map_err(|e| format!("could not open the data folder {}: {e}", args.data.display()))?;
    let counts = gloss.library().reconcile(&args.library).map_err(|e| format!("could not read the library: {e}"))?;
    println!("imported them ({counts}) at {:.1} s", started.elapsed().as_secs_f64());
    let mut ids: Vec<i64> = gloss
        .list_episodes(&EpisodeFilter::default())
        .map_err(|e| format!("could not list the episodes: {e}"))?
        .items
        .into_iter()
        .map(|item| item.summary.id)
        .collect();
    ids.sort_unstable();
    let annotations = gloss.annotations(Caller::door(Door::Cli));
    // One long run of writes, as an import is: checkpointed once at the end,
    // with a page cache that holds a batch (see `Store::bulk`).
    let written = gloss
        .library()
        .store()
        .bulk(|| Ok(annotate(&gloss, &annotations, &ids, args)))
        .map_err(|e| format!("could not store the highlights: {e}"))??;
    println!("stored {written} highlights at {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Writes the highlights, a batch per transaction, and the reading state.
fn annotate(gloss: &Gloss, annotations: &Annotations, ids: &[i64], args: &Args) -> Result<usize, String> {
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let counts = highlight_counts(&mut rng, ids.len(), args.highlights);
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0;
    for (n, (&id, &wanted)) in ids.iter().zip(&counts).enumerate() {
        let record = gloss.library().episode(id).map_err(|e| format!("could not read episode {id}: {e}"))?;
        let chars =
            record.and_then(|r| r.canonical_text).map(|text| text.chars().collect::<Vec<_>>()).unwrap_or_default();
        for _ in 0..wanted {
            if let Some(new) = highlight(&mut rng, id, &chars) {
                batch.push(new);
            }
        }
        if batch.len() >= BATCH {
            written += store(annotations, &mut batch)?;
            println!("  {written} highlights");
        }
        if n.is_multiple_of(READ_EVERY) {
            let update = ReadingUpdate { episode_id: id, read: Some(true), position: None };
            annotations.set_reading_state(&update).map_err(|e| format!("could not mark episode {id} read: {e}"))?;
        }
    }
    written += store(annotations, &mut batch)?;
    // Re-index the episodes' annotation text now, not in the first search.
    annotations.flush_search().map_err(|e| format!("could not index the highlights for search: {e}"))?;
    Ok(written)
}

/// How many highlights each of `episodes` episodes gets: [`HEAVY`] for one
/// in [`HEAVY_EVERY`], 0 to twice the mean for the others, `total` in all
/// (unless the heavy ones alone are more).
fn highlight_counts(rng: &mut fastrand::Rng, episodes: usize, total: usize) -> Vec<usize> {
    let heavy = |n: usize| n.is_multiple_of(HEAVY_EVERY);
    let rest = total.saturating_sub(episodes.div_ceil(HEAVY_EVERY) * HEAVY);
    let light = episodes - episodes.div_ceil(HEAVY_EVERY);
    let mean = rest / light.max(1);
    let mut counts: Vec<usize> =
        (0..episodes).map(|n| if heavy(n) { HEAVY } else { rng.usize(0..=2 * mean) }).collect();
    let mut sum: usize = counts.iter().sum();
    while light > 0 && sum != total.max(episodes.div_ceil(HEAVY_EVERY) * HEAVY) {
        let n = rng.usize(0..episodes);
        match (heavy(n), sum < total) {
            (true, _) => {}
            (false, true) => {
                counts[n] += 1;
                sum += 1;
            }
            (false, false) if counts[n] > 0 => {
                counts[n] -= 1;
                sum -= 1;
            }
            (false, false) => {}
        }
    }
    counts
}

fn store(annotations: &Annotations, batch: &mut Vec<NewHighlight>) -> Result<usize, String> {
    let stored = annotations.create_highlights(batch).map_err(|e| format!("could not store highlights: {e}"))?;
    batch.clear();
    Ok(stored.len())
}

/// A highlight of 30 to 160 code points starting at a word, a third of
/// them with a note, a fifth with tags; `None` when the text is too short.
fn highlight(rng: &mut fastrand::Rng, episode_id: i64, chars: &[char]) -> Option<NewHighlight> {
    let length = rng.usize(30..160);
    let last_start = chars.len().checked_sub(length + 1)?;
    let mut start = rng.usize(0..=last_start);
    while start < last_start && ((start > 0 && !chars[start - 1].is_whitespace()) || chars[start].is_whitespace()) {
        start += 1;
    }
    let end = start + length;
    if chars[start..end].iter().all(|c| c.is_whitespace()) {
        return None;
    }
    let colors = [Color::Yellow, Color::Green, Color::Blue, Color::Pink, Color::Purple];
    let note = (rng.usize(0..3) == 0).then(|| {
        let words: Vec<&str> = (0..rng.usize(4..16)).map(|_| NOTE_WORDS[rng.usize(0..NOTE_WORDS.len())]).collect();
        words.join(" ")
    });
    let tags = match rng.usize(0..5) {
        0 => (0..rng.usize(1..3)).map(|_| TAGS[rng.usize(0..TAGS.len())].to_owned()).collect(),
        _ => Vec::new(),
    };
    Some(NewHighlight {
        episode_id,
        start: Some(start),
        end: Some(end),
        color: Some(colors[rng.usize(0..colors.len())]),
        note,
        tags,
        ..Default::default()
    })
}

//! Review at scale (issue 15): what is due, with 50,000 cards and 500,000
//! review events (target p95 ≤ 10 ms); and replaying that log into the
//! store's card states. The raw limit of the due query, measured in the
//! same run, is the same work in bare SQL: count the due cards and select
//! the first 200 of them from the index.

use std::time::Instant;

use gloss_core::annotations::{highlights, Caller, Door, NewHighlight, Origin, Writer};
use gloss_core::app::Annotations;
use gloss_core::Library;
use gloss_review::Settings;
use gloss_testkit::figures::{percentile, Better, Figure};

const EPISODES: u64 = 100;
const CARDS: usize = 50_000;
const EVENTS_PER_CARD: usize = 10;
const QUERIES: usize = 200;
const T0: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::TempDir::new()?;
    let folder = work.path().join("library");
    std::fs::create_dir_all(&folder)?;
    for seed in 0..EPISODES {
        std::fs::write(folder.join(format!("{seed}.txt")), gloss_testkit::summary(seed))?;
    }
    let library = Library::open(&work.path().join("data"))?;
    library.reconcile(&folder)?;
    let started = Instant::now();
    let ids = prefill(&library)?;
    println!("review bench: {} highlights made in {:.1} s", ids.len(), started.elapsed().as_secs_f64());

    // 500,000 ratings, written straight into the log, then replayed by the
    // store (a settings change replays every card).
    let conn = rusqlite::Connection::open(library.store().db_path())?;
    conn.execute_batch("BEGIN")?;
    {
        let mut insert = conn.prepare("INSERT INTO review_events (id, card, rating, at) VALUES (?1, ?2, ?3, ?4)")?;
        for (n, id) in ids.iter().enumerate() {
            for k in 0..EVENTS_PER_CARD {
                let at = T0 + (k as i64) * 2 * DAY + (n as i64) * 1000;
                insert.execute(rusqlite::params![
                    format!("{n}-{k}"),
                    format!("highlight/{id}"),
                    1 + (n + k) % 4,
                    at
                ])?;
            }
        }
    }
    conn.execute_batch("COMMIT")?;
    let notes = Annotations::new(&library, Caller::door(Door::Cli));
    let started = Instant::now();
    notes.update_review_settings(&Settings { desired_retention: 0.91, ..Settings::default() })?;
    println!(
        "review bench: the store replays {} events into {CARDS} card states in {:.2} s",
        CARDS * EVENTS_PER_CARD,
        started.elapsed().as_secs_f64()
    );

    let nows: Vec<i64> = (0..QUERIES).map(|q| T0 + 25 * DAY + (q as i64) * 3 * DAY).collect();
    let mut times = Vec::new();
    for &now in &nows {
        let started = Instant::now();
        let due = notes.review_due(now)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(!due.cards.is_empty());
    }
    let mut raw = Vec::new();
    let mut count = conn.prepare(
        "SELECT count(*) FROM review_cards WHERE in_deck = 1 AND suspended = 0 AND blocked IS NULL
         AND due IS NOT NULL AND due < ?1 AND (buried_until IS NULL OR buried_until < ?1)",
    )?;
    let mut stmt = conn.prepare(
        "SELECT card, due FROM review_cards WHERE in_deck = 1 AND suspended = 0 AND blocked IS NULL
         AND due IS NOT NULL AND due < ?1 AND (buried_until IS NULL OR buried_until < ?1) ORDER BY due LIMIT 200",
    )?;
    for &now in &nows {
        let started = Instant::now();
        let due: i64 = count.query_row([now], |row| row.get(0))?;
        let rows: Vec<(String, i64)> =
            stmt.query_map([now], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        raw.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(due > 0 && !rows.is_empty());
    }
    Figure {
        name: "review: cards due, p95 with 50,000 cards and 500,000 events",
        unit: "ms",
        measured: percentile(&mut times, 95.0),
        target: 10.0,
        better: Better::Lower,
        raw: Some(percentile(&mut raw, 95.0)),
    }
    .print();
    Ok(())
}

/// 50,000 highlights on the generated episodes, in one transaction.
fn prefill(library: &Library) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let episodes: Vec<(i64, usize)> = library
        .list_episodes()?
        .into_iter()
        .map(|e| {
            let len =
                library.episode(e.id).ok().flatten().and_then(|r| r.canonical_text).map_or(0, |t| t.chars().count());
            (e.id, len)
        })
        .filter(|(_, len)| *len > 200)
        .collect();
    let conn = rusqlite::Connection::open(library.store().db_path())?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let mut writer = Writer::new(&conn, T0, Origin::User(Caller::door(Door::Cli)));
    let mut ids = Vec::with_capacity(CARDS);
    let mut n = 0usize;
    while ids.len() < CARDS {
        let (episode_id, len) = episodes[n % episodes.len()];
        let start = n.wrapping_mul(7919) % (len - 100);
        let new = NewHighlight { episode_id, start: Some(start), end: Some(start + 20 + n % 60), ..Default::default() };
        n += 1;
        let id = highlights::new_id();
        if highlights::create(&mut writer, &id, T0, &new).is_ok() {
            ids.push(id);
        }
    }
    writer.finish()?;
    conn.execute_batch("COMMIT")?;
    Ok(ids)
}

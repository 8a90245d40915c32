//! The library's speed targets on generated libraries of realistic
//! summaries (issues 3 and 18): cold import, unchanged rescan, search
//! latency and peak RSS at each library size, and watch latency. Each
//! figure is printed beside a raw limit measured in the same run on the
//! same files, and their ratio; the sized ones as points of a series, so
//! the report shows how they grow.
//!
//! `GLOSS_BENCH_SIZES` sets the library sizes (default "1000 10000
//! 100000"). The files are freshly written, so both Gloss and the raw
//! limits read them from the page cache: "cold" means an empty database,
//! not a cold disk.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use gloss_core::events::Event;
use gloss_core::watch::WatchOptions;
use gloss_core::Library;
use gloss_testkit::figures::{self, load, Better, Figure};
use gloss_testkit::SEARCH_QUERIES as QUERIES;
use notify::Watcher as _;

const TARGET_RESCAN_SHARE: f64 = 5.0;
const TARGET_TIMES_RAW: f64 = 3.0;
const TARGET_WATCH_P95: Duration = Duration::from_millis(300);
const TARGET_SEARCH_P95: Duration = Duration::from_millis(10);
const TARGET_RSS_MB: f64 = 100.0;

const RESCAN_RUNS: usize = 5;
const WATCH_FILES: usize = 25;
const SEARCH_ROUNDS: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::var("GLOSS_BENCH_SIZES")
        .unwrap_or_else(|_| "1000 10000 100000".to_owned())
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    for (n, &files) in sizes.iter().enumerate() {
        let work = tempfile::TempDir::new()?;
        let folder = work.path().join("library");
        let library = measure_library(&folder, work.path(), files)?;
        // Watch latency does not depend on the library's size: measured once.
        if n == 0 {
            let (raw_p50, raw_p95) = raw_watch_percentiles(&folder)?;
            let (p50, p95) = watch_percentiles(&library, &folder)?;
            // Raw limit: a bare inotify watcher seeing the same kind of file closed.
            report("watch latency p50, file closed to event", p50, raw_p50, TARGET_WATCH_P95, None);
            report("watch latency p95, file closed to event", p95, raw_p95, TARGET_WATCH_P95, None);
        }
    }
    println!("done; {}", load());
    Ok(())
}

/// Imports, rescans and searches a new library of `files` files; returns
/// the library, imported.
fn measure_library(folder: &Path, work: &Path, files: usize) -> Result<Library, Box<dyn std::error::Error>> {
    let written = gloss_testkit::library(folder, files)?;
    let bytes: u64 = written.iter().map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len())).sum();
    println!("library bench: {files} files, {:.1} MB; {}", bytes as f64 / 1e6, load());
    let paths: Vec<PathBuf> = written.into_iter().map(|f| f.path).collect();
    let at = Some(files);

    // Cold import. Raw limit: read the same files and insert their text
    // into FTS5 in one transaction.
    let raw_import = time(|| raw_read_and_insert(&paths, &work.join("raw.db")))?;
    let rss_before = rss_mb("VmRSS");
    reset_peak_rss();
    let data = work.join("data");
    let library = Library::open(&data)?;
    let start = Instant::now();
    let counts = library.reconcile(folder)?;
    let import = start.elapsed();
    let peak_rss = rss_mb("VmHWM");
    assert_eq!(counts.added + counts.errors, files, "{counts}");
    let import_ms = ms(import);
    Figure {
        name: "cold import",
        unit: "ms",
        measured: import_ms,
        target: f64::INFINITY,
        better: Better::Lower,
        raw: Some(ms(raw_import)),
    }
    .print_at(files);
    times_raw("cold import, times its raw limit", import, raw_import, files);

    // Unchanged rescan. Raw limit: walk the folder and stat every file.
    let raw_rescan = median(RESCAN_RUNS, || time(|| raw_walk(folder)))?;
    let rescan = median(RESCAN_RUNS, || time(|| library.reconcile(folder).map(drop)))?;
    Figure {
        name: "unchanged rescan",
        unit: "ms",
        measured: ms(rescan),
        target: f64::INFINITY,
        better: Better::Lower,
        raw: Some(ms(raw_rescan)),
    }
    .print_at(files);
    times_raw("unchanged rescan, times its raw limit", rescan, raw_rescan, files);
    Figure {
        name: "unchanged rescan, share of the cold import",
        unit: "%",
        measured: 100.0 * ms(rescan) / import_ms,
        target: TARGET_RESCAN_SHARE,
        better: Better::Lower,
        raw: None,
    }
    .print_at(files);

    // Search. Raw limit: the same FTS5 MATCH fetching 20 rowids, unranked, no snippets.
    let (search_p50, search_p95) =
        percentiles(SEARCH_ROUNDS, QUERIES, |query| time(|| library.search(query, 20).map(drop)))?;
    let (raw_p50, raw_p95) = raw_search_percentiles(&data)?;
    report("search p50", search_p50, raw_p50, TARGET_SEARCH_P95, at);
    report("search p95", search_p95, raw_p95, TARGET_SEARCH_P95, at);

    match (peak_rss, rss_before) {
        // Raw limit: the process's RSS before the import began.
        (Some(peak), Some(before)) => Figure {
            name: "peak RSS during the cold import",
            unit: "MB",
            measured: peak,
            target: TARGET_RSS_MB,
            better: Better::Lower,
            raw: Some(before),
        }
        .print_at(files),
        _ => println!("peak RSS: not measured on this platform"),
    }
    Ok(library)
}

/// A time as a multiple of its raw limit, against the target for that multiple.
fn times_raw(name: &str, measured: Duration, raw: Duration, files: usize) {
    let ratio = measured.as_secs_f64() / raw.as_secs_f64().max(1e-9);
    Figure { name, unit: "×", measured: ratio, target: TARGET_TIMES_RAW, better: Better::Lower, raw: None }
        .print_at(files);
}

/// Prints a time figure in the project's bench format (bench/REPORT.md),
/// as measured on a library of `episodes` when given.
fn report(name: &str, measured: Duration, raw: Duration, target: Duration, episodes: Option<usize>) {
    let figure = Figure {
        name,
        unit: "ms",
        measured: ms(measured),
        target: ms(target),
        better: Better::Lower,
        raw: Some(ms(raw)),
    };
    match episodes {
        Some(n) => figure.print_at(n),
        None => figure.print(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time<E>(work: impl FnOnce() -> Result<(), E>) -> Result<Duration, E> {
    let start = Instant::now();
    work()?;
    Ok(start.elapsed())
}

fn median<E>(runs: usize, mut run: impl FnMut() -> Result<Duration, E>) -> Result<Duration, E> {
    let mut times = (0..runs).map(|_| run()).collect::<Result<Vec<_>, E>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The p-th percentile (0-100) of `times`.
fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut samples: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    Duration::from_secs_f64(figures::percentile(&mut samples, p).max(0.0))
}

fn percentiles<E>(
    rounds: usize,
    queries: &[&str],
    mut run: impl FnMut(&str) -> Result<Duration, E>,
) -> Result<(Duration, Duration), E> {
    let mut times = Vec::new();
    for _ in 0..rounds {
        for query in queries {
            times.push(run(query)?);
        }
    }
    Ok((percentile(&times, 50.0), percentile(&times, 95.0)))
}

/// The least any import must do: read every file and make its text
/// searchable, in one transaction (issue 18's raw limit).
fn raw_read_and_insert(paths: &[PathBuf], db: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute("CREATE VIRTUAL TABLE files USING fts5(path, body)", [])?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO files (path, body) VALUES (?1, ?2)")?;
        for path in paths {
            let bytes = std::fs::read(path)?;
            insert.execute(rusqlite::params![path.to_string_lossy(), String::from_utf8_lossy(&bytes)])?;
        }
    }
    Ok(tx.commit()?)
}

/// The least any rescan must do: list every file and stat it.
fn raw_walk(folder: &Path) -> std::io::Result<()> {
    let mut files = 0usize;
    for entry in walkdir::WalkDir::new(folder) {
        let meta = entry?.metadata()?;
        files += usize::from(meta.is_file());
    }
    assert!(files > 0);
    Ok(())
}

fn raw_search_percentiles(data: &Path) -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let conn = rusqlite::Connection::open_with_flags(
        data.join(gloss_core::store::DB_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    // The least any search must do: find 20 matching episodes.
    let mut stmt = conn.prepare("SELECT rowid FROM search_index WHERE search_index MATCH ?1 LIMIT 20")?;
    // Only the queries FTS5 accepts as typed.
    let valid: Vec<&str> =
        QUERIES.iter().copied().filter(|q| stmt.query([q]).and_then(|mut r| r.next().map(drop)).is_ok()).collect();
    Ok(percentiles(SEARCH_ROUNDS, &valid, |query| {
        time(|| {
            stmt.query_map([query], |row| row.get::<_, i64>(0))
                .and_then(|rows| rows.into_iter().try_for_each(|r| r.map(drop)))
        })
    })?)
}

/// Writes `WATCH_FILES` new files one at a time, each once `seen` has
/// reported the previous one, and returns the close-to-report times.
fn write_and_wait(
    folder: &Path,
    prefix: &str,
    seen: impl Fn(&Path) -> Option<Instant>,
) -> std::io::Result<(Duration, Duration)> {
    let mut latencies = Vec::new();
    for n in 0..WATCH_FILES {
        let path = folder.join(format!("{prefix}-{n:03}.txt"));
        std::fs::write(&path, gloss_testkit::summary(1_000_000 + n as u64))?;
        let closed = Instant::now();
        let Some(reported) = seen(&path) else {
            return Err(std::io::Error::other(format!("no event for {}", path.display())));
        };
        latencies.push(reported.saturating_duration_since(closed));
    }
    Ok((percentile(&latencies, 50.0), percentile(&latencies, 95.0)))
}

const WATCH_PATIENCE: Duration = Duration::from_secs(10);

fn raw_watch_percentiles(folder: &Path) -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let (sender, receiver) = channel::<(PathBuf, Instant)>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let close_write = notify::EventKind::Access(notify::event::AccessKind::Close(notify::event::AccessMode::Write));
        if event.kind == close_write {
            for path in event.paths {
                let _ = sender.send((path, Instant::now()));
            }
        }
    })?;
    watcher.watch(folder, notify::RecursiveMode::Recursive)?;
    let raw_dir = folder.join("raw-watch");
    std::fs::create_dir_all(&raw_dir)?;
    std::thread::sleep(Duration::from_millis(200)); // Let the new folder's watch be added.
    Ok(write_and_wait(&raw_dir, "raw", |path| wait_for_path(&receiver, path))?)
}

fn wait_for_path(receiver: &Receiver<(PathBuf, Instant)>, path: &Path) -> Option<Instant> {
    let deadline = Instant::now() + WATCH_PATIENCE;
    loop {
        let (seen, at) = receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())).ok()?;
        if seen == path {
            return Some(at);
        }
    }
}

fn watch_percentiles(library: &Library, folder: &Path) -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let (sender, receiver) = channel::<(PathBuf, Instant)>();
    let root = std::fs::canonicalize(folder)?;
    library.events().on_event(move |event| match event {
        Event::Added { episode } => sender.send((root.join(&episode.source_path), Instant::now())).is_ok(),
        _ => true,
    });
    let _watcher = library.watch(folder, WatchOptions::default())?;
    let canonical = std::fs::canonicalize(folder)?;
    Ok(write_and_wait(&canonical, "gloss", |path| wait_for_path(&receiver, path))?)
}

fn rss_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Makes VmHWM start again from the current RSS (Linux 4.0+).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

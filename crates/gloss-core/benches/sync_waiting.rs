//! Waiting records (issue 14): a sync folder holding 300,000 changes for
//! episodes this device does not have must slow neither its rounds nor its
//! local edits. Each figure is printed beside its raw limit, measured in
//! the same run: a round with nothing new on a library of the same
//! episodes syncing with an empty folder, and the same local edits with
//! no round running.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gloss_core::annotations::{Caller, Door};
use gloss_core::app::Annotations;
use gloss_core::sync::SyncSession;
use gloss_core::Library;
use gloss_sync::log::LogWriter;
use gloss_sync::{Change, DeviceId, Hlc, LogOptions, Op};
use gloss_testkit::figures::{percentile, Better, Figure};

const WAITING: u64 = 300_000;
const EPISODES: u64 = 5;
const ROUNDS: usize = 20;
const EDITS: usize = 200;
const TARGET_ROUND_MS: f64 = 100.0;
const TARGET_EDIT_P95_MS: f64 = 50.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::TempDir::new()?;
    let crowded = work.path().join("crowded");
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty)?;
    forge_waiting(&crowded)?;

    let library = library_at(&work.path().join("a"))?;
    let started = Instant::now();
    let mut session = SyncSession::open(library.store(), library.store().data_dir(), &crowded, LogOptions::default())?;
    let first = session.round(library.store())?;
    assert_eq!(first.waiting as u64, WAITING, "{first}");
    println!(
        "sync waiting: the first round reads {} records for unknown episodes in {:.2} s; all of them wait",
        first.read,
        started.elapsed().as_secs_f64()
    );

    let plain = library_at(&work.path().join("b"))?;
    let mut plain_session = SyncSession::open(plain.store(), plain.store().data_dir(), &empty, LogOptions::default())?;
    let mut raw_rounds = timed(ROUNDS, || plain_session.round(plain.store()).map(drop))?;
    let mut rounds = timed(ROUNDS, || session.round(library.store()).map(drop))?;
    Figure {
        name: "sync round with 300,000 records waiting for episodes",
        unit: "ms",
        measured: percentile(&mut rounds, 50.0),
        target: TARGET_ROUND_MS,
        better: Better::Lower,
        raw: Some(percentile(&mut raw_rounds, 50.0)),
    }
    .print();

    // Local edits, first with no round running, then while rounds run back to back.
    let notes = Annotations::new(&library, Caller::door(Door::Cli));
    let episode = library.list_episodes()?[0].id;
    let mut flip = false;
    let mut edit = || {
        flip = !flip;
        notes.set_star(episode, "s1.i1", flip).map(drop)
    };
    let mut raw_edits = timed(EDITS, &mut edit)?;
    let stop = AtomicBool::new(false);
    let mut edits = std::thread::scope(|scope| {
        let rounds = scope.spawn(|| {
            let mut count = 0;
            while !stop.load(Ordering::Relaxed) {
                session.round(library.store()).expect("a round");
                count += 1;
            }
            count
        });
        let edits = timed(EDITS, &mut edit);
        stop.store(true, Ordering::Relaxed);
        let count = rounds.join().expect("the round thread");
        println!("sync waiting: {count} rounds ran during the edits");
        edits
    })?;
    Figure {
        name: "local edit p95 while rounds run with 300,000 records waiting",
        unit: "ms",
        measured: percentile(&mut edits, 95.0),
        target: TARGET_EDIT_P95_MS,
        better: Better::Lower,
        raw: Some(percentile(&mut raw_edits, 95.0)),
    }
    .print();
    Ok(())
}

/// A device's log of `WAITING` stars on episodes nobody here has.
fn forge_waiting(sync: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let device = DeviceId::generate();
    let mut writer = LogWriter::open(sync, &device, LogOptions { segment_bytes: 64 << 20, compact_after: 1000 })?;
    let ops: Vec<Op> = (0..WAITING)
        .map(|n| Op {
            device: device.clone(),
            seq: n + 1,
            stamp: Hlc::new(1_735_689_600_000 + n, 0),
            change: Change::SetStar { episode: format!("{n:032x}"), insight: "s1.i1".into(), starred: true },
        })
        .collect();
    for chunk in ops.chunks(10_000) {
        writer.append(chunk)?;
    }
    Ok(())
}

/// A library of the generated episodes.
fn library_at(dir: &Path) -> Result<Library, Box<dyn std::error::Error>> {
    let folder = dir.join("library");
    std::fs::create_dir_all(&folder)?;
    for seed in 0..EPISODES {
        std::fs::write(folder.join(format!("{seed}.txt")), gloss_testkit::summary(seed))?;
    }
    let library = Library::open(&dir.join("data"))?;
    library.reconcile(&folder)?;
    Ok(library)
}

/// Milliseconds of each of `runs` calls.
fn timed<E>(runs: usize, mut work: impl FnMut() -> Result<(), E>) -> Result<Vec<f64>, E> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(times)
}

//! Sync (issue 7): a fresh device applying 10,000 changes from the sync
//! folder (target ≤ 2 s), and how big the folder is per 10,000 highlights,
//! before and after the same highlights are edited again and compacted.

use gloss_testkit::figures::folder_bytes;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use gloss_anchor::describe;
use gloss_sync::{Anchor, Change, DeviceId, LogOptions, NoteOn, Replica, Tagged};

const HIGHLIGHTS: usize = 10_000;
const EPISODES: usize = 200;
const BATCH: usize = 500;

/// An episode-sized text to take selectors from.
fn text() -> String {
    let words = ["open", "models", "let", "small", "labs", "ship", "faster", "than", "giants", "café", "🧠"];
    (0..3000).map(|n| words[(n * 7 + n / 3) % words.len()]).collect::<Vec<_>>().join(" ")
}

fn create(n: usize, text: &str) -> Change {
    let start = (n * 37) % 9000;
    let selector = describe(text, start, start + 60 + n % 80).expect("a selector inside the text");
    Change::CreateHighlight {
        highlight: uuid::Uuid::new_v4().to_string(),
        anchor: Anchor { episode: format!("{:032x}", n % EPISODES), selector },
        color: ["yellow", "green", "blue", "pink"][n % 4].into(),
        note: if n.is_multiple_of(3) {
            format!("Note {n}: why this matters, in a sentence or two.")
        } else {
            String::new()
        },
        tags: vec!["ai".into(), format!("topic/{}", n % 25)],
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn bench(c: &mut Criterion) {
    let sync = tempfile::tempdir().expect("a temp dir");
    let text = text();
    let (mut writer, _) =
        Replica::open(sync.path(), DeviceId::generate(), LogOptions::default()).expect("open the writer");
    let mut ids = Vec::new();
    for chunk in (0..HIGHLIGHTS).collect::<Vec<_>>().chunks(BATCH) {
        let changes: Vec<Change> = chunk.iter().map(|&n| create(n, &text)).collect();
        for change in &changes {
            if let Change::CreateHighlight { highlight, .. } = change {
                ids.push(highlight.clone());
            }
        }
        writer.record(changes).expect("record");
    }
    let created = folder_bytes(sync.path());

    let started = Instant::now();
    let (fresh, round) = Replica::open(sync.path(), DeviceId::generate(), LogOptions::default()).expect("open");
    let once = started.elapsed();
    assert_eq!(round.read, HIGHLIGHTS);
    assert_eq!(fresh.state().highlights().count(), HIGHLIGHTS);
    println!(
        "sync: a fresh device applies {HIGHLIGHTS} changes (new highlights) in {} ms (target ≤ 2000 ms)",
        once.as_millis()
    );
    println!(
        "sync: folder holds {} per {HIGHLIGHTS} highlights ({} bytes each)",
        mib(created),
        created / HIGHLIGHTS as u64
    );

    let mut group = c.benchmark_group("sync");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    let device = DeviceId::generate();
    group.bench_function("fresh device applies 10k new highlights", |b| {
        b.iter(|| Replica::open(sync.path(), device.clone(), LogOptions::default()).expect("open"))
    });
    group.finish();

    // Every highlight edited twice more (colour, note, tag), then compacted.
    for round in 0..2 {
        for chunk in ids.chunks(BATCH) {
            let changes: Vec<Change> = chunk
                .iter()
                .flat_map(|id| {
                    [
                        Change::SetColor { highlight: id.clone(), color: format!("c{round}") },
                        writer.state().edit_note(NoteOn::Highlight(id.clone()), format!("edit {round}")),
                        Change::SetTag { on: Tagged::Highlight(id.clone()), tag: "ai".into(), tagged: round == 1 },
                    ]
                })
                .collect();
            writer.record(changes).expect("record");
        }
    }
    let edited = folder_bytes(sync.path());
    let compacted = writer.compact().expect("compact");
    let after = folder_bytes(sync.path());
    println!(
        "sync: after {} more edits the folder holds {}; compaction kept {} of {} ops and leaves {}",
        HIGHLIGHTS * 6,
        mib(edited),
        compacted.ops_kept,
        compacted.ops_before,
        mib(after)
    );
    let started = Instant::now();
    let (caught_up, _) = Replica::open(sync.path(), DeviceId::generate(), LogOptions::default()).expect("open");
    println!(
        "sync: a device that was away all along catches up from the compacted folder in {} ms",
        started.elapsed().as_millis()
    );
    assert!(caught_up.state() == writer.state(), "the late device must end where the writer is");
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The kernel's event queue overflowing under a burst of files: notify
//! flags a rescan, Gloss reconciles the whole folder, tells the user, and
//! every file ends up ingested exactly once. Lowers the kernel's inotify
//! queue length while the watcher is created, so it runs alone (see `alone`).

use std::collections::HashMap;
use std::time::Duration;

use crate::util::sysctl::Sysctl;
use crate::util::{drain, summary, wait_for, wait_until, Fixture};
use gloss_core::events::{Event, ScanReason};
use gloss_core::store::episodes::Status;
use gloss_core::watch::WatchOptions;

#[test]
#[ignore = "alone: changes a machine-wide kernel setting; make test runs it by itself"]
fn a_queue_overflow_rescans_and_ingests_every_file_exactly_once() {
    const FILES: usize = 1000;
    let fixture = Fixture::new();
    let events = fixture.library.events().subscribe();
    // The queue length is fixed when the watcher's inotify instance is made.
    let queue = match Sysctl::set("fs/inotify/max_queued_events", 8) {
        Ok(queue) => queue,
        Err(reason) => return crate::util::skip(&reason),
    };
    let watcher = fixture.library.watch(fixture.folder.path(), WatchOptions::default());
    drop(queue);
    let _watcher = watcher.unwrap();
    wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));

    // About four events a file, far more than eight fit in the queue.
    for n in 0..FILES {
        fixture.write(&format!("drop/{n:04}.txt"), &summary(&format!("Dropped {n}"), "Show", "x"));
    }
    let all_in = || {
        let all = fixture.library.list_episodes().unwrap();
        all.len() >= FILES && all.iter().all(|e| e.status == Status::Active)
    };
    let mut seen = Vec::new();
    seen.extend(wait_for(&events, "a rescan", |e| matches!(e, Event::Scanned { reason: ScanReason::Rescan, .. })));
    seen.extend(wait_until(&events, "every file read", all_in));
    seen.extend(drain(&events, Duration::from_millis(1500)));

    assert!(
        seen.iter().any(|e| matches!(e, Event::Notice { message, .. } if message.contains("whole folder"))),
        "the user is told events were lost"
    );
    // A file is new once: its first event is `Added`, or `Error` when a
    // scan caught it created but not yet written ("the file is empty"),
    // which its next version then updates. Nothing goes missing.
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    let mut caught_early = 0;
    for event in &seen {
        match event {
            Event::Added { episode } => *first_seen.entry(&episode.source_path).or_default() += 1,
            Event::Error { episode } if !first_seen.contains_key(episode.source_path.as_str()) => {
                caught_early += 1;
                first_seen.insert(&episode.source_path, 1);
            }
            Event::Updated { .. } | Event::Error { .. } | Event::Scanned { .. } | Event::Notice { .. } => {}
            other => panic!("nothing goes missing: {other:#?}"),
        }
    }
    println!("{caught_early} files were caught before their bytes were written, and read again");
    let twice: Vec<_> = first_seen.iter().filter(|(_, count)| **count != 1).collect();
    assert!(twice.is_empty(), "each file is new once: {twice:?}");
    assert_eq!(first_seen.len(), FILES);
    let all = fixture.library.list_episodes().unwrap();
    assert_eq!(all.len(), FILES, "one episode a file");
    assert!(all.iter().all(|e| e.status == Status::Active && e.error.is_none()));
}

//! Reaching the system's watch limit while watching (a new folder can not
//! be watched): Gloss reconciles, switches to polling, says so, and misses
//! nothing. Lowers the kernel's inotify watch limit for a moment, so it runs
//! alone (see `alone`).

use std::time::Duration;

use crate::util::sysctl::Sysctl;
use crate::util::{summary, wait_for, wait_until, Fixture};
use gloss_core::events::{Event, NoticeLevel, ScanReason};
use gloss_core::store::episodes::Status;
use gloss_core::watch::WatchOptions;

#[test]
#[ignore = "alone: changes a machine-wide kernel setting; make test runs it by itself"]
fn hitting_the_watch_limit_while_watching_switches_to_polling_and_misses_nothing() {
    let fixture = Fixture::new();
    fixture.write("old/ep.txt", &summary("Old", "Show", "x"));
    let events = fixture.library.events().subscribe();
    let options = WatchOptions { poll_interval: Duration::from_millis(100), ..WatchOptions::default() };
    let watcher = fixture.library.watch(fixture.folder.path(), options).unwrap();
    assert!(!watcher.is_polling());
    wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));

    // Already over a limit of one watch: the new folders can not be watched,
    // and files written into them raise no events.
    let limit = match Sysctl::set("fs/inotify/max_user_watches", 1) {
        Ok(limit) => limit,
        Err(reason) => return crate::util::skip(&reason),
    };
    fixture.write("new show/season 1/ep.txt", &summary("New", "Show", "x"));
    fixture.write("new show/season 2/ep.txt", &summary("Newer", "Show", "x"));
    let seen = wait_for(
        &events,
        "the limit reported",
        |e| matches!(e, Event::Notice { level: NoticeLevel::Warning, message } if message.contains("max_user_watches")),
    );
    drop(limit);
    assert!(watcher.is_polling(), "{seen:#?}");
    wait_until(&events, "both new files", || fixture.library.list_episodes().unwrap().len() == 3);

    // Polling from now on.
    fixture.write("new show/season 2/ep2.txt", &summary("Newest", "Show", "x"));
    wait_for(
        &events,
        "a polled file",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "new show/season 2/ep2.txt"),
    );
    let all = fixture.library.list_episodes().unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|e| e.status == Status::Active));
}

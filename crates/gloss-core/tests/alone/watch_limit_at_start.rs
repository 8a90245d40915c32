//! More folders than the system lets Gloss watch, from the start: Gloss
//! polls instead, says so, and still sees new files. Lowers the kernel's
//! inotify watch limit for a moment, so it runs alone (see `alone`).

use std::time::Duration;

use crate::util::sysctl::Sysctl;
use crate::util::{summary, wait_for, Fixture};
use gloss_core::events::{Event, NoticeLevel, ScanReason};
use gloss_core::watch::WatchOptions;

#[test]
#[ignore = "alone: changes a machine-wide kernel setting; make test runs it by itself"]
fn hitting_the_watch_limit_at_start_falls_back_to_polling_and_tells_the_user() {
    let fixture = Fixture::new();
    for n in 0..5 {
        fixture.write(&format!("show {n}/ep.txt"), &summary(&format!("Ep {n}"), "Show", "x"));
    }
    let events = fixture.library.events().subscribe();
    let options = WatchOptions { poll_interval: Duration::from_millis(100), ..WatchOptions::default() };
    // One watch for all of root's processes: the library's six folders do not fit.
    let limit = match Sysctl::set("fs/inotify/max_user_watches", 1) {
        Ok(limit) => limit,
        Err(reason) => return crate::util::skip(&reason),
    };
    let watcher = fixture.library.watch(fixture.folder.path(), options);
    drop(limit);
    let watcher = watcher.unwrap();
    assert!(watcher.is_polling());
    let seen =
        wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));
    let told = seen.iter().any(|e| {
        matches!(e, Event::Notice { level: NoticeLevel::Warning, message }
            if message.contains("max_user_watches") && message.contains(&fixture.folder.path().display().to_string()))
    });
    assert!(told, "{seen:#?}");
    assert_eq!(fixture.library.list_episodes().unwrap().len(), 5);

    fixture.write("show 3/new.txt", &summary("New", "Show", "x"));
    wait_for(
        &events,
        "a new file",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "show 3/new.txt"),
    );
    fixture.write("a new show/ep.txt", &summary("Newer", "Show", "x"));
    wait_for(
        &events,
        "a new folder",
        |e| matches!(e, Event::Added { episode } if episode.source_path == "a new show/ep.txt"),
    );
}

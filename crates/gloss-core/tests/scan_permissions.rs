//! Folders and files Gloss may not read. Permissions only bind ordinary
//! users, so the test body runs as `nobody` (see `util::unprivileged`).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use crate::util::{notices, summary, unprivileged, wait_for, wait_until, within, write, PATIENCE};
use gloss_core::events::{Event, ScanReason};
use gloss_core::store::episodes::Status;
use gloss_core::watch::WatchOptions;
use gloss_core::{Gloss, OpenOptions};

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn unreadable_folders_and_files_are_reported_by_name_and_nothing_stored_is_lost() {
    const TEST: &str = "scan_permissions::unreadable_folders_and_files_are_reported_by_name_and_nothing_stored_is_lost";
    match unprivileged::child_dir() {
        Some(dir) => unreadable(&dir),
        None => {
            if let Err(reason) = unprivileged::run(TEST, unreadable) {
                crate::util::skip(&reason);
            }
        }
    }
}

fn unreadable(dir: &Path) {
    let lib = dir.join("library");
    write(&lib.join("open/a.txt"), &summary("Open", "Show", "x"));
    write(&lib.join("locked/b.txt"), &summary("Locked", "Show", "Kept while locked."));
    write(&lib.join("secret.txt"), &summary("Secret", "Show", "The first version."));
    let options = OpenOptions { data_dir: Some(dir.join("data")), library_dir: Some(lib.clone()), watch: false };
    let gloss = Gloss::open(options).unwrap();
    let library = gloss.library().clone();
    assert_eq!(library.reconcile(&lib).unwrap().added, 3);
    let episode = |rel: &str| library.list_episodes().unwrap().into_iter().find(|e| e.source_path == rel).unwrap();
    let locked_id = episode("locked/b.txt").id;
    let secret_id = episode("secret.txt").id;

    // A folder that can not be listed, a known file whose new version can
    // not be read, and a new file that can not be read.
    set_mode(&lib.join("locked"), 0o000);
    write(&lib.join("secret.txt"), &summary("Secret", "Show", "The second version, which is longer."));
    set_mode(&lib.join("secret.txt"), 0o000);
    write(&lib.join("denied.txt"), &summary("Denied", "Show", "x"));
    set_mode(&lib.join("denied.txt"), 0o000);

    let scan = library.clone();
    let scanned = lib.clone();
    let counts = within("the scan", PATIENCE, move || scan.reconcile(&scanned).unwrap());
    assert_eq!((counts.unchanged, counts.errors, counts.missing), (1, 2, 0), "{counts}");
    let status = gloss.status().unwrap();
    for name in ["secret.txt", "denied.txt"] {
        let error = status.errors.iter().find(|e| e.path == name).unwrap_or_else(|| panic!("{status:#?}"));
        assert!(error.message.contains(name) && error.message.contains("ermission denied"), "{error:?}");
    }
    let locked_notice = status.notices.iter().find(|n| n.contains(&lib.join("locked").display().to_string()));
    assert!(locked_notice.is_some_and(|n| n.contains("ermission denied")), "{:#?}", status.notices);
    // Nothing stored is lost: the locked folder's episode is not called
    // missing, and the unreadable version leaves the last good text.
    assert_eq!(episode("locked/b.txt").status, Status::Active);
    assert!(library.episode(locked_id).unwrap().unwrap().canonical_text.unwrap().contains("Kept while locked."));
    assert_eq!(episode("secret.txt").status, Status::Error);
    assert!(library.episode(secret_id).unwrap().unwrap().canonical_text.unwrap().contains("The first version."));

    // The system will not watch a folder that can not be read, and notify
    // then refuses the whole library: Gloss polls it instead, and says why.
    let events = library.events().subscribe();
    let options = WatchOptions { poll_interval: Duration::from_millis(100), ..WatchOptions::default() };
    let watcher = library.watch(&lib, options).unwrap();
    let seen =
        wait_for(&events, "the start-up scan", |e| matches!(e, Event::Scanned { reason: ScanReason::Startup, .. }));
    let told = notices(&seen).into_iter().find(|n| n.starts_with("could not watch"));
    assert!(told.is_some_and(|n| n.contains("locked") && n.contains("polling")), "{seen:#?}");
    assert!(watcher.is_polling());
    write(&lib.join("open/c.txt"), &summary("New", "Show", "x"));
    wait_for(&events, "a new file", |e| matches!(e, Event::Added { episode } if episode.source_path == "open/c.txt"));

    // Once readable again, everything is read, and nothing was duplicated.
    set_mode(&lib.join("locked"), 0o755);
    set_mode(&lib.join("secret.txt"), 0o644);
    set_mode(&lib.join("denied.txt"), 0o644);
    write(&lib.join("locked/later.txt"), &summary("Later", "Show", "x"));
    wait_until(&events, "every file readable", || {
        let all = library.list_episodes().unwrap();
        all.len() == 6 && all.iter().all(|e| e.status == Status::Active)
    });
    assert!(library.episode(secret_id).unwrap().unwrap().canonical_text.unwrap().contains("The second version"));
    assert_eq!(episode("locked/b.txt").id, locked_id);
    drop(watcher);
}

//! Sync between real databases: several data folders, each with the same
//! episodes under different file names (and line ends), sharing one sync
//! folder. Annotations made on one device reach the others through the
//! folder and land in their SQLite tables; conflicts settle the same way
//! everywhere; nothing echoes back.

use std::collections::HashMap;
use std::path::Path;

use crate::util::devices::{Device, SHARED};
use crate::util::{wait_for, PATIENCE};
use gloss_anchor::AnchorStatus;
use gloss_core::annotations::Origin;
use gloss_core::annotations::{Caller, Color, Door, HighlightFilter, HighlightPatch, NoteRef, ReadingUpdate};
use gloss_core::events::Event;
use gloss_core::export::{self, Format};
use gloss_core::sync::{ServiceOptions, SyncService};
use gloss_sync::device_id;
use gloss_sync::log::ROOT;
use tempfile::TempDir;

/// The seed of an episode only some devices have.
const LATE: u64 = 12;

fn devices(names: &[&'static str]) -> (TempDir, Vec<Device>) {
    let sync = TempDir::new().unwrap();
    (sync, names.iter().map(|name| Device::new(name, &SHARED)).collect())
}

#[test]
fn a_highlight_made_on_one_device_appears_on_the_other_placed_on_its_text() {
    let (sync, mut d) = devices(&["a", "b"]);
    let start = 120;
    let id = d[0].highlight(SHARED[0], start, 40);
    let sent = d[0].round(sync.path());
    assert_eq!(sent.sent, 1, "{sent:?}");

    let received = d[1].round(sync.path());
    assert_eq!(received.changed_episodes, [d[1].episode(SHARED[0])]);
    let h = d[1].notes().get_highlight(&id).unwrap();
    assert_eq!(h.episode_id, d[1].episode(SHARED[0]));
    let text = d[1].text(SHARED[0]);
    assert_eq!(h.selector.exact, text.chars().skip(start).take(40).collect::<String>());
    assert_eq!(h.anchor.status, AnchorStatus::Anchored);
    assert_eq!((h.anchor.start, h.anchor.end), (Some(start), Some(start + 40)));
    assert_eq!((h.color, h.note.as_str()), (Color::Green, "why this matters, by a"));
    assert_eq!(h.tags, ["AI", "policy"]);
    assert_eq!(d[0].snapshot(), d[1].snapshot());
    // Search finds it on the other device too.
    assert_eq!(d[1].notes().search_highlights("matters", &HighlightFilter::default(), 10).unwrap().len(), 1);
}

#[test]
fn applying_remote_changes_records_nothing_so_nothing_echoes() {
    let (sync, mut d) = devices(&["a", "b"]);
    d[0].highlight(SHARED[0], 50, 30);
    d[0].notes().set_episode_note(d[0].episode(SHARED[1]), "a note").unwrap();
    d[0].round(sync.path());
    let a_log = d[0].log_bytes(sync.path());
    for _ in 0..3 {
        d[1].round(sync.path());
    }
    assert_eq!(d[1].log_bytes(sync.path()), 0, "the receiving device wrote nothing to its log");
    assert_eq!(d[1].pending(), 0);
    d[1].restart();
    assert_eq!(d[1].round(sync.path()).applied, 0, "a restart re-reads the folder but applies nothing again");
    assert_eq!(d[0].round(sync.path()).sent, 0);
    assert_eq!(d[0].log_bytes(sync.path()), a_log);
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

#[test]
fn concurrent_note_edits_settle_on_one_text_and_keep_the_other_as_an_earlier_version() {
    let (sync, mut d) = devices(&["a", "b"]);
    let id = d[0].highlight(SHARED[0], 10, 20);
    d[0].notes().set_episode_note(d[0].episode(SHARED[0]), "first").unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());

    // Both edit both notes before seeing the other's edit.
    for device in &d {
        let by = device.name;
        device.notes().set_episode_note(device.episode(SHARED[0]), &format!("episode note by {by}")).unwrap();
        let patch =
            HighlightPatch { id: id.clone(), note: Some(format!("highlight note by {by}")), ..Default::default() };
        device.notes().update_highlight(&patch).unwrap();
    }
    d[0].round(sync.path());
    d[1].round(sync.path());
    d[0].round(sync.path());

    let (a, b) = (d[0].snapshot(), d[1].snapshot());
    assert_eq!(a, b);
    let (shown, earlier, ..) = &a.episodes[&gloss_testkit::spec(SHARED[0]).title];
    let mut both = vec![shown.clone(), earlier.concat()];
    both.sort();
    assert_eq!(both, ["episode note by a", "episode note by b"], "one shown, the other kept");
    let highlight = &a.highlights[&id];
    assert_eq!(highlight.earlier.len(), 1);
    assert_ne!(highlight.earlier[0], highlight.note);

    // Settling on one device clears the earlier version everywhere.
    let episode = NoteRef::Episode { episode_id: d[1].episode(SHARED[0]) };
    d[1].notes().settle_note(&episode, "merged by b").unwrap();
    d[1].round(sync.path());
    d[0].round(sync.path());
    let settled = d[0].snapshot();
    let (shown, earlier, ..) = &settled.episodes[&gloss_testkit::spec(SHARED[0]).title];
    assert_eq!((shown.as_str(), earlier.len()), ("merged by b", 0));
    assert_eq!(settled, d[1].snapshot());

    // A later edit after seeing it replaces it without leaving anything behind.
    d[0].notes().set_episode_note(d[0].episode(SHARED[0]), "edited after").unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    let (shown, earlier, ..) = &d[1].snapshot().episodes[&gloss_testkit::spec(SHARED[0]).title];
    assert_eq!((shown.as_str(), earlier.len()), ("edited after", 0));
}

#[test]
fn deleting_restoring_and_emptying_the_trash_reach_every_device() {
    let (sync, mut d) = devices(&["a", "b"]);
    let id = d[0].highlight(SHARED[0], 30, 25);
    d[0].round(sync.path());
    d[1].round(sync.path());

    d[1].notes().delete_highlight(&id).unwrap();
    d[1].round(sync.path());
    d[0].round(sync.path());
    assert!(d[0].notes().get_highlight(&id).unwrap().deleted_at.is_some());

    d[0].notes().restore_highlight(&id).unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    assert!(d[1].notes().get_highlight(&id).unwrap().deleted_at.is_none());

    d[0].notes().delete_highlight(&id).unwrap();
    d[0].notes().empty_trash().unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    assert!(d[1].notes().get_highlight(&id).is_err(), "purged everywhere");
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

/// Every kind of change, on two devices, while a third is away; the third
/// catches up from the (compacted) folder and all three agree.
#[test]
fn a_device_away_during_many_changes_catches_up() {
    let (sync, mut d) = devices(&["a", "b", "c"]);
    let first = d[0].highlight(SHARED[0], 100, 30);
    let second = d[1].highlight(SHARED[1], 200, 50);
    d[0].round(sync.path());
    d[1].round(sync.path());
    d[0].round(sync.path());
    for n in 0..12 {
        let color = [Color::Blue, Color::Pink, Color::Purple][n % 3];
        let patch = HighlightPatch { id: first.clone(), color: Some(color), ..Default::default() };
        d[n % 2].notes().update_highlight(&patch).unwrap();
        d[n % 2].round(sync.path());
    }
    let a = d[0].notes();
    let episode = d[0].episode(SHARED[1]);
    a.set_episode_tags(episode, &["Interviews".into(), "AI".into()]).unwrap();
    a.set_star(episode, "s1.i1", true).unwrap();
    a.set_insight_note(episode, "s1.i2", "a thought on the second insight").unwrap();
    a.set_reading_state(&ReadingUpdate { episode_id: episode, read: Some(true), position: Some(42) }).unwrap();
    a.set_color_names(&HashMap::from([("green".to_owned(), "key idea".to_owned())])).unwrap();
    a.rename_tag("AI", "Machine Learning").unwrap();
    a.delete_tag("policy").unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    let b = d[1].notes();
    b.set_reading_state(&ReadingUpdate { episode_id: d[1].episode(SHARED[1]), read: None, position: Some(7) }).unwrap();
    b.delete_highlight(&second).unwrap();
    d[1].round(sync.path());
    d[0].round(sync.path());

    let compacted = std::fs::read_dir(sync.path().join(ROOT))
        .unwrap()
        .flat_map(|dir| std::fs::read_dir(dir.unwrap().path()).unwrap())
        .any(|file| file.unwrap().file_name().to_string_lossy().ends_with(".snapshot.log"));
    assert!(compacted, "the logs were compacted while c was away");

    d[2].round(sync.path());
    let (a, b, c) = (d[0].snapshot(), d[1].snapshot(), d[2].snapshot());
    assert_eq!(a, b);
    assert_eq!(a, c);
    let title = gloss_testkit::spec(SHARED[1]).title;
    assert_eq!(c.episodes[&title].3, ["s1.i1"]);
    assert_eq!(c.episodes[&title].4, ["Interviews", "Machine Learning"]);
    assert_eq!(c.episodes[&title].5, (true, Some(7)));
    assert_eq!(c.highlights[&first].tags, ["Machine Learning"]);
    assert!(c.highlights[&second].trashed);
    assert_eq!(c.color_names.as_deref(), Some(r#"{"green":"key idea"}"#));
}

#[test]
fn an_annotation_waits_for_its_episode_across_restarts_and_attaches_when_it_is_ingested() {
    let sync = TempDir::new().unwrap();
    let mut a = Device::new("a", &[SHARED[0], LATE]);
    let mut b = Device::new("b", &[SHARED[0]]);
    let id = a.highlight(LATE, 60, 35);
    a.notes().set_star(a.episode(LATE), "s1.i1", true).unwrap();
    a.round(sync.path());

    let early = b.round(sync.path());
    assert!(early.waiting > 0, "{early:?}");
    assert!(b.notes().get_highlight(&id).is_err());
    b.restart();
    assert!(b.round(sync.path()).waiting > 0, "still waiting after a restart");

    b.add_episode(LATE);
    let attached = b.round(sync.path());
    assert_eq!((attached.waiting, attached.changed_episodes.clone()), (0, vec![b.episode(LATE)]), "{attached:?}");
    let h = b.notes().get_highlight(&id).unwrap();
    assert_eq!(h.anchor.status, AnchorStatus::Anchored);
    assert_eq!(h.episode_id, b.episode(LATE));
    assert_eq!(a.snapshot(), b.snapshot());
}

/// What a sync tool does to files: delivers the tail of a log cut off
/// mid-record, and leaves conflict copies and duplicates beside it.
#[test]
fn torn_tails_conflict_copies_and_duplicates_change_nothing() {
    let (sync, mut d) = devices(&["a", "b"]);
    let first = d[0].highlight(SHARED[0], 10, 15);
    d[0].round(sync.path());
    let second = d[0].highlight(SHARED[1], 300, 15);
    d[0].round(sync.path());

    let a_dir = d[0].log_dir(sync.path());
    let tail = d[0].tail(sync.path());
    let whole = std::fs::read(&tail).unwrap();
    std::fs::write(&tail, &whole[..whole.len() - 40]).unwrap();
    let torn = d[1].round(sync.path());
    assert!(torn.problems.is_empty(), "{torn:?}");
    assert!(d[1].notes().get_highlight(&first).is_ok());
    assert!(d[1].notes().get_highlight(&second).is_err(), "the torn record is not read yet");

    std::fs::write(&tail, &whole).unwrap();
    std::fs::write(a_dir.join("00000001.sync-conflict-20250101-101010-ABCDEFG.log"), &whole).unwrap();
    std::fs::write(a_dir.join("00000001 (Laptop's conflicted copy 2025-01-01).log"), &whole).unwrap();
    std::fs::write(a_dir.join(".syncthing.00000002.log.tmp"), &whole[..17]).unwrap();
    let whole_round = d[1].round(sync.path());
    assert!(whole_round.problems.is_empty(), "{whole_round:?}");
    assert!(d[1].notes().get_highlight(&second).is_ok());
    assert_eq!(d[0].snapshot(), d[1].snapshot());
    d[1].restart();
    assert_eq!(d[1].round(sync.path()).applied, 0);
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

#[test]
fn annotations_made_before_joining_are_sent_on_the_first_round() {
    let (sync, mut d) = devices(&["a", "b"]);
    let early = d[0].highlight(SHARED[0], 5, 20);
    d[0].notes().set_episode_note(d[0].episode(SHARED[1]), "written before sync").unwrap();
    assert_eq!(d[0].pending(), 0, "nothing is queued before the first join: the join exports everything");
    let joined = d[0].round(sync.path());
    assert_eq!(joined.exported, Some(2), "{joined:?}");
    let later = d[0].highlight(SHARED[1], 80, 20);
    assert_eq!(d[0].pending(), 1);
    d[0].round(sync.path());
    d[1].round(sync.path());
    assert!(d[1].notes().get_highlight(&early).is_ok() && d[1].notes().get_highlight(&later).is_ok());
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

/// Regression: a backup imported after joining a sync folder was written
/// without being queued, so the other devices never got what it brought.
#[test]
fn import_after_joining_sync_reaches_the_other_device() {
    let (sync, mut d) = devices(&["a", "b", "c"]);
    // Device c makes a highlight and a note and backs them up; a never had them.
    let imported = d[2].highlight(SHARED[0], 60, 25);
    d[2].notes().set_episode_note(d[2].episode(SHARED[1]), "note from the backup").unwrap();
    let backup = TempDir::new().unwrap();
    crate::util::export::export(&d[2].library, Format::Json, backup.path()).unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    assert_eq!(d[0].pending(), 0);

    let file = backup.path().join("gloss-backup.json");
    let report = export::import(&d[0].library, Origin::Import(Caller::door(Door::Cli)), &file).unwrap();
    assert_eq!((report.highlights_added, report.notes), (1, 1), "{report:?}");
    assert!(d[0].pending() >= 2, "the import is queued like any local change");
    assert!(d[0].round(sync.path()).sent >= 2);
    d[1].round(sync.path());
    let arrived = d[1].notes().get_highlight(&imported).unwrap();
    assert_eq!(arrived.note, "why this matters, by c");
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

#[test]
fn every_kind_of_edit_reaches_the_other_device() {
    let (sync, mut d) = devices(&["a", "b"]);
    let first = d[0].highlight(SHARED[0], 100, 30);
    let second = d[0].highlight(SHARED[1], 40, 30);
    d[0].notes().set_episode_tags(d[0].episode(SHARED[0]), &["policy".into()]).unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());

    let b = d[1].notes();
    let patch = HighlightPatch {
        id: first.clone(),
        color: Some(Color::Blue),
        note: Some(String::new()),
        tags: Some(vec!["AI".into(), "Later".into()]),
    };
    b.update_highlight(&patch).unwrap();
    b.reattach_highlight(&second, 10, 25).unwrap();
    b.merge_tag("policy", "Politics").unwrap();
    b.delete_tag("Later").unwrap();
    b.restore_tag("Later").unwrap();
    b.set_star(d[1].episode(SHARED[0]), "s1.i1", true).unwrap();
    b.set_star(d[1].episode(SHARED[0]), "s1.i1", false).unwrap();
    b.set_star(d[1].episode(SHARED[0]), "s1.i2", true).unwrap();
    d[1].round(sync.path());
    d[0].round(sync.path());

    let a = d[0].snapshot();
    assert_eq!(a, d[1].snapshot());
    assert_eq!(a.highlights[&first].color, Color::Blue);
    assert_eq!(a.highlights[&first].note, "");
    assert_eq!(a.highlights[&first].tags, ["AI", "Later"]);
    let text = d[0].text(SHARED[1]);
    assert_eq!(a.highlights[&second].exact, text.chars().skip(10).take(15).collect::<String>());
    assert_eq!(a.episodes[&gloss_testkit::spec(SHARED[0]).title].3, ["s1.i2"]);
    assert!(a.tags.iter().any(|(name, _)| name == "Politics") && !a.tags.iter().any(|(name, _)| name == "policy"));
}

#[test]
fn a_highlight_lands_where_its_quote_is_in_this_devices_text() {
    let sync = TempDir::new().unwrap();
    let mut a = Device::new("a", &[SHARED[0]]);
    let mut b = Device::new("b", &[]);
    let original = gloss_testkit::summary(SHARED[0]);
    assert!(original.contains("TL;DR\n"));
    // b's copy was revised: a few words more at the start of the TL;DR.
    let revised = original.replacen("TL;DR\n", "TL;DR\nNewly revised. ", 1);
    crate::util::write(&b.folder.path().join("revised.txt"), &revised);
    b.library.reconcile(b.folder.path()).unwrap();

    let start = 400;
    let id = a.highlight(SHARED[0], start, 30);
    let quote = a.notes().get_highlight(&id).unwrap().selector.exact;
    a.round(sync.path());
    b.round(sync.path());
    let h = b.notes().get_highlight(&id).unwrap();
    let shift = "Newly revised. ".chars().count();
    assert_eq!((h.anchor.start, h.anchor.end), (Some(start + shift), Some(start + shift + 30)), "{:?}", h.anchor);
    assert_eq!(h.selector.exact, quote);
    assert_eq!(b.text(SHARED[0]).chars().skip(start + shift).take(30).collect::<String>(), quote);
}

/// The worker: two running Glosses with a real folder watcher each; a
/// highlight made on one reaches the other's database on its own.
#[test]
fn the_worker_carries_a_highlight_to_a_running_device() {
    let sync = TempDir::new().unwrap();
    let a = Device::new("a", &SHARED);
    let b = Device::new("b", &SHARED);
    let options = ServiceOptions { periodic: PATIENCE * 10, ..ServiceOptions::default() };
    let on_a = SyncService::with_options(a.library.clone(), options.clone());
    let on_b = SyncService::with_options(b.library.clone(), options);
    let events = b.library.events().subscribe();
    on_a.set_sync_dir(Some(sync.path())).unwrap();
    on_b.set_sync_dir(Some(sync.path())).unwrap();
    assert_eq!(on_b.sync_dir(), Some(std::fs::canonicalize(sync.path()).unwrap()));

    let id = a.highlight(SHARED[1], 70, 25);
    let episode = b.episode(SHARED[1]);
    wait_for(
        &events,
        "the highlight to arrive on b",
        |event| matches!(event, Event::SyncDone { changed_episodes } if changed_episodes.contains(&episode)),
    );
    assert_eq!(b.notes().get_highlight(&id).unwrap().episode_id, episode);

    // b can read a's log before a's round has committed: let a finish (a
    // round asked for now runs after the one in progress).
    on_a.sync_now().unwrap();
    let status = on_a.status().unwrap();
    assert!(status.enabled && status.last_sync.is_some() && status.problems.is_empty(), "{status:?}");
    assert_eq!(status.pending, 0);
    let ids: Vec<&str> = status.devices.iter().map(|d| d.id.as_str()).collect();
    assert!(ids.contains(&device_id(a.data.path()).unwrap().as_str()), "{status:?}");
    assert!(status.devices.iter().any(|d| d.this_device));

    on_b.set_sync_dir(None).unwrap();
    assert!(!on_b.status().unwrap().enabled);
    assert!(on_b.sync_now().is_err(), "sync is off");
}

/// Writes a well-checksummed record of `op` into `device_dir` (as any
/// program with access to the folder could).
fn forge(device_dir: &Path, name: &str, op: &gloss_sync::Op) {
    let mut line = Vec::new();
    gloss_sync::record::encode(op, &mut line).unwrap();
    std::fs::create_dir_all(device_dir).unwrap();
    let mut bytes = std::fs::read(device_dir.join(name)).unwrap_or_default();
    bytes.extend(line);
    std::fs::write(device_dir.join(name), bytes).unwrap();
}

/// Op numbers no Gloss writes (at or past 2^63, or this device's last
/// possible one, even from another device's folder) are refused as damage:
/// every later round works, before and after a restart.
#[test]
fn forged_op_numbers_never_stop_sync() {
    let (sync, mut d) = devices(&["a", "b"]);
    d[0].round(sync.path());
    let a_id = device_id(d[0].data.path()).unwrap();
    let forger = gloss_sync::DeviceId::generate();
    let forger_dir = sync.path().join(ROOT).join(forger.as_str());
    let change = gloss_sync::Change::SetRead { episode: "fp".into(), read: true };
    let op = |device: &gloss_sync::DeviceId, seq| gloss_sync::Op {
        device: device.clone(),
        seq,
        stamp: gloss_sync::Hlc::new(1, 0),
        change: change.clone(),
    };
    for seq in [1 << 63, (1 << 63) + 5, u64::MAX] {
        forge(&forger_dir, "00000001.log", &op(&forger, seq));
    }
    forge(&forger_dir, "00000001.log", &op(&a_id, u64::MAX));
    for device in d.iter_mut() {
        let report = device.round(sync.path());
        assert_eq!(report.problems.len(), 1, "one summary for the file: {report:?}");
        assert!(report.problems[0].contains("4 damaged records"), "{report:?}");
        device.restart();
        device.round(sync.path());
    }
    let id = d[0].highlight(SHARED[0], 10, 20);
    d[0].round(sync.path());
    d[1].round(sync.path());
    assert!(d[1].notes().get_highlight(&id).is_ok(), "sync goes on");
    assert_eq!(d[0].snapshot(), d[1].snapshot());
}

/// A copied data folder keeps its device id, so two copies issue the same
/// op numbers. The copy that notices takes a new id and sends everything
/// again; a third device ends with both copies' changes.
#[test]
fn a_copied_data_folder_takes_a_new_id_and_loses_nothing() {
    let (sync, mut d) = devices(&["a", "c"]);
    d[0].highlight(SHARED[0], 10, 20);
    d[0].round(sync.path());
    let copied_id = device_id(d[0].data.path()).unwrap();
    let mut copy = d[0].copied();
    assert_eq!(device_id(copy.data.path()).unwrap(), copied_id);
    copy.round(sync.path());

    // Both copies, running, make a change before either reads the other's.
    let from_original = d[0].highlight(SHARED[1], 30, 20);
    let from_copy = copy.highlight(SHARED[1], 90, 20);
    let first = d[0].round(sync.path());
    let second = copy.round(sync.path());
    let noticed = [&first, &second].iter().filter_map(|r| r.new_device.clone()).collect::<Vec<_>>();
    assert_eq!(noticed.len(), 1, "{first:?} {second:?}");
    assert!(noticed[0].contains(copied_id.as_str()) && noticed[0].contains("nothing is lost"), "{}", noticed[0]);
    for _ in 0..3 {
        d[0].round(sync.path());
        copy.round(sync.path());
        d[1].round(sync.path());
    }
    assert_ne!(device_id(d[0].data.path()).unwrap(), device_id(copy.data.path()).unwrap());
    for id in [&from_original, &from_copy] {
        assert!(d[1].notes().get_highlight(id).is_ok(), "{id} reached the third device");
    }
    assert_eq!(d[0].snapshot(), d[1].snapshot());
    assert_eq!(copy.snapshot(), d[1].snapshot());
}

/// A note edited before the round that sends its highlight's creation
/// replaces the note the highlight started with, on every device.
#[test]
fn a_note_edited_in_the_round_that_creates_its_highlight_shows_the_same_everywhere() {
    let (sync, mut d) = devices(&["a", "b"]);
    d[0].highlight(SHARED[0], 10, 20);
    d[0].round(sync.path());
    let id = d[0].highlight(SHARED[1], 60, 20);
    let patch = HighlightPatch { id: id.clone(), note: Some("edited".into()), ..Default::default() };
    d[0].notes().update_highlight(&patch).unwrap();
    d[0].round(sync.path());
    d[1].round(sync.path());
    let (a, b) = (d[0].snapshot(), d[1].snapshot());
    assert!(b.highlights[&id].earlier.is_empty(), "{:?}", b.highlights[&id]);
    assert_eq!(a, b);
}

/// The first join, hammered as Settings and the worker meet it: in every
/// round, threads set the sync folder, ask for a round and read the status
/// at once while the worker starts. Each time the data folder ends with one
/// id, the folder holds that one log and no other, and the status lists
/// one device, marked as this one.
#[test]
#[ignore = "slow: 100 first joins"]
fn the_first_join_gives_a_data_folder_exactly_one_id_in_100_rounds() {
    for round in 0..100 {
        let sync = TempDir::new().unwrap();
        let device = Device::new("a", &[]);
        let service = SyncService::with_options(device.library.clone(), ServiceOptions::default());
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            for n in 0..4 {
                let (service, sync, start) = (service.clone(), sync.path(), &start);
                scope.spawn(move || {
                    start.wait();
                    match n {
                        0 | 1 => drop(service.set_sync_dir(Some(sync))),
                        2 => drop(service.sync_now()),
                        _ => {
                            for _ in 0..20 {
                                drop(service.status());
                            }
                        }
                    }
                });
            }
        });
        service.sync_now().unwrap();
        let id = device_id(device.data.path()).unwrap().to_string();
        let logs: Vec<String> = std::fs::read_dir(sync.path().join(ROOT))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(logs, [id.as_str()], "round {round}: one log, under the data folder's id");
        let status = service.status().unwrap();
        let listed: Vec<(&str, bool)> = status.devices.iter().map(|d| (d.id.as_str(), d.this_device)).collect();
        assert_eq!(listed, [(id.as_str(), true)], "round {round}: {status:?}");
    }
}

//! Sync through two real Syncthing instances: each device syncs with its
//! own side of a Syncthing folder, so what reaches the other device is what
//! Syncthing delivers, when it delivers it: files late and whole, through
//! temporary `.syncthing.*.tmp` names, and conflict copies of a file that
//! changed on both sides while they were apart. The devices are
//! sync_store's. Slow (two Syncthing processes and real transfers), so
//! ignored unless asked for; `make test` asks.

use std::path::Path;
use std::time::Duration;

use crate::util::devices::{Device, SHARED};
use crate::util::poll;
use crate::util::syncthing::{is_conflict_copy, is_temporary, SyncthingPair, PATIENCE};
use gloss_core::annotations::{Color, HighlightPatch};

/// A round of `device` with its side of the folder; no problem reported.
fn round(device: &mut Device, side: &Path) {
    let report = device.round(side);
    assert!(report.problems.is_empty(), "device {}: {report:?}", device.name);
}

/// Each device sends what it has, Syncthing carries it across, and each
/// reads what the other sent.
fn exchange(pair: &SyncthingPair, a: &mut Device, b: &mut Device) {
    round(a, pair.folder_a());
    round(b, pair.folder_b());
    pair.settle();
    round(a, pair.folder_a());
    round(b, pair.folder_b());
}

fn set_note(device: &Device, highlight: &str, note: &str) {
    let patch = HighlightPatch { id: highlight.to_owned(), note: Some(note.to_owned()), ..Default::default() };
    device.notes().update_highlight(&patch).unwrap();
}

fn set_color(device: &Device, highlight: &str, color: Color) {
    let patch = HighlightPatch { id: highlight.to_owned(), color: Some(color), ..Default::default() };
    device.notes().update_highlight(&patch).unwrap();
}

/// Whether `dir` holds a file that `matches` picks.
fn any_file_in(dir: &Path, matches: fn(&Path) -> bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.filter_map(Result::ok).any(|entry| matches(&entry.path()))
}

#[test]
#[ignore = "slow: real Syncthing"]
fn two_devices_converge_through_real_syncthing() {
    let pair = SyncthingPair::start();
    let (mut a, mut b) = (Device::new("a", &SHARED), Device::new("b", &SHARED));
    let first = a.highlight(SHARED[0], 100, 30);
    let second = a.highlight(SHARED[1], 40, 25);
    a.notes().set_episode_note(a.episode(SHARED[0]), "first thoughts").unwrap();
    a.notes().set_episode_tags(a.episode(SHARED[1]), &["Interviews".into()]).unwrap();
    let tagged = HighlightPatch { id: second.clone(), tags: Some(vec!["Later".into()]), ..Default::default() };
    a.notes().update_highlight(&tagged).unwrap();
    exchange(&pair, &mut a, &mut b);
    let arrived = b.snapshot();
    assert_eq!(arrived.highlights[&second].tags, ["Later"]);
    assert_eq!(a.snapshot(), arrived);

    // And back: b's edit reaches a.
    set_color(&b, &first, Color::Blue);
    exchange(&pair, &mut a, &mut b);
    let back = a.snapshot();
    assert_eq!(back.highlights[&first].color, Color::Blue);
    assert_eq!(back, b.snapshot());

    // Apart, both edit the same notes; each device's round writes only to
    // its own side.
    pair.pause();
    for (device, side) in [(&mut a, pair.folder_a()), (&mut b, pair.folder_b())] {
        let by = device.name;
        device.notes().set_episode_note(device.episode(SHARED[0]), &format!("episode note by {by}")).unwrap();
        set_note(device, &first, &format!("highlight note by {by}"));
        round(device, side);
    }
    pair.resume();
    exchange(&pair, &mut a, &mut b);
    let (on_a, on_b) = (a.snapshot(), b.snapshot());
    assert_eq!(on_a, on_b);
    let (shown, earlier, ..) = &on_a.episodes[&gloss_testkit::spec(SHARED[0]).title];
    let mut both = vec![shown.clone(), earlier.concat()];
    both.sort();
    assert_eq!(both, ["episode note by a", "episode note by b"], "one shown, the other kept as an earlier version");
    let highlight = &on_a.highlights[&first];
    let mut both = vec![highlight.note.clone(), highlight.earlier.concat()];
    both.sort();
    assert_eq!(both, ["highlight note by a", "highlight note by b"], "one shown, the other kept as an earlier version");
}

/// A log file of a's changed on both sides while apart (a's side appended
/// to, b's side put back as it was, as a restored backup would), so
/// Syncthing keeps one side's as a conflict copy; then a log large enough
/// to be seen in transit. No round reports a problem, and both devices end
/// with everything either made.
#[test]
#[ignore = "slow: real Syncthing"]
fn syncthing_temporary_files_and_conflict_copies_change_nothing() {
    let pair = SyncthingPair::start();
    let (mut a, mut b) = (Device::new("a", &SHARED), Device::new("b", &SHARED));
    let first = a.highlight(SHARED[0], 10, 20);
    exchange(&pair, &mut a, &mut b);

    // A restart starts a new segment; one small change keeps it short, so
    // a's next change is appended to it rather than starting another.
    a.restart();
    a.notes().set_star(a.episode(SHARED[0]), "s1.i1", true).unwrap();
    exchange(&pair, &mut a, &mut b);
    let (tail_a, tail_b) = (a.tail(pair.folder_a()), a.tail(pair.folder_b()));
    let stale = std::fs::read(&tail_b).unwrap();

    pair.pause();
    set_color(&a, &first, Color::Pink);
    round(&mut a, pair.folder_a());
    let grown = std::fs::read(&tail_a).unwrap();
    assert!(grown.len() > stale.len() && grown.starts_with(&stale), "a appended its change to the tail b has");
    // Written again with the same bytes and dated after a's append: a
    // change to Syncthing, and the newer one (file times here are only as
    // fine as the kernel's tick), so it wins and a's own tail is replaced
    // under it.
    std::fs::write(&tail_b, &stale).unwrap();
    let appended = std::fs::metadata(&tail_a).unwrap().modified().unwrap();
    let copy = std::fs::File::options().write(true).open(&tail_b).unwrap();
    copy.set_modified(appended + Duration::from_secs(1)).unwrap();
    pair.resume();
    let log_a = a.log_dir(pair.folder_a());
    poll("Syncthing's conflict copy of a's tail", PATIENCE, || any_file_in(&log_a, is_conflict_copy));
    exchange(&pair, &mut a, &mut b);
    assert_eq!(std::fs::read(&tail_a).unwrap(), stale, "Syncthing kept b's copy, the newer, in place of a's tail");
    assert_eq!(b.snapshot().highlights[&first].color, Color::Pink);
    assert_eq!(a.snapshot(), b.snapshot());
    // a writes again, after its tail was replaced.
    a.notes().set_star(a.episode(SHARED[0]), "s1.i2", true).unwrap();
    exchange(&pair, &mut a, &mut b);
    assert_eq!(b.snapshot().episodes[&gloss_testkit::spec(SHARED[0]).title].3, ["s1.i1", "s1.i2"]);
    assert_eq!(a.snapshot(), b.snapshot());
    assert!(any_file_in(&a.log_dir(pair.folder_b()), is_conflict_copy), "b has the conflict copy too");

    // Long notes make a large log; received slowly, it sits in a temporary
    // file on b's side for a while, and b runs a round meanwhile.
    let long: Vec<String> = (0..4).map(|n| a.highlight(SHARED[1], 60 + 40 * n, 20)).collect();
    pair.limit_receiving(LIMIT_KIB_PER_SECOND);
    for (n, id) in long.iter().enumerate() {
        set_note(&a, id, &format!("Thought {n}, at length. ").repeat(NOTE_BYTES / 22));
    }
    round(&mut a, pair.folder_a());
    let arriving = a.log_dir(pair.folder_b());
    poll("a's large log to be in transit to b", PATIENCE, || any_file_in(&arriving, is_temporary));
    round(&mut b, pair.folder_b());
    pair.limit_receiving(0);
    exchange(&pair, &mut a, &mut b);
    let on_b = b.snapshot();
    assert!(long.iter().all(|id| on_b.highlights[id].note.len() > NOTE_BYTES / 2), "the long notes arrived");
    // (Not assert_eq: a failure would print megabytes of notes.)
    assert!(a.snapshot() == on_b, "a and b differ");
}

/// With four notes this long, a's log grows by about a MiB at once...
const NOTE_BYTES: usize = 250_000;
/// ...which takes Syncthing a few seconds to bring across at this rate.
const LIMIT_KIB_PER_SECOND: u32 = 400;

/// A data folder copied to a second machine keeps its device id. Both
/// copies write under it while Syncthing keeps them apart; once it carries
/// both logs, each copy notices the other writer under its id, takes a new
/// one and sends everything again, and both end with everything either
/// made.
#[test]
#[ignore = "slow: real Syncthing"]
fn a_copied_data_folder_syncing_through_syncthing_takes_a_new_id_and_loses_nothing() {
    let pair = SyncthingPair::start();
    let mut a = Device::new("a", &SHARED);
    a.highlight(SHARED[0], 10, 20);
    round(&mut a, pair.folder_a());
    let mut b = a.copied();
    pair.settle();
    round(&mut b, pair.folder_b());

    pair.pause();
    let from_a = a.highlight(SHARED[1], 30, 20);
    let from_b = b.highlight(SHARED[1], 90, 20);
    round(&mut a, pair.folder_a());
    round(&mut b, pair.folder_b());
    pair.resume();
    let mut renamed = Vec::new();
    for _ in 0..3 {
        pair.settle();
        for (device, side) in [(&mut a, pair.folder_a()), (&mut b, pair.folder_b())] {
            renamed.extend(device.round(side).new_device);
        }
    }
    assert!(!renamed.is_empty() && renamed.iter().all(|m| m.contains("nothing is lost")), "{renamed:?}");
    assert_ne!(gloss_sync::device_id(a.data.path()).unwrap(), gloss_sync::device_id(b.data.path()).unwrap());
    let (on_a, on_b) = (a.snapshot(), b.snapshot());
    for id in [&from_a, &from_b] {
        assert!(on_a.highlights.contains_key(id) && on_b.highlights.contains_key(id), "{id} is on both");
    }
    assert_eq!(on_a, on_b);
}

//! Every read of a library file respects the size limit, move detection
//! included: a huge file appearing while an episode's file is gone must not
//! be read whole to see whether it is that episode, moved.

use crate::util::summary;
use gloss_core::Library;

/// The process's peak resident memory so far, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_huge_file_appearing_while_an_episode_is_gone_is_not_read_to_find_a_move() {
    let data = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.txt"), summary("A", "Show", "x")).unwrap();
    let library = Library::open(data.path()).unwrap();
    library.reconcile(folder.path()).unwrap();

    std::fs::remove_file(folder.path().join("a.txt")).unwrap();
    // Sparse: a gigabyte on paper, nothing on disk.
    let huge = std::fs::File::create(folder.path().join("huge.txt")).unwrap();
    huge.set_len(1 << 30).unwrap();
    drop(huge);
    let before = peak_rss_kib();
    let counts = library.reconcile(folder.path()).unwrap();
    let after = peak_rss_kib();

    assert_eq!((counts.moved, counts.missing, counts.errors), (0, 1, 1), "{counts:?}");
    let episodes = library.list_episodes().unwrap();
    let huge = episodes.iter().find(|e| e.source_path == "huge.txt").expect("listed");
    assert!(huge.error.as_deref().is_some_and(|e| e.contains("too large") || e.contains("limit")), "{huge:?}");
    if let (Some(before), Some(after)) = (before, after) {
        // The kernel updates the peak lazily (it reports the larger of the
        // recorded peak and the current size), so a later reading can be
        // lower than an earlier one while other tests free memory.
        let growth = after.saturating_sub(before);
        assert!(growth < 256 * 1024, "the scan's peak memory grew by {} MiB", growth / 1024);
    }
}

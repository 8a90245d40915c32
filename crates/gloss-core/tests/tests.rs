//! gloss-core's integration tests, one binary: real libraries on temp
//! folders, the watcher, annotations, export, sync against SQLite, and the
//! hostile corpus. Tests that take more than a few seconds are ignored
//! with a reason starting "slow:" (`make check` leaves them out, `make
//! test` runs them); `alone` holds the tests that must run by themselves.

mod util;

#[path = "../../gloss-anchor/tests/invariants.rs"]
mod invariants;

mod alone;
mod annotations_episode;
mod annotations_highlights;
mod annotations_reanchor;
mod annotations_search;
mod annotations_tags;
mod big_files;
mod damaged_database;
mod episode_list;
mod export_markdown;
mod export_merge;
mod export_roundtrip;
mod export_template;
mod hostile;
mod ingest;
mod library_folder_faults;
mod review;
mod scan_permissions;
mod search;
mod store;
mod store_disk_full;
mod sync_store;
mod sync_syncthing;
mod watch;
mod write_path;

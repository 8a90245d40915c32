//! Reading a sync folder laid out by an attacker (any files, names, links
//! and records, checksummed or not, with any numbers), then writing to it
//! and compacting, never panics, never writes through a link, never merges
//! a record out of bounds and never loses a local change (the checks are
//! gloss-sync's, shared with its regression tests).

#![no_main]

#[path = "../../crates/gloss-sync/tests/folder_invariants.rs"]
mod folder_invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: folder_invariants::FolderInput| {
    folder_invariants::check_folder(input);
});

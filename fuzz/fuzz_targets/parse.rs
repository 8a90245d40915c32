//! Any bytes are either refused with a reason or parsed into an episode
//! whose blocks and canonical text keep the promises of docs/format.md
//! (the checks are gloss-anchor's, shared with its regression tests).

#![no_main]

#[path = "../../crates/gloss-anchor/tests/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = invariants::check_parse(data);
});

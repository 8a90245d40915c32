//! Re-anchoring any selector, sound or corrupt, on any old and new text
//! never panics, and a highlight it calls `anchored` or `moved` points at
//! its quote (the checks are gloss-anchor's, shared with its regression tests).

#![no_main]

#[path = "../../crates/gloss-anchor/tests/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: invariants::ReanchorInput| {
    invariants::check_reanchor(input);
});

//! The sync engine's integration tests, one binary (see `make check` for
//! the quick run): replicas that exchange logs in any order converge, and
//! every input the sync-folder fuzzer crashed on stays fixed.

mod convergence;
mod folder_invariants;
mod fuzz_regressions;

//! The sync engine's integration tests, one binary (see `make check` for
//! the quick run): replicas that exchange logs in any order converge.

mod convergence;

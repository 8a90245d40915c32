//! The `gloss` binary's integration tests, one binary: the command line as
//! users run it, the CLI as a client of a running Gloss, the test matrix of
//! every origin of a change against every consumer, the fault tests (kill
//! -9, full disk, read-only data folder) against the real `gloss serve`,
//! `gloss serve` stopped and reached as a service is, and `gloss mcp`
//! spoken to as an assistant does. Tests that take more than a few seconds
//! are ignored with a reason starting "slow:" (`make check` leaves them
//! out, `make test` runs them).

mod support;

mod change_matrix;
mod cli;
mod cli_client;
mod crash;
mod mcp;
mod serve;
mod storage_faults;

//! The parser's integration tests, one binary (see `make check` for the
//! quick run): the documented format, generated summaries, the seeds, and
//! properties over arbitrary bytes.

mod format;
mod generated;
mod properties;
mod seeds;

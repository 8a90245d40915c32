//! What a reconcile of the library folder did, in numbers: what
//! [`Event::Scanned`](crate::events::Event::Scanned) carries and `gloss
//! scan` prints. Its own module so that events, which announce it, and
//! ingest, which counts it, both sit above it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a reconcile did. Every summary file found lands in exactly one of
/// `added`, `updated`, `moved`, `unchanged` or `errors`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanCounts {
    /// New episodes.
    pub added: usize,
    /// Episodes whose file changed, or came back after going missing.
    pub updated: usize,
    /// Episodes whose file was renamed or moved (they keep their id).
    pub moved: usize,
    pub unchanged: usize,
    /// Episodes whose file is gone (in the part of the library looked at).
    pub missing: usize,
    /// Files whose current version could not be read or parsed.
    pub errors: usize,
}

impl fmt::Display for ScanCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ScanCounts { added, updated, moved, unchanged, missing, errors } = self;
        write!(
            f,
            "added {added}, updated {updated}, moved {moved}, unchanged {unchanged}, missing {missing}, errors {errors}"
        )
    }
}

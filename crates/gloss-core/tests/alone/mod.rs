//! Tests that change a machine-wide kernel setting (the inotify limits)
//! for a moment. Any watcher started meanwhile, by any test, would see the
//! lowered limit, so these are ignored in the ordinary run and `make test`
//! runs them by themselves, one at a time:
//! `cargo test -p gloss-core --test tests -- --ignored --test-threads=1 alone::`.

mod watch_limit_at_start;
mod watch_limit_while_live;
mod watch_overflow;

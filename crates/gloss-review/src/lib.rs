//! Retrieval practice for Gloss: what a card is, the review log, and when
//! each card is due, scheduled by FSRS.
//!
//! A card is made from something the user already has: an insight (its
//! title asks, its body answers), a highlight (the sentence around it with
//! the highlighted words blanked), or a note written as `Q: ... A: ...`
//! ([`card`]). Its schedule is never stored as the truth: each rating is an
//! event in an append-only log ([`event`]), and a card's state is the
//! replay of its events in clock order through the FSRS scheduler
//! ([`schedule`]). So ratings made on two devices offline both count once
//! they meet, nothing is decided by last-writer-wins, and every state can
//! be recomputed when the desired retention changes. Days start at an hour
//! the user picks ([`day`]); [`stats`] sums a log up for the finish screen.
//!
//! FSRS itself is the `rs-fsrs` crate, the open-spaced-repetition project's
//! scheduler: the reference implementation's algorithm, without the
//! parameter optimizer (and its ML framework) that the `fsrs` crate brings.

pub mod card;
pub mod day;
pub mod event;
pub mod schedule;
pub mod stats;

pub use card::{cloze, question, CardId, CardPrompt};
pub use day::ReviewDay;
pub use event::{Rating, ReviewEvent};
pub use schedule::{CardState, Phase, Preview, Scheduler, Settings};

//! Replaying the review log (issue 15): 500,000 events of 50,000 cards,
//! arriving in no particular order, back into card states (target ≤ 2 s).
//! Raw limit, measured in the same run: the same ratings fed to the
//! `rs-fsrs` scheduler directly, card by card, already in order.

use std::collections::HashMap;
use std::time::Instant;

use chrono::DateTime;
use gloss_review::{CardId, Rating, ReviewEvent, Scheduler, Settings};
use gloss_testkit::figures::{Better, Figure};

const CARDS: usize = 50_000;
const PER_CARD: usize = 10;
const START_MS: i64 = 1_767_225_600_000;

fn main() {
    let ids: Vec<CardId> = (0..CARDS).map(|n| CardId::Highlight(format!("{n:08x}-card"))).collect();
    let mut events = Vec::with_capacity(CARDS * PER_CARD);
    for k in 0..PER_CARD {
        for (n, card) in ids.iter().enumerate() {
            let rating = Rating::ALL[(n * 7 + k * 3) % 4];
            let at_ms = START_MS + (k as i64) * 3 * 86_400_000 + (n as i64) * 1000;
            events.push(ReviewEvent { id: format!("{n}-{k}"), card: card.clone(), rating, at_ms, undone: false });
        }
    }
    let scheduler = Scheduler::new(Settings::default()).expect("default settings");

    let started = Instant::now();
    let mut by_card: HashMap<&CardId, Vec<&ReviewEvent>> = HashMap::with_capacity(CARDS);
    for event in &events {
        by_card.entry(&event.card).or_default().push(event);
    }
    let states: Vec<_> = by_card.into_values().map(|card_events| scheduler.replay(card_events)).collect();
    let replay = started.elapsed().as_secs_f64();
    assert_eq!(states.len(), CARDS);

    let fsrs = rs_fsrs::FSRS::new(rs_fsrs::Parameters::default());
    let ratings = [rs_fsrs::Rating::Again, rs_fsrs::Rating::Hard, rs_fsrs::Rating::Good, rs_fsrs::Rating::Easy];
    let started = Instant::now();
    let mut due_sum = 0i64;
    for n in 0..CARDS {
        let mut card = rs_fsrs::Card::default();
        for k in 0..PER_CARD {
            let at_ms = START_MS + (k as i64) * 3 * 86_400_000 + (n as i64) * 1000;
            let now = DateTime::from_timestamp_millis(at_ms).expect("a time");
            card = fsrs.next(card, now, ratings[(n * 7 + k * 3) % 4]).card;
        }
        due_sum = due_sum.wrapping_add(card.due.timestamp_millis());
    }
    let raw = started.elapsed().as_secs_f64();
    assert_ne!(due_sum, 0);

    Figure {
        name: "review: replaying 500,000 events of 50,000 cards",
        unit: "s",
        measured: replay,
        target: 2.0,
        better: Better::Lower,
        raw: Some(raw),
    }
    .print();
}

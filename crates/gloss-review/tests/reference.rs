//! Scheduling is FSRS's, exactly: for 100 scripted rating sequences (random
//! ratings at random gaps, from minutes to months), replaying the review
//! log gives after every rating the same due time, interval, stability and
//! difficulty as calling the `rs-fsrs` scheduler directly, rating by
//! rating; and the log's order of arrival changes nothing.

use chrono::DateTime;
use gloss_review::{CardId, Rating, ReviewEvent, Scheduler, Settings};

/// splitmix64: a fixed script per seed, with no dependency.
struct Script(u64);

impl Script {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const START_MS: i64 = 1_767_225_600_000;
const GAPS_MS: [i64; 6] = [60_000, 10 * 60_000, 3_600_000, 86_400_000, 7 * 86_400_000, 40 * 86_400_000];

#[test]
fn scheduling_matches_the_crates_own_reference_for_100_scripted_sequences() {
    for seed in 0..100u64 {
        let mut script = Script(seed);
        let retention = [0.8, 0.85, 0.9, 0.95][script.below(4) as usize];
        let scheduler = Scheduler::new(Settings { desired_retention: retention, ..Settings::default() }).unwrap();
        let reference =
            rs_fsrs::FSRS::new(rs_fsrs::Parameters { request_retention: retention, ..rs_fsrs::Parameters::default() });
        let card = CardId::Highlight(format!("card-{seed}"));
        let mut expected = rs_fsrs::Card::default();
        let mut events = Vec::new();
        let mut at = START_MS;
        for n in 0..1 + script.below(30) {
            at += GAPS_MS[script.below(GAPS_MS.len() as u64) as usize] + script.below(60_000) as i64;
            let rating = Rating::ALL[script.below(4) as usize];
            let fsrs_rating =
                [rs_fsrs::Rating::Again, rs_fsrs::Rating::Hard, rs_fsrs::Rating::Good, rs_fsrs::Rating::Easy]
                    [usize::from(rating.number() - 1)];
            expected = reference.next(expected, DateTime::from_timestamp_millis(at).unwrap(), fsrs_rating).card;
            events.push(ReviewEvent {
                id: format!("{seed}-{n}"),
                card: card.clone(),
                rating,
                at_ms: at,
                undone: false,
            });

            // The log arrives in any order: reversed here.
            let state = scheduler.replay(events.iter().rev());
            assert_eq!(state.due_ms(), Some(expected.due.timestamp_millis()), "seed {seed}, rating {n}");
            assert_eq!(state.reviews(), u32::try_from(expected.reps).unwrap(), "seed {seed}, rating {n}");
            assert_eq!(state.lapses(), u32::try_from(expected.lapses).unwrap(), "seed {seed}, rating {n}");
            assert_eq!(state.stability().to_bits(), expected.stability.to_bits(), "seed {seed}, rating {n}");
            assert_eq!(state.difficulty().to_bits(), expected.difficulty.to_bits(), "seed {seed}, rating {n}");
        }
    }
}

//! FSRS scheduling by replay: a card's state is its events, in clock order,
//! each applied by the `rs-fsrs` scheduler. Nothing else moves a card, so
//! the state can always be recomputed (after a sync, an undo, or a change
//! of the desired retention) and two devices with the same events agree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::day::ReviewDay;
use crate::event::{clock_order, Rating, ReviewEvent};

/// The user's review settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The chance of remembering a card when it comes due (0.7 to 0.99).
    pub desired_retention: f64,
    /// New cards shown per day.
    pub new_per_day: u32,
    /// Reviews shown per day, new cards included.
    pub max_reviews_per_day: u32,
    pub day: ReviewDay,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { desired_retention: 0.9, new_per_day: 20, max_reviews_per_day: 200, day: ReviewDay::default() }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("desired retention must be between 0.7 and 0.99 (it is {0})")]
    Retention(f64),
    #[error("a day starts at an hour from 0 to 23 (not {0})")]
    Hour(u8),
}

/// Where a card is in FSRS's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    New,
    Learning,
    Review,
    Relearning,
}

/// A card's state: the replay of its events.
#[derive(Debug, Clone, PartialEq)]
pub struct CardState {
    card: rs_fsrs::Card,
}

impl Default for CardState {
    /// A card never rated. (`rs_fsrs::Card::new` would stamp it with the
    /// current time; a new card's times are never read, so the epoch keeps
    /// replays reproducible.)
    fn default() -> CardState {
        CardState { card: rs_fsrs::Card::default() }
    }
}

impl CardState {
    pub fn phase(&self) -> Phase {
        match self.card.state {
            rs_fsrs::State::New => Phase::New,
            rs_fsrs::State::Learning => Phase::Learning,
            rs_fsrs::State::Review => Phase::Review,
            rs_fsrs::State::Relearning => Phase::Relearning,
        }
    }

    /// When the card is due (Unix milliseconds); `None` while it is new.
    pub fn due_ms(&self) -> Option<i64> {
        (self.phase() != Phase::New).then(|| self.card.due.timestamp_millis())
    }

    pub fn stability(&self) -> f64 {
        self.card.stability
    }

    pub fn difficulty(&self) -> f64 {
        self.card.difficulty
    }

    pub fn reviews(&self) -> u32 {
        u32::try_from(self.card.reps).unwrap_or(0)
    }

    pub fn lapses(&self) -> u32 {
        u32::try_from(self.card.lapses).unwrap_or(0)
    }
}

/// When a card would next be due after each rating, shown on the buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub again_ms: i64,
    pub hard_ms: i64,
    pub good_ms: i64,
    pub easy_ms: i64,
}

/// FSRS with the user's settings.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: rs_fsrs::FSRS,
    settings: Settings,
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Scheduler {
    pub fn new(settings: Settings) -> Result<Scheduler, SettingsError> {
        if !(0.7..=0.99).contains(&settings.desired_retention) {
            return Err(SettingsError::Retention(settings.desired_retention));
        }
        if settings.day.starts_at_hour > 23 {
            return Err(SettingsError::Hour(settings.day.starts_at_hour));
        }
        let parameters = rs_fsrs::Parameters {
            request_retention: settings.desired_retention,
            // Fuzz would make two devices replaying the same events disagree.
            enable_fuzz: false,
            ..rs_fsrs::Parameters::default()
        };
        Ok(Scheduler { fsrs: rs_fsrs::FSRS::new(parameters), settings })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The state after `rating` at `at_ms`.
    pub fn rate(&self, state: &CardState, rating: Rating, at_ms: i64) -> CardState {
        self.advance(state.clone(), rating, at_ms)
    }

    fn advance(&self, state: CardState, rating: Rating, at_ms: i64) -> CardState {
        CardState { card: self.fsrs.next(state.card, time(at_ms), rating.fsrs()).card }
    }

    /// A card's state from its events (any order, undone ones included:
    /// they are left out).
    pub fn replay<'a>(&self, events: impl IntoIterator<Item = &'a ReviewEvent>) -> CardState {
        let mut events: Vec<&ReviewEvent> = events.into_iter().filter(|e| !e.undone).collect();
        clock_order(&mut events);
        events.dedup_by(|a, b| a.id == b.id);
        events.iter().fold(CardState::default(), |state, event| self.advance(state, event.rating, event.at_ms))
    }

    /// When the card would be due after each rating made at `now_ms`.
    pub fn preview(&self, state: &CardState, now_ms: i64) -> Preview {
        let due = |rating| self.rate(state, rating, now_ms).card.due.timestamp_millis();
        Preview {
            again_ms: due(Rating::Again),
            hard_ms: due(Rating::Hard),
            good_ms: due(Rating::Good),
            easy_ms: due(Rating::Easy),
        }
    }

    /// Whether a card is due for review on the day of `now_ms`: rated
    /// cards from their due time's day on (a card due later today counts
    /// today, as in every spaced-repetition app); new cards are not "due",
    /// they are introduced up to [`Settings::new_per_day`].
    pub fn is_due(&self, state: &CardState, now_ms: i64) -> bool {
        let day = self.settings.day;
        state.due_ms().is_some_and(|due| day.day_of(due) <= day.day_of(now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardId;

    const DAY: i64 = 86_400_000;

    fn event(id: &str, rating: Rating, at_ms: i64) -> ReviewEvent {
        ReviewEvent { id: id.into(), card: CardId::Highlight("h".into()), rating, at_ms, undone: false }
    }

    #[test]
    fn a_replay_ignores_arrival_order_duplicates_and_undone_ratings() {
        let scheduler = Scheduler::new(Settings::default()).unwrap();
        let t = 1_767_225_600_000;
        let events =
            [event("a", Rating::Good, t), event("b", Rating::Again, t + DAY), event("c", Rating::Easy, t + 3 * DAY)];
        let forward = scheduler.replay(&events);
        let mut shuffled = vec![events[2].clone(), events[0].clone(), events[1].clone(), events[0].clone()];
        assert_eq!(scheduler.replay(&shuffled), forward);
        shuffled.push(ReviewEvent { undone: true, ..event("d", Rating::Again, t + 4 * DAY) });
        assert_eq!(scheduler.replay(&shuffled), forward);
        assert_eq!(
            (forward.reviews(), forward.lapses(), forward.phase()),
            (3, 0, Phase::Review),
            "Again while learning is no lapse"
        );
    }

    #[test]
    fn a_new_card_is_not_due_and_a_rated_one_is_due_on_its_day() {
        let scheduler = Scheduler::new(Settings::default()).unwrap();
        let t = 1_767_225_600_000;
        assert!(!scheduler.is_due(&CardState::default(), t));
        let state = scheduler.replay(&[event("a", Rating::Good, t)]);
        let due = state.due_ms().unwrap();
        assert!(scheduler.is_due(&state, due) && scheduler.is_due(&state, due + 5 * DAY));
        let preview = scheduler.preview(&state, due);
        assert!(
            preview.again_ms <= preview.hard_ms
                && preview.hard_ms <= preview.good_ms
                && preview.good_ms <= preview.easy_ms
        );
    }

    #[test]
    fn settings_out_of_range_are_refused_with_the_reason() {
        let bad = Settings { desired_retention: 1.5, ..Settings::default() };
        assert!(Scheduler::new(bad).unwrap_err().to_string().contains("0.7 and 0.99"));
    }
}

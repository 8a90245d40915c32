//! What the finish screen shows: how much was reviewed today, how often
//! answers came back, what is coming in the next days, and the streak.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::day::ReviewDay;
use crate::event::{clock_order, Rating, ReviewEvent};
use crate::schedule::{CardState, Scheduler};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewStats {
    /// Ratings given today.
    pub reviewed_today: usize,
    /// Of the ratings of cards seen before (not their first), the share
    /// that was not Again; `None` before there are any.
    pub retention: Option<f64>,
    /// Cards due on each of the next days, today (with overdue ones) first.
    pub forecast: Vec<usize>,
    /// Days in a row with at least one rating, up to today (or yesterday,
    /// while today has none yet).
    pub streak: u32,
}

/// Sums up `events` (all cards, any order) and the cards' `states` at `now_ms`.
pub fn stats(
    scheduler: &Scheduler,
    events: &[ReviewEvent],
    states: &[CardState],
    now_ms: i64,
    forecast_days: usize,
) -> ReviewStats {
    let day = scheduler.settings().day;
    let today = day.day_of(now_ms);
    let mut live: Vec<&ReviewEvent> = events.iter().filter(|e| !e.undone).collect();
    clock_order(&mut live);
    let reviewed_today = live.iter().filter(|e| day.day_of(e.at_ms) == today).count();

    let mut seen = HashSet::new();
    let (mut recalled, mut asked) = (0usize, 0usize);
    for event in &live {
        if !seen.insert(&event.card) {
            asked += 1;
            recalled += usize::from(event.rating != Rating::Again);
        }
    }
    let retention = (asked > 0).then(|| recalled as f64 / asked as f64);

    let mut forecast = vec![0; forecast_days];
    for due in states.iter().filter_map(CardState::due_ms) {
        let offset = (day.day_of(due) - today).max(0);
        if let Some(slot) = usize::try_from(offset).ok().and_then(|at| forecast.get_mut(at)) {
            *slot += 1;
        }
    }
    ReviewStats { reviewed_today, retention, forecast, streak: streak(day, &live, today) }
}

fn streak(day: ReviewDay, events: &[&ReviewEvent], today: i64) -> u32 {
    let days: BTreeSet<i64> = events.iter().map(|e| day.day_of(e.at_ms)).collect();
    let mut current = if days.contains(&today) { today } else { today - 1 };
    let mut streak = 0;
    while days.contains(&current) {
        streak += 1;
        current -= 1;
    }
    streak
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::CardId;
    use crate::schedule::Settings;

    const DAY: i64 = 86_400_000;
    const T: i64 = 1_767_240_000_000; // 2026-01-01 04:00 UTC

    fn event(card: &str, n: u32, rating: Rating, at_ms: i64) -> ReviewEvent {
        ReviewEvent { id: format!("{card}-{n}"), card: CardId::Highlight(card.into()), rating, at_ms, undone: false }
    }

    #[test]
    fn the_finish_screen_counts_today_retention_forecast_and_streak() {
        let scheduler = Scheduler::new(Settings::default()).unwrap();
        let events = vec![
            event("a", 1, Rating::Good, T - 2 * DAY),
            event("a", 2, Rating::Again, T - DAY),
            event("a", 3, Rating::Good, T + 60_000),
            event("b", 1, Rating::Good, T + 120_000),
            event("b", 2, Rating::Easy, T + 180_000),
        ];
        let states: Vec<CardState> = ["a", "b"]
            .iter()
            .map(|card| scheduler.replay(events.iter().filter(|e| e.card == CardId::Highlight((*card).into()))))
            .collect();
        let stats = stats(&scheduler, &events, &states, T + 200_000, 60);
        assert_eq!(stats.reviewed_today, 3);
        assert_eq!(stats.retention, Some(2.0 / 3.0));
        assert_eq!(stats.streak, 3);
        assert_eq!(stats.forecast.iter().sum::<usize>(), 2, "{:?}", stats.forecast);
    }
}

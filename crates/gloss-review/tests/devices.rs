//! Three devices review offline in random interleavings and exchange their
//! sync logs in random order (each device has its own copy of the sync
//! folder, as a file-sync tool keeps one per machine). Once every log has
//! reached every copy, all three replay the same card states, and those
//! are the states of every rating made, applied at once: ratings are
//! events, so a rating made offline on one device is never lost to one
//! made on another.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use gloss_review::{CardId, Rating, ReviewEvent, Scheduler, Settings};
use gloss_sync::{Change, DeviceId, LogOptions, Replica};
use proptest::prelude::*;

const START_MS: u64 = 1_767_225_600_000;
const CARDS: [&str; 3] = ["highlight/h1", "highlight/h2", "insight/fp/s1.i1"];
const OPTIONS: LogOptions = LogOptions { segment_bytes: 600, compact_after: 2 };

#[derive(Debug, Clone)]
enum Action {
    Rate {
        device: usize,
        card: usize,
        rating: usize,
    },
    Undo {
        device: usize,
    },
    /// Time passes on every device.
    Wait {
        minutes: u64,
    },
    /// The sync tool copies one device's log to another's copy of the folder.
    Carry {
        from: usize,
        to: usize,
    },
    Round {
        device: usize,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..3usize, 0..CARDS.len(), 0..4usize).prop_map(|(device, card, rating)| Action::Rate { device, card, rating }),
        1 => (0..3usize).prop_map(|device| Action::Undo { device }),
        2 => (1..3000u64).prop_map(|minutes| Action::Wait { minutes }),
        2 => (0..3usize, 0..3usize).prop_map(|(from, to)| Action::Carry { from, to }),
        1 => (0..3usize).prop_map(|device| Action::Round { device }),
    ]
}

struct World {
    root: tempfile::TempDir,
    devices: Vec<Replica>,
    now: u64,
    made: Vec<ReviewEvent>,
}

impl World {
    fn new() -> World {
        let root = gloss_testkit::scratch_dir();
        let devices = (0..3)
            .map(|n| Replica::open(&root.path().join(format!("copy{n}")), device(n), OPTIONS).expect("open").0)
            .collect();
        World { root, devices, now: START_MS, made: Vec::new() }
    }

    fn folder(&self, n: usize) -> PathBuf {
        self.root.path().join(format!("copy{n}"))
    }

    fn run(&mut self, action: Action) {
        match action {
            Action::Rate { device, card, rating } => {
                let event = format!("e{}", self.made.len());
                let rating = Rating::ALL[rating];
                let change = Change::Review {
                    event: event.clone(),
                    card: CARDS[card].into(),
                    rating: rating.number(),
                    at: self.now,
                };
                self.devices[device].record_at(vec![change], self.now).expect("record");
                let at_ms = i64::try_from(self.now).expect("a time");
                self.made.push(ReviewEvent {
                    id: event,
                    card: CARDS[card].parse().expect("a card"),
                    rating,
                    at_ms,
                    undone: false,
                });
            }
            Action::Undo { device } => {
                let mine = |e: &&mut ReviewEvent| !e.undone && self.devices[device].state().review(&e.id).is_some();
                if let Some(event) = self.made.iter_mut().rev().find(mine) {
                    event.undone = true;
                    let change = Change::UndoReview { event: event.id.clone() };
                    self.devices[device].record_at(vec![change], self.now).expect("record");
                }
            }
            Action::Wait { minutes } => self.now += minutes * 60_000,
            Action::Carry { from, to } => carry(&self.folder(from), &self.folder(to), &device(from)),
            Action::Round { device } => {
                self.devices[device].round_at(self.now).expect("round");
            }
        }
    }

    fn settle(&mut self) {
        for from in 0..3 {
            for to in 0..3 {
                carry(&self.folder(from), &self.folder(to), &device(from));
            }
        }
        for replica in &mut self.devices {
            replica.round_at(self.now).expect("round");
        }
    }
}

fn device(n: usize) -> DeviceId {
    format!("{:016x}", n + 1).parse().expect("an id")
}

/// Copies `owner`'s log files from one copy of the folder to another, whole.
fn carry(from: &Path, to: &Path, owner: &DeviceId) {
    let source = gloss_sync::log::device_dir(from, owner);
    let target = gloss_sync::log::device_dir(to, owner);
    if source == target {
        return;
    }
    let Ok(files) = fs::read_dir(&source) else { return };
    fs::create_dir_all(&target).expect("the target folder");
    for file in files {
        let file = file.expect("an entry");
        fs::copy(file.path(), target.join(file.file_name())).expect("a copy");
    }
}

/// Every card's replayed state: due time, reviews, lapses.
fn states(events: &[ReviewEvent]) -> BTreeMap<String, (Option<i64>, u32, u32)> {
    let scheduler = Scheduler::new(Settings::default()).expect("defaults");
    CARDS
        .iter()
        .map(|card| {
            let card: CardId = card.parse().expect("a card");
            let state = scheduler.replay(events.iter().filter(|e| e.card == card));
            (card.to_string(), (state.due_ms(), state.reviews(), state.lapses()))
        })
        .collect()
}

/// The events a device's merged state holds.
fn events_of(replica: &Replica) -> Vec<ReviewEvent> {
    replica
        .state()
        .reviews()
        .map(|view| ReviewEvent {
            id: view.event,
            card: view.card.parse().expect("a card"),
            rating: Rating::from_number(view.rating).expect("a rating"),
            at_ms: i64::try_from(view.at).expect("a time"),
            undone: view.undone,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(1000), ..ProptestConfig::default() })]

    #[test]
    fn devices_that_review_offline_converge_on_the_same_card_states(actions in prop::collection::vec(action(), 1..40)) {
        let mut world = World::new();
        for action in actions {
            world.run(action);
        }
        world.settle();
        let expected = states(&world.made);
        for (n, replica) in world.devices.iter().enumerate() {
            prop_assert_eq!(&states(&events_of(replica)), &expected, "device {}", n);
        }
    }
}

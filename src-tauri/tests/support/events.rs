//! A connected client of one server's `/api/events`: every event it sends,
//! collected in the background, and whether the stream has ended.

use super::PATIENCE;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Listener {
    events: Arc<Mutex<Vec<Value>>>,
    ended: Arc<AtomicBool>,
}

impl Listener {
    /// Opens the event stream of the server at `url`.
    pub fn connect(url: &str) -> Listener {
        let events = Arc::new(Mutex::new(Vec::new()));
        let ended = Arc::new(AtomicBool::new(false));
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let response = agent.get(format!("{url}api/events")).call().expect("the event stream opens");
        assert_eq!(response.status().as_u16(), 200, "the event stream opens");
        let reader = BufReader::new(response.into_body().into_reader());
        let (collected, done) = (Arc::clone(&events), Arc::clone(&ended));
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                if let Some(data) = line.strip_prefix("data:") {
                    if let Ok(event) = serde_json::from_str::<Value>(data.trim()) {
                        collected.lock().unwrap().push(event);
                    }
                }
            }
            done.store(true, Ordering::SeqCst);
        });
        Listener { events, ended }
    }

    /// How many events have arrived: pass it to [`wait_for`](Self::wait_for)
    /// to look only at later ones.
    pub fn mark(&self) -> usize {
        self.events.lock().unwrap().len()
    }

    /// The first `annotation_changed` event after `from` whose origin is of
    /// `kind` and that mentions `word`.
    pub fn wait_for(&self, from: usize, kind: &str, word: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.events.lock().unwrap()[from..]
                .iter()
                .find(|e| {
                    e["type"] == "annotation_changed" && e["origin"]["kind"] == kind && e.to_string().contains(word)
                })
                .cloned();
            if let Some(event) = found {
                return event;
            }
            let seen = self.events.lock().unwrap()[from..].to_vec();
            assert!(Instant::now() < deadline, "no {kind} event mentioning {word}; saw {seen:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the server has ended the stream; panics after [`PATIENCE`].
    pub fn wait_ended(&self) {
        let deadline = Instant::now() + PATIENCE;
        while !self.ended.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the event stream is still open");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

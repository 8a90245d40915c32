//! Full-text search over reconciled episodes.

use crate::util::{summary, Fixture, PATIENCE};
use gloss_core::search::SearchHit;
use gloss_core::store::{Error, StopSwitch};
use std::sync::{mpsc, Arc};

fn library() -> Fixture {
    let fixture = Fixture::new();
    fixture.write(
        "compute.txt",
        &summary("Compute Arms Race", "Tech Weekly", "Chip exports shape the open-source model race."),
    );
    fixture.write("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Tariffs move supply chains."));
    fixture.write(
        "models.txt",
        &summary("Reasoning Models", "Tech Weekly", "Models use tools; compute matters less for reasoning."),
    );
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    fixture
}

fn titles(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.episode.title.as_deref().unwrap_or("")).collect()
}

#[test]
fn a_title_match_ranks_above_a_body_match() {
    let fixture = library();
    let hits = fixture.library.search("compute", 10).unwrap();
    assert_eq!(titles(&hits), ["Compute Arms Race", "Reasoning Models"]);
    assert!(hits[0].score <= hits[1].score);
}

/// The marked parts of a hit's snippet, lowercased.
fn marked(hit: &SearchHit) -> Vec<String> {
    let chars: Vec<char> = hit.snippet.text.chars().collect();
    hit.snippet
        .matches
        .iter()
        .map(|[start, end]| chars[*start..*end].iter().collect::<String>().to_lowercase())
        .collect()
}

#[test]
fn snippets_carry_match_ranges_in_code_points() {
    let fixture = library();
    let hits = fixture.library.search("tariffs", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(marked(&hits[0]), ["tariffs"], "{:?}", hits[0].snippet);
}

#[test]
fn prefix_and_phrase_queries_work() {
    let fixture = library();
    assert_eq!(titles(&fixture.library.search("tarif*", 10).unwrap()), ["Reordering Global Trade"]);
    assert_eq!(titles(&fixture.library.search("\"supply chains\"", 10).unwrap()), ["Reordering Global Trade"]);
    assert!(fixture.library.search("\"chains supply\"", 10).unwrap().is_empty());
}

#[test]
fn stems_and_accents_match_loosely() {
    let fixture = library();
    fixture.write("cafe.txt", &summary("Café Culture", "Food Show", "Roasting beans."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    assert_eq!(titles(&fixture.library.search("cafe", 10).unwrap()), ["Café Culture"]);
    let roasted = fixture.library.search("roasted", 10).unwrap();
    assert_eq!(titles(&roasted), ["Café Culture"]);
    assert_eq!(marked(&roasted[0]), ["roast"], "the snippet marks the stem: {:?}", roasted[0].snippet);
}

#[test]
fn input_that_is_not_valid_fts_syntax_is_answered_as_plain_words() {
    let fixture = library();
    let open_source = fixture.library.search("open-source", 10).unwrap();
    assert_eq!(titles(&open_source), ["Compute Arms Race"]);
    for query in [
        "\"unbalanced quote",
        "what's",
        "AND",
        "OR compute",
        "nosuchcolumn:trade",
        "*",
        "(",
        "compute)",
        "NEAR(",
        "^",
        "-trade",
        "trade +",
        "\u{E000}trade",
        "",
        "   ",
    ] {
        if let Err(e) = fixture.library.search(query, 10) {
            panic!("{query:?} failed: {e}");
        }
    }
    assert_eq!(titles(&fixture.library.search("trade)", 10).unwrap()), ["Reordering Global Trade"]);
}

#[test]
fn a_query_of_thousands_of_words_is_searched_by_its_first_words() {
    // Regression (hostile input): FTS5 time grows with the square of the
    // number of terms; 20,000 words took minutes.
    let fixture = library();
    let hits = fixture.library.search(&"trade ".repeat(20_000), 10).unwrap();
    assert_eq!(titles(&hits), ["Reordering Global Trade"]);
}

#[test]
fn an_episode_that_changes_is_found_by_its_new_text_only() {
    let fixture = library();
    fixture.write("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Shipping lanes shift."));
    fixture.library.reconcile(fixture.folder.path()).unwrap();
    assert!(fixture.library.search("tariffs", 10).unwrap().is_empty());
    assert_eq!(titles(&fixture.library.search("shipping", 10).unwrap()), ["Reordering Global Trade"]);
}

#[test]
fn the_limit_is_respected() {
    let fixture = library();
    assert_eq!(fixture.library.search("show OR weekly OR talk OR idea", 1).unwrap().len(), 1);
    assert!(fixture.library.search("idea", 0).unwrap().is_empty());
}

#[test]
fn a_read_under_a_stop_switch_stops_when_it_is_flipped_and_no_other() {
    let fixture = Arc::new(library());
    let switch = StopSwitch::default();
    let (started, running) = mpsc::channel();
    let (done, result) = mpsc::channel();
    let (reader, under) = (Arc::clone(&fixture), switch.clone());
    // Detached, not scoped: if the stop failed, the query would run forever
    // and the test must still end (failing).
    std::thread::spawn(move || {
        let endless = under.run(|| {
            reader.library.store().read(|conn| {
                started.send(()).unwrap();
                let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
                Ok(conn.query_row(sql, [], |row| row.get::<_, i64>(0))?)
            })
        });
        let _ = done.send(endless);
    });
    running.recv_timeout(PATIENCE).expect("the read started");
    switch.stop();
    let stopped = result.recv_timeout(PATIENCE).expect("the running read was stopped");
    assert!(matches!(stopped, Err(Error::Stopped)), "{stopped:?}");
    assert!(stopped.unwrap_err().to_string().contains("Gloss is closing"));

    let later = switch.run(|| fixture.library.search("tariffs", 10));
    assert!(matches!(later, Err(Error::Stopped)), "a later search under the switch is refused: {later:?}");
    // The same library reads on for work not under the switch.
    assert_eq!(titles(&fixture.library.search("tariffs", 10).unwrap()), ["Reordering Global Trade"]);
}

//! Search over annotations: highlight quotes, notes and tags, alone and
//! with the episode text, with filters by show, tag, color, status and date.

use crate::util::annotations::{quote, Setup};
use crate::util::summary;
use gloss_anchor::AnchorStatus;
use gloss_core::annotations::{Color, HighlightFilter, HighlightPatch, NewHighlight};
use gloss_core::app::Annotations;
use gloss_core::store::schema::CARRIED_TAG_KEYS;

fn setup() -> Setup {
    Setup::new(&[
        ("compute.txt", &summary("Compute Arms Race", "Tech Weekly", "Chip exports shape the open-source model race.")),
        ("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Tariffs move supply chains.")),
    ])
}

fn found(notes: &Annotations, words: &str, filter: &HighlightFilter) -> Vec<String> {
    notes.search_highlights(words, filter, 50).unwrap().into_iter().map(|h| h.item.highlight.selector.exact).collect()
}

#[test]
fn highlight_search_finds_quotes_notes_and_tags() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    notes.create_highlight(&quote(compute, "Chip exports")).unwrap();
    notes
        .create_highlight(&NewHighlight { note: Some("Semiconductor *policy*".into()), ..quote(compute, "model race") })
        .unwrap();
    notes.create_highlight(&NewHighlight { tags: vec!["geo/zeitgeist".into()], ..quote(trade, "Tariffs") }).unwrap();
    let all = HighlightFilter::default();
    assert_eq!(found(&notes, "chip", &all), ["Chip exports"]);
    assert_eq!(found(&notes, "semicond", &all), ["model race"], "prefixes match");
    assert_eq!(found(&notes, "POLICY semiconductor", &all), ["model race"]);
    assert_eq!(found(&notes, "zeitgeist", &all), ["Tariffs"]);
    assert_eq!(found(&notes, "geo", &all), ["Tariffs"]);
    assert!(found(&notes, "chip policy", &all).is_empty(), "every word must match");
    assert!(found(&notes, "\"-:*", &all).is_empty(), "no words, no hits, no error");
    let hit = &notes.search_highlights("tariffs", &all, 5).unwrap()[0];
    assert_eq!(
        (hit.item.episode_title.as_deref(), hit.item.show.as_deref()),
        (Some("Reordering Global Trade"), Some("Econ Talk"))
    );
}

#[test]
fn filters_narrow_by_show_tag_color_status_and_date() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    let make = |episode, text: &str, color, tag: &str| {
        let new = NewHighlight {
            color: Some(color),
            tags: vec![tag.into()],
            note: Some("market".into()),
            ..quote(episode, text)
        };
        notes.create_highlight(&new).unwrap()
    };
    let chip = make(compute, "Chip exports", Color::Blue, "ai/chips");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let race = make(compute, "model race", Color::Yellow, "ai");
    let tariffs = make(trade, "Tariffs", Color::Blue, "trade");

    let with = |filter: HighlightFilter| found(&notes, "market", &filter);
    let mut all = with(HighlightFilter::default());
    all.sort();
    assert_eq!(all, ["Chip exports", "Tariffs", "model race"]);
    assert_eq!(with(HighlightFilter { show: Some("econ talk".into()), ..Default::default() }), ["Tariffs"]);
    let mut ai = with(HighlightFilter { tag: Some("AI".into()), ..Default::default() });
    ai.sort();
    assert_eq!(ai, ["Chip exports", "model race"]);
    let mut blue = with(HighlightFilter { color: Some(Color::Blue), ..Default::default() });
    blue.sort();
    assert_eq!(blue, ["Chip exports", "Tariffs"]);
    assert_eq!(with(HighlightFilter { episode_id: Some(trade), ..Default::default() }), ["Tariffs"]);
    assert!(with(HighlightFilter { status: Some(AnchorStatus::Orphaned), ..Default::default() }).is_empty());
    let since_race = HighlightFilter { since: Some(race.created_at), ..Default::default() };
    let mut recent = with(since_race);
    recent.sort();
    assert_eq!(recent, ["Tariffs", "model race"]);
    assert_eq!(with(HighlightFilter { until: Some(race.created_at), ..Default::default() }), ["Chip exports"]);

    // The same filters serve the list, with paging.
    let page = notes
        .list_highlights(&HighlightFilter { color: Some(Color::Blue), limit: Some(1), ..Default::default() })
        .unwrap();
    assert_eq!((page.total, page.items.len()), (2, 1));
    assert_eq!(page.items[0].highlight.id, tariffs.id, "newest first");
    let text = HighlightFilter { text: Some("chips".into()), ..Default::default() };
    assert_eq!(notes.list_highlights(&text).unwrap().items[0].highlight.id, chip.id);

    // Trashed highlights are not found.
    notes.delete_highlight(&chip.id).unwrap();
    assert!(!with(HighlightFilter::default()).contains(&"Chip exports".to_owned()));
}

#[test]
fn a_tag_filter_counts_each_live_highlight_once() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    let tagged = |episode, text: &str, tags: &[&str]| {
        let tags = tags.iter().map(|t| t.to_string()).collect();
        notes.create_highlight(&NewHighlight { tags, ..quote(episode, text) }).unwrap()
    };
    tagged(compute, "Chip exports", &["energy", "energy/solar"]);
    let trashed = tagged(compute, "model race", &["energy/solar"]);
    tagged(trade, "Tariffs", &[]);
    let total = |tag: &str| {
        let filter = HighlightFilter { tag: Some(tag.into()), ..Default::default() };
        let page = notes.list_highlights(&filter).unwrap();
        assert_eq!(page.total, page.items.len(), "{tag}: the count is what the list holds");
        page.total
    };
    assert_eq!((total("energy"), total("energy/solar")), (2, 2), "two tags of one family count once");
    notes.delete_highlight(&trashed.id).unwrap();
    assert_eq!((total("energy"), total("energy/solar")), (1, 1), "the trash is not counted");
    notes.set_episode_tags(trade, &["energy".into()]).unwrap();
    assert_eq!(total("energy"), 2, "the episode's tag counts its highlights");
}

#[test]
fn episode_search_finds_annotations_with_the_text() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    let episodes = |query: &str| {
        let found = notes.search(query, &HighlightFilter::default(), 10).unwrap();
        found.episodes.into_iter().map(|hit| hit.episode.id).collect::<Vec<_>>()
    };
    assert!(episodes("quixotic").is_empty());
    let h = notes
        .create_highlight(&NewHighlight { note: Some("a quixotic bet".into()), ..quote(compute, "Chip exports") })
        .unwrap();
    assert_eq!(episodes("quixotic"), [compute]);
    notes.set_episode_note(trade, "protectionism returns").unwrap();
    notes.set_insight_note(trade, "s1.i1", "about ports").unwrap();
    assert_eq!(episodes("protectionism"), [trade]);
    assert_eq!(episodes("ports"), [trade]);
    notes.set_episode_tags(trade, &["Mercantilism".into()]).unwrap();
    assert_eq!(episodes("mercantilism"), [trade]);
    notes
        .update_highlight(&HighlightPatch { id: h.id.clone(), tags: Some(vec!["wafers".into()]), ..Default::default() })
        .unwrap();
    assert_eq!(episodes("wafers"), [compute]);

    // Trashing takes the highlight's words out; restoring puts them back.
    notes.delete_highlight(&h.id).unwrap();
    assert!(episodes("quixotic").is_empty());
    assert!(episodes("wafers").is_empty());
    notes.restore_highlight(&h.id).unwrap();
    assert_eq!(episodes("quixotic"), [compute]);
    // A deleted tag is no longer found.
    notes.delete_tag("wafers").unwrap();
    assert!(episodes("wafers").is_empty());
}

#[test]
fn the_episode_index_catches_up_before_a_search() {
    let s = setup();
    let notes = s.notes();
    let compute = s.episode("compute.txt");
    let h = notes
        .create_highlight(&NewHighlight { note: Some("serendipity".into()), ..quote(compute, "Chip exports") })
        .unwrap();
    notes.set_episode_note(compute, "more serendipity").unwrap();
    // The write noted the episode; the index is brought up to date once.
    assert_eq!(notes.flush_search().unwrap(), 1);
    assert_eq!(notes.flush_search().unwrap(), 0);
    assert_eq!(s.fx.library.search("serendipity", 10).unwrap().len(), 1);
    notes.delete_highlight(&h.id).unwrap();
    notes.set_episode_note(compute, "").unwrap();
    // Pending work survives a restart: it was stored with the change.
    let fx = s.fx.restart(|_| {});
    let s = crate::util::annotations::Setup { fx };
    assert_eq!(s.notes().flush_search().unwrap(), 1);
    assert!(s.fx.library.search("serendipity", 10).unwrap().is_empty());
}

#[test]
fn search_filters_episode_hits_by_show_and_tag() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    notes.set_episode_tags(trade, &["econ/trade".into()]).unwrap();
    notes.create_highlight(&NewHighlight { tags: vec!["econ".into()], ..quote(compute, "model race") }).unwrap();
    let ids = |filter: HighlightFilter| {
        let found = notes.search("overview", &filter, 10).unwrap();
        let mut ids: Vec<_> = found.episodes.into_iter().map(|hit| hit.episode.id).collect();
        ids.sort();
        ids
    };
    let mut both = vec![compute, trade];
    both.sort();
    assert_eq!(ids(HighlightFilter::default()), both);
    assert_eq!(ids(HighlightFilter { show: Some("Econ Talk".into()), ..Default::default() }), [trade]);
    assert_eq!(ids(HighlightFilter { tag: Some("econ/trade".into()), ..Default::default() }), [trade]);
    assert_eq!(ids(HighlightFilter { tag: Some("ECON".into()), ..Default::default() }), both);
    assert!(ids(HighlightFilter { color: Some(Color::Blue), ..Default::default() }).is_empty());
    let found = notes.search("race", &HighlightFilter { tag: Some("econ".into()), ..Default::default() }, 10).unwrap();
    assert_eq!(found.highlights.len(), 1);
}

#[test]
fn highlights_make_up_the_page_after_the_episodes_and_are_counted_beyond_it() {
    let s = setup();
    let notes = s.notes();
    let compute = s.episode("compute.txt");
    for text in ["Chip exports", "model race"] {
        notes.create_highlight(&NewHighlight { note: Some("an overview".into()), ..quote(compute, text) }).unwrap();
    }
    let all = HighlightFilter::default();
    let counts = |limit| {
        let found = notes.search("overview", &all, limit).unwrap();
        (found.episodes.len(), found.highlights.len(), found.episode_total, found.highlight_total)
    };
    assert_eq!(counts(10), (2, 2, 2, 2));
    assert_eq!(counts(3), (2, 1, 2, 2), "one highlight fills the page");
    assert_eq!(counts(2), (2, 0, 2, 2), "the episodes fill it: the highlights are only counted");
    assert_eq!(counts(1), (1, 0, 2, 2));
}

fn sleep_library() -> Setup {
    Setup::new(&[
        (
            "sleep.txt",
            &summary("Deep Sleep and Caffeine", "Health Hour", "Caffeine late in the day delays deep sleep."),
        ),
        ("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Tariffs move supply chains.")),
    ])
}

fn episode_titles(found: &gloss_core::annotations::Found) -> Vec<String> {
    found.episodes.iter().map(|hit| hit.episode.title.clone().unwrap_or_default()).collect()
}

#[test]
fn the_word_being_typed_matches_as_a_prefix_in_episodes_highlights_and_notes() {
    let s = sleep_library();
    let notes = s.notes();
    let sleep = s.episode("sleep.txt");
    notes.create_highlight(&quote(sleep, "deep sleep")).unwrap();
    notes.set_episode_note(sleep, "Try decaf after noon.").unwrap();
    let all = HighlightFilter::default();

    let found = notes.search("caffe", &all, 10).unwrap();
    assert_eq!(episode_titles(&found), ["Deep Sleep and Caffeine"]);
    let found = notes.search("deep slee", &all, 10).unwrap();
    assert_eq!(episode_titles(&found), ["Deep Sleep and Caffeine"]);
    assert_eq!((found.highlights.len(), found.highlight_total, found.episode_total), (1, 1, 1));
    assert_eq!(found.corrected, None, "nothing to correct in words being typed");
    let found = notes.search("deca", &all, 10).unwrap();
    assert_eq!(episode_titles(&found), ["Deep Sleep and Caffeine"], "the episode note is searched too");
}

#[test]
fn a_word_one_typo_away_finds_what_the_library_holds() {
    let s = sleep_library();
    let notes = s.notes();
    let sleep = s.episode("sleep.txt");
    notes.create_highlight(&quote(sleep, "delays deep sleep")).unwrap();
    let all = HighlightFilter::default();

    for typo in ["caffiene", "slep", "tarifs", "chians", "delayz"] {
        let found = notes.search(typo, &all, 10).unwrap();
        assert!(!found.episodes.is_empty(), "{typo} finds an episode");
        assert!(found.corrected.is_some(), "{typo} is reported as corrected");
    }
    let found = notes.search("delayz", &all, 10).unwrap();
    assert_eq!(found.highlights.len(), 1, "the highlight is found through the correction too");
    let found = notes.search("quantum", &all, 10).unwrap();
    assert_eq!((found.episodes.len(), found.corrected), (0, None), "a word two edits from any stays unmatched");
}

#[test]
fn the_notes_feed_lists_and_finds_every_kind_of_note() {
    use gloss_core::annotations::{FeedFilter, FeedItem};
    let s = sleep_library();
    let notes = s.notes();
    let (sleep, trade) = (s.episode("sleep.txt"), s.episode("trade.txt"));
    notes.create_highlight(&NewHighlight { note: Some("Worth a test".into()), ..quote(sleep, "deep sleep") }).unwrap();
    notes.set_episode_note(sleep, "Try **decaf** after noon.").unwrap();
    notes.set_insight_note(trade, "s1.i1", "Supply chains *bend*.").unwrap();
    notes.set_episode_tags(trade, &["trade/policy".into()]).unwrap();
    let kinds = |filter: &FeedFilter| -> Vec<String> {
        let page = notes.list_notes(filter).unwrap();
        page.items
            .iter()
            .map(|item| match item {
                FeedItem::Highlight(h) => format!("highlight {}", h.highlight.selector.exact),
                FeedItem::Note(n) => format!("note {} {}", n.block_key, n.on_title.clone().unwrap_or_default()),
            })
            .collect()
    };
    let all = kinds(&FeedFilter::default());
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.contains(&"note s1.i1 First idea".to_owned()), "an insight's note, with its title: {all:?}");
    assert_eq!(kinds(&FeedFilter { text: Some("DECAF".into()), ..Default::default() }), ["note  "]);
    assert_eq!(kinds(&FeedFilter { tag: Some("trade".into()), ..Default::default() }), ["note s1.i1 First idea"]);
    assert_eq!(kinds(&FeedFilter { color: Some(Color::Yellow), ..Default::default() }), ["highlight deep sleep"]);
    let page = notes.list_notes(&FeedFilter { offset: Some(1), limit: Some(1), ..Default::default() }).unwrap();
    assert_eq!((page.total, page.items.len()), (3, 1));
}

/// The search index is kept by the code that writes the indexed columns,
/// not by triggers: after files are added, changed, broken, moved and
/// removed, and annotations added, changed and deleted, it holds exactly
/// what the episode rows hold (FTS5's own check against its content table),
/// and finds each episode by its current words only.
#[test]
fn the_search_index_follows_every_kind_of_change() {
    let s = setup();
    let notes = s.notes();
    let compute = s.episode("compute.txt");
    let highlight = notes
        .create_highlight(&NewHighlight {
            note: Some("lithography".into()),
            tags: vec!["fabs".into()],
            ..quote(compute, "Chip exports")
        })
        .unwrap();
    s.rewrite("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Shipping lanes shift."));
    s.fx.write("new.txt", &summary("Fresh Arrival", "Tech Weekly", "Quantum annealing explained."));
    std::fs::write(s.fx.path("broken.txt"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    std::fs::rename(s.fx.path("compute.txt"), s.fx.path("moved.txt")).unwrap();
    s.fx.library.reconcile(s.fx.folder.path()).unwrap();
    let patch =
        HighlightPatch { id: highlight.id.clone(), note: Some("extreme ultraviolet".into()), ..Default::default() };
    notes.update_highlight(&patch).unwrap();
    std::fs::remove_file(s.fx.path("new.txt")).unwrap();
    s.fx.library.reconcile(s.fx.folder.path()).unwrap();

    let everything = HighlightFilter::default();
    assert!(notes.search_highlights("lithography", &everything, 5).unwrap().is_empty(), "the old note is gone");
    assert_eq!(found(&notes, "ultraviolet", &everything), ["Chip exports"]);
    // Annotation text reaches the episode index at the next search (as
    // the app's search does it).
    let titles = |words: &str| -> Vec<String> {
        gloss_core::annotations::index::flush(s.fx.library.store()).unwrap();
        s.fx.library.search(words, 10).unwrap().into_iter().filter_map(|hit| hit.episode.title).collect()
    };
    assert!(titles("tariffs").is_empty(), "the old text is gone");
    assert_eq!(titles("shipping"), ["Reordering Global Trade"]);
    assert_eq!(titles("annealing"), ["Fresh Arrival"], "a missing file's episode is still searchable");
    assert_eq!(titles("ultraviolet"), ["Compute Arms Race"]);
    notes.delete_highlight(&highlight.id).unwrap();
    assert!(titles("ultraviolet").is_empty());
    s.fx.library
        .store()
        .write(|tx| Ok(tx.execute("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)", [])?))
        .expect("the index agrees with the episode rows");
}

/// The highlight search index and the episode list's counts and reading
/// marks are kept by the writers of highlight and reading rows, not by
/// triggers: after highlights are created, edited, tagged, re-tagged,
/// orphaned by a rewrite, trashed, restored and purged, and an episode is
/// read, the index holds exactly what the rows hold (FTS5's own check) and
/// every episode's marks equal a count from scratch.
#[test]
fn the_highlight_index_and_list_marks_follow_every_writer() {
    let s = setup();
    let notes = s.notes();
    let (compute, trade) = (s.episode("compute.txt"), s.episode("trade.txt"));
    let agree = |step: &str| {
        s.fx.library
            .store()
            .write(|tx| {
                tx.execute("INSERT INTO highlight_index (highlight_index, rank) VALUES ('integrity-check', 1)", [])?;
                Ok(())
            })
            .unwrap_or_else(|e| panic!("after {step}, the highlight index disagrees with the rows: {e}"));
        let drifted: i64 = s
            .fx
            .library
            .store()
            .read(|conn| {
                Ok(conn.query_row(
                    "SELECT count(*) FROM episode_marks m WHERE (m.highlight_count, m.attention_count, m.read, m.last_read)
                     IS NOT (SELECT count(*) FILTER (WHERE h.deleted_at IS NULL),
                                    count(*) FILTER (WHERE h.deleted_at IS NULL
                                        AND h.anchor_status IN ('orphaned', 'ambiguous', 'fuzzy')),
                                    coalesce((SELECT read FROM reading WHERE episode_id = m.episode_id), 0),
                                    (SELECT visited_at FROM reading WHERE episode_id = m.episode_id)
                             FROM highlights h WHERE h.episode_id = m.episode_id)",
                    [],
                    |row| row.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(drifted, 0, "after {step}, episode marks drifted from the rows");
        let keys = |sql: &str| -> Vec<(String, i64)> {
            s.fx.library
                .store()
                .read(|conn| {
                    let mut stmt = conn.prepare(sql)?;
                    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    Ok(rows.collect::<rusqlite::Result<_>>()?)
                })
                .unwrap()
        };
        assert_eq!(
            keys("SELECT tag_key, episode_id FROM episode_tag_keys ORDER BY 1, 2"),
            keys(&format!("{CARRIED_TAG_KEYS} SELECT key, episode_id FROM carried ORDER BY 1, 2")),
            "after {step}, the episodes' tag keys drifted from the tags"
        );
    };
    let chip = notes
        .create_highlight(&NewHighlight {
            note: Some("lithography".into()),
            tags: vec!["fabs".into(), "ai/chips/euv".into()],
            ..quote(compute, "Chip exports")
        })
        .unwrap();
    let tariffs =
        notes.create_highlight(&NewHighlight { tags: vec!["fabs".into()], ..quote(trade, "Tariffs") }).unwrap();
    notes.set_episode_tags(trade, &["policy/trade".into()]).unwrap();
    agree("creating and tagging");
    let patch = HighlightPatch { id: chip.id.clone(), note: Some("extreme ultraviolet".into()), ..Default::default() };
    notes.update_highlight(&patch).unwrap();
    agree("editing a note");
    notes.rename_tag("ai/chips/euv", "hardware/euv").unwrap();
    agree("renaming a nested tag");
    notes.rename_tag("fabs", "foundries").unwrap();
    assert_eq!(found(&notes, "foundries", &HighlightFilter::default()).len(), 2);
    agree("renaming a tag");
    notes.delete_tag("foundries").unwrap();
    assert!(found(&notes, "foundries", &HighlightFilter::default()).is_empty());
    agree("deleting a tag");
    s.rewrite("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Shipping lanes shift."));
    assert_eq!(notes.get_highlight(&tariffs.id).unwrap().anchor.status, AnchorStatus::Orphaned);
    agree("orphaning by a rewrite");
    notes.delete_highlight(&chip.id).unwrap();
    agree("trashing");
    notes.restore_highlight(&chip.id).unwrap();
    agree("restoring");
    notes
        .set_reading_state(&gloss_core::annotations::ReadingUpdate {
            episode_id: compute,
            read: Some(true),
            position: None,
        })
        .unwrap();
    agree("reading");
    notes.delete_highlight(&tariffs.id).unwrap();
    notes.empty_trash().unwrap();
    assert!(found(&notes, "tariffs", &HighlightFilter::default()).is_empty());
    agree("emptying the trash");
}

#[test]
fn search_syntax_reaches_highlights_and_a_column_query_finds_only_episodes() {
    let s = sleep_library();
    let notes = s.notes();
    let sleep = s.episode("sleep.txt");
    notes.create_highlight(&quote(sleep, "deep sleep")).unwrap();
    let all = HighlightFilter::default();

    let found = notes.search("\"deep sleep\" OR tariffs", &all, 10).unwrap();
    assert_eq!((found.episode_total, found.highlight_total, found.more), (2, 1, false));
    let found = notes.search("title:caffeine", &all, 10).unwrap();
    assert_eq!(episode_titles(&found), ["Deep Sleep and Caffeine"]);
    assert!(found.highlights.is_empty(), "the highlight index has no title column: no highlight, no error");
    let found = notes.search("sleep NOT caffeine", &all, 10).unwrap();
    assert_eq!((found.episode_total, found.highlight_total), (0, 1), "the quote holds no 'caffeine'");
}

#[test]
fn a_highlight_in_the_trash_is_found_only_among_the_trash() {
    let s = setup();
    let notes = s.notes();
    let compute = s.episode("compute.txt");
    let kept = notes.create_highlight(&quote(compute, "Chip exports")).unwrap();
    let trashed = notes.create_highlight(&quote(compute, "model race")).unwrap();
    notes.delete_highlight(&trashed.id).unwrap();
    let ids = |filter: &HighlightFilter| -> Vec<String> {
        let found = notes.search("chip OR race", filter, 10).unwrap();
        found.highlights.into_iter().map(|hit| hit.item.highlight.id).collect()
    };
    assert_eq!(ids(&HighlightFilter::default()), [kept.id]);
    assert_eq!(ids(&HighlightFilter { trashed: true, ..Default::default() }), [trashed.id]);
}

/// A prefix is searched as the indexed words it starts (`search::prefix`):
/// it must find what FTS5's own prefix (`"batt"*`, which is not rewritten)
/// finds, in episodes, live highlights and the trash, where a note's word
/// is only in the highlight index.
#[test]
fn a_prefix_finds_what_fts5s_own_prefix_finds() {
    let s = Setup::new(&[
        ("power.txt", &summary("Battery Storage", "Grid Hour", "Batteries batter the peakers; a battle for the grid.")),
        ("trade.txt", &summary("Reordering Global Trade", "Econ Talk", "Tariffs move supply chains.")),
    ]);
    let notes = s.notes();
    let power = s.episode("power.txt");
    let kept = notes.create_highlight(&quote(power, "Batteries batter")).unwrap();
    let trashed = notes.create_highlight(&quote(power, "battle for the grid")).unwrap();
    let patch =
        HighlightPatch { id: trashed.id.clone(), note: Some("a battalion of bats".into()), ..Default::default() };
    notes.update_highlight(&patch).unwrap();
    notes.delete_highlight(&trashed.id).unwrap();
    let answer = |query: &str, filter: &HighlightFilter| {
        let found = notes.search(query, filter, 10).unwrap();
        let titles = episode_titles(&found);
        let highlights: Vec<String> = found.highlights.into_iter().map(|hit| hit.item.highlight.id).collect();
        (titles, highlights, found.episode_total, found.highlight_total)
    };
    let trash = HighlightFilter { trashed: true, ..Default::default() };
    for prefix in ["batt", "batter", "battal", "bat", "tarif", "grid", "peak", "supp", "nothing"] {
        for filter in [&HighlightFilter::default(), &trash] {
            let rewritten = answer(&format!("{prefix}*"), filter);
            assert_eq!(rewritten, answer(&format!("\"{prefix}\"*"), filter), "{prefix}* with {filter:?}");
            assert_eq!(rewritten, answer(&format!("{prefix}* OR nothing"), filter), "{prefix}* in an OR");
        }
    }
    assert_eq!(answer("batt*", &HighlightFilter::default()).1, [kept.id]);
    assert_eq!(answer("battal*", &trash).1, [trashed.id], "a word only the trash holds");
    assert_eq!(answer("grid batt*", &HighlightFilter::default()).0, ["Battery Storage"]);
}

//! Retrieval practice over a real library: which cards exist, answers
//! only when revealed, ratings scheduled by FSRS and undone, cards that
//! follow their highlight through the trash and through an edit that
//! orphans it, daily limits, and ratings from two devices that both count.

use crate::util::annotations::{quote, refusal, Setup};
use crate::util::devices::{Device, SHARED};
use crate::util::summary;
use gloss_core::annotations::HighlightPatch;
use gloss_review::{CardId, Rating, Settings};

const DAY: i64 = 86_400_000;
/// 2026-01-05 10:00 UTC: the tests' clock.
const NOW: i64 = 1_767_607_200_000;

fn setup() -> Setup {
    Setup::new(&[("one.txt", &summary("First Episode", "Tech Weekly", "Open weights change the market."))])
}

fn fingerprint(s: &Setup, rel: &str) -> String {
    s.fx.library.episode(s.episode(rel)).unwrap().unwrap().fingerprint.unwrap()
}

#[test]
fn highlights_starred_insights_and_question_notes_are_cards_and_answers_wait_for_reveal() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    let h = notes.create_highlight(&quote(id, "Open weights")).unwrap();
    notes.set_star(id, "s1.i2", true).unwrap();
    notes.set_episode_note(id, "Q: What changes the market?\nA: Open weights.").unwrap();
    let due = notes.review_due(NOW).unwrap();
    let fp = fingerprint(&s, "one.txt");
    let mut cards: Vec<String> = due.cards.iter().map(|c| c.card.to_string()).collect();
    cards.sort();
    let mut expected =
        vec![format!("highlight/{}", h.id), format!("insight/{fp}/s1.i2"), format!("question/episode/{fp}")];
    expected.sort();
    assert_eq!(cards, expected);
    assert_eq!((due.due, due.new), (0, 3));

    let card = CardId::Highlight(h.id.clone());
    let asked = notes.review_card(&card, false, NOW).unwrap();
    assert_eq!(asked.prompt, "[…] change the market.");
    assert!(asked.answer.is_none(), "the answer is not sent before it is revealed");
    assert!(!serde_json::to_string(&asked).unwrap().contains("Open weights"));
    assert_eq!(notes.review_card(&card, true, NOW).unwrap().answer.as_deref(), Some("Open weights"));

    let insight = notes.review_card(&format!("insight/{fp}/s1.i2").parse().unwrap(), true, NOW).unwrap();
    assert_eq!(
        (insight.prompt.as_str(), insight.answer.as_deref()),
        ("Second idea", Some("Another point about First Episode made at length."))
    );
    let question = notes.review_card(&format!("question/episode/{fp}").parse().unwrap(), true, NOW).unwrap();
    assert_eq!(
        (question.prompt.as_str(), question.answer.as_deref()),
        ("What changes the market?", Some("Open weights."))
    );

    // Left out of review, and back in.
    assert_eq!(notes.card_in_review(&card).unwrap().map(|c| c.card), Some(card.clone()));
    notes.set_card(&card, Some(false), false).unwrap();
    assert_eq!(notes.review_due(NOW).unwrap().new, 2);
    assert_eq!(notes.card_in_review(&card).unwrap(), None, "out of review is an answer, not an error");
    assert_eq!(refusal(&notes.rate_card(&card, Rating::Good, Some(NOW)).unwrap_err()), ("not_found", "card"));
    notes.set_card(&card, None, false).unwrap();
    assert_eq!(notes.review_due(NOW).unwrap().new, 3);
}

#[test]
fn a_rating_schedules_the_card_and_undo_brings_it_back() {
    let s = setup();
    let notes = s.notes();
    let h = notes.create_highlight(&quote(s.episode("one.txt"), "Open weights")).unwrap();
    let card = CardId::Highlight(h.id);
    let before = notes.review_card(&card, false, NOW).unwrap();
    let rated = notes.rate_card(&card, Rating::Good, Some(NOW)).unwrap();
    let after = notes.review_due(NOW).unwrap();
    assert!(after.cards.iter().all(|c| c.card != card || c.phase == "learning"), "{after:?}");
    let shown = notes.review_card(&card, false, NOW).unwrap();
    assert_eq!(shown.deck.due, Some(before.next.good_ms), "due when the preview said");

    let undone = notes.undo_rating().unwrap().unwrap();
    assert_eq!(undone.id, rated.id);
    let back = notes.review_card(&card, false, NOW).unwrap();
    assert_eq!((back.deck.phase.as_str(), back.deck.due), ("new", None));
    assert!(notes.undo_rating().unwrap().is_none(), "nothing more to undo");
    let stats = notes.review_stats(NOW).unwrap();
    assert_eq!(stats.reviewed_today, 0, "an undone rating does not count");
}

#[test]
fn a_card_follows_its_highlight_to_the_trash_and_back_with_its_history() {
    let s = setup();
    let notes = s.notes();
    let h = notes.create_highlight(&quote(s.episode("one.txt"), "Open weights")).unwrap();
    let card = CardId::Highlight(h.id.clone());
    notes.rate_card(&card, Rating::Easy, Some(NOW - 3 * DAY)).unwrap();
    notes.delete_highlight(&h.id).unwrap();
    assert!(notes.review_due(NOW).unwrap().cards.is_empty());
    notes.restore_highlight(&h.id).unwrap();
    let back = notes.review_card(&card, false, NOW).unwrap();
    assert_eq!(back.deck.phase, "review", "its history came back with it");
}

/// Writing a highlight refreshes its own cards only (`deck::Cards`):
/// each step's deck must be what the rules and choices make of it.
#[test]
fn a_highlights_cards_follow_its_note_the_trash_and_the_users_choice() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    notes.set_star(id, "s1.i2", true).unwrap();
    let asked = notes.create_highlight(&quote(id, "Open weights")).unwrap();
    let other = notes.create_highlight(&quote(id, "change the market")).unwrap();
    let insight = format!("insight/{}/s1.i2", fingerprint(&s, "one.txt"));
    let (card, question) = (format!("highlight/{}", asked.id), format!("question/highlight/{}", asked.id));
    let other_card = format!("highlight/{}", other.id);
    let note = |highlight: &str, text: &str| {
        let patch = HighlightPatch { id: highlight.to_owned(), note: Some(text.into()), ..Default::default() };
        notes.update_highlight(&patch).unwrap();
    };
    let expect = |cards: &[&String], step: &str| {
        let mut expected: Vec<String> = cards.iter().map(|c| c.to_string()).collect();
        expected.sort();
        assert_eq!(due_cards(&notes, NOW), expected, "{step}");
    };
    expect(&[&card, &other_card, &insight], "created");
    note(&asked.id, "Q: What changes the market?\nA: Open weights.");
    expect(&[&card, &question, &other_card, &insight], "a question note makes a card");
    notes.set_card(&other_card.parse().unwrap(), Some(false), false).unwrap();
    note(&other.id, "edited");
    expect(&[&card, &question, &insight], "left out stays out when its highlight is edited");
    note(&asked.id, "just a note");
    expect(&[&card, &insight], "the question is gone with its note");
    notes.delete_highlight(&asked.id).unwrap();
    expect(&[&insight], "trashed");
    notes.restore_highlight(&asked.id).unwrap();
    expect(&[&card, &insight], "restored");
}

#[test]
fn an_orphaned_highlights_card_is_suspended_until_the_highlight_is_reattached() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    let h = notes.create_highlight(&quote(id, "Open weights change the market")).unwrap();
    let card = CardId::Highlight(h.id.clone());
    s.rewrite("one.txt", &summary("First Episode", "Tech Weekly", "Something else entirely, said another way."));
    let deck = notes.review_card(&card, false, NOW).unwrap().deck;
    assert!(deck.suspended.as_deref().is_some_and(|why| why.contains("re-attach")), "{deck:?}");
    assert!(notes.review_due(NOW).unwrap().cards.iter().all(|c| c.card != card));

    let text = s.text(id);
    let start = text[..text.find("Something").unwrap()].chars().count();
    notes.reattach_highlight(&h.id, start, start + 9).unwrap();
    assert!(notes.review_card(&card, false, NOW).unwrap().deck.suspended.is_none());
}

#[test]
fn daily_limits_hold_and_settings_reschedule() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    for insight in ["s1.i1", "s1.i2"] {
        notes.set_star(id, insight, true).unwrap();
    }
    notes.update_review_settings(&Settings { new_per_day: 1, ..Settings::default() }).unwrap();
    let due = notes.review_due(NOW).unwrap();
    assert_eq!((due.cards.len(), due.new), (1, 2));
    let first = due.cards[0].card.clone();
    notes.rate_card(&first, Rating::Good, Some(NOW)).unwrap();
    notes.rate_card(&first, Rating::Good, Some(NOW + 20 * 60_000)).unwrap();
    let introduced = notes.review_due(NOW + 30 * 60_000).unwrap();
    assert!(introduced.cards.iter().all(|c| c.due.is_some()), "no second new card today: {introduced:?}");

    let due_at =
        |notes: &gloss_core::app::Annotations| notes.review_card(&first, false, NOW).unwrap().deck.due.unwrap();
    let relaxed = due_at(&notes);
    notes.update_review_settings(&Settings { desired_retention: 0.97, new_per_day: 1, ..Settings::default() }).unwrap();
    assert!(due_at(&notes) < relaxed, "a higher retention brings the card back sooner");
    let bad = Settings { desired_retention: 1.2, ..Settings::default() };
    assert_eq!(refusal(&notes.update_review_settings(&bad).unwrap_err()), ("invalid", "review"));
}

/// Two devices review the same card offline; after sync both ratings
/// count on both, in clock order, and the devices agree on the schedule.
#[test]
fn ratings_made_offline_on_two_devices_both_count_after_sync() {
    let sync = tempfile::TempDir::new().unwrap();
    let (mut a, mut b) = (Device::new("a", &SHARED), Device::new("b", &SHARED));
    let id = a.highlight(SHARED[0], 40, 25);
    a.round(sync.path());
    b.round(sync.path());
    let card = CardId::Highlight(id);
    a.notes().rate_card(&card, Rating::Good, Some(NOW)).unwrap();
    b.notes().rate_card(&card, Rating::Again, Some(NOW + DAY)).unwrap();
    for _ in 0..2 {
        a.round(sync.path());
        b.round(sync.path());
    }
    let on_a = a.notes().review_card(&card, false, NOW + DAY).unwrap();
    let on_b = b.notes().review_card(&card, false, NOW + DAY).unwrap();
    // Local episode ids differ between devices: the rest must not.
    let seen =
        |c: &gloss_core::annotations::deck::DeckCard| (c.card.clone(), c.phase.clone(), c.due, c.suspended.clone());
    assert_eq!(seen(&on_a.deck), seen(&on_b.deck));
    assert_eq!(on_a.deck.phase, "learning", "Again after Good, in clock order");
    assert_eq!(a.notes().review_stats(NOW + DAY).unwrap().reviewed_today, 1);
    assert_eq!(b.notes().review_stats(NOW + DAY).unwrap().retention, Some(0.0));
}

/// The Gloss backup carries the review log, undone ratings and card
/// choices; importing it elsewhere gives the same card states, and again
/// changes nothing.
#[test]
fn the_backup_carries_the_review_log_and_card_choices() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    let h = notes.create_highlight(&quote(id, "Open weights")).unwrap();
    notes.set_star(id, "s1.i2", true).unwrap();
    let card = CardId::Highlight(h.id.clone());
    notes.rate_card(&card, Rating::Good, Some(NOW - 2 * DAY)).unwrap();
    notes.rate_card(&card, Rating::Easy, Some(NOW - DAY)).unwrap();
    notes.rate_card(&card, Rating::Again, Some(NOW)).unwrap();
    notes.undo_rating().unwrap();
    let insight: CardId = format!("insight/{}/s1.i2", fingerprint(&s, "one.txt")).parse().unwrap();
    notes.set_card(&insight, None, true).unwrap();
    notes.update_review_settings(&Settings { desired_retention: 0.85, ..Settings::default() }).unwrap();

    let out = tempfile::TempDir::new().unwrap();
    let written = crate::util::export::export(&s.fx.library, gloss_core::export::Format::Json, out.path()).unwrap();
    let file = written.written[0].clone();
    let target = setup();
    let origin = gloss_core::annotations::Origin::Import(gloss_core::annotations::Caller::door(
        gloss_core::annotations::Door::Cli,
    ));
    let report = gloss_core::export::import(&target.fx.library, origin.clone(), &file).unwrap();
    assert_eq!(report.reviews, 3, "{report:?}");
    let there = target.notes();
    assert_eq!(there.review_settings().unwrap().desired_retention, 0.85);
    let seen = |n: &gloss_core::app::Annotations, card: &CardId| {
        let shown = n.review_card(card, false, NOW).unwrap().deck;
        (shown.phase, shown.due, shown.suspended)
    };
    assert_eq!(seen(&there, &card), seen(&notes, &card));
    assert_eq!(seen(&there, &insight).2.as_deref(), Some("suspended"));
    let again = gloss_core::export::import(&target.fx.library, origin, &file).unwrap();
    assert_eq!(seen(&there, &card), seen(&notes, &card), "{again:?}");
}

/// Cards go to Anki as tab-separated notes whose GUID comes from the card
/// id: exported again after an edit, a card keeps its GUID (Anki updates
/// it) and only its text changes; suspended cards stay out.
#[test]
fn anki_export_keeps_each_cards_id_across_edits() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    let h = notes.create_highlight(&quote(id, "Open weights")).unwrap();
    notes.set_star(id, "s1.i1", true).unwrap();
    notes.set_star(id, "s1.i2", true).unwrap();
    let fp = fingerprint(&s, "one.txt");
    notes.set_card(&format!("insight/{fp}/s1.i2").parse().unwrap(), None, true).unwrap();
    let export = || {
        let out = tempfile::TempDir::new().unwrap();
        let report = crate::util::export::export(&s.fx.library, gloss_core::export::Format::Anki, out.path()).unwrap();
        std::fs::read_to_string(&report.written[0]).unwrap()
    };
    let first = export();
    assert!(first.starts_with("#separator:tab\n") && first.contains("#guid column:1"), "{first}");
    let notes_of = |tsv: &str| -> Vec<Vec<String>> {
        tsv.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').map(str::to_owned).collect()).collect()
    };
    let before = notes_of(&first);
    assert_eq!(before.len(), 2, "the highlight and the unsuspended insight: {first}");
    assert!(before.iter().all(|fields| fields.len() == 4));
    let patch = HighlightPatch { id: h.id, note: Some("why <it> matters".into()), ..Default::default() };
    notes.update_highlight(&patch).unwrap();
    let after = notes_of(&export());
    let guids = |rows: &[Vec<String>]| rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(guids(&after), guids(&before));
    assert!(after.iter().any(|r| r[2].contains("why &lt;it&gt; matters")), "{after:?}");
}

/// The Markdown export shows a rated highlight's review state beside it,
/// and the episode's next due date in the front matter.
#[test]
fn the_markdown_export_shows_review_state() {
    let s = setup();
    let notes = s.notes();
    let h = notes.create_highlight(&quote(s.episode("one.txt"), "Open weights")).unwrap();
    notes.rate_card(&CardId::Highlight(h.id), Rating::Easy, Some(NOW)).unwrap();
    let out = tempfile::TempDir::new().unwrap();
    let report = crate::util::export::export(&s.fx.library, gloss_core::export::Format::Markdown, out.path()).unwrap();
    let page = std::fs::read_to_string(&report.written[0]).unwrap();
    assert!(page.contains("review_due: "), "{page}");
    assert!(page.contains("· Review: due 2026-01-") && page.contains("1 reviews"), "{page}");
}

/// The ids of the cards up for review at `now`, sorted.
fn due_cards(notes: &gloss_core::app::Annotations, now: i64) -> Vec<String> {
    let mut cards: Vec<String> = notes.review_due(now).unwrap().cards.iter().map(|c| c.card.to_string()).collect();
    cards.sort();
    cards
}

/// Bury takes a card out of review for the rest of the day, on every
/// device, and it comes back when the next day starts (4:00 by default).
#[test]
fn a_buried_card_is_out_until_the_next_day_starts_on_every_device() {
    let sync = tempfile::TempDir::new().unwrap();
    let (mut a, mut b) = (Device::new("a", &SHARED), Device::new("b", &SHARED));
    let card = CardId::Highlight(a.highlight(SHARED[0], 40, 25));
    a.notes().bury_card(&card, true, Some(NOW)).unwrap();
    // NOW is 10:00 UTC; the next day starts at 4:00 tomorrow.
    let buried_until = a.notes().review_card(&card, false, NOW).unwrap().deck.buried_until.unwrap();
    assert_eq!(buried_until, NOW - 6 * 3_600_000 + DAY);
    let day_start = buried_until - DAY;
    assert!(due_cards(&a.notes(), NOW + 12 * 3_600_000).is_empty(), "buried for the rest of the day");
    assert_eq!(due_cards(&a.notes(), buried_until), [card.to_string()], "back the next day");
    a.round(sync.path());
    b.round(sync.path());
    assert!(due_cards(&b.notes(), day_start + 1).is_empty(), "buried on the other device too");
    b.notes().bury_card(&card, false, Some(NOW)).unwrap();
    b.round(sync.path());
    a.round(sync.path());
    assert_eq!(due_cards(&a.notes(), day_start + 1), [card.to_string()], "unburied everywhere");
    // Suspending keeps the bury choice, and the other way round.
    a.notes().bury_card(&card, true, Some(NOW)).unwrap();
    a.notes().set_card(&card, None, true).unwrap();
    a.notes().set_card(&card, None, false).unwrap();
    assert!(due_cards(&a.notes(), day_start + 1).is_empty());
}

/// What enters review: kinds of card in Settings, then per episode and per
/// tag, with the card's own choice first, following tag renames and
/// reaching other devices.
#[test]
fn what_enters_review_is_chosen_by_kind_episode_and_tag() {
    use gloss_core::annotations::review_sources::ReviewSource;
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    let fp = fingerprint(&s, "one.txt");
    let h = notes.create_highlight(&quote(id, "Open weights")).unwrap();
    notes.set_star(id, "s1.i2", true).unwrap();
    let highlight = format!("highlight/{}", h.id);
    let starred = format!("insight/{fp}/s1.i2");
    assert_eq!(due_cards(&notes, NOW), [highlight.as_str(), starred.as_str()]);

    // Kinds, in Settings.
    notes.set_review_source(&ReviewSource::Highlights, Some(false)).unwrap();
    assert_eq!(due_cards(&notes, NOW), [starred.as_str()]);
    notes.set_card(&CardId::Highlight(h.id.clone()), Some(true), false).unwrap();
    assert_eq!(due_cards(&notes, NOW), [highlight.as_str(), starred.as_str()], "the card's own choice comes first");
    notes.set_card(&CardId::Highlight(h.id.clone()), None, false).unwrap();
    notes.set_review_source(&ReviewSource::Highlights, None).unwrap();

    // An episode in review brings every insight; left out, nothing.
    notes.set_review_source(&ReviewSource::Episode { episode_id: id }, Some(true)).unwrap();
    let all = due_cards(&notes, NOW);
    assert!(all.contains(&format!("insight/{fp}/s1.i1")) && all.len() > 2, "{all:?}");
    notes.set_review_source(&ReviewSource::Episode { episode_id: id }, Some(false)).unwrap();
    assert!(due_cards(&notes, NOW).is_empty());
    notes.set_review_source(&ReviewSource::Episode { episode_id: id }, None).unwrap();
    assert_eq!(due_cards(&notes, NOW), [highlight.as_str(), starred.as_str()]);

    // A tag left out takes out what carries it, and follows a rename.
    let tagged = HighlightPatch { id: h.id.clone(), color: None, note: None, tags: Some(vec!["Skip/Later".into()]) };
    notes.update_highlight(&tagged).unwrap();
    let sources = notes.set_review_source(&ReviewSource::Tag { tag: "skip".into() }, Some(false)).unwrap();
    assert_eq!(sources.tags.get("skip"), Some(&false));
    assert_eq!(due_cards(&notes, NOW), [starred.as_str()], "a nested tag follows its parent");
    notes.rename_tag("skip", "Parked").unwrap();
    assert_eq!(notes.review_sources().unwrap().tags.get("parked"), Some(&false));
    assert_eq!(due_cards(&notes, NOW), [starred.as_str()]);
    // An episode tag put in review brings every insight, but the highlight's own tag still leaves it out.
    notes.set_episode_tags(id, &["deep".into()]).unwrap();
    notes.set_review_source(&ReviewSource::Tag { tag: "deep".into() }, Some(true)).unwrap();
    let now = due_cards(&notes, NOW);
    assert!(!now.contains(&highlight) && now.contains(&format!("insight/{fp}/s1.i1")), "{now:?}");
    assert_eq!(
        refusal(&notes.set_review_source(&ReviewSource::Tag { tag: " / ".into() }, Some(true)).unwrap_err()),
        ("invalid", "tag")
    );
}

#[test]
fn review_choices_per_episode_reach_other_devices() {
    use gloss_core::annotations::review_sources::ReviewSource;
    let sync = tempfile::TempDir::new().unwrap();
    let (mut a, mut b) = (Device::new("a", &SHARED), Device::new("b", &SHARED));
    let card = CardId::Highlight(a.highlight(SHARED[0], 40, 25));
    a.round(sync.path());
    b.round(sync.path());
    assert_eq!(due_cards(&b.notes(), NOW), [card.to_string()]);
    a.notes().set_review_source(&ReviewSource::Episode { episode_id: a.episode(SHARED[0]) }, Some(false)).unwrap();
    a.round(sync.path());
    b.round(sync.path());
    assert!(due_cards(&b.notes(), NOW).is_empty(), "the episode left out on the other device");
}

#[test]
fn counts_of_waiting_cards_stop_at_ten_thousand_and_say_so() {
    use gloss_core::annotations::deck::MAX_COUNTED;
    use gloss_core::annotations::review_sources::ReviewSource;
    // Eleven sections of 910 insights (a header promises at most 999).
    let mut text = String::from("Many Ideas | Tech Weekly\nTL;DR\nA long list.\n");
    for section in 0..11 {
        text.push_str(&format!("🧠 Part {section} 910 insights\n"));
        for n in 0..910 {
            text.push_str(&format!("Idea {section}.{n}\nThe point of idea {section}.{n}.\n"));
        }
    }
    text.push_str("Bottom Line\nThat was many.\n");
    let s = Setup::new(&[("many.txt", &text)]);
    let notes = s.notes();
    let id = s.episode("many.txt");
    let due = notes.review_due(NOW).unwrap();
    assert_eq!((due.new, due.new_more), (0, false));
    notes.set_review_source(&ReviewSource::Episode { episode_id: id }, Some(true)).unwrap();
    let due = notes.review_due(NOW).unwrap();
    assert_eq!((due.due, due.due_more, due.new, due.new_more), (0, false, MAX_COUNTED, true));
    assert!(!due.cards.is_empty(), "the day's new cards are still up");
}

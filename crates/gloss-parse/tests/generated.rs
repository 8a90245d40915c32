//! Generated summaries (gloss-testkit) parse back to what generated them,
//! in every rendering: plain, Markdown, CRLF and damaged.

use gloss_parse::model::{DocKind, Episode};
use gloss_parse::parse_bytes;
use gloss_testkit::{damage, spec, Spec};

fn parse(bytes: &[u8]) -> Episode {
    parse_bytes(bytes).expect("a generated summary is never refused")
}

fn assert_matches_spec(episode: &Episode, spec: &Spec, seed: u64) {
    assert_eq!(episode.kind, DocKind::Summary, "seed {seed}");
    assert_eq!(episode.title.as_deref(), Some(spec.title.as_str()), "seed {seed}");
    assert_eq!(episode.show, spec.show, "seed {seed}");
    assert_eq!(episode.hosts, spec.hosts, "seed {seed}");
    assert_eq!(episode.tldr, spec.tldr, "seed {seed}");
    assert_eq!(episode.bottom_line, spec.bottom_line, "seed {seed}");
    assert_eq!(episode.related_source, spec.related_source, "seed {seed}");
    assert_eq!(episode.sections.len(), spec.sections.len(), "seed {seed}");
    for (section, expected) in episode.sections.iter().zip(&spec.sections) {
        assert_eq!(section.title, expected.title, "seed {seed}");
        let insights: Vec<_> = section.insights.iter().map(|i| (&i.title, &i.body)).collect();
        let expected: Vec<_> = expected.insights.iter().map(|i| (&i.title, &i.body)).collect();
        assert_eq!(insights, expected, "seed {seed}");
    }
    let related: Vec<_> = episode.related.iter().map(|r| (&r.title, &r.summary)).collect();
    let expected: Vec<_> = spec.related.iter().map(|r| (&r.title, &r.summary)).collect();
    assert_eq!(related, expected, "seed {seed}");
}

#[test]
fn plain_summaries_parse_to_their_spec_without_warnings() {
    for seed in 0..300 {
        let spec = spec(seed);
        let episode = parse(spec.plain().as_bytes());
        assert_matches_spec(&episode, &spec, seed);
        let emoji: Vec<_> = episode.sections.iter().map(|s| s.emoji.clone()).collect();
        let expected: Vec<_> = spec.sections.iter().map(|s| s.emoji.clone()).collect();
        assert_eq!(emoji, expected, "seed {seed}");
        assert!(episode.warnings.is_empty(), "seed {seed}: {:?}", episode.warnings);
    }
}

#[test]
fn markdown_and_crlf_renderings_parse_to_the_same_episode() {
    for seed in 0..300 {
        let spec = spec(seed);
        let plain = parse(spec.plain().as_bytes());
        assert_eq!(parse(spec.markdown().as_bytes()), plain, "markdown, seed {seed}");
        assert_eq!(parse(spec.plain().replace('\n', "\r\n").as_bytes()), plain, "crlf, seed {seed}");
        assert_eq!(parse(spec.plain().replace('\n', "\r").as_bytes()), plain, "cr, seed {seed}");
        let messy = spec.plain().replace('\n', " \t\n\n\n").replace(". ", ".  ");
        assert_eq!(parse(messy.as_bytes()).canonical_text(), plain.canonical_text(), "spacing, seed {seed}");
    }
}

#[test]
fn damaged_summaries_come_back_clean() {
    for seed in 0..300 {
        let spec = spec(seed);
        let episode = parse(&damage(&spec.plain()));
        assert_matches_spec(&episode, &spec, seed);
        for (section, expected) in episode.sections.iter().zip(&spec.sections) {
            // Restored exactly, or removed: never garbage.
            assert!(section.emoji.is_none() || section.emoji == expected.emoji, "seed {seed}: {:?}", section.emoji);
            // Flags and 🧠 always come back.
            let recoverable = expected
                .emoji
                .as_deref()
                .is_some_and(|e| e == "🧠" || e.chars().count() == 2 && !e.contains('\u{fe0f}'));
            if recoverable {
                assert_eq!(section.emoji, expected.emoji, "seed {seed}");
            }
        }
        assert!(episode.warnings.iter().any(|w| w.contains("damaged")), "seed {seed}");
    }
}

#[test]
fn damaged_summaries_with_the_nbsp_folded_away_restore_the_brain() {
    // In the real files the NBSP byte of 🧠 (F0 9F A7 A0) merged into the
    // space after it.
    let text = "Minds | Show w/ A and B\nTL;DR\nShort.\n🧠 Minds 1 insight\nOne\nBody.\n";
    let damaged = String::from_utf8(damage(text)).unwrap().replace("\u{a0} ", " ");
    assert!(damaged.contains("π§ Minds"));
    let episode = parse(damaged.as_bytes());
    assert_eq!(episode.sections[0].emoji.as_deref(), Some("🧠"));
    assert_eq!(episode.sections[0].title, "Minds");
}

//! What enters review: which kinds of source make cards, and the user's
//! choices per episode and per tag.
//!
//! A card is in review by the first of these that has a say: the user's
//! choice on the card itself (`review_cards.included`), the choice on its
//! episode, the choices on its tags (the highlight's and the episode's;
//! leaving out wins over adding), and last the kind of card. An episode or
//! tag put in review brings every insight of the episode in, not only the
//! starred ones. The choices are one setting that follows the user to every
//! device (`ui_review_sources`): the whole of it is the register, so two
//! devices changing it in the same round keep the later change.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::preferences;
use super::tags::TagName;
use super::write::Writer;
use crate::store::episodes::EpisodeId;
use crate::store::settings;
use gloss_review::card::NoteOf;
use gloss_review::CardId;

/// What enters review, as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewSources {
    /// Every highlight makes a cloze card.
    pub highlights: bool,
    /// Every starred insight makes a card.
    pub starred_insights: bool,
    /// Every note written as `Q: ... A: ...` makes a card.
    pub questions: bool,
    /// Episodes by fingerprint: `true` puts all their insights and
    /// highlights in review, `false` leaves the episode out.
    pub episodes: BTreeMap<String, bool>,
    /// Tags by key (lowercased): `true` puts what carries the tag in
    /// review (a highlight, or everything of an episode), `false` leaves it out.
    pub tags: BTreeMap<String, bool>,
}

impl Default for ReviewSources {
    fn default() -> ReviewSources {
        ReviewSources {
            highlights: true,
            starred_insights: true,
            questions: true,
            episodes: BTreeMap::new(),
            tags: BTreeMap::new(),
        }
    }
}

/// What one choice is about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReviewSource {
    Highlights,
    StarredInsights,
    Questions,
    Episode { episode_id: EpisodeId },
    Tag { tag: String },
}

/// What enters review now (the defaults until the user changes it).
pub fn review_sources(conn: &Connection) -> Result<ReviewSources> {
    let stored = preferences::get(conn, settings::REVIEW_SOURCES)?;
    Ok(stored.and_then(|json| serde_json::from_value(json).ok()).unwrap_or_default())
}

/// Puts `source` in review (`Some(true)`), leaves it out (`Some(false)`)
/// or, for an episode or a tag, leaves it to the other rules (`None`; a
/// kind of card goes back to its default, in review). Every deck row follows.
pub fn set_review_source(w: &mut Writer, source: &ReviewSource, included: Option<bool>) -> Result<ReviewSources> {
    let mut sources = review_sources(w.conn())?;
    let choose = |map: &mut BTreeMap<String, bool>, key: String| {
        match included {
            Some(choice) => map.insert(key, choice),
            None => map.remove(&key),
        };
    };
    match source {
        ReviewSource::Highlights => sources.highlights = included.unwrap_or(true),
        ReviewSource::StarredInsights => sources.starred_insights = included.unwrap_or(true),
        ReviewSource::Questions => sources.questions = included.unwrap_or(true),
        ReviewSource::Episode { episode_id } => {
            let fingerprint = fingerprint_of(w.conn(), *episode_id)?.ok_or_else(|| {
                Error::not_found("episode_id", format!("no episode {episode_id} with text is in the library"))
            })?;
            choose(&mut sources.episodes, fingerprint);
        }
        ReviewSource::Tag { tag } => choose(&mut sources.tags, TagName::parse(tag, "tag")?.key),
    }
    store(w, &sources)?;
    Ok(sources)
}

/// Carries the choices on tag key `from` and the tags nested under it to
/// `to` (a rename or a merge; a choice already on a new name stays).
pub(crate) fn move_tag(w: &mut Writer, from: &str, to: &str) -> Result<()> {
    let mut sources = review_sources(w.conn())?;
    let moved: Vec<String> = sources
        .tags
        .keys()
        .filter(|key| key.as_str() == from || key.strip_prefix(from).is_some_and(|rest| rest.starts_with('/')))
        .cloned()
        .collect();
    if moved.is_empty() {
        return Ok(());
    }
    // All taken out before any is put back: moving `climate` under
    // `climate/adaptation` would otherwise put its choice where a child's
    // still is.
    let choices: Vec<(String, _)> =
        moved.into_iter().map(|key| (format!("{to}{}", &key[from.len()..]), sources.tags.remove(&key))).collect();
    for (key, choice) in choices {
        sources.tags.entry(key).or_insert(choice.unwrap_or_default());
    }
    store(w, &sources)
}

fn store(w: &mut Writer, sources: &ReviewSources) -> Result<()> {
    let value = if *sources == ReviewSources::default() {
        None
    } else {
        Some(serde_json::to_string(sources).unwrap_or_default())
    };
    preferences::put(w, settings::REVIEW_SOURCES, value.as_deref())?;
    super::deck::refresh_all(w.conn())
}

fn fingerprint_of(conn: &Connection, episode_id: EpisodeId) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT fingerprint FROM episodes WHERE id = ?1")?
        .query_row([episode_id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// The choices that bear on one episode's cards.
pub(crate) struct EpisodeRule {
    sources: ReviewSources,
    /// The choice on the episode itself.
    episode: Option<bool>,
    /// The keys of the episode's tags.
    episode_tags: Vec<String>,
    /// Each highlight's tag keys (read only when some tag has a choice).
    highlight_tags: BTreeMap<String, Vec<String>>,
}

impl EpisodeRule {
    pub(crate) fn load(conn: &Connection, episode_id: EpisodeId) -> Result<EpisodeRule> {
        let sources = review_sources(conn)?;
        let episode = match fingerprint_of(conn, episode_id)? {
            Some(fingerprint) => sources.episodes.get(&fingerprint).copied(),
            None => None,
        };
        let (mut episode_tags, mut highlight_tags) = (Vec::new(), BTreeMap::new());
        if !sources.tags.is_empty() {
            let mut stmt = conn.prepare_cached(
                "SELECT t.key FROM episode_tags et JOIN tags t ON t.id = et.tag_id
                 WHERE et.episode_id = ?1 AND t.deleted_at IS NULL",
            )?;
            episode_tags = stmt.query_map([episode_id], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
            let mut stmt = conn.prepare_cached(
                "SELECT h.id, t.key FROM highlights h JOIN highlight_tags ht ON ht.highlight_seq = h.seq
                 JOIN tags t ON t.id = ht.tag_id WHERE h.episode_id = ?1 AND t.deleted_at IS NULL",
            )?;
            let rows = stmt.query_map([episode_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
            for row in rows {
                let (highlight, tag) = row?;
                highlight_tags.entry(highlight).or_insert_with(Vec::new).push(tag);
            }
        }
        Ok(EpisodeRule { sources, episode, episode_tags, highlight_tags })
    }

    /// The choice of tags `keys`: out if any leaves out, in if any puts in.
    /// A nested tag (`ai/agents`) without a choice of its own follows the
    /// nearest tag above it that has one.
    fn tags_choice<'a>(&self, keys: impl Iterator<Item = &'a String>) -> Option<bool> {
        let own_or_above = |key: &String| {
            let mut at = key.as_str();
            loop {
                if let Some(choice) = self.sources.tags.get(at) {
                    return Some(*choice);
                }
                at = &at[..at.rfind('/')?];
            }
        };
        let choices: Vec<bool> = keys.filter_map(own_or_above).collect();
        if choices.contains(&false) {
            Some(false)
        } else {
            choices.first().copied()
        }
    }

    /// The choice of the episode or its tags, which applies to all its cards
    /// (a highlight's own tags aside).
    fn episode_choice(&self) -> Option<bool> {
        self.episode.or_else(|| self.tags_choice(self.episode_tags.iter()))
    }

    /// Whether every insight of the episode is a card, not only the starred ones.
    pub(crate) fn all_insights(&self) -> bool {
        self.episode_choice() == Some(true)
    }

    /// Whether `card` is in review by the rules (the card's own choice
    /// aside); `starred` says an insight card is made by its star.
    pub(crate) fn includes(&self, card: &CardId, starred: bool) -> bool {
        let highlight = match card {
            CardId::Highlight(id) | CardId::Question(NoteOf::Highlight(id)) => Some(id),
            _ => None,
        };
        let by_tags = || {
            let own = highlight.and_then(|id| self.highlight_tags.get(id)).into_iter().flatten();
            self.tags_choice(own.chain(self.episode_tags.iter()))
        };
        let kind = match card {
            CardId::Highlight(_) => self.sources.highlights,
            CardId::Insight { .. } => starred && self.sources.starred_insights,
            CardId::Question(_) => self.sources.questions,
        };
        self.episode.or_else(by_tags).unwrap_or(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(sources: ReviewSources, episode: Option<bool>, episode_tags: &[&str], highlight: &[&str]) -> EpisodeRule {
        EpisodeRule {
            sources,
            episode,
            episode_tags: episode_tags.iter().map(|t| t.to_string()).collect(),
            highlight_tags: BTreeMap::from([("h1".to_owned(), highlight.iter().map(|t| t.to_string()).collect())]),
        }
    }

    fn tags(choices: &[(&str, bool)]) -> ReviewSources {
        ReviewSources { tags: choices.iter().map(|(t, c)| (t.to_string(), *c)).collect(), ..ReviewSources::default() }
    }

    const HIGHLIGHT: fn() -> CardId = || CardId::Highlight("h1".into());
    const INSIGHT: fn() -> CardId = || CardId::Insight { episode: "fp".into(), block: "s1.i1".into() };

    #[test]
    fn by_default_highlights_starred_insights_and_questions_are_in() {
        let rule = rule(ReviewSources::default(), None, &[], &[]);
        assert!(rule.includes(&HIGHLIGHT(), false));
        assert!(rule.includes(&INSIGHT(), true));
        assert!(!rule.includes(&INSIGHT(), false));
        assert!(rule.includes(&CardId::Question(NoteOf::Episode("fp".into())), false));
        assert!(!rule.all_insights());
    }

    #[test]
    fn a_kind_left_out_in_settings_makes_no_cards() {
        let sources = ReviewSources { highlights: false, starred_insights: false, ..ReviewSources::default() };
        let rule = rule(sources, None, &[], &[]);
        assert!(!rule.includes(&HIGHLIGHT(), false));
        assert!(!rule.includes(&INSIGHT(), true));
    }

    #[test]
    fn the_episode_choice_comes_before_tags_and_kinds() {
        let rule = rule(tags(&[("keep", true)]), Some(false), &["keep"], &["keep"]);
        assert!(!rule.includes(&HIGHLIGHT(), false));
        let added =
            super::tests::rule(ReviewSources { highlights: false, ..ReviewSources::default() }, Some(true), &[], &[]);
        assert!(added.includes(&HIGHLIGHT(), false));
        assert!(added.includes(&INSIGHT(), false), "an episode in review brings every insight");
        assert!(added.all_insights());
    }

    #[test]
    fn a_nested_tag_follows_the_nearest_choice_above_it() {
        let rule = rule(tags(&[("ai", true), ("ai/hype", false)]), None, &[], &["ai/agents/tools"]);
        assert!(rule.includes(&HIGHLIGHT(), false));
        let rule = super::tests::rule(tags(&[("ai", true), ("ai/hype", false)]), None, &[], &["ai/hype/x"]);
        assert!(!rule.includes(&HIGHLIGHT(), false));
    }

    #[test]
    fn leaving_out_wins_between_tags_and_a_highlight_carries_its_own() {
        let rule = rule(tags(&[("keep", true), ("skip", false)]), None, &["keep"], &["skip"]);
        assert!(!rule.includes(&HIGHLIGHT(), false), "the highlight's own tag leaves it out");
        assert!(rule.includes(&INSIGHT(), false), "the episode's tag puts its insights in");
        assert!(rule.all_insights());
    }
}

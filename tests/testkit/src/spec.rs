//! A generated episode's structure, and its renderings.

use crate::words::{CLAUSES, INSIGHT_TITLES, OBJECTS, SECTIONS, SHOWS, SUBJECTS, TOPICS, VERBS};
use std::fmt::Write;

/// What a summary contains: the ground truth a parser must recover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub title: String,
    pub show: Option<String>,
    pub hosts: Vec<String>,
    pub tldr: Option<String>,
    pub sections: Vec<SpecSection>,
    pub bottom_line: Option<String>,
    pub related_source: Option<String>,
    pub related: Vec<SpecRelated>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSection {
    pub emoji: Option<String>,
    pub title: String,
    pub insights: Vec<SpecInsight>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecInsight {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecRelated {
    pub title: String,
    pub summary: String,
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

pub(crate) fn sentence(rng: &mut fastrand::Rng) -> String {
    format!("{} {} {}, {}.", pick(rng, SUBJECTS), pick(rng, VERBS), pick(rng, OBJECTS), pick(rng, CLAUSES))
}

fn paragraph(rng: &mut fastrand::Rng, sentences: usize) -> String {
    let mut text = String::new();
    for n in 0..sentences {
        if n > 0 {
            text.push(' ');
        }
        text.push_str(&sentence(rng));
    }
    text
}

/// A title unique to `seed` for the first 64,000 seeds (three topics picked
/// by the seed's digits in base 40), so generated libraries do not collide
/// on fingerprints.
fn title(seed: u64) -> String {
    let n = TOPICS.len() as u64;
    let mixed = seed.wrapping_mul(40_503) % (n * n * n);
    let a = (mixed % n) as usize;
    let b = ((mixed / n + 1 + mixed % n) % n) as usize;
    let c = ((mixed / (n * n) + 7) % n) as usize;
    let mut title = format!("{}, {}, {}", TOPICS[a], TOPICS[b], TOPICS[c]);
    if seed >= n * n * n {
        write!(title, " (Part {})", seed / (n * n * n) + 1).ok();
    }
    if seed % 17 == 5 && has_show(seed) {
        // Titles may contain a pipe of their own; the show follows the last
        // one. (Without a show such a line could not be told apart.)
        title = format!("Build | Buy: {title}");
    }
    title
}

fn has_show(seed: u64) -> bool {
    seed % 10 != 9
}

/// The generated episode for `seed`.
pub fn spec(seed: u64) -> Spec {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (show, hosts, source) = *pick(&mut rng, SHOWS);
    let has_show = has_show(seed);
    let sections = (0..rng.usize(2..=4))
        .map(|_| {
            let (emoji, title) = *pick(&mut rng, SECTIONS);
            SpecSection {
                emoji: emoji.map(str::to_owned),
                title: title.to_owned(),
                insights: (0..rng.usize(1..=4))
                    .map(|_| {
                        let title = pick(&mut rng, INSIGHT_TITLES).to_string();
                        let sentences = if rng.usize(..5) == 0 { 1 } else { 2 };
                        SpecInsight { title, body: paragraph(&mut rng, sentences) }
                    })
                    .collect(),
            }
        })
        .collect();
    let related = if seed % 7 == 3 {
        Vec::new()
    } else {
        (0..rng.usize(2..=4))
            .map(|n| {
                let related_seed = seed.wrapping_add(n as u64 * 7919 + 1);
                SpecRelated {
                    title: format!("{} — {} | {}", pick(&mut rng, TOPICS), title(related_seed), show),
                    summary: paragraph(&mut rng, 2),
                }
            })
            .collect()
    };
    Spec {
        title: title(seed),
        show: has_show.then(|| show.to_owned()),
        hosts: if has_show { hosts.iter().map(|h| h.to_string()).collect() } else { Vec::new() },
        tldr: (seed % 11 != 4).then(|| paragraph(&mut rng, 2)),
        sections,
        bottom_line: (seed % 13 != 6).then(|| paragraph(&mut rng, 1)),
        related_source: (!related.is_empty()).then(|| source.to_owned()),
        related,
    }
}

impl Spec {
    /// The first line: `Title | Show w/ Host, Host and Host`.
    pub fn title_line(&self) -> String {
        let mut line = self.title.clone();
        if let Some(show) = &self.show {
            write!(line, " | {show}").ok();
            if !self.hosts.is_empty() {
                line.push_str(" w/ ");
                line.push_str(&join_hosts(&self.hosts, self.title.len()));
            }
        }
        line
    }

    /// The plain format the summariser writes: one part per line.
    pub fn plain(&self) -> String {
        let mut out = String::with_capacity(5000);
        let mut line = |text: &str| {
            out.push_str(text);
            out.push('\n');
        };
        line(&self.title_line());
        if let Some(tldr) = &self.tldr {
            line("TL;DR");
            line(tldr);
        }
        for section in &self.sections {
            line(&section.header(false));
            for insight in &section.insights {
                line(&insight.title);
                line(&insight.body);
            }
        }
        if let Some(bottom) = &self.bottom_line {
            line("Bottom Line");
            line(bottom);
        }
        if let Some(source) = &self.related_source {
            line(&format!("More from {source}"));
            line("View all");
            for related in &self.related {
                line(&related.title);
                line(&related.summary);
            }
        }
        out
    }

    /// The same episode as Markdown: headings, bold list items with indented
    /// bodies, blank lines between blocks.
    pub fn markdown(&self) -> String {
        let mut out = String::with_capacity(5500);
        writeln!(out, "# {}\n", self.title_line()).ok();
        if let Some(tldr) = &self.tldr {
            writeln!(out, "## TL;DR\n\n{tldr}\n").ok();
        }
        for section in &self.sections {
            writeln!(out, "## {}\n", section.header(true)).ok();
            for insight in &section.insights {
                writeln!(out, "- **{}**\n  {}\n", insight.title, insight.body).ok();
            }
        }
        if let Some(bottom) = &self.bottom_line {
            writeln!(out, "## Bottom Line\n\n{bottom}\n").ok();
        }
        if let Some(source) = &self.related_source {
            writeln!(out, "## More from {source}\n").ok();
            for related in &self.related {
                writeln!(out, "- **{}**\n  {}\n", related.title, related.summary).ok();
            }
        }
        out
    }
}

impl SpecSection {
    /// `🧠 Title 3 insights`, or `🧠 Title (3 insights)` for Markdown.
    fn header(&self, markdown: bool) -> String {
        let n = self.insights.len();
        let count = if n == 1 { "1 insight".to_owned() } else { format!("{n} insights") };
        let emoji = self.emoji.as_deref().map(|e| format!("{e} ")).unwrap_or_default();
        if markdown {
            format!("{emoji}{} ({count})", self.title)
        } else {
            format!("{emoji}{} {count}", self.title)
        }
    }
}

/// `A and B`, `A & B`, `A, B and C`, `A, B, and C`: every spelling the real
/// files use, picked by `variant`.
fn join_hosts(hosts: &[String], variant: usize) -> String {
    match hosts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => {
            let and = if variant.is_multiple_of(3) { "&" } else { "and" };
            let comma = if variant % 4 == 1 && init.len() > 1 { "," } else { "" };
            format!("{}{comma} {and} {last}", init.join(", "))
        }
    }
}

/// A notes file that is not a summary: a title line, then paragraphs and
/// lists separated by blank lines, about `size` bytes long.
pub fn plain_document(seed: u64, size: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = format!("Notes on {}\n\n", pick(&mut rng, TOPICS));
    while out.len() < size {
        if rng.usize(..4) == 0 {
            for _ in 0..rng.usize(2..6) {
                writeln!(out, "- {}", pick(&mut rng, OBJECTS)).ok();
            }
        } else {
            let sentences = rng.usize(2..6);
            out.push_str(&paragraph(&mut rng, sentences));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_realistic_in_size_and_shape() {
        for seed in 0..200 {
            let spec = spec(seed);
            let text = spec.plain();
            assert!((1000..8000).contains(&text.len()), "seed {seed}: {} bytes", text.len());
            assert!((2..=4).contains(&spec.sections.len()));
            assert!(spec.sections.iter().all(|s| (1..=4).contains(&s.insights.len())));
        }
    }

    #[test]
    fn summaries_average_three_to_five_kilobytes() {
        let total: usize = (0..1000).map(|seed| spec(seed).plain().len()).sum();
        assert!((3000..5000).contains(&(total / 1000)), "average {}", total / 1000);
    }

    #[test]
    fn titles_do_not_collide() {
        let titles: std::collections::HashSet<_> = (0..10_000).map(title).collect();
        assert_eq!(titles.len(), 10_000);
    }

    #[test]
    fn hosts_join_every_way() {
        let hosts: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(join_hosts(&hosts, 1), "A, B, and C");
        assert_eq!(join_hosts(&hosts, 2), "A, B and C");
        assert_eq!(join_hosts(&hosts[..2], 3), "A & B");
    }

    #[test]
    fn plain_documents_reach_their_size() {
        let doc = plain_document(1, 1 << 20);
        assert!(doc.len() >= 1 << 20);
        assert!(doc.starts_with("Notes on "));
    }
}

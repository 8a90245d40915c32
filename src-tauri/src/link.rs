//! `gloss://` links: what the operating system runs Gloss with when one is
//! opened (`gloss gloss://highlight/<id>`), read into the place in the UI
//! they name. The place is the UI's own hash route, so the window opens a
//! link exactly as a browser opens `http://127.0.0.1:4747/#/highlight/<id>`:
//! one way to resolve and show it, in ui/js. Free of Tauri: the command
//! line reads links too.

use gloss_core::store::episodes::EpisodeId;
use std::fmt;
use std::str::FromStr;

/// The scheme, as registered in tauri.conf.json (`plugins.deep-link`).
const SCHEME: &str = "gloss://";

/// A place a `gloss://` link opens at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// `gloss://episode/<id>`: the episode, where it was left.
    Episode(EpisodeId),
    /// `gloss://highlight/<id>`: the highlight's episode, scrolled to it.
    Highlight(String),
}

impl Link {
    /// The UI's hash route for this place (ui/js/app.js routes it).
    pub fn route(&self) -> String {
        match self {
            Link::Episode(id) => format!("#/episode/{id}"),
            Link::Highlight(id) => format!("#/highlight/{id}"),
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Link::Episode(id) => write!(f, "{SCHEME}episode/{id}"),
            Link::Highlight(id) => write!(f, "{SCHEME}highlight/{id}"),
        }
    }
}

impl FromStr for Link {
    type Err = String;

    /// Reads `gloss://episode/<id>` or `gloss://highlight/<id>`. A trailing
    /// `/` is forgiven (some programs add one). The message of a refusal
    /// says what a link looks like, and, since `gloss WORD` is read as a
    /// link when WORD is no command, that a typo of a command lands here;
    /// it does not repeat `text`, which whoever shows it puts before it.
    fn from_str(text: &str) -> Result<Link, String> {
        let rest = text
            .get(..SCHEME.len())
            .filter(|scheme| scheme.eq_ignore_ascii_case(SCHEME))
            .map(|_| &text[SCHEME.len()..])
            .ok_or("neither a gloss command nor a gloss:// link (see gloss --help)")?;
        let unknown = || "not a link Gloss opens: use gloss://episode/<id> or gloss://highlight/<id>".to_owned();
        let (kind, id) = rest.strip_suffix('/').unwrap_or(rest).split_once('/').ok_or_else(unknown)?;
        match kind {
            "episode" => match id.parse::<EpisodeId>() {
                Ok(id) if id > 0 => Ok(Link::Episode(id)),
                _ => Err("an episode id is a whole number (see gloss list)".to_owned()),
            },
            // A highlight id is a UUID (see gloss annotations); whether one
            // with this id exists is the UI's to say, where it shows the answer.
            "highlight" if !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => {
                Ok(Link::Highlight(id.to_ascii_lowercase()))
            }
            "highlight" => Err("a highlight id is a UUID like 0b7c…-… (see gloss annotations)".to_owned()),
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0b7c6a1e-9f0d-4c8e-8a57-3d1f2b4c5e6f";

    #[test]
    fn a_link_reads_as_the_route_the_ui_opens() {
        let link: Link = format!("gloss://highlight/{ID}").parse().unwrap();
        assert_eq!(link, Link::Highlight(ID.to_owned()));
        assert_eq!(link.route(), format!("#/highlight/{ID}"));
        assert_eq!("gloss://episode/12".parse::<Link>().unwrap().route(), "#/episode/12");
    }

    #[test]
    fn the_scheme_read_is_the_one_the_desktop_entry_claims() {
        let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let schemes = &config["plugins"]["deep-link"]["desktop"]["schemes"];
        assert_eq!(schemes, &serde_json::json!([SCHEME.trim_end_matches("://")]));
    }

    #[test]
    fn case_of_the_scheme_and_a_trailing_slash_are_forgiven() {
        let link: Link = format!("GLOSS://highlight/{}/", ID.to_uppercase()).parse().unwrap();
        assert_eq!(link.to_string(), format!("gloss://highlight/{ID}"));
    }

    #[test]
    fn anything_else_is_refused_with_what_a_link_looks_like() {
        for (text, says) in [
            ("lsit", "neither a gloss command nor a gloss:// link"),
            ("https://example.com/", "neither a gloss command"),
            ("gloss://", "gloss://episode/<id> or gloss://highlight/<id>"),
            ("gloss://note/3", "gloss://episode/<id> or gloss://highlight/<id>"),
            ("gloss://episode/0", "whole number"),
            ("gloss://episode/x", "whole number"),
            ("gloss://highlight/", "gloss://highlight/<id>"),
            ("gloss://highlight/a/b", "is a UUID"),
            ("gloss://highlight/<script>", "is a UUID"),
        ] {
            let err = text.parse::<Link>().unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}

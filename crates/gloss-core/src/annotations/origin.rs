//! Who changed what the user owns: the door a request came in by, the
//! client that sent it, and so the origin every change carries to the
//! write path ([`super::write`]) and to every event it causes.

use serde::{Deserialize, Serialize};

/// The door a request came in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// The desktop window (a Tauri command).
    Desktop,
    /// `gloss serve`'s HTTP API (a browser tab, a script).
    Http,
    /// The `gloss` command line, in-process or through a running instance.
    Cli,
    /// An assistant through `gloss mcp`.
    Mcp,
    /// A note edited in an exported Markdown file, read back on export.
    ExportedFile,
}

/// Who asked for an operation: the door, and the client that named itself
/// (a window or tab), so that client can skip the echo of its own change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub door: Door,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

impl Caller {
    /// A caller that did not name itself.
    pub fn door(door: Door) -> Caller {
        Caller { door, client: None }
    }

    /// A caller naming itself `client`; a name that is not a short plain
    /// token (at most 64 letters, digits, `-`, `_`) is dropped, since it is
    /// echoed to every other window.
    pub fn client(door: Door, client: Option<&str>) -> Caller {
        let plain = |c: &str| {
            !c.is_empty() && c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        Caller { door, client: client.filter(|c| plain(c)).map(str::to_owned) }
    }
}

/// Where a change to what the user owns came from. It decides whether the
/// change is queued for the user's other devices: a local change (a user
/// action or an import) is, a remote one never is, so nothing echoes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A person's action through a door (restoring from the trash included).
    User(Caller),
    /// An import of a backup, W3C or Readwise file, asked through a door.
    Import(Caller),
    /// Another device's change, applied by sync.
    Remote,
    /// Gloss itself: highlights re-anchored after their summary changed.
    Anchoring,
}

impl Origin {
    /// Whether the change was made on this device, and so goes out to the others.
    pub fn is_local(&self) -> bool {
        matches!(self, Origin::User(_) | Origin::Import(_))
    }
}

//! The operations, as serde types. `{"op": "get_episode", "args": {...}}`.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Health,
}

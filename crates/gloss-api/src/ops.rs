//! The operations, as serde types: `{"op": "get_episode", "args": {...}}`.
//! docs/api.md lists them with their answers.

use crate::error::{from_json, ApiError};
use gloss_core::app::{EpisodeFilter, SettingsPatch};
use gloss_core::store::episodes::EpisodeId;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Health {},
    LibraryStatus {},
    ListEpisodes(EpisodeFilter),
    GetEpisode { id: EpisodeId },
    Search(SearchArgs),
    GetSettings {},
    UpdateSettings(SettingsPatch),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    pub query: String,
    pub limit: Option<usize>,
}

impl Request {
    /// Reads a request from JSON. `args` may be left out for operations
    /// that take none; unknown operations and fields are refused.
    pub fn from_value(mut value: Value) -> Result<Request, ApiError> {
        if let Value::Object(map) = &mut value {
            map.entry("args").or_insert_with(|| Value::Object(Default::default()));
        }
        from_json(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn args_may_be_left_out_but_unknown_fields_are_refused() {
        assert!(Request::from_value(json!({ "op": "health" })).is_ok());
        assert!(Request::from_value(json!({ "op": "health", "args": {} })).is_ok());
        let err = Request::from_value(json!({ "op": "health", "args": { "x": 1 } })).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::InvalidInput);
        let err = Request::from_value(json!({ "op": "nope" })).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("op"));
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = Request::from_value(json!({ "op": "get_episode", "args": { "id": "seven" } })).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("args.id"));
    }
}

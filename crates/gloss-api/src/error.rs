//! The one error type every operation answers with.
//!
//! Errors cross the API as JSON (`{"error": {kind, message, field}}`), in the
//! Tauri window as the rejected value of `invoke` and over HTTP with a status
//! code chosen by [`ApiError::status`]. A panic or an HTML error page never
//! reaches the UI.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Forbidden,
    TooLarge,
    DiskFull,
    Storage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
    /// The request field the error is about, when there is one.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError { kind, message: message.into(), field: None }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::input(Some(field.into()), message.into())
    }

    /// Invalid input, its message and field shortened when they repeat a
    /// long part of the request (an unknown variant of a megabyte).
    fn input(field: Option<String>, message: String) -> Self {
        ApiError {
            kind: ErrorKind::InvalidInput,
            message: clip(&message, MAX_MESSAGE_CHARS),
            field: field.map(|field| clip(&field, MAX_FIELD_CHARS)),
        }
    }

    /// The same error, about request field `field` (`args.episode_id`).
    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    /// The HTTP status code that carries this error.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::InvalidInput => 400,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Storage => 500,
            ErrorKind::DiskFull => 507,
        }
    }

    /// The JSON body: `{"error": {...}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}

/// Reads a request's JSON into a typed value, naming the offending field when
/// serde can tell which one it is.
pub fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let field = (path != ".").then_some(path);
        ApiError::input(field, err.inner().to_string())
    })
}

/// Characters of an error message, and of a field name, kept from input
/// that is echoed back: enough to recognise it.
const MAX_MESSAGE_CHARS: usize = 400;
const MAX_FIELD_CHARS: usize = 200;

/// `text`, or its start and its end around an ellipsis when it is longer
/// than `max` characters (the end of a serde message lists what was
/// expected).
fn clip(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let half = max / 2;
    let head: String = text.chars().take(half).collect();
    let tail: String = text.chars().skip(count - half).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_echoed_input_is_clipped_in_the_middle() {
        let long = "a".repeat(10_000);
        let err = ApiError::invalid(format!("args.{long}"), format!("unknown variant `{long}`, expected `dark`"));
        assert_eq!(err.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(err.message.starts_with("unknown variant `aaa") && err.message.ends_with("aaa`, expected `dark`"));
        assert!(err.field.is_some_and(|f| f.starts_with("args.aaa") && f.chars().count() == MAX_FIELD_CHARS + 1));
        assert_eq!(ApiError::invalid("args.id", "short").message, "short");
    }
}

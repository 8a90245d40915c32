//! The one error type every operation answers with.
//!
//! Errors cross the API as JSON (`{"error": {kind, message, field}}`), in the
//! Tauri window as the rejected value of `invoke` and over HTTP with a status
//! code chosen by [`ApiError::status`]. A panic or an HTML error page never
//! reaches the UI.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Conflict,
    Forbidden,
    TooLarge,
    DiskFull,
    Storage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
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
        ApiError { kind: ErrorKind::InvalidInput, message: message.into(), field: Some(field.into()) }
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
        ApiError { kind: ErrorKind::InvalidInput, message: err.inner().to_string(), field }
    })
}

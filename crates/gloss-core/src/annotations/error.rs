//! What an annotation operation can refuse, typed so the API can answer
//! `not_found`, `invalid_input` or `conflict` with the request field named.

use crate::store;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The id names nothing (or nothing live). `field` is the request field
    /// that carried it.
    #[error("{message}")]
    NotFound { field: &'static str, message: String },

    /// A value is malformed or out of range.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },

    /// The value is fine but clashes with what is stored: an ambiguous quote,
    /// a tag name already taken, a highlight in the trash.
    #[error("{message}")]
    Conflict { field: &'static str, message: String },

    /// The database failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

impl Error {
    pub(crate) fn not_found(field: &'static str, message: impl Into<String>) -> Error {
        Error::NotFound { field, message: message.into() }
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid { field, message: message.into() }
    }

    pub(crate) fn conflict(field: &'static str, message: impl Into<String>) -> Error {
        Error::Conflict { field, message: message.into() }
    }

    /// The request field the error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::NotFound { field, .. } | Error::Invalid { field, .. } | Error::Conflict { field, .. } => Some(field),
            Error::Store(_) => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        Error::Store(store::Error::Sqlite(error))
    }
}

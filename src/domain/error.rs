//! The error a user (browser or API client) sees: a code, a message that is
//! safe to show, and per-field messages for invalid input. Internal causes
//! never reach this type; they are logged where they happen.

use std::collections::BTreeMap;

use http::StatusCode;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Per-field validation messages, keyed by the field's name in the request.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::Invalid => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
    /// The current state of a record when an update lost a version race.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<serde_json::Value>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            fields: FieldErrors::new(),
            current: None,
        }
    }

    pub fn invalid(fields: FieldErrors) -> Self {
        let message = if fields.len() == 1 {
            fields.values().next().cloned().unwrap_or_default()
        } else {
            "Some fields are invalid.".to_string()
        };
        AppError {
            fields,
            ..AppError::new(ErrorCode::Invalid, message)
        }
    }

    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), message.into());
        AppError::invalid(fields)
    }

    pub fn unauthenticated() -> Self {
        AppError::new(ErrorCode::Unauthenticated, "Authentication required.")
    }

    pub fn forbidden() -> Self {
        AppError::new(
            ErrorCode::Forbidden,
            "You do not have permission to do this.",
        )
    }

    pub fn not_found() -> Self {
        AppError::new(ErrorCode::NotFound, "Not found.")
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::Conflict, message)
    }

    pub fn internal() -> Self {
        AppError::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                AppError::new(ErrorCode::Invalid, format!("Malformed request: {message}"))
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorCode::Internal,
                "The server could not be reached. Check your connection and try again.",
            ),
            _ => AppError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_invalid_field_becomes_the_message() {
        let error = AppError::field("email", "Enter a valid e-mail address.");
        assert_eq!(error.message, "Enter a valid e-mail address.");
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error.fields["email"], "Enter a valid e-mail address.");
    }

    #[test]
    fn codes_map_to_their_statuses() {
        assert_eq!(
            AppError::unauthenticated().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(AppError::forbidden().status(), StatusCode::FORBIDDEN);
        assert_eq!(AppError::not_found().status(), StatusCode::NOT_FOUND);
        assert_eq!(AppError::conflict("x").status(), StatusCode::CONFLICT);
    }

    #[test]
    fn serialises_without_empty_parts() {
        let json = serde_json::to_value(AppError::not_found()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "Not found."})
        );
    }
}

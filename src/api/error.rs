//! `{"error": {"code", "message", "fields"}}` with the status that goes
//! with the code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::domain::error::AppError;
use crate::domain::server::DomainError;

#[derive(Debug)]
pub struct ApiError {
    error: AppError,
    status: StatusCode,
}

impl ApiError {
    /// The message the user sees.
    pub fn message(&self) -> &str {
        &self.error.message
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError {
            status: error.status(),
            error,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        ApiError::from(error.into_app_error())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.error })),
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

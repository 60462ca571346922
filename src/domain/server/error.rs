use crate::domain::error::AppError;

/// What a domain operation can fail with: a refusal the caller should see
/// (validation, 403, 404, 409 …) or an internal failure that is logged and
/// shown only as a generic message.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Refused(#[from] AppError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// The user-facing error. Internal causes are logged here (inside the
    /// request's span, so with its request id) and replaced by a generic
    /// message.
    pub fn into_app_error(self) -> AppError {
        match self {
            DomainError::Refused(error) => error,
            DomainError::Database(sqlx::Error::PoolTimedOut) => {
                tracing::error!("database pool timed out");
                AppError::new(
                    crate::domain::error::ErrorCode::Internal,
                    "The service is busy. Please try again in a moment.",
                )
            }
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::internal()
            }
        }
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        error.into_app_error()
    }
}

/// Whether a database error is a violation of the named unique constraint.
pub fn is_unique_violation(error: &sqlx::Error, constraint: &str) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23505") && db.constraint() == Some(constraint)
        }
        _ => false,
    }
}

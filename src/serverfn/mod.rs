//! Server functions, grouped by page. Each is a public HTTP endpoint under
//! `/sfn/`: it resolves the caller and calls the domain, exactly as the REST
//! handlers do.

pub mod auth;
pub mod checklists;
pub mod compliance_tracker;
pub mod incidents;
pub mod print;
pub mod security;

/// Where server functions are served: never under `/api`.
pub const PREFIX: &str = "/sfn";

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use leptos::prelude::{expect_context, use_context};

    use crate::domain::error::AppError;
    use crate::domain::server::{Actor, DomainError};
    use crate::domain::user::SessionUser;
    use crate::server::auth::caller;
    use crate::server::AppState;

    pub fn state() -> AppState {
        expect_context::<AppState>()
    }

    /// The signed-in caller, or 401.
    pub async fn caller_or_401() -> Result<(Actor, SessionUser), AppError> {
        let state = state();
        let mut parts = use_context::<http::request::Parts>().ok_or_else(AppError::internal)?;
        caller(&state, &mut parts)
            .await?
            .ok_or_else(AppError::unauthenticated)
    }

    /// The user-facing error, with the HTTP status set on the response too
    /// (a server-rendered 403 page answers 403).
    pub fn fail(error: impl Into<DomainError>) -> AppError {
        let error = error.into().into_app_error();
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        error
    }
}

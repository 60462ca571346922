//! Server functions, grouped by page. Each is a public HTTP endpoint under
//! `/sfn/`: it resolves the caller and calls the domain, exactly as the REST
//! handlers do.

pub mod audits;
pub mod auth;
pub mod checklists;
pub mod compliance_tracker;
pub mod controls;
pub mod incidents;
pub mod members;
pub mod policy;
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
    ///
    /// A form posted without JavaScript is the exception: `server_fn`
    /// answers it with a redirect back to the page carrying the error in the
    /// URL, which `ServerAction` reads back. Setting the error's status would
    /// replace that redirect with raw JSON, so it is left alone, and the
    /// current record of a 409 is dropped to keep the URL short (the page
    /// reloads it anyway).
    pub fn fail(error: impl Into<DomainError>) -> AppError {
        let mut error = error.into().into_app_error();
        let plain_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
            parts.uri.path().starts_with(super::PREFIX)
                && parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|accept| accept.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"))
        });
        if plain_form_post {
            error.current = None;
        } else if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        error
    }
}

//! The JSON REST API under `/api`: each handler parses the request, calls
//! the domain and shapes the answer. No SQL and no permission rules here.

mod auth;
mod dashboard;
mod enterprises;
pub mod error;
pub mod extract;
pub mod health;
pub mod openapi;
mod paging;
mod security;

pub(crate) use security::upload_evidence_form;
mod users;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;

use crate::server::AppState;
use error::ApiError;

/// Request bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::serve))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/password", post(auth::change_password))
        .route(
            "/auth/tokens",
            get(auth::list_tokens).post(auth::create_token),
        )
        .route("/auth/tokens/{id}", delete(auth::revoke_token))
        .route("/users", get(users::list).post(users::create))
        .route(
            "/enterprises",
            get(enterprises::list).post(enterprises::create),
        )
        .route("/enterprises/{id}", get(enterprises::get))
        .route(
            "/enterprises/{id}/members",
            get(enterprises::members).post(enterprises::add_member),
        )
        .route(
            "/enterprises/{id}/members/{user_id}",
            delete(enterprises::remove_member),
        )
        .nest("/security", security::router())
        .nest("/dashboard/security", dashboard::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// What the router answers for a path it does not serve (distinct from a
/// record that does not exist, so that clients and tests can tell).
pub const NO_SUCH_ROUTE: &str = "No such API route.";

async fn not_found() -> ApiError {
    ApiError::from(crate::domain::error::AppError::new(
        crate::domain::error::ErrorCode::NotFound,
        NO_SUCH_ROUTE,
    ))
}

async fn method_not_allowed() -> ApiError {
    ApiError::from(crate::domain::error::AppError::new(
        crate::domain::error::ErrorCode::Invalid,
        "This method is not allowed on this resource.",
    ))
    .with_status(axum::http::StatusCode::METHOD_NOT_ALLOWED)
}

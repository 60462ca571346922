//! Who is calling: a session cookie (browsers) or a bearer token (API
//! clients). Both resolve to the same `Actor` the domain checks.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use uuid::Uuid;

use super::state::AppState;
use crate::domain::error::AppError;
use crate::domain::server::{tokens, users, Actor, DomainError};
use crate::domain::user::SessionUser;

const USER_ID_KEY: &str = "user_id";

/// Starts an authenticated session. The session id changes here so that an
/// id planted before login (session fixation) is worthless after it.
pub async fn start_session(session: &Session, user_id: Uuid) -> Result<(), DomainError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Ends the session and deletes it from the store.
pub async fn end_session(session: &Session) -> Result<(), DomainError> {
    session.flush().await.map_err(session_error)
}

async fn session_user_id(session: &Session) -> Option<Uuid> {
    session.get::<Uuid>(USER_ID_KEY).await.ok().flatten()
}

fn session_error(error: tower_sessions::session::Error) -> DomainError {
    DomainError::Internal(format!("session store: {error}"))
}

/// The request id (set by the request-id layer) and the peer address, for
/// the audit trail.
pub fn request_meta(parts: &Parts) -> (Option<String>, Option<String>) {
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let client_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    (request_id, client_ip)
}

/// Resolves the caller. A request that presents a bearer token is judged by
/// that token alone (an invalid one is 401 even with a session cookie).
pub async fn caller(
    state: &AppState,
    parts: &mut Parts,
) -> Result<Option<(Actor, SessionUser)>, AppError> {
    let user_id = match parts.headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(AppError::unauthenticated)?;
            let user = tokens::resolve(&state.pool, token)
                .await
                .map_err(DomainError::into_app_error)?;
            Some(user.ok_or_else(AppError::unauthenticated)?)
        }
        None => match Session::from_request_parts(parts, state).await {
            Ok(session) => session_user_id(&session).await,
            Err(_) => None,
        },
    };
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let Some(user) = users::active_user(&state.pool, user_id)
        .await
        .map_err(DomainError::into_app_error)?
    else {
        return Ok(None);
    };
    let (request_id, client_ip) = request_meta(parts);
    let actor = Actor {
        user_id: user.id,
        is_staff: user.is_staff,
        request_id,
        client_ip,
    };
    Ok(Some((actor, user)))
}

/// Pages that need a signed-in user send anonymous visitors to the login
/// page, remembering where they were going. Runs before rendering, so the
/// redirect is a real 303 whether or not the browser runs JavaScript.
pub async fn require_login_for_pages(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let protected = path == "/" || path.starts_with("/enterprise/");
    if protected && request.method() == Method::GET && session_user_id(&session).await.is_none() {
        let target = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let location = format!("/login?next={}", urlencoding::encode(target));
        return Redirect::to(&location).into_response();
    }
    next.run(request).await
}

//! The router and its layers, shared by `rampart serve` and the tests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::PgPool;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use super::auth::require_login_for_pages;
use super::config::Config;
use super::state::AppState;
use crate::api;
use crate::app::{shell, App};

pub const SESSION_COOKIE: &str = "rampart_session";

pub fn state(pool: PgPool, leptos_options: LeptosOptions, config: Config) -> AppState {
    AppState {
        pool,
        leptos_options,
        config: Arc::new(config),
    }
}

/// The whole application as one service: trailing slashes are trimmed before
/// routing, so `/api/users/` and `/api/users` are the same route.
pub fn app(state: AppState) -> NormalizePath<Router> {
    NormalizePathLayer::trim_trailing_slash().layer(router(state))
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let session_store = PostgresStore::new(state.pool.clone());
    let sessions = SessionManagerLayer::new(session_store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::minutes(state.config.session_idle_minutes),
        ));

    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route("/readyz", get(api::health::readyz))
        .nest("/api", api::router())
        .route(
            "/enterprise/{enterprise_id}/controls/{control_id}/evidence-upload",
            axum::routing::post(api::upload_evidence_form)
                .layer(axum::extract::DefaultBodyLimit::max(crate::domain::server::controls::MAX_EVIDENCE_FILE_BYTES + 64 * 1024)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(require_login_for_pages))
        .layer(sessions)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// A panic is a bug; the client gets the generic error shape, never a trace.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("handler panicked");
    let body = serde_json::json!({"error": crate::domain::error::AppError::internal()});
    Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("static response")
}

/// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let pool = state.pool.clone();
    let deletion = tokio::spawn(delete_expired_sessions(pool));
    let service = axum::ServiceExt::<Request<Body>>::into_make_service_with_connect_info::<
        SocketAddr,
    >(app(state));
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    deletion.abort();
    result
}

async fn delete_expired_sessions(pool: PgPool) {
    use tower_sessions::ExpiredDeletion;
    let store = PostgresStore::new(pool);
    if let Err(error) = store
        .continuously_delete_expired(Duration::from_secs(600))
        .await
    {
        tracing::warn!(%error, "expired-session cleanup stopped");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

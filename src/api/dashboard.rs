//! `/api/dashboard/security/{overview,compliance,incidents,audits}/?enterprise=`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiQuery, Caller};
use crate::domain::error::AppError;
use crate::domain::server::dashboard;
use crate::server::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/overview", get(overview))
        .route("/compliance", get(compliance))
        .route("/incidents", get(incidents))
        .route("/audits", get(audits))
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    enterprise: Option<Uuid>,
    days: Option<i64>,
}

impl DashboardQuery {
    fn enterprise(&self) -> Result<Uuid, AppError> {
        self.enterprise
            .ok_or_else(|| AppError::field("enterprise", "Name the enterprise: ?enterprise=<id>."))
    }
}

async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        dashboard::overview(&state.pool, &caller.actor, q.enterprise()?).await?,
    ))
}

async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        dashboard::compliance(&state.pool, &caller.actor, q.enterprise()?).await?,
    ))
}

/// `?days=` is the MTTC/MTTR window (default 90).
async fn incidents(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<impl IntoResponse> {
    let days = match q.days {
        None => 90,
        Some(d) if (1..=3660).contains(&d) => d as i32,
        Some(_) => return Err(AppError::field("days", "Use a window of 1 to 3660 days.").into()),
    };
    Ok(Json(
        dashboard::incidents(&state.pool, &caller.actor, q.enterprise()?, days).await?,
    ))
}

/// `?days=` is the upcoming window (default 30).
async fn audits(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        dashboard::audits(&state.pool, &caller.actor, q.enterprise()?, q.days).await?,
    ))
}

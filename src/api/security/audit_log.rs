use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{ApiQuery, Caller};
use crate::api::paging::envelope;
use crate::domain::page::PageRequest;
use crate::domain::server::audit::{self, LogFilter};
use crate::server::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit-log", get(list))
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    entity_type: Option<String>,
    actor: Option<Uuid>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filters: Vec<(&str, String)> = [
        ("enterprise", q.enterprise.map(|v| v.to_string())),
        ("entity_type", q.entity_type.clone()),
        ("actor", q.actor.map(|v| v.to_string())),
        ("since", q.since.map(|v| v.to_rfc3339())),
        ("until", q.until.map(|v| v.to_rfc3339())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let filter = LogFilter {
        enterprise: q.enterprise,
        entity_type: q.entity_type,
        actor: q.actor,
        since: q.since,
        until: q.until,
    };
    let entries = audit::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(
        "/api/security/audit-log/",
        &filters,
        entries,
    )))
}

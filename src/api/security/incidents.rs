//! `/api/security/incidents/`: security incidents, their status workflow,
//! timeline and notification clocks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{ActionBody, ApiPath, ApiQuery, Caller, IfMatch, ObjectBody};
use crate::api::paging::envelope;
use crate::domain::error::AppError;
use crate::domain::page::PageRequest;
use crate::domain::server::incidents::{self, ListFilter, StatusRequest};
use crate::server::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list).post(create))
        .route("/incidents/active", get(active))
        .route("/incidents/by-severity", get(by_severity))
        .route(
            "/incidents/{id}",
            get(read).put(update).patch(update).delete(delete),
        )
        .route("/incidents/{id}/status", post(change_status))
        .route("/incidents/{id}/events", get(events))
        .route("/incidents/{id}/clocks/{key}/done", post(clock_done))
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    severity: Option<String>,
    status: Option<String>,
    active: Option<bool>,
    ordering: Option<String>,
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
        ("enterprise", q.enterprise.map(|e| e.to_string())),
        ("severity", q.severity.clone()),
        ("status", q.status.clone()),
        ("active", q.active.map(|a| a.to_string())),
        ("ordering", q.ordering.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let filter = ListFilter {
        enterprise: q.enterprise,
        severity: q.severity,
        status: q.status,
        active: q.active,
        ordering: q.ordering,
    };
    let items = incidents::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope("/api/security/incidents/", &filters, items)))
}

#[derive(Deserialize)]
pub struct EnterpriseQuery {
    enterprise: Option<Uuid>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn active(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filters: Vec<(&str, String)> = q
        .enterprise
        .map(|e| ("enterprise", e.to_string()))
        .into_iter()
        .collect();
    let items = incidents::active(&state.pool, &caller.actor, q.enterprise, page).await?;
    Ok(Json(envelope(
        "/api/security/incidents/active/",
        &filters,
        items,
    )))
}

async fn by_severity(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    let enterprise = q
        .enterprise
        .ok_or_else(|| AppError::field("enterprise", "Name the enterprise: ?enterprise=<id>."))?;
    Ok(Json(
        incidents::by_severity(&state.pool, &caller.actor, enterprise).await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let incident = incidents::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(incident)))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(incidents::get(&state.pool, &caller.actor, id).await?))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        incidents::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<StatusCode> {
    let version = if_match.version(body.version)?;
    incidents::delete(&state.pool, &caller.actor, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{status, note?, version?}` → 200 with the updated incident.
async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let request = StatusRequest::parse(body.0)?;
    let version = if_match.version(request.version)?;
    Ok(Json(
        incidents::change_status(
            &state.pool,
            &caller.actor,
            id,
            request.status,
            request.note.as_deref(),
            version,
        )
        .await?,
    ))
}

async fn events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        incidents::events(&state.pool, &caller.actor, id).await?,
    ))
}

async fn clock_done(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, key)): ApiPath<(Uuid, String)>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        incidents::mark_clock_done(&state.pool, &caller.actor, id, &key, version).await?,
    ))
}

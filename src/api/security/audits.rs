//! `/api/security/audits/`: security audits, their actions (start,
//! complete, cancel), the upcoming list and their findings; and
//! `/api/security/findings/overdue/`. Thin: parse, call
//! `domain::server::audits`, shape the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{
    ActionBody, ApiPath, ApiQuery, Caller, IfMatch, ObjectBody, OptionalBody,
};
use crate::api::paging::envelope;
use crate::domain::page::PageRequest;
use crate::domain::server::audits::{self, FindingFilter, ListFilter};
use crate::server::AppState;

const PATH: &str = "/api/security/audits/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audits", get(list).post(create))
        .route("/audits/upcoming", get(upcoming))
        .route(
            "/audits/{id}",
            get(read).put(update).patch(update).delete(delete),
        )
        .route("/audits/{id}/start", post(start))
        .route("/audits/{id}/complete", post(complete))
        .route("/audits/{id}/cancel", post(cancel))
        .route(
            "/audits/{id}/findings",
            get(list_findings).post(create_finding),
        )
        .route(
            "/audits/{id}/findings/{finding_id}",
            get(read_finding)
                .put(update_finding)
                .patch(update_finding)
                .delete(delete_finding),
        )
        .route("/findings/overdue", get(overdue_findings))
}

/// The query parameters worth carrying into `next`/`previous` links.
fn carried(pairs: &[(&'static str, Option<String>)]) -> Vec<(&'static str, String)> {
    pairs
        .iter()
        .filter_map(|(name, value)| value.clone().map(|value| (*name, value)))
        .collect()
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    status: Option<String>,
    audit_type: Option<String>,
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
    let filters = carried(&[
        ("enterprise", q.enterprise.map(|e| e.to_string())),
        ("status", q.status.clone()),
        ("audit_type", q.audit_type.clone()),
        ("ordering", q.ordering.clone()),
    ]);
    let filter = ListFilter {
        enterprise: q.enterprise,
        status: q.status,
        audit_type: q.audit_type,
        ordering: q.ordering,
    };
    let audits = audits::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(PATH, &filters, audits)))
}

#[derive(Deserialize)]
pub struct UpcomingQuery {
    enterprise: Option<Uuid>,
    days: Option<i64>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn upcoming(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<UpcomingQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filters = carried(&[
        ("enterprise", q.enterprise.map(|e| e.to_string())),
        ("days", q.days.map(|d| d.to_string())),
    ]);
    let audits = audits::upcoming(&state.pool, &caller.actor, q.enterprise, q.days, page).await?;
    Ok(Json(envelope(
        "/api/security/audits/upcoming/",
        &filters,
        audits,
    )))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let audit = audits::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(audit)))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(audits::get(&state.pool, &caller.actor, id).await?))
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
        audits::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    audits::delete(&state.pool, &caller.actor, id, if_match.version(None)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn start(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        audits::start(&state.pool, &caller.actor, id, version).await?,
    ))
}

async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    OptionalBody(body): OptionalBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        audits::complete(&state.pool, &caller.actor, id, version, body).await?,
    ))
}

async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        audits::cancel(&state.pool, &caller.actor, id, version).await?,
    ))
}

#[derive(Deserialize)]
pub struct FindingListQuery {
    status: Option<String>,
    severity: Option<String>,
    overdue: Option<bool>,
    ordering: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn list_findings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<FindingListQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filters = carried(&[
        ("status", q.status.clone()),
        ("severity", q.severity.clone()),
        ("overdue", q.overdue.map(|o| o.to_string())),
        ("ordering", q.ordering.clone()),
    ]);
    let filter = FindingFilter {
        status: q.status,
        severity: q.severity,
        overdue: q.overdue,
        ordering: q.ordering,
    };
    let findings = audits::list_findings(&state.pool, &caller.actor, id, filter, page).await?;
    Ok(Json(envelope(
        &format!("{PATH}{id}/findings/"),
        &filters,
        findings,
    )))
}

async fn create_finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let finding = audits::create_finding(&state.pool, &caller.actor, id, body.0).await?;
    Ok((StatusCode::CREATED, Json(finding)))
}

async fn read_finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, finding_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        audits::get_finding(&state.pool, &caller.actor, id, finding_id).await?,
    ))
}

async fn update_finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, finding_id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        audits::update_finding(&state.pool, &caller.actor, id, finding_id, version, body.0).await?,
    ))
}

async fn delete_finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, finding_id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    audits::delete_finding(
        &state.pool,
        &caller.actor,
        id,
        finding_id,
        if_match.version(None)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct EnterpriseQuery {
    enterprise: Option<Uuid>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn overdue_findings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filters = carried(&[("enterprise", q.enterprise.map(|e| e.to_string()))]);
    let findings = audits::overdue_findings(&state.pool, &caller.actor, q.enterprise, page).await?;
    Ok(Json(envelope(
        "/api/security/findings/overdue/",
        &filters,
        findings,
    )))
}

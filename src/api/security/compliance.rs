use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{ActionBody, ApiJson, ApiPath, ApiQuery, Caller, IfMatch, ObjectBody};
use crate::api::paging::envelope;
use crate::domain::error::AppError;
use crate::domain::page::PageRequest;
use crate::domain::server::compliance::{self, ListFilter};
use crate::server::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/compliance", get(list).post(create))
        .route("/compliance/overdue", get(overdue))
        .route("/compliance/scores", get(scores))
        .route("/compliance/track-catalogue", post(track_catalogue))
        .route(
            "/compliance/{id}",
            get(read).put(update).patch(update).delete(delete),
        )
        .route("/compliance/{id}/complete", post(complete))
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    framework: Option<String>,
    status: Option<String>,
    overdue: Option<bool>,
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
        ("framework", q.framework.clone()),
        ("status", q.status.clone()),
        ("overdue", q.overdue.map(|o| o.to_string())),
        ("ordering", q.ordering.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let filter = ListFilter {
        enterprise: q.enterprise,
        framework: q.framework,
        status: q.status,
        overdue: q.overdue,
        ordering: q.ordering,
    };
    let items = compliance::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope("/api/security/compliance/", &filters, items)))
}

#[derive(Deserialize)]
pub struct EnterpriseQuery {
    enterprise: Option<Uuid>,
    page: Option<i64>,
    page_size: Option<i64>,
}

async fn overdue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let filter = ListFilter {
        enterprise: q.enterprise,
        overdue: Some(true),
        ordering: Some("deadline".into()),
        ..ListFilter::default()
    };
    let filters: Vec<(&str, String)> = q
        .enterprise
        .map(|e| ("enterprise", e.to_string()))
        .into_iter()
        .collect();
    let items = compliance::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(
        "/api/security/compliance/overdue/",
        &filters,
        items,
    )))
}

async fn scores(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    let enterprise = q
        .enterprise
        .ok_or_else(|| AppError::field("enterprise", "Name the enterprise: ?enterprise=<id>."))?;
    Ok(Json(
        compliance::scores(&state.pool, &caller.actor, enterprise).await?,
    ))
}

#[derive(Deserialize)]
pub struct TrackBody {
    enterprise_id: Uuid,
    framework: String,
}

async fn track_catalogue(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TrackBody>,
) -> ApiResult<impl IntoResponse> {
    let added = compliance::track_catalogue(
        &state.pool,
        &caller.actor,
        body.enterprise_id,
        &body.framework,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"created": added})),
    ))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let item = compliance::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(compliance::get(&state.pool, &caller.actor, id).await?))
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
        compliance::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    compliance::delete(&state.pool, &caller.actor, id, if_match.version(None)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        compliance::complete(&state.pool, &caller.actor, id, version).await?,
    ))
}

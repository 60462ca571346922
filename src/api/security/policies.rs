use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, ApiQuery, Caller, IfMatch, ObjectBody};
use crate::api::paging::envelope;
use crate::domain::page::PageRequest;
use crate::domain::server::policies::{self, ListFilter};
use crate::server::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    framework: Option<String>,
    ordering: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = PageRequest::parse(q.page, q.page_size)?;
    let mut filters = Vec::new();
    if let Some(e) = q.enterprise {
        filters.push(("enterprise", e.to_string()));
    }
    if let Some(f) = &q.framework {
        filters.push(("framework", f.clone()));
    }
    if let Some(o) = &q.ordering {
        filters.push(("ordering", o.clone()));
    }
    let filter = ListFilter {
        enterprise: q.enterprise,
        framework: q.framework,
        ordering: q.ordering,
    };
    let policies = policies::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(
        "/api/security/policies/",
        &filters,
        policies,
    )))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let policy = policies::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(policies::get(&state.pool, &caller.actor, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        policies::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    policies::delete(&state.pool, &caller.actor, id, if_match.version(None)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        policies::summary(&state.pool, &caller.actor, id).await?,
    ))
}

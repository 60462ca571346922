//! `/api/security/checklists/`: hardening checklists (SPEC §3.2), their
//! items and the sign-off. Thin: parse, call `domain::server::checklists`,
//! shape the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, ApiQuery, Caller, IfMatch, ObjectBody, OptionalBody};
use crate::api::paging::envelope;
use crate::domain::page::PageRequest;
use crate::domain::server::checklists::{self, ListFilter};
use crate::server::AppState;

const PATH: &str = "/api/security/checklists/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checklists", get(list).post(create))
        .route(
            "/checklists/{id}",
            get(get_one).put(update).patch(update).delete(delete),
        )
        .route("/checklists/{id}/items", post(add_item))
        .route(
            "/checklists/{id}/items/{item}",
            patch(update_item).delete(delete_item),
        )
        .route("/checklists/{id}/verify", post(verify))
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    system_type: Option<String>,
    status: Option<String>,
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
    for (name, value) in [
        ("system_type", &q.system_type),
        ("status", &q.status),
        ("ordering", &q.ordering),
    ] {
        if let Some(value) = value {
            filters.push((name, value.clone()));
        }
    }
    let filter = ListFilter {
        enterprise: q.enterprise,
        system_type: q.system_type,
        status: q.status,
        ordering: q.ordering,
    };
    let checklists = checklists::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(PATH, &filters, checklists)))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let checklist = checklists::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(checklist)))
}

pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(checklists::get(&state.pool, &caller.actor, id).await?))
}

/// PUT and PATCH alike: the fields given (`name`, `system_type`) change.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        checklists::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    checklists::delete(&state.pool, &caller.actor, id, if_match.version(None)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 201 with the whole checklist, so the client sees the new figures.
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    let checklist = checklists::add_item(&state.pool, &caller.actor, id, version, body.0).await?;
    Ok((StatusCode::CREATED, Json(checklist)))
}

pub async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        checklists::update_item(&state.pool, &caller.actor, id, item, version, body.0).await?,
    ))
}

/// Deleting an item answers 200 with the updated checklist rather than 204:
/// the item is gone but the checklist (its version, completion figure,
/// status and sign-off) changed, and the client needs the new version for
/// its next write.
pub async fn delete_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, item)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        checklists::delete_item(&state.pool, &caller.actor, id, item, version).await?,
    ))
}

/// `POST {id}/verify/` with an optional body `{version}` (or If-Match).
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    OptionalBody(body): OptionalBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(None)?;
    Ok(Json(
        checklists::verify(&state.pool, &caller.actor, id, version, body).await?,
    ))
}

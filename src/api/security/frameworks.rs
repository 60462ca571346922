use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;

use crate::api::error::ApiResult;
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::domain::server::frameworks;
use crate::server::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    name: Option<String>,
}

/// Reference data: any signed-in user may read it.
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        frameworks::list(&state.pool, query.name.as_deref()).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(frameworks::get(&state.pool, &id).await?))
}

pub async fn requirements(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(frameworks::requirements(&state.pool, &id).await?))
}

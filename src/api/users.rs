use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiQuery, Caller};
use super::paging::{envelope, PageQuery};
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::server::users::{self, NewUser};
use crate::domain::user::{DisplayName, Email, NewPassword};
use crate::server::AppState;

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = query.page_request()?;
    let users = users::list(&state.pool, &caller.actor, page).await?;
    Ok(Json(envelope("/api/users/", &[], users)))
}

#[derive(Deserialize)]
pub struct CreateBody {
    email: String,
    name: String,
    password: String,
    #[serde(default)]
    is_staff: bool,
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<impl IntoResponse> {
    crate::domain::server::access::require_staff(&caller.actor)?;
    let mut errors = FieldErrors::new();
    let email = Email::parse(&body.email)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let name = DisplayName::parse(&body.name)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let password = NewPassword::parse("password", &body.password)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(AppError::invalid(errors).into());
    };
    let user = users::create(
        &state.pool,
        Some(&caller.actor),
        NewUser {
            email,
            name,
            password,
            is_staff: body.is_staff,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

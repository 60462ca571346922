use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::domain::error::AppError;
use crate::domain::server::{tokens, users};
use crate::domain::user::NewPassword;
use crate::server::auth::{end_session, start_session};
use crate::server::AppState;
use axum::extract::State;

#[derive(Deserialize)]
pub struct LoginBody {
    email: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<impl IntoResponse> {
    let user = users::authenticate(&state.pool, &body.email, &body.password)
        .await?
        .ok_or_else(|| {
            AppError::new(
                crate::domain::error::ErrorCode::Unauthenticated,
                "The e-mail address or password is not correct.",
            )
        })?;
    start_session(&session, user.id).await?;
    Ok(Json(user))
}

pub async fn logout(session: Session) -> ApiResult<StatusCode> {
    end_session(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(caller: Caller) -> impl IntoResponse {
    Json(caller.user)
}

#[derive(Deserialize)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    let new_password = NewPassword::parse("new_password", &body.new_password)?;
    users::change_password(
        &state.pool,
        &caller.actor,
        &body.current_password,
        new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct TokenBody {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<impl IntoResponse> {
    let token = tokens::create(&state.pool, &caller.actor, &body.name).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(tokens::list(&state.pool, &caller.actor).await?))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&state.pool, &caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

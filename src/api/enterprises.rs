use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::error::ApiResult;
use super::extract::{ApiJson, ApiPath, Caller};
use crate::domain::enterprise::{Role, Slug};
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::server::enterprises::{self, MemberRef};
use crate::domain::user::Email;
use crate::server::AppState;

pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        enterprises::list_visible(&state.pool, &caller.actor).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        enterprises::get(&state.pool, &caller.actor, id).await?,
    ))
}

#[derive(Deserialize)]
pub struct CreateBody {
    name: String,
    slug: String,
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<impl IntoResponse> {
    crate::domain::server::access::require_staff(&caller.actor)?;
    let slug = Slug::parse(&body.slug)?;
    let enterprise =
        enterprises::create(&state.pool, Some(&caller.actor), &body.name, slug).await?;
    Ok((StatusCode::CREATED, Json(enterprise)))
}

pub async fn members(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        enterprises::members(&state.pool, &caller.actor, id).await?,
    ))
}

#[derive(Deserialize)]
pub struct AddMemberBody {
    user_id: Option<Uuid>,
    email: Option<String>,
    role: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<AddMemberBody>,
) -> ApiResult<impl IntoResponse> {
    let mut errors = FieldErrors::new();
    let role = Role::parse(&body.role)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let who = match (body.user_id, body.email.as_deref()) {
        (Some(user_id), None) => Some(MemberRef::Id(user_id)),
        (None, Some(email)) => Email::parse(email)
            .map(MemberRef::Email)
            .map_err(|e| errors.extend(e.fields))
            .ok(),
        _ => {
            errors.insert("user_id".into(), "Give either user_id or email.".into());
            None
        }
    };
    let (Some(role), Some(who)) = (role, who) else {
        return Err(AppError::invalid(errors).into());
    };
    let member = enterprises::add_member(&state.pool, &caller.actor, id, who, role).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    enterprises::remove_member(&state.pool, &caller.actor, id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

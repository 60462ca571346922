//! Extractors whose rejections speak the API's error shape: 400 for bad
//! JSON or query strings (naming the field when serde can), 413 for bodies
//! over the limit, 415 for bodies that are not JSON, 401 without a caller.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::server::Actor;
use crate::domain::user::SessionUser;
use crate::server::auth::caller;
use crate::server::AppState;

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection).into()),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with Content-Type: application/json.",
        ),
        JsonRejection::JsonDataError(error) => data_error(&error.body_text()),
        JsonRejection::JsonSyntaxError(_) => {
            AppError::new(ErrorCode::Invalid, "The request body is not valid JSON.")
        }
        JsonRejection::BytesRejection(error)
            if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::new(
                ErrorCode::PayloadTooLarge,
                "The request body is larger than 1 MiB.",
            )
        }
        _ => AppError::new(ErrorCode::Invalid, "The request body could not be read."),
    }
}

/// serde's message names the offending field as `field: message at line …`
/// or "missing field `x`"; turn that into a per-field error.
fn data_error(text: &str) -> AppError {
    let detail = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    if let Some(rest) = detail.split("missing field `").nth(1) {
        if let Some(field) = rest.split('`').next() {
            return AppError::field(field, "This field is required.");
        }
    }
    if let Some((path, message)) = detail.split_once(": ") {
        let field = path.trim();
        if !field.is_empty() && !field.contains(' ') {
            let message = message.split(" at line ").next().unwrap_or(message);
            return AppError::field(field, clean(message));
        }
    }
    let message = detail.split(" at line ").next().unwrap_or(detail);
    AppError::new(ErrorCode::Invalid, clean(message))
}

fn clean(message: &str) -> String {
    let mut text = message.trim().to_string();
    if let Some(first) = text.get(0..1) {
        text.replace_range(0..1, &first.to_uppercase());
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(error)) => {
                let text = error.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                Err(data_error(detail).into())
            }
            Err(_) => {
                Err(AppError::new(ErrorCode::Invalid, "The query string is malformed.").into())
            }
        }
    }
}

/// Path parameters; an id that does not parse names nothing that exists.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(AppError::not_found().into())
            }
            Err(_) => Err(AppError::not_found().into()),
        }
    }
}

/// The authenticated caller; 401 without one.
pub struct Caller {
    pub actor: Actor,
    pub user: SessionUser,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match caller(state, parts).await? {
            Some((actor, user)) => Ok(Caller { actor, user }),
            None => Err(AppError::unauthenticated().into()),
        }
    }
}

/// The `If-Match` header, for optimistic concurrency (see `expected_version`).
pub struct IfMatch(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch(
            parts
                .headers
                .get(axum::http::header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        ))
    }
}

impl IfMatch {
    /// The version from `If-Match`, checked against one given in the body.
    pub fn version(&self, body: Option<i32>) -> Result<Option<i32>, ApiError> {
        crate::domain::server::records::expected_version(body, self.0.as_deref())
            .map_err(ApiError::from)
    }
}

/// A JSON object body, for updates whose fields the domain parses one by one.
pub type ObjectBody = ApiJson<serde_json::Map<String, serde_json::Value>>;

/// A JSON object body that may be left out entirely (an action with nothing
/// to say but an optional version): no body → an empty object; a body is
/// read exactly like [`ObjectBody`] (415 when not JSON, 400 when malformed).
pub struct OptionalBody(pub serde_json::Map<String, serde_json::Value>);

impl<S: Send + Sync> FromRequest<S> for OptionalBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = request.headers();
        let has_body = headers.contains_key(axum::http::header::CONTENT_TYPE)
            || headers.contains_key(axum::http::header::TRANSFER_ENCODING)
            || headers
                .get(axum::http::header::CONTENT_LENGTH)
                .is_some_and(|length| length.as_bytes() != b"0");
        if !has_body {
            return Ok(OptionalBody(serde_json::Map::new()));
        }
        let ApiJson(map) = ObjectBody::from_request(request, state).await?;
        Ok(OptionalBody(map))
    }
}

/// An optional body carrying only `version`, for actions such as
/// `complete/` that clients often send without a body.
pub struct ActionBody {
    pub version: Option<i32>,
}

impl<S: Send + Sync> FromRequest<S> for ActionBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let OptionalBody(mut map) = OptionalBody::from_request(request, state).await?;
        let mut errors = crate::domain::error::FieldErrors::new();
        let version = crate::domain::server::records::body::version(&mut map, &mut errors);
        if errors.is_empty() {
            Ok(ActionBody { version })
        } else {
            Err(AppError::invalid(errors).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_is_named() {
        let error = data_error("missing field `email` at line 1 column 2");
        assert_eq!(error.fields["email"], "This field is required.");
    }

    #[test]
    fn wrong_type_is_named() {
        let error = data_error(
            "is_staff: invalid type: string \"yes\", expected a boolean at line 1 column 20",
        );
        assert_eq!(
            error.fields["is_staff"],
            "Invalid type: string \"yes\", expected a boolean."
        );
    }
}

//! `/api/security/controls/`: security controls, their verify sign-off and
//! their evidence (links, or files uploaded as multipart/form-data).

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ActionBody, ApiPath, ApiQuery, Caller, IfMatch, ObjectBody};
use crate::api::paging::envelope;
use crate::api::MAX_BODY_BYTES;
use crate::domain::error::{AppError, ErrorCode};
use crate::domain::page::PageRequest;
use crate::domain::server::controls::{
    self, ListFilter, NewEvidence, UploadedFile, MAX_EVIDENCE_FILE_BYTES,
};
use crate::server::AppState;

/// The evidence upload route takes a 10 MiB file plus the form's other
/// fields and multipart framing.
const UPLOAD_BODY_LIMIT: usize = MAX_EVIDENCE_FILE_BYTES + 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/controls", get(list).post(create))
        .route("/controls/by-framework", get(by_framework))
        .route(
            "/controls/{id}",
            get(get_one).put(update).patch(update).delete(remove),
        )
        .route("/controls/{id}/verify", post(verify))
        .route(
            "/controls/{id}/evidence",
            post(add_evidence).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/controls/{id}/evidence/{evidence_id}",
            delete(delete_evidence),
        )
        .route(
            "/controls/{id}/evidence/{evidence_id}/download",
            get(download),
        )
}

#[derive(Deserialize)]
pub struct ListQuery {
    enterprise: Option<Uuid>,
    framework: Option<String>,
    priority: Option<String>,
    status: Option<String>,
    stale: Option<bool>,
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
        ("framework", &q.framework),
        ("priority", &q.priority),
        ("status", &q.status),
        ("ordering", &q.ordering),
    ] {
        if let Some(value) = value {
            filters.push((name, value.clone()));
        }
    }
    if let Some(stale) = q.stale {
        filters.push(("stale", stale.to_string()));
    }
    let filter = ListFilter {
        enterprise: q.enterprise,
        framework: q.framework,
        priority: q.priority,
        status: q.status,
        stale: q.stale,
        ordering: q.ordering,
    };
    let controls = controls::list(&state.pool, &caller.actor, filter, page).await?;
    Ok(Json(envelope(
        "/api/security/controls/",
        &filters,
        controls,
    )))
}

#[derive(Deserialize)]
pub struct EnterpriseQuery {
    enterprise: Option<Uuid>,
}

pub async fn by_framework(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(
        controls::by_framework(&state.pool, &caller.actor, q.enterprise).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: ObjectBody,
) -> ApiResult<impl IntoResponse> {
    let control = controls::create(&state.pool, &caller.actor, body.0).await?;
    Ok((StatusCode::CREATED, Json(control)))
}

pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(controls::get(&state.pool, &caller.actor, id).await?))
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
        controls::update(&state.pool, &caller.actor, id, version, body.0).await?,
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<StatusCode> {
    let version = if_match.version(body.version)?;
    controls::delete(&state.pool, &caller.actor, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        controls::verify(&state.pool, &caller.actor, id, version).await?,
    ))
}

/// JSON {name, url, collected_on, valid_until?} or multipart/form-data with
/// name, collected_on, valid_until? and a `file` part → 201 with the
/// updated control.
pub async fn add_evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    request: Request,
) -> ApiResult<impl IntoResponse> {
    // Refuse other tenants and viewers before reading a large body.
    controls::check_writable(&state.pool, &caller.actor, id).await?;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let evidence = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|_| invalid("The multipart body is malformed."))?;
        read_multipart(multipart).await?
    } else if is_json(&content_type) {
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                AppError::new(
                    ErrorCode::PayloadTooLarge,
                    "The request body is larger than 1 MiB.",
                )
            })?;
        NewEvidence::from_json(json_object(&bytes)?)?
    } else {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send a link as JSON (Content-Type: application/json) or a file as multipart/form-data.",
        )
        .into());
    };
    let version = if_match.version(None)?;
    let control = controls::add_evidence(&state.pool, &caller.actor, id, version, evidence).await?;
    Ok((StatusCode::CREATED, Json(control)))
}

pub(crate) async fn read_multipart(mut multipart: Multipart) -> ApiResult<NewEvidence> {
    let mut evidence = NewEvidence::default();
    let mut unknown = Vec::new();
    let mut too_large = false;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if evidence.file.is_some() {
                    return Err(field_error(
                        "file",
                        "Upload one file per piece of evidence.",
                    ));
                }
                let filename = field.file_name().map(str::to_string);
                let mut data = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    // Past the limit, keep draining (the body limit bounds
                    // it) so the client reads the 413 instead of a reset.
                    if !too_large {
                        data.extend_from_slice(&chunk);
                        if data.len() > MAX_EVIDENCE_FILE_BYTES {
                            too_large = true;
                            data = Vec::new();
                        }
                    }
                }
                evidence.file = Some(UploadedFile { filename, data });
            }
            "name" | "url" | "collected_on" | "valid_until" | "version" => {
                let text = field.text().await.map_err(multipart_error)?;
                match name.as_str() {
                    "name" => evidence.name = Some(text),
                    "url" => evidence.url = Some(text),
                    "collected_on" => evidence.collected_on = Some(text),
                    "valid_until" => evidence.valid_until = Some(text),
                    _ => {
                        let text = text.trim();
                        if !text.is_empty() {
                            evidence.version = Some(text.parse::<i32>().map_err(|_| {
                                field_error("version", "Must be the record's version number.")
                            })?);
                        }
                    }
                }
            }
            _ => unknown.push(name),
        }
    }
    if too_large {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "Evidence files can be at most 10 MiB.",
        )
        .into());
    }
    if let Some(name) = unknown.into_iter().next() {
        return Err(field_error(
            if name.is_empty() { "file" } else { &name },
            "Unknown field.",
        ));
    }
    Ok(evidence)
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            "Evidence files can be at most 10 MiB.",
        )
        .into()
    } else {
        invalid("The multipart body is malformed.")
    }
}

pub async fn delete_evidence(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, evidence_id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: ActionBody,
) -> ApiResult<impl IntoResponse> {
    let version = if_match.version(body.version)?;
    Ok(Json(
        controls::delete_evidence(&state.pool, &caller.actor, id, evidence_id, version).await?,
    ))
}

/// The uploaded file, always as an attachment of its sniffed type.
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, evidence_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let file = controls::download_evidence(&state.pool, &caller.actor, id, evidence_id).await?;
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.filename))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        file.data,
    )
        .into_response())
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("The request body must be a JSON object.")),
        Err(_) => Err(invalid("The request body is not valid JSON.")),
    }
}

fn invalid(message: &str) -> ApiError {
    AppError::new(ErrorCode::Invalid, message).into()
}

fn field_error(field: &str, message: &str) -> ApiError {
    AppError::field(field, message).into()
}

/// The evidence upload form of the controls page (a plain multipart form,
/// so it works without JavaScript): same checks and domain call as the REST
/// route, answered with a redirect back to the control, carrying the error
/// in `?upload_error=` when there is one.
pub(crate) async fn upload_evidence_form(
    State(state): State<AppState>,
    axum::extract::Path((enterprise_id, control_id)): axum::extract::Path<(Uuid, Uuid)>,
    request: Request,
) -> axum::response::Response {
    use axum::response::Redirect;
    let back = |error: Option<&str>| {
        let mut url = format!("/enterprise/{enterprise_id}/controls?control={control_id}");
        if let Some(error) = error {
            url.push_str("&upload_error=");
            url.push_str(&urlencoding::encode(error));
        }
        Redirect::to(&url).into_response()
    };
    let (mut parts, body) = request.into_parts();
    let Ok(Some((actor, _))) = crate::server::auth::caller(&state, &mut parts).await else {
        return Redirect::to("/login").into_response();
    };
    if let Err(error) = controls::check_writable(&state.pool, &actor, control_id).await {
        return back(Some(&error.into_app_error().message));
    }
    let request = Request::from_parts(parts, body);
    let Ok(multipart) = Multipart::from_request(request, &state).await else {
        return back(Some("The upload could not be read."));
    };
    let evidence = match read_multipart(multipart).await {
        Ok(evidence) => evidence,
        Err(error) => return back(Some(error.message())),
    };
    match controls::add_evidence(&state.pool, &actor, control_id, None, evidence).await {
        Ok(_) => back(None),
        Err(error) => back(Some(&error.into_app_error().message)),
    }
}

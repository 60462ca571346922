//! Server functions of the controls page (`/enterprise/{id}/controls`).
//! Each resolves the caller and calls `domain::server::controls`, exactly as
//! the REST handlers do: the domain checks access, validates and writes the
//! audit trail.
//!
//! The actions take plain form fields so that every form on the page is an
//! `ActionForm` that also works without JavaScript.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::page::Paged;
use crate::domain::records::Control;
use crate::serverfn::checklists::Person;
use crate::serverfn::security::Workspace;

/// Controls per page of the list.
pub const PAGE_SIZE: i64 = 20;

/// A framework a control can be mapped to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkOption {
    pub slug: String,
    pub name: String,
}

/// Everything the controls page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlsData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// Whether to offer the forms; the domain refuses viewers' writes anyway.
    pub can_write: bool,
    pub controls: Paged<Control>,
    /// The control named by `?control=`, or why it cannot be shown.
    pub selected: Option<Result<Control, AppError>>,
    pub people: Vec<Person>,
    pub frameworks: Vec<FrameworkOption>,
}

/// The page chrome, one page of the enterprise's controls (filtered by
/// framework, status, priority and staleness) and the selected control.
#[server(prefix = "/sfn", endpoint = "load_controls_page")]
pub async fn load_controls_page(
    enterprise_id: Uuid,
    page: Option<u32>,
    framework: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    stale: Option<bool>,
    control: Option<Uuid>,
) -> Result<ControlsData, AppError> {
    use super::checklists::{can_write, people};
    use super::context::{caller_or_401, fail, state};
    use crate::domain::page::PageRequest;
    use crate::domain::server::{controls, frameworks};

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, user) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let can_write = can_write(pool, &actor, enterprise_id).await?;
    let request = PageRequest::parse(Some(i64::from(page.unwrap_or(1).max(1))), Some(PAGE_SIZE))
        .map_err(fail)?;
    let list = controls::list(
        pool,
        &actor,
        controls::ListFilter {
            enterprise: Some(enterprise_id),
            framework,
            priority,
            status,
            stale: stale.filter(|stale| *stale),
            ordering: Some("reference".into()),
        },
        request,
    )
    .await
    .map_err(fail)?;
    let selected = match control {
        None => None,
        Some(id) => Some(
            match controls::get(pool, &actor, id).await {
                // A control of another enterprise is not on this page.
                Ok(found) if found.enterprise_id != enterprise_id => {
                    Err(fail(AppError::not_found()))
                }
                Ok(found) => Ok(found),
                Err(error) => Err(fail(error)),
            }
            .map_err(|mut error| {
                if error.code == crate::domain::error::ErrorCode::NotFound {
                    error.message = "This control does not exist.".into();
                }
                error
            }),
        ),
    };
    let frameworks = frameworks::list(pool, None)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|framework| FrameworkOption {
            slug: framework.slug,
            name: framework.name,
        })
        .collect();
    let people = people(pool, &actor, enterprise_id, &user).await;
    Ok(ControlsData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        can_write,
        controls: list,
        selected,
        people,
        frameworks,
    })
}

/// Creates a control and opens it.
#[server(prefix = "/sfn", endpoint = "create_control")]
pub async fn create_control(
    enterprise_id: Uuid,
    framework: String,
    reference: String,
    title: String,
    priority: String,
    status: Option<String>,
) -> Result<Uuid, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::controls;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("enterprise_id".into(), enterprise_id.to_string().into());
    input.insert("framework".into(), framework.into());
    input.insert("reference".into(), reference.into());
    input.insert("title".into(), title.into());
    input.insert("priority".into(), priority.into());
    if let Some(status) = status.filter(|s| !s.trim().is_empty()) {
        input.insert("status".into(), status.into());
    }
    let created = controls::create(&state().pool, &actor, input)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!(
        "/enterprise/{}/controls?control={}",
        created.enterprise_id, created.id
    ));
    Ok(created.id)
}

/// Changes the status of a control as it was shown (`version`); not
/// applicable needs a justification.
#[server(prefix = "/sfn", endpoint = "set_control_status")]
pub async fn set_control_status(
    control_id: Uuid,
    version: Option<i32>,
    status: String,
    justification: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::controls;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("status".into(), status.into());
    if let Some(justification) = justification.filter(|j| !j.trim().is_empty()) {
        input.insert("justification".into(), justification.into());
    }
    controls::update(&state().pool, &actor, control_id, version, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Signs an implemented control off: records who and when.
#[server(prefix = "/sfn", endpoint = "verify_control")]
pub async fn verify_control(control_id: Uuid, version: Option<i32>) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::controls;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    controls::verify(&state().pool, &actor, control_id, version)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Adds a link as evidence of a control.
#[server(prefix = "/sfn", endpoint = "add_control_evidence_link")]
pub async fn add_control_evidence_link(
    control_id: Uuid,
    version: Option<i32>,
    name: String,
    url: String,
    collected_on: String,
    valid_until: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::controls::{self, NewEvidence};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let evidence = NewEvidence {
        name: Some(name),
        url: Some(url),
        file: None,
        collected_on: Some(collected_on),
        valid_until: valid_until.filter(|v| !v.trim().is_empty()),
        version,
    };
    controls::add_evidence(&state().pool, &actor, control_id, None, evidence)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Removes a piece of evidence.
#[server(prefix = "/sfn", endpoint = "delete_control_evidence")]
pub async fn delete_control_evidence(
    control_id: Uuid,
    evidence_id: Uuid,
    version: Option<i32>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::controls;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    controls::delete_evidence(&state().pool, &actor, control_id, evidence_id, version)
        .await
        .map_err(fail)?;
    Ok(())
}

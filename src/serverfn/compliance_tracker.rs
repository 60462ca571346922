//! Server functions of the compliance tracker page
//! (`/enterprise/{id}/compliance`). Each resolves the caller and calls
//! `domain::server::compliance`, as the REST handlers do; the forms post
//! plain fields so that they work without JavaScript too.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::page::Paged;
use crate::domain::records::{ComplianceItem, ComplianceScores};
use crate::serverfn::checklists::Person;
use crate::serverfn::security::Workspace;

/// Requirements per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// A framework as the selects offer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkOption {
    pub slug: String,
    pub name: String,
    pub version: String,
    pub requirement_count: i64,
}

/// Everything the compliance tracker page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// Whether to offer the forms; the domain refuses viewers' writes anyway.
    pub can_write: bool,
    pub scores: ComplianceScores,
    pub frameworks: Vec<FrameworkOption>,
    pub requirements: Paged<ComplianceItem>,
    pub people: Vec<Person>,
}

/// Blank form and URL values count as absent.
#[cfg(feature = "ssr")]
fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The page chrome, the scores per framework and one page of the tracked
/// requirements, filtered by framework (slug), status and overdue.
#[server(prefix = "/sfn", endpoint = "load_compliance_page")]
pub async fn load_compliance_page(
    enterprise_id: Uuid,
    framework: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    page: Option<u32>,
) -> Result<ComplianceData, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::page::PageRequest;
    use crate::domain::server::{compliance, frameworks};
    use crate::serverfn::checklists::{can_write, checkbox, people};

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, user) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let can_write = can_write(pool, &actor, enterprise_id).await?;
    let scores = compliance::scores(pool, &actor, enterprise_id)
        .await
        .map_err(fail)?;
    let frameworks = frameworks::list(pool, None)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|f| FrameworkOption {
            slug: f.slug,
            name: f.name,
            version: f.version,
            requirement_count: f.requirement_count,
        })
        .collect();
    let request = PageRequest::parse(Some(i64::from(page.unwrap_or(1).max(1))), Some(PAGE_SIZE))
        .map_err(fail)?;
    let requirements = compliance::list(
        pool,
        &actor,
        compliance::ListFilter {
            enterprise: Some(enterprise_id),
            framework: present(framework),
            status: present(status),
            overdue: checkbox(overdue.as_deref()).then_some(true),
            ordering: Some("deadline".into()),
        },
        request,
    )
    .await
    .map_err(fail)?;
    let people = people(pool, &actor, enterprise_id, &user).await;
    Ok(ComplianceData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        can_write,
        scores,
        frameworks,
        requirements,
        people,
    })
}

/// Tracks every assessable requirement of a framework's catalogue that the
/// enterprise does not track yet, then shows that framework's requirements.
#[server(prefix = "/sfn", endpoint = "track_compliance_catalogue")]
pub async fn track_compliance_catalogue(
    enterprise_id: Uuid,
    framework: String,
) -> Result<u64, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::compliance;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let Some(framework) = present(Some(framework)) else {
        return Err(fail(AppError::field("framework", "Choose a framework.")));
    };
    let added = compliance::track_catalogue(&state().pool, &actor, enterprise_id, &framework)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!(
        "/enterprise/{enterprise_id}/compliance?framework={}",
        urlencoding::encode(&framework)
    ));
    Ok(added)
}

/// Adds one requirement by hand (a catalogue reference fills in the title).
#[server(prefix = "/sfn", endpoint = "create_compliance_requirement")]
pub async fn create_compliance_requirement(
    enterprise_id: Uuid,
    framework: String,
    requirement_ref: Option<String>,
    title: Option<String>,
    deadline: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::compliance;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("enterprise_id".into(), enterprise_id.to_string().into());
    input.insert("framework".into(), framework.into());
    for (field, value) in [
        ("requirement_ref", requirement_ref),
        ("title", title),
        ("deadline", deadline),
    ] {
        if let Some(value) = present(value) {
            input.insert(field.into(), value.into());
        }
    }
    compliance::create(&state().pool, &actor, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Changes a requirement's status, deadline (blank clears it) and, when
/// the form offers it, owner (blank clears it). `version` is the one shown:
/// a change made by someone else in between is refused (409).
#[server(prefix = "/sfn", endpoint = "update_compliance_requirement")]
pub async fn update_compliance_requirement(
    requirement_id: Uuid,
    version: Option<i32>,
    status: String,
    deadline: Option<String>,
    owner_id: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::compliance;
    use serde_json::{Map, Value};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("status".into(), status.into());
    input.insert(
        "deadline".into(),
        present(deadline).map_or(Value::Null, Value::String),
    );
    if let Some(owner) = owner_id {
        input.insert(
            "owner_id".into(),
            present(Some(owner)).map_or(Value::Null, Value::String),
        );
    }
    compliance::update(&state().pool, &actor, requirement_id, version, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Marks a requirement completed (who and when are recorded); `version`,
/// when given, must be the current one.
#[server(prefix = "/sfn", endpoint = "complete_compliance_requirement")]
pub async fn complete_compliance_requirement(
    requirement_id: Uuid,
    version: Option<i32>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::compliance;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    compliance::complete(&state().pool, &actor, requirement_id, version)
        .await
        .map_err(fail)?;
    Ok(())
}

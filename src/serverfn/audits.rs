//! Server functions of the audits page (`/enterprise/{id}/audits`). Each
//! resolves the caller and calls `domain::server::audits`, exactly as the
//! REST handlers do: the domain checks access, validates, enforces the
//! workflow and writes the audit trail.
//!
//! The actions take plain form fields so that every form on the page is an
//! `ActionForm` that also works without JavaScript (see
//! [`crate::serverfn::checklists`]).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::audit::{Audit, Finding};
use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::page::Paged;
use crate::serverfn::security::Workspace;

/// Audits per page of the list.
pub const PAGE_SIZE: i64 = 20;

/// The findings shown with the selected audit (the domain's largest page).
pub const FINDINGS_PAGE_SIZE: i64 = 200;

/// A framework an audit can cover, for the checkboxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkChoice {
    pub slug: String,
    pub name: String,
}

/// The selected audit with its findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedAudit {
    pub audit: Audit,
    pub findings: Vec<Finding>,
    /// How many findings the audit has in all (more than shown when huge).
    pub findings_count: i64,
}

/// Everything the audits page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditsData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// Whether to offer the forms; the domain refuses viewers' writes anyway.
    pub can_write: bool,
    pub audits: Paged<Audit>,
    pub frameworks: Vec<FrameworkChoice>,
    /// The audit named by `?audit=`, or why it cannot be shown.
    pub selected: Option<Result<SelectedAudit, AppError>>,
}

/// The page chrome, one page of the enterprise's audits (filtered by
/// status and type) and the selected audit with its findings.
#[server(prefix = "/sfn", endpoint = "load_audits_page")]
pub async fn load_audits_page(
    enterprise_id: Uuid,
    page: Option<u32>,
    status: Option<String>,
    audit_type: Option<String>,
    audit: Option<Uuid>,
) -> Result<AuditsData, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::page::PageRequest;
    use crate::domain::server::{audits, frameworks};

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let can_write = super::checklists::can_write(pool, &actor, enterprise_id).await?;
    let request = PageRequest::parse(Some(i64::from(page.unwrap_or(1).max(1))), Some(PAGE_SIZE))
        .map_err(fail)?;
    let list = audits::list(
        pool,
        &actor,
        audits::ListFilter {
            enterprise: Some(enterprise_id),
            status,
            audit_type,
            ordering: None,
        },
        request,
    )
    .await
    .map_err(fail)?;
    let frameworks = frameworks::list(pool, None)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|framework| FrameworkChoice {
            slug: framework.slug,
            name: framework.name,
        })
        .collect();
    let selected = match audit {
        None => None,
        Some(id) => Some(
            load_selected(pool, &actor, enterprise_id, id)
                .await
                .map_err(|mut error| {
                    if error.code == crate::domain::error::ErrorCode::NotFound {
                        error.message = "This audit does not exist.".into();
                    }
                    error
                }),
        ),
    };
    Ok(AuditsData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        can_write,
        audits: list,
        frameworks,
        selected,
    })
}

#[cfg(feature = "ssr")]
async fn load_selected(
    pool: &sqlx::PgPool,
    actor: &crate::domain::server::Actor,
    enterprise_id: Uuid,
    id: Uuid,
) -> Result<SelectedAudit, AppError> {
    use super::context::fail;
    use crate::domain::page::PageRequest;
    use crate::domain::server::audits;

    let audit = audits::get(pool, actor, id).await.map_err(fail)?;
    // An audit of another enterprise is not on this page.
    if audit.enterprise_id != enterprise_id {
        return Err(fail(AppError::not_found()));
    }
    let request = PageRequest::parse(None, Some(FINDINGS_PAGE_SIZE)).map_err(fail)?;
    let findings =
        audits::list_findings(pool, actor, id, audits::FindingFilter::default(), request)
            .await
            .map_err(fail)?;
    Ok(SelectedAudit {
        audit,
        findings: findings.results,
        findings_count: findings.count,
    })
}

/// Schedules an audit and opens it.
#[server(prefix = "/sfn", endpoint = "create_audit")]
pub async fn create_audit(
    enterprise_id: Uuid,
    title: String,
    audit_type: String,
    scheduled_for: String,
    auditor: Option<String>,
    scope: Option<String>,
    frameworks: Option<Vec<String>>,
) -> Result<Uuid, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;
    use serde_json::{Map, Value};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("enterprise_id".into(), enterprise_id.to_string().into());
    input.insert("title".into(), title.into());
    input.insert("audit_type".into(), audit_type.into());
    input.insert("scheduled_for".into(), scheduled_for.into());
    if let Some(auditor) = auditor.filter(|a| !a.trim().is_empty()) {
        input.insert("auditor".into(), auditor.into());
    }
    if let Some(scope) = scope.filter(|s| !s.trim().is_empty()) {
        input.insert("scope".into(), scope.into());
    }
    input.insert(
        "frameworks".into(),
        Value::Array(
            frameworks
                .unwrap_or_default()
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
    );
    let created = audits::create(&state().pool, &actor, input)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!(
        "/enterprise/{}/audits?audit={}",
        created.enterprise_id, created.id
    ));
    Ok(created.id)
}

/// Starts the audit as it was shown (`version`): scheduled → in progress.
#[server(prefix = "/sfn", endpoint = "start_audit")]
pub async fn start_audit(audit_id: Uuid, version: Option<i32>) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    audits::start(&state().pool, &actor, audit_id, version)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Completes the audit with an optional summary: in progress → completed.
#[server(prefix = "/sfn", endpoint = "complete_audit")]
pub async fn complete_audit(
    audit_id: Uuid,
    version: Option<i32>,
    summary: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    if let Some(summary) = summary.filter(|s| !s.trim().is_empty()) {
        input.insert("summary".into(), summary.into());
    }
    audits::complete(&state().pool, &actor, audit_id, version, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Cancels the audit (scheduled or in progress).
#[server(prefix = "/sfn", endpoint = "cancel_audit")]
pub async fn cancel_audit(audit_id: Uuid, version: Option<i32>) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    audits::cancel(&state().pool, &actor, audit_id, version)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Records a finding of an audit.
#[server(prefix = "/sfn", endpoint = "add_finding")]
pub async fn add_finding(
    audit_id: Uuid,
    title: String,
    severity: String,
    remediation_plan: Option<String>,
    remediation_deadline: Option<String>,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("title".into(), title.into());
    input.insert("severity".into(), severity.into());
    if let Some(plan) = remediation_plan.filter(|p| !p.trim().is_empty()) {
        input.insert("remediation_plan".into(), plan.into());
    }
    if let Some(deadline) = remediation_deadline.filter(|d| !d.trim().is_empty()) {
        input.insert("remediation_deadline".into(), deadline.into());
    }
    audits::create_finding(&state().pool, &actor, audit_id, input)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Moves a finding, as it was shown (`version`), to another status.
#[server(prefix = "/sfn", endpoint = "set_finding_status")]
pub async fn set_finding_status(
    audit_id: Uuid,
    finding_id: Uuid,
    version: Option<i32>,
    status: String,
) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::audits;
    use serde_json::Map;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut input = Map::new();
    input.insert("status".into(), status.into());
    audits::update_finding(&state().pool, &actor, audit_id, finding_id, version, input)
        .await
        .map_err(fail)?;
    Ok(())
}

//! Server functions of the incident dialog and the incidents page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::error::AppError;
use crate::domain::incident::{Incident, IncidentEvent, IncidentStatus};

/// Everything the incident dialog shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    pub events: Vec<IncidentEvent>,
    /// The moves the shared state machine allows from the current status.
    pub allowed: Vec<IncidentStatus>,
    pub can_write: bool,
}

#[server(prefix = "/sfn", endpoint = "load_incident")]
pub async fn load_incident(incident_id: Uuid) -> Result<IncidentDetail, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::enterprise::{role_permits, Action};
    use crate::domain::incident::allowed_transitions;
    use crate::domain::server::{access, incidents};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let incident = incidents::get(pool, &actor, incident_id)
        .await
        .map_err(fail)?;
    let events = incidents::events(pool, &actor, incident_id)
        .await
        .map_err(fail)?;
    let role = access::role_in(pool, &actor, incident.enterprise_id)
        .await
        .map_err(fail)?;
    Ok(IncidentDetail {
        allowed: allowed_transitions(incident.status).to_vec(),
        can_write: role.is_some_and(|r| role_permits(r, Action::Write)),
        incident,
        events,
    })
}

/// One compare-and-set status change; a stale `version` is refused (409)
/// so that two people never silently overwrite each other.
#[server(prefix = "/sfn", endpoint = "change_incident_status")]
pub async fn change_incident_status(
    incident_id: Uuid,
    status: String,
    note: Option<String>,
    version: i32,
) -> Result<Incident, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::incidents;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let mut body = serde_json::Map::new();
    body.insert("status".into(), status.into());
    if let Some(note) = note.filter(|n| !n.trim().is_empty()) {
        body.insert("note".into(), note.into());
    }
    body.insert("version".into(), version.into());
    let request = incidents::StatusRequest::parse(body).map_err(fail)?;
    incidents::change_status(
        &state().pool,
        &actor,
        incident_id,
        request.status,
        request.note.as_deref(),
        request.version,
    )
    .await
    .map_err(fail)
}

/// A page of incidents for the incidents page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentList {
    pub count: i64,
    pub page: u32,
    pub has_next: bool,
    pub results: Vec<Incident>,
}

#[server(prefix = "/sfn", endpoint = "list_incidents")]
pub async fn list_incidents(
    enterprise_id: Uuid,
    severity: Option<String>,
    status: Option<String>,
    page: Option<i64>,
) -> Result<IncidentList, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::page::PageRequest;
    use crate::domain::server::incidents::{self, ListFilter};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let page = PageRequest::parse(page, Some(25)).map_err(fail)?;
    let filter = ListFilter {
        enterprise: Some(enterprise_id),
        severity: severity.filter(|s| !s.is_empty()),
        status: status.filter(|s| !s.is_empty()),
        ..ListFilter::default()
    };
    let listed = incidents::list(&state().pool, &actor, filter, page)
        .await
        .map_err(fail)?;
    Ok(IncidentList {
        count: listed.count,
        page: listed.page,
        has_next: listed.has_next(),
        results: listed.results,
    })
}

/// The report form. `detected_at` comes from a `datetime-local` input and
/// is read as UTC (the form says so).
#[server(prefix = "/sfn", endpoint = "report_incident")]
pub async fn report_incident(
    enterprise_id: Uuid,
    title: String,
    severity: String,
    detected_at: String,
    description: Option<String>,
    systems_affected: Option<String>,
    personal_data: Option<String>,
) -> Result<Incident, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::incidents;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let detected = chrono::NaiveDateTime::parse_from_str(detected_at.trim(), "%Y-%m-%dT%H:%M")
        .map(|naive| naive.and_utc().to_rfc3339())
        .unwrap_or(detected_at);
    let systems: Vec<String> = systems_affected
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let mut body = serde_json::json!({
        "enterprise_id": enterprise_id,
        "title": title,
        "severity": severity,
        "detected_at": detected,
        "description": description.unwrap_or_default(),
        "systems_affected": systems,
    });
    if personal_data.is_some() {
        body["data_categories"] = serde_json::json!(["personal"]);
    }
    let serde_json::Value::Object(map) = body else {
        return Err(AppError::internal());
    };
    let incident = incidents::create(&state().pool, &actor, map)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!(
        "/enterprise/{enterprise_id}/incidents?incident={}",
        incident.id
    ));
    Ok(incident)
}

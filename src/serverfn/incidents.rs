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
    let incident = incidents::get(pool, &actor, incident_id).await.map_err(fail)?;
    let events = incidents::events(pool, &actor, incident_id).await.map_err(fail)?;
    let role = access::role_in(pool, &actor, incident.enterprise_id).await.map_err(fail)?;
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

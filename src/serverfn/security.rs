use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::dashboard::{AuditsDashboard, IncidentsDashboard, Overview};
use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
use crate::domain::records::ComplianceScores;
use crate::domain::user::SessionUser;

/// What the page chrome needs: who is signed in and which enterprises they
/// can switch between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub user: SessionUser,
    pub enterprises: Vec<EnterpriseSummary>,
}

/// The signed-in user's enterprises, for `/`. With exactly one, the answer
/// is a redirect straight to its security page.
#[server(prefix = "/sfn", endpoint = "load_home")]
pub async fn load_home() -> Result<Workspace, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::enterprises;

    let (actor, user) = caller_or_401().await.map_err(fail)?;
    let enterprises = enterprises::list_visible(&state().pool, &actor)
        .await
        .map_err(fail)?;
    if let [only] = enterprises.as_slice() {
        leptos_axum::redirect(&format!("/enterprise/{}/security", only.id));
    }
    Ok(Workspace { user, enterprises })
}

/// The chrome of any enterprise page: the workspace plus that enterprise
/// (403 for non-members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterprisePage {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
}

#[server(prefix = "/sfn", endpoint = "load_security_page")]
pub async fn load_security_page(enterprise_id: Uuid) -> Result<EnterprisePage, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::enterprises;

    let (actor, user) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let enterprise = enterprises::get(pool, &actor, enterprise_id)
        .await
        .map_err(fail)?;
    let enterprises = enterprises::list_visible(pool, &actor)
        .await
        .map_err(fail)?;
    Ok(EnterprisePage {
        workspace: Workspace { user, enterprises },
        enterprise,
    })
}

/// The figures of the security overview: the four cards and the three tabs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posture {
    pub overview: Overview,
    pub compliance: ComplianceScores,
    pub incidents: IncidentsDashboard,
    pub audits: AuditsDashboard,
}

#[server(prefix = "/sfn", endpoint = "load_posture")]
pub async fn load_posture(enterprise_id: Uuid) -> Result<Posture, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::incident::RESPONSE_WINDOW_DAYS;
    use crate::domain::server::dashboard;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    Ok(Posture {
        overview: dashboard::overview(pool, &actor, enterprise_id)
            .await
            .map_err(fail)?,
        compliance: dashboard::compliance(pool, &actor, enterprise_id)
            .await
            .map_err(fail)?,
        incidents: dashboard::incidents(pool, &actor, enterprise_id, RESPONSE_WINDOW_DAYS)
            .await
            .map_err(fail)?,
        audits: dashboard::audits(pool, &actor, enterprise_id, None)
            .await
            .map_err(fail)?,
    })
}

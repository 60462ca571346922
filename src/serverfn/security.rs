use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::enterprise::EnterpriseSummary;
use crate::domain::error::AppError;
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

/// The security page of one enterprise: the chrome plus that enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityPage {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
}

#[server(prefix = "/sfn", endpoint = "load_security_page")]
pub async fn load_security_page(enterprise_id: Uuid) -> Result<SecurityPage, AppError> {
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
    Ok(SecurityPage {
        workspace: Workspace { user, enterprises },
        enterprise,
    })
}

//! Server functions of the members page (`/enterprise/{id}/members`). Each
//! resolves the caller and calls `domain::server::enterprises`, which lets
//! only the enterprise's admins and staff list and change members.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::enterprise::{EnterpriseSummary, Member};
use crate::domain::error::AppError;
use crate::serverfn::security::Workspace;

/// Everything the members page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembersData {
    pub workspace: Workspace,
    pub enterprise: EnterpriseSummary,
    /// The members, or why the caller may not see them (403 for non-admins).
    pub members: Result<Vec<Member>, AppError>,
}

/// The page chrome and the enterprise's members.
#[server(prefix = "/sfn", endpoint = "load_members_page")]
pub async fn load_members_page(enterprise_id: Uuid) -> Result<MembersData, AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::enterprises;

    let chrome = super::security::load_security_page(enterprise_id).await?;
    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let members = enterprises::members(&state().pool, &actor, enterprise_id)
        .await
        .map_err(fail);
    Ok(MembersData {
        workspace: chrome.workspace,
        enterprise: chrome.enterprise,
        members,
    })
}

/// Adds the user with this e-mail address as a direct member.
#[server(prefix = "/sfn", endpoint = "add_member")]
pub async fn add_member(enterprise_id: Uuid, email: String, role: String) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::enterprise::Role;
    use crate::domain::server::enterprises::{self, MemberRef};
    use crate::domain::user::Email;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let email = Email::parse(email.trim()).map_err(fail)?;
    let role = Role::parse(role.trim()).map_err(fail)?;
    enterprises::add_member(
        &state().pool,
        &actor,
        enterprise_id,
        MemberRef::Email(email),
        role,
    )
    .await
    .map_err(fail)?;
    Ok(())
}

/// Removes a direct member (the domain keeps the last admin).
#[server(prefix = "/sfn", endpoint = "remove_member")]
pub async fn remove_member(enterprise_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::enterprises;

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    enterprises::remove_member(&state().pool, &actor, enterprise_id, user_id)
        .await
        .map_err(fail)?;
    Ok(())
}

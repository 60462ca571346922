//! The single gate: may this actor do this action in this enterprise?
//! Pages, server functions and REST handlers all ask here.

use sqlx::PgExecutor;
use uuid::Uuid;

use super::error::DomainResult;
use crate::domain::enterprise::{role_permits, Action, Role};
use crate::domain::error::AppError;

/// Who is acting, and from where: carried into every write's audit row.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub is_staff: bool,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// The role an actor holds in an enterprise: staff count as admins of every
/// existing enterprise; others hold the highest of their direct and team
/// roles; `None` when they hold none (or the enterprise does not exist).
pub async fn role_in<'e>(
    db: impl PgExecutor<'e>,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<Option<Role>> {
    let role = sqlx::query_scalar!(
        r#"
        SELECT CASE WHEN $3 THEN 'admin'::member_role
                    ELSE (SELECT r.role FROM effective_roles r WHERE r.enterprise_id = e.id AND r.user_id = $2)
               END AS "role: Role"
          FROM enterprises e
         WHERE e.id = $1
        "#,
        enterprise_id,
        actor.user_id,
        actor.is_staff,
    )
    .fetch_optional(db)
    .await?;
    Ok(role.flatten())
}

/// For a request that names an enterprise (`?enterprise=`, `/enterprises/{id}`):
/// no role there → 403. Staff see every enterprise, so for them a missing
/// one is a plain 404.
pub async fn authorize<'e>(
    db: impl PgExecutor<'e>,
    actor: &Actor,
    enterprise_id: Uuid,
    action: Action,
) -> DomainResult<Role> {
    match role_in(db, actor, enterprise_id).await? {
        Some(role) if role_permits(role, action) => Ok(role),
        None if actor.is_staff => Err(AppError::not_found().into()),
        _ => Err(AppError::forbidden().into()),
    }
}

/// For a request that names a record: a record of an enterprise the actor
/// cannot see is answered exactly like a record that does not exist (404);
/// a visible record the actor may not change → 403.
pub async fn authorize_record<'e>(
    db: impl PgExecutor<'e>,
    actor: &Actor,
    enterprise_id: Uuid,
    action: Action,
) -> DomainResult<Role> {
    match role_in(db, actor, enterprise_id).await? {
        None => Err(AppError::not_found().into()),
        Some(role) if role_permits(role, action) => Ok(role),
        Some(_) => Err(AppError::forbidden().into()),
    }
}

/// Staff-only operations (user management, creating enterprises).
pub fn require_staff(actor: &Actor) -> DomainResult<()> {
    if actor.is_staff {
        Ok(())
    } else {
        Err(AppError::forbidden().into())
    }
}

/// Whether a user (not necessarily the actor) can see an enterprise: staff,
/// or a direct or team member. Used to check owners and assignees.
pub async fn user_has_access<'e>(
    db: impl PgExecutor<'e>,
    user_id: Uuid,
    enterprise_id: Uuid,
) -> DomainResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"
        SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.is_active AND (
                   u.is_staff
                OR EXISTS (SELECT 1 FROM effective_roles r WHERE r.user_id = u.id AND r.enterprise_id = $2))) AS "ok!"
        "#,
        user_id,
        enterprise_id,
    )
    .fetch_one(db)
    .await?)
}

/// An owner or assignee must be able to see the enterprise (400 naming
/// `owner_id` otherwise).
pub async fn check_owner<'e>(
    db: impl PgExecutor<'e>,
    owner_id: Uuid,
    enterprise_id: Uuid,
) -> DomainResult<()> {
    if user_has_access(db, owner_id, enterprise_id).await? {
        Ok(())
    } else {
        Err(AppError::field("owner_id", "The owner must be a member of this enterprise.").into())
    }
}

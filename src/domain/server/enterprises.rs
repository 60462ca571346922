//! Enterprises and their members.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::access::{authorize, require_staff, Actor};
use super::audit::{self, Entry};
use super::error::{is_unique_violation, DomainError, DomainResult};
use crate::domain::enterprise::{Action, EnterpriseSummary, Member, Role, Slug};
use crate::domain::error::AppError;
use crate::domain::user::Email;

/// The enterprises the actor can see: every one for staff, else those with a
/// direct or team membership.
pub async fn list_visible(pool: &PgPool, actor: &Actor) -> DomainResult<Vec<EnterpriseSummary>> {
    let rows = sqlx::query_as!(
        EnterpriseSummary,
        r#"
        SELECT e.id, e.name, e.slug, e.created_at AS "created_at: DateTime<Utc>", r.role AS "role?: Role"
          FROM enterprises e
          LEFT JOIN effective_roles r ON r.enterprise_id = e.id AND r.user_id = $1
         WHERE $2 OR r.role IS NOT NULL
         ORDER BY e.name
        "#,
        actor.user_id,
        actor.is_staff,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// One enterprise the actor may read (403 when they are not a member).
pub async fn get(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<EnterpriseSummary> {
    authorize(pool, actor, enterprise_id, Action::Read).await?;
    list_visible(pool, actor)
        .await?
        .into_iter()
        .find(|e| e.id == enterprise_id)
        .ok_or_else(|| AppError::not_found().into())
}

pub async fn create(
    pool: &PgPool,
    actor: Option<&Actor>,
    name: &str,
    slug: Slug,
) -> DomainResult<EnterpriseSummary> {
    if let Some(actor) = actor {
        require_staff(actor)?;
    }
    let name = parse_name(name)?;
    let mut tx = pool.begin().await?;
    let enterprise = sqlx::query_as!(
        EnterpriseSummary,
        r#"
        INSERT INTO enterprises (id, name, slug, created_by) VALUES ($1, $2, $3, $4)
        RETURNING id, name, slug, created_at AS "created_at: DateTime<Utc>", NULL::member_role AS "role?: Role"
        "#,
        Uuid::now_v7(),
        name,
        slug.as_str(),
        actor.map(|a| a.user_id),
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "enterprises_slug_key") {
            AppError::field("slug", "An enterprise with this slug already exists.").into()
        } else {
            DomainError::from(e)
        }
    })?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            enterprise_id: Some(enterprise.id),
            entity_type: "enterprise",
            entity_id: enterprise.id.to_string(),
            action: "create",
            changes: audit::created(&json!({"name": enterprise.name, "slug": enterprise.slug})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(enterprise)
}

fn parse_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(AppError::field("name", "Enter a name.")),
        1..=200 => Ok(name.to_string()),
        _ => Err(AppError::field("name", "Use at most 200 characters.")),
    }
}

/// Members of an enterprise, direct or through teams (admins and staff).
pub async fn members(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<Vec<Member>> {
    authorize(pool, actor, enterprise_id, Action::Administer).await?;
    Ok(member_rows(pool, enterprise_id, None).await?)
}

async fn member_rows(
    pool: &PgPool,
    enterprise_id: Uuid,
    only_user: Option<Uuid>,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as!(
        Member,
        r#"
        SELECT u.id AS user_id, u.email, u.name,
               m.role AS "role?: Role",
               r.role AS "effective_role!: Role"
          FROM effective_roles r
          JOIN users u ON u.id = r.user_id
          LEFT JOIN memberships m ON m.user_id = u.id AND m.enterprise_id = $1
         WHERE r.enterprise_id = $1
           AND ($2::uuid IS NULL OR u.id = $2)
         ORDER BY u.name, u.email
        "#,
        enterprise_id,
        only_user,
    )
    .fetch_all(pool)
    .await
}

/// Who to add: an existing user by id or by e-mail.
pub enum MemberRef {
    Id(Uuid),
    Email(Email),
}

/// Adds a direct member (admins and staff). Adding someone who is already a
/// direct member → 409.
pub async fn add_member(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
    who: MemberRef,
    role: Role,
) -> DomainResult<Member> {
    authorize(pool, actor, enterprise_id, Action::Administer).await?;
    let user_id = match who {
        MemberRef::Id(id) => sqlx::query_scalar!("SELECT id FROM users WHERE id = $1", id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::field("user_id", "No user has this id."))?,
        MemberRef::Email(email) => {
            sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", email.as_str())
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| AppError::field("email", "No user has this e-mail address."))?
        }
    };
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query!(
        "INSERT INTO memberships (enterprise_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        enterprise_id,
        user_id,
        role as Role,
    )
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::conflict("This user is already a member of the enterprise.").into());
    }
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(enterprise_id),
            entity_type: "membership",
            entity_id: user_id.to_string(),
            action: "create",
            changes: audit::created(&json!({"user_id": user_id, "role": role})),
        },
    )
    .await?;
    tx.commit().await?;
    member_rows(pool, enterprise_id, Some(user_id))
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal("membership vanished after insert".into()))
}

/// Removes a direct membership (admins and staff). The last admin cannot be
/// removed: an enterprise nobody can administer is a support ticket.
pub async fn remove_member(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    authorize(pool, actor, enterprise_id, Action::Administer).await?;
    let mut tx = pool.begin().await?;
    // Lock the enterprise's memberships so two removals cannot both pass the
    // last-admin check.
    let roles = sqlx::query!(
        r#"SELECT user_id, role AS "role: Role" FROM memberships WHERE enterprise_id = $1 FOR UPDATE"#,
        enterprise_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let Some(target) = roles.iter().find(|r| r.user_id == user_id) else {
        return Err(AppError::not_found().into());
    };
    let admins = roles.iter().filter(|r| r.role == Role::Admin).count();
    if target.role == Role::Admin && admins == 1 {
        return Err(
            AppError::conflict("The last admin of an enterprise cannot be removed.").into(),
        );
    }
    let role = target.role;
    sqlx::query!(
        "DELETE FROM memberships WHERE enterprise_id = $1 AND user_id = $2",
        enterprise_id,
        user_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(enterprise_id),
            entity_type: "membership",
            entity_id: user_id.to_string(),
            action: "delete",
            changes: json!({"role": {"before": role, "after": null}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the enterprise if its slug is new; for the CLI.
pub async fn ensure_for_cli(pool: &PgPool, name: &str, slug: &str) -> DomainResult<Uuid> {
    if let Some(id) = sqlx::query_scalar!("SELECT id FROM enterprises WHERE slug = $1", slug)
        .fetch_optional(pool)
        .await?
    {
        return Ok(id);
    }
    Ok(create(pool, None, name, Slug::parse(slug)?).await?.id)
}

/// Sets a direct membership's role; for the CLI.
pub async fn set_membership_for_cli(
    pool: &PgPool,
    enterprise_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> DomainResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        r#"INSERT INTO memberships (enterprise_id, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (enterprise_id, user_id) DO UPDATE SET role = EXCLUDED.role"#,
        enterprise_id,
        user_id,
        role as Role,
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        None,
        Entry {
            enterprise_id: Some(enterprise_id),
            entity_type: "membership",
            entity_id: user_id.to_string(),
            action: "cli_set_role",
            changes: json!({"role": {"before": null, "after": role}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Users: sign-in, the signed-in user, staff user management, passwords.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::access::{require_staff, Actor};
use super::audit::{self, Entry};
use super::error::{is_unique_violation, DomainResult};
use super::passwords;
use crate::domain::error::AppError;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::user::{DisplayName, Email, NewPassword, SessionUser, UserRecord};

/// Checks an e-mail and password; `None` for any failure (unknown user,
/// wrong password, deactivated) so the caller cannot tell which.
pub async fn authenticate(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> DomainResult<Option<SessionUser>> {
    let Ok(email) = Email::parse(email) else {
        passwords::verify(password.to_string(), None).await?;
        return Ok(None);
    };
    let row = sqlx::query!(
        "SELECT id, email, name, is_staff, is_active, password_hash FROM users WHERE email = $1",
        email.as_str()
    )
    .fetch_optional(pool)
    .await?;
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let matches = passwords::verify(password.to_string(), stored).await?;
    match row {
        Some(r) if matches && r.is_active => {
            sqlx::query!("UPDATE users SET last_login_at = now() WHERE id = $1", r.id)
                .execute(pool)
                .await?;
            Ok(Some(SessionUser {
                id: r.id,
                email: r.email,
                name: r.name,
                is_staff: r.is_staff,
            }))
        }
        _ => Ok(None),
    }
}

/// The active user behind a session or token.
pub async fn active_user(pool: &PgPool, user_id: Uuid) -> DomainResult<Option<SessionUser>> {
    let user = sqlx::query_as!(
        SessionUser,
        "SELECT id, email, name, is_staff FROM users WHERE id = $1 AND is_active",
        user_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(user)
}

pub struct NewUser {
    pub email: Email,
    pub name: DisplayName,
    pub password: NewPassword,
    pub is_staff: bool,
}

/// Creates a user. `actor` is `None` only for the CLI's bootstrap commands.
pub async fn create(
    pool: &PgPool,
    actor: Option<&Actor>,
    new: NewUser,
) -> DomainResult<UserRecord> {
    if let Some(actor) = actor {
        require_staff(actor)?;
    }
    let hash = passwords::hash(new.password.expose().to_string()).await?;
    let mut tx = pool.begin().await?;
    let user = sqlx::query_as!(
        UserRecord,
        r#"
        INSERT INTO users (id, email, name, password_hash, is_staff)
        VALUES ($1, $2, $3, $4, $5)
        RETURNING id, email, name, is_staff, is_active, created_at AS "created_at: DateTime<Utc>", last_login_at AS "last_login_at: DateTime<Utc>"
        "#,
        Uuid::now_v7(),
        new.email.as_str(),
        new.name.as_str(),
        hash,
        new.is_staff,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "users_email_key") {
            AppError::field("email", "A user with this e-mail address already exists.").into()
        } else {
            super::DomainError::from(e)
        }
    })?;
    audit::record(
        &mut tx,
        actor,
        Entry {
            enterprise_id: None,
            entity_type: "user",
            entity_id: user.id.to_string(),
            action: "create",
            changes: audit::created(&json!({
                "email": user.email, "name": user.name, "is_staff": user.is_staff
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Paged<UserRecord>> {
    require_staff(actor)?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(pool)
        .await?;
    let users = sqlx::query_as!(
        UserRecord,
        r#"
        SELECT id, email, name, is_staff, is_active, created_at AS "created_at: DateTime<Utc>", last_login_at AS "last_login_at: DateTime<Utc>"
          FROM users ORDER BY email LIMIT $1 OFFSET $2
        "#,
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    Ok(Paged::new(page, count, users))
}

/// A user changes their own password, proving they know the current one.
pub async fn change_password(
    pool: &PgPool,
    actor: &Actor,
    current_password: &str,
    new_password: NewPassword,
) -> DomainResult<()> {
    let stored = sqlx::query_scalar!(
        "SELECT password_hash FROM users WHERE id = $1",
        actor.user_id
    )
    .fetch_optional(pool)
    .await?;
    if stored.is_none() || !passwords::verify(current_password.to_string(), stored).await? {
        return Err(
            AppError::field("current_password", "The current password is not correct.").into(),
        );
    }
    if current_password == new_password.expose() {
        return Err(AppError::field(
            "new_password",
            "Choose a password different from the current one.",
        )
        .into());
    }
    let hash = passwords::hash(new_password.expose().to_string()).await?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        actor.user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: None,
            entity_type: "user",
            entity_id: actor.user_id.to_string(),
            action: "change_password",
            changes: json!({"password": {"before": "[redacted]", "after": "[redacted]"}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the user or, when the e-mail exists, resets its name, password
/// and staff flag. For the CLI (`create-admin`, `seed-demo`), never the web.
pub async fn upsert_for_cli(pool: &PgPool, new: NewUser) -> DomainResult<Uuid> {
    let hash = passwords::hash(new.password.expose().to_string()).await?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"
        INSERT INTO users (id, email, name, password_hash, is_staff)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (email) DO UPDATE
           SET name = EXCLUDED.name, password_hash = EXCLUDED.password_hash,
               is_staff = EXCLUDED.is_staff, is_active = true
        RETURNING id
        "#,
        Uuid::now_v7(),
        new.email.as_str(),
        new.name.as_str(),
        hash,
        new.is_staff,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        None,
        Entry {
            enterprise_id: None,
            entity_type: "user",
            entity_id: id.to_string(),
            action: "cli_upsert",
            changes: json!({"email": {"before": null, "after": new.email.as_str()},
                            "is_staff": {"before": null, "after": new.is_staff}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

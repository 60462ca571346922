//! API tokens: 256 random bits shown once, stored as SHA-256.

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::access::Actor;
use super::audit::{self, Entry};
use super::error::DomainResult;
use crate::domain::error::AppError;

/// Tokens carry a prefix so that secret scanners can recognise them.
const PREFIX: &str = "rmp_";

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    pub token: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn parse_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(AppError::field(
            "name",
            "Name the token (for example the script that uses it).",
        )),
        1..=100 => Ok(name.to_string()),
        _ => Err(AppError::field("name", "Use at most 100 characters.")),
    }
}

pub async fn create(pool: &PgPool, actor: &Actor, name: &str) -> DomainResult<CreatedToken> {
    let name = parse_name(name)?;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = format!("{PREFIX}{}", hex::encode(secret));
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "INSERT INTO api_tokens (id, user_id, name, token_hash) VALUES ($1, $2, $3, $4) RETURNING id, created_at AS \"created_at: DateTime<Utc>\"",
        Uuid::now_v7(),
        actor.user_id,
        name,
        digest(&token),
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: None,
            entity_type: "api_token",
            entity_id: row.id.to_string(),
            action: "create",
            changes: audit::created(&json!({"name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        id: row.id,
        name,
        token,
        created_at: row.created_at,
    })
}

pub async fn list(pool: &PgPool, actor: &Actor) -> DomainResult<Vec<TokenInfo>> {
    Ok(sqlx::query_as!(
        TokenInfo,
        r#"SELECT id, name, created_at AS "created_at: DateTime<Utc>", last_used_at AS "last_used_at: DateTime<Utc>", revoked_at AS "revoked_at: DateTime<Utc>" FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC"#,
        actor.user_id
    )
    .fetch_all(pool)
    .await?)
}

/// Revokes one of the actor's own tokens; anyone else's is 404.
pub async fn revoke(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<()> {
    let mut tx = pool.begin().await?;
    let revoked = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        id,
        actor.user_id
    )
    .execute(&mut *tx)
    .await?;
    if revoked.rows_affected() == 0 {
        return Err(AppError::not_found().into());
    }
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: None,
            entity_type: "api_token",
            entity_id: id.to_string(),
            action: "revoke",
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The owner of a live token, recording its use.
pub async fn resolve(pool: &PgPool, token: &str) -> DomainResult<Option<Uuid>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    Ok(sqlx::query_scalar!(
        r#"UPDATE api_tokens t SET last_used_at = now()
             FROM users u
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND u.is_active
        RETURNING t.user_id"#,
        digest(token)
    )
    .fetch_optional(pool)
    .await?)
}

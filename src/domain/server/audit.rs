//! The append-only audit trail. Every write calls `record` inside the same
//! transaction as the change, so the row exists exactly when the change does.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, Actor};
use super::error::DomainResult;
use crate::domain::enterprise::Action;
use crate::domain::error::AppError;
use crate::domain::page::{PageRequest, Paged};
use crate::domain::records::AuditLogEntry;

pub struct Entry<'a> {
    pub enterprise_id: Option<Uuid>,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    /// `{"field": {"before": …, "after": …}}` for the fields that changed.
    pub changes: Value,
}

pub async fn record(
    conn: &mut PgConnection,
    actor: Option<&Actor>,
    entry: Entry<'_>,
) -> DomainResult<()> {
    sqlx::query!(
        r#"
        INSERT INTO audit_log (actor_id, enterprise_id, entity_type, entity_id, action,
                               changes, request_id, client_ip)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        actor.map(|a| a.user_id),
        entry.enterprise_id,
        entry.entity_type,
        entry.entity_id,
        entry.action,
        entry.changes,
        actor.and_then(|a| a.request_id.clone()),
        actor.and_then(|a| a.client_ip.clone()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The before/after of every top-level field whose value differs between two
/// serialisations of a record. Secrets must be left out of both sides.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for (field, new) in after {
        let old = before.get(field).unwrap_or(&Value::Null);
        if old != new && !matches!(field.as_str(), "updated_at" | "version") {
            changes.insert(
                field.clone(),
                serde_json::json!({"before": old, "after": new}),
            );
        }
    }
    for (field, old) in before {
        if !after.contains_key(field) {
            changes.insert(
                field.clone(),
                serde_json::json!({"before": old, "after": null}),
            );
        }
    }
    Value::Object(changes)
}

/// A creation: every field as `after`.
pub fn created(after: &Value) -> Value {
    diff(&Value::Object(Map::new()), after)
}

/// What the audit-trail list can be narrowed to.
#[derive(Default)]
pub struct LogFilter {
    pub enterprise: Option<Uuid>,
    pub entity_type: Option<String>,
    pub actor: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The audit trail, newest first: enterprise admins read their enterprise's,
/// staff read everything (and may leave the enterprise out).
pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: LogFilter,
    page: PageRequest,
) -> DomainResult<Paged<AuditLogEntry>> {
    let scope = match filter.enterprise {
        Some(id) => {
            authorize(pool, actor, id, Action::Administer).await?;
            Some(id)
        }
        None if actor.is_staff => None,
        None => {
            return Err(
                AppError::field("enterprise", "Name the enterprise: ?enterprise=<id>.").into(),
            )
        }
    };
    let rows = sqlx::query_as!(
        AuditLogEntry,
        r#"
        SELECT id, at AS "at: DateTime<Utc>", actor_id, enterprise_id, entity_type, entity_id, action, changes,
               request_id, client_ip
          FROM audit_log
         WHERE ($1::uuid IS NULL OR enterprise_id = $1)
           AND ($2::text IS NULL OR entity_type = $2)
           AND ($3::uuid IS NULL OR actor_id = $3)
           AND ($4::timestamptz IS NULL OR at >= $4)
           AND ($5::timestamptz IS NULL OR at < $5)
         ORDER BY at DESC, id DESC
         LIMIT $6 OFFSET $7
        "#,
        scope,
        filter.entity_type,
        filter.actor,
        filter.since as _,
        filter.until as _,
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM audit_log
         WHERE ($1::uuid IS NULL OR enterprise_id = $1)
           AND ($2::text IS NULL OR entity_type = $2)
           AND ($3::uuid IS NULL OR actor_id = $3)
           AND ($4::timestamptz IS NULL OR at >= $4)
           AND ($5::timestamptz IS NULL OR at < $5)
        "#,
        scope,
        filter.entity_type,
        filter.actor,
        filter.since as _,
        filter.until as _,
    )
    .fetch_one(pool)
    .await?;
    Ok(Paged::new(page, count, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_keeps_only_changed_fields() {
        let changes = diff(
            &json!({"a": 1, "b": "x", "updated_at": "t1", "version": 1}),
            &json!({"a": 2, "b": "x", "updated_at": "t2", "version": 2}),
        );
        assert_eq!(changes, json!({"a": {"before": 1, "after": 2}}));
    }

    #[test]
    fn created_lists_all_fields() {
        assert_eq!(
            created(&json!({"name": "n"})),
            json!({"name": {"before": null, "after": "n"}})
        );
    }
}

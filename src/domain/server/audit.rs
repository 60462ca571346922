//! The append-only audit trail. Every write calls `record` inside the same
//! transaction as the change, so the row exists exactly when the change does.

use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use super::access::Actor;
use super::error::DomainResult;

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

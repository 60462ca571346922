//! The security policy: one per enterprise, managed by its admins.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self, Entry};
use super::error::{is_unique_violation, DomainError, DomainResult};
use super::frameworks::resolve;
use super::records::{body, check_version, list_scope};
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::page::{Ordering, PageRequest, Paged};
use crate::domain::policy::PolicySettings;
use crate::domain::policy_rules::{compliance_summary, ComplianceSummary};
use crate::domain::records::Policy;

struct Row {
    id: Uuid,
    enterprise_id: Uuid,
    settings: Value,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    frameworks: Vec<String>,
    framework_ids: Vec<Uuid>,
}

impl Row {
    fn into_policy(self) -> DomainResult<Policy> {
        let settings: PolicySettings = serde_json::from_value(self.settings).map_err(|e| {
            DomainError::Internal(format!("stored policy {} unreadable: {e}", self.id))
        })?;
        Ok(Policy {
            id: self.id,
            enterprise_id: self.enterprise_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            frameworks: self.frameworks,
            framework_ids: self.framework_ids,
            settings,
        })
    }
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> DomainResult<Option<Policy>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM security_policies WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query_as!(
        Row,
        r#"
        SELECT p.id, p.enterprise_id, p.settings, p.version,
               p.created_at AS "created_at: DateTime<Utc>", p.updated_at AS "updated_at: DateTime<Utc>", p.created_by,
               COALESCE(array_agg(f.slug ORDER BY f.slug) FILTER (WHERE f.id IS NOT NULL), '{}') AS "frameworks!",
               COALESCE(array_agg(f.id ORDER BY f.slug) FILTER (WHERE f.id IS NOT NULL), '{}') AS "framework_ids!"
          FROM security_policies p
          LEFT JOIN policy_frameworks pf ON pf.policy_id = p.id
          LEFT JOIN frameworks f ON f.id = pf.framework_id
         WHERE p.id = $1
         GROUP BY p.id
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Row::into_policy).transpose()
}

/// One policy the actor may read (404 otherwise, including other tenants').
pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Policy> {
    let mut conn = pool.acquire().await?;
    let policy = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, policy.enterprise_id, Action::Read).await?;
    Ok(policy)
}

pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    /// Only policies committing to this framework (id or slug).
    pub framework: Option<String>,
    /// `created_at` or `updated_at`, `-` for descending.
    pub ordering: Option<String>,
}

pub const ORDERING_FIELDS: &[&str] = &["created_at", "updated_at"];

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<Policy>> {
    let ordering = Ordering::parse(filter.ordering.as_deref(), ORDERING_FIELDS, "-created_at")?;
    let scope = list_scope(pool, actor, filter.enterprise).await?;
    let framework = match filter.framework.as_deref() {
        Some(reference) => Some(
            resolve(
                pool,
                std::slice::from_ref(&reference.to_string()),
                "framework",
            )
            .await?[0]
                .0,
        ),
        None => None,
    };
    let rows = sqlx::query_as!(
        Row,
        r#"
        SELECT p.id, p.enterprise_id, p.settings, p.version,
               p.created_at AS "created_at: DateTime<Utc>", p.updated_at AS "updated_at: DateTime<Utc>", p.created_by,
               COALESCE(array_agg(f.slug ORDER BY f.slug) FILTER (WHERE f.id IS NOT NULL), '{}') AS "frameworks!",
               COALESCE(array_agg(f.id ORDER BY f.slug) FILTER (WHERE f.id IS NOT NULL), '{}') AS "framework_ids!"
          FROM security_policies p
          LEFT JOIN policy_frameworks pf ON pf.policy_id = p.id
          LEFT JOIN frameworks f ON f.id = pf.framework_id
         WHERE ($1::uuid IS NULL OR p.enterprise_id = $1)
           AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM policy_frameworks x WHERE x.policy_id = p.id AND x.framework_id = $2))
         GROUP BY p.id
         ORDER BY
           CASE WHEN $5 = 'created_at' THEN p.created_at END ASC,
           CASE WHEN $5 = 'updated_at' THEN p.updated_at END ASC,
           CASE WHEN $5 = '-updated_at' THEN p.updated_at END DESC,
           p.created_at DESC, p.id
         LIMIT $3 OFFSET $4
        "#,
        scope,
        framework,
        page.limit(),
        page.offset(),
        ordering.key(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM security_policies p
            WHERE ($1::uuid IS NULL OR p.enterprise_id = $1)
              AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM policy_frameworks x WHERE x.policy_id = p.id AND x.framework_id = $2))"#,
        scope,
        framework,
    )
    .fetch_one(pool)
    .await?;
    let policies = rows
        .into_iter()
        .map(Row::into_policy)
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Paged::new(page, count, policies))
}

/// Creates the enterprise's policy from the defaults plus the given
/// settings (admins). A second policy for the same enterprise → 409.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<Policy> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["version", "framework_ids"]);
    let enterprise_id = body::uuid(&mut input, "enterprise_id", &mut errors);
    let frameworks = body::strings(&mut input, "frameworks", &mut errors).unwrap_or_default();
    if enterprise_id.is_none() && !errors.contains_key("enterprise_id") {
        errors.insert("enterprise_id".into(), "This field is required.".into());
    }
    let settings = PolicySettings::default()
        .apply(&input)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let (Some(enterprise_id), Some(settings)) = (enterprise_id, settings) else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    authorize(pool, actor, enterprise_id, Action::Administer).await?;
    let framework_ids: Vec<Uuid> = resolve(pool, &frameworks, "frameworks")
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();

    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO security_policies (id, enterprise_id, settings, created_by) VALUES ($1, $2, $3, $4)",
        id,
        enterprise_id,
        serde_json::to_value(&settings).map_err(|e| DomainError::Internal(e.to_string()))?,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "security_policies_enterprise_id_key") {
            AppError::conflict("This enterprise already has a security policy; update it instead.").into()
        } else {
            DomainError::from(e)
        }
    })?;
    set_frameworks(&mut tx, id, &framework_ids).await?;
    let policy = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("policy vanished".into()))?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(enterprise_id),
            entity_type: "security_policy",
            entity_id: id.to_string(),
            action: "create",
            changes: audit::created(&to_json(&policy)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(policy)
}

/// Changes the given settings and/or the framework commitments (admins).
/// `expected_version` guards against lost updates.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Policy> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["enterprise_id", "framework_ids"]);
    let body_version = body::version(&mut input, &mut errors);
    let frameworks = body::strings(&mut input, "frameworks", &mut errors);
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Administer).await?;
    let settings = current
        .settings
        .apply(&input)
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let Some(settings) = settings.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    check_version(expected_version.or(body_version), current.version, &current)?;
    let framework_ids = match frameworks {
        Some(refs) => Some(
            resolve(pool, &refs, "frameworks")
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    sqlx::query!(
        "UPDATE security_policies SET settings = $2, version = version + 1, updated_at = now() WHERE id = $1",
        id,
        serde_json::to_value(&settings).map_err(|e| DomainError::Internal(e.to_string()))?,
    )
    .execute(&mut *tx)
    .await?;
    if let Some(framework_ids) = framework_ids {
        sqlx::query!("DELETE FROM policy_frameworks WHERE policy_id = $1", id)
            .execute(&mut *tx)
            .await?;
        set_frameworks(&mut tx, id, &framework_ids).await?;
    }
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("policy vanished".into()))?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(updated.enterprise_id),
            entity_type: "security_policy",
            entity_id: id.to_string(),
            action: "update",
            changes: audit::diff(&to_json(&current), &to_json(&updated)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<()> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Administer).await?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!("DELETE FROM security_policies WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(current.enterprise_id),
            entity_type: "security_policy",
            entity_id: id.to_string(),
            action: "delete",
            changes: audit::diff(&to_json(&current), &Value::Object(Map::new())),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every baseline rule of the committed frameworks, pass or fail.
pub async fn summary(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<ComplianceSummary> {
    let policy = get(pool, actor, id).await?;
    let slugs: Vec<&str> = policy.frameworks.iter().map(String::as_str).collect();
    Ok(compliance_summary(&policy.settings, &slugs))
}

/// The policy of an enterprise, if it has one (for the overview).
pub async fn of_enterprise(pool: &PgPool, enterprise_id: Uuid) -> DomainResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM security_policies WHERE enterprise_id = $1",
        enterprise_id
    )
    .fetch_optional(pool)
    .await?)
}

async fn set_frameworks(
    conn: &mut PgConnection,
    policy_id: Uuid,
    framework_ids: &[Uuid],
) -> DomainResult<()> {
    sqlx::query!(
        "INSERT INTO policy_frameworks (policy_id, framework_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        policy_id,
        framework_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn to_json(policy: &Policy) -> Value {
    serde_json::to_value(policy).unwrap_or(Value::Null)
}

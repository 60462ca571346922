//! Security audits and their findings (SPEC §3.4): SQL, permission checks
//! and the audit-trail rows. The rules (transitions, overdue, upcoming,
//! `resolved_at`) live in `crate::domain::audit`; this module applies them.
//!
//! Not the audit *trail*: that is `super::audit`, which every write here
//! calls inside its transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self as trail, Entry};
use super::compliance::today;
use super::error::{DomainError, DomainResult};
use super::frameworks::resolve;
use super::records::{body, check_version, list_scope, optional_filter};
use crate::domain::audit::{
    check_audit_transition, check_can_add_finding, finding_overdue, parse_upcoming_days,
    resolved_at_change, upcoming_until, Audit, AuditStatus, AuditType, Finding, FindingStatus,
    SeverityCounts,
};
use crate::domain::common::{parse_optional_text, Severity, Title};
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::page::{Ordering, PageRequest, Paged};

/// `?ordering=` of audit lists; the default is the latest scheduled first.
pub const ORDERING_FIELDS: &[&str] = &["scheduled_for", "created_at", "title", "status"];
pub const DEFAULT_ORDERING: &str = "-scheduled_for";
/// `?ordering=` of finding lists; `severity` puts critical first, and is
/// the default.
pub const FINDING_ORDERING_FIELDS: &[&str] = &[
    "severity",
    "remediation_deadline",
    "created_at",
    "title",
    "status",
];
pub const DEFAULT_FINDING_ORDERING: &str = "severity";

const AUDIT_ENTITY: &str = "security_audit";
const FINDING_ENTITY: &str = "audit_finding";
const LONG_TEXT: usize = 10_000;
const NAME_TEXT: usize = 200;

// ---------------------------------------------------------------------------
// Audits: reading
// ---------------------------------------------------------------------------

struct AuditRow {
    id: Uuid,
    enterprise_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    title: String,
    audit_type: String,
    scope: String,
    auditor: Option<String>,
    scheduled_for: NaiveDate,
    status: String,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    summary: Option<String>,
    frameworks: Vec<String>,
    framework_ids: Vec<Uuid>,
}

/// The findings figures of one audit.
#[derive(Default, Clone, Copy)]
struct FindingTally {
    by_severity: SeverityCounts,
    open: i64,
    overdue: i64,
}

impl AuditRow {
    fn into_audit(self, tally: FindingTally) -> DomainResult<Audit> {
        let audit_type = AuditType::parse("audit_type", &self.audit_type).map_err(|_| {
            DomainError::Internal(format!(
                "audit {} has audit_type {:?}",
                self.id, self.audit_type
            ))
        })?;
        let status = AuditStatus::parse("status", &self.status).map_err(|_| {
            DomainError::Internal(format!("audit {} has status {:?}", self.id, self.status))
        })?;
        Ok(Audit {
            id: self.id,
            enterprise_id: self.enterprise_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            title: self.title,
            audit_type,
            scope: self.scope,
            frameworks: self.frameworks,
            framework_ids: self.framework_ids,
            auditor: self.auditor,
            scheduled_for: self.scheduled_for,
            status,
            started_at: self.started_at,
            completed_at: self.completed_at,
            cancelled_at: self.cancelled_at,
            summary: self.summary,
            findings_by_severity: tally.by_severity,
            open_findings: tally.open,
            overdue_findings: tally.overdue,
        })
    }
}

/// Adds the finding figures to a page of audits: one grouped statement for
/// the whole page, never one per audit.
async fn hydrate(conn: &mut PgConnection, rows: Vec<AuditRow>) -> DomainResult<Vec<Audit>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let counts = sqlx::query!(
        r#"
        SELECT audit_id,
               count(*) FILTER (WHERE severity = 'critical') AS "critical!",
               count(*) FILTER (WHERE severity = 'high') AS "high!",
               count(*) FILTER (WHERE severity = 'medium') AS "medium!",
               count(*) FILTER (WHERE severity = 'low') AS "low!",
               count(*) FILTER (WHERE status <> 'resolved') AS "open!",
               count(*) FILTER (WHERE status <> 'resolved' AND remediation_deadline < $2) AS "overdue!"
          FROM audit_findings
         WHERE audit_id = ANY($1)
         GROUP BY audit_id
        "#,
        &ids,
        today() as _,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tallies: HashMap<Uuid, FindingTally> = counts
        .into_iter()
        .map(|row| {
            (
                row.audit_id,
                FindingTally {
                    by_severity: SeverityCounts {
                        critical: row.critical,
                        high: row.high,
                        medium: row.medium,
                        low: row.low,
                    },
                    open: row.open,
                    overdue: row.overdue,
                },
            )
        })
        .collect();
    rows.into_iter()
        .map(|row| {
            let tally = tallies.remove(&row.id).unwrap_or_default();
            row.into_audit(tally)
        })
        .collect()
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> DomainResult<Option<Audit>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM security_audits WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query_as!(
        AuditRow,
        r#"
        SELECT a.id, a.enterprise_id, a.version, a.created_at AS "created_at: DateTime<Utc>",
               a.updated_at AS "updated_at: DateTime<Utc>", a.created_by, a.title, a.audit_type, a.scope,
               a.auditor, a.scheduled_for AS "scheduled_for: NaiveDate", a.status,
               a.started_at AS "started_at: DateTime<Utc>", a.completed_at AS "completed_at: DateTime<Utc>",
               a.cancelled_at AS "cancelled_at: DateTime<Utc>", a.summary,
               ARRAY(SELECT f.slug FROM audit_frameworks af JOIN frameworks f ON f.id = af.framework_id
                      WHERE af.audit_id = a.id ORDER BY f.slug) AS "frameworks!",
               ARRAY(SELECT f.id FROM audit_frameworks af JOIN frameworks f ON f.id = af.framework_id
                      WHERE af.audit_id = a.id ORDER BY f.slug) AS "framework_ids!"
          FROM security_audits a
         WHERE a.id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(hydrate(conn, vec![row]).await?.pop()),
        None => Ok(None),
    }
}

/// One audit the actor may read (404 otherwise, including other tenants').
pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Audit> {
    let mut conn = pool.acquire().await?;
    let audit = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, audit.enterprise_id, Action::Read).await?;
    Ok(audit)
}

#[derive(Default)]
pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    pub status: Option<String>,
    pub audit_type: Option<String>,
    pub ordering: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<Audit>> {
    let mut errors = FieldErrors::new();
    let status = optional_filter(
        filter.status.as_deref(),
        "status",
        AuditStatus::parse,
        &mut errors,
    );
    let audit_type = optional_filter(
        filter.audit_type.as_deref(),
        "audit_type",
        AuditType::parse,
        &mut errors,
    );
    let ordering = Ordering::parse(
        filter.ordering.as_deref(),
        ORDERING_FIELDS,
        DEFAULT_ORDERING,
    )
    .map_err(|e| errors.extend(e.fields))
    .ok();
    let Some(ordering) = ordering.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let scope = list_scope(pool, actor, filter.enterprise).await?;
    query_audits(
        pool,
        AuditQuery {
            scope,
            status,
            audit_type,
            from: None,
            until: None,
        },
        &ordering,
        page,
    )
    .await
}

/// Scheduled audits from today to `days` days ahead (1–365, default 30),
/// soonest first.
pub async fn upcoming(
    pool: &PgPool,
    actor: &Actor,
    enterprise: Option<Uuid>,
    days: Option<i64>,
    page: PageRequest,
) -> DomainResult<Paged<Audit>> {
    let days = parse_upcoming_days(days)?;
    let scope = list_scope(pool, actor, enterprise).await?;
    let today = today();
    let until = upcoming_until(today, days)
        .ok_or_else(|| AppError::field("days", "The window ends past the calendar."))?;
    let ordering = Ordering::parse(None, ORDERING_FIELDS, "scheduled_for")?;
    query_audits(
        pool,
        AuditQuery {
            scope,
            status: Some(AuditStatus::Scheduled),
            audit_type: None,
            from: Some(today),
            until: Some(until),
        },
        &ordering,
        page,
    )
    .await
}

struct AuditQuery {
    scope: Option<Uuid>,
    status: Option<AuditStatus>,
    audit_type: Option<AuditType>,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

async fn query_audits(
    pool: &PgPool,
    query: AuditQuery,
    ordering: &Ordering,
    page: PageRequest,
) -> DomainResult<Paged<Audit>> {
    let status = query.status.map(AuditStatus::as_str);
    let audit_type = query.audit_type.map(AuditType::as_str);
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as!(
        AuditRow,
        r#"
        SELECT a.id, a.enterprise_id, a.version, a.created_at AS "created_at: DateTime<Utc>",
               a.updated_at AS "updated_at: DateTime<Utc>", a.created_by, a.title, a.audit_type, a.scope,
               a.auditor, a.scheduled_for AS "scheduled_for: NaiveDate", a.status,
               a.started_at AS "started_at: DateTime<Utc>", a.completed_at AS "completed_at: DateTime<Utc>",
               a.cancelled_at AS "cancelled_at: DateTime<Utc>", a.summary,
               ARRAY(SELECT f.slug FROM audit_frameworks af JOIN frameworks f ON f.id = af.framework_id
                      WHERE af.audit_id = a.id ORDER BY f.slug) AS "frameworks!",
               ARRAY(SELECT f.id FROM audit_frameworks af JOIN frameworks f ON f.id = af.framework_id
                      WHERE af.audit_id = a.id ORDER BY f.slug) AS "framework_ids!"
          FROM security_audits a
         WHERE ($1::uuid IS NULL OR a.enterprise_id = $1)
           AND ($2::text IS NULL OR a.status = $2)
           AND ($3::text IS NULL OR a.audit_type = $3)
           AND ($4::date IS NULL OR a.scheduled_for >= $4)
           AND ($5::date IS NULL OR a.scheduled_for <= $5)
         ORDER BY
           CASE WHEN $6 = 'scheduled_for' THEN a.scheduled_for END ASC,
           CASE WHEN $6 = '-scheduled_for' THEN a.scheduled_for END DESC,
           CASE WHEN $6 = 'title' THEN a.title END ASC,
           CASE WHEN $6 = '-title' THEN a.title END DESC,
           CASE WHEN $6 IN ('status', '-status') THEN
             (CASE a.status WHEN 'scheduled' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'completed' THEN 2 ELSE 3 END)
             * (CASE WHEN $6 = '-status' THEN -1 ELSE 1 END) END ASC,
           CASE WHEN $6 = 'created_at' THEN a.created_at END ASC,
           a.created_at DESC, a.id
         LIMIT $7 OFFSET $8
        "#,
        query.scope,
        status,
        audit_type,
        query.from as _,
        query.until as _,
        ordering.key(),
        page.limit(),
        page.offset(),
    )
    .fetch_all(&mut *conn)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM security_audits a
         WHERE ($1::uuid IS NULL OR a.enterprise_id = $1)
           AND ($2::text IS NULL OR a.status = $2)
           AND ($3::text IS NULL OR a.audit_type = $3)
           AND ($4::date IS NULL OR a.scheduled_for >= $4)
           AND ($5::date IS NULL OR a.scheduled_for <= $5)
        "#,
        query.scope,
        status,
        audit_type,
        query.from as _,
        query.until as _,
    )
    .fetch_one(&mut *conn)
    .await?;
    let audits = hydrate(&mut conn, rows).await?;
    Ok(Paged::new(page, count, audits))
}

// ---------------------------------------------------------------------------
// Audits: writing
// ---------------------------------------------------------------------------

/// The editable fields of an audit, parsed from a JSON object; absent
/// fields stay `None`.
#[derive(Default)]
struct AuditChanges {
    title: Option<String>,
    audit_type: Option<AuditType>,
    scope: Option<String>,
    framework_ids: Option<Vec<Uuid>>,
    auditor: Option<Option<String>>,
    scheduled_for: Option<NaiveDate>,
    status: Option<AuditStatus>,
    summary: Option<Option<String>>,
}

/// Fields a client may echo back from a read but never sets.
const AUDIT_READ_ONLY: &[&str] = &[
    "started_at",
    "completed_at",
    "cancelled_at",
    "findings_by_severity",
    "open_findings",
    "overdue_findings",
];

async fn parse_audit_changes(
    pool: &PgPool,
    input: &mut Map<String, Value>,
    errors: &mut FieldErrors,
) -> DomainResult<AuditChanges> {
    let mut changes = AuditChanges::default();
    if let Some(value) = input.remove("title") {
        changes.title = title(errors, "title", &value);
    }
    if let Some(value) = input.remove("audit_type") {
        changes.audit_type = choice(errors, "audit_type", &value, AuditType::parse);
    }
    if let Some(value) = input.remove("scope") {
        changes.scope = Some(optional_text(errors, "scope", &value, LONG_TEXT).unwrap_or_default());
    }
    // Frameworks by id or slug, under `frameworks` (or `framework_ids`, as
    // a read gives them back).
    let references = if input.contains_key("frameworks") {
        input.remove("framework_ids");
        body::strings(input, "frameworks", errors)
    } else {
        body::strings(input, "framework_ids", errors)
    };
    if let Some(references) = references {
        let references: Vec<String> = references.into_iter().filter(|r| !r.is_empty()).collect();
        match resolve(pool, &references, "frameworks").await {
            Ok(found) => {
                changes.framework_ids = Some(found.into_iter().map(|(id, _)| id).collect())
            }
            Err(DomainError::Refused(e)) => errors.extend(e.fields),
            Err(e) => return Err(e),
        }
    }
    if let Some(value) = input.remove("auditor") {
        changes.auditor = Some(optional_text(errors, "auditor", &value, NAME_TEXT));
    }
    if let Some(value) = input.remove("scheduled_for") {
        match date(errors, "scheduled_for", &value) {
            Some(Some(day)) => changes.scheduled_for = Some(day),
            Some(None) => {
                errors.insert(
                    "scheduled_for".into(),
                    "Enter the audit's date as YYYY-MM-DD.".into(),
                );
            }
            None => {}
        }
    }
    if let Some(value) = input.remove("status") {
        changes.status = choice(errors, "status", &value, AuditStatus::parse);
    }
    if let Some(value) = input.remove("summary") {
        changes.summary = Some(optional_text(errors, "summary", &value, LONG_TEXT));
    }
    unknown_fields(input, errors);
    Ok(changes)
}

/// Creates an audit, always `scheduled`.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<Audit> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, AUDIT_READ_ONLY);
    input.remove("version");
    let enterprise_id = required_uuid(&mut input, "enterprise_id", &mut errors);
    let changes = parse_audit_changes(pool, &mut input, &mut errors).await?;
    for (field, present) in [
        ("title", changes.title.is_some()),
        ("audit_type", changes.audit_type.is_some()),
        ("scheduled_for", changes.scheduled_for.is_some()),
    ] {
        if !present && !errors.contains_key(field) {
            errors.insert(field.into(), "This field is required.".into());
        }
    }
    if changes
        .status
        .is_some_and(|status| status != AuditStatus::Scheduled)
    {
        errors.insert(
            "status".into(),
            "A new audit is scheduled; start, complete or cancel it through its actions.".into(),
        );
    }
    let (Some(enterprise_id), Some(title), Some(audit_type), Some(scheduled_for)) = (
        enterprise_id,
        changes.title.clone(),
        changes.audit_type,
        changes.scheduled_for,
    ) else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    authorize(pool, actor, enterprise_id, Action::Write).await?;

    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"
        INSERT INTO security_audits
            (id, enterprise_id, title, audit_type, scope, auditor, scheduled_for, status, summary, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled', $8, $9)
        "#,
        id,
        enterprise_id,
        title,
        audit_type.as_str(),
        changes.scope.unwrap_or_default(),
        changes.auditor.flatten(),
        scheduled_for as _,
        changes.summary.flatten(),
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    set_frameworks(&mut tx, id, &changes.framework_ids.unwrap_or_default()).await?;
    let audit = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("audit vanished".into()))?;
    record_audit(
        &mut tx,
        actor,
        &audit,
        "create",
        trail::created(&audit_json(&audit)),
    )
    .await?;
    tx.commit().await?;
    Ok(audit)
}

/// Changes fields of an audit. A `status` equal to the current one is
/// accepted and ignored; a different one follows the same rules as the
/// actions (and sets the same timestamps).
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Audit> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, AUDIT_READ_ONLY);
    input.remove("enterprise_id");
    let body_version = body::version(&mut input, &mut errors);
    let changes = parse_audit_changes(pool, &mut input, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    apply_audit(
        pool,
        actor,
        id,
        expected_version.or(body_version),
        changes,
        "update",
    )
    .await
}

/// `POST …/start/`: scheduled → in progress; `started_at` = now.
pub async fn start(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<Audit> {
    let changes = AuditChanges {
        status: Some(AuditStatus::InProgress),
        ..AuditChanges::default()
    };
    apply_audit(pool, actor, id, expected_version, changes, "start").await
}

/// `POST …/complete/` {summary?, version?}: in progress → completed;
/// `completed_at` = now. Anything else → 409.
pub async fn complete(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Audit> {
    let mut errors = FieldErrors::new();
    let body_version = body::version(&mut input, &mut errors);
    let summary = input
        .remove("summary")
        .map(|value| optional_text(&mut errors, "summary", &value, LONG_TEXT));
    unknown_fields(&input, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    let changes = AuditChanges {
        status: Some(AuditStatus::Completed),
        summary,
        ..AuditChanges::default()
    };
    apply_audit(
        pool,
        actor,
        id,
        expected_version.or(body_version),
        changes,
        "complete",
    )
    .await
}

/// `POST …/cancel/`: scheduled or in progress → cancelled; `cancelled_at`
/// = now.
pub async fn cancel(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<Audit> {
    let changes = AuditChanges {
        status: Some(AuditStatus::Cancelled),
        ..AuditChanges::default()
    };
    apply_audit(pool, actor, id, expected_version, changes, "cancel").await
}

async fn apply_audit(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    changes: AuditChanges,
    action: &str,
) -> DomainResult<Audit> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    let status = changes.status.unwrap_or(current.status);
    // An action always moves (starting twice is refused); an edit that
    // sends the current status back changes nothing.
    if action != "update" || status != current.status {
        check_audit_transition(current.status, status)?;
    }
    sqlx::query!(
        r#"
        UPDATE security_audits SET
            title = $2, audit_type = $3, scope = $4, auditor = $5, scheduled_for = $6, status = $7, summary = $8,
            started_at = CASE WHEN $7 = 'in_progress' THEN COALESCE(started_at, now()) ELSE started_at END,
            completed_at = CASE WHEN $7 = 'completed' THEN COALESCE(completed_at, now()) ELSE completed_at END,
            cancelled_at = CASE WHEN $7 = 'cancelled' THEN COALESCE(cancelled_at, now()) ELSE cancelled_at END,
            version = version + 1, updated_at = now()
        WHERE id = $1
        "#,
        id,
        changes.title.unwrap_or_else(|| current.title.clone()),
        changes.audit_type.unwrap_or(current.audit_type).as_str(),
        changes.scope.unwrap_or_else(|| current.scope.clone()),
        changes.auditor.unwrap_or_else(|| current.auditor.clone()),
        changes.scheduled_for.unwrap_or(current.scheduled_for) as _,
        status.as_str(),
        changes.summary.unwrap_or_else(|| current.summary.clone()),
    )
    .execute(&mut *tx)
    .await?;
    if let Some(framework_ids) = changes.framework_ids {
        sqlx::query!("DELETE FROM audit_frameworks WHERE audit_id = $1", id)
            .execute(&mut *tx)
            .await?;
        set_frameworks(&mut tx, id, &framework_ids).await?;
    }
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("audit vanished".into()))?;
    record_audit(
        &mut tx,
        actor,
        &updated,
        action,
        trail::diff(&audit_json(&current), &audit_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes an audit with its findings (one trail row, which keeps the
/// audit's last state including its finding counts).
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
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!("DELETE FROM security_audits WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    record_audit(
        &mut tx,
        actor,
        &current,
        "delete",
        trail::diff(
            &serde_json::to_value(&current).unwrap_or(Value::Null),
            &Value::Object(Map::new()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_frameworks(
    conn: &mut PgConnection,
    audit_id: Uuid,
    framework_ids: &[Uuid],
) -> DomainResult<()> {
    sqlx::query!(
        "INSERT INTO audit_frameworks (audit_id, framework_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        audit_id,
        framework_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn record_audit(
    conn: &mut PgConnection,
    actor: &Actor,
    audit: &Audit,
    action: &str,
    changes: Value,
) -> DomainResult<()> {
    trail::record(
        conn,
        Some(actor),
        Entry {
            enterprise_id: Some(audit.enterprise_id),
            entity_type: AUDIT_ENTITY,
            entity_id: audit.id.to_string(),
            action,
            changes,
        },
    )
    .await
}

fn audit_json(audit: &Audit) -> Value {
    let mut value = serde_json::to_value(audit).unwrap_or(Value::Null);
    // Derived from the findings, not a change anyone made to the audit.
    if let Some(map) = value.as_object_mut() {
        for field in ["findings_by_severity", "open_findings", "overdue_findings"] {
            map.remove(field);
        }
    }
    value
}

// ---------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------

struct FindingRow {
    id: Uuid,
    audit_id: Uuid,
    audit_title: String,
    enterprise_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    title: String,
    description: String,
    severity: String,
    remediation_plan: Option<String>,
    remediation_deadline: Option<NaiveDate>,
    status: String,
    resolved_at: Option<DateTime<Utc>>,
}

impl FindingRow {
    fn into_finding(self, today: NaiveDate) -> DomainResult<Finding> {
        let severity = Severity::parse("severity", &self.severity).map_err(|_| {
            DomainError::Internal(format!(
                "finding {} has severity {:?}",
                self.id, self.severity
            ))
        })?;
        let status = FindingStatus::parse("status", &self.status).map_err(|_| {
            DomainError::Internal(format!("finding {} has status {:?}", self.id, self.status))
        })?;
        Ok(Finding {
            overdue: finding_overdue(self.remediation_deadline, status, today),
            id: self.id,
            audit_id: self.audit_id,
            audit_title: self.audit_title,
            enterprise_id: self.enterprise_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            title: self.title,
            description: self.description,
            severity,
            remediation_plan: self.remediation_plan,
            remediation_deadline: self.remediation_deadline,
            status,
            resolved_at: self.resolved_at,
        })
    }
}

async fn fetch_finding(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> DomainResult<Option<Finding>> {
    if lock {
        sqlx::query!("SELECT id FROM audit_findings WHERE id = $1 FOR UPDATE", id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let row = sqlx::query_as!(
        FindingRow,
        r#"
        SELECT x.id, x.audit_id, a.title AS audit_title, x.enterprise_id, x.version,
               x.created_at AS "created_at: DateTime<Utc>", x.updated_at AS "updated_at: DateTime<Utc>",
               x.created_by, x.title, x.description, x.severity, x.remediation_plan,
               x.remediation_deadline AS "remediation_deadline: NaiveDate", x.status,
               x.resolved_at AS "resolved_at: DateTime<Utc>"
          FROM audit_findings x JOIN security_audits a ON a.id = x.audit_id
         WHERE x.id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| row.into_finding(today())).transpose()
}

/// A finding of the given audit; a finding of another audit, like one of
/// another tenant, is not found.
async fn fetch_finding_of(
    conn: &mut PgConnection,
    audit_id: Uuid,
    id: Uuid,
    lock: bool,
) -> DomainResult<Finding> {
    fetch_finding(conn, id, lock)
        .await?
        .filter(|finding| finding.audit_id == audit_id)
        .ok_or_else(|| AppError::not_found().into())
}

/// The enterprise and status of an audit, for the access check of its
/// findings; `share` keeps the status from changing until the transaction
/// ends.
async fn audit_head(
    conn: &mut PgConnection,
    audit_id: Uuid,
    share: bool,
) -> DomainResult<(Uuid, AuditStatus)> {
    let row = if share {
        sqlx::query!(
            "SELECT enterprise_id, status FROM security_audits WHERE id = $1 FOR SHARE",
            audit_id
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.enterprise_id, r.status))
    } else {
        sqlx::query!(
            "SELECT enterprise_id, status FROM security_audits WHERE id = $1",
            audit_id
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.enterprise_id, r.status))
    };
    let (enterprise_id, status) = row.ok_or_else(AppError::not_found)?;
    let status = AuditStatus::parse("status", &status)
        .map_err(|_| DomainError::Internal(format!("audit {audit_id} has status {status:?}")))?;
    Ok((enterprise_id, status))
}

pub async fn get_finding(
    pool: &PgPool,
    actor: &Actor,
    audit_id: Uuid,
    id: Uuid,
) -> DomainResult<Finding> {
    let mut conn = pool.acquire().await?;
    let finding = fetch_finding_of(&mut conn, audit_id, id, false).await?;
    authorize_record(&mut *conn, actor, finding.enterprise_id, Action::Read).await?;
    Ok(finding)
}

#[derive(Default)]
pub struct FindingFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub overdue: Option<bool>,
    pub ordering: Option<String>,
}

/// The findings of one audit (404 for an audit the actor cannot see).
pub async fn list_findings(
    pool: &PgPool,
    actor: &Actor,
    audit_id: Uuid,
    filter: FindingFilter,
    page: PageRequest,
) -> DomainResult<Paged<Finding>> {
    let mut errors = FieldErrors::new();
    let status = optional_filter(
        filter.status.as_deref(),
        "status",
        FindingStatus::parse,
        &mut errors,
    );
    let severity = optional_filter(
        filter.severity.as_deref(),
        "severity",
        parse_severity,
        &mut errors,
    );
    let ordering = Ordering::parse(
        filter.ordering.as_deref(),
        FINDING_ORDERING_FIELDS,
        DEFAULT_FINDING_ORDERING,
    )
    .map_err(|e| errors.extend(e.fields))
    .ok();
    let Some(ordering) = ordering.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let mut conn = pool.acquire().await?;
    let (enterprise_id, _) = audit_head(&mut conn, audit_id, false).await?;
    authorize_record(&mut *conn, actor, enterprise_id, Action::Read).await?;
    drop(conn);
    query_findings(
        pool,
        FindingQuery {
            scope: Some(enterprise_id),
            audit_id: Some(audit_id),
            status,
            severity,
            overdue: filter.overdue,
        },
        &ordering,
        page,
    )
    .await
}

/// Unresolved findings past their remediation deadline, in every audit of
/// the enterprise (all enterprises for staff who name none), the longest
/// overdue first.
pub async fn overdue_findings(
    pool: &PgPool,
    actor: &Actor,
    enterprise: Option<Uuid>,
    page: PageRequest,
) -> DomainResult<Paged<Finding>> {
    let scope = list_scope(pool, actor, enterprise).await?;
    let ordering = Ordering::parse(None, FINDING_ORDERING_FIELDS, "remediation_deadline")?;
    query_findings(
        pool,
        FindingQuery {
            scope,
            audit_id: None,
            status: None,
            severity: None,
            overdue: Some(true),
        },
        &ordering,
        page,
    )
    .await
}

struct FindingQuery {
    scope: Option<Uuid>,
    audit_id: Option<Uuid>,
    status: Option<FindingStatus>,
    severity: Option<Severity>,
    overdue: Option<bool>,
}

async fn query_findings(
    pool: &PgPool,
    query: FindingQuery,
    ordering: &Ordering,
    page: PageRequest,
) -> DomainResult<Paged<Finding>> {
    let today = today();
    let status = query.status.map(FindingStatus::as_str);
    let severity = query.severity.map(Severity::as_str);
    let rows = sqlx::query_as!(
        FindingRow,
        r#"
        SELECT x.id, x.audit_id, a.title AS audit_title, x.enterprise_id, x.version,
               x.created_at AS "created_at: DateTime<Utc>", x.updated_at AS "updated_at: DateTime<Utc>",
               x.created_by, x.title, x.description, x.severity, x.remediation_plan,
               x.remediation_deadline AS "remediation_deadline: NaiveDate", x.status,
               x.resolved_at AS "resolved_at: DateTime<Utc>"
          FROM audit_findings x JOIN security_audits a ON a.id = x.audit_id
         WHERE ($1::uuid IS NULL OR x.enterprise_id = $1)
           AND ($2::uuid IS NULL OR x.audit_id = $2)
           AND ($3::text IS NULL OR x.status = $3)
           AND ($4::text IS NULL OR x.severity = $4)
           AND ($5::bool IS NULL OR (COALESCE(x.remediation_deadline < $6, false)
                                     AND x.status <> 'resolved') = $5)
         ORDER BY
           CASE WHEN $7 IN ('severity', '-severity') THEN
             (CASE x.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)
             * (CASE WHEN $7 = '-severity' THEN -1 ELSE 1 END) END ASC,
           CASE WHEN $7 = 'remediation_deadline' THEN x.remediation_deadline END ASC NULLS LAST,
           CASE WHEN $7 = '-remediation_deadline' THEN x.remediation_deadline END DESC NULLS LAST,
           CASE WHEN $7 = 'title' THEN x.title END ASC,
           CASE WHEN $7 = '-title' THEN x.title END DESC,
           CASE WHEN $7 IN ('status', '-status') THEN
             (CASE x.status WHEN 'open' THEN 0 WHEN 'in_remediation' THEN 1 ELSE 2 END)
             * (CASE WHEN $7 = '-status' THEN -1 ELSE 1 END) END ASC,
           CASE WHEN $7 = 'created_at' THEN x.created_at END ASC,
           CASE x.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
           x.created_at DESC, x.id
         LIMIT $8 OFFSET $9
        "#,
        query.scope,
        query.audit_id,
        status,
        severity,
        query.overdue,
        today as _,
        ordering.key(),
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM audit_findings x
         WHERE ($1::uuid IS NULL OR x.enterprise_id = $1)
           AND ($2::uuid IS NULL OR x.audit_id = $2)
           AND ($3::text IS NULL OR x.status = $3)
           AND ($4::text IS NULL OR x.severity = $4)
           AND ($5::bool IS NULL OR (COALESCE(x.remediation_deadline < $6, false)
                                     AND x.status <> 'resolved') = $5)
        "#,
        query.scope,
        query.audit_id,
        status,
        severity,
        query.overdue,
        today as _,
    )
    .fetch_one(pool)
    .await?;
    let findings = rows
        .into_iter()
        .map(|row| row.into_finding(today))
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Paged::new(page, count, findings))
}

/// The editable fields of a finding; absent fields stay `None`.
#[derive(Default)]
struct FindingChanges {
    title: Option<String>,
    description: Option<String>,
    severity: Option<Severity>,
    remediation_plan: Option<Option<String>>,
    remediation_deadline: Option<Option<NaiveDate>>,
    status: Option<FindingStatus>,
}

const FINDING_READ_ONLY: &[&str] = &["audit_id", "audit_title", "resolved_at", "overdue"];

fn parse_finding_changes(
    input: &mut Map<String, Value>,
    errors: &mut FieldErrors,
) -> FindingChanges {
    let mut changes = FindingChanges::default();
    if let Some(value) = input.remove("title") {
        changes.title = title(errors, "title", &value);
    }
    if let Some(value) = input.remove("description") {
        changes.description =
            Some(optional_text(errors, "description", &value, LONG_TEXT).unwrap_or_default());
    }
    if let Some(value) = input.remove("severity") {
        changes.severity = choice(errors, "severity", &value, parse_severity);
    }
    if let Some(value) = input.remove("remediation_plan") {
        changes.remediation_plan =
            Some(optional_text(errors, "remediation_plan", &value, LONG_TEXT));
    }
    if let Some(value) = input.remove("remediation_deadline") {
        changes.remediation_deadline = date(errors, "remediation_deadline", &value);
    }
    if let Some(value) = input.remove("status") {
        changes.status = choice(errors, "status", &value, FindingStatus::parse);
    }
    unknown_fields(input, errors);
    changes
}

/// Records a finding of an audit (not of a cancelled one: 409).
/// `resolved_at` is set when it is created resolved.
pub async fn create_finding(
    pool: &PgPool,
    actor: &Actor,
    audit_id: Uuid,
    mut input: Map<String, Value>,
) -> DomainResult<Finding> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, FINDING_READ_ONLY);
    input.remove("version");
    input.remove("enterprise_id");
    let changes = parse_finding_changes(&mut input, &mut errors);
    for (field, present) in [
        ("title", changes.title.is_some()),
        ("severity", changes.severity.is_some()),
    ] {
        if !present && !errors.contains_key(field) {
            errors.insert(field.into(), "This field is required.".into());
        }
    }
    let (Some(title), Some(severity)) = (changes.title.clone(), changes.severity) else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    let mut tx = pool.begin().await?;
    let (enterprise_id, audit_status) = audit_head(&mut tx, audit_id, true).await?;
    authorize_record(&mut *tx, actor, enterprise_id, Action::Write).await?;
    check_can_add_finding(audit_status)?;
    let status = changes.status.unwrap_or(FindingStatus::Open);
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"
        INSERT INTO audit_findings
            (id, audit_id, enterprise_id, title, description, severity, remediation_plan, remediation_deadline,
             status, resolved_at, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 = 'set' THEN now() END, $11)
        "#,
        id,
        audit_id,
        enterprise_id,
        title,
        changes.description.unwrap_or_default(),
        severity.as_str(),
        changes.remediation_plan.flatten(),
        changes.remediation_deadline.flatten() as _,
        status.as_str(),
        resolved_at_change(None, status).as_str(),
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let finding = fetch_finding(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("finding vanished".into()))?;
    record_finding(
        &mut tx,
        actor,
        &finding,
        "create",
        trail::created(&finding_json(&finding)),
    )
    .await?;
    tx.commit().await?;
    Ok(finding)
}

/// Changes a finding. Becoming resolved sets `resolved_at` to now, staying
/// resolved keeps it, leaving resolved clears it.
pub async fn update_finding(
    pool: &PgPool,
    actor: &Actor,
    audit_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Finding> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, FINDING_READ_ONLY);
    input.remove("enterprise_id");
    let body_version = body::version(&mut input, &mut errors);
    let changes = parse_finding_changes(&mut input, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    let mut tx = pool.begin().await?;
    let current = fetch_finding_of(&mut tx, audit_id, id, true).await?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version.or(body_version), current.version, &current)?;
    let status = changes.status.unwrap_or(current.status);
    sqlx::query!(
        r#"
        UPDATE audit_findings SET
            title = $2, description = $3, severity = $4, remediation_plan = $5, remediation_deadline = $6,
            status = $7,
            resolved_at = CASE $8 WHEN 'set' THEN now() WHEN 'clear' THEN NULL ELSE resolved_at END,
            version = version + 1, updated_at = now()
        WHERE id = $1
        "#,
        id,
        changes.title.unwrap_or_else(|| current.title.clone()),
        changes
            .description
            .unwrap_or_else(|| current.description.clone()),
        changes.severity.unwrap_or(current.severity).as_str(),
        changes
            .remediation_plan
            .unwrap_or_else(|| current.remediation_plan.clone()),
        changes
            .remediation_deadline
            .unwrap_or(current.remediation_deadline) as _,
        status.as_str(),
        resolved_at_change(Some(current.status), status).as_str(),
    )
    .execute(&mut *tx)
    .await?;
    let updated = fetch_finding(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("finding vanished".into()))?;
    record_finding(
        &mut tx,
        actor,
        &updated,
        "update",
        trail::diff(&finding_json(&current), &finding_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

pub async fn delete_finding(
    pool: &PgPool,
    actor: &Actor,
    audit_id: Uuid,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<()> {
    let mut tx = pool.begin().await?;
    let current = fetch_finding_of(&mut tx, audit_id, id, true).await?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!("DELETE FROM audit_findings WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    record_finding(
        &mut tx,
        actor,
        &current,
        "delete",
        trail::diff(&finding_json(&current), &Value::Object(Map::new())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn record_finding(
    conn: &mut PgConnection,
    actor: &Actor,
    finding: &Finding,
    action: &str,
    changes: Value,
) -> DomainResult<()> {
    trail::record(
        conn,
        Some(actor),
        Entry {
            enterprise_id: Some(finding.enterprise_id),
            entity_type: FINDING_ENTITY,
            entity_id: finding.id.to_string(),
            action,
            changes,
        },
    )
    .await
}

fn finding_json(finding: &Finding) -> Value {
    let mut value = serde_json::to_value(finding).unwrap_or(Value::Null);
    // Derived (from the date, from the audit), not changes to the finding.
    if let Some(map) = value.as_object_mut() {
        map.remove("overdue");
        map.remove("audit_title");
    }
    value
}

// ---------------------------------------------------------------------------
// Reading JSON bodies field by field
// ---------------------------------------------------------------------------

fn required_uuid(
    input: &mut Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<Uuid> {
    let id = body::uuid(input, field, errors);
    if id.is_none() && !errors.contains_key(field) {
        errors.insert(field.into(), "This field is required.".into());
    }
    id
}

fn title(errors: &mut FieldErrors, field: &str, value: &Value) -> Option<String> {
    match value.as_str().map(|raw| Title::parse(field, raw)) {
        Some(Ok(title)) => Some(title.into_inner()),
        Some(Err(e)) => {
            errors.extend(e.fields);
            None
        }
        None => {
            errors.insert(field.into(), "Enter a title.".into());
            None
        }
    }
}

fn choice<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Value,
    parse: fn(&str, &str) -> Result<T, AppError>,
) -> Option<T> {
    match value.as_str().map(|raw| parse(field, raw)) {
        Some(Ok(parsed)) => Some(parsed),
        Some(Err(e)) => {
            errors.extend(e.fields);
            None
        }
        None => {
            // The parser's own message lists the choices.
            if let Err(e) = parse(field, "") {
                errors.extend(e.fields);
            }
            None
        }
    }
}

/// Severity shares its values with priority; the message names severity.
fn parse_severity(field: &str, raw: &str) -> Result<Severity, AppError> {
    Severity::parse(field, raw).map_err(|_| {
        let values: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        AppError::field(
            field,
            format!("Severity must be one of: {}.", values.join(", ")),
        )
    })
}

fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Value,
    max: usize,
) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(raw) => parse_optional_text(field, Some(raw), max)
            .map_err(|e| errors.extend(e.fields))
            .ok()
            .flatten(),
        _ => {
            errors.insert(field.into(), "Must be text.".into());
            None
        }
    }
}

/// A `YYYY-MM-DD` date: `Some(None)` for null or blank, `None` (with an
/// error) for anything unreadable.
fn date(errors: &mut FieldErrors, field: &str, value: &Value) -> Option<Option<NaiveDate>> {
    match value {
        Value::Null => Some(None),
        Value::String(raw) if raw.trim().is_empty() => Some(None),
        Value::String(raw) => match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(day) => Some(Some(day)),
            Err(_) => {
                errors.insert(field.into(), "Use a date as YYYY-MM-DD.".into());
                None
            }
        },
        _ => {
            errors.insert(field.into(), "Use a date as YYYY-MM-DD.".into());
            None
        }
    }
}

fn unknown_fields(input: &Map<String, Value>, errors: &mut FieldErrors) {
    for unknown in input.keys() {
        errors.insert(unknown.clone(), "Unknown field.".into());
    }
}

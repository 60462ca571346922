//! The compliance tracker (SPEC §3.6) and the compliance score (§4): the
//! one place that counts requirements, for pages, API and prints alike.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self, Entry};
use super::error::{DomainError, DomainResult};
use super::frameworks::resolve;
use super::records::{body, check_version, list_scope, optional_filter};
use crate::domain::common::{parse_optional_text, Title};
use crate::domain::compliance::{band, is_overdue, RequirementStatus, StatusCounts};
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::page::{Ordering, PageRequest, Paged};
use crate::domain::records::{ComplianceItem, ComplianceScores, FrameworkScore};

/// "Today" for overdue checks: the UTC date, defined once.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub const ORDERING_FIELDS: &[&str] = &["created_at", "deadline", "title", "status"];

struct Row {
    id: Uuid,
    enterprise_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    framework_id: Uuid,
    framework_slug: String,
    requirement_ref: Option<String>,
    title: String,
    description: String,
    owner_id: Option<Uuid>,
    deadline: Option<NaiveDate>,
    status: String,
    evidence: String,
    completed_at: Option<DateTime<Utc>>,
    completed_by: Option<Uuid>,
}

impl Row {
    fn into_item(self, today: NaiveDate) -> DomainResult<ComplianceItem> {
        let status = RequirementStatus::parse("status", &self.status).map_err(|_| {
            DomainError::Internal(format!("stored status {:?} unknown", self.status))
        })?;
        Ok(ComplianceItem {
            overdue: is_overdue(self.deadline, status, today),
            id: self.id,
            enterprise_id: self.enterprise_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            framework_id: self.framework_id,
            framework_slug: self.framework_slug,
            requirement_ref: self.requirement_ref,
            title: self.title,
            description: self.description,
            owner_id: self.owner_id,
            deadline: self.deadline,
            status,
            evidence: self.evidence,
            completed_at: self.completed_at,
            completed_by: self.completed_by,
        })
    }
}

async fn fetch(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> DomainResult<Option<ComplianceItem>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM compliance_requirements WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query_as!(
        Row,
        r#"
        SELECT c.id, c.enterprise_id, c.version, c.created_at AS "created_at: DateTime<Utc>",
               c.updated_at AS "updated_at: DateTime<Utc>", c.created_by, c.framework_id, f.slug AS framework_slug,
               c.requirement_ref, c.title, c.description, c.owner_id, c.deadline AS "deadline: NaiveDate", c.status,
               c.evidence, c.completed_at AS "completed_at: DateTime<Utc>", c.completed_by
          FROM compliance_requirements c JOIN frameworks f ON f.id = c.framework_id
         WHERE c.id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.into_item(today())).transpose()
}

pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<ComplianceItem> {
    let mut conn = pool.acquire().await?;
    let item = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, item.enterprise_id, Action::Read).await?;
    Ok(item)
}

#[derive(Default)]
pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    pub framework: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<bool>,
    pub ordering: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<ComplianceItem>> {
    let mut errors = FieldErrors::new();
    let status = optional_filter(
        filter.status.as_deref(),
        "status",
        RequirementStatus::parse,
        &mut errors,
    );
    let ordering = Ordering::parse(filter.ordering.as_deref(), ORDERING_FIELDS, "-created_at")
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let Some(ordering) = ordering.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let scope = list_scope(pool, actor, filter.enterprise).await?;
    let framework = match filter.framework {
        Some(reference) => Some(resolve(pool, &[reference], "framework").await?[0].0),
        None => None,
    };
    let today = today();
    let status = status.map(|s| s.as_str());
    let rows = sqlx::query_as!(
        Row,
        r#"
        SELECT c.id, c.enterprise_id, c.version, c.created_at AS "created_at: DateTime<Utc>",
               c.updated_at AS "updated_at: DateTime<Utc>", c.created_by, c.framework_id, f.slug AS framework_slug,
               c.requirement_ref, c.title, c.description, c.owner_id, c.deadline AS "deadline: NaiveDate", c.status,
               c.evidence, c.completed_at AS "completed_at: DateTime<Utc>", c.completed_by
          FROM compliance_requirements c JOIN frameworks f ON f.id = c.framework_id
         WHERE ($1::uuid IS NULL OR c.enterprise_id = $1)
           AND ($2::uuid IS NULL OR c.framework_id = $2)
           AND ($3::text IS NULL OR c.status = $3)
           AND ($4::bool IS NULL OR (COALESCE(c.deadline < $5, false)
                                     AND c.status NOT IN ('completed', 'not_applicable')) = $4)
         ORDER BY
           CASE WHEN $6 = 'deadline' THEN c.deadline END ASC NULLS LAST,
           CASE WHEN $6 = '-deadline' THEN c.deadline END DESC NULLS LAST,
           CASE WHEN $6 = 'title' THEN c.title END ASC,
           CASE WHEN $6 = '-title' THEN c.title END DESC,
           CASE WHEN $6 = 'status' THEN c.status END ASC,
           CASE WHEN $6 = '-status' THEN c.status END DESC,
           CASE WHEN $6 = 'created_at' THEN c.created_at END ASC,
           c.created_at DESC, c.id
         LIMIT $7 OFFSET $8
        "#,
        scope,
        framework,
        status,
        filter.overdue,
        today as _,
        ordering.key(),
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM compliance_requirements c
         WHERE ($1::uuid IS NULL OR c.enterprise_id = $1)
           AND ($2::uuid IS NULL OR c.framework_id = $2)
           AND ($3::text IS NULL OR c.status = $3)
           AND ($4::bool IS NULL OR (COALESCE(c.deadline < $5, false)
                                     AND c.status NOT IN ('completed', 'not_applicable')) = $4)
        "#,
        scope,
        framework,
        status,
        filter.overdue,
        today as _,
    )
    .fetch_one(pool)
    .await?;
    let items = rows
        .into_iter()
        .map(|r| r.into_item(today))
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Paged::new(page, count, items))
}

/// The editable fields, parsed from a JSON object; absent fields stay `None`.
#[derive(Default)]
struct Changes {
    framework_id: Option<Uuid>,
    requirement_ref: Option<Option<String>>,
    title: Option<String>,
    description: Option<String>,
    owner_id: Option<Option<Uuid>>,
    deadline: Option<Option<NaiveDate>>,
    status: Option<RequirementStatus>,
    evidence: Option<String>,
}

async fn parse_changes(
    pool: &PgPool,
    input: &mut Map<String, Value>,
    errors: &mut FieldErrors,
) -> DomainResult<Changes> {
    let mut changes = Changes::default();
    let framework_ref = match (input.remove("framework"), input.remove("framework_id")) {
        (Some(Value::String(r)), _) | (None, Some(Value::String(r))) => Some(r),
        (None, None) | (Some(Value::Null), _) | (None, Some(Value::Null)) => None,
        _ => {
            errors.insert(
                "framework".into(),
                "Name the framework by id or slug.".into(),
            );
            None
        }
    };
    if let Some(reference) = framework_ref {
        match resolve(pool, &[reference], "framework").await {
            Ok(found) => changes.framework_id = Some(found[0].0),
            Err(DomainError::Refused(e)) => errors.extend(e.fields),
            Err(e) => return Err(e),
        }
    }
    if let Some(value) = input.remove("requirement_ref") {
        changes.requirement_ref = Some(optional_text(errors, "requirement_ref", &value, 100));
    }
    if let Some(value) = input.remove("title") {
        match value.as_str().map(|raw| Title::parse("title", raw)) {
            Some(Ok(title)) => changes.title = Some(title.into_inner()),
            Some(Err(e)) => errors.extend(e.fields),
            None => {
                errors.insert("title".into(), "Enter a title.".into());
            }
        }
    }
    if let Some(value) = input.remove("description") {
        changes.description =
            Some(optional_text(errors, "description", &value, 10_000).unwrap_or_default());
    }
    if let Some(value) = input.remove("evidence") {
        changes.evidence =
            Some(optional_text(errors, "evidence", &value, 10_000).unwrap_or_default());
    }
    if input.contains_key("owner_id") {
        let owner = body::uuid(input, "owner_id", errors);
        changes.owner_id = Some(owner);
    }
    if let Some(value) = input.remove("deadline") {
        changes.deadline = Some(match value {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.insert("deadline".into(), "Use a date as YYYY-MM-DD.".into());
                    None
                }
            },
            _ => {
                errors.insert("deadline".into(), "Use a date as YYYY-MM-DD.".into());
                None
            }
        });
    }
    if let Some(value) = input.remove("status") {
        match value
            .as_str()
            .map(|raw| RequirementStatus::parse("status", raw))
        {
            Some(Ok(status)) => changes.status = Some(status),
            Some(Err(e)) => errors.extend(e.fields),
            None => {
                errors.insert("status".into(), "Status must be a string.".into());
            }
        }
    }
    for unknown in input.keys() {
        errors.insert(unknown.clone(), "Unknown field.".into());
    }
    Ok(changes)
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

async fn check_owner(
    pool: &PgPool,
    owner: Option<Option<Uuid>>,
    enterprise_id: Uuid,
) -> DomainResult<()> {
    match owner {
        Some(Some(owner)) => super::access::check_owner(pool, owner, enterprise_id).await,
        _ => Ok(()),
    }
}

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<ComplianceItem> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(
        &mut input,
        &[
            "version",
            "overdue",
            "framework_slug",
            "completed_at",
            "completed_by",
        ],
    );
    let enterprise_id = body::uuid(&mut input, "enterprise_id", &mut errors);
    if enterprise_id.is_none() && !errors.contains_key("enterprise_id") {
        errors.insert("enterprise_id".into(), "This field is required.".into());
    }
    let mut changes = parse_changes(pool, &mut input, &mut errors).await?;
    if changes.framework_id.is_none() && !errors.contains_key("framework") {
        errors.insert("framework".into(), "This field is required.".into());
    }
    // The catalogue's title is the default for a known requirement.
    if changes.title.is_none() {
        if let (Some(framework_id), Some(Some(reference))) =
            (changes.framework_id, &changes.requirement_ref)
        {
            changes.title = sqlx::query_scalar!(
                "SELECT title FROM requirements WHERE framework_id = $1 AND reference = $2",
                framework_id,
                reference
            )
            .fetch_optional(pool)
            .await?;
        }
        if changes.title.is_none() && !errors.contains_key("title") {
            errors.insert(
                "title".into(),
                "Enter a title (or a requirement_ref from the framework's catalogue).".into(),
            );
        }
    }
    let (Some(enterprise_id), Some(framework_id), Some(title)) =
        (enterprise_id, changes.framework_id, changes.title.clone())
    else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    authorize(pool, actor, enterprise_id, Action::Write).await?;
    check_owner(pool, changes.owner_id, enterprise_id).await?;
    let status = changes.status.unwrap_or(RequirementStatus::NotStarted);
    let completed = status == RequirementStatus::Completed;

    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"
        INSERT INTO compliance_requirements
            (id, enterprise_id, framework_id, requirement_ref, title, description, owner_id, deadline, status,
             evidence, completed_at, completed_by, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN now() END, CASE WHEN $11 THEN $12::uuid END, $12)
        "#,
        id,
        enterprise_id,
        framework_id,
        changes.requirement_ref.flatten(),
        title,
        changes.description.unwrap_or_default(),
        changes.owner_id.flatten(),
        changes.deadline.flatten() as _,
        status.as_str(),
        changes.evidence.unwrap_or_default(),
        completed,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let item = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("item vanished".into()))?;
    write_audit(
        &mut tx,
        actor,
        &item,
        "create",
        audit::created(&to_json(&item)),
    )
    .await?;
    tx.commit().await?;
    Ok(item)
}

/// Changes fields and/or status; reaching `completed` records who and when,
/// leaving it clears both.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<ComplianceItem> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(
        &mut input,
        &[
            "enterprise_id",
            "overdue",
            "framework_slug",
            "completed_at",
            "completed_by",
        ],
    );
    let body_version = body::version(&mut input, &mut errors);
    let changes = parse_changes(pool, &mut input, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    apply_update(
        pool,
        actor,
        id,
        expected_version.or(body_version),
        changes,
        "update",
    )
    .await
}

/// `POST …/complete/`: marks the requirement completed (409 when it is
/// already completed or not applicable).
pub async fn complete(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<ComplianceItem> {
    let changes = Changes {
        status: Some(RequirementStatus::Completed),
        ..Changes::default()
    };
    apply_update(pool, actor, id, expected_version, changes, "complete").await
}

async fn apply_update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    changes: Changes,
    action: &str,
) -> DomainResult<ComplianceItem> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    if action == "complete" && current.status.is_closed() {
        return Err(AppError::conflict(format!(
            "This requirement is already {}.",
            current.status.label().to_lowercase()
        ))
        .into());
    }
    check_owner(pool, changes.owner_id, current.enterprise_id).await?;
    let status = changes.status.unwrap_or(current.status);
    let becomes_completed =
        status == RequirementStatus::Completed && current.status != RequirementStatus::Completed;
    let leaves_completed = status != RequirementStatus::Completed;
    sqlx::query!(
        r#"
        UPDATE compliance_requirements SET
            framework_id = $2, requirement_ref = $3, title = $4, description = $5, owner_id = $6, deadline = $7,
            status = $8, evidence = $9,
            completed_at = CASE WHEN $10 THEN now() WHEN $11 THEN NULL ELSE completed_at END,
            completed_by = CASE WHEN $10 THEN $12::uuid WHEN $11 THEN NULL ELSE completed_by END,
            version = version + 1, updated_at = now()
        WHERE id = $1
        "#,
        id,
        changes.framework_id.unwrap_or(current.framework_id),
        changes.requirement_ref.unwrap_or(current.requirement_ref.clone()),
        changes.title.unwrap_or(current.title.clone()),
        changes.description.unwrap_or(current.description.clone()),
        changes.owner_id.unwrap_or(current.owner_id),
        changes.deadline.unwrap_or(current.deadline) as _,
        status.as_str(),
        changes.evidence.unwrap_or(current.evidence.clone()),
        becomes_completed,
        leaves_completed,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("item vanished".into()))?;
    write_audit(
        &mut tx,
        actor,
        &updated,
        action,
        audit::diff(&to_json(&current), &to_json(&updated)),
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
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    sqlx::query!("DELETE FROM compliance_requirements WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    write_audit(
        &mut tx,
        actor,
        &current,
        "delete",
        audit::diff(&to_json(&current), &Value::Object(Map::new())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Tracks every assessable requirement of a framework's catalogue that the
/// enterprise does not track yet; returns how many were added.
pub async fn track_catalogue(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
    framework: &str,
) -> DomainResult<u64> {
    authorize(pool, actor, enterprise_id, Action::Write).await?;
    let framework_id = resolve(pool, &[framework.to_string()], "framework").await?[0].0;
    let mut tx = pool.begin().await?;
    let missing = sqlx::query!(
        r#"
        SELECT r.reference, r.title FROM requirements r
         WHERE r.framework_id = $2 AND r.assessable
           AND NOT EXISTS (SELECT 1 FROM compliance_requirements c
                            WHERE c.enterprise_id = $1 AND c.framework_id = $2 AND c.requirement_ref = r.reference)
         ORDER BY r.position
        "#,
        enterprise_id,
        framework_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<Uuid> = missing.iter().map(|_| Uuid::now_v7()).collect();
    let references: Vec<String> = missing.iter().map(|r| r.reference.clone()).collect();
    let titles: Vec<String> = missing.iter().map(|r| r.title.clone()).collect();
    let added = sqlx::query!(
        r#"
        INSERT INTO compliance_requirements (id, enterprise_id, framework_id, requirement_ref, title, status, created_by)
        SELECT u.id, $1, $2, u.reference, u.title, 'not_started', $3
          FROM UNNEST($4::uuid[], $5::text[], $6::text[]) AS u(id, reference, title)
        "#,
        enterprise_id,
        framework_id,
        actor.user_id,
        &ids,
        &references,
        &titles,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit::record(
        &mut tx,
        Some(actor),
        Entry {
            enterprise_id: Some(enterprise_id),
            entity_type: "compliance_requirement",
            entity_id: framework_id.to_string(),
            action: "track_catalogue",
            changes: serde_json::json!({"framework": {"before": null, "after": framework}, "added": {"before": null, "after": added}}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// The compliance score of every framework the enterprise tracks or commits
/// to, and overall (SPEC §4). Two statements whatever the data size.
pub async fn scores(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<ComplianceScores> {
    authorize(pool, actor, enterprise_id, Action::Read).await?;
    scores_unchecked(pool, enterprise_id).await
}

/// For callers that have already checked read access to the enterprise.
pub async fn scores_unchecked(
    pool: &PgPool,
    enterprise_id: Uuid,
) -> DomainResult<ComplianceScores> {
    let rows = sqlx::query!(
        r#"
        SELECT f.id, f.slug, f.name, f.version,
               EXISTS (SELECT 1 FROM policy_frameworks pf JOIN security_policies p ON p.id = pf.policy_id
                        WHERE p.enterprise_id = $1 AND pf.framework_id = f.id) AS "committed!",
               count(c.id) AS "total!",
               count(c.id) FILTER (WHERE c.status = 'completed') AS "completed!",
               count(c.id) FILTER (WHERE c.status = 'in_progress') AS "in_progress!",
               count(c.id) FILTER (WHERE c.status = 'not_started') AS "not_started!",
               count(c.id) FILTER (WHERE c.status = 'not_applicable') AS "not_applicable!",
               count(c.id) FILTER (WHERE c.deadline < $2 AND c.status NOT IN ('completed', 'not_applicable')) AS "overdue!"
          FROM frameworks f
          LEFT JOIN compliance_requirements c ON c.framework_id = f.id AND c.enterprise_id = $1
         GROUP BY f.id
        HAVING count(c.id) > 0
            OR EXISTS (SELECT 1 FROM policy_frameworks pf JOIN security_policies p ON p.id = pf.policy_id
                        WHERE p.enterprise_id = $1 AND pf.framework_id = f.id)
         ORDER BY f.name, f.version
        "#,
        enterprise_id,
        today() as _,
    )
    .fetch_all(pool)
    .await?;
    let mut overall = StatusCounts::default();
    let frameworks = rows
        .into_iter()
        .map(|r| {
            let counts = StatusCounts {
                total: r.total,
                completed: r.completed,
                in_progress: r.in_progress,
                not_started: r.not_started,
                not_applicable: r.not_applicable,
                overdue: r.overdue,
            };
            overall.total += counts.total;
            overall.completed += counts.completed;
            overall.in_progress += counts.in_progress;
            overall.not_started += counts.not_started;
            overall.not_applicable += counts.not_applicable;
            overall.overdue += counts.overdue;
            let score = counts.score();
            FrameworkScore {
                framework_id: r.id,
                slug: r.slug,
                name: r.name,
                version: r.version,
                committed: r.committed,
                score,
                band: score.map(band),
                counts,
            }
        })
        .collect();
    let score = overall.score();
    Ok(ComplianceScores {
        enterprise_id,
        score,
        band: score.map(band),
        counts: overall,
        frameworks,
    })
}

async fn write_audit(
    conn: &mut PgConnection,
    actor: &Actor,
    item: &ComplianceItem,
    action: &str,
    changes: Value,
) -> DomainResult<()> {
    audit::record(
        conn,
        Some(actor),
        Entry {
            enterprise_id: Some(item.enterprise_id),
            entity_type: "compliance_requirement",
            entity_id: item.id.to_string(),
            action,
            changes,
        },
    )
    .await
}

fn to_json(item: &ComplianceItem) -> Value {
    let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
    // Derived from the date, not a change anyone made.
    if let Some(map) = value.as_object_mut() {
        map.remove("overdue");
    }
    value
}

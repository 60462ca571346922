//! Security controls (SPEC §3.3): framework-mapped controls with the
//! catalogue requirements they satisfy, their evidence (links or uploaded
//! files) and the verify sign-off. Every write runs in one transaction with
//! its audit row; the rules themselves live in `domain::control`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self, Entry};
use super::error::{DomainError, DomainResult};
use super::frameworks::resolve;
use super::records::{body, check_version, expected_version, list_scope};
use crate::domain::common::{parse_optional_text, Priority, Title};
use crate::domain::compliance::percentage;
use crate::domain::control::{
    check_evidence_dates, check_status_change, check_verify, is_expired, is_stale,
    status_after_edit, ControlStatus, EvidenceDates, EvidenceUrl,
};
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, ErrorCode, FieldErrors};
use crate::domain::page::{Ordering, PageRequest, Paged};
use crate::domain::records::{Control, Evidence, RequirementLink};

/// The `entity_type` of every audit row a control write leaves.
pub const ENTITY_TYPE: &str = "security_control";
/// The largest evidence file accepted (10 MiB).
pub const MAX_EVIDENCE_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The fields `?ordering=` accepts (each also with a leading `-`).
pub const ORDERING_FIELDS: &[&str] = &["created_at", "reference", "priority", "status", "title"];
pub const DEFAULT_ORDERING: &str = "-created_at";

const REFERENCE_MAX_CHARS: usize = 100;
const DESCRIPTION_MAX_CHARS: usize = 20_000;
const JUSTIFICATION_MAX_CHARS: usize = 5_000;
const TEST_RESULTS_MAX_CHARS: usize = 50_000;
const FILENAME_MAX_CHARS: usize = 150;

/// Fields of a read a client may send back unchanged; they are derived or
/// set by the server, so they are dropped rather than refused.
const DERIVED_FIELDS: &[&str] = &[
    "framework_slug",
    "requirements",
    "evidence",
    "stale",
    "verified_by",
    "verified_at",
];

struct Row {
    id: Uuid,
    enterprise_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    framework_id: Uuid,
    framework_slug: String,
    reference: String,
    title: String,
    description: String,
    priority: String,
    status: String,
    justification: Option<String>,
    owner_id: Option<Uuid>,
    test_results: String,
    last_tested_at: Option<DateTime<Utc>>,
    verified_by: Option<Uuid>,
    verified_at: Option<DateTime<Utc>>,
}

struct LinkRow {
    control_id: Uuid,
    id: Uuid,
    framework_slug: String,
    reference: String,
    title: String,
}

struct EvidenceRow {
    control_id: Uuid,
    id: Uuid,
    name: String,
    url: Option<String>,
    file_id: Option<Uuid>,
    collected_on: NaiveDate,
    valid_until: Option<NaiveDate>,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Turns rows into controls with their requirement links and evidence,
/// fetched in one query each for all the rows (never one per row).
async fn hydrate(
    conn: &mut PgConnection,
    rows: Vec<Row>,
    today: NaiveDate,
) -> DomainResult<Vec<Control>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let links = sqlx::query_as!(
        LinkRow,
        r#"
        SELECT cr.control_id, r.id, f.slug AS framework_slug, r.reference, r.title
          FROM control_requirements cr
          JOIN requirements r ON r.id = cr.requirement_id
          JOIN frameworks f ON f.id = r.framework_id
         WHERE cr.control_id = ANY($1)
         ORDER BY f.slug, r.position
        "#,
        &ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let evidence = sqlx::query_as!(
        EvidenceRow,
        r#"
        SELECT control_id, id, name, url, file_id,
               collected_on AS "collected_on: NaiveDate", valid_until AS "valid_until: NaiveDate"
          FROM control_evidence
         WHERE control_id = ANY($1)
         ORDER BY created_at, id
        "#,
        &ids,
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut links_of: HashMap<Uuid, Vec<RequirementLink>> = HashMap::new();
    for link in links {
        links_of
            .entry(link.control_id)
            .or_default()
            .push(RequirementLink {
                id: link.id,
                framework_slug: link.framework_slug,
                reference: link.reference,
                title: link.title,
            });
    }
    let mut evidence_of: HashMap<Uuid, Vec<Evidence>> = HashMap::new();
    for item in evidence {
        let dates = EvidenceDates {
            collected_on: item.collected_on,
            valid_until: item.valid_until,
        };
        evidence_of
            .entry(item.control_id)
            .or_default()
            .push(Evidence {
                id: item.id,
                name: item.name,
                url: item.url,
                file_id: item.file_id,
                collected_on: item.collected_on,
                valid_until: item.valid_until,
                expired: is_expired(&dates, today),
            });
    }

    rows.into_iter()
        .map(|row| {
            let priority = Priority::parse("priority", &row.priority).map_err(|_| {
                DomainError::Internal(format!("control {} has priority {}", row.id, row.priority))
            })?;
            let status = ControlStatus::parse("status", &row.status).map_err(|_| {
                DomainError::Internal(format!("control {} has status {}", row.id, row.status))
            })?;
            let requirements = links_of.remove(&row.id).unwrap_or_default();
            let evidence = evidence_of.remove(&row.id).unwrap_or_default();
            let dates: Vec<EvidenceDates> = evidence
                .iter()
                .map(|e| EvidenceDates {
                    collected_on: e.collected_on,
                    valid_until: e.valid_until,
                })
                .collect();
            Ok(Control {
                id: row.id,
                enterprise_id: row.enterprise_id,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
                created_by: row.created_by,
                framework_id: row.framework_id,
                framework_slug: row.framework_slug,
                reference: row.reference,
                title: row.title,
                description: row.description,
                priority,
                status,
                justification: row.justification,
                owner_id: row.owner_id,
                requirement_ids: requirements.iter().map(|r| r.id).collect(),
                requirements,
                stale: is_stale(&dates, today),
                evidence,
                test_results: row.test_results,
                last_tested_at: row.last_tested_at,
                verified_by: row.verified_by,
                verified_at: row.verified_at,
            })
        })
        .collect()
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> DomainResult<Option<Control>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM security_controls WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query_as!(
        Row,
        r#"
        SELECT c.id, c.enterprise_id, c.version,
               c.created_at AS "created_at: DateTime<Utc>", c.updated_at AS "updated_at: DateTime<Utc>",
               c.created_by, c.framework_id, f.slug AS framework_slug, c.reference, c.title,
               c.description, c.priority, c.status, c.justification, c.owner_id, c.test_results,
               c.last_tested_at AS "last_tested_at: DateTime<Utc>", c.verified_by,
               c.verified_at AS "verified_at: DateTime<Utc>"
          FROM security_controls c
          JOIN frameworks f ON f.id = c.framework_id
         WHERE c.id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(hydrate(conn, vec![row], today()).await?.pop())
}

/// One control the actor may read (404 otherwise, including other tenants').
pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Control> {
    let mut conn = pool.acquire().await?;
    let control = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, control.enterprise_id, Action::Read).await?;
    Ok(control)
}

/// Answers 404 / 403 before a large upload is read: the same check the
/// write repeats inside its transaction.
pub async fn check_writable(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<()> {
    let enterprise_id = sqlx::query_scalar!(
        "SELECT enterprise_id FROM security_controls WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(AppError::not_found)?;
    authorize_record(pool, actor, enterprise_id, Action::Write).await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    /// Framework id or slug.
    pub framework: Option<String>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub stale: Option<bool>,
    /// `?ordering=`; one of [`ORDERING_FIELDS`], optionally with `-`.
    pub ordering: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<Control>> {
    let mut errors = FieldErrors::new();
    let priority = filter.priority.as_deref().and_then(|raw| {
        Priority::parse("priority", raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    });
    let status = filter.status.as_deref().and_then(|raw| {
        ControlStatus::parse("status", raw)
            .map_err(|e| errors.extend(e.fields))
            .ok()
    });
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
    let today = today();
    let priorities: Vec<String> = Priority::ALL
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    let statuses: Vec<String> = ControlStatus::ALL
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as!(
        Row,
        r#"
        SELECT c.id, c.enterprise_id, c.version,
               c.created_at AS "created_at: DateTime<Utc>", c.updated_at AS "updated_at: DateTime<Utc>",
               c.created_by, c.framework_id, f.slug AS framework_slug, c.reference, c.title,
               c.description, c.priority, c.status, c.justification, c.owner_id, c.test_results,
               c.last_tested_at AS "last_tested_at: DateTime<Utc>", c.verified_by,
               c.verified_at AS "verified_at: DateTime<Utc>"
          FROM security_controls c
          JOIN frameworks f ON f.id = c.framework_id
         WHERE ($1::uuid IS NULL OR c.enterprise_id = $1)
           AND ($2::uuid IS NULL OR c.framework_id = $2)
           AND ($3::text IS NULL OR c.priority = $3)
           AND ($4::text IS NULL OR c.status = $4)
           AND ($5::bool IS NULL OR $5 = (
                    EXISTS (SELECT 1 FROM control_evidence e WHERE e.control_id = c.id)
                AND NOT EXISTS (SELECT 1 FROM control_evidence e WHERE e.control_id = c.id
                                   AND (e.valid_until IS NULL OR e.valid_until >= $6::date))))
         ORDER BY
               CASE WHEN $7::text = 'created_at' THEN c.created_at END ASC,
               CASE WHEN $7::text = '-created_at' THEN c.created_at END DESC,
               CASE WHEN $7::text = 'reference' THEN c.reference END ASC,
               CASE WHEN $7::text = '-reference' THEN c.reference END DESC,
               CASE WHEN $7::text = 'title' THEN lower(c.title) END ASC,
               CASE WHEN $7::text = '-title' THEN lower(c.title) END DESC,
               CASE WHEN $7::text = 'priority' THEN array_position($8::text[], c.priority) END ASC,
               CASE WHEN $7::text = '-priority' THEN array_position($8::text[], c.priority) END DESC,
               CASE WHEN $7::text = 'status' THEN array_position($9::text[], c.status) END ASC,
               CASE WHEN $7::text = '-status' THEN array_position($9::text[], c.status) END DESC,
               c.created_at DESC, c.id DESC
         LIMIT $10 OFFSET $11
        "#,
        scope,
        framework,
        priority.map(Priority::as_str),
        status.map(ControlStatus::as_str),
        filter.stale,
        today as _,
        ordering.key(),
        &priorities,
        &statuses,
        page.limit(),
        page.offset(),
    )
    .fetch_all(&mut *conn)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!"
          FROM security_controls c
         WHERE ($1::uuid IS NULL OR c.enterprise_id = $1)
           AND ($2::uuid IS NULL OR c.framework_id = $2)
           AND ($3::text IS NULL OR c.priority = $3)
           AND ($4::text IS NULL OR c.status = $4)
           AND ($5::bool IS NULL OR $5 = (
                    EXISTS (SELECT 1 FROM control_evidence e WHERE e.control_id = c.id)
                AND NOT EXISTS (SELECT 1 FROM control_evidence e WHERE e.control_id = c.id
                                   AND (e.valid_until IS NULL OR e.valid_until >= $6::date))))
        "#,
        scope,
        framework,
        priority.map(Priority::as_str),
        status.map(ControlStatus::as_str),
        filter.stale,
        today as _,
    )
    .fetch_one(&mut *conn)
    .await?;
    let controls = hydrate(&mut conn, rows, today).await?;
    Ok(Paged::new(page, count, controls))
}

/// The controls of one framework in an enterprise, with the
/// "controls verified" figure of SPEC §4.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FrameworkControls {
    pub framework_id: Uuid,
    pub slug: String,
    pub name: String,
    pub version: String,
    pub total: i64,
    pub verified: i64,
    pub not_applicable: i64,
    /// verified ÷ (total − not applicable), in percent; `null` when no
    /// control applies.
    pub verified_ratio: Option<f64>,
    pub controls: Vec<Control>,
}

/// Every control of the enterprise grouped by its framework (frameworks in
/// name order, controls by reference), in a fixed number of queries.
pub async fn by_framework(
    pool: &PgPool,
    actor: &Actor,
    enterprise: Option<Uuid>,
) -> DomainResult<Vec<FrameworkControls>> {
    let scope = list_scope(pool, actor, enterprise).await?;
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as!(
        Row,
        r#"
        SELECT c.id, c.enterprise_id, c.version,
               c.created_at AS "created_at: DateTime<Utc>", c.updated_at AS "updated_at: DateTime<Utc>",
               c.created_by, c.framework_id, f.slug AS framework_slug, c.reference, c.title,
               c.description, c.priority, c.status, c.justification, c.owner_id, c.test_results,
               c.last_tested_at AS "last_tested_at: DateTime<Utc>", c.verified_by,
               c.verified_at AS "verified_at: DateTime<Utc>"
          FROM security_controls c
          JOIN frameworks f ON f.id = c.framework_id
         WHERE ($1::uuid IS NULL OR c.enterprise_id = $1)
         ORDER BY f.name, f.version, c.reference, c.created_at
        "#,
        scope,
    )
    .fetch_all(&mut *conn)
    .await?;
    let framework_ids: Vec<Uuid> = rows.iter().map(|row| row.framework_id).collect();
    let frameworks = sqlx::query!(
        r#"SELECT id, slug, name, version FROM frameworks WHERE id = ANY($1) ORDER BY name, version"#,
        &framework_ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let controls = hydrate(&mut conn, rows, today()).await?;
    let mut groups: Vec<FrameworkControls> = frameworks
        .into_iter()
        .map(|f| FrameworkControls {
            framework_id: f.id,
            slug: f.slug,
            name: f.name,
            version: f.version,
            total: 0,
            verified: 0,
            not_applicable: 0,
            verified_ratio: None,
            controls: Vec::new(),
        })
        .collect();
    for control in controls {
        if let Some(group) = groups
            .iter_mut()
            .find(|g| g.framework_id == control.framework_id)
        {
            group.total += 1;
            match control.status {
                ControlStatus::Verified => group.verified += 1,
                ControlStatus::NotApplicable => group.not_applicable += 1,
                _ => {}
            }
            group.controls.push(control);
        }
    }
    for group in &mut groups {
        group.verified_ratio = percentage(group.verified, group.total - group.not_applicable);
    }
    Ok(groups)
}

/// The editable values of a control, as stored.
#[derive(Debug, Clone, PartialEq)]
struct Editable {
    framework_id: Uuid,
    reference: String,
    title: String,
    description: String,
    priority: Priority,
    status: ControlStatus,
    justification: Option<String>,
    owner_id: Option<Uuid>,
    requirement_ids: Vec<Uuid>,
    test_results: String,
    last_tested_at: Option<DateTime<Utc>>,
}

impl Editable {
    fn of(control: &Control) -> Self {
        Editable {
            framework_id: control.framework_id,
            reference: control.reference.clone(),
            title: control.title.clone(),
            description: control.description.clone(),
            priority: control.priority,
            status: control.status,
            justification: control.justification.clone(),
            owner_id: control.owner_id,
            requirement_ids: control.requirement_ids.clone(),
            test_results: control.test_results.clone(),
            last_tested_at: control.last_tested_at,
        }
    }

    /// The fields (by their wire names) whose value differs.
    fn changed_fields(&self, other: &Editable) -> Vec<&'static str> {
        let mut sorted_self = self.requirement_ids.clone();
        sorted_self.sort();
        let mut sorted_other = other.requirement_ids.clone();
        sorted_other.sort();
        [
            ("framework_id", self.framework_id != other.framework_id),
            ("reference", self.reference != other.reference),
            ("title", self.title != other.title),
            ("description", self.description != other.description),
            ("priority", self.priority != other.priority),
            ("status", self.status != other.status),
            ("justification", self.justification != other.justification),
            ("owner_id", self.owner_id != other.owner_id),
            ("requirement_ids", sorted_self != sorted_other),
            ("test_results", self.test_results != other.test_results),
            (
                "last_tested_at",
                self.last_tested_at != other.last_tested_at,
            ),
        ]
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| field)
        .collect()
    }
}

/// What a create or update body asks for; `None` = not sent. Nullable
/// fields are `Some(None)` when sent as null (to clear them).
#[derive(Debug, Default)]
struct Changes {
    /// (field name it came in, id or slug).
    framework: Option<(&'static str, String)>,
    reference: Option<String>,
    title: Option<String>,
    description: Option<String>,
    priority: Option<Priority>,
    status: Option<ControlStatus>,
    justification: Option<Option<String>>,
    owner_id: Option<Option<Uuid>>,
    requirement_ids: Option<Vec<Uuid>>,
    test_results: Option<String>,
    last_tested_at: Option<Option<DateTime<Utc>>>,
}

/// Absent → None; null → Some(None); a string → Some(Some(text)); anything
/// else is an error under the field's name.
fn take_text(
    map: &mut Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    match map.remove(field) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(text)),
        Some(_) => {
            errors.insert(field.into(), "Must be text.".into());
            None
        }
    }
}

fn merge(errors: &mut FieldErrors, error: AppError) {
    if error.fields.is_empty() {
        errors.insert("non_field_errors".into(), error.message);
    } else {
        errors.extend(error.fields);
    }
}

/// Reads the editable fields from a body, reporting every bad field at once.
fn take_changes(map: &mut Map<String, Value>, errors: &mut FieldErrors) -> Changes {
    let mut changes = Changes::default();
    let framework_id = take_text(map, "framework_id", errors);
    let framework = take_text(map, "framework", errors);
    for (field, value) in [("framework_id", framework_id), ("framework", framework)] {
        match value {
            // Not nullable: null is the same as not sending it.
            None | Some(None) => {}
            Some(Some(text)) if !text.trim().is_empty() => {
                if let Some((first, other)) = &changes.framework {
                    if other.trim() != text.trim() {
                        errors.insert(
                            (*first).into(),
                            "Name the framework once, as framework or framework_id.".into(),
                        );
                    }
                } else {
                    changes.framework = Some((field, text.trim().to_string()));
                }
            }
            Some(_) => {
                errors.insert(field.into(), "This field is required.".into());
            }
        }
    }
    match take_text(map, "reference", errors) {
        None => {}
        Some(text) => match parse_reference(text.as_deref().unwrap_or_default()) {
            Ok(reference) => changes.reference = Some(reference),
            Err(error) => merge(errors, error),
        },
    }
    match take_text(map, "title", errors) {
        None => {}
        Some(text) => match Title::parse("title", text.as_deref().unwrap_or_default()) {
            Ok(title) => changes.title = Some(title.into_inner()),
            Err(error) => merge(errors, error),
        },
    }
    for (field, max, slot) in [
        (
            "description",
            DESCRIPTION_MAX_CHARS,
            &mut changes.description,
        ),
        (
            "test_results",
            TEST_RESULTS_MAX_CHARS,
            &mut changes.test_results,
        ),
    ] {
        if let Some(text) = take_text(map, field, errors) {
            match parse_optional_text(field, text.as_deref(), max) {
                Ok(text) => *slot = Some(text.unwrap_or_default()),
                Err(error) => merge(errors, error),
            }
        }
    }
    if let Some(text) = take_text(map, "justification", errors) {
        match parse_optional_text("justification", text.as_deref(), JUSTIFICATION_MAX_CHARS) {
            Ok(text) => changes.justification = Some(text),
            Err(error) => merge(errors, error),
        }
    }
    match take_text(map, "priority", errors) {
        None => {}
        Some(text) => match Priority::parse("priority", text.as_deref().unwrap_or_default()) {
            Ok(priority) => changes.priority = Some(priority),
            Err(error) => merge(errors, error),
        },
    }
    match take_text(map, "status", errors) {
        None => {}
        Some(text) => match ControlStatus::parse("status", text.as_deref().unwrap_or_default()) {
            Ok(status) => changes.status = Some(status),
            Err(error) => merge(errors, error),
        },
    }
    match take_text(map, "owner_id", errors) {
        None => {}
        Some(None) => changes.owner_id = Some(None),
        Some(Some(text)) if text.trim().is_empty() => changes.owner_id = Some(None),
        Some(Some(text)) => match Uuid::parse_str(text.trim()) {
            Ok(id) => changes.owner_id = Some(Some(id)),
            Err(_) => {
                errors.insert("owner_id".into(), "Must be a user id (UUID).".into());
            }
        },
    }
    match map.remove("requirement_ids") {
        None => {}
        Some(Value::Null) => changes.requirement_ids = Some(Vec::new()),
        Some(Value::Array(items)) => {
            let mut ids = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()) {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => {
                        errors.insert(
                            "requirement_ids".into(),
                            "Must be a list of requirement ids (UUIDs).".into(),
                        );
                        break;
                    }
                }
            }
            changes.requirement_ids = Some(ids);
        }
        Some(_) => {
            errors.insert(
                "requirement_ids".into(),
                "Must be a list of requirement ids (UUIDs).".into(),
            );
        }
    }
    match take_text(map, "last_tested_at", errors) {
        None => {}
        Some(None) => changes.last_tested_at = Some(None),
        Some(Some(text)) if text.trim().is_empty() => changes.last_tested_at = Some(None),
        Some(Some(text)) => match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(at) if at.with_timezone(&Utc) <= Utc::now() + chrono::Duration::minutes(5) => {
                changes.last_tested_at = Some(Some(at.with_timezone(&Utc)))
            }
            Ok(_) => {
                errors.insert(
                    "last_tested_at".into(),
                    "The test date cannot be in the future.".into(),
                );
            }
            Err(_) => {
                errors.insert(
                    "last_tested_at".into(),
                    "Enter a date and time in RFC 3339 form, e.g. 2025-06-15T09:30:00Z.".into(),
                );
            }
        },
    }
    changes
}

/// Whatever is left in a body after every known field was taken.
fn reject_unknown(map: &Map<String, Value>, errors: &mut FieldErrors) {
    for field in map.keys() {
        errors.insert(field.clone(), "Unknown field.".into());
    }
}

fn parse_reference(raw: &str) -> Result<String, AppError> {
    let reference = raw.trim();
    if reference.is_empty() {
        return Err(AppError::field("reference", "This field is required."));
    }
    if reference.chars().count() > REFERENCE_MAX_CHARS {
        return Err(AppError::field(
            "reference",
            format!("Use at most {REFERENCE_MAX_CHARS} characters."),
        ));
    }
    if reference.chars().any(char::is_control) {
        return Err(AppError::field(
            "reference",
            "Use a single line without control characters.",
        ));
    }
    Ok(reference.to_string())
}

/// Runs a lookup whose refusal is a field error, collecting it instead of
/// returning it.
async fn collect<T>(
    result: impl std::future::Future<Output = DomainResult<T>>,
    errors: &mut FieldErrors,
) -> DomainResult<Option<T>> {
    match result.await {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::Refused(error)) if !error.fields.is_empty() => {
            errors.extend(error.fields);
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

async fn check_requirements(conn: &mut PgConnection, ids: &[Uuid]) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let known = sqlx::query_scalar!("SELECT id FROM requirements WHERE id = ANY($1)", ids)
        .fetch_all(conn)
        .await?;
    let unknown: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(Uuid::to_string)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::field(
            "requirement_ids",
            format!("Unknown requirement: {}.", unknown.join(", ")),
        )
        .into())
    }
}

/// The owner must be able to see the enterprise (one rule for every record).
async fn check_owner(
    conn: &mut PgConnection,
    enterprise_id: Uuid,
    owner_id: Uuid,
) -> DomainResult<()> {
    super::access::check_owner(conn, owner_id, enterprise_id).await
}

/// Applies the changes to `base` (the stored values, or the defaults of a
/// new control), resolving references and checking the status rules.
/// Field problems land in `errors`; a refused status move is returned as
/// the conflict to answer once the fields are fine.
async fn apply_changes(
    pool: &PgPool,
    conn: &mut PgConnection,
    enterprise_id: Uuid,
    base: &Editable,
    changes: Changes,
    errors: &mut FieldErrors,
) -> DomainResult<(Editable, Option<AppError>)> {
    let mut next = base.clone();
    if let Some((field, reference)) = changes.framework {
        if let Some(resolved) = collect(resolve(pool, &[reference], field), errors).await? {
            if let Some((id, _)) = resolved.first() {
                next.framework_id = *id;
            }
        }
    }
    if let Some(ids) = changes.requirement_ids {
        collect(check_requirements(conn, &ids), errors).await?;
        next.requirement_ids = ids;
    }
    if let Some(owner) = changes.owner_id {
        if let Some(id) = owner.filter(|id| Some(*id) != base.owner_id) {
            collect(check_owner(conn, enterprise_id, id), errors).await?;
        }
        next.owner_id = owner;
    }
    if let Some(reference) = changes.reference {
        next.reference = reference;
    }
    if let Some(title) = changes.title {
        next.title = title;
    }
    if let Some(description) = changes.description {
        next.description = description;
    }
    if let Some(priority) = changes.priority {
        next.priority = priority;
    }
    if let Some(justification) = changes.justification {
        next.justification = justification;
    }
    if let Some(test_results) = changes.test_results {
        next.test_results = test_results;
    }
    if let Some(last_tested_at) = changes.last_tested_at {
        next.last_tested_at = last_tested_at;
    }

    let requested = changes.status.unwrap_or(base.status);
    let mut conflict = None;
    if let Err(error) = check_status_change(base.status, requested, next.justification.as_deref()) {
        if error.fields.is_empty() {
            conflict = Some(error);
        } else {
            errors.extend(error.fields);
        }
    }
    // Staying not applicable still needs the reason (it may have been
    // cleared in this very edit).
    if requested == ControlStatus::NotApplicable && next.justification.is_none() {
        errors
            .entry("justification".into())
            .or_insert_with(|| "Explain why this control does not apply.".into());
    }
    next.status = requested;
    let changed = base.changed_fields(&next);
    next.status = status_after_edit(requested, &changed);
    Ok((next, conflict))
}

async fn set_requirements(
    conn: &mut PgConnection,
    control_id: Uuid,
    requirement_ids: &[Uuid],
) -> DomainResult<()> {
    sqlx::query!(
        "DELETE FROM control_requirements WHERE control_id = $1",
        control_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO control_requirements (control_id, requirement_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        control_id,
        requirement_ids,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    control: &Control,
    action: &str,
    changes: Value,
) -> DomainResult<()> {
    audit::record(
        conn,
        Some(actor),
        Entry {
            enterprise_id: Some(control.enterprise_id),
            entity_type: ENTITY_TYPE,
            entity_id: control.id.to_string(),
            action,
            changes,
        },
    )
    .await
}

/// Creates a control (members and admins). `status` defaults to
/// not_implemented; `verified` is reached only through verify.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<Control> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["version"]);
    body::drop_read_only(&mut input, DERIVED_FIELDS);
    let enterprise_id = body::uuid(&mut input, "enterprise_id", &mut errors);
    let Some(enterprise_id) = enterprise_id else {
        errors
            .entry("enterprise_id".into())
            .or_insert_with(|| "This field is required.".into());
        return Err(AppError::invalid(errors).into());
    };
    authorize(pool, actor, enterprise_id, Action::Write).await?;
    let changes = take_changes(&mut input, &mut errors);
    reject_unknown(&input, &mut errors);
    for (field, missing) in [
        ("framework", changes.framework.is_none()),
        ("reference", changes.reference.is_none()),
        ("title", changes.title.is_none()),
        ("priority", changes.priority.is_none()),
    ] {
        let named = match field {
            "framework" => errors.contains_key("framework") || errors.contains_key("framework_id"),
            other => errors.contains_key(other),
        };
        if missing && !named {
            errors.insert(field.into(), "This field is required.".into());
        }
    }

    let base = Editable {
        framework_id: Uuid::nil(),
        reference: String::new(),
        title: String::new(),
        description: String::new(),
        priority: Priority::Medium,
        status: ControlStatus::NotImplemented,
        justification: None,
        owner_id: None,
        requirement_ids: Vec::new(),
        test_results: String::new(),
        last_tested_at: None,
    };
    let mut tx = pool.begin().await?;
    let (next, conflict) =
        apply_changes(pool, &mut tx, enterprise_id, &base, changes, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    if let Some(conflict) = conflict {
        return Err(conflict.into());
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"
        INSERT INTO security_controls (id, enterprise_id, framework_id, reference, title, description,
                                       priority, status, justification, owner_id, test_results,
                                       last_tested_at, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        "#,
        id,
        enterprise_id,
        next.framework_id,
        next.reference,
        next.title,
        next.description,
        next.priority.as_str(),
        next.status.as_str(),
        next.justification,
        next.owner_id,
        next.test_results,
        next.last_tested_at as _,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    set_requirements(&mut tx, id, &next.requirement_ids).await?;
    let control = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("control vanished".into()))?;
    record(
        &mut tx,
        actor,
        &control,
        "create",
        audit::created(&to_json(&control)),
    )
    .await?;
    tx.commit().await?;
    Ok(control)
}

/// Changes the given fields (members and admins). A change to the
/// implementation of a verified control drops it back to implemented and
/// clears the sign-off. `if_match` and a body `version` guard against lost
/// updates.
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Control> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, &["enterprise_id"]);
    body::drop_read_only(&mut input, DERIVED_FIELDS);
    let body_version = body::version(&mut input, &mut errors);
    let changes = take_changes(&mut input, &mut errors);
    reject_unknown(&input, &mut errors);
    let expected = expected_version(body_version, if_match.map(|v| v.to_string()).as_deref())?;

    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    let base = Editable::of(&current);
    let (next, conflict) = apply_changes(
        pool,
        &mut tx,
        current.enterprise_id,
        &base,
        changes,
        &mut errors,
    )
    .await?;
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(expected, current.version, &current)?;
    if let Some(conflict) = conflict {
        return Err(conflict.into());
    }
    sqlx::query!(
        r#"
        UPDATE security_controls
           SET framework_id = $2, reference = $3, title = $4, description = $5, priority = $6,
               status = $7, justification = $8, owner_id = $9, test_results = $10,
               last_tested_at = $11,
               verified_by = CASE WHEN $7 = 'verified' THEN verified_by END,
               verified_at = CASE WHEN $7 = 'verified' THEN verified_at END,
               version = version + 1, updated_at = now()
         WHERE id = $1
        "#,
        id,
        next.framework_id,
        next.reference,
        next.title,
        next.description,
        next.priority.as_str(),
        next.status.as_str(),
        next.justification,
        next.owner_id,
        next.test_results,
        next.last_tested_at as _,
    )
    .execute(&mut *tx)
    .await?;
    if base.changed_fields(&next).contains(&"requirement_ids") {
        set_requirements(&mut tx, id, &next.requirement_ids).await?;
    }
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("control vanished".into()))?;
    record(
        &mut tx,
        actor,
        &updated,
        "update",
        audit::diff(&to_json(&current), &to_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes a control with its requirement links, evidence and files.
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
    let file_ids: Vec<Uuid> = current.evidence.iter().filter_map(|e| e.file_id).collect();
    sqlx::query!("DELETE FROM security_controls WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "DELETE FROM evidence_files WHERE id = ANY($1) AND enterprise_id = $2",
        &file_ids,
        current.enterprise_id,
    )
    .execute(&mut *tx)
    .await?;
    record(
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

/// The sign-off: only from implemented; records who and when.
pub async fn verify(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<Control> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    check_verify(current.status)?;
    sqlx::query!(
        r#"
        UPDATE security_controls
           SET status = $2, verified_by = $3, verified_at = now(),
               version = version + 1, updated_at = now()
         WHERE id = $1
        "#,
        id,
        ControlStatus::Verified.as_str(),
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("control vanished".into()))?;
    record(
        &mut tx,
        actor,
        &updated,
        "verify",
        audit::diff(&to_json(&current), &to_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// An uploaded file as the edge received it. Its name and type are the
/// client's claims: the name is sanitised and the type is sniffed.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

/// New evidence, as raw as it arrived (JSON or form fields).
#[derive(Debug, Default)]
pub struct NewEvidence {
    pub name: Option<String>,
    pub url: Option<String>,
    pub file: Option<UploadedFile>,
    pub collected_on: Option<String>,
    pub valid_until: Option<String>,
    pub version: Option<i32>,
}

impl NewEvidence {
    /// Reads a JSON body: {name, url, collected_on, valid_until?, version?}.
    pub fn from_json(mut map: Map<String, Value>) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let version = body::version(&mut map, &mut errors);
        let mut text = |field: &str| take_text(&mut map, field, &mut errors).flatten();
        let evidence = NewEvidence {
            name: text("name"),
            url: text("url"),
            collected_on: text("collected_on"),
            valid_until: text("valid_until"),
            file: None,
            version,
        };
        reject_unknown(&map, &mut errors);
        if errors.is_empty() {
            Ok(evidence)
        } else {
            Err(AppError::invalid(errors))
        }
    }
}

/// A date in `YYYY-MM-DD` form, within years 1900–9999.
fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .filter(|date| (1900..=9999).contains(&chrono::Datelike::year(date)))
        .ok_or_else(|| AppError::field(field, "Enter a date as YYYY-MM-DD."))
}

/// The content type of an upload, from its first bytes only. Text is
/// served as text/plain (never text/html, whatever it contains), anything
/// unrecognised as application/octet-stream.
pub fn sniff_content_type(data: &[u8]) -> &'static str {
    if data.starts_with(b"%PDF-") {
        "application/pdf"
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        "image/gif"
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        // ZIP, and the Office formats built on it (docx, xlsx, pptx).
        "application/zip"
    } else if looks_like_text(data) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

fn looks_like_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(8192)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut by the 8 KiB window is still text.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// A file name safe for a `Content-Disposition` header and any file system:
/// the last path segment, ASCII letters, digits and `. _ - ( )` and spaces,
/// no leading dots, at most 150 characters; "evidence" when nothing is left.
pub fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == ' ');
    let short: String = trimmed.chars().take(FILENAME_MAX_CHARS).collect();
    let short = short.trim_end_matches(['.', ' ']).to_string();
    if short.chars().all(|c| c == '_') {
        "evidence".to_string()
    } else {
        short
    }
}

/// Adds a piece of evidence (a link or an uploaded file). Evidence is part
/// of the implementation, so a verified control drops back to implemented.
pub async fn add_evidence(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    if_match: Option<i32>,
    input: NewEvidence,
) -> DomainResult<Control> {
    let mut errors = FieldErrors::new();
    let today = today();
    let expected = expected_version(input.version, if_match.map(|v| v.to_string()).as_deref())?;
    let filename = input
        .file
        .as_ref()
        .map(|file| sanitize_filename(file.filename.as_deref().unwrap_or_default()));
    let name = match (input.name.as_deref().map(str::trim), &filename) {
        (Some(name), _) if !name.is_empty() => Title::parse("name", name)
            .map_err(|e| merge(&mut errors, e))
            .ok(),
        (_, Some(filename)) => Title::parse("name", filename)
            .map_err(|e| merge(&mut errors, e))
            .ok(),
        _ => {
            errors.insert("name".into(), "This field is required.".into());
            None
        }
    };
    let url = match (input.url.as_deref(), &input.file) {
        (Some(url), None) => EvidenceUrl::parse("url", url)
            .map_err(|e| merge(&mut errors, e))
            .ok(),
        (Some(_), Some(_)) => {
            errors.insert(
                "url".into(),
                "Give either a link or a file, not both.".into(),
            );
            None
        }
        (None, Some(_)) => None,
        (None, None) => {
            errors.insert("url".into(), "Give a link, or upload a file.".into());
            None
        }
    };
    if let Some(file) = &input.file {
        if file.data.len() > MAX_EVIDENCE_FILE_BYTES {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                "Evidence files can be at most 10 MiB.",
            )
            .into());
        }
        if file.data.is_empty() {
            errors.insert("file".into(), "The file is empty.".into());
        }
    }
    let collected_on = match input.collected_on.as_deref() {
        Some(raw) if !raw.trim().is_empty() => parse_date("collected_on", raw)
            .map_err(|e| merge(&mut errors, e))
            .ok(),
        _ => {
            errors.insert("collected_on".into(), "This field is required.".into());
            None
        }
    };
    let valid_until = match input.valid_until.as_deref() {
        Some(raw) if !raw.trim().is_empty() => parse_date("valid_until", raw)
            .map_err(|e| merge(&mut errors, e))
            .ok(),
        _ => None,
    };
    if let Some(collected_on) = collected_on {
        if let Err(error) = check_evidence_dates(collected_on, valid_until, today) {
            merge(&mut errors, error);
        }
    }

    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    let (Some(name), Some(collected_on)) = (name, collected_on) else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(expected, current.version, &current)?;

    let mut file_audit = Value::Null;
    let file_id = match input.file {
        Some(file) => {
            let file_id = Uuid::now_v7();
            let content_type = sniff_content_type(&file.data);
            let sha256 = hex::encode(Sha256::digest(&file.data));
            let size = i32::try_from(file.data.len())
                .map_err(|_| DomainError::Internal("file size out of range".into()))?;
            let filename = filename.unwrap_or_else(|| "evidence".to_string());
            sqlx::query!(
                r#"
                INSERT INTO evidence_files (id, enterprise_id, filename, content_type, size_bytes, sha256, data, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                "#,
                file_id,
                current.enterprise_id,
                filename,
                content_type,
                size,
                sha256,
                file.data,
                actor.user_id,
            )
            .execute(&mut *tx)
            .await?;
            file_audit = serde_json::json!({
                "id": file_id, "filename": filename, "content_type": content_type,
                "size_bytes": size, "sha256": sha256,
            });
            Some(file_id)
        }
        None => None,
    };
    sqlx::query!(
        r#"
        INSERT INTO control_evidence (id, control_id, name, url, file_id, collected_on, valid_until)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        "#,
        Uuid::now_v7(),
        id,
        name.as_str(),
        url.as_ref().map(EvidenceUrl::as_str),
        file_id,
        collected_on as _,
        valid_until as _,
    )
    .execute(&mut *tx)
    .await?;
    let updated = touch_after_evidence(&mut tx, &current).await?;
    let mut changes = audit::diff(&to_json(&current), &to_json(&updated));
    if let (Value::Object(changes), false) = (&mut changes, file_audit.is_null()) {
        changes.insert(
            "evidence_file".into(),
            serde_json::json!({"before": null, "after": file_audit}),
        );
    }
    record(&mut tx, actor, &updated, "add_evidence", changes).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes a piece of evidence (and its file). Like adding, it changes the
/// implementation's proof, so a verified control drops back to implemented.
pub async fn delete_evidence(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    evidence_id: Uuid,
    expected_version: Option<i32>,
) -> DomainResult<Control> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    let Some(evidence) = current.evidence.iter().find(|e| e.id == evidence_id) else {
        return Err(AppError::not_found().into());
    };
    check_version(expected_version, current.version, &current)?;
    sqlx::query!(
        "DELETE FROM control_evidence WHERE id = $1 AND control_id = $2",
        evidence_id,
        id
    )
    .execute(&mut *tx)
    .await?;
    if let Some(file_id) = evidence.file_id {
        sqlx::query!(
            "DELETE FROM evidence_files WHERE id = $1 AND enterprise_id = $2",
            file_id,
            current.enterprise_id,
        )
        .execute(&mut *tx)
        .await?;
    }
    let updated = touch_after_evidence(&mut tx, &current).await?;
    record(
        &mut tx,
        actor,
        &updated,
        "delete_evidence",
        audit::diff(&to_json(&current), &to_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// After an evidence change: new version, and the status an implementation
/// change leaves (verified → implemented, sign-off cleared).
async fn touch_after_evidence(conn: &mut PgConnection, current: &Control) -> DomainResult<Control> {
    let status = status_after_edit(current.status, &["evidence"]);
    sqlx::query!(
        r#"
        UPDATE security_controls
           SET status = $2,
               verified_by = CASE WHEN $2 = 'verified' THEN verified_by END,
               verified_at = CASE WHEN $2 = 'verified' THEN verified_at END,
               version = version + 1, updated_at = now()
         WHERE id = $1
        "#,
        current.id,
        status.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    fetch(conn, current.id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("control vanished".into()))
}

/// An evidence file, ready to be served as an attachment.
#[derive(Debug, Clone)]
pub struct EvidenceDownload {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The file of a piece of evidence, for anyone who may read the control;
/// 404 for other tenants, unknown ids and link evidence.
pub async fn download_evidence(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    evidence_id: Uuid,
) -> DomainResult<EvidenceDownload> {
    let enterprise_id = sqlx::query_scalar!(
        "SELECT enterprise_id FROM security_controls WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(AppError::not_found)?;
    authorize_record(pool, actor, enterprise_id, Action::Read).await?;
    let file = sqlx::query!(
        r#"
        SELECT f.filename, f.content_type, f.data
          FROM control_evidence e
          JOIN evidence_files f ON f.id = e.file_id
         WHERE e.id = $1 AND e.control_id = $2 AND f.enterprise_id = $3
        "#,
        evidence_id,
        id,
        enterprise_id,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(EvidenceDownload {
        filename: sanitize_filename(&file.filename),
        content_type: file.content_type,
        data: file.data,
    })
}

fn to_json(control: &Control) -> Value {
    serde_json::to_value(control).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_only_the_bytes() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(
            sniff_content_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            "image/png"
        );
        assert_eq!(sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
        assert_eq!(sniff_content_type(b"GIF89a\x01\0"), "image/gif");
        assert_eq!(sniff_content_type(b"PK\x03\x04\x14\0"), "application/zip");
        assert_eq!(
            sniff_content_type(b"<!DOCTYPE html><script>alert(1)</script>"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            sniff_content_type("Résumé of the audit\n".as_bytes()),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            sniff_content_type(b"\0\x01\x02binary"),
            "application/octet-stream"
        );
        assert_eq!(sniff_content_type(b""), "application/octet-stream");
        // A multi-byte character cut by the 8 KiB window is still text.
        let mut long = "a".repeat(8191).into_bytes();
        long.extend("é and more".as_bytes());
        assert_eq!(sniff_content_type(&long), "text/plain; charset=utf-8");
    }

    #[test]
    fn filenames_are_sanitised() {
        assert_eq!(sanitize_filename("report.pdf"), "report.pdf");
        assert_eq!(
            sanitize_filename("C:\\Users\\x\\scan 2025.pdf"),
            "scan 2025.pdf"
        );
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("a\"b;\r\nc.txt"), "a_b___c.txt");
        assert_eq!(sanitize_filename(".htaccess"), "htaccess");
        assert_eq!(sanitize_filename(""), "evidence");
        assert_eq!(sanitize_filename("…"), "evidence");
        assert_eq!(sanitize_filename(&"x".repeat(400)).len(), 150);
    }

    #[test]
    fn dates_are_iso_and_bounded() {
        assert_eq!(
            parse_date("collected_on", "2025-06-15").unwrap(),
            NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
        );
        for bad in [
            "15/06/2025",
            "2025-6-15",
            "2025-02-30",
            "0001-01-01",
            "",
            "+12025-01-01",
        ] {
            assert!(
                parse_date("collected_on", bad)
                    .unwrap_err()
                    .fields
                    .contains_key("collected_on"),
                "{bad}"
            );
        }
    }

    #[test]
    fn changed_fields_compare_requirement_sets() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let base = Editable {
            framework_id: Uuid::nil(),
            reference: "A.1".into(),
            title: "t".into(),
            description: String::new(),
            priority: Priority::Low,
            status: ControlStatus::Verified,
            justification: None,
            owner_id: None,
            requirement_ids: vec![a, b],
            test_results: String::new(),
            last_tested_at: None,
        };
        let mut next = base.clone();
        next.requirement_ids = vec![b, a];
        assert!(base.changed_fields(&next).is_empty());
        next.title = "u".into();
        assert_eq!(base.changed_fields(&next), vec!["title"]);
        next.description = "d".into();
        assert_eq!(base.changed_fields(&next), vec!["title", "description"]);
    }
}

//! Security incidents (SPEC §3.5): records, the status workflow as one
//! compare-and-set, the timeline, the notification clocks, and the incident
//! figures of SPEC §4 (active by severity and status, MTTC / MTTR).
//!
//! The rules (which moves are allowed, which timestamps a move sets, which
//! clocks apply) live in `crate::domain::incident`; this module only reads
//! and writes rows, checks access and keeps the audit trail.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{authorize, authorize_record, Actor};
use super::audit::{self, Entry};
use super::error::{DomainError, DomainResult};
use super::records::{body, check_version, list_scope, optional_filter};
use crate::domain::common::{parse_optional_text, Severity, Title};
use crate::domain::enterprise::Action;
use crate::domain::error::{AppError, FieldErrors};
use crate::domain::incident::{
    self, check_lessons, check_transition, ActiveStatusCounts, ClockKey, DataCategory, Incident,
    IncidentEvent, IncidentStatus, Milestones, Regime, ResponseTimes, SeverityCounts,
};
use crate::domain::page::{Ordering, PageRequest, Paged};

pub const ORDERING_FIELDS: &[&str] = &[
    "detected_at",
    "reported_at",
    "severity",
    "status",
    "created_at",
];

const ENTITY: &str = "security_incident";
const TEXT_MAX: usize = 10_000;
const NOTE_MAX: usize = 2_000;
const REGULATOR_MAX: usize = 200;
const SYSTEMS_MAX: usize = 100;

/// The instant of a write, at the database's precision (microseconds), so
/// what the response says is exactly what was stored.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

struct Row {
    id: Uuid,
    enterprise_id: Uuid,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    title: String,
    description: String,
    severity: String,
    status: String,
    reported_at: DateTime<Utc>,
    investigation_started_at: Option<DateTime<Utc>>,
    contained_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    detected_at: DateTime<Utc>,
    systems_affected: Vec<String>,
    data_affected: bool,
    data_categories: Vec<String>,
    users_affected: i32,
    root_cause: Option<String>,
    lessons_learned: Option<String>,
    regulatory_notification_required: bool,
    regulator: Option<String>,
    regimes: Vec<String>,
    notifications_done: Value,
}

fn stored<T>(
    what: &str,
    raw: &str,
    parse: fn(&str, &str) -> Result<T, AppError>,
) -> DomainResult<T> {
    parse(what, raw)
        .map_err(|_| DomainError::Internal(format!("stored incident {what} {raw:?} unknown")))
}

impl Row {
    fn into_incident(self, now: DateTime<Utc>) -> DomainResult<Incident> {
        let severity = stored("severity", &self.severity, Severity::parse)?;
        let status = stored("status", &self.status, IncidentStatus::parse)?;
        let data_categories = self
            .data_categories
            .iter()
            .map(|raw| stored("data category", raw, DataCategory::parse))
            .collect::<DomainResult<Vec<_>>>()?;
        let regimes = self
            .regimes
            .iter()
            .map(|raw| stored("regime", raw, Regime::parse))
            .collect::<DomainResult<Vec<_>>>()?;
        let done: BTreeMap<String, DateTime<Utc>> = serde_json::from_value(self.notifications_done)
            .map_err(|e| {
                DomainError::Internal(format!(
                    "stored incident {} clocks unreadable: {e}",
                    self.id
                ))
            })?;
        let clocks = incident::clocks(self.detected_at, &regimes, &data_categories, &done, now);
        Ok(Incident {
            flagged: incident::is_flagged(&clocks),
            active: status.is_active(),
            clocks,
            id: self.id,
            enterprise_id: self.enterprise_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            title: self.title,
            description: self.description,
            severity,
            status,
            reported_at: self.reported_at,
            investigation_started_at: self.investigation_started_at,
            contained_at: self.contained_at,
            resolved_at: self.resolved_at,
            detected_at: self.detected_at,
            systems_affected: self.systems_affected,
            data_affected: self.data_affected,
            data_categories,
            users_affected: self.users_affected,
            root_cause: self.root_cause,
            lessons_learned: self.lessons_learned,
            regulatory_notification_required: self.regulatory_notification_required,
            regulator: self.regulator,
            regimes,
        })
    }
}

fn milestones(incident: &Incident) -> Milestones {
    Milestones {
        investigation_started_at: incident.investigation_started_at,
        contained_at: incident.contained_at,
        resolved_at: incident.resolved_at,
    }
}

/// The done marks of the clocks, as stored.
fn done_marks(incident: &Incident) -> BTreeMap<String, DateTime<Utc>> {
    incident
        .clocks
        .iter()
        .filter_map(|clock| Some((clock.key.as_str().to_string(), clock.done_at?)))
        .collect()
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> DomainResult<Option<Incident>> {
    if lock {
        sqlx::query!(
            "SELECT id FROM security_incidents WHERE id = $1 FOR UPDATE",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query_as!(
        Row,
        r#"
        SELECT id, enterprise_id, version, created_at AS "created_at: DateTime<Utc>",
               updated_at AS "updated_at: DateTime<Utc>", created_by, title, description, severity, status,
               reported_at AS "reported_at: DateTime<Utc>",
               investigation_started_at AS "investigation_started_at: DateTime<Utc>",
               contained_at AS "contained_at: DateTime<Utc>", resolved_at AS "resolved_at: DateTime<Utc>",
               detected_at AS "detected_at: DateTime<Utc>", systems_affected, data_affected, data_categories,
               users_affected, root_cause, lessons_learned, regulatory_notification_required, regulator,
               regimes, notifications_done
          FROM security_incidents
         WHERE id = $1
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.into_incident(now())).transpose()
}

/// One incident the actor may read (404 otherwise, including other
/// tenants').
pub async fn get(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Incident> {
    let mut conn = pool.acquire().await?;
    let incident = fetch(&mut conn, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *conn, actor, incident.enterprise_id, Action::Read).await?;
    Ok(incident)
}

#[derive(Default)]
pub struct ListFilter {
    pub enterprise: Option<Uuid>,
    pub severity: Option<String>,
    pub status: Option<String>,
    /// `true`: not resolved; `false`: resolved.
    pub active: Option<bool>,
    /// `severity` sorts critical first, `status` in workflow order.
    pub ordering: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    actor: &Actor,
    filter: ListFilter,
    page: PageRequest,
) -> DomainResult<Paged<Incident>> {
    let mut errors = FieldErrors::new();
    let severity = optional_filter(
        filter.severity.as_deref(),
        "severity",
        Severity::parse,
        &mut errors,
    );
    let status = optional_filter(
        filter.status.as_deref(),
        "status",
        IncidentStatus::parse,
        &mut errors,
    );
    let ordering = Ordering::parse(filter.ordering.as_deref(), ORDERING_FIELDS, "-detected_at")
        .map_err(|e| errors.extend(e.fields))
        .ok();
    let Some(ordering) = ordering.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let scope = list_scope(pool, actor, filter.enterprise).await?;
    let severity = severity.map(|s| s.as_str());
    let status = status.map(|s| s.as_str());
    let rows = sqlx::query_as!(
        Row,
        r#"
        SELECT id, enterprise_id, version, created_at AS "created_at: DateTime<Utc>",
               updated_at AS "updated_at: DateTime<Utc>", created_by, title, description, severity, status,
               reported_at AS "reported_at: DateTime<Utc>",
               investigation_started_at AS "investigation_started_at: DateTime<Utc>",
               contained_at AS "contained_at: DateTime<Utc>", resolved_at AS "resolved_at: DateTime<Utc>",
               detected_at AS "detected_at: DateTime<Utc>", systems_affected, data_affected, data_categories,
               users_affected, root_cause, lessons_learned, regulatory_notification_required, regulator,
               regimes, notifications_done
          FROM security_incidents
         WHERE ($1::uuid IS NULL OR enterprise_id = $1)
           AND ($2::text IS NULL OR severity = $2)
           AND ($3::text IS NULL OR status = $3)
           AND ($4::bool IS NULL OR (status <> 'resolved') = $4)
         ORDER BY
           CASE WHEN $5 = 'detected_at' THEN detected_at END ASC,
           CASE WHEN $5 = '-detected_at' THEN detected_at END DESC,
           CASE WHEN $5 = 'reported_at' THEN reported_at END ASC,
           CASE WHEN $5 = '-reported_at' THEN reported_at END DESC,
           CASE WHEN $5 = 'severity' THEN CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                                                        WHEN 'medium' THEN 2 ELSE 3 END END ASC,
           CASE WHEN $5 = '-severity' THEN CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                                                         WHEN 'medium' THEN 2 ELSE 3 END END DESC,
           CASE WHEN $5 = 'status' THEN CASE status WHEN 'reported' THEN 0 WHEN 'investigating' THEN 1
                                                    WHEN 'contained' THEN 2 ELSE 3 END END ASC,
           CASE WHEN $5 = '-status' THEN CASE status WHEN 'reported' THEN 0 WHEN 'investigating' THEN 1
                                                     WHEN 'contained' THEN 2 ELSE 3 END END DESC,
           CASE WHEN $5 = 'created_at' THEN created_at END ASC,
           created_at DESC, id
         LIMIT $6 OFFSET $7
        "#,
        scope,
        severity,
        status,
        filter.active,
        ordering.key(),
        page.limit(),
        page.offset(),
    )
    .fetch_all(pool)
    .await?;
    let count = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!" FROM security_incidents
         WHERE ($1::uuid IS NULL OR enterprise_id = $1)
           AND ($2::text IS NULL OR severity = $2)
           AND ($3::text IS NULL OR status = $3)
           AND ($4::bool IS NULL OR (status <> 'resolved') = $4)
        "#,
        scope,
        severity,
        status,
        filter.active,
    )
    .fetch_one(pool)
    .await?;
    let now = now();
    let incidents = rows
        .into_iter()
        .map(|r| r.into_incident(now))
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Paged::new(page, count, incidents))
}

/// The active (not resolved) incidents, most severe first.
pub async fn active(
    pool: &PgPool,
    actor: &Actor,
    enterprise: Option<Uuid>,
    page: PageRequest,
) -> DomainResult<Paged<Incident>> {
    let filter = ListFilter {
        enterprise,
        active: Some(true),
        ordering: Some("severity".into()),
        ..ListFilter::default()
    };
    list(pool, actor, filter, page).await
}

/// Active incidents of an enterprise by severity (SPEC §4).
pub async fn by_severity(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<SeverityCounts> {
    authorize(pool, actor, enterprise_id, Action::Read).await?;
    let rows = sqlx::query!(
        r#"
        SELECT severity, count(*) AS "count!" FROM security_incidents
         WHERE enterprise_id = $1 AND status <> 'resolved'
         GROUP BY severity
        "#,
        enterprise_id
    )
    .fetch_all(pool)
    .await?;
    let mut counts = SeverityCounts::default();
    for row in rows {
        counts.add(
            stored("severity", &row.severity, Severity::parse)?,
            row.count,
        );
    }
    Ok(counts)
}

/// Active incidents of an enterprise by status (SPEC §4).
pub async fn by_status(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<ActiveStatusCounts> {
    authorize(pool, actor, enterprise_id, Action::Read).await?;
    let row = sqlx::query!(
        r#"
        SELECT count(*) FILTER (WHERE status = 'reported') AS "reported!",
               count(*) FILTER (WHERE status = 'investigating') AS "investigating!",
               count(*) FILTER (WHERE status = 'contained') AS "contained!"
          FROM security_incidents
         WHERE enterprise_id = $1
        "#,
        enterprise_id
    )
    .fetch_one(pool)
    .await?;
    Ok(ActiveStatusCounts {
        reported: row.reported,
        investigating: row.investigating,
        contained: row.contained,
    })
}

/// MTTC / MTTR (SPEC §4) over the incidents resolved in the last `days`
/// days, in one statement. For callers that have already checked read
/// access to the enterprise.
pub async fn response_times(
    pool: &PgPool,
    enterprise_id: Uuid,
    days: i32,
) -> DomainResult<ResponseTimes> {
    if !(1..=3660).contains(&days) {
        return Err(AppError::field("days", "Use a window of 1 to 3660 days.").into());
    }
    let row = sqlx::query!(
        r#"
        SELECT count(*) AS "resolved_count!",
               avg(extract(epoch FROM contained_at - detected_at))::float8 AS mttc_seconds,
               avg(extract(epoch FROM resolved_at - detected_at))::float8 AS mttr_seconds
          FROM security_incidents
         WHERE enterprise_id = $1 AND status = 'resolved'
           AND resolved_at >= now() - make_interval(days => $2)
        "#,
        enterprise_id,
        days,
    )
    .fetch_one(pool)
    .await?;
    Ok(ResponseTimes {
        days,
        resolved_count: row.resolved_count,
        mttc_hours: row.mttc_seconds.map(incident::hours),
        mttr_hours: row.mttr_seconds.map(incident::hours),
    })
}

/// The editable fields, parsed from a JSON object; absent fields stay
/// `None`.
#[derive(Default)]
struct Changes {
    title: Option<String>,
    description: Option<String>,
    severity: Option<Severity>,
    status: Option<IncidentStatus>,
    detected_at: Option<DateTime<Utc>>,
    systems_affected: Option<Vec<String>>,
    data_affected: Option<bool>,
    data_categories: Option<Vec<DataCategory>>,
    users_affected: Option<i32>,
    root_cause: Option<Option<String>>,
    lessons_learned: Option<Option<String>>,
    regulatory_notification_required: Option<bool>,
    regulator: Option<Option<String>>,
    regimes: Option<Vec<Regime>>,
}

fn parse_changes(
    input: &mut Map<String, Value>,
    errors: &mut FieldErrors,
    now: DateTime<Utc>,
) -> Changes {
    let mut changes = Changes::default();
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
            Some(optional_text(errors, "description", &value, TEXT_MAX).unwrap_or_default());
    }
    if let Some(value) = input.remove("severity") {
        match value.as_str().map(|raw| Severity::parse("severity", raw)) {
            Some(Ok(severity)) => changes.severity = Some(severity),
            Some(Err(e)) => errors.extend(e.fields),
            None => {
                errors.insert(
                    "severity".into(),
                    "Severity must be one of: critical, high, medium, low.".into(),
                );
            }
        }
    }
    if let Some(value) = input.remove("status") {
        match value
            .as_str()
            .map(|raw| IncidentStatus::parse("status", raw))
        {
            Some(Ok(status)) => changes.status = Some(status),
            Some(Err(e)) => errors.extend(e.fields),
            None => {
                errors.insert("status".into(), "Status must be a string.".into());
            }
        }
    }
    if let Some(value) = input.remove("detected_at") {
        changes.detected_at = detected_at(errors, &value, now);
    }
    if let Some(value) = input.remove("systems_affected") {
        changes.systems_affected = systems(errors, value);
    }
    if let Some(value) = input.remove("data_affected") {
        changes.data_affected = boolean(errors, "data_affected", &value);
    }
    if let Some(value) = input.remove("data_categories") {
        changes.data_categories = enum_list(errors, "data_categories", value, DataCategory::parse);
    }
    if let Some(value) = input.remove("users_affected") {
        match value.as_i64() {
            Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => {
                changes.users_affected = Some(n as i32)
            }
            _ => {
                errors.insert(
                    "users_affected".into(),
                    "Enter the number of affected users (0 or more).".into(),
                );
            }
        }
    }
    if let Some(value) = input.remove("root_cause") {
        changes.root_cause = Some(optional_text(errors, "root_cause", &value, TEXT_MAX));
    }
    if let Some(value) = input.remove("lessons_learned") {
        changes.lessons_learned = Some(optional_text(errors, "lessons_learned", &value, TEXT_MAX));
    }
    if let Some(value) = input.remove("regulatory_notification_required") {
        changes.regulatory_notification_required =
            boolean(errors, "regulatory_notification_required", &value);
    }
    if let Some(value) = input.remove("regulator") {
        changes.regulator = Some(optional_text(errors, "regulator", &value, REGULATOR_MAX));
    }
    if let Some(value) = input.remove("regimes") {
        changes.regimes = enum_list(errors, "regimes", value, Regime::parse);
    }
    for unknown in input.keys() {
        errors.insert(unknown.clone(), "Unknown field.".into());
    }
    changes
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

fn boolean(errors: &mut FieldErrors, field: &str, value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        _ => {
            errors.insert(field.into(), "Must be true or false.".into());
            None
        }
    }
}

/// An RFC 3339 time, not in the future.
fn detected_at(
    errors: &mut FieldErrors,
    value: &Value,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let parsed = value
        .as_str()
        .and_then(|raw| DateTime::parse_from_rfc3339(raw.trim()).ok())
        .map(|time| time.with_timezone(&Utc).trunc_subsecs(6));
    match parsed {
        Some(time) if time <= now => Some(time),
        Some(_) => {
            errors.insert(
                "detected_at".into(),
                "The detection time cannot be in the future.".into(),
            );
            None
        }
        None => {
            errors.insert(
                "detected_at".into(),
                "Use a date and time as RFC 3339, e.g. 2025-03-10T14:30:00Z.".into(),
            );
            None
        }
    }
}

/// A list of system names: each trimmed, non-empty, one line, at most 200
/// characters; duplicates dropped.
fn systems(errors: &mut FieldErrors, value: Value) -> Option<Vec<String>> {
    const FIELD: &str = "systems_affected";
    let items = match value {
        Value::Null => return Some(Vec::new()),
        Value::Array(items) => items,
        _ => {
            errors.insert(FIELD.into(), "Must be a list of system names.".into());
            return None;
        }
    };
    if items.len() > SYSTEMS_MAX {
        errors.insert(FIELD.into(), format!("List at most {SYSTEMS_MAX} systems."));
        return None;
    }
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(raw) = item else {
            errors.insert(FIELD.into(), "Must be a list of system names.".into());
            return None;
        };
        if raw.trim().is_empty() {
            errors.insert(FIELD.into(), "System names cannot be empty.".into());
            return None;
        }
        match Title::parse(FIELD, &raw) {
            Ok(name) => {
                let name = name.into_inner();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            Err(e) => {
                errors.extend(e.fields);
                return None;
            }
        }
    }
    Some(names)
}

/// A list of wire values of a closed set; duplicates dropped, `null` is the
/// empty list.
fn enum_list<T: PartialEq>(
    errors: &mut FieldErrors,
    field: &str,
    value: Value,
    parse: fn(&str, &str) -> Result<T, AppError>,
) -> Option<Vec<T>> {
    let items = match value {
        Value::Null => return Some(Vec::new()),
        Value::Array(items) => items,
        _ => {
            errors.insert(field.into(), "Must be a list.".into());
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let parsed = match item.as_str() {
            Some(raw) => parse(field, raw),
            None => Err(AppError::field(field, "Must be a list of strings.")),
        };
        match parsed {
            Ok(value) => {
                if !out.contains(&value) {
                    out.push(value);
                }
            }
            Err(e) => {
                errors.extend(e.fields);
                return None;
            }
        }
    }
    Some(out)
}

/// Data categories describe the data an incident exposed, so they need
/// `data_affected`. Naming categories without setting `data_affected`
/// implies it; `fallback` is the stored value on an edit.
fn settle_data(
    errors: &mut FieldErrors,
    data_affected: Option<bool>,
    fallback: bool,
    categories: &[DataCategory],
    categories_given: bool,
) -> bool {
    let affected =
        data_affected.unwrap_or(fallback || (categories_given && !categories.is_empty()));
    if !affected && !categories.is_empty() {
        if categories_given {
            errors.insert(
                "data_categories".into(),
                "Data categories apply only when data_affected is true.".into(),
            );
        } else {
            errors.insert(
                "data_affected".into(),
                "Clear the data categories before setting data_affected to false.".into(),
            );
        }
    }
    affected
}

/// The fields a client may echo back from a read but never sets directly.
const READ_ONLY: &[&str] = &[
    "version",
    "reported_at",
    "investigation_started_at",
    "contained_at",
    "resolved_at",
    "clocks",
    "active",
    "flagged",
];

pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    mut input: Map<String, Value>,
) -> DomainResult<Incident> {
    let mut errors = FieldErrors::new();
    body::drop_read_only(&mut input, READ_ONLY);
    let enterprise_id = body::uuid(&mut input, "enterprise_id", &mut errors);
    if enterprise_id.is_none() && !errors.contains_key("enterprise_id") {
        errors.insert("enterprise_id".into(), "This field is required.".into());
    }
    // Who may write here is decided before what they wrote is judged.
    if let Some(enterprise_id) = enterprise_id {
        authorize(pool, actor, enterprise_id, Action::Write).await?;
    }
    let now = now();
    let changes = parse_changes(&mut input, &mut errors, now);
    for (field, missing) in [
        ("title", changes.title.is_none()),
        ("severity", changes.severity.is_none()),
        ("detected_at", changes.detected_at.is_none()),
    ] {
        if missing && !errors.contains_key(field) {
            errors.insert(field.into(), "This field is required.".into());
        }
    }
    if changes
        .status
        .is_some_and(|status| status != IncidentStatus::Reported)
    {
        errors.insert(
            "status".into(),
            "A new incident starts as reported; change its status with …/status/.".into(),
        );
    }
    let categories = changes.data_categories.clone().unwrap_or_default();
    let data_affected = settle_data(&mut errors, changes.data_affected, false, &categories, true);
    let (Some(enterprise_id), Some(title), Some(severity), Some(detected_at)) = (
        enterprise_id,
        changes.title.clone(),
        changes.severity,
        changes.detected_at,
    ) else {
        return Err(AppError::invalid(errors).into());
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }

    let mut tx = pool.begin().await?;
    let id = Uuid::now_v7();
    let categories: Vec<String> = categories.iter().map(|c| c.as_str().to_string()).collect();
    let regimes: Vec<String> = changes
        .regimes
        .unwrap_or_default()
        .iter()
        .map(|r| r.as_str().to_string())
        .collect();
    sqlx::query!(
        r#"
        INSERT INTO security_incidents
            (id, enterprise_id, title, description, severity, status, reported_at, detected_at,
             systems_affected, data_affected, data_categories, users_affected, root_cause, lessons_learned,
             regulatory_notification_required, regulator, regimes, created_at, updated_at, created_by)
        VALUES ($1, $2, $3, $4, $5, 'reported', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $6, $6, $17)
        "#,
        id,
        enterprise_id,
        title,
        changes.description.unwrap_or_default(),
        severity.as_str(),
        now as _,
        detected_at as _,
        &changes.systems_affected.unwrap_or_default(),
        data_affected,
        &categories,
        changes.users_affected.unwrap_or(0),
        changes.root_cause.flatten(),
        changes.lessons_learned.flatten(),
        changes.regulatory_notification_required.unwrap_or(false),
        changes.regulator.flatten(),
        &regimes,
        actor.user_id,
    )
    .execute(&mut *tx)
    .await?;
    insert_event(
        &mut tx,
        id,
        enterprise_id,
        None,
        IncidentStatus::Reported,
        actor,
        None,
        now,
    )
    .await?;
    let incident = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("incident vanished".into()))?;
    write_audit(
        &mut tx,
        actor,
        &incident,
        "create",
        audit::created(&to_json(&incident)),
    )
    .await?;
    tx.commit().await?;
    Ok(incident)
}

/// Changes the fields other than the status (which only moves through
/// `change_status`, so that the timeline records every move).
pub async fn update(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    mut input: Map<String, Value>,
) -> DomainResult<Incident> {
    let mut errors = FieldErrors::new();
    let body_version = body::version(&mut input, &mut errors);
    body::drop_read_only(&mut input, READ_ONLY);
    input.remove("enterprise_id");
    let now = now();
    let changes = parse_changes(&mut input, &mut errors, now);

    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    if changes
        .status
        .is_some_and(|status| status != current.status)
    {
        errors.insert(
            "status".into(),
            format!(
                "Change the status with POST /api/security/incidents/{id}/status/ so the timeline records it."
            ),
        );
    }
    let categories = changes
        .data_categories
        .clone()
        .unwrap_or_else(|| current.data_categories.clone());
    let data_affected = settle_data(
        &mut errors,
        changes.data_affected,
        current.data_affected,
        &categories,
        changes.data_categories.is_some(),
    );
    let detected = changes.detected_at.unwrap_or(current.detected_at);
    if changes.detected_at.is_some() && detected > current.reported_at {
        errors.insert(
            "detected_at".into(),
            format!(
                "The incident cannot have been detected after it was reported ({}).",
                current.reported_at.to_rfc3339()
            ),
        );
    }
    let severity = changes.severity.unwrap_or(current.severity);
    let lessons = changes
        .lessons_learned
        .clone()
        .unwrap_or_else(|| current.lessons_learned.clone());
    if let Err(e) = check_lessons(current.status, severity, lessons.as_deref()) {
        errors.extend(e.fields);
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors).into());
    }
    check_version(expected_version.or(body_version), current.version, &current)?;
    let categories: Vec<String> = categories.iter().map(|c| c.as_str().to_string()).collect();
    let regimes: Vec<String> = changes
        .regimes
        .as_ref()
        .unwrap_or(&current.regimes)
        .iter()
        .map(|r| r.as_str().to_string())
        .collect();
    sqlx::query!(
        r#"
        UPDATE security_incidents SET
            title = $2, description = $3, severity = $4, detected_at = $5, systems_affected = $6,
            data_affected = $7, data_categories = $8, users_affected = $9, root_cause = $10,
            lessons_learned = $11, regulatory_notification_required = $12, regulator = $13, regimes = $14,
            version = version + 1, updated_at = $15
        WHERE id = $1
        "#,
        id,
        changes.title.unwrap_or_else(|| current.title.clone()),
        changes
            .description
            .unwrap_or_else(|| current.description.clone()),
        severity.as_str(),
        detected as _,
        &changes
            .systems_affected
            .unwrap_or_else(|| current.systems_affected.clone()),
        data_affected,
        &categories,
        changes.users_affected.unwrap_or(current.users_affected),
        changes
            .root_cause
            .unwrap_or_else(|| current.root_cause.clone()),
        lessons,
        changes
            .regulatory_notification_required
            .unwrap_or(current.regulatory_notification_required),
        changes
            .regulator
            .unwrap_or_else(|| current.regulator.clone()),
        &regimes,
        now as _,
    )
    .execute(&mut *tx)
    .await?;
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("incident vanished".into()))?;
    write_audit(
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
    sqlx::query!("DELETE FROM security_incidents WHERE id = $1", id)
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

/// A status change as a client sends it: `{status, note?, version?}`.
pub struct StatusRequest {
    pub status: IncidentStatus,
    pub note: Option<String>,
    pub version: Option<i32>,
}

impl StatusRequest {
    /// Reads the JSON body of `POST …/status/`, naming every bad field.
    pub fn parse(mut input: Map<String, Value>) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let version = body::version(&mut input, &mut errors);
        let status = match input.remove("status") {
            Some(Value::String(raw)) => IncidentStatus::parse("status", &raw)
                .map_err(|e| errors.extend(e.fields))
                .ok(),
            Some(_) => {
                errors.insert("status".into(), "Status must be a string.".into());
                None
            }
            None => {
                errors.insert("status".into(), "This field is required.".into());
                None
            }
        };
        let note = input
            .remove("note")
            .and_then(|value| optional_text(&mut errors, "note", &value, NOTE_MAX));
        for unknown in input.keys() {
            errors.insert(unknown.clone(), "Unknown field.".into());
        }
        match status {
            Some(status) if errors.is_empty() => Ok(StatusRequest {
                status,
                note,
                version,
            }),
            _ => Err(AppError::invalid(errors)),
        }
    }
}

/// Moves an incident to `to` as one compare-and-set on its version: of two
/// people changing the same incident from the same version, exactly one
/// wins and the other gets 409 with the current record. The winner's
/// change, its timeline event and its audit row commit together.
pub async fn change_status(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    to: IncidentStatus,
    note: Option<&str>,
    expected_version: Option<i32>,
) -> DomainResult<Incident> {
    let note = parse_optional_text("note", note, NOTE_MAX)?;
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    check_version(expected_version, current.version, &current)?;
    let transition = check_transition(
        current.status,
        to,
        current.severity,
        current.lessons_learned.as_deref(),
    )?;
    let now = now();
    let stamps = transition.apply(milestones(&current), now);
    // The status and the timestamps were decided from the version read
    // above; they are written only if the row is still at that version.
    let row = sqlx::query_as!(
        Row,
        r#"
        UPDATE security_incidents SET
            status = $4, investigation_started_at = $5, contained_at = $6, resolved_at = $7,
            version = version + 1, updated_at = $8
        WHERE id = $1 AND enterprise_id = $2 AND version = $3
        RETURNING id, enterprise_id, version, created_at AS "created_at: DateTime<Utc>",
               updated_at AS "updated_at: DateTime<Utc>", created_by, title, description, severity, status,
               reported_at AS "reported_at: DateTime<Utc>",
               investigation_started_at AS "investigation_started_at: DateTime<Utc>",
               contained_at AS "contained_at: DateTime<Utc>", resolved_at AS "resolved_at: DateTime<Utc>",
               detected_at AS "detected_at: DateTime<Utc>", systems_affected, data_affected, data_categories,
               users_affected, root_cause, lessons_learned, regulatory_notification_required, regulator,
               regimes, notifications_done
        "#,
        id,
        current.enterprise_id,
        current.version,
        to.as_str(),
        stamps.investigation_started_at as _,
        stamps.contained_at as _,
        stamps.resolved_at as _,
        now as _,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        // Someone else changed it since it was read: report what it is now.
        drop(tx);
        let latest = get(pool, actor, id).await?;
        check_version(Some(current.version), latest.version, &latest)?;
        return Err(
            AppError::conflict("This incident was changed by someone else; try again.").into(),
        );
    };
    let updated = row.into_incident(now)?;
    insert_event(
        &mut tx,
        id,
        updated.enterprise_id,
        Some(current.status),
        to,
        actor,
        note.as_deref(),
        now,
    )
    .await?;
    let mut changes = audit::diff(&to_json(&current), &to_json(&updated));
    if let (Some(map), Some(note)) = (changes.as_object_mut(), note) {
        map.insert(
            "note".into(),
            serde_json::json!({"before": null, "after": note}),
        );
    }
    write_audit(&mut tx, actor, &updated, "status", changes).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Marks a notification clock done now (`POST …/clocks/{key}/done/`). An
/// unknown key names nothing (404); a clock that does not apply to this
/// incident is refused (400); marking one twice is a conflict (409).
pub async fn mark_clock_done(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    key: &str,
    expected_version: Option<i32>,
) -> DomainResult<Incident> {
    let mut tx = pool.begin().await?;
    let current = fetch(&mut tx, id, true)
        .await?
        .ok_or_else(AppError::not_found)?;
    authorize_record(&mut *tx, actor, current.enterprise_id, Action::Write).await?;
    let key = ClockKey::parse("key", key).map_err(|_| AppError::not_found())?;
    let Some(clock) = current.clocks.iter().find(|clock| clock.key == key) else {
        return Err(AppError::field(
            "key",
            format!(
                "The {} clock does not apply to this incident (set its regimes or data categories first).",
                key.as_str()
            ),
        )
        .into());
    };
    if let Some(done_at) = clock.done_at {
        return Err(AppError::conflict(format!(
            "This notification was already marked done at {}.",
            done_at.to_rfc3339()
        ))
        .into());
    }
    check_version(expected_version, current.version, &current)?;
    let now = now();
    let mut done = done_marks(&current);
    done.insert(key.as_str().to_string(), now);
    let done = serde_json::to_value(&done).map_err(|e| DomainError::Internal(e.to_string()))?;
    sqlx::query!(
        r#"
        UPDATE security_incidents SET notifications_done = $2, version = version + 1, updated_at = $3
        WHERE id = $1
        "#,
        id,
        done,
        now as _,
    )
    .execute(&mut *tx)
    .await?;
    let updated = fetch(&mut tx, id, false)
        .await?
        .ok_or_else(|| DomainError::Internal("incident vanished".into()))?;
    write_audit(
        &mut tx,
        actor,
        &updated,
        "clock_done",
        audit::diff(&to_json(&current), &to_json(&updated)),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// The incident's timeline, oldest first.
pub async fn events(pool: &PgPool, actor: &Actor, id: Uuid) -> DomainResult<Vec<IncidentEvent>> {
    get(pool, actor, id).await?;
    let rows = sqlx::query!(
        r#"
        SELECT id, incident_id, from_status, to_status, actor_id, note, at AS "at: DateTime<Utc>"
          FROM incident_events
         WHERE incident_id = $1
         ORDER BY at, id
        "#,
        id
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(IncidentEvent {
                id: r.id,
                incident_id: r.incident_id,
                from_status: r
                    .from_status
                    .as_deref()
                    .map(|s| stored("status", s, IncidentStatus::parse))
                    .transpose()?,
                to_status: stored("status", &r.to_status, IncidentStatus::parse)?,
                actor_id: r.actor_id,
                note: r.note,
                at: r.at,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    conn: &mut PgConnection,
    incident_id: Uuid,
    enterprise_id: Uuid,
    from: Option<IncidentStatus>,
    to: IncidentStatus,
    actor: &Actor,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    sqlx::query!(
        r#"
        INSERT INTO incident_events (id, incident_id, enterprise_id, from_status, to_status, actor_id, note, at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        "#,
        Uuid::now_v7(),
        incident_id,
        enterprise_id,
        from.map(IncidentStatus::as_str),
        to.as_str(),
        actor.user_id,
        note,
        at as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_audit(
    conn: &mut PgConnection,
    actor: &Actor,
    incident: &Incident,
    action: &str,
    changes: Value,
) -> DomainResult<()> {
    audit::record(
        conn,
        Some(actor),
        Entry {
            enterprise_id: Some(incident.enterprise_id),
            entity_type: ENTITY,
            entity_id: incident.id.to_string(),
            action,
            changes,
        },
    )
    .await
}

/// The record as the audit trail compares it: the derived clock states
/// (which change with the time of day, not with anyone's action) are left
/// out; the done marks, which people set, stay in.
fn to_json(incident: &Incident) -> Value {
    let mut value = serde_json::to_value(incident).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("clocks");
        map.remove("flagged");
        map.insert(
            "notifications_done".into(),
            serde_json::to_value(done_marks(incident)).unwrap_or(Value::Null),
        );
    }
    value
}

//! The SQL of the printable reports (SPEC §7): the compliance report and the
//! ISO/IEC 27001 Statement of Applicability. Each function is one statement
//! for the whole report, whatever the data size — never one per row.
//!
//! None of these checks access: the caller has already checked
//! [`Action::Read`](crate::domain::enterprise::Action::Read) on the
//! enterprise (as [`super::enterprises::get`] does), exactly like
//! [`super::compliance::scores_unchecked`].

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::error::{DomainError, DomainResult};
use crate::domain::audit::{finding_overdue, FindingStatus};
use crate::domain::common::Severity;
use crate::domain::compliance::{is_overdue, RequirementStatus};
use crate::domain::control::ControlStatus;

/// One tracked compliance requirement as the report prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedRequirement {
    pub framework_id: Uuid,
    pub requirement_ref: Option<String>,
    pub title: String,
    pub status: RequirementStatus,
    pub owner_name: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
    pub evidence: String,
}

/// Every tracked requirement of the enterprise (of one framework when
/// `framework_id` is given), in catalogue order within each framework; items
/// that are not in the catalogue follow, by reference and title.
pub async fn tracked_requirements(
    pool: &PgPool,
    enterprise_id: Uuid,
    framework_id: Option<Uuid>,
    today: NaiveDate,
) -> DomainResult<Vec<TrackedRequirement>> {
    let rows = sqlx::query!(
        r#"
        SELECT c.framework_id, c.requirement_ref, c.title, c.status, u.name AS "owner_name?",
               c.deadline AS "deadline: NaiveDate", c.evidence
          FROM compliance_requirements c
          JOIN frameworks f ON f.id = c.framework_id
          LEFT JOIN requirements r ON r.framework_id = c.framework_id AND r.reference = c.requirement_ref
          LEFT JOIN users u ON u.id = c.owner_id
         WHERE c.enterprise_id = $1
           AND ($2::uuid IS NULL OR c.framework_id = $2)
         ORDER BY f.name, f.version, r.position NULLS LAST, c.requirement_ref NULLS LAST, c.title, c.id
        "#,
        enterprise_id,
        framework_id,
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let status = RequirementStatus::parse("status", &row.status).map_err(|_| {
                DomainError::Internal(format!("stored status {:?} unknown", row.status))
            })?;
            Ok(TrackedRequirement {
                framework_id: row.framework_id,
                requirement_ref: row.requirement_ref,
                title: row.title,
                status,
                owner_name: row.owner_name,
                overdue: is_overdue(row.deadline, status, today),
                deadline: row.deadline,
                evidence: row.evidence,
            })
        })
        .collect()
}

/// An unresolved audit finding.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFinding {
    pub audit_title: String,
    pub title: String,
    pub severity: Severity,
    pub remediation_deadline: Option<NaiveDate>,
    pub status: FindingStatus,
    pub overdue: bool,
}

/// Every finding of the enterprise's audits that is not resolved: the most
/// severe first, then the earliest deadline.
pub async fn open_findings(
    pool: &PgPool,
    enterprise_id: Uuid,
    today: NaiveDate,
) -> DomainResult<Vec<OpenFinding>> {
    let rows = sqlx::query!(
        r#"
        SELECT a.title AS audit_title, x.title, x.severity,
               x.remediation_deadline AS "remediation_deadline: NaiveDate", x.status
          FROM audit_findings x
          JOIN security_audits a ON a.id = x.audit_id
         WHERE x.enterprise_id = $1 AND x.status <> 'resolved'
         ORDER BY CASE x.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
                  x.remediation_deadline ASC NULLS LAST, a.title, x.title, x.id
        "#,
        enterprise_id,
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let severity = Severity::parse("severity", &row.severity).map_err(|_| {
                DomainError::Internal(format!("stored severity {:?} unknown", row.severity))
            })?;
            let status = FindingStatus::parse("status", &row.status).map_err(|_| {
                DomainError::Internal(format!("stored status {:?} unknown", row.status))
            })?;
            Ok(OpenFinding {
                audit_title: row.audit_title,
                title: row.title,
                severity,
                overdue: finding_overdue(row.remediation_deadline, status, today),
                remediation_deadline: row.remediation_deadline,
                status,
            })
        })
        .collect()
}

/// A security control of the enterprise that addresses a catalogue
/// requirement: linked to it (`control_requirements`), or a control of the
/// same framework with the same reference.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedControl {
    pub requirement_id: Uuid,
    pub control_id: Uuid,
    pub reference: String,
    pub title: String,
    pub status: ControlStatus,
    pub justification: Option<String>,
    /// The names of the control's evidence, oldest first, with whether each
    /// has expired.
    pub evidence: Vec<(String, bool)>,
}

/// Every (catalogue requirement of `framework_id`, enterprise control) pair
/// where the control addresses the requirement, in catalogue order, with the
/// controls' evidence — one statement.
pub async fn mapped_controls(
    pool: &PgPool,
    enterprise_id: Uuid,
    framework_id: Uuid,
    today: NaiveDate,
) -> DomainResult<Vec<MappedControl>> {
    let rows = sqlx::query!(
        r#"
        WITH mapped AS (
            SELECT cr.requirement_id, cr.control_id
              FROM control_requirements cr
              JOIN requirements r ON r.id = cr.requirement_id
              JOIN security_controls c ON c.id = cr.control_id
             WHERE c.enterprise_id = $1 AND r.framework_id = $2
            UNION
            SELECT r.id, c.id
              FROM security_controls c
              JOIN requirements r ON r.framework_id = c.framework_id AND r.reference = c.reference
             WHERE c.enterprise_id = $1 AND c.framework_id = $2
        )
        SELECT m.requirement_id AS "requirement_id!", c.id AS "control_id!", c.reference, c.title,
               c.status, c.justification,
               COALESCE(ev.names, '{}') AS "evidence_names!: Vec<String>",
               COALESCE(ev.expired, '{}') AS "evidence_expired!: Vec<bool>"
          FROM mapped m
          JOIN requirements r ON r.id = m.requirement_id
          JOIN security_controls c ON c.id = m.control_id
          LEFT JOIN LATERAL (
                SELECT array_agg(e.name ORDER BY e.collected_on, e.name) AS names,
                       array_agg(COALESCE(e.valid_until < $3, false) ORDER BY e.collected_on, e.name) AS expired
                  FROM control_evidence e
                 WHERE e.control_id = c.id
          ) ev ON true
         ORDER BY r.position, c.reference, c.created_at, c.id
        "#,
        enterprise_id,
        framework_id,
        today as _,
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let status = ControlStatus::parse("status", &row.status).map_err(|_| {
                DomainError::Internal(format!("stored control status {:?} unknown", row.status))
            })?;
            Ok(MappedControl {
                requirement_id: row.requirement_id,
                control_id: row.control_id,
                reference: row.reference,
                title: row.title,
                status,
                justification: row.justification,
                evidence: row
                    .evidence_names
                    .into_iter()
                    .zip(row.evidence_expired)
                    .collect(),
            })
        })
        .collect()
}

//! The dashboard figures. Each function runs a fixed number of statements
//! whatever the data size (a test counts them with pg_stat_statements).

use sqlx::PgPool;
use uuid::Uuid;

use super::access::{authorize, Actor};
use super::compliance::{scores_unchecked, today};
use super::error::DomainResult;
use super::{audits, incidents};
use crate::domain::compliance::{band, percentage};
use crate::domain::dashboard::{AuditsDashboard, IncidentsDashboard, Overview};
use crate::domain::enterprise::Action;
use crate::domain::incident::SeverityCounts;
use crate::domain::page::PageRequest;
use crate::domain::records::ComplianceScores;

/// How many incidents the flagged list looks at; more active incidents than
/// this is a crisis the incidents page handles, not the dashboard.
const ACTIVE_WINDOW: i64 = 200;
const RECENT: i64 = 10;

pub async fn overview(pool: &PgPool, actor: &Actor, enterprise_id: Uuid) -> DomainResult<Overview> {
    authorize(pool, actor, enterprise_id, Action::Read).await?;
    let row = sqlx::query!(
        r#"
        SELECT
          (SELECT count(*) FROM security_policies WHERE enterprise_id = $1) AS "policies!",
          (SELECT count(*) FROM security_controls WHERE enterprise_id = $1) AS "controls_total!",
          (SELECT count(*) FROM security_controls WHERE enterprise_id = $1 AND status = 'verified') AS "controls_verified!",
          (SELECT count(*) FROM security_controls WHERE enterprise_id = $1 AND status = 'not_applicable') AS "controls_na!",
          (SELECT count(*) FROM security_incidents WHERE enterprise_id = $1 AND status <> 'resolved' AND severity = 'critical') AS "critical!",
          (SELECT count(*) FROM security_incidents WHERE enterprise_id = $1 AND status <> 'resolved' AND severity = 'high') AS "high!",
          (SELECT count(*) FROM security_incidents WHERE enterprise_id = $1 AND status <> 'resolved' AND severity = 'medium') AS "medium!",
          (SELECT count(*) FROM security_incidents WHERE enterprise_id = $1 AND status <> 'resolved' AND severity = 'low') AS "low!",
          (SELECT count(*) FROM audit_findings WHERE enterprise_id = $1 AND status <> 'resolved') AS "open_findings!",
          (SELECT count(*) FROM audit_findings WHERE enterprise_id = $1 AND status <> 'resolved'
                                                 AND remediation_deadline < $2) AS "overdue_findings!"
        "#,
        enterprise_id,
        today() as _,
    )
    .fetch_one(pool)
    .await?;
    let scores = scores_unchecked(pool, enterprise_id).await?;
    let flagged = flagged_incidents(pool, actor, enterprise_id).await?;
    let by_severity = SeverityCounts {
        critical: row.critical,
        high: row.high,
        medium: row.medium,
        low: row.low,
    };
    Ok(Overview {
        enterprise_id,
        policies_active: row.policies.min(1),
        controls_total: row.controls_total,
        controls_verified: row.controls_verified,
        controls_not_applicable: row.controls_na,
        controls_verified_ratio: percentage(
            row.controls_verified,
            row.controls_total - row.controls_na,
        ),
        active_incidents: by_severity.total(),
        active_incidents_by_severity: by_severity,
        flagged_incidents: flagged.len() as i64,
        compliance_score: scores.score,
        compliance_band: scores.score.map(band),
        overdue_requirements: scores.counts.overdue,
        open_findings: row.open_findings,
        overdue_findings: row.overdue_findings,
    })
}

async fn flagged_incidents(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<Vec<crate::domain::incident::Incident>> {
    let window = PageRequest::parse(Some(1), Some(ACTIVE_WINDOW))?;
    let active = incidents::active(pool, actor, Some(enterprise_id), window).await?;
    Ok(active.results.into_iter().filter(|i| i.flagged).collect())
}

pub async fn compliance(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
) -> DomainResult<ComplianceScores> {
    super::compliance::scores(pool, actor, enterprise_id).await
}

pub async fn incidents(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
    days: i32,
) -> DomainResult<IncidentsDashboard> {
    let by_severity = incidents::by_severity(pool, actor, enterprise_id).await?;
    let by_status = incidents::by_status(pool, actor, enterprise_id).await?;
    let response_times = incidents::response_times(pool, enterprise_id, days).await?;
    let recent = incidents::list(
        pool,
        actor,
        incidents::ListFilter {
            enterprise: Some(enterprise_id),
            ordering: Some("-detected_at".into()),
            ..incidents::ListFilter::default()
        },
        PageRequest::parse(Some(1), Some(RECENT))?,
    )
    .await?
    .results;
    let flagged = flagged_incidents(pool, actor, enterprise_id).await?;
    Ok(IncidentsDashboard {
        enterprise_id,
        active: by_severity.total(),
        by_severity,
        by_status,
        response_times,
        recent,
        flagged,
    })
}

pub async fn audits(
    pool: &PgPool,
    actor: &Actor,
    enterprise_id: Uuid,
    days: Option<i64>,
) -> DomainResult<AuditsDashboard> {
    let page = PageRequest::parse(Some(1), Some(RECENT))?;
    let upcoming = audits::upcoming(pool, actor, Some(enterprise_id), days, page)
        .await?
        .results;
    let recent_completed = audits::list(
        pool,
        actor,
        audits::ListFilter {
            enterprise: Some(enterprise_id),
            status: Some("completed".into()),
            ordering: Some("-scheduled_for".into()),
            ..audits::ListFilter::default()
        },
        page,
    )
    .await?
    .results;
    let overdue_findings = audits::overdue_findings(
        pool,
        actor,
        Some(enterprise_id),
        PageRequest::parse(Some(1), Some(50))?,
    )
    .await?
    .results;
    Ok(AuditsDashboard {
        enterprise_id,
        upcoming,
        recent_completed,
        overdue_findings,
    })
}

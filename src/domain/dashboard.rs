//! The figures of the security page (SPEC §4, §7), as the dashboard API and
//! the page receive them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::audit::{Audit, Finding};
use super::compliance::ScoreBand;
use super::incident::{ActiveStatusCounts, Incident, ResponseTimes, SeverityCounts};

/// The four headline figures and what backs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Overview {
    pub enterprise_id: Uuid,
    /// 1 when the enterprise has a security policy, 0 otherwise.
    pub policies_active: i64,
    pub controls_total: i64,
    pub controls_verified: i64,
    pub controls_not_applicable: i64,
    /// verified ÷ (all − not applicable), percent with one decimal.
    pub controls_verified_ratio: Option<f64>,
    pub active_incidents: i64,
    pub active_incidents_by_severity: SeverityCounts,
    /// Active incidents with a regulatory clock missed or due within 12 h.
    pub flagged_incidents: i64,
    pub compliance_score: Option<f64>,
    pub compliance_band: Option<ScoreBand>,
    pub overdue_requirements: i64,
    pub open_findings: i64,
    pub overdue_findings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct IncidentsDashboard {
    pub enterprise_id: Uuid,
    pub active: i64,
    pub by_severity: SeverityCounts,
    pub by_status: ActiveStatusCounts,
    pub response_times: ResponseTimes,
    /// The most recently detected incidents, newest first.
    pub recent: Vec<Incident>,
    /// Active incidents whose regulatory clocks are missed or due soon.
    pub flagged: Vec<Incident>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AuditsDashboard {
    pub enterprise_id: Uuid,
    pub upcoming: Vec<Audit>,
    pub recent_completed: Vec<Audit>,
    pub overdue_findings: Vec<Finding>,
}

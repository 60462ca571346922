//! The enterprise records as they cross the wire (REST and server
//! functions alike). Derived values — completion, status, stale, overdue —
//! are computed by the domain when a record is read, never stored.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::checklist::{ChecklistStatus, SystemType};
use super::common::Priority;
use super::compliance::RequirementStatus;
use super::control::ControlStatus;
use super::policy::PolicySettings;

/// The security policy of one enterprise; its settings appear at the top
/// level next to the record fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Policy {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// Slugs of the frameworks the enterprise commits to.
    pub frameworks: Vec<String>,
    pub framework_ids: Vec<Uuid>,
    #[serde(flatten)]
    pub settings: PolicySettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ChecklistItem {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub completed: bool,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Checklist {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub system_type: SystemType,
    pub name: String,
    pub items: Vec<ChecklistItem>,
    pub completion_percentage: f64,
    pub status: ChecklistStatus,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// A catalogue requirement a control satisfies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RequirementLink {
    pub id: Uuid,
    pub framework_slug: String,
    pub reference: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Evidence {
    pub id: Uuid,
    pub name: String,
    pub url: Option<String>,
    pub file_id: Option<Uuid>,
    pub collected_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Control {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub framework_id: Uuid,
    pub framework_slug: String,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub status: ControlStatus,
    pub justification: Option<String>,
    pub owner_id: Option<Uuid>,
    pub requirement_ids: Vec<Uuid>,
    pub requirements: Vec<RequirementLink>,
    pub evidence: Vec<Evidence>,
    /// Evidence exists and all of it has expired.
    pub stale: bool,
    pub test_results: String,
    pub last_tested_at: Option<DateTime<Utc>>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// A tracked compliance requirement (the compliance tracker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ComplianceItem {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub framework_id: Uuid,
    pub framework_slug: String,
    pub requirement_ref: Option<String>,
    pub title: String,
    pub description: String,
    pub owner_id: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
    pub status: RequirementStatus,
    pub evidence: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub overdue: bool,
}

/// The compliance figures of one framework in an enterprise (SPEC §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct FrameworkScore {
    pub framework_id: Uuid,
    pub slug: String,
    pub name: String,
    pub version: String,
    /// Whether the enterprise's policy commits to this framework.
    pub committed: bool,
    pub score: Option<f64>,
    pub band: Option<super::compliance::ScoreBand>,
    #[serde(flatten)]
    pub counts: super::compliance::StatusCounts,
}

/// Per-framework and overall compliance of an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ComplianceScores {
    pub enterprise_id: Uuid,
    pub score: Option<f64>,
    pub band: Option<super::compliance::ScoreBand>,
    #[serde(flatten)]
    pub counts: super::compliance::StatusCounts,
    pub frameworks: Vec<FrameworkScore>,
}

/// One row of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AuditLogEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

//! Security audits and their findings (SPEC §3.4): the audit workflow, the
//! automatic timestamps of findings, "overdue" and "upcoming", and the
//! records as they cross the wire. Pure: compiled for the server and the
//! browser alike.
//!
//! Not to be confused with the audit *trail* (`domain::server::audit`,
//! SPEC §3.7), which records every write.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::common::{text_enum, Severity};
use crate::domain::error::AppError;

text_enum! {
    /// Who audits: the enterprise itself or an outside party.
    pub enum AuditType, "Audit type" {
        Internal => "internal", "Internal";
        External => "external", "External";
    }
}

text_enum! {
    /// Where an audit stands: `scheduled` → `in_progress` → `completed`, or
    /// `cancelled` from scheduled or in progress.
    pub enum AuditStatus, "Status" {
        Scheduled => "scheduled", "Scheduled";
        InProgress => "in_progress", "In progress";
        Completed => "completed", "Completed";
        Cancelled => "cancelled", "Cancelled";
    }
}

impl AuditStatus {
    /// Completed and cancelled audits are over: no further transition.
    pub fn is_final(self) -> bool {
        matches!(self, AuditStatus::Completed | AuditStatus::Cancelled)
    }
}

text_enum! {
    /// Where a finding stands. Any value can follow any other (a fix can be
    /// found insufficient); `resolved_at` follows automatically.
    pub enum FindingStatus, "Status" {
        Open => "open", "Open";
        InRemediation => "in_remediation", "In remediation";
        Resolved => "resolved", "Resolved";
    }
}

pub const COMPLETE_NOT_IN_PROGRESS: &str =
    "An audit cannot be completed while it is not in progress.";

/// Checks an audit status change (409 when refused). Keeping the current
/// status is not a transition and is accepted by edits; the actions
/// (start, complete, cancel) call this only with a different target, so a
/// repeated action is refused.
///
/// - scheduled → in_progress (start);
/// - in_progress → completed (complete), and nothing else completes;
/// - scheduled or in_progress → cancelled (cancel);
/// - nothing leaves completed or cancelled, and nothing goes back.
pub fn check_audit_transition(from: AuditStatus, to: AuditStatus) -> Result<(), AppError> {
    use AuditStatus::*;
    match (from, to) {
        (Scheduled, InProgress) | (InProgress, Completed) | (Scheduled | InProgress, Cancelled) => {
            Ok(())
        }
        (_, Completed) => Err(AppError::conflict(COMPLETE_NOT_IN_PROGRESS)),
        (InProgress, InProgress) => Err(AppError::conflict("This audit has already started.")),
        (Cancelled, Cancelled) => Err(AppError::conflict("This audit is already cancelled.")),
        (Scheduled, Scheduled) => Err(AppError::conflict("This audit is already scheduled.")),
        (Completed, _) => Err(AppError::conflict(
            "This audit is completed; a completed audit cannot change status.",
        )),
        (Cancelled, _) => Err(AppError::conflict(
            "This audit is cancelled; a cancelled audit cannot change status.",
        )),
        (_, Scheduled) => Err(AppError::conflict(
            "An audit that has started cannot go back to scheduled.",
        )),
    }
}

/// Findings are recorded during and after an audit (and may be prepared
/// before it starts), but a cancelled audit takes no new findings.
pub fn check_can_add_finding(audit_status: AuditStatus) -> Result<(), AppError> {
    match audit_status {
        AuditStatus::Cancelled => Err(AppError::conflict(
            "This audit is cancelled; it takes no new findings.",
        )),
        _ => Ok(()),
    }
}

/// What a finding status change does to `resolved_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolvedAtChange {
    /// Leave it as it is (still resolved, or still not resolved).
    Keep,
    /// The finding becomes resolved now.
    SetNow,
    /// The finding is reopened: the resolution no longer holds.
    Clear,
}

impl ResolvedAtChange {
    /// The wire value the SQL layer matches on.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolvedAtChange::Keep => "keep",
            ResolvedAtChange::SetNow => "set",
            ResolvedAtChange::Clear => "clear",
        }
    }
}

/// `resolved_at` is automatic: set when a finding becomes resolved, kept
/// while it stays resolved, cleared when it leaves resolved. `from` is
/// `None` for a new finding.
pub fn resolved_at_change(from: Option<FindingStatus>, to: FindingStatus) -> ResolvedAtChange {
    let was = from == Some(FindingStatus::Resolved);
    let is = to == FindingStatus::Resolved;
    match (was, is) {
        (false, true) => ResolvedAtChange::SetNow,
        (true, false) => ResolvedAtChange::Clear,
        _ => ResolvedAtChange::Keep,
    }
}

/// Overdue = the remediation deadline is before today (UTC; the caller
/// passes today) and the finding is not resolved. The deadline day itself
/// is not overdue.
pub fn finding_overdue(
    deadline: Option<NaiveDate>,
    status: FindingStatus,
    today: NaiveDate,
) -> bool {
    status != FindingStatus::Resolved && deadline.is_some_and(|deadline| deadline < today)
}

/// Upcoming = still scheduled, for a day from today to `days` days ahead,
/// both ends included.
pub fn upcoming(
    scheduled_for: NaiveDate,
    status: AuditStatus,
    today: NaiveDate,
    days: u32,
) -> bool {
    status == AuditStatus::Scheduled
        && scheduled_for >= today
        && upcoming_until(today, days).is_some_and(|last| scheduled_for <= last)
}

/// The last day of an upcoming window (`None` past the calendar's end).
pub fn upcoming_until(today: NaiveDate, days: u32) -> Option<NaiveDate> {
    today.checked_add_days(Days::new(u64::from(days)))
}

pub const DEFAULT_UPCOMING_DAYS: u32 = 30;
pub const MAX_UPCOMING_DAYS: u32 = 365;

/// `?days=` of the upcoming list: 1–365, 30 when absent.
pub fn parse_upcoming_days(days: Option<i64>) -> Result<u32, AppError> {
    match days {
        None => Ok(DEFAULT_UPCOMING_DAYS),
        Some(days) if (1..=i64::from(MAX_UPCOMING_DAYS)).contains(&days) => Ok(days as u32),
        Some(_) => Err(AppError::field(
            "days",
            format!("Days must be between 1 and {MAX_UPCOMING_DAYS}."),
        )),
    }
}

pub use crate::domain::common::SeverityCounts;

/// A security audit as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Audit {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub title: String,
    pub audit_type: AuditType,
    pub scope: String,
    /// Slugs of the frameworks audited against.
    pub frameworks: Vec<String>,
    pub framework_ids: Vec<Uuid>,
    /// Name of the auditor or of the auditing organisation.
    pub auditor: Option<String>,
    pub scheduled_for: NaiveDate,
    pub status: AuditStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    /// Every finding of the audit, by severity.
    pub findings_by_severity: SeverityCounts,
    /// Findings not resolved yet.
    pub open_findings: i64,
    /// Unresolved findings past their remediation deadline.
    pub overdue_findings: i64,
}

/// A finding of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Finding {
    pub id: Uuid,
    pub audit_id: Uuid,
    pub audit_title: String,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub remediation_plan: Option<String>,
    pub remediation_deadline: Option<NaiveDate>,
    pub status: FindingStatus,
    pub resolved_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorCode;
    use AuditStatus::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_forward_path_and_cancellation_are_allowed() {
        assert!(check_audit_transition(Scheduled, InProgress).is_ok());
        assert!(check_audit_transition(InProgress, Completed).is_ok());
        assert!(check_audit_transition(Scheduled, Cancelled).is_ok());
        assert!(check_audit_transition(InProgress, Cancelled).is_ok());
    }

    #[test]
    fn completing_needs_an_audit_in_progress() {
        for from in [Scheduled, Completed, Cancelled] {
            let error = check_audit_transition(from, Completed).unwrap_err();
            assert_eq!(error.code, ErrorCode::Conflict, "{from:?}");
            assert_eq!(error.message, COMPLETE_NOT_IN_PROGRESS);
        }
    }

    #[test]
    fn everything_else_is_refused_with_409() {
        let allowed = [
            (Scheduled, InProgress),
            (InProgress, Completed),
            (Scheduled, Cancelled),
            (InProgress, Cancelled),
        ];
        for from in AuditStatus::ALL {
            for to in AuditStatus::ALL {
                let result = check_audit_transition(from, to);
                if allowed.contains(&(from, to)) {
                    assert!(result.is_ok(), "{from:?} → {to:?}");
                } else {
                    let error = result.unwrap_err();
                    assert_eq!(error.code, ErrorCode::Conflict, "{from:?} → {to:?}");
                    assert!(!error.message.is_empty());
                }
            }
        }
        assert_eq!(
            check_audit_transition(InProgress, InProgress)
                .unwrap_err()
                .message,
            "This audit has already started."
        );
        assert!(check_audit_transition(Completed, Cancelled)
            .unwrap_err()
            .message
            .contains("completed"));
    }

    #[test]
    fn final_statuses() {
        assert!(Completed.is_final() && Cancelled.is_final());
        assert!(!Scheduled.is_final() && !InProgress.is_final());
    }

    #[test]
    fn cancelled_audits_take_no_findings() {
        assert!(check_can_add_finding(Scheduled).is_ok());
        assert!(check_can_add_finding(InProgress).is_ok());
        assert!(check_can_add_finding(Completed).is_ok());
        assert_eq!(
            check_can_add_finding(Cancelled).unwrap_err().code,
            ErrorCode::Conflict
        );
    }

    #[test]
    fn resolved_at_follows_the_status() {
        use FindingStatus::*;
        assert_eq!(resolved_at_change(None, Open), ResolvedAtChange::Keep);
        assert_eq!(resolved_at_change(None, Resolved), ResolvedAtChange::SetNow);
        assert_eq!(
            resolved_at_change(Some(Open), Resolved),
            ResolvedAtChange::SetNow
        );
        assert_eq!(
            resolved_at_change(Some(InRemediation), Resolved),
            ResolvedAtChange::SetNow
        );
        assert_eq!(
            resolved_at_change(Some(Resolved), Resolved),
            ResolvedAtChange::Keep
        );
        assert_eq!(
            resolved_at_change(Some(Resolved), InRemediation),
            ResolvedAtChange::Clear
        );
        assert_eq!(
            resolved_at_change(Some(Resolved), Open),
            ResolvedAtChange::Clear
        );
        assert_eq!(
            resolved_at_change(Some(Open), InRemediation),
            ResolvedAtChange::Keep
        );
        assert_eq!(ResolvedAtChange::SetNow.as_str(), "set");
    }

    #[test]
    fn overdue_at_the_boundary() {
        use FindingStatus::*;
        let today = date("2025-03-10");
        assert!(finding_overdue(Some(date("2025-03-09")), Open, today));
        assert!(finding_overdue(
            Some(date("2025-03-09")),
            InRemediation,
            today
        ));
        assert!(!finding_overdue(Some(date("2025-03-10")), Open, today));
        assert!(!finding_overdue(Some(date("2025-03-11")), Open, today));
        assert!(!finding_overdue(Some(date("2020-01-01")), Resolved, today));
        assert!(!finding_overdue(None, Open, today));
    }

    #[test]
    fn upcoming_window() {
        let today = date("2025-03-10");
        assert!(upcoming(date("2025-03-10"), Scheduled, today, 30));
        assert!(upcoming(date("2025-03-20"), Scheduled, today, 30));
        assert!(!upcoming(date("2025-03-20"), Scheduled, today, 7));
        assert!(upcoming(date("2025-03-17"), Scheduled, today, 7));
        assert!(!upcoming(date("2025-03-18"), Scheduled, today, 7));
        assert!(!upcoming(date("2025-03-09"), Scheduled, today, 30));
        assert!(!upcoming(date("2025-03-20"), Cancelled, today, 30));
        assert!(!upcoming(date("2025-03-20"), InProgress, today, 30));
        assert_eq!(upcoming_until(today, 1), Some(date("2025-03-11")));
    }

    #[test]
    fn days_are_1_to_365() {
        assert_eq!(parse_upcoming_days(None).unwrap(), 30);
        assert_eq!(parse_upcoming_days(Some(1)).unwrap(), 1);
        assert_eq!(parse_upcoming_days(Some(365)).unwrap(), 365);
        for bad in [0, -1, 366] {
            assert_eq!(
                parse_upcoming_days(Some(bad)).unwrap_err().fields["days"],
                "Days must be between 1 and 365."
            );
        }
    }

    #[test]
    fn severity_counts() {
        let mut counts = SeverityCounts::default();
        counts.add(Severity::Critical, 1);
        counts.add(Severity::Critical, 1);
        counts.add(Severity::Low, 1);
        assert_eq!(
            counts,
            SeverityCounts {
                critical: 2,
                high: 0,
                medium: 0,
                low: 1
            }
        );
        assert_eq!(counts.total(), 3);
        assert_eq!(
            serde_json::to_value(counts).unwrap(),
            serde_json::json!({"critical": 2, "high": 0, "medium": 0, "low": 1})
        );
    }

    #[test]
    fn wire_values() {
        for status in AuditStatus::ALL {
            assert_eq!(
                AuditStatus::parse("status", status.as_str()).unwrap(),
                status
            );
        }
        assert_eq!(
            AuditType::parse("audit_type", "informal")
                .unwrap_err()
                .fields["audit_type"],
            "Audit type must be one of: internal, external."
        );
        assert_eq!(
            FindingStatus::parse("status", "closed").unwrap_err().fields["status"],
            "Status must be one of: open, in_remediation, resolved."
        );
    }
}

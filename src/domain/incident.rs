//! Security incidents (SPEC §3.5): the status workflow, the regulatory
//! notification clocks and the wire shapes. Pure: the server and the
//! browser call the same functions, so a button the page offers is a move
//! the server accepts, and a clock the page shows red is the one the API
//! reports as missed.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::common::{text_enum, Severity};
use crate::domain::error::AppError;

text_enum! {
    /// Where an incident stands. Forward moves (and skips) are free; the only
    /// way back is reopening a resolved incident to `investigating`.
    pub enum IncidentStatus, "Status" {
        Reported => "reported", "Reported";
        Investigating => "investigating", "Investigating";
        Contained => "contained", "Contained";
        Resolved => "resolved", "Resolved";
    }
}

impl IncidentStatus {
    /// Position in the workflow (reported = 0 … resolved = 3); also the sort
    /// key of `?ordering=status`.
    pub fn rank(self) -> u8 {
        match self {
            IncidentStatus::Reported => 0,
            IncidentStatus::Investigating => 1,
            IncidentStatus::Contained => 2,
            IncidentStatus::Resolved => 3,
        }
    }

    /// SPEC §4: an incident is active unless it is resolved.
    pub fn is_active(self) -> bool {
        self != IncidentStatus::Resolved
    }
}

text_enum! {
    /// The kinds of data an incident exposed.
    pub enum DataCategory, "Data category" {
        Personal => "personal", "Personal data";
        Financial => "financial", "Financial data";
        Health => "health", "Health data";
        Credentials => "credentials", "Credentials";
        IntellectualProperty => "intellectual_property", "Intellectual property";
        Other => "other", "Other";
    }
}

text_enum! {
    /// The notification regimes that apply to an incident.
    pub enum Regime, "Regime" {
        Gdpr => "gdpr", "GDPR";
        Nis2 => "nis2", "NIS2";
        Hipaa => "hipaa", "HIPAA";
    }
}

text_enum! {
    /// One regulatory notification deadline. The labels say what is due and
    /// within how long of detection.
    pub enum ClockKey, "Clock" {
        GdprAuthority => "gdpr_authority", "GDPR Art. 33: notify the supervisory authority (72 h)";
        Nis2EarlyWarning => "nis2_early_warning", "NIS2 Art. 23: early warning (24 h)";
        Nis2Notification => "nis2_notification", "NIS2 Art. 23: incident notification (72 h)";
        Nis2FinalReport => "nis2_final_report", "NIS2 Art. 23: final report (1 month)";
        HipaaBreach => "hipaa_breach", "HIPAA: breach notification (60 days)";
    }
}

impl ClockKey {
    pub fn regime(self) -> Regime {
        match self {
            ClockKey::GdprAuthority => Regime::Gdpr,
            ClockKey::Nis2EarlyWarning | ClockKey::Nis2Notification | ClockKey::Nis2FinalReport => {
                Regime::Nis2
            }
            ClockKey::HipaaBreach => Regime::Hipaa,
        }
    }

    /// The deadline of this clock for an incident detected at `detected_at`.
    /// `None` only for a date beyond chrono's range.
    pub fn deadline(self, detected_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            ClockKey::GdprAuthority | ClockKey::Nis2Notification => {
                detected_at.checked_add_signed(Duration::hours(72))
            }
            ClockKey::Nis2EarlyWarning => detected_at.checked_add_signed(Duration::hours(24)),
            // One calendar month (31 January → 28/29 February). NIS2 counts
            // it from the notification; the SPEC counts every clock from
            // detection, which is the earlier, safer deadline.
            ClockKey::Nis2FinalReport => detected_at.checked_add_months(Months::new(1)),
            ClockKey::HipaaBreach => detected_at.checked_add_signed(Duration::days(60)),
        }
    }
}

/// A clock is "due soon" when less than this is left.
pub const DUE_SOON: Duration = Duration::hours(12);

/// The clocks that apply: GDPR when the gdpr regime is set or personal data
/// is affected; NIS2 (three clocks) when the nis2 regime is set; HIPAA when
/// the hipaa regime is set or health data is affected. In `ClockKey::ALL`
/// order.
pub fn applicable_clocks(regimes: &[Regime], data_categories: &[DataCategory]) -> Vec<ClockKey> {
    let gdpr = regimes.contains(&Regime::Gdpr) || data_categories.contains(&DataCategory::Personal);
    let nis2 = regimes.contains(&Regime::Nis2);
    let hipaa = regimes.contains(&Regime::Hipaa) || data_categories.contains(&DataCategory::Health);
    ClockKey::ALL
        .into_iter()
        .filter(|key| match key.regime() {
            Regime::Gdpr => gdpr,
            Regime::Nis2 => nis2,
            Regime::Hipaa => hipaa,
        })
        .collect()
}

/// One notification deadline of an incident, as lists and the dashboard
/// show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Clock {
    pub key: ClockKey,
    pub regime: Regime,
    pub label: String,
    pub deadline: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// The deadline has passed and the notification is not marked done.
    pub missed: bool,
    /// Not done, not missed, and less than 12 h left.
    pub due_soon: bool,
}

/// The notification clocks of an incident at `now`. `done` maps clock keys
/// (wire values) to when they were marked done; keys of clocks that no
/// longer apply are ignored.
pub fn clocks(
    detected_at: DateTime<Utc>,
    regimes: &[Regime],
    data_categories: &[DataCategory],
    done: &BTreeMap<String, DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<Clock> {
    applicable_clocks(regimes, data_categories)
        .into_iter()
        .filter_map(|key| {
            let deadline = key.deadline(detected_at)?;
            let done_at = done.get(key.as_str()).copied();
            let open = done_at.is_none();
            let missed = open && now > deadline;
            let due_soon = open && !missed && deadline - now < DUE_SOON;
            Some(Clock {
                key,
                regime: key.regime(),
                label: key.label().to_string(),
                deadline,
                done_at,
                missed,
                due_soon,
            })
        })
        .collect()
}

/// An incident is flagged (dashboard, lists) when one of its clocks is
/// missed or due soon.
pub fn is_flagged(clocks: &[Clock]) -> bool {
    clocks.iter().any(|clock| clock.missed || clock.due_soon)
}

/// The statuses an incident may move to from `from`: forward, skipping
/// allowed; from resolved only back to investigating (reopen).
pub fn allowed_transitions(from: IncidentStatus) -> &'static [IncidentStatus] {
    use IncidentStatus::*;
    match from {
        Reported => &[Investigating, Contained, Resolved],
        Investigating => &[Contained, Resolved],
        Contained => &[Resolved],
        Resolved => &[Investigating],
    }
}

/// The workflow timestamps a status change may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Milestones {
    pub investigation_started_at: Option<DateTime<Utc>>,
    pub contained_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// An accepted status change and what it does to the timestamps: each
/// `set_*` fills that timestamp with the change's instant unless it is
/// already set (timestamps are set once); a skip forward sets every skipped
/// one, so they share the instant. A reopen clears `resolved_at` (the
/// events keep the history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: IncidentStatus,
    pub to: IncidentStatus,
    pub reopen: bool,
    pub set_investigation_started: bool,
    pub set_contained: bool,
    pub set_resolved: bool,
    pub clear_resolved: bool,
}

impl Transition {
    /// The timestamps after this change made at `now`.
    pub fn apply(&self, current: Milestones, now: DateTime<Utc>) -> Milestones {
        let fill = |set: bool, stamp: Option<DateTime<Utc>>| {
            if set {
                stamp.or(Some(now))
            } else {
                stamp
            }
        };
        Milestones {
            investigation_started_at: fill(
                self.set_investigation_started,
                current.investigation_started_at,
            ),
            contained_at: fill(self.set_contained, current.contained_at),
            resolved_at: if self.clear_resolved {
                None
            } else {
                fill(self.set_resolved, current.resolved_at)
            },
        }
    }
}

/// Whether lessons learned are required before an incident of this
/// severity may be resolved (and stay resolved).
pub fn lessons_required(severity: Severity) -> bool {
    matches!(severity, Severity::Critical | Severity::High)
}

/// Refuses a resolved critical or high incident without lessons learned
/// (400 naming `lessons_learned`). Used by the transition and by edits of
/// a resolved incident.
pub fn check_lessons(
    status: IncidentStatus,
    severity: Severity,
    lessons_learned: Option<&str>,
) -> Result<(), AppError> {
    let missing = lessons_learned.is_none_or(|text| text.trim().is_empty());
    if status == IncidentStatus::Resolved && lessons_required(severity) && missing {
        return Err(AppError::field(
            "lessons_learned",
            format!(
                "Record the lessons learned before resolving a {} incident.",
                severity.as_str()
            ),
        ));
    }
    Ok(())
}

/// THE status workflow. A move the workflow does not allow (backwards other
/// than reopen, or to the same status) is a conflict (409); resolving a
/// critical or high incident without lessons learned is invalid input (400).
pub fn check_transition(
    from: IncidentStatus,
    to: IncidentStatus,
    severity: Severity,
    lessons_learned: Option<&str>,
) -> Result<Transition, AppError> {
    if from == to {
        return Err(AppError::conflict(format!(
            "This incident is already {}.",
            to.label().to_lowercase()
        )));
    }
    if !allowed_transitions(from).contains(&to) {
        return Err(AppError::conflict(if from == IncidentStatus::Resolved {
            format!(
                "A resolved incident can only be reopened to investigating, not moved to {}.",
                to.as_str()
            )
        } else {
            format!(
                "An incident cannot move back from {} to {}; only a resolved incident can be reopened.",
                from.as_str(),
                to.as_str()
            )
        }));
    }
    check_lessons(to, severity, lessons_learned)?;
    let reopen = from == IncidentStatus::Resolved;
    // Every status passed over or reached on the way forward gets its
    // timestamp; a reopen reaches investigating, which was set long ago.
    let reaches = |status: IncidentStatus| {
        !reopen && from.rank() < status.rank() && status.rank() <= to.rank()
    };
    Ok(Transition {
        from,
        to,
        reopen,
        set_investigation_started: reaches(IncidentStatus::Investigating)
            || (reopen && to == IncidentStatus::Investigating),
        set_contained: reaches(IncidentStatus::Contained),
        set_resolved: reaches(IncidentStatus::Resolved),
        clear_resolved: reopen,
    })
}

/// A security incident as it crosses the wire. `clocks`, `active` and
/// `flagged` are derived when the record is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Incident {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub reported_at: DateTime<Utc>,
    pub investigation_started_at: Option<DateTime<Utc>>,
    pub contained_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub detected_at: DateTime<Utc>,
    pub systems_affected: Vec<String>,
    pub data_affected: bool,
    pub data_categories: Vec<DataCategory>,
    pub users_affected: i32,
    pub root_cause: Option<String>,
    pub lessons_learned: Option<String>,
    pub regulatory_notification_required: bool,
    pub regulator: Option<String>,
    pub regimes: Vec<Regime>,
    pub clocks: Vec<Clock>,
    pub active: bool,
    pub flagged: bool,
}

/// One entry of an incident's timeline; the first has no `from_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct IncidentEvent {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub from_status: Option<IncidentStatus>,
    pub to_status: IncidentStatus,
    pub actor_id: Option<Uuid>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

pub use crate::domain::common::SeverityCounts;

/// Active incidents of an enterprise by status (resolved ones are not
/// active, so they have no count here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ActiveStatusCounts {
    pub reported: i64,
    pub investigating: i64,
    pub contained: i64,
}

/// The default window of MTTC / MTTR (SPEC §4).
pub const RESPONSE_WINDOW_DAYS: i32 = 90;

/// SPEC §4: mean time from detection to containment (MTTC) and to
/// resolution (MTTR), in hours with one decimal, over the incidents
/// resolved in the window; `None` when none were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ResponseTimes {
    pub days: i32,
    pub resolved_count: i64,
    pub mttc_hours: Option<f64>,
    pub mttr_hours: Option<f64>,
}

/// Seconds as hours with one decimal (5400 s → 1.5).
pub fn hours(seconds: f64) -> f64 {
    (seconds / 360.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorCode;
    use IncidentStatus::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn none() -> BTreeMap<String, DateTime<Utc>> {
        BTreeMap::new()
    }

    fn clock(clocks: &[Clock], key: ClockKey) -> Clock {
        clocks
            .iter()
            .find(|clock| clock.key == key)
            .cloned()
            .unwrap()
    }

    #[test]
    fn allowed_moves() {
        assert_eq!(
            allowed_transitions(Reported),
            &[Investigating, Contained, Resolved]
        );
        assert_eq!(allowed_transitions(Investigating), &[Contained, Resolved]);
        assert_eq!(allowed_transitions(Contained), &[Resolved]);
        assert_eq!(allowed_transitions(Resolved), &[Investigating]);
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                let result = check_transition(from, to, Severity::Low, None);
                assert_eq!(
                    result.is_ok(),
                    allowed_transitions(from).contains(&to),
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn backwards_and_same_status_conflict() {
        for (from, to) in [
            (Investigating, Reported),
            (Contained, Investigating),
            (Contained, Reported),
            (Resolved, Contained),
            (Resolved, Reported),
            (Reported, Reported),
            (Resolved, Resolved),
        ] {
            let error = check_transition(from, to, Severity::Low, None).unwrap_err();
            assert_eq!(error.code, ErrorCode::Conflict, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn one_step_sets_one_timestamp() {
        let t = check_transition(Reported, Investigating, Severity::Medium, None).unwrap();
        assert!(t.set_investigation_started && !t.set_contained && !t.set_resolved);
        assert!(!t.reopen && !t.clear_resolved);
        let t = check_transition(Investigating, Contained, Severity::Medium, None).unwrap();
        assert!(!t.set_investigation_started && t.set_contained && !t.set_resolved);
        let t = check_transition(Contained, Resolved, Severity::Medium, None).unwrap();
        assert!(!t.set_investigation_started && !t.set_contained && t.set_resolved);
    }

    #[test]
    fn skipping_forward_fills_every_skipped_timestamp_with_one_instant() {
        let now = at("2025-03-10T12:00:00Z");
        let t = check_transition(Reported, Contained, Severity::Medium, None).unwrap();
        let stamps = t.apply(Milestones::default(), now);
        assert_eq!(stamps.investigation_started_at, Some(now));
        assert_eq!(stamps.contained_at, Some(now));
        assert_eq!(stamps.resolved_at, None);

        let t = check_transition(Reported, Resolved, Severity::Low, None).unwrap();
        let stamps = t.apply(Milestones::default(), now);
        assert_eq!(
            stamps,
            Milestones {
                investigation_started_at: Some(now),
                contained_at: Some(now),
                resolved_at: Some(now),
            }
        );
    }

    #[test]
    fn timestamps_are_set_once() {
        let first = at("2025-03-10T12:00:00Z");
        let later = at("2025-03-11T12:00:00Z");
        let stamps = Milestones {
            investigation_started_at: Some(first),
            ..Milestones::default()
        };
        let t = check_transition(Investigating, Contained, Severity::Low, None).unwrap();
        let stamps = t.apply(stamps, later);
        assert_eq!(stamps.investigation_started_at, Some(first));
        assert_eq!(stamps.contained_at, Some(later));
    }

    #[test]
    fn reopen_clears_resolved_at_only() {
        let first = at("2025-03-10T12:00:00Z");
        let later = at("2025-03-12T12:00:00Z");
        let resolved = Milestones {
            investigation_started_at: Some(first),
            contained_at: Some(first),
            resolved_at: Some(first),
        };
        let t = check_transition(Resolved, Investigating, Severity::Critical, None).unwrap();
        assert!(t.reopen && t.clear_resolved);
        let reopened = t.apply(resolved, later);
        assert_eq!(reopened.investigation_started_at, Some(first));
        assert_eq!(reopened.contained_at, Some(first));
        assert_eq!(reopened.resolved_at, None);
        // Resolving again stamps a new resolution.
        let t = check_transition(Investigating, Resolved, Severity::Low, None).unwrap();
        let again = t.apply(reopened, later);
        assert_eq!(again.resolved_at, Some(later));
        assert_eq!(again.contained_at, Some(first));
    }

    #[test]
    fn lessons_learned_are_required_to_resolve_critical_and_high() {
        for severity in [Severity::Critical, Severity::High] {
            for lessons in [None, Some(""), Some("   ")] {
                let error = check_transition(Contained, Resolved, severity, lessons).unwrap_err();
                assert_eq!(error.code, ErrorCode::Invalid);
                assert!(error.fields.contains_key("lessons_learned"));
            }
            assert!(check_transition(Contained, Resolved, severity, Some("Patch faster")).is_ok());
            // Only resolving needs them.
            assert!(check_transition(Reported, Contained, severity, None).is_ok());
        }
        for severity in [Severity::Medium, Severity::Low] {
            assert!(check_transition(Reported, Resolved, severity, None).is_ok());
        }
        // A refused move is a conflict even without lessons.
        assert_eq!(
            check_transition(Resolved, Resolved, Severity::Critical, None)
                .unwrap_err()
                .code,
            ErrorCode::Conflict
        );
        assert!(check_lessons(Investigating, Severity::Critical, None).is_ok());
        assert!(check_lessons(Resolved, Severity::Critical, None).is_err());
    }

    #[test]
    fn which_clocks_apply() {
        assert!(applicable_clocks(&[], &[]).is_empty());
        assert!(applicable_clocks(&[], &[DataCategory::Financial]).is_empty());
        assert_eq!(
            applicable_clocks(&[], &[DataCategory::Personal]),
            [ClockKey::GdprAuthority]
        );
        assert_eq!(
            applicable_clocks(&[Regime::Gdpr], &[]),
            [ClockKey::GdprAuthority]
        );
        assert_eq!(
            applicable_clocks(&[Regime::Nis2], &[]),
            [
                ClockKey::Nis2EarlyWarning,
                ClockKey::Nis2Notification,
                ClockKey::Nis2FinalReport
            ]
        );
        assert_eq!(
            applicable_clocks(&[], &[DataCategory::Health]),
            [ClockKey::HipaaBreach]
        );
        assert_eq!(
            applicable_clocks(&[Regime::Hipaa, Regime::Gdpr], &[DataCategory::Health]),
            [ClockKey::GdprAuthority, ClockKey::HipaaBreach]
        );
        assert_eq!(applicable_clocks(&Regime::ALL, &[]).len(), 5);
    }

    #[test]
    fn deadlines() {
        let detected = at("2025-01-31T10:00:00Z");
        let all = clocks(detected, &Regime::ALL, &[], &none(), detected);
        assert_eq!(
            clock(&all, ClockKey::GdprAuthority).deadline,
            at("2025-02-03T10:00:00Z")
        );
        assert_eq!(
            clock(&all, ClockKey::Nis2EarlyWarning).deadline,
            at("2025-02-01T10:00:00Z")
        );
        assert_eq!(
            clock(&all, ClockKey::Nis2Notification).deadline,
            at("2025-02-03T10:00:00Z")
        );
        // One calendar month: 31 January → 28 February.
        assert_eq!(
            clock(&all, ClockKey::Nis2FinalReport).deadline,
            at("2025-02-28T10:00:00Z")
        );
        assert_eq!(
            clock(&all, ClockKey::HipaaBreach).deadline,
            at("2025-04-01T10:00:00Z")
        );
        assert_eq!(clock(&all, ClockKey::HipaaBreach).regime, Regime::Hipaa);
        assert!(all
            .iter()
            .all(|c| !c.missed && !c.due_soon && c.done_at.is_none()));
        assert!(!is_flagged(&all));
    }

    #[test]
    fn gdpr_due_soon_boundary() {
        let detected = at("2025-03-10T00:00:00Z");
        let deadline = detected + Duration::hours(72);
        let personal = [DataCategory::Personal];
        let at_left = |left: Duration| {
            clock(
                &clocks(detected, &[], &personal, &none(), deadline - left),
                ClockKey::GdprAuthority,
            )
        };
        let c = at_left(Duration::hours(12) + Duration::minutes(1));
        assert!(!c.due_soon && !c.missed);
        let c = at_left(Duration::hours(12));
        assert!(!c.due_soon, "exactly 12 h left is not less than 12 h");
        let c = at_left(Duration::hours(11) + Duration::minutes(59));
        assert!(c.due_soon && !c.missed);
        let c = at_left(Duration::zero());
        assert!(c.due_soon && !c.missed, "the deadline itself is not passed");
    }

    #[test]
    fn nis2_early_warning_missed_boundary() {
        let detected = at("2025-03-10T08:30:00Z");
        let warning = |elapsed: Duration| {
            clock(
                &clocks(detected, &[Regime::Nis2], &[], &none(), detected + elapsed),
                ClockKey::Nis2EarlyWarning,
            )
        };
        let c = warning(Duration::hours(23) + Duration::minutes(59));
        assert!(!c.missed && c.due_soon);
        let c = warning(Duration::hours(24) + Duration::minutes(1));
        assert!(c.missed && !c.due_soon);
        let all = clocks(
            detected,
            &[Regime::Nis2],
            &[],
            &none(),
            detected + Duration::hours(25),
        );
        assert!(is_flagged(&all));
        // The 72 h notification is not due soon yet.
        assert!(!clock(&all, ClockKey::Nis2Notification).due_soon);
    }

    #[test]
    fn done_clocks_are_neither_missed_nor_due() {
        let detected = at("2025-03-10T00:00:00Z");
        let done_at = at("2025-03-10T20:00:00Z");
        let mut done = BTreeMap::new();
        done.insert("nis2_early_warning".to_string(), done_at);
        // Stale keys of clocks that do not apply are ignored.
        done.insert("hipaa_breach".to_string(), done_at);
        let all = clocks(
            detected,
            &[Regime::Nis2],
            &[],
            &done,
            detected + Duration::days(2),
        );
        assert_eq!(all.len(), 3);
        let warning = clock(&all, ClockKey::Nis2EarlyWarning);
        assert_eq!(warning.done_at, Some(done_at));
        assert!(!warning.missed && !warning.due_soon);
        // 24 h left on the notification: neither due soon nor missed.
        assert!(!is_flagged(&all));
    }

    #[test]
    fn wire_values() {
        assert_eq!(
            serde_json::to_value(ClockKey::Nis2FinalReport).unwrap(),
            "nis2_final_report"
        );
        assert_eq!(
            DataCategory::parse("data_categories", "intellectual_property").unwrap(),
            DataCategory::IntellectualProperty
        );
        assert!(DataCategory::parse("data_categories", "secrets")
            .unwrap_err()
            .fields
            .contains_key("data_categories"));
        assert_eq!(Regime::parse("regimes", "nis2").unwrap(), Regime::Nis2);
        assert!(IncidentStatus::Contained.is_active());
        assert!(!IncidentStatus::Resolved.is_active());
    }

    #[test]
    fn counts_and_hours() {
        let mut counts = SeverityCounts::default();
        counts.add(Severity::High, 2);
        counts.add(Severity::Low, 1);
        assert_eq!(
            serde_json::to_value(counts).unwrap(),
            serde_json::json!({"critical": 0, "high": 2, "medium": 0, "low": 1})
        );
        assert_eq!(counts.total(), 3);
        assert_eq!(hours(5400.0), 1.5);
        assert_eq!(hours(3600.0 * 72.0), 72.0);
        assert_eq!(hours(100.0), 0.0);
        assert_eq!(hours(200.0), 0.1);
    }
}

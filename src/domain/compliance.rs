//! Compliance requirements (SPEC §3.6) and the one definition of the figures
//! of SPEC §4: overdue, compliance score, controls verified, colour bands.
//! Pages, the API and the prints all call these; none computes its own.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::common::text_enum;

text_enum! {
    /// Where a tracked requirement stands.
    pub enum RequirementStatus, "Status" {
        NotStarted => "not_started", "Not started";
        InProgress => "in_progress", "In progress";
        Completed => "completed", "Completed";
        NotApplicable => "not_applicable", "Not applicable";
    }
}

impl RequirementStatus {
    /// Completed and not-applicable requirements need no more work, so they
    /// are never overdue.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequirementStatus::Completed | RequirementStatus::NotApplicable
        )
    }
}

/// Overdue = the deadline is before today (UTC; the caller passes today) and
/// the requirement is still open. The deadline day itself is not overdue: the
/// work may still be finished that day.
pub fn is_overdue(
    deadline: Option<NaiveDate>,
    status: RequirementStatus,
    today: NaiveDate,
) -> bool {
    !status.is_closed() && deadline.is_some_and(|deadline| deadline < today)
}

/// `numerator / denominator` as a percentage with one decimal (2 of 3 →
/// 66.7); `None` when the denominator is 0 or less, because "no data" must
/// not read as 0 % or 100 %.
pub fn percentage(numerator: i64, denominator: i64) -> Option<f64> {
    if denominator <= 0 {
        return None;
    }
    Some((numerator as f64 * 1000.0 / denominator as f64).round() / 10.0)
}

/// Requirement counts of one framework (or of all of them) in an enterprise,
/// as the SQL layer aggregates them. `overdue` is a subset of the open ones.
#[derive(Default, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StatusCounts {
    pub total: i64,
    pub completed: i64,
    pub in_progress: i64,
    pub not_started: i64,
    pub not_applicable: i64,
    pub overdue: i64,
}

impl StatusCounts {
    /// Counts one requirement (for callers that hold rows rather than an
    /// aggregate).
    pub fn add(&mut self, status: RequirementStatus, overdue: bool) {
        self.total += 1;
        match status {
            RequirementStatus::NotStarted => self.not_started += 1,
            RequirementStatus::InProgress => self.in_progress += 1,
            RequirementStatus::Completed => self.completed += 1,
            RequirementStatus::NotApplicable => self.not_applicable += 1,
        }
        self.overdue += i64::from(overdue);
    }

    /// The compliance score: completed ÷ (all − not applicable), in percent
    /// with one decimal; `None` when nothing applies.
    pub fn score(&self) -> Option<f64> {
        percentage(self.completed, self.total - self.not_applicable)
    }
}

text_enum! {
    /// The colour band of a score: ≥ 80 good, 50–79.9 warning, < 50 critical.
    pub enum ScoreBand, "Band" {
        Good => "good", "Good";
        Warning => "warning", "Needs attention";
        Critical => "critical", "Critical";
    }
}

/// The band of a score in percent. Scores are rounded to one decimal before
/// they get here, so 79.95 has already become 80.0 and is good.
pub fn band(score: f64) -> ScoreBand {
    if score >= 80.0 {
        ScoreBand::Good
    } else if score >= 50.0 {
        ScoreBand::Warning
    } else {
        // Including NaN: an unreadable figure should draw attention.
        ScoreBand::Critical
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequirementStatus::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn counts(completed: i64, open: i64, not_applicable: i64) -> StatusCounts {
        StatusCounts {
            total: completed + open + not_applicable,
            completed,
            in_progress: open,
            not_applicable,
            ..StatusCounts::default()
        }
    }

    #[test]
    fn percentage_rounds_to_one_decimal() {
        assert_eq!(percentage(2, 3), Some(66.7));
        assert_eq!(percentage(1, 3), Some(33.3));
        assert_eq!(percentage(1, 8), Some(12.5));
        assert_eq!(percentage(0, 4), Some(0.0));
        assert_eq!(percentage(4, 4), Some(100.0));
        assert_eq!(percentage(999, 1000), Some(99.9));
        assert_eq!(percentage(1, 0), None);
        assert_eq!(percentage(0, -1), None);
    }

    #[test]
    fn score_excludes_not_applicable() {
        assert_eq!(counts(2, 1, 0).score(), Some(66.7));
        assert_eq!(counts(2, 1, 5).score(), Some(66.7));
        assert_eq!(counts(3, 0, 1).score(), Some(100.0));
        assert_eq!(counts(0, 0, 4).score(), None);
        assert_eq!(StatusCounts::default().score(), None);
    }

    #[test]
    fn counting_rows() {
        let mut tally = StatusCounts::default();
        tally.add(Completed, false);
        tally.add(NotApplicable, false);
        tally.add(InProgress, true);
        tally.add(NotStarted, false);
        assert_eq!(
            tally,
            StatusCounts {
                total: 4,
                completed: 1,
                in_progress: 1,
                not_started: 1,
                not_applicable: 1,
                overdue: 1,
            }
        );
        assert_eq!(tally.score(), Some(33.3));
    }

    #[test]
    fn band_boundaries() {
        assert_eq!(band(100.0), ScoreBand::Good);
        assert_eq!(band(80.0), ScoreBand::Good);
        assert_eq!(band(79.9), ScoreBand::Warning);
        assert_eq!(band(50.0), ScoreBand::Warning);
        assert_eq!(band(49.9), ScoreBand::Critical);
        assert_eq!(band(0.0), ScoreBand::Critical);
        assert_eq!(band(f64::NAN), ScoreBand::Critical);
        assert_eq!(ScoreBand::Warning.label(), "Needs attention");
        assert_eq!(ScoreBand::Good.as_str(), "good");
    }

    #[test]
    fn overdue_by_date() {
        let today = date("2025-03-10");
        assert!(is_overdue(Some(date("2025-03-09")), InProgress, today));
        assert!(!is_overdue(Some(date("2025-03-10")), InProgress, today));
        assert!(!is_overdue(Some(date("2025-03-11")), InProgress, today));
        assert!(!is_overdue(None, NotStarted, today));
    }

    #[test]
    fn overdue_by_status() {
        let today = date("2025-03-10");
        let yesterday = Some(date("2025-03-09"));
        assert!(is_overdue(yesterday, NotStarted, today));
        assert!(is_overdue(yesterday, InProgress, today));
        assert!(!is_overdue(yesterday, Completed, today));
        assert!(!is_overdue(yesterday, NotApplicable, today));
    }

    #[test]
    fn status_wire_values() {
        for status in RequirementStatus::ALL {
            assert_eq!(
                RequirementStatus::parse("status", status.as_str()).unwrap(),
                status
            );
        }
        assert_eq!(
            RequirementStatus::parse("status", "done")
                .unwrap_err()
                .fields["status"],
            "Status must be one of: not_started, in_progress, completed, not_applicable."
        );
    }
}

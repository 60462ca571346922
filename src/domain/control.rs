//! Security controls (SPEC §3.3): the status workflow, what an edit does to a
//! verified control, and the rules for evidence dates and links.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::common::text_enum;
use crate::domain::error::{AppError, FieldErrors};

text_enum! {
    /// Where a control stands. `verified` is reached only through the verify
    /// action (which records who and when), never by setting the status.
    pub enum ControlStatus, "Status" {
        NotImplemented => "not_implemented", "Not implemented";
        InProgress => "in_progress", "In progress";
        Implemented => "implemented", "Implemented";
        Verified => "verified", "Verified";
        NotApplicable => "not_applicable", "Not applicable";
    }
}

/// Checks a status change requested through an edit.
///
/// - Keeping the current status is always fine (a form sends it back
///   unchanged), including `verified` and `not_applicable`.
/// - Nothing can be set to `verified` this way: that is the verify action.
/// - `not_applicable` needs a justification (non-blank).
/// - Every other move among not_implemented, in_progress, implemented and
///   not_applicable is allowed, in either direction, and so is leaving
///   `verified`: work gets reassessed, and forcing people through each step
///   would only add clicks without adding assurance. The sign-off that
///   matters (verify) is guarded separately.
pub fn check_status_change(
    from: ControlStatus,
    to: ControlStatus,
    justification: Option<&str>,
) -> Result<(), AppError> {
    if from == to {
        return Ok(());
    }
    match to {
        ControlStatus::Verified => Err(AppError::conflict(
            "Use verify to mark a control as verified; it records who verified it and when.",
        )),
        ControlStatus::NotApplicable if justification.is_none_or(|text| text.trim().is_empty()) => {
            Err(AppError::field(
                "justification",
                "Explain why this control does not apply.",
            ))
        }
        _ => Ok(()),
    }
}

/// Verify (sign-off) is allowed only from `implemented`.
pub fn check_verify(status: ControlStatus) -> Result<(), AppError> {
    match status {
        ControlStatus::Implemented => Ok(()),
        ControlStatus::Verified => Err(AppError::conflict("This control is already verified.")),
        other => Err(AppError::conflict(format!(
            "Only an implemented control can be verified; this one is \"{}\".",
            other.label()
        ))),
    }
}

/// The fields whose change alters what was verified, so the control drops
/// from `verified` back to `implemented`: what the control does
/// (description), what it claims to satisfy (framework_id, reference,
/// requirement_ids), and the proof (evidence, test_results).
/// Renaming it (title), re-prioritising it (priority) or handing it to
/// someone else (owner_id) changes neither the implementation nor the proof,
/// so those keep the sign-off.
pub const IMPLEMENTATION_FIELDS: &[&str] = &[
    "description",
    "framework_id",
    "reference",
    "requirement_ids",
    "evidence",
    "test_results",
];

/// The status after an edit that changed `changed_fields`.
pub fn status_after_edit(current: ControlStatus, changed_fields: &[&str]) -> ControlStatus {
    let implementation_changed = changed_fields
        .iter()
        .any(|field| IMPLEMENTATION_FIELDS.contains(field));
    if current == ControlStatus::Verified && implementation_changed {
        ControlStatus::Implemented
    } else {
        current
    }
}

/// The dates of one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct EvidenceDates {
    pub collected_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Evidence is expired the day after its last valid day; without an end date
/// it never expires.
pub fn is_expired(evidence: &EvidenceDates, today: NaiveDate) -> bool {
    evidence.valid_until.is_some_and(|until| until < today)
}

/// A control is stale when it has evidence and all of it has expired. No
/// evidence at all is a different problem ("missing"), not staleness.
pub fn is_stale(evidence: &[EvidenceDates], today: NaiveDate) -> bool {
    !evidence.is_empty() && evidence.iter().all(|e| is_expired(e, today))
}

/// Evidence cannot be collected in the future, nor expire before it was
/// collected. Both problems are reported together.
pub fn check_evidence_dates(
    collected_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if collected_on > today {
        errors.insert(
            "collected_on".to_string(),
            "The collection date cannot be in the future.".to_string(),
        );
    }
    if valid_until.is_some_and(|until| until < collected_on) {
        errors.insert(
            "valid_until".to_string(),
            "The end of validity cannot be before the collection date.".to_string(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(errors))
    }
}

pub const EVIDENCE_URL_MAX_CHARS: usize = 2000;

/// A link to a piece of evidence: an absolute http or https URL of at most
/// 2000 characters. Anything else (`javascript:`, `data:`, `file:`, relative
/// paths) is refused, because the link is rendered as a clickable `href`.
/// Credentials in the link (`https://user:pass@host`) are refused too: they
/// would be shown to every reader.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EvidenceUrl(String);

impl EvidenceUrl {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let url = raw.trim();
        if url.chars().count() > EVIDENCE_URL_MAX_CHARS {
            return Err(AppError::field(
                field,
                format!("Use at most {EVIDENCE_URL_MAX_CHARS} characters."),
            ));
        }
        let invalid = || {
            AppError::field(
                field,
                "Enter a full link starting with https:// or http://.",
            )
        };
        let lower = url.to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &url["https://".len()..]
        } else if lower.starts_with("http://") {
            &url["http://".len()..]
        } else {
            return Err(invalid());
        };
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(AppError::field(
                field,
                "Remove the user name or password from the link.",
            ));
        }
        let host = match authority.strip_prefix('[') {
            // An IPv6 literal: "[2001:db8::1]:8443".
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        if !host_ok {
            return Err(invalid());
        }
        Ok(EvidenceUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EvidenceUrl {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EvidenceUrl::parse("url", &value)
    }
}

impl From<EvidenceUrl> for String {
    fn from(value: EvidenceUrl) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ErrorCode;
    use ControlStatus::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn verified_cannot_be_set_by_a_status_change() {
        for from in [NotImplemented, InProgress, Implemented, NotApplicable] {
            let error = check_status_change(from, Verified, None).unwrap_err();
            assert_eq!(error.code, ErrorCode::Conflict);
            assert!(error.message.starts_with("Use verify"), "{}", error.message);
        }
        assert!(check_status_change(Verified, Verified, None).is_ok());
    }

    #[test]
    fn not_applicable_needs_a_justification() {
        for justification in [None, Some(""), Some("   ")] {
            let error = check_status_change(InProgress, NotApplicable, justification).unwrap_err();
            assert_eq!(error.code, ErrorCode::Invalid);
            assert_eq!(
                error.fields["justification"],
                "Explain why this control does not apply."
            );
        }
        assert!(
            check_status_change(InProgress, NotApplicable, Some("No card data is stored.")).is_ok()
        );
        assert!(check_status_change(NotApplicable, NotApplicable, None).is_ok());
    }

    #[test]
    fn other_moves_are_free() {
        let open = [NotImplemented, InProgress, Implemented, NotApplicable];
        for from in open.into_iter().chain([Verified]) {
            for to in [NotImplemented, InProgress, Implemented] {
                assert!(
                    check_status_change(from, to, None).is_ok(),
                    "{from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn verify_only_from_implemented() {
        assert!(check_verify(Implemented).is_ok());
        let error = check_verify(InProgress).unwrap_err();
        assert_eq!(error.code, ErrorCode::Conflict);
        assert_eq!(
            error.message,
            "Only an implemented control can be verified; this one is \"In progress\"."
        );
        assert!(check_verify(NotImplemented)
            .unwrap_err()
            .message
            .contains("Not implemented"));
        assert!(check_verify(NotApplicable)
            .unwrap_err()
            .message
            .contains("Not applicable"));
        assert_eq!(
            check_verify(Verified).unwrap_err().message,
            "This control is already verified."
        );
    }

    #[test]
    fn implementation_edits_drop_verification() {
        for field in [
            "description",
            "evidence",
            "test_results",
            "requirement_ids",
            "reference",
            "framework_id",
        ] {
            assert_eq!(
                status_after_edit(Verified, &["title", field]),
                Implemented,
                "{field}"
            );
        }
        assert_eq!(
            status_after_edit(Verified, &["title", "owner_id", "priority"]),
            Verified
        );
        assert_eq!(status_after_edit(Verified, &[]), Verified);
        assert_eq!(status_after_edit(InProgress, &["description"]), InProgress);
        assert_eq!(status_after_edit(Implemented, &["evidence"]), Implemented);
    }

    #[test]
    fn expiry_is_strictly_after_the_last_valid_day() {
        let today = date("2025-06-15");
        let until = |d: &str| EvidenceDates {
            collected_on: date("2025-01-01"),
            valid_until: Some(date(d)),
        };
        assert!(is_expired(&until("2025-06-14"), today));
        assert!(!is_expired(&until("2025-06-15"), today));
        assert!(!is_expired(&until("2025-06-16"), today));
        let forever = EvidenceDates {
            collected_on: date("2020-01-01"),
            valid_until: None,
        };
        assert!(!is_expired(&forever, today));
    }

    #[test]
    fn stale_means_all_evidence_expired() {
        let today = date("2025-06-15");
        let expired = EvidenceDates {
            collected_on: date("2024-01-01"),
            valid_until: Some(date("2025-01-01")),
        };
        let current = EvidenceDates {
            collected_on: date("2025-01-01"),
            valid_until: Some(date("2026-01-01")),
        };
        let open_ended = EvidenceDates {
            collected_on: date("2025-01-01"),
            valid_until: None,
        };
        assert!(!is_stale(&[], today));
        assert!(is_stale(&[expired], today));
        assert!(is_stale(&[expired, expired], today));
        assert!(!is_stale(&[expired, current], today));
        assert!(!is_stale(&[expired, open_ended], today));
    }

    #[test]
    fn evidence_dates() {
        let today = date("2025-06-15");
        assert!(check_evidence_dates(today, None, today).is_ok());
        assert!(check_evidence_dates(date("2025-06-01"), Some(date("2025-06-01")), today).is_ok());
        assert!(
            check_evidence_dates(date("2025-06-01"), Some(date("2024-06-01")), today)
                .unwrap_err()
                .fields
                .contains_key("valid_until")
        );
        let error =
            check_evidence_dates(date("2025-06-16"), Some(date("2025-06-10")), today).unwrap_err();
        assert_eq!(error.fields.len(), 2);
        assert_eq!(
            error.fields["collected_on"],
            "The collection date cannot be in the future."
        );
    }

    #[test]
    fn evidence_urls() {
        for good in [
            "https://wiki.example.com/security/pentest-2025.pdf",
            "http://intranet/docs?id=7#page=2",
            "HTTPS://Example.com",
            "https://[2001:db8::1]:8443/report",
            "https://drive.example.com:443/",
        ] {
            assert_eq!(EvidenceUrl::parse("url", good).unwrap().as_str(), good);
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
            "ftp://example.com/x",
            "//example.com/x",
            "/docs/report.pdf",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/\u{0}",
            "https://<script>/",
        ] {
            assert!(
                EvidenceUrl::parse("url", bad)
                    .unwrap_err()
                    .fields
                    .contains_key("url"),
                "{bad}"
            );
        }
        let error = EvidenceUrl::parse("url", "https://alice:secret@example.com/").unwrap_err();
        assert_eq!(
            error.fields["url"],
            "Remove the user name or password from the link."
        );
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert!(EvidenceUrl::parse("url", &long).unwrap_err().fields["url"].contains("2000"));
        let just_fits = format!("https://example.com/{}", "a".repeat(2000 - 20));
        assert!(EvidenceUrl::parse("url", &just_fits).is_ok());
        assert!(serde_json::from_str::<EvidenceUrl>("\"javascript:alert(1)\"").is_err());
        assert_eq!(
            EvidenceUrl::parse("evidence_url", "  https://example.com  ")
                .unwrap()
                .as_str(),
            "https://example.com"
        );
    }

    #[test]
    fn status_wire_values() {
        assert_eq!(
            ControlStatus::parse("status", "not_applicable").unwrap(),
            NotApplicable
        );
        assert!(ControlStatus::parse("status", "done")
            .unwrap_err()
            .fields
            .contains_key("status"));
        assert_eq!(ControlStatus::ALL.len(), 5);
    }
}

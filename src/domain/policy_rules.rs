//! Baseline rules over the security policy, one table per framework (SPEC
//! §3.1 "Compliance summary"). A rule checks one setting against what the
//! framework asks for; the summary lists every rule of every committed
//! framework with pass/fail and the setting that decides it.
//!
//! The rules are a baseline in our own words, not the frameworks' text: they
//! check what a policy setting can show, and say nothing about controls the
//! settings cannot express.

use serde::{Deserialize, Serialize};

use crate::domain::policy::{BackupFrequency, PolicySettings, TlsVersion};

/// One baseline rule. `setting` is the field of [`PolicySettings`] it reads,
/// so a failing rule can point at the form field that fixes it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub description: &'static str,
    pub setting: &'static str,
    pub expected: &'static str,
    pub check: fn(&PolicySettings) -> bool,
}

/// The framework slugs that have rule tables, in catalogue order.
pub const RULE_SLUGS: [&str; 9] = [
    "nist-csf",
    "iso-27001",
    "cis-controls",
    "owasp-top-10",
    "pci-dss",
    "hipaa",
    "gdpr",
    "soc2",
    "nist-csf-2",
];

fn at_least_daily(s: &PolicySettings) -> bool {
    s.backup_frequency.interval_hours() <= BackupFrequency::Daily.interval_hours()
}

static PCI_DSS: [Rule; 8] = [
    Rule {
        id: "pci-dss.mfa-privileged",
        description: "MFA is required for privileged and administrative access",
        setting: "privileged_access_mfa",
        expected: "on",
        check: |s| s.privileged_access_mfa,
    },
    Rule {
        id: "pci-dss.password-length",
        description: "Passwords have at least seven characters",
        setting: "password_min_length",
        expected: "≥ 7 characters",
        check: |s| s.password_min_length >= 7,
    },
    Rule {
        id: "pci-dss.password-rotation",
        description: "Passwords are changed at least every 90 days",
        setting: "password_max_age_days",
        expected: "1–90 days",
        // 0 means passwords never expire, which is exactly what this rule
        // forbids.
        check: |s| (1..=90).contains(&s.password_max_age_days),
    },
    Rule {
        id: "pci-dss.password-history",
        description: "A new password differs from the last four",
        setting: "password_history",
        expected: "≥ 4 previous passwords",
        check: |s| s.password_history >= 4,
    },
    Rule {
        id: "pci-dss.lockout",
        description: "Accounts lock after at most six failed attempts",
        setting: "lockout_threshold",
        expected: "≤ 6 attempts",
        check: |s| s.lockout_threshold <= 6,
    },
    Rule {
        id: "pci-dss.idle-timeout",
        description: "Idle sessions end after at most 15 minutes",
        setting: "session_timeout_minutes",
        expected: "≤ 15 minutes",
        check: |s| s.session_timeout_minutes <= 15,
    },
    Rule {
        id: "pci-dss.audit-logging",
        description: "Audit trails record access to system components",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "pci-dss.log-retention",
        description: "Audit logs are kept for at least one year",
        setting: "log_retention_days",
        expected: "≥ 365 days",
        check: |s| s.log_retention_days >= 365,
    },
];

static HIPAA: [Rule; 6] = [
    Rule {
        id: "hipaa.audit-controls",
        description: "Activity in systems holding health data is recorded",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "hipaa.encryption-at-rest",
        description: "Stored health data is encrypted",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "hipaa.automatic-logoff",
        description: "Sessions log off automatically after at most 30 idle minutes",
        setting: "session_timeout_minutes",
        expected: "≤ 30 minutes",
        check: |s| s.session_timeout_minutes <= 30,
    },
    Rule {
        id: "hipaa.backup-encrypted",
        description: "Exact copies of health data are backed up and the backups are encrypted",
        setting: "backup_encrypted",
        expected: "on",
        check: |s| s.backup_encrypted,
    },
    Rule {
        id: "hipaa.incident-procedures",
        description: "Security incidents and breaches are reported through a defined process",
        setting: "breach_notification_process",
        expected: "on",
        check: |s| s.breach_notification_process,
    },
    Rule {
        id: "hipaa.access-review",
        description: "Who can reach health data is reviewed at least yearly",
        setting: "least_privilege_reviews_days",
        expected: "≤ 365 days",
        check: |s| s.least_privilege_reviews_days <= 365,
    },
];

static GDPR: [Rule; 4] = [
    Rule {
        id: "gdpr.encryption-at-rest",
        description: "Personal data is encrypted at rest",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "gdpr.breach-notification",
        description:
            "A process exists to notify the authority of a personal data breach within 72 hours",
        setting: "breach_notification_process",
        expected: "on",
        check: |s| s.breach_notification_process,
    },
    Rule {
        id: "gdpr.backup-encrypted",
        description: "Backups of personal data are encrypted",
        setting: "backup_encrypted",
        expected: "on",
        check: |s| s.backup_encrypted,
    },
    Rule {
        id: "gdpr.accountability-logging",
        description: "Processing activity is logged so compliance can be demonstrated",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
];

static ISO_27001: [Rule; 7] = [
    Rule {
        id: "iso-27001.secure-authentication",
        description: "Multi-factor authentication is required",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "iso-27001.password-length",
        description: "Passwords have at least eight characters",
        setting: "password_min_length",
        expected: "≥ 8 characters",
        check: |s| s.password_min_length >= 8,
    },
    Rule {
        id: "iso-27001.tls",
        description: "Data in transit uses TLS 1.2 or later",
        setting: "tls_min_version",
        expected: "TLS 1.2 or later",
        check: |s| s.tls_min_version >= TlsVersion::Tls12,
    },
    Rule {
        id: "iso-27001.key-rotation",
        description: "Cryptographic keys are rotated at least yearly",
        setting: "key_rotation_days",
        expected: "≤ 365 days",
        check: |s| s.key_rotation_days <= 365,
    },
    Rule {
        id: "iso-27001.access-review",
        description: "Access rights are reviewed at least every six months",
        setting: "least_privilege_reviews_days",
        expected: "≤ 180 days",
        check: |s| s.least_privilege_reviews_days <= 180,
    },
    Rule {
        id: "iso-27001.logging",
        description: "Activities, exceptions and security events are logged",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "iso-27001.vulnerability-patching",
        description: "Critical vulnerabilities are patched within 30 days",
        setting: "patch_critical_within_days",
        expected: "≤ 30 days",
        check: |s| s.patch_critical_within_days <= 30,
    },
];

static SOC2: [Rule; 7] = [
    Rule {
        id: "soc2.mfa",
        description: "Multi-factor authentication is required for logical access",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "soc2.access-review",
        description: "User access is reviewed at least quarterly",
        setting: "least_privilege_reviews_days",
        expected: "≤ 90 days",
        check: |s| s.least_privilege_reviews_days <= 90,
    },
    Rule {
        id: "soc2.monitoring",
        description: "System activity is logged to detect anomalies",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "soc2.encryption-at-rest",
        description: "Confidential data is encrypted at rest",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "soc2.backups",
        description: "Data is backed up at least daily to meet availability commitments",
        setting: "backup_frequency",
        expected: "daily or more often",
        check: at_least_daily,
    },
    Rule {
        id: "soc2.vulnerability-scanning",
        description: "Vulnerability scans run at least monthly",
        setting: "vuln_scan_frequency_days",
        expected: "≤ 30 days",
        check: |s| s.vuln_scan_frequency_days <= 30,
    },
    Rule {
        id: "soc2.penetration-testing",
        description: "Penetration tests are performed at least yearly",
        setting: "pentest_frequency_months",
        expected: "≤ 12 months",
        check: |s| s.pentest_frequency_months <= 12,
    },
];

static NIST_CSF: [Rule; 7] = [
    Rule {
        id: "nist-csf.mfa",
        description: "Users are authenticated with more than one factor (PR.AC-7)",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "nist-csf.data-at-rest",
        description: "Data at rest is protected by encryption (PR.DS-1)",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "nist-csf.audit-logging",
        description: "Audit records are kept and reviewed (PR.PT-1)",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "nist-csf.event-correlation",
        description: "Event data is collected and correlated from several sources (DE.AE-3)",
        setting: "siem_integration",
        expected: "on",
        check: |s| s.siem_integration,
    },
    Rule {
        id: "nist-csf.backups",
        description: "Backups are made at least daily (PR.IP-4)",
        setting: "backup_frequency",
        expected: "daily or more often",
        check: at_least_daily,
    },
    Rule {
        id: "nist-csf.vulnerability-scanning",
        description: "Vulnerability scans run at least monthly (DE.CM-8)",
        setting: "vuln_scan_frequency_days",
        expected: "≤ 30 days",
        check: |s| s.vuln_scan_frequency_days <= 30,
    },
    Rule {
        id: "nist-csf.incident-reporting",
        description: "Incidents are reported according to established criteria (RS.CO-2)",
        setting: "breach_notification_process",
        expected: "on",
        check: |s| s.breach_notification_process,
    },
];

static NIST_CSF_2: [Rule; 8] = [
    Rule {
        id: "nist-csf-2.mfa",
        description: "Identities are authenticated with more than one factor (PR.AA-03)",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "nist-csf-2.access-review",
        description: "Access permissions are reviewed at least every six months (PR.AA-05)",
        setting: "least_privilege_reviews_days",
        expected: "≤ 180 days",
        check: |s| s.least_privilege_reviews_days <= 180,
    },
    Rule {
        id: "nist-csf-2.data-at-rest",
        description: "Data at rest is encrypted (PR.DS-01)",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "nist-csf-2.backups",
        description: "Backups are made at least daily (PR.DS-11)",
        setting: "backup_frequency",
        expected: "daily or more often",
        check: at_least_daily,
    },
    Rule {
        id: "nist-csf-2.log-records",
        description: "Log records are generated for continuous monitoring (PR.PS-04)",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "nist-csf-2.event-correlation",
        description:
            "Information from several sources is correlated to find adverse events (DE.AE-03)",
        setting: "siem_integration",
        expected: "on",
        check: |s| s.siem_integration,
    },
    Rule {
        id: "nist-csf-2.vulnerability-scanning",
        description: "Vulnerabilities are identified by scans at least monthly (ID.RA-01)",
        setting: "vuln_scan_frequency_days",
        expected: "≤ 30 days",
        check: |s| s.vuln_scan_frequency_days <= 30,
    },
    Rule {
        id: "nist-csf-2.incident-notification",
        description: "Stakeholders and authorities are notified of incidents (RS.CO-02)",
        setting: "breach_notification_process",
        expected: "on",
        check: |s| s.breach_notification_process,
    },
];

static CIS_CONTROLS: [Rule; 8] = [
    Rule {
        id: "cis-controls.mfa-admin",
        description: "MFA is required for administrative access (6.5)",
        setting: "privileged_access_mfa",
        expected: "on",
        check: |s| s.privileged_access_mfa,
    },
    Rule {
        id: "cis-controls.mfa-users",
        description:
            "MFA is required for externally exposed applications and remote access (6.3, 6.4)",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "cis-controls.password-length",
        description: "Passwords have 8 characters with MFA, 14 without (5.2)",
        setting: "password_min_length",
        expected: "≥ 8 characters with MFA, ≥ 14 without",
        check: |s| s.password_min_length >= if s.mfa_required { 8 } else { 14 },
    },
    Rule {
        id: "cis-controls.audit-logging",
        description: "Audit logs are collected (8.2)",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
    Rule {
        id: "cis-controls.log-retention",
        description: "Audit logs are kept for at least 90 days (8.10)",
        setting: "log_retention_days",
        expected: "≥ 90 days",
        check: |s| s.log_retention_days >= 90,
    },
    Rule {
        id: "cis-controls.vulnerability-scanning",
        description: "Automated vulnerability scans run at least quarterly (7.5, 7.6)",
        setting: "vuln_scan_frequency_days",
        expected: "≤ 90 days",
        check: |s| s.vuln_scan_frequency_days <= 90,
    },
    Rule {
        id: "cis-controls.remediation",
        description: "Critical vulnerabilities are remediated at least monthly (7.7)",
        setting: "patch_critical_within_days",
        expected: "≤ 30 days",
        check: |s| s.patch_critical_within_days <= 30,
    },
    Rule {
        id: "cis-controls.penetration-testing",
        description: "External penetration tests run at least yearly (18.2)",
        setting: "pentest_frequency_months",
        expected: "≤ 12 months",
        check: |s| s.pentest_frequency_months <= 12,
    },
];

static OWASP_TOP_10: [Rule; 7] = [
    Rule {
        id: "owasp-top-10.mfa",
        description: "Multi-factor authentication guards against credential stuffing (A07)",
        setting: "mfa_required",
        expected: "on",
        check: |s| s.mfa_required,
    },
    Rule {
        id: "owasp-top-10.password-length",
        description: "Weak, short passwords are refused (A07)",
        setting: "password_min_length",
        expected: "≥ 8 characters",
        check: |s| s.password_min_length >= 8,
    },
    Rule {
        id: "owasp-top-10.brute-force",
        description: "Repeated failed logins are limited (A07)",
        setting: "lockout_threshold",
        expected: "≤ 10 attempts",
        check: |s| s.lockout_threshold <= 10,
    },
    Rule {
        id: "owasp-top-10.session-timeout",
        description: "Idle sessions are invalidated (A07)",
        setting: "session_timeout_minutes",
        expected: "≤ 60 minutes",
        check: |s| s.session_timeout_minutes <= 60,
    },
    Rule {
        id: "owasp-top-10.encryption-at-rest",
        description: "Sensitive data is encrypted at rest (A02)",
        setting: "encryption_at_rest",
        expected: "on",
        check: |s| s.encryption_at_rest,
    },
    Rule {
        id: "owasp-top-10.vulnerable-components",
        description: "Critical vulnerabilities in components are patched within 30 days (A06)",
        setting: "patch_critical_within_days",
        expected: "≤ 30 days",
        check: |s| s.patch_critical_within_days <= 30,
    },
    Rule {
        id: "owasp-top-10.logging",
        description: "Security-relevant events are logged (A09)",
        setting: "audit_logging_enabled",
        expected: "on",
        check: |s| s.audit_logging_enabled,
    },
];

/// The rules of a framework; empty for a slug without a table (an imported
/// framework, for instance).
pub fn rules_for(slug: &str) -> &'static [Rule] {
    match slug {
        "pci-dss" => &PCI_DSS,
        "hipaa" => &HIPAA,
        "gdpr" => &GDPR,
        "iso-27001" => &ISO_27001,
        "soc2" => &SOC2,
        "nist-csf" => &NIST_CSF,
        "nist-csf-2" => &NIST_CSF_2,
        "cis-controls" => &CIS_CONTROLS,
        "owasp-top-10" => &OWASP_TOP_10,
        _ => &[],
    }
}

/// One rule checked against a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RuleOutcome {
    pub rule_id: String,
    pub framework_slug: String,
    pub description: String,
    pub setting: String,
    pub expected: String,
    /// The setting's current value as a person reads it.
    pub actual: String,
    pub passed: bool,
}

/// How one framework's rules fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct FrameworkOutcome {
    pub slug: String,
    pub passed: u32,
    pub total: u32,
    /// `passed / total`, 0.0–1.0. A framework without rules has nothing to
    /// fail and gets 1.0; show `total` beside it so that reads honestly.
    pub ratio: f64,
}

/// The compliance summary of a policy over the frameworks it commits to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ComplianceSummary {
    pub frameworks: Vec<FrameworkOutcome>,
    pub rules: Vec<RuleOutcome>,
    pub passed: u32,
    pub total: u32,
    /// Over every rule of every framework (not the mean of the framework
    /// ratios, so a framework with more rules weighs more); 1.0 when there
    /// are no rules.
    pub overall_ratio: f64,
}

fn ratio(passed: u32, total: u32) -> f64 {
    if total == 0 {
        1.0
    } else {
        f64::from(passed) / f64::from(total)
    }
}

/// Checks `settings` against the rules of each committed framework, in the
/// order given. A slug listed twice counts once; a slug without a rule table
/// appears with total 0.
pub fn compliance_summary(
    settings: &PolicySettings,
    committed_slugs: &[&str],
) -> ComplianceSummary {
    let mut frameworks: Vec<FrameworkOutcome> = Vec::new();
    let mut rules = Vec::new();
    for &slug in committed_slugs {
        if frameworks.iter().any(|framework| framework.slug == slug) {
            continue;
        }
        let mut passed = 0;
        let table = rules_for(slug);
        for rule in table {
            let ok = (rule.check)(settings);
            passed += u32::from(ok);
            rules.push(RuleOutcome {
                rule_id: rule.id.to_string(),
                framework_slug: slug.to_string(),
                description: rule.description.to_string(),
                setting: rule.setting.to_string(),
                expected: rule.expected.to_string(),
                actual: settings.display_value(rule.setting).unwrap_or_default(),
                passed: ok,
            });
        }
        let total = table.len() as u32;
        frameworks.push(FrameworkOutcome {
            slug: slug.to_string(),
            passed,
            total,
            ratio: ratio(passed, total),
        });
    }
    let passed = frameworks.iter().map(|framework| framework.passed).sum();
    let total = frameworks.iter().map(|framework| framework.total).sum();
    ComplianceSummary {
        frameworks,
        rules,
        passed,
        total,
        overall_ratio: ratio(passed, total),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::policy::FIELDS;

    fn outcome(settings: &PolicySettings, slug: &str) -> ComplianceSummary {
        compliance_summary(settings, &[slug])
    }

    fn failed(summary: &ComplianceSummary) -> Vec<&str> {
        summary
            .rules
            .iter()
            .filter(|rule| !rule.passed)
            .map(|rule| rule.rule_id.as_str())
            .collect()
    }

    fn defaults() -> PolicySettings {
        PolicySettings::default()
    }

    /// Asserts that `change` fails exactly `rule_id` of `slug`, which passed
    /// before, and returns that rule's outcome.
    fn flips(slug: &str, rule_id: &str, change: impl FnOnce(&mut PolicySettings)) -> RuleOutcome {
        let before = outcome(&defaults(), slug);
        assert!(
            before
                .rules
                .iter()
                .any(|r| r.rule_id == rule_id && r.passed),
            "{rule_id}"
        );
        let mut settings = defaults();
        change(&mut settings);
        let after = outcome(&settings, slug);
        let newly_failed: Vec<&str> = failed(&after)
            .into_iter()
            .filter(|id| !failed(&before).contains(id))
            .collect();
        assert_eq!(newly_failed, [rule_id]);
        after
            .rules
            .into_iter()
            .find(|r| r.rule_id == rule_id)
            .unwrap()
    }

    #[test]
    fn tables_are_well_formed() {
        let mut ids = HashSet::new();
        for slug in RULE_SLUGS {
            let rules = rules_for(slug);
            assert!(
                (3..=8).contains(&rules.len()),
                "{slug} has {} rules",
                rules.len()
            );
            for rule in rules {
                assert!(rule.id.starts_with(&format!("{slug}.")), "{}", rule.id);
                assert!(ids.insert(rule.id), "duplicate {}", rule.id);
                assert!(
                    FIELDS.contains(&rule.setting),
                    "{} checks unknown {}",
                    rule.id,
                    rule.setting
                );
                assert!(!rule.description.is_empty() && !rule.expected.is_empty());
            }
        }
        assert!(rules_for("unknown").is_empty());
    }

    #[test]
    fn pci_dss() {
        let summary = outcome(&defaults(), "pci-dss");
        assert_eq!(failed(&summary), ["pci-dss.idle-timeout"]);
        assert_eq!((summary.passed, summary.total), (7, 8));

        let rule = flips("pci-dss", "pci-dss.password-length", |s| {
            s.password_min_length = 6
        });
        assert_eq!(rule.setting, "password_min_length");
        assert_eq!(rule.expected, "≥ 7 characters");
        assert_eq!(rule.actual, "6 characters");
        assert_eq!(rule.framework_slug, "pci-dss");

        let rule = flips("pci-dss", "pci-dss.password-rotation", |s| {
            s.password_max_age_days = 0
        });
        assert_eq!(rule.actual, "never");
        flips("pci-dss", "pci-dss.password-rotation", |s| {
            s.password_max_age_days = 91
        });
        flips("pci-dss", "pci-dss.mfa-privileged", |s| {
            s.privileged_access_mfa = false
        });
        flips("pci-dss", "pci-dss.log-retention", |s| {
            s.log_retention_days = 364
        });
        flips("pci-dss", "pci-dss.audit-logging", |s| {
            s.audit_logging_enabled = false
        });
        flips("pci-dss", "pci-dss.password-history", |s| {
            s.password_history = 3
        });
        flips("pci-dss", "pci-dss.lockout", |s| s.lockout_threshold = 7);

        let mut settings = defaults();
        settings.session_timeout_minutes = 15;
        settings.password_min_length = 7;
        settings.password_max_age_days = 1;
        assert!(failed(&outcome(&settings, "pci-dss")).is_empty());
    }

    #[test]
    fn hipaa() {
        let summary = outcome(&defaults(), "hipaa");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 6);
        flips("hipaa", "hipaa.audit-controls", |s| {
            s.audit_logging_enabled = false
        });
        flips("hipaa", "hipaa.encryption-at-rest", |s| {
            s.encryption_at_rest = false
        });
        let rule = flips("hipaa", "hipaa.automatic-logoff", |s| {
            s.session_timeout_minutes = 31
        });
        assert_eq!(
            (rule.expected.as_str(), rule.actual.as_str()),
            ("≤ 30 minutes", "31 minutes")
        );
        flips("hipaa", "hipaa.backup-encrypted", |s| {
            s.backup_encrypted = false
        });
        flips("hipaa", "hipaa.incident-procedures", |s| {
            s.breach_notification_process = false
        });
        flips("hipaa", "hipaa.access-review", |s| {
            s.least_privilege_reviews_days = 366
        });
    }

    #[test]
    fn gdpr() {
        let summary = outcome(&defaults(), "gdpr");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 4);
        flips("gdpr", "gdpr.encryption-at-rest", |s| {
            s.encryption_at_rest = false
        });
        let rule = flips("gdpr", "gdpr.breach-notification", |s| {
            s.breach_notification_process = false
        });
        assert_eq!(
            (rule.expected.as_str(), rule.actual.as_str()),
            ("on", "off")
        );
        flips("gdpr", "gdpr.backup-encrypted", |s| {
            s.backup_encrypted = false
        });
        flips("gdpr", "gdpr.accountability-logging", |s| {
            s.audit_logging_enabled = false
        });
    }

    #[test]
    fn iso_27001() {
        let summary = outcome(&defaults(), "iso-27001");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 7);
        let rule = flips("iso-27001", "iso-27001.password-length", |s| {
            s.password_min_length = 7
        });
        assert_eq!(rule.expected, "≥ 8 characters");
        flips("iso-27001", "iso-27001.password-length", |s| {
            s.password_min_length = 6
        });
        flips("iso-27001", "iso-27001.secure-authentication", |s| {
            s.mfa_required = false
        });
        flips("iso-27001", "iso-27001.key-rotation", |s| {
            s.key_rotation_days = 366
        });
        flips("iso-27001", "iso-27001.access-review", |s| {
            s.least_privilege_reviews_days = 181
        });
        flips("iso-27001", "iso-27001.logging", |s| {
            s.audit_logging_enabled = false
        });
        flips("iso-27001", "iso-27001.vulnerability-patching", |s| {
            s.patch_critical_within_days = 31
        });
        let mut settings = defaults();
        settings.tls_min_version = TlsVersion::Tls13;
        assert!(failed(&outcome(&settings, "iso-27001")).is_empty());
    }

    #[test]
    fn soc2() {
        let summary = outcome(&defaults(), "soc2");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 7);
        flips("soc2", "soc2.mfa", |s| s.mfa_required = false);
        flips("soc2", "soc2.access-review", |s| {
            s.least_privilege_reviews_days = 91
        });
        flips("soc2", "soc2.monitoring", |s| {
            s.audit_logging_enabled = false
        });
        flips("soc2", "soc2.encryption-at-rest", |s| {
            s.encryption_at_rest = false
        });
        let rule = flips("soc2", "soc2.backups", |s| {
            s.backup_frequency = BackupFrequency::Weekly
        });
        assert_eq!(rule.actual, "weekly");
        flips("soc2", "soc2.vulnerability-scanning", |s| {
            s.vuln_scan_frequency_days = 31
        });
        flips("soc2", "soc2.penetration-testing", |s| {
            s.pentest_frequency_months = 13
        });
    }

    #[test]
    fn nist_csf() {
        let summary = outcome(&defaults(), "nist-csf");
        assert_eq!(failed(&summary), ["nist-csf.event-correlation"]);
        assert_eq!((summary.passed, summary.total), (6, 7));
        flips("nist-csf", "nist-csf.mfa", |s| s.mfa_required = false);
        flips("nist-csf", "nist-csf.data-at-rest", |s| {
            s.encryption_at_rest = false
        });
        flips("nist-csf", "nist-csf.audit-logging", |s| {
            s.audit_logging_enabled = false
        });
        flips("nist-csf", "nist-csf.backups", |s| {
            s.backup_frequency = BackupFrequency::Weekly
        });
        flips("nist-csf", "nist-csf.vulnerability-scanning", |s| {
            s.vuln_scan_frequency_days = 31
        });
        flips("nist-csf", "nist-csf.incident-reporting", |s| {
            s.breach_notification_process = false
        });
        let mut settings = defaults();
        settings.siem_integration = true;
        assert!(failed(&outcome(&settings, "nist-csf")).is_empty());
    }

    #[test]
    fn nist_csf_2() {
        let summary = outcome(&defaults(), "nist-csf-2");
        assert_eq!(failed(&summary), ["nist-csf-2.event-correlation"]);
        assert_eq!((summary.passed, summary.total), (7, 8));
        flips("nist-csf-2", "nist-csf-2.mfa", |s| s.mfa_required = false);
        flips("nist-csf-2", "nist-csf-2.access-review", |s| {
            s.least_privilege_reviews_days = 181
        });
        flips("nist-csf-2", "nist-csf-2.data-at-rest", |s| {
            s.encryption_at_rest = false
        });
        flips("nist-csf-2", "nist-csf-2.backups", |s| {
            s.backup_frequency = BackupFrequency::Weekly
        });
        flips("nist-csf-2", "nist-csf-2.log-records", |s| {
            s.audit_logging_enabled = false
        });
        flips("nist-csf-2", "nist-csf-2.vulnerability-scanning", |s| {
            s.vuln_scan_frequency_days = 31
        });
        flips("nist-csf-2", "nist-csf-2.incident-notification", |s| {
            s.breach_notification_process = false
        });
        let mut settings = defaults();
        settings.siem_integration = true;
        settings.backup_frequency = BackupFrequency::Hourly;
        assert!(failed(&outcome(&settings, "nist-csf-2")).is_empty());
    }

    #[test]
    fn cis_controls() {
        let summary = outcome(&defaults(), "cis-controls");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 8);
        flips("cis-controls", "cis-controls.mfa-admin", |s| {
            s.privileged_access_mfa = false
        });
        flips("cis-controls", "cis-controls.password-length", |s| {
            s.password_min_length = 7
        });
        flips("cis-controls", "cis-controls.audit-logging", |s| {
            s.audit_logging_enabled = false
        });
        flips("cis-controls", "cis-controls.log-retention", |s| {
            s.log_retention_days = 89
        });
        flips("cis-controls", "cis-controls.vulnerability-scanning", |s| {
            s.vuln_scan_frequency_days = 91
        });
        flips("cis-controls", "cis-controls.remediation", |s| {
            s.patch_critical_within_days = 31
        });
        flips("cis-controls", "cis-controls.penetration-testing", |s| {
            s.pentest_frequency_months = 13
        });

        // Without MFA a 12-character minimum is too short; with 14 it passes.
        let mut settings = defaults();
        settings.mfa_required = false;
        let summary = outcome(&settings, "cis-controls");
        assert_eq!(
            failed(&summary),
            ["cis-controls.mfa-users", "cis-controls.password-length"]
        );
        settings.password_min_length = 14;
        assert_eq!(
            failed(&outcome(&settings, "cis-controls")),
            ["cis-controls.mfa-users"]
        );
    }

    #[test]
    fn owasp_top_10() {
        let summary = outcome(&defaults(), "owasp-top-10");
        assert!(failed(&summary).is_empty());
        assert_eq!(summary.total, 7);
        flips("owasp-top-10", "owasp-top-10.mfa", |s| {
            s.mfa_required = false
        });
        flips("owasp-top-10", "owasp-top-10.password-length", |s| {
            s.password_min_length = 7
        });
        flips("owasp-top-10", "owasp-top-10.brute-force", |s| {
            s.lockout_threshold = 11
        });
        flips("owasp-top-10", "owasp-top-10.session-timeout", |s| {
            s.session_timeout_minutes = 61
        });
        flips("owasp-top-10", "owasp-top-10.encryption-at-rest", |s| {
            s.encryption_at_rest = false
        });
        flips("owasp-top-10", "owasp-top-10.vulnerable-components", |s| {
            s.patch_critical_within_days = 31
        });
        flips("owasp-top-10", "owasp-top-10.logging", |s| {
            s.audit_logging_enabled = false
        });
    }

    #[test]
    fn ratios_per_framework_and_overall() {
        let summary = compliance_summary(&defaults(), &["pci-dss", "gdpr", "in-house"]);
        let slugs: Vec<&str> = summary.frameworks.iter().map(|f| f.slug.as_str()).collect();
        assert_eq!(slugs, ["pci-dss", "gdpr", "in-house"]);
        assert_eq!(summary.frameworks[0].ratio, 7.0 / 8.0);
        assert_eq!(summary.frameworks[1].ratio, 1.0);
        assert_eq!(
            (summary.frameworks[2].total, summary.frameworks[2].ratio),
            (0, 1.0)
        );
        assert_eq!((summary.passed, summary.total), (11, 12));
        assert_eq!(summary.overall_ratio, 11.0 / 12.0);
        assert_eq!(summary.rules.len(), 12);
        assert!(summary.rules[..8]
            .iter()
            .all(|rule| rule.framework_slug == "pci-dss"));

        let mut settings = defaults();
        settings.encryption_at_rest = false;
        settings.audit_logging_enabled = false;
        let summary = compliance_summary(&settings, &["gdpr", "pci-dss"]);
        assert_eq!(summary.frameworks[0].ratio, 0.5);
        assert_eq!(
            (summary.frameworks[1].passed, summary.frameworks[1].total),
            (6, 8)
        );
        assert_eq!(summary.overall_ratio, 8.0 / 12.0);
    }

    #[test]
    fn empty_and_repeated_commitments() {
        let summary = compliance_summary(&defaults(), &[]);
        assert!(summary.frameworks.is_empty() && summary.rules.is_empty());
        assert_eq!((summary.total, summary.overall_ratio), (0, 1.0));
        let summary = compliance_summary(&defaults(), &["gdpr", "gdpr"]);
        assert_eq!((summary.frameworks.len(), summary.total), (1, 4));
    }

    #[test]
    fn every_framework_together() {
        let summary = compliance_summary(&defaults(), &RULE_SLUGS);
        assert_eq!(summary.frameworks.len(), 9);
        assert_eq!(summary.total, summary.rules.len() as u32);
        assert_eq!(
            failed(&summary),
            [
                "nist-csf.event-correlation",
                "pci-dss.idle-timeout",
                "nist-csf-2.event-correlation"
            ]
        );
        let json = serde_json::to_value(&summary).unwrap();
        let back: ComplianceSummary = serde_json::from_value(json).unwrap();
        assert_eq!(back, summary);
    }
}

//! Server functions of the printable pages (SPEC §7): the compliance report
//! (`/enterprise/{id}/compliance/print`) and the ISO/IEC 27001 Statement of
//! Applicability (`/enterprise/{id}/soa/print`). Viewers may print; anyone
//! who is not a member of the enterprise gets 403.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::audit::FindingStatus;
use crate::domain::common::Severity;
use crate::domain::compliance::{RequirementStatus, ScoreBand, StatusCounts};
use crate::domain::control::ControlStatus;
use crate::domain::error::AppError;

/// The framework whose Annex A the Statement of Applicability lists.
pub const SOA_FRAMEWORK: &str = "iso-27001";

/// How every printed page states when it was generated (UTC, from the
/// server, so the browser renders exactly what the server did).
pub fn generated_label(at: DateTime<Utc>) -> String {
    format!("Generated {}", at.format("%Y-%m-%d %H:%M UTC"))
}

// ---------------------------------------------------------------------------
// Compliance report
// ---------------------------------------------------------------------------

/// The printable compliance report of one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceReport {
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub generated_at: DateTime<Utc>,
    /// Set when the report is limited to one framework (`?framework=slug`).
    pub only_framework: Option<String>,
    /// The overall score (of the one framework when limited to it).
    pub score: Option<f64>,
    pub band: Option<ScoreBand>,
    pub counts: StatusCounts,
    pub frameworks: Vec<ReportFramework>,
    pub findings: Vec<ReportFinding>,
}

/// One framework the enterprise tracks requirements of or commits to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFramework {
    pub slug: String,
    pub name: String,
    pub version: String,
    pub committed: bool,
    pub score: Option<f64>,
    pub band: Option<ScoreBand>,
    pub counts: StatusCounts,
    pub requirements: Vec<ReportRequirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequirement {
    pub reference: Option<String>,
    pub title: String,
    pub status: RequirementStatus,
    pub owner: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub overdue: bool,
    pub evidence: String,
}

/// An unresolved audit finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportFinding {
    pub audit: String,
    pub title: String,
    pub severity: Severity,
    pub deadline: Option<NaiveDate>,
    pub status: FindingStatus,
    pub overdue: bool,
}

#[server(prefix = "/sfn", endpoint = "load_compliance_report")]
pub async fn load_compliance_report(
    enterprise_id: String,
    framework: Option<String>,
) -> Result<ComplianceReport, AppError> {
    use std::collections::HashMap;

    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::{compliance, enterprises, frameworks, reports};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let enterprise_id =
        Uuid::parse_str(enterprise_id.trim()).map_err(|_| fail(AppError::not_found()))?;
    let enterprise = enterprises::get(pool, &actor, enterprise_id)
        .await
        .map_err(fail)?;
    let only = match framework.as_deref().map(str::trim) {
        Some(slug) if !slug.is_empty() => Some(frameworks::get(pool, slug).await.map_err(fail)?),
        _ => None,
    };
    let generated_at = Utc::now();
    let today = compliance::today();
    let scores = compliance::scores_unchecked(pool, enterprise_id)
        .await
        .map_err(fail)?;
    let tracked =
        reports::tracked_requirements(pool, enterprise_id, only.as_ref().map(|f| f.id), today)
            .await
            .map_err(fail)?;
    let findings = reports::open_findings(pool, enterprise_id, today)
        .await
        .map_err(fail)?;

    let mut by_framework: HashMap<Uuid, Vec<ReportRequirement>> = HashMap::new();
    for item in tracked {
        by_framework
            .entry(item.framework_id)
            .or_default()
            .push(ReportRequirement {
                reference: item.requirement_ref,
                title: item.title,
                status: item.status,
                owner: item.owner_name,
                deadline: item.deadline,
                overdue: item.overdue,
                evidence: item.evidence,
            });
    }
    let mut sections: Vec<ReportFramework> = scores
        .frameworks
        .into_iter()
        .filter(|f| only.as_ref().is_none_or(|only| only.id == f.framework_id))
        .map(|f| ReportFramework {
            requirements: by_framework.remove(&f.framework_id).unwrap_or_default(),
            slug: f.slug,
            name: f.name,
            version: f.version,
            committed: f.committed,
            score: f.score,
            band: f.band,
            counts: f.counts,
        })
        .collect();
    // A framework asked for by name gets its section even when nothing of it
    // is tracked or committed yet: the report then says so.
    if let (Some(only), true) = (&only, sections.is_empty()) {
        sections.push(ReportFramework {
            slug: only.slug.clone(),
            name: only.name.clone(),
            version: only.version.clone(),
            committed: false,
            score: None,
            band: None,
            counts: StatusCounts::default(),
            requirements: Vec::new(),
        });
    }
    let (score, band, counts) = match (&only, sections.first()) {
        (Some(_), Some(section)) => (section.score, section.band, section.counts),
        _ => (scores.score, scores.band, scores.counts),
    };
    Ok(ComplianceReport {
        enterprise_id,
        enterprise_name: enterprise.name,
        generated_at,
        only_framework: only.map(|f| format!("{} {}", f.name, f.version)),
        score,
        band,
        counts,
        frameworks: sections,
        findings: findings
            .into_iter()
            .map(|f| ReportFinding {
                audit: f.audit_title,
                title: f.title,
                severity: f.severity,
                deadline: f.remediation_deadline,
                status: f.status,
                overdue: f.overdue,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------
// Statement of Applicability
// ---------------------------------------------------------------------------

/// The ISO/IEC 27001:2022 Statement of Applicability of one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Soa {
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub generated_at: DateTime<Utc>,
    /// e.g. "ISO/IEC 27001 2022".
    pub framework_name: String,
    pub framework_version: String,
    pub summary: SoaSummary,
    pub themes: Vec<SoaTheme>,
}

/// Counts over every Annex A control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SoaSummary {
    pub total: usize,
    pub applicable: usize,
    pub not_applicable: usize,
    /// Applicable and implemented or verified.
    pub implemented: usize,
    /// Applicable with no control addressing it.
    pub not_addressed: usize,
}

/// A theme of Annex A (A.5 organisational … A.8 technological).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoaTheme {
    pub reference: String,
    pub title: String,
    pub rows: Vec<SoaRow>,
}

/// One Annex A control and how the enterprise stands on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoaRow {
    pub reference: String,
    pub title: String,
    pub applicable: bool,
    /// Why it does not apply (from the controls marked not applicable).
    pub justification: Option<String>,
    /// `None`: no control of the enterprise addresses it ("Not addressed").
    pub status: Option<ControlStatus>,
    /// The enterprise's controls that address it.
    pub controls: Vec<SoaControl>,
    /// The evidence of those controls, each name once.
    pub evidence: Vec<SoaEvidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoaControl {
    pub reference: String,
    pub title: String,
    pub status: ControlStatus,
    pub justification: Option<String>,
    pub evidence: Vec<SoaEvidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoaEvidence {
    pub name: String,
    pub expired: bool,
}

/// How far along a control is; the SoA reports the least advanced of the
/// controls that address an Annex A control (a requirement is only as far
/// along as its weakest control).
fn progress_rank(status: ControlStatus) -> u8 {
    match status {
        ControlStatus::NotImplemented => 0,
        ControlStatus::InProgress => 1,
        ControlStatus::Implemented => 2,
        ControlStatus::Verified => 3,
        ControlStatus::NotApplicable => 4,
    }
}

impl SoaRow {
    /// Applicability of an Annex A control from the enterprise's controls
    /// that address it: with none, it applies and is not addressed; it does
    /// not apply only when every one of them is marked not applicable (their
    /// justifications explain why); otherwise its status is that of the least
    /// advanced applicable control.
    pub fn assess(reference: String, title: String, controls: Vec<SoaControl>) -> SoaRow {
        let applicable_controls: Vec<&SoaControl> = controls
            .iter()
            .filter(|c| c.status != ControlStatus::NotApplicable)
            .collect();
        let applicable = controls.is_empty() || !applicable_controls.is_empty();
        let status = if controls.is_empty() {
            None
        } else if applicable {
            applicable_controls
                .iter()
                .map(|c| c.status)
                .min_by_key(|s| progress_rank(*s))
        } else {
            Some(ControlStatus::NotApplicable)
        };
        let justification = if applicable {
            None
        } else {
            let mut texts: Vec<String> = Vec::new();
            for text in controls
                .iter()
                .filter_map(|c| c.justification.as_deref())
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                if !texts.iter().any(|seen| seen == text) {
                    texts.push(text.to_string());
                }
            }
            (!texts.is_empty()).then(|| texts.join(" "))
        };
        let mut evidence: Vec<SoaEvidence> = Vec::new();
        for item in controls.iter().flat_map(|c| c.evidence.iter()) {
            match evidence.iter_mut().find(|seen| seen.name == item.name) {
                // One valid copy is enough for the name to count as current.
                Some(seen) => seen.expired &= item.expired,
                None => evidence.push(item.clone()),
            }
        }
        SoaRow {
            reference,
            title,
            applicable,
            justification,
            status,
            controls,
            evidence,
        }
    }
}

impl SoaSummary {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a SoaRow>) -> SoaSummary {
        let mut summary = SoaSummary::default();
        for row in rows {
            summary.total += 1;
            if !row.applicable {
                summary.not_applicable += 1;
                continue;
            }
            summary.applicable += 1;
            match row.status {
                None => summary.not_addressed += 1,
                Some(ControlStatus::Implemented | ControlStatus::Verified) => {
                    summary.implemented += 1
                }
                Some(_) => {}
            }
        }
        summary
    }
}

#[server(prefix = "/sfn", endpoint = "load_soa")]
pub async fn load_soa(enterprise_id: String) -> Result<Soa, AppError> {
    use std::collections::HashMap;

    use super::context::{caller_or_401, fail, state};
    use crate::domain::server::{compliance, enterprises, frameworks, reports};

    let (actor, _) = caller_or_401().await.map_err(fail)?;
    let pool = &state().pool;
    let enterprise_id =
        Uuid::parse_str(enterprise_id.trim()).map_err(|_| fail(AppError::not_found()))?;
    let enterprise = enterprises::get(pool, &actor, enterprise_id)
        .await
        .map_err(fail)?;
    let generated_at = Utc::now();
    let framework = frameworks::get(pool, SOA_FRAMEWORK).await.map_err(fail)?;
    let catalogue = frameworks::requirements(pool, &framework.id.to_string())
        .await
        .map_err(fail)?;
    let mapped = reports::mapped_controls(pool, enterprise_id, framework.id, compliance::today())
        .await
        .map_err(fail)?;

    let mut by_requirement: HashMap<Uuid, Vec<SoaControl>> = HashMap::new();
    for control in mapped {
        by_requirement
            .entry(control.requirement_id)
            .or_default()
            .push(SoaControl {
                reference: control.reference,
                title: control.title,
                status: control.status,
                justification: control.justification,
                evidence: control
                    .evidence
                    .into_iter()
                    .map(|(name, expired)| SoaEvidence { name, expired })
                    .collect(),
            });
    }
    // Themes are the catalogue's top level, the controls its assessable
    // leaves, both in catalogue order.
    let mut themes: Vec<SoaTheme> = catalogue
        .iter()
        .filter(|r| !r.assessable && r.parent_reference.is_none())
        .map(|r| SoaTheme {
            reference: r.reference.clone(),
            title: r.title.clone(),
            rows: Vec::new(),
        })
        .collect();
    for requirement in catalogue.into_iter().filter(|r| r.assessable) {
        let row = SoaRow::assess(
            requirement.reference,
            requirement.title,
            by_requirement.remove(&requirement.id).unwrap_or_default(),
        );
        let theme = requirement
            .parent_reference
            .as_deref()
            .and_then(|parent| themes.iter().position(|t| t.reference == parent));
        match theme {
            Some(index) => themes[index].rows.push(row),
            None => {
                if themes.last().is_none_or(|t| !t.reference.is_empty()) {
                    themes.push(SoaTheme {
                        reference: String::new(),
                        title: "Other controls".to_string(),
                        rows: Vec::new(),
                    });
                }
                if let Some(other) = themes.last_mut() {
                    other.rows.push(row);
                }
            }
        }
    }
    themes.retain(|t| !t.rows.is_empty());
    let summary = SoaSummary::of(themes.iter().flat_map(|t| t.rows.iter()));
    Ok(Soa {
        enterprise_id,
        enterprise_name: enterprise.name,
        generated_at,
        framework_name: framework.name,
        framework_version: framework.version,
        summary,
        themes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ControlStatus::*;

    fn control(reference: &str, status: ControlStatus, justification: Option<&str>) -> SoaControl {
        SoaControl {
            reference: reference.to_string(),
            title: format!("Control {reference}"),
            status,
            justification: justification.map(str::to_string),
            evidence: Vec::new(),
        }
    }

    fn assess(controls: Vec<SoaControl>) -> SoaRow {
        SoaRow::assess("A.8.5".into(), "Secure authentication".into(), controls)
    }

    #[test]
    fn a_control_nobody_addresses_applies_and_is_not_addressed() {
        let row = assess(Vec::new());
        assert!(row.applicable);
        assert_eq!(row.status, None);
        assert_eq!(row.justification, None);
    }

    #[test]
    fn not_applicable_only_when_every_mapped_control_says_so() {
        let row = assess(vec![control("X", NotApplicable, Some("No offices."))]);
        assert!(!row.applicable);
        assert_eq!(row.status, Some(NotApplicable));
        assert_eq!(row.justification.as_deref(), Some("No offices."));

        let row = assess(vec![
            control("X", NotApplicable, Some("No offices.")),
            control("Y", Implemented, None),
        ]);
        assert!(row.applicable);
        assert_eq!(row.status, Some(Implemented));
        assert_eq!(row.justification, None);
    }

    #[test]
    fn the_least_advanced_applicable_control_sets_the_status() {
        let row = assess(vec![
            control("X", Verified, None),
            control("Y", InProgress, None),
            control("Z", Implemented, None),
        ]);
        assert_eq!(row.status, Some(InProgress));
    }

    #[test]
    fn justifications_and_evidence_are_listed_once() {
        let mut a = control("X", NotApplicable, Some("Fully remote."));
        let mut b = control("Y", NotApplicable, Some("Fully remote."));
        a.evidence = vec![SoaEvidence {
            name: "Lease".into(),
            expired: true,
        }];
        b.evidence = vec![
            SoaEvidence {
                name: "Lease".into(),
                expired: false,
            },
            SoaEvidence {
                name: "Policy".into(),
                expired: true,
            },
        ];
        let row = assess(vec![a, b]);
        assert_eq!(row.justification.as_deref(), Some("Fully remote."));
        assert_eq!(
            row.evidence,
            vec![
                SoaEvidence {
                    name: "Lease".into(),
                    expired: false
                },
                SoaEvidence {
                    name: "Policy".into(),
                    expired: true
                },
            ]
        );
    }

    #[test]
    fn summary_counts() {
        let rows = vec![
            assess(Vec::new()),
            assess(vec![control("X", NotApplicable, Some("n/a"))]),
            assess(vec![control("Y", Verified, None)]),
            assess(vec![control("Z", NotImplemented, None)]),
        ];
        assert_eq!(
            SoaSummary::of(&rows),
            SoaSummary {
                total: 4,
                applicable: 3,
                not_applicable: 1,
                implemented: 1,
                not_addressed: 1,
            }
        );
    }

    #[test]
    fn generated_label_is_utc_to_the_minute() {
        let at: DateTime<Utc> = "2026-12-04T21:30:59Z".parse().unwrap();
        assert_eq!(generated_label(at), "Generated 2026-12-04 21:30 UTC");
    }
}

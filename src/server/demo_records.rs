//! The demo enterprise's security records: a policy, tracked requirements,
//! controls, incidents, audits and a checklist, written through the same
//! domain functions as the API (so they are validated and audited; the
//! audit trail shows them under request id `seed-demo`).

use chrono::{Duration, Utc};
use serde_json::{json, Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::compliance::RequirementStatus;
use crate::domain::incident::IncidentStatus;
use crate::domain::page::PageRequest;
use crate::domain::server::{
    audits, checklists, compliance, controls, incidents, policies, Actor, DomainResult,
};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

/// Seeds the records once: an enterprise that already has a policy is left
/// alone, so running `seed-demo` again never duplicates anything.
pub async fn seed(pool: &PgPool, enterprise_id: Uuid, admin_id: Uuid) -> DomainResult<bool> {
    if policies::of_enterprise(pool, enterprise_id)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let actor = Actor {
        user_id: admin_id,
        is_staff: false,
        request_id: Some("seed-demo".into()),
        client_ip: None,
    };
    let a = &actor;
    policies::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "frameworks": ["iso-27001", "gdpr", "hipaa", "nist-csf-2"],
                      "session_timeout_minutes": 15, "siem_integration": true})),
    )
    .await?;

    // Compliance: the whole HIPAA and GDPR catalogues, at various stages.
    compliance::track_catalogue(pool, a, enterprise_id, "hipaa").await?;
    compliance::track_catalogue(pool, a, enterprise_id, "gdpr").await?;
    let tracked = compliance::list(
        pool,
        a,
        compliance::ListFilter {
            enterprise: Some(enterprise_id),
            ordering: Some("created_at".into()),
            ..Default::default()
        },
        PageRequest::parse(Some(1), Some(200)).map_err(crate::domain::server::DomainError::from)?,
    )
    .await?;
    for (index, item) in tracked.results.iter().enumerate() {
        let changes = match index % 5 {
            0 | 1 => {
                json!({"status": RequirementStatus::Completed.as_str(), "evidence": "Reviewed in Q3 internal audit"})
            }
            2 => json!({"status": RequirementStatus::InProgress.as_str(), "deadline": day(21)}),
            3 if index % 2 == 1 => {
                json!({"status": RequirementStatus::InProgress.as_str(), "deadline": day(-3)})
            }
            _ => json!({"deadline": day(45)}),
        };
        compliance::update(pool, a, item.id, None, object(changes)).await?;
    }

    // Controls mapped to ISO 27001 Annex A.
    for (reference, title, status, verify) in [
        ("A.5.15", "Role-based access control", "implemented", true),
        ("A.8.5", "Single sign-on with MFA", "implemented", true),
        ("A.8.13", "Nightly encrypted backups", "implemented", true),
        (
            "A.8.15",
            "Central logging to the SIEM",
            "implemented",
            false,
        ),
        (
            "A.8.8",
            "Monthly vulnerability scanning",
            "in_progress",
            false,
        ),
        ("A.7.4", "CCTV at the data centre", "not_applicable", false),
    ] {
        let mut body = json!({"enterprise_id": enterprise_id, "framework": "iso-27001", "reference": reference,
                              "title": title, "priority": "high", "status": status});
        if status == "not_applicable" {
            body["justification"] =
                json!("Hosting is fully outsourced to an ISO 27001 certified provider.");
        }
        let control = controls::create(pool, a, object(body)).await?;
        if verify {
            controls::verify(pool, a, control.id, None).await?;
        }
    }

    // Incidents: one critical under investigation with personal data (its
    // GDPR clock is due soon), one resolved, one just reported.
    let detected = |hours: i64| (Utc::now() - Duration::hours(hours)).to_rfc3339();
    let ransomware = incidents::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "title": "Ransomware on file server FS-02", "severity": "critical",
                      "description": "Encrypted shares detected by EDR; server isolated.", "detected_at": detected(62),
                      "systems_affected": ["FS-02", "backup-proxy"], "data_categories": ["personal", "health"],
                      "users_affected": 1200, "regimes": ["gdpr", "hipaa"], "regulatory_notification_required": true,
                      "regulator": "Information Commissioner's Office"})),
    )
    .await?;
    incidents::change_status(
        pool,
        a,
        ransomware.id,
        IncidentStatus::Investigating,
        Some("Forensics engaged"),
        None,
    )
    .await?;
    let phishing = incidents::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "title": "Credential phishing campaign", "severity": "high",
                      "detected_at": detected(240), "systems_affected": ["Mail"], "users_affected": 14,
                      "root_cause": "Look-alike domain", "lessons_learned": "Block newly registered domains at the mail gateway."})),
    )
    .await?;
    incidents::change_status(
        pool,
        a,
        phishing.id,
        IncidentStatus::Contained,
        Some("Passwords reset"),
        None,
    )
    .await?;
    incidents::change_status(
        pool,
        a,
        phishing.id,
        IncidentStatus::Resolved,
        Some("Domain blocked"),
        None,
    )
    .await?;
    incidents::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "title": "Lost laptop (encrypted)", "severity": "low",
                      "detected_at": detected(5), "systems_affected": ["LT-0193"]})),
    )
    .await?;

    // Audits: an external audit soon, an internal one done with findings.
    audits::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "title": "ISO 27001 surveillance audit", "audit_type": "external",
                      "auditor": "BSI", "scheduled_for": day(12), "frameworks": ["iso-27001"], "scope": "ISMS, all sites"})),
    )
    .await?;
    let internal = audits::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "title": "Q3 internal HIPAA review", "audit_type": "internal",
                      "auditor": "Internal audit", "scheduled_for": day(0), "frameworks": ["hipaa"]})),
    )
    .await?;
    audits::start(pool, a, internal.id, None).await?;
    audits::complete(
        pool,
        a,
        internal.id,
        None,
        object(json!({"summary": "Two findings; one overdue."})),
    )
    .await?;
    for (title, severity, deadline) in [
        ("Shared admin account on the PACS server", "high", day(-2)),
        ("Access reviews not documented", "medium", day(30)),
    ] {
        audits::create_finding(
            pool,
            a,
            internal.id,
            object(
                json!({"title": title, "severity": severity, "remediation_deadline": deadline,
                          "remediation_plan": "Assign an owner and track weekly."}),
            ),
        )
        .await?;
    }

    // A hardening checklist half done.
    let checklist = checklists::create(
        pool,
        a,
        object(json!({"enterprise_id": enterprise_id, "system_type": "linux", "name": "Production Linux servers", "from_template": true})),
    )
    .await?;
    let half = checklist.items.len() / 2;
    for item in checklist.items.iter().take(half) {
        checklists::update_item(
            pool,
            a,
            checklist.id,
            item.id,
            None,
            object(json!({"completed": true})),
        )
        .await?;
    }
    Ok(true)
}

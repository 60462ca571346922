//! The dashboard figures on a hand-built data set, and the number of SQL
//! statements each endpoint runs (the same on a small and a large data set).

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::read;
use super::policies::{tenants, Tenants};

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

fn hours_ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339()
}

async fn post(client: &Client, url: String, body: Value) -> Value {
    let (status, value) = read(client.post(&url).json(&body).send().await.unwrap()).await;
    assert!(status.is_success(), "POST {url}: {status} {value}");
    value
}

/// Controls: 2 verified, 1 implemented, 1 not applicable → 2 / 3 = 66.7 %.
/// Incidents: critical reported + low investigating active, high resolved.
/// Compliance: completed, overdue in progress, not applicable → 1 / 2 = 50 %.
/// Audits: one in 5 days; one completed with a critical overdue finding and
/// a low resolved one.
async fn seed(t: &Tenants, admin: &Client, enterprise: Uuid, copies: usize) {
    let api = |path: &str| t.app.url(path);
    for copy in 0..copies {
        for (reference, status) in [
            ("A.5.1", "implemented"),
            ("A.5.2", "implemented"),
            ("A.5.3", "implemented"),
        ] {
            let control = post(
                admin,
                api("/api/security/controls/"),
                json!({"enterprise_id": enterprise, "framework": "iso-27001", "reference": reference,
                       "title": format!("{reference} #{copy}"), "priority": "high", "status": status}),
            )
            .await;
            if reference != "A.5.3" {
                post(
                    admin,
                    api(&format!(
                        "/api/security/controls/{}/verify/",
                        control["id"].as_str().unwrap()
                    )),
                    json!({}),
                )
                .await;
            }
        }
        post(
            admin,
            api("/api/security/controls/"),
            json!({"enterprise_id": enterprise, "framework": "iso-27001", "reference": "A.7.1", "title": format!("No premises #{copy}"),
                   "priority": "low", "status": "not_applicable", "justification": "Fully remote company"}),
        )
        .await;

        let incident = |title: &str, severity: &str| json!({"enterprise_id": enterprise, "title": format!("{title} #{copy}"), "severity": severity, "detected_at": hours_ago(30)});
        post(
            admin,
            api("/api/security/incidents/"),
            incident("Ransomware", "critical"),
        )
        .await;
        let mut phishing = incident("Phishing", "high");
        phishing["lessons_learned"] = json!("Train staff to report lures");
        let high = post(admin, api("/api/security/incidents/"), phishing).await;
        post(
            admin,
            api(&format!(
                "/api/security/incidents/{}/status/",
                high["id"].as_str().unwrap()
            )),
            json!({"status": "resolved", "note": "closed"}),
        )
        .await;
        let low = post(
            admin,
            api("/api/security/incidents/"),
            incident("Lost badge", "low"),
        )
        .await;
        post(
            admin,
            api(&format!(
                "/api/security/incidents/{}/status/",
                low["id"].as_str().unwrap()
            )),
            json!({"status": "investigating"}),
        )
        .await;

        for (title, status, deadline) in [
            ("Done", "completed", Value::Null),
            ("Late", "in_progress", json!(day(-1))),
            ("N/A", "not_applicable", Value::Null),
        ] {
            post(
                admin,
                api("/api/security/compliance/"),
                json!({"enterprise_id": enterprise, "framework": "gdpr", "title": format!("{title} #{copy}"), "status": status, "deadline": deadline}),
            )
            .await;
        }

        post(
            admin,
            api("/api/security/audits/"),
            json!({"enterprise_id": enterprise, "title": format!("Upcoming #{copy}"), "audit_type": "external", "scheduled_for": day(5)}),
        )
        .await;
        let done = post(
            admin,
            api("/api/security/audits/"),
            json!({"enterprise_id": enterprise, "title": format!("Done #{copy}"), "audit_type": "internal", "scheduled_for": day(0)}),
        )
        .await;
        let audit = done["id"].as_str().unwrap().to_string();
        post(
            admin,
            api(&format!("/api/security/audits/{audit}/start/")),
            json!({}),
        )
        .await;
        post(
            admin,
            api(&format!("/api/security/audits/{audit}/complete/")),
            json!({"summary": "ok"}),
        )
        .await;
        post(
            admin,
            api(&format!("/api/security/audits/{audit}/findings/")),
            json!({"title": "Weak TLS", "severity": "critical", "remediation_deadline": day(-1)}),
        )
        .await;
        post(
            admin,
            api(&format!("/api/security/audits/{audit}/findings/")),
            json!({"title": "Typo in policy", "severity": "low", "status": "resolved"}),
        )
        .await;
    }
}

async fn dashboard(t: &Tenants, who: &Client, part: &str, enterprise: Uuid) -> (StatusCode, Value) {
    read(
        who.get(t.app.url(&format!(
            "/api/dashboard/security/{part}/?enterprise={enterprise}"
        )))
        .send()
        .await
        .unwrap(),
    )
    .await
}

#[sqlx::test(migrations = false)]
async fn the_figures_of_a_known_data_set(pool: PgPool) {
    let t = tenants(pool).await;
    post(
        &t.admin,
        t.app.url("/api/security/policies/"),
        json!({"enterprise_id": t.a, "frameworks": ["gdpr", "iso-27001"]}),
    )
    .await;
    seed(&t, &t.admin, t.a, 1).await;
    // Another tenant's data never shows up in A's figures.
    seed(&t, &t.other_admin, t.b, 1).await;

    let (status, overview) = dashboard(&t, &t.viewer, "overview", t.a).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(overview["policies_active"], 1);
    assert_eq!(overview["controls_total"], 4);
    assert_eq!(overview["controls_verified"], 2);
    assert_eq!(overview["controls_verified_ratio"], 66.7);
    assert_eq!(overview["active_incidents"], 2);
    assert_eq!(
        overview["active_incidents_by_severity"],
        json!({"critical": 1, "high": 0, "medium": 0, "low": 1})
    );
    assert_eq!(overview["compliance_score"], 50.0);
    assert_eq!(overview["compliance_band"], "warning");
    assert_eq!(overview["overdue_requirements"], 1);
    assert_eq!(overview["open_findings"], 1);
    assert_eq!(overview["overdue_findings"], 1);

    let (_, compliance) = dashboard(&t, &t.viewer, "compliance", t.a).await;
    let gdpr = compliance["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "gdpr")
        .unwrap()
        .clone();
    assert_eq!(
        (
            gdpr["score"].clone(),
            gdpr["total"].clone(),
            gdpr["completed"].clone(),
            gdpr["in_progress"].clone(),
            gdpr["overdue"].clone()
        ),
        (json!(50.0), json!(3), json!(1), json!(1), json!(1))
    );
    let iso = compliance["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slug"] == "iso-27001")
        .unwrap()
        .clone();
    assert_eq!(iso["committed"], true);
    assert_eq!(
        iso["score"],
        Value::Null,
        "committed but nothing tracked yet"
    );

    let (_, incidents) = dashboard(&t, &t.viewer, "incidents", t.a).await;
    assert_eq!(incidents["active"], 2);
    assert_eq!(
        incidents["by_status"],
        json!({"reported": 1, "investigating": 1, "contained": 0})
    );
    assert_eq!(incidents["response_times"]["resolved_count"], 1);
    // Detected 30 h before it was resolved (moments ago): MTTR ≈ 30 h.
    let mttr = incidents["response_times"]["mttr_hours"].as_f64().unwrap();
    assert!((29.9..=30.2).contains(&mttr), "{mttr}");
    assert_eq!(incidents["recent"].as_array().unwrap().len(), 3);

    let (_, audits) = dashboard(&t, &t.viewer, "audits", t.a).await;
    assert_eq!(audits["upcoming"].as_array().unwrap().len(), 1);
    assert_eq!(audits["recent_completed"].as_array().unwrap().len(), 1);
    assert_eq!(
        audits["recent_completed"][0]["findings_by_severity"]["critical"],
        1
    );
    assert_eq!(audits["overdue_findings"].as_array().unwrap().len(), 1);

    // Access: another tenant is refused; the enterprise must be named.
    for part in ["overview", "compliance", "incidents", "audits"] {
        assert_eq!(
            dashboard(&t, &t.other_admin, part, t.a).await.0,
            StatusCode::FORBIDDEN,
            "{part}"
        );
        let (status, body) = read(
            t.admin
                .get(t.app.url(&format!("/api/dashboard/security/{part}/")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{part}");
        assert!(body["error"]["fields"]["enterprise"].is_string());
        let anonymous = super::common::client();
        assert_eq!(
            dashboard(&t, &anonymous, part, t.a).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// Statements run in this test's database so far, from pg_stat_statements.
/// Connection set-up and the driver's catalogue look-ups (which depend on
/// whether the pool opened a new connection, not on the endpoint) and
/// transaction control are left out; everything that reads application
/// tables counts.
async fn statements(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        r"SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND query !~* '(pg_catalog|pg_type|pg_stat|pg_namespace)'
             AND query !~* '^\s*(SET|SHOW|BEGIN|COMMIT|ROLLBACK|DEALLOCATE)\M'",
    )
    .fetch_one(pool)
    .await
    .expect(
        "pg_stat_statements is not loaded: start PostgreSQL with shared_preload_libraries=pg_stat_statements \
         (the private cluster of scripts/test does)",
    )
}

async fn statements_per_endpoint(t: &Tenants, enterprise: Uuid) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for part in ["overview", "compliance", "incidents", "audits"] {
        // Warm-up: the first request of a connection prepares statements.
        assert_eq!(
            dashboard(t, &t.viewer, part, enterprise).await.0,
            StatusCode::OK
        );
        let before = statements(&t.app.pool).await;
        assert_eq!(
            dashboard(t, &t.viewer, part, enterprise).await.0,
            StatusCode::OK
        );
        let after = statements(&t.app.pool).await;
        counts.push((part, after - before));
    }
    counts
}

#[sqlx::test(migrations = false)]
async fn each_endpoint_runs_a_fixed_number_of_statements(pool: PgPool) {
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&pool)
        .await
        .unwrap();
    let t = tenants(pool).await;
    seed(&t, &t.admin, t.a, 1).await;
    let small = statements_per_endpoint(&t, t.a).await;
    seed(&t, &t.admin, t.a, 6).await;
    let large = statements_per_endpoint(&t, t.a).await;
    assert_eq!(small, large, "statement counts must not grow with the data");
    eprintln!("statements per dashboard request: {small:?}");
    for (part, count) in &small {
        // Session, user and access look-ups included; a query per row
        // would show up as a difference above, a broken counter as 0.
        assert!((4..=30).contains(count), "{part} ran {count} statements");
    }
}

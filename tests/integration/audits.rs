//! Security audits and their findings: the workflow, upcoming audits,
//! findings with automatic resolution and overdue flags, concurrency,
//! validation, access and the audit trail.

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;

use super::common::read;
use super::policies::{audit_rows, tenants, Tenants};

const AUDITS: &str = "/api/security/audits/";
const AUDIT_TRAIL: &str = "security_audit";
const FINDING_TRAIL: &str = "audit_finding";

fn date(offset_days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset_days)).to_string()
}

/// Creates an audit in enterprise A as the member; `extra` overrides the
/// defaults.
async fn new_audit(t: &Tenants, title: &str, scheduled_for: &str, extra: Value) -> Value {
    let mut body = json!({
        "enterprise_id": t.a,
        "title": title,
        "audit_type": "internal",
        "scheduled_for": scheduled_for,
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let (status, audit) = read(
        t.member
            .post(t.app.url(AUDITS))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{audit}");
    audit
}

fn audit_url(t: &Tenants, audit: &Value) -> String {
    t.app
        .url(&format!("{AUDITS}{}/", audit["id"].as_str().unwrap()))
}

async fn action(
    client: &Client,
    url: &str,
    name: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = client.post(format!("{url}{name}/"));
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    read(request.send().await.unwrap()).await
}

async fn new_finding(t: &Tenants, audit: &Value, body: Value) -> Value {
    let (status, finding) = read(
        t.member
            .post(format!("{}findings/", audit_url(t, audit)))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{finding}");
    finding
}

fn finding_url(t: &Tenants, finding: &Value) -> String {
    t.app.url(&format!(
        "{AUDITS}{}/findings/{}/",
        finding["audit_id"].as_str().unwrap(),
        finding["id"].as_str().unwrap()
    ))
}

fn titles(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

#[sqlx::test(migrations = false)]
async fn creating_an_audit_schedules_it_with_its_frameworks(pool: PgPool) {
    let t = tenants(pool).await;
    let soc2: String = sqlx::query_scalar("SELECT id::text FROM frameworks WHERE slug = 'soc2'")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    let audit = new_audit(
        &t,
        "  ISO surveillance audit ",
        &date(14),
        json!({"audit_type": "external", "auditor": "BSI", "scope": "All offices", "frameworks": ["iso-27001", soc2]}),
    )
    .await;
    assert_eq!(audit["title"], "ISO surveillance audit");
    assert_eq!(audit["status"], "scheduled");
    assert_eq!(audit["audit_type"], "external");
    assert_eq!(audit["auditor"], "BSI");
    assert_eq!(audit["scope"], "All offices");
    assert_eq!(audit["scheduled_for"], date(14).as_str());
    assert_eq!(audit["frameworks"], json!(["iso-27001", "soc2"]));
    assert_eq!(audit["framework_ids"].as_array().unwrap().len(), 2);
    assert_eq!(audit["version"], 1);
    assert_eq!(audit["enterprise_id"], t.a.to_string().as_str());
    for field in ["started_at", "completed_at", "cancelled_at", "summary"] {
        assert_eq!(audit[field], Value::Null, "{field}");
    }
    assert_eq!(
        audit["findings_by_severity"],
        json!({"critical": 0, "high": 0, "medium": 0, "low": 0})
    );
    assert_eq!(audit["open_findings"], 0);
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, 1);

    // Frameworks can be replaced; the read echoes back without harm.
    let url = audit_url(&t, &audit);
    let mut echoed = audit.clone();
    echoed["frameworks"] = json!(["gdpr"]);
    let (status, updated) = read(t.admin.put(&url).json(&echoed).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["frameworks"], json!(["gdpr"]));
    assert_eq!(updated["version"], 2);
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, 2);
}

#[sqlx::test(migrations = false)]
async fn each_transition_is_allowed_once_and_in_order(pool: PgPool) {
    let t = tenants(pool).await;
    let audit = new_audit(&t, "Annual internal audit", &date(0), json!({})).await;
    let url = audit_url(&t, &audit);
    let mut trail = audit_rows(&t.app, AUDIT_TRAIL).await;

    // Completing a scheduled audit is refused, and leaves no trail.
    let (status, body) = action(&t.member, &url, "complete", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["error"]["message"],
        "An audit cannot be completed while it is not in progress."
    );
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);

    let (status, started) = action(&t.member, &url, "start", None).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["status"], "in_progress");
    assert!(started["started_at"].is_string());
    assert_eq!(started["completed_at"], Value::Null);
    assert_eq!(started["version"], 2);
    trail += 1;
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);
    let action_name: String = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = 'security_audit' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(action_name, "start");

    // Starting twice is refused.
    let (status, _) = action(&t.member, &url, "start", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);

    let (status, completed) = action(
        &t.member,
        &url,
        "complete",
        Some(json!({"summary": "Two findings, both minor.", "version": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{completed}");
    assert_eq!(completed["status"], "completed");
    assert!(completed["completed_at"].is_string());
    assert_eq!(completed["started_at"], started["started_at"]);
    assert_eq!(completed["summary"], "Two findings, both minor.");
    trail += 1;
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);

    // Nothing leaves completed.
    for name in ["cancel", "start", "complete"] {
        let (status, body) = action(&t.member, &url, name, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{name}: {body}");
    }
    let (status, _) = read(
        t.member
            .patch(&url)
            .json(&json!({"status": "in_progress"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "no way back through an edit");
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);
    let (_, still) = read(t.viewer.get(&url).send().await.unwrap()).await;
    assert_eq!(still["status"], "completed");
    assert_eq!(still["version"], 3);

    // Cancelling from scheduled, and from in progress.
    let scheduled = new_audit(&t, "Vendor audit", &date(5), json!({})).await;
    let scheduled_url = audit_url(&t, &scheduled);
    let (status, cancelled) = action(&t.member, &scheduled_url, "cancel", None).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["cancelled_at"].is_string());
    assert_eq!(cancelled["started_at"], Value::Null);
    let (status, _) = action(&t.member, &scheduled_url, "cancel", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "cancel twice");
    let (status, _) = action(&t.member, &scheduled_url, "start", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "start a cancelled audit");

    let running = new_audit(&t, "Cloud audit", &date(1), json!({})).await;
    let running_url = audit_url(&t, &running);
    assert_eq!(
        action(&t.admin, &running_url, "start", None).await.0,
        StatusCode::OK
    );
    let (status, cancelled) = action(&t.admin, &running_url, "cancel", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cancelled["started_at"].is_string() && cancelled["cancelled_at"].is_string());
    let (status, body) = action(&t.admin, &running_url, "complete", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"]["message"],
        "An audit cannot be completed while it is not in progress."
    );
    // 2 creates + cancel + start + cancel.
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail + 5);

    // An edit may send the current status back unchanged.
    let (status, edited) = read(
        t.member
            .patch(&url)
            .json(&json!({"status": "completed", "summary": "Revised summary."}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["completed_at"], completed["completed_at"]);
    assert_eq!(edited["summary"], "Revised summary.");
}

#[sqlx::test(migrations = false)]
async fn upcoming_lists_scheduled_audits_within_the_window(pool: PgPool) {
    let t = tenants(pool).await;
    for (title, offset) in [
        ("in ten days", 10),
        ("in three days", 3),
        ("today", 0),
        ("yesterday", -1),
        ("in forty days", 40),
        ("in thirty days", 30),
    ] {
        new_audit(&t, title, &date(offset), json!({})).await;
    }
    let cancelled = new_audit(&t, "cancelled", &date(2), json!({})).await;
    assert_eq!(
        action(&t.member, &audit_url(&t, &cancelled), "cancel", None)
            .await
            .0,
        StatusCode::OK
    );
    let started = new_audit(&t, "started", &date(4), json!({})).await;
    assert_eq!(
        action(&t.member, &audit_url(&t, &started), "start", None)
            .await
            .0,
        StatusCode::OK
    );
    // Another enterprise's audit never shows.
    let (status, _) = read(
        t.other_admin
            .post(t.app.url(AUDITS))
            .json(&json!({"enterprise_id": t.b, "title": "globex", "audit_type": "internal", "scheduled_for": date(1)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let upcoming = |days: Option<&str>| {
        let mut url = t.app.url(&format!(
            "/api/security/audits/upcoming/?enterprise={}",
            t.a
        ));
        if let Some(days) = days {
            url.push_str(&format!("&days={days}"));
        }
        url
    };
    let (status, page) = read(t.viewer.get(upcoming(Some("30"))).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        titles(&page),
        ["today", "in three days", "in ten days", "in thirty days"]
    );
    assert_eq!(page["count"], 4);
    let (_, page) = read(t.viewer.get(upcoming(Some("7"))).send().await.unwrap()).await;
    assert_eq!(titles(&page), ["today", "in three days"]);
    let (_, page) = read(t.viewer.get(upcoming(None)).send().await.unwrap()).await;
    assert_eq!(page["count"], 4, "30 days by default");
    let (_, page) = read(t.viewer.get(upcoming(Some("365"))).send().await.unwrap()).await;
    assert_eq!(page["count"], 5);

    for bad in ["0", "366", "-3", "soon"] {
        let (status, body) = read(t.viewer.get(upcoming(Some(bad))).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "days={bad}");
        assert!(body["error"]["fields"]["days"].is_string(), "{bad}: {body}");
    }
    let (status, _) = read(
        t.other_admin
            .get(upcoming(Some("30")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = read(
        super::common::client()
            .get(upcoming(None))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = false)]
async fn lists_filter_order_and_page(pool: PgPool) {
    let t = tenants(pool).await;
    new_audit(&t, "Bravo", &date(3), json!({})).await;
    new_audit(&t, "Alpha", &date(1), json!({"audit_type": "external"})).await;
    let charlie = new_audit(&t, "Charlie", &date(2), json!({})).await;
    action(&t.member, &audit_url(&t, &charlie), "start", None).await;
    let list = |query: &str| t.app.url(&format!("{AUDITS}?enterprise={}&{query}", t.a));

    let (status, page) = read(t.viewer.get(list("")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        titles(&page),
        ["Bravo", "Charlie", "Alpha"],
        "latest date first"
    );
    let (_, page) = read(t.viewer.get(list("ordering=title")).send().await.unwrap()).await;
    assert_eq!(titles(&page), ["Alpha", "Bravo", "Charlie"]);
    let (_, page) = read(
        t.viewer
            .get(list("ordering=scheduled_for"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(titles(&page), ["Alpha", "Charlie", "Bravo"]);
    let (_, page) = read(t.viewer.get(list("ordering=-status")).send().await.unwrap()).await;
    assert_eq!(titles(&page)[0], "Charlie", "in progress after scheduled");
    let (_, page) = read(
        t.viewer
            .get(list("status=in_progress"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(titles(&page), ["Charlie"]);
    let (_, page) = read(
        t.viewer
            .get(list("audit_type=external"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(titles(&page), ["Alpha"]);
    let (_, page) = read(
        t.viewer
            .get(list("ordering=title&page_size=2&page=2"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 3);
    assert_eq!(titles(&page), ["Charlie"]);
    assert!(page["previous"]
        .as_str()
        .unwrap()
        .contains("ordering=title"));
    assert_eq!(page["next"], Value::Null);

    let (status, body) = read(
        t.viewer
            .get(list("status=done&audit_type=informal&ordering=secret"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["status", "audit_type", "ordering"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    // Members name their enterprise; staff may list every enterprise.
    let (status, body) = read(t.member.get(t.app.url(AUDITS)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["enterprise"].is_string());
    let (status, page) = read(t.staff.get(t.app.url(AUDITS)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 3);
}

#[sqlx::test(migrations = false)]
async fn findings_resolve_automatically_and_go_overdue_after_their_deadline(pool: PgPool) {
    let t = tenants(pool).await;
    let audit = new_audit(&t, "PCI audit", &date(-7), json!({})).await;
    action(&t.member, &audit_url(&t, &audit), "start", None).await;
    let trail = audit_rows(&t.app, FINDING_TRAIL).await;

    let late = new_finding(
        &t,
        &audit,
        json!({"title": "Weak TLS", "severity": "high", "remediation_deadline": date(-1), "remediation_plan": "Disable TLS 1.0"}),
    )
    .await;
    let due_today = new_finding(
        &t,
        &audit,
        json!({"title": "Stale accounts", "severity": "medium", "remediation_deadline": date(0)}),
    )
    .await;
    let resolved = new_finding(
        &t,
        &audit,
        json!({"title": "Default password", "severity": "critical", "remediation_deadline": date(-10), "status": "resolved"}),
    )
    .await;
    let undated = new_finding(
        &t,
        &audit,
        json!({"title": "Missing banner", "severity": "low", "description": "Login banner absent."}),
    )
    .await;
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, trail + 4);

    assert_eq!(late["status"], "open");
    assert_eq!(late["overdue"], true, "deadline yesterday");
    assert_eq!(late["remediation_deadline"], date(-1).as_str());
    assert_eq!(late["remediation_plan"], "Disable TLS 1.0");
    assert_eq!(late["resolved_at"], Value::Null);
    assert_eq!(late["audit_title"], "PCI audit");
    assert_eq!(late["enterprise_id"], t.a.to_string().as_str());
    assert_eq!(due_today["overdue"], false, "deadline today");
    assert_eq!(resolved["overdue"], false, "resolved is never overdue");
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(undated["overdue"], false);
    assert_eq!(undated["description"], "Login banner absent.");

    // resolved_at follows the status; overdue follows resolved_at.
    let url = finding_url(&t, &late);
    let (status, remediating) = read(
        t.member
            .patch(&url)
            .json(&json!({"status": "in_remediation", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{remediating}");
    assert_eq!(remediating["overdue"], true);
    assert_eq!(remediating["resolved_at"], Value::Null);
    let (_, fixed) = read(
        t.member
            .patch(&url)
            .json(&json!({"status": "resolved"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(fixed["resolved_at"].is_string());
    assert_eq!(fixed["overdue"], false);
    assert_eq!(fixed["version"], 3);
    let (_, still_fixed) = read(
        t.member
            .patch(&url)
            .json(&json!({"title": "Weak TLS on the VPN"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(still_fixed["resolved_at"], fixed["resolved_at"], "kept");
    let (_, reopened) = read(
        t.member
            .put(&url)
            .json(&json!({"status": "open"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reopened["resolved_at"], Value::Null, "cleared");
    assert_eq!(reopened["overdue"], true);
    assert_eq!(reopened["title"], "Weak TLS on the VPN");
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, trail + 8);

    let (status, one) = read(t.viewer.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, reopened);

    // Overdue across the enterprise.
    let overdue_url = t.app.url(&format!(
        "/api/security/findings/overdue/?enterprise={}",
        t.a
    ));
    let (status, overdue) = read(t.viewer.get(&overdue_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{overdue}");
    assert_eq!(overdue["count"], 1);
    assert_eq!(overdue["results"][0]["id"], late["id"]);

    // The audit counts every finding by severity.
    let audit_url = audit_url(&t, &audit);
    let (_, counted) = read(t.viewer.get(&audit_url).send().await.unwrap()).await;
    assert_eq!(
        counted["findings_by_severity"],
        json!({"critical": 1, "high": 1, "medium": 1, "low": 1})
    );
    assert_eq!(counted["open_findings"], 3);
    assert_eq!(counted["overdue_findings"], 1);
    let (_, listed) = read(
        t.viewer
            .get(t.app.url(&format!("{AUDITS}?enterprise={}", t.a)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        listed["results"][0]["findings_by_severity"],
        counted["findings_by_severity"]
    );

    // The audit's findings, critical first; filters.
    let findings_url = format!("{audit_url}findings/");
    let (status, page) = read(t.viewer.get(&findings_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        titles(&page),
        [
            "Default password",
            "Weak TLS on the VPN",
            "Stale accounts",
            "Missing banner"
        ]
    );
    let (_, page) = read(
        t.viewer
            .get(format!("{findings_url}?status=resolved"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(titles(&page), ["Default password"]);
    let (_, page) = read(
        t.viewer
            .get(format!("{findings_url}?ordering=remediation_deadline"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(titles(&page)[0], "Default password");
    assert_eq!(titles(&page)[3], "Missing banner", "no deadline last");

    // Deleting a finding updates the counts.
    let (status, _) = read(
        t.member
            .delete(finding_url(&t, &undated))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, counted) = read(t.viewer.get(&audit_url).send().await.unwrap()).await;
    assert_eq!(counted["findings_by_severity"]["low"], 0);
    assert_eq!(counted["open_findings"], 2);
    assert_eq!(
        read(
            t.viewer
                .get(finding_url(&t, &undated))
                .send()
                .await
                .unwrap()
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, trail + 9);
}

#[sqlx::test(migrations = false)]
async fn cancelled_audits_take_no_findings_and_deleting_an_audit_takes_its_findings(pool: PgPool) {
    let t = tenants(pool).await;
    let audit = new_audit(&t, "Cancelled audit", &date(3), json!({})).await;
    let finding = new_finding(
        &t,
        &audit,
        json!({"title": "Early note", "severity": "low"}),
    )
    .await;
    action(&t.member, &audit_url(&t, &audit), "cancel", None).await;
    let trail = audit_rows(&t.app, FINDING_TRAIL).await;
    let (status, body) = read(
        t.member
            .post(format!("{}findings/", audit_url(&t, &audit)))
            .json(&json!({"title": "Late", "severity": "high"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, trail);

    let audits_before = audit_rows(&t.app, AUDIT_TRAIL).await;
    let (status, _) = read(
        t.member
            .delete(audit_url(&t, &audit))
            .header("If-Match", "2")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, audits_before + 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_findings WHERE id = $1::uuid")
        .bind(finding["id"].as_str().unwrap())
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        t.viewer
            .get(audit_url(&t, &audit))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrations = false)]
async fn stale_versions_conflict_and_change_nothing(pool: PgPool) {
    let t = tenants(pool).await;
    let audit = new_audit(&t, "Versioned", &date(3), json!({})).await;
    let url = audit_url(&t, &audit);
    let (status, _) = read(
        t.member
            .patch(&url)
            .json(&json!({"title": "Versioned v2", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let trail = audit_rows(&t.app, AUDIT_TRAIL).await;

    let (status, body) = read(
        t.member
            .patch(&url)
            .json(&json!({"title": "Versioned v3", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["title"], "Versioned v2");
    assert_eq!(body["error"]["current"]["version"], 2);
    for (name, request) in [
        (
            "start",
            t.member
                .post(format!("{url}start/"))
                .header("If-Match", "\"1\""),
        ),
        (
            "cancel",
            t.member
                .post(format!("{url}cancel/"))
                .json(&json!({"version": 1})),
        ),
        (
            "put",
            t.member
                .put(&url)
                .header("If-Match", "1")
                .json(&json!({"title": "x"})),
        ),
        ("delete", t.member.delete(&url).header("If-Match", "1")),
    ] {
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{name}: {body}");
        assert_eq!(body["error"]["current"]["version"], 2, "{name}");
    }
    let (_, now) = read(t.viewer.get(&url).send().await.unwrap()).await;
    assert_eq!(now["title"], "Versioned v2");
    assert_eq!(now["status"], "scheduled");
    assert_eq!(now["version"], 2);
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail);

    // The right version passes.
    let (status, started) = read(
        t.member
            .post(format!("{url}start/"))
            .header("If-Match", "2")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let (status, body) = read(
        t.member
            .post(format!("{url}complete/"))
            .json(&json!({"version": 2, "summary": "late"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["current"]["status"], "in_progress");

    // Findings too.
    let finding = new_finding(&t, &audit, json!({"title": "F", "severity": "medium"})).await;
    let finding_url = finding_url(&t, &finding);
    let finding_trail = audit_rows(&t.app, FINDING_TRAIL).await;
    for request in [
        t.member
            .patch(&finding_url)
            .json(&json!({"status": "resolved", "version": 7})),
        t.member.delete(&finding_url).header("If-Match", "7"),
    ] {
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"]["current"]["status"], "open");
    }
    let (_, same) = read(t.viewer.get(&finding_url).send().await.unwrap()).await;
    assert_eq!(same, finding);
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, finding_trail);
}

#[sqlx::test(migrations = false)]
async fn bad_input_is_refused_field_by_field(pool: PgPool) {
    let t = tenants(pool).await;
    let url = t.app.url(AUDITS);
    let (status, body) = read(
        t.member
            .post(&url)
            .json(&json!({
                "enterprise_id": t.a, "title": "", "audit_type": "informal",
                "scheduled_for": "31/12/2026", "frameworks": ["nope"], "auditor": 5,
                "status": "completed", "scope": ["x"], "colour": "red"
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in [
        "title",
        "audit_type",
        "scheduled_for",
        "frameworks",
        "auditor",
        "status",
        "scope",
        "colour",
    ] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let (status, body) = read(
        t.member
            .post(&url)
            .json(&json!({"title": "No date"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["enterprise_id", "audit_type", "scheduled_for"] {
        assert_eq!(
            body["error"]["fields"][field], "This field is required.",
            "{field}: {body}"
        );
    }
    let (status, body) = read(
        t.member
            .post(&url)
            .json(&json!({"enterprise_id": t.a, "title": "x".repeat(201), "audit_type": "internal", "scheduled_for": date(1)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["title"].is_string());
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, 0);

    let audit = new_audit(&t, "Valid", &date(1), json!({})).await;
    let audit_url = audit_url(&t, &audit);
    let (status, body) = read(
        t.member
            .patch(&audit_url)
            .json(&json!({"scheduled_for": null, "title": "  ", "version": "one"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["scheduled_for", "title", "version"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    action(&t.member, &audit_url, "start", None).await;
    let (status, body) = action(
        &t.member,
        &audit_url,
        "complete",
        Some(json!({"summary": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["summary"].is_string());

    let finding_trail = audit_rows(&t.app, FINDING_TRAIL).await;
    let (status, body) = read(
        t.member
            .post(format!("{audit_url}findings/"))
            .json(&json!({"title": "", "severity": "urgent", "status": "closed", "remediation_deadline": "tomorrow", "remediation_plan": 3}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in [
        "title",
        "severity",
        "status",
        "remediation_deadline",
        "remediation_plan",
    ] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(
        body["error"]["fields"]["severity"],
        "Severity must be one of: critical, high, medium, low."
    );
    let (status, body) = read(
        t.member
            .post(format!("{audit_url}findings/"))
            .json(&json!({"description": "no title"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["fields"]["title"], "This field is required.");
    assert_eq!(
        body["error"]["fields"]["severity"],
        "This field is required."
    );
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, finding_trail);
}

#[sqlx::test(migrations = false)]
async fn access_follows_membership_and_role(pool: PgPool) {
    let t = tenants(pool).await;
    let audit = new_audit(&t, "Tenant A audit", &date(2), json!({})).await;
    let url = audit_url(&t, &audit);
    let finding = new_finding(
        &t,
        &audit,
        json!({"title": "A finding", "severity": "high"}),
    )
    .await;
    let f_url = finding_url(&t, &finding);
    let trail = (
        audit_rows(&t.app, AUDIT_TRAIL).await,
        audit_rows(&t.app, FINDING_TRAIL).await,
    );

    // Another tenant's admin: 404 on every verb and action.
    let outsider = &t.other_admin;
    for (name, request) in [
        ("get", outsider.get(&url)),
        ("patch", outsider.patch(&url).json(&json!({"title": "x"}))),
        ("put", outsider.put(&url).json(&json!({"title": "x"}))),
        ("delete", outsider.delete(&url)),
        ("start", outsider.post(format!("{url}start/"))),
        ("complete", outsider.post(format!("{url}complete/"))),
        ("cancel", outsider.post(format!("{url}cancel/"))),
        ("findings", outsider.get(format!("{url}findings/"))),
        (
            "add finding",
            outsider
                .post(format!("{url}findings/"))
                .json(&json!({"title": "x", "severity": "low"})),
        ),
        ("get finding", outsider.get(&f_url)),
        (
            "patch finding",
            outsider.patch(&f_url).json(&json!({"title": "x"})),
        ),
        (
            "put finding",
            outsider.put(&f_url).json(&json!({"title": "x"})),
        ),
        ("delete finding", outsider.delete(&f_url)),
    ] {
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {body}");
    }
    // A finding is reached only through its own audit.
    let other_audit = new_audit(&t, "Other A audit", &date(2), json!({})).await;
    let wrong_path = t.app.url(&format!(
        "{AUDITS}{}/findings/{}/",
        other_audit["id"].as_str().unwrap(),
        finding["id"].as_str().unwrap()
    ));
    assert_eq!(
        t.member.get(&wrong_path).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.member
            .patch(&wrong_path)
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.member
            .get(t.app.url(&format!("{AUDITS}not-a-uuid/")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // A viewer reads everything and writes nothing.
    for (name, request) in [
        ("get", t.viewer.get(&url)),
        ("findings", t.viewer.get(format!("{url}findings/"))),
        ("finding", t.viewer.get(&f_url)),
        (
            "list",
            t.viewer
                .get(t.app.url(&format!("{AUDITS}?enterprise={}", t.a))),
        ),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::OK,
            "{name}"
        );
    }
    for (name, request) in [
        (
            "create",
            t.viewer.post(t.app.url(AUDITS)).json(&json!({
                "enterprise_id": t.a, "title": "x", "audit_type": "internal", "scheduled_for": date(1)
            })),
        ),
        ("patch", t.viewer.patch(&url).json(&json!({"title": "x"}))),
        ("put", t.viewer.put(&url).json(&json!({"title": "x"}))),
        ("delete", t.viewer.delete(&url)),
        ("start", t.viewer.post(format!("{url}start/"))),
        ("complete", t.viewer.post(format!("{url}complete/"))),
        ("cancel", t.viewer.post(format!("{url}cancel/"))),
        (
            "add finding",
            t.viewer
                .post(format!("{url}findings/"))
                .json(&json!({"title": "x", "severity": "low"})),
        ),
        (
            "patch finding",
            t.viewer.patch(&f_url).json(&json!({"status": "resolved"})),
        ),
        ("delete finding", t.viewer.delete(&f_url)),
    ] {
        let (status, body) = read(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
    }
    // Creating in an enterprise one is not a member of: 403.
    let (status, _) = read(
        t.member
            .post(t.app.url(AUDITS))
            .json(&json!({"enterprise_id": t.b, "title": "x", "audit_type": "internal", "scheduled_for": date(1)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Lists of an enterprise one is not a member of: 403.
    for path in [
        format!("{AUDITS}?enterprise={}", t.a),
        format!("{AUDITS}upcoming/?enterprise={}", t.a),
        format!("/api/security/findings/overdue/?enterprise={}", t.a),
    ] {
        assert_eq!(
            outsider
                .get(t.app.url(&path))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Nothing above wrote anything (the other audit aside).
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail.0 + 1);
    assert_eq!(audit_rows(&t.app, FINDING_TRAIL).await, trail.1);

    // Anonymous: 401.
    let anonymous = super::common::client();
    for path in [
        format!("{AUDITS}?enterprise={}", t.a),
        format!("{AUDITS}{}/", audit["id"].as_str().unwrap()),
        format!("{AUDITS}{}/findings/", audit["id"].as_str().unwrap()),
        format!("{AUDITS}upcoming/?enterprise={}", t.a),
        format!("/api/security/findings/overdue/?enterprise={}", t.a),
    ] {
        assert_eq!(
            anonymous
                .get(t.app.url(&path))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(
        anonymous
            .post(format!("{url}start/"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Admins and staff write.
    assert_eq!(
        action(&t.admin, &url, "start", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        action(&t.staff, &url, "complete", None).await.0,
        StatusCode::OK
    );
    assert_eq!(audit_rows(&t.app, AUDIT_TRAIL).await, trail.0 + 3);
}

//! Security incidents: the status workflow (one compare-and-set), the
//! timeline, the notification clocks, validation and access.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::{client, read, TestApp};
use super::policies::{audit_rows, tenants, Tenants};

const ENTITY: &str = "security_incident";

fn hours_ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339()
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
        .parse()
        .unwrap()
}

/// Creates an incident in enterprise A as the member (201 asserted).
async fn create(t: &Tenants, fields: Value) -> Value {
    let mut body = json!({
        "enterprise_id": t.a,
        "title": "Phishing wave",
        "severity": "low",
        "detected_at": hours_ago(2),
    });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let (status, incident) = read(
        t.member
            .post(t.app.url("/api/security/incidents/"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    incident
}

fn url(t: &Tenants, incident: &Value, action: &str) -> String {
    t.app.url(&format!(
        "/api/security/incidents/{}/{action}",
        incident["id"].as_str().unwrap()
    ))
}

async fn move_to(
    client: &Client,
    status_url: &str,
    status: &str,
    note: Option<&str>,
    version: Option<i64>,
) -> (StatusCode, Value) {
    let mut body = json!({ "status": status });
    if let Some(note) = note {
        body["note"] = json!(note);
    }
    if let Some(version) = version {
        body["version"] = json!(version);
    }
    read(client.post(status_url).json(&body).send().await.unwrap()).await
}

async fn event_rows(app: &TestApp, incident: &Value) -> i64 {
    let id: Uuid = incident["id"].as_str().unwrap().parse().unwrap();
    sqlx::query_scalar("SELECT count(*) FROM incident_events WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn each_transition_is_allowed_or_refused_and_recorded(pool: PgPool) {
    let t = tenants(pool).await;
    let audits = audit_rows(&t.app, ENTITY).await;
    let incident = create(&t, json!({})).await;
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);
    assert_eq!(incident["status"], "reported");
    assert_eq!(incident["version"], 1);
    assert_eq!(incident["active"], true);
    assert!(time(&incident["reported_at"]) <= Utc::now());
    for field in ["investigation_started_at", "contained_at", "resolved_at"] {
        assert_eq!(incident[field], Value::Null, "{field}");
    }
    assert_eq!(event_rows(&t.app, &incident).await, 1);
    let status_url = url(&t, &incident, "status/");

    // Refused: same status and (nothing is before reported) no change.
    let audits = audit_rows(&t.app, ENTITY).await;
    let (status, body) = move_to(&t.member, &status_url, "reported", None, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, investigating) = move_to(
        &t.member,
        &status_url,
        "investigating",
        Some("Triage started"),
        Some(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{investigating}");
    assert_eq!(investigating["status"], "investigating");
    assert_eq!(investigating["version"], 2);
    let started = time(&investigating["investigation_started_at"]);
    assert_eq!(investigating["contained_at"], Value::Null);

    for (to, why) in [("reported", "backwards"), ("investigating", "same status")] {
        let (status, body) = move_to(&t.member, &status_url, to, None, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{why}: {body}");
        assert_eq!(body["error"]["code"], "conflict");
    }

    let (status, contained) = move_to(&t.member, &status_url, "contained", None, Some(2)).await;
    assert_eq!(status, StatusCode::OK, "{contained}");
    // Set once: moving on does not touch the earlier timestamp.
    assert_eq!(time(&contained["investigation_started_at"]), started);
    let contained_at = time(&contained["contained_at"]);
    assert!(contained_at >= started);

    for to in ["investigating", "reported", "contained"] {
        let (status, _) = move_to(&t.member, &status_url, to, None, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "contained → {to}");
    }

    // Low severity: no lessons learned needed.
    let (status, resolved) = move_to(
        &t.admin,
        &status_url,
        "resolved",
        Some("Mailbox rules removed"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["active"], false);
    assert_eq!(time(&resolved["contained_at"]), contained_at);
    assert!(time(&resolved["resolved_at"]) >= contained_at);

    for to in ["contained", "reported", "resolved"] {
        let (status, _) = move_to(&t.member, &status_url, to, None, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "resolved → {to}");
    }
    // Three moves, three audit rows; the refusals left none.
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 3);

    // The timeline, oldest first.
    let (status, events) = read(
        t.viewer
            .get(url(&t, &incident, "events/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let steps: Vec<(Value, Value, Value)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from_status"].clone(),
                e["to_status"].clone(),
                e["note"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("reported"), Value::Null),
            (
                json!("reported"),
                json!("investigating"),
                json!("Triage started")
            ),
            (json!("investigating"), json!("contained"), Value::Null),
            (
                json!("contained"),
                json!("resolved"),
                json!("Mailbox rules removed")
            ),
        ]
    );
    let member = user_id(&t.app, "member@acme.test").await;
    let admin = user_id(&t.app, "admin@acme.test").await;
    assert_eq!(events[1]["actor_id"], member.as_str());
    assert_eq!(events[3]["actor_id"], admin.as_str());
    assert_eq!(events[1]["incident_id"], incident["id"]);
    assert_eq!(time(&events[1]["at"]), started);
    assert_eq!(time(&events[2]["at"]), contained_at);
}

#[sqlx::test(migrations = false)]
async fn skipping_forward_fills_every_skipped_timestamp(pool: PgPool) {
    let t = tenants(pool).await;
    let incident = create(&t, json!({})).await;
    let (status, contained) = move_to(
        &t.member,
        &url(&t, &incident, "status/"),
        "contained",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{contained}");
    assert_eq!(contained["status"], "contained");
    assert!(contained["investigation_started_at"].is_string());
    assert_eq!(
        contained["investigation_started_at"],
        contained["contained_at"]
    );
    assert_eq!(contained["resolved_at"], Value::Null);

    let other = create(&t, json!({"severity": "medium"})).await;
    let (status, resolved) = move_to(
        &t.member,
        &url(&t, &other, "status/"),
        "resolved",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(
        resolved["investigation_started_at"],
        resolved["resolved_at"]
    );
    assert_eq!(resolved["contained_at"], resolved["resolved_at"]);
    // One move, one event, however many steps it skipped.
    assert_eq!(event_rows(&t.app, &other).await, 2);
}

#[sqlx::test(migrations = false)]
async fn reopening_clears_resolved_at_and_keeps_the_history(pool: PgPool) {
    let t = tenants(pool).await;
    let incident = create(&t, json!({})).await;
    let status_url = url(&t, &incident, "status/");
    let (_, resolved) = move_to(&t.member, &status_url, "resolved", None, None).await;
    let first_resolution = resolved["resolved_at"].clone();
    assert!(first_resolution.is_string());

    let (status, reopened) = move_to(
        &t.member,
        &status_url,
        "investigating",
        Some("Attacker came back"),
        Some(2),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert_eq!(reopened["status"], "investigating");
    assert_eq!(reopened["active"], true);
    assert_eq!(reopened["resolved_at"], Value::Null);
    assert_eq!(
        reopened["investigation_started_at"],
        resolved["investigation_started_at"]
    );
    assert_eq!(reopened["contained_at"], resolved["contained_at"]);

    let (status, again) = move_to(&t.member, &status_url, "resolved", None, Some(3)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(time(&again["resolved_at"]) > time(&first_resolution));
    assert_eq!(again["contained_at"], resolved["contained_at"]);

    let (_, events) = read(
        t.member
            .get(url(&t, &incident, "events/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let moves: Vec<(&str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["from_status"].as_str().unwrap(),
                e["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("reported", "resolved"),
            ("resolved", "investigating"),
            ("investigating", "resolved"),
        ]
    );
    assert_eq!(events[1]["at"], first_resolution);
    assert_eq!(events[2]["note"], "Attacker came back");
}

#[sqlx::test(migrations = false)]
async fn lessons_learned_are_required_to_resolve_critical_and_high(pool: PgPool) {
    let t = tenants(pool).await;
    for severity in ["critical", "high"] {
        let incident = create(&t, json!({"severity": severity})).await;
        let status_url = url(&t, &incident, "status/");
        let (status, _) = move_to(&t.member, &status_url, "contained", None, None).await;
        assert_eq!(status, StatusCode::OK);
        let audits = audit_rows(&t.app, ENTITY).await;
        let (status, body) = move_to(&t.member, &status_url, "resolved", None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{severity}: {body}");
        assert!(
            body["error"]["fields"]["lessons_learned"].is_string(),
            "{body}"
        );
        assert_eq!(audit_rows(&t.app, ENTITY).await, audits);
        assert_eq!(event_rows(&t.app, &incident).await, 2);

        let (status, _) = read(
            t.member
                .patch(url(&t, &incident, ""))
                .json(&json!({"lessons_learned": "Enforce MFA on every mailbox", "version": 2}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, resolved) = move_to(&t.member, &status_url, "resolved", None, None).await;
        assert_eq!(status, StatusCode::OK, "{resolved}");

        // Once resolved, the lessons cannot be removed.
        let (status, body) = read(
            t.member
                .patch(url(&t, &incident, ""))
                .json(&json!({"lessons_learned": "  "}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"]["fields"]["lessons_learned"].is_string());
    }
    for severity in ["medium", "low"] {
        let incident = create(&t, json!({"severity": severity})).await;
        let (status, body) = move_to(
            &t.member,
            &url(&t, &incident, "status/"),
            "resolved",
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{severity}: {body}");
    }
}

#[sqlx::test(migrations = false)]
async fn concurrent_status_changes_have_exactly_one_winner(pool: PgPool) {
    let t = tenants(pool).await;
    let incident = create(&t, json!({})).await;
    let status_url = url(&t, &incident, "status/");
    let audits = audit_rows(&t.app, ENTITY).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let client = if i % 2 == 0 {
                t.member.clone()
            } else {
                t.admin.clone()
            };
            let status_url = status_url.clone();
            let to = ["investigating", "contained", "resolved"][i % 3];
            tokio::spawn(async move {
                let response = client
                    .post(&status_url)
                    .json(&json!({"status": to, "version": 1, "note": format!("task {i}")}))
                    .send()
                    .await
                    .unwrap();
                let (status, body) = read(response).await;
                (status, body)
            })
        })
        .collect();
    let mut ok = 0;
    let mut conflicts = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {
                conflicts += 1;
                assert_eq!(body["error"]["current"]["version"], 2, "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 15));
    assert_eq!(event_rows(&t.app, &incident).await, 2);
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);
    let (_, now) = read(t.viewer.get(url(&t, &incident, "")).send().await.unwrap()).await;
    assert_eq!(now["version"], 2);
}

#[sqlx::test(migrations = false)]
async fn stale_versions_get_the_current_record(pool: PgPool) {
    let t = tenants(pool).await;
    let incident = create(&t, json!({})).await;
    let item_url = url(&t, &incident, "");
    let (status, _) = read(
        t.member
            .patch(&item_url)
            .json(&json!({"title": "Phishing wave (finance)", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let audits = audit_rows(&t.app, ENTITY).await;
    let (status, body) = read(
        t.member
            .patch(&item_url)
            .json(&json!({"title": "Other", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["title"], "Phishing wave (finance)");
    let (status, body) = read(
        t.member
            .post(url(&t, &incident, "status/"))
            .header("if-match", "\"1\"")
            .json(&json!({"status": "investigating"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["version"], 2);
    assert_eq!(body["error"]["current"]["status"], "reported");
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits);
    assert_eq!(event_rows(&t.app, &incident).await, 1);
}

#[sqlx::test(migrations = false)]
async fn input_is_validated_and_refusals_write_nothing(pool: PgPool) {
    let t = tenants(pool).await;
    let post_url = t.app.url("/api/security/incidents/");
    let audits = audit_rows(&t.app, ENTITY).await;
    let base = json!({"enterprise_id": t.a, "title": "Stolen laptop", "severity": "high", "detected_at": hours_ago(1)});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let future = (Utc::now() + Duration::minutes(5)).to_rfc3339();
    for (body, field) in [
        (with("detected_at", json!(future)), "detected_at"),
        (with("detected_at", json!("yesterday")), "detected_at"),
        (with("users_affected", json!(-1)), "users_affected"),
        (with("users_affected", json!(1.5)), "users_affected"),
        (
            with("data_categories", json!(["personal", "secrets"])),
            "data_categories",
        ),
        (
            with("systems_affected", json!(["mail", " "])),
            "systems_affected",
        ),
        (with("regimes", json!(["sox"])), "regimes"),
        (with("severity", json!("urgent")), "severity"),
        (with("status", json!("resolved")), "status"),
        (with("data_affected", json!("yes")), "data_affected"),
        (with("colour", json!("red")), "colour"),
        (
            json!({"enterprise_id": t.a, "title": "No detection time", "severity": "low"}),
            "detected_at",
        ),
        (
            json!({"enterprise_id": t.a, "detected_at": hours_ago(1)}),
            "title",
        ),
    ] {
        let (status, error) =
            read(t.member.post(&post_url).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {error}");
        assert!(
            error["error"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
    // Categories without data_affected: false are refused, not dropped.
    let (status, error) = read(
        t.member
            .post(&post_url)
            .json(
                &with("data_categories", json!(["health"]))
                    .as_object()
                    .map(|m| {
                        let mut m = m.clone();
                        m.insert("data_affected".into(), json!(false));
                        Value::Object(m)
                    }),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["fields"]["data_categories"].is_string());
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits);

    // A full, valid record round-trips.
    let incident = create(
        &t,
        json!({
            "title": "  Stolen laptop  ",
            "description": "Left on a train",
            "systems_affected": ["laptop-042", "vpn", "vpn"],
            "data_categories": ["credentials", "personal"],
            "users_affected": 0,
            "root_cause": "No disk encryption",
            "regulatory_notification_required": true,
            "regulator": "CNIL",
            "regimes": ["gdpr", "nis2"],
        }),
    )
    .await;
    assert_eq!(incident["title"], "Stolen laptop");
    assert_eq!(incident["systems_affected"], json!(["laptop-042", "vpn"]));
    assert_eq!(incident["data_affected"], true, "implied by the categories");
    assert_eq!(
        incident["data_categories"],
        json!(["credentials", "personal"])
    );
    assert_eq!(incident["regimes"], json!(["gdpr", "nis2"]));
    assert_eq!(incident["regulator"], "CNIL");
    assert_eq!(incident["users_affected"], 0);
    assert_eq!(incident["lessons_learned"], Value::Null);

    // Edits: the status moves only through status/; bad values are named.
    let item_url = url(&t, &incident, "");
    let audits = audit_rows(&t.app, ENTITY).await;
    for (body, field) in [
        (json!({"status": "resolved"}), "status"),
        (json!({"users_affected": -1}), "users_affected"),
        (json!({"detected_at": future}), "detected_at"),
        (
            json!({"detected_at": (time(&incident["reported_at"]) + Duration::milliseconds(1)).to_rfc3339()}),
            "detected_at",
        ),
        (json!({"data_affected": false}), "data_affected"),
        (json!({"title": ""}), "title"),
    ] {
        let (status, error) =
            read(t.member.patch(&item_url).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {error}");
        assert!(
            error["error"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
    let (status, error) = move_to(
        &t.member,
        &url(&t, &incident, "status/"),
        "closed",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["fields"]["status"].is_string());
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits);

    // Echoing a read back (PUT) keeps everything and changes what differs.
    let mut echoed = incident.clone();
    echoed["users_affected"] = json!(12);
    let (status, updated) = read(t.member.put(&item_url).json(&echoed).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["users_affected"], 12);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["regimes"], incident["regimes"]);
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);
    let changes: Value = sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE entity_type = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(ENTITY)
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(
        changes,
        json!({"users_affected": {"before": 0, "after": 12}})
    );
}

#[sqlx::test(migrations = false)]
async fn notification_clocks_follow_detection_and_can_be_marked_done(pool: PgPool) {
    let t = tenants(pool).await;
    // Personal data, detected 61 h ago: the GDPR 72 h clock has 11 h left.
    let detected = Utc::now() - Duration::hours(61);
    let incident = create(
        &t,
        json!({"detected_at": detected.to_rfc3339(), "data_categories": ["personal"]}),
    )
    .await;
    let clocks = incident["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1, "{incident}");
    let gdpr = &clocks[0];
    assert_eq!(gdpr["key"], "gdpr_authority");
    assert_eq!(gdpr["regime"], "gdpr");
    let detected_at = time(&incident["detected_at"]);
    assert_eq!(time(&gdpr["deadline"]), detected_at + Duration::hours(72));
    assert_eq!(gdpr["done_at"], Value::Null);
    assert_eq!(
        (gdpr["missed"].as_bool(), gdpr["due_soon"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(incident["flagged"], true);

    let done_url = |key: &str| url(&t, &incident, &format!("clocks/{key}/done/"));
    assert_eq!(
        t.viewer
            .post(done_url("gdpr_authority"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = read(t.member.post(done_url("tax_office")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = read(
        t.member
            .post(done_url("nis2_early_warning"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let audits = audit_rows(&t.app, ENTITY).await;
    let (status, done) = read(
        t.member
            .post(done_url("gdpr_authority"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let gdpr = &done["clocks"][0];
    assert!(time(&gdpr["done_at"]) <= Utc::now());
    assert_eq!(gdpr["due_soon"], false);
    assert_eq!(done["flagged"], false);
    assert_eq!(done["version"], 2);
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 1);
    let (status, _) = read(
        t.member
            .post(done_url("gdpr_authority"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "already done");
    let (_, again) = read(t.viewer.get(url(&t, &incident, "")).send().await.unwrap()).await;
    assert_eq!(again["clocks"][0]["done_at"], gdpr["done_at"]);

    // NIS2 detected 25 h ago: the early warning is missed, the others run.
    let nis2 = create(
        &t,
        json!({"detected_at": hours_ago(25), "regimes": ["nis2"], "data_categories": ["health"]}),
    )
    .await;
    let keys: Vec<&str> = nis2["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "nis2_early_warning",
            "nis2_notification",
            "nis2_final_report",
            "hipaa_breach"
        ]
    );
    let detected_at = time(&nis2["detected_at"]);
    let clock = |i: usize| nis2["clocks"][i].clone();
    assert_eq!(clock(0)["missed"], true);
    assert_eq!(clock(1)["missed"], false);
    assert_eq!(
        time(&clock(1)["deadline"]),
        detected_at + Duration::hours(72)
    );
    assert_eq!(
        time(&clock(2)["deadline"]),
        detected_at
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
    );
    assert_eq!(
        time(&clock(3)["deadline"]),
        detected_at + Duration::days(60)
    );
    assert_eq!(nis2["flagged"], true);

    // Without regimes or personal/health data there are no clocks.
    let plain = create(&t, json!({"data_categories": ["financial"]})).await;
    assert_eq!(plain["clocks"], json!([]));
    assert_eq!(plain["flagged"], false);
}

#[sqlx::test(migrations = false)]
async fn lists_filter_and_count_active_incidents_by_severity(pool: PgPool) {
    let t = tenants(pool).await;
    for (title, severity, to) in [
        ("c1", "critical", None),
        ("h1", "high", Some("investigating")),
        ("h2", "high", Some("contained")),
        ("m1", "medium", Some("resolved")),
        ("l1", "low", None),
    ] {
        let incident = create(&t, json!({"title": title, "severity": severity})).await;
        if let Some(to) = to {
            let (status, _) =
                move_to(&t.member, &url(&t, &incident, "status/"), to, None, None).await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    let list = |query: String| {
        let request = t.viewer.get(t.app.url(&format!(
            "/api/security/incidents/?enterprise={}{query}",
            t.a
        )));
        async move { read(request.send().await.unwrap()).await }
    };
    let titles = |page: &Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, page) = list(String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 5);
    let (_, page) = list("&severity=high&ordering=status".into()).await;
    assert_eq!(titles(&page), ["h1", "h2"]);
    let (_, page) = list("&status=resolved".into()).await;
    assert_eq!(titles(&page), ["m1"]);
    let (_, page) = list("&active=false".into()).await;
    assert_eq!(titles(&page), ["m1"]);
    let (_, page) = list("&active=true&ordering=-severity".into()).await;
    assert_eq!(titles(&page)[0], "l1");
    assert_eq!(page["count"], 4);
    let (status, error) = list("&ordering=password".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["fields"]["ordering"].is_string());
    let (status, error) = list("&status=closed".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["error"]["fields"]["status"].is_string());

    let (status, active) = read(
        t.viewer
            .get(t.app.url(&format!(
                "/api/security/incidents/active/?enterprise={}",
                t.a
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(active["count"], 4);
    assert_eq!(titles(&active)[0], "c1", "most severe first");
    let (status, counts) = read(
        t.viewer
            .get(t.app.url(&format!(
                "/api/security/incidents/by-severity/?enterprise={}",
                t.a
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts,
        json!({"critical": 1, "high": 2, "medium": 0, "low": 1})
    );
    let (_, empty) = read(
        t.other_admin
            .get(t.app.url(&format!(
                "/api/security/incidents/by-severity/?enterprise={}",
                t.b
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        empty,
        json!({"critical": 0, "high": 0, "medium": 0, "low": 0})
    );
}

#[sqlx::test(migrations = false)]
async fn response_times_average_detection_to_containment_and_resolution(pool: PgPool) {
    use rampart::domain::server::incidents::response_times;

    let t = tenants(pool).await;
    let empty = response_times(&t.app.pool, t.a, 90).await.unwrap();
    assert_eq!(
        (empty.resolved_count, empty.mttc_hours, empty.mttr_hours),
        (0, None, None)
    );
    for hours in [10, 20] {
        let incident = create(&t, json!({"detected_at": hours_ago(hours)})).await;
        let (status, _) = move_to(
            &t.member,
            &url(&t, &incident, "status/"),
            "resolved",
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    // Still open: not counted.
    let open = create(&t, json!({"detected_at": hours_ago(50)})).await;
    move_to(
        &t.member,
        &url(&t, &open, "status/"),
        "contained",
        None,
        None,
    )
    .await;
    let times = response_times(&t.app.pool, t.a, 90).await.unwrap();
    assert_eq!(times.resolved_count, 2);
    assert_eq!(times.mttc_hours, Some(15.0));
    assert_eq!(times.mttr_hours, Some(15.0));
    assert_eq!(times.days, 90);
    let other = response_times(&t.app.pool, t.b, 90).await.unwrap();
    assert_eq!(other.resolved_count, 0);
    assert!(response_times(&t.app.pool, t.a, 0).await.is_err());
}

#[sqlx::test(migrations = false)]
async fn access_matrix(pool: PgPool) {
    let t = tenants(pool).await;
    let list_url = t.app.url("/api/security/incidents/");
    let incident = create(&t, json!({"data_categories": ["personal"]})).await;
    let item_url = url(&t, &incident, "");
    let status_url = url(&t, &incident, "status/");
    let done_url = url(&t, &incident, "clocks/gdpr_authority/done/");
    let new_body =
        json!({"enterprise_id": t.a, "title": "x", "severity": "low", "detected_at": hours_ago(1)});
    let audits = audit_rows(&t.app, ENTITY).await;

    // Viewers read everything and write nothing.
    for get in [
        item_url.clone(),
        url(&t, &incident, "events/"),
        format!("{list_url}?enterprise={}", t.a),
    ] {
        assert_eq!(
            t.viewer.get(&get).send().await.unwrap().status(),
            StatusCode::OK,
            "{get}"
        );
    }
    for request in [
        t.viewer.post(&list_url).json(&new_body),
        t.viewer.patch(&item_url).json(&json!({"title": "y"})),
        t.viewer.put(&item_url).json(&json!({"title": "y"})),
        t.viewer.delete(&item_url),
        t.viewer
            .post(&status_url)
            .json(&json!({"status": "investigating"})),
        t.viewer.post(&done_url),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
    }

    // Another tenant's admin: the incident does not exist, on every verb.
    for request in [
        t.other_admin.get(&item_url),
        t.other_admin.patch(&item_url).json(&json!({"title": "y"})),
        t.other_admin.put(&item_url).json(&json!({"title": "y"})),
        t.other_admin.delete(&item_url),
        t.other_admin
            .post(&status_url)
            .json(&json!({"status": "investigating"})),
        t.other_admin.get(url(&t, &incident, "events/")),
        t.other_admin.post(&done_url),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    let missing = t
        .app
        .url(&format!("/api/security/incidents/{}/", Uuid::now_v7()));
    assert_eq!(
        t.member.get(&missing).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // …and cannot list, count or create in this enterprise.
    for request in [
        t.other_admin.get(format!("{list_url}?enterprise={}", t.a)),
        t.other_admin.get(t.app.url(&format!(
            "/api/security/incidents/active/?enterprise={}",
            t.a
        ))),
        t.other_admin.get(t.app.url(&format!(
            "/api/security/incidents/by-severity/?enterprise={}",
            t.a
        ))),
        t.other_admin.post(&list_url).json(&new_body),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits);

    // Anonymous callers are turned away.
    let anonymous = client();
    for request in [
        anonymous.get(&list_url),
        anonymous.get(&item_url),
        anonymous
            .post(&status_url)
            .json(&json!({"status": "investigating"})),
        anonymous.get(url(&t, &incident, "events/")),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }

    // Staff see every enterprise; members and admins write.
    let (status, page) = read(t.staff.get(&list_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 1);
    let (status, _) = read(
        t.admin
            .patch(&item_url)
            .json(&json!({"root_cause": "Weak password"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        t.member.delete(&item_url).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(audit_rows(&t.app, ENTITY).await, audits + 2);
    assert_eq!(event_rows(&t.app, &incident).await, 0);
    assert_eq!(
        t.member.get(&item_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

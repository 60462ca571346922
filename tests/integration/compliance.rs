//! The compliance tracker and the compliance score.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::common::read;
use super::policies::{audit_rows, tenants};

fn date(offset_days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset_days)).to_string()
}

#[sqlx::test(migrations = false)]
async fn overdue_is_before_today_and_open(pool: PgPool) {
    let t = tenants(pool).await;
    let url = t.app.url("/api/security/compliance/");
    let mut ids = Vec::new();
    for (title, deadline, status) in [
        ("yesterday", date(-1), "in_progress"),
        ("today", date(0), "not_started"),
        ("tomorrow", date(1), "not_started"),
        ("done late", date(-5), "completed"),
        ("n/a late", date(-5), "not_applicable"),
    ] {
        let (status_code, item) = read(
            t.member
                .post(&url)
                .json(&json!({"enterprise_id": t.a, "framework": "iso-27001", "title": title, "deadline": deadline, "status": status}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status_code, StatusCode::CREATED, "{item}");
        ids.push((title, item["overdue"].as_bool().unwrap()));
    }
    assert_eq!(
        ids,
        [
            ("yesterday", true),
            ("today", false),
            ("tomorrow", false),
            ("done late", false),
            ("n/a late", false)
        ]
    );
    let (_, page) = read(
        t.viewer
            .get(format!("{url}?enterprise={}&overdue=true", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["results"][0]["title"], "yesterday");
    let (_, page) = read(
        t.viewer
            .get(format!("{url}?enterprise={}&overdue=false", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 4);
    let (_, overdue) = read(
        t.viewer
            .get(t.app.url(&format!(
                "/api/security/compliance/overdue/?enterprise={}",
                t.a
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(overdue["count"], 1);
}

#[sqlx::test(migrations = false)]
async fn score_excludes_not_applicable_and_is_null_when_empty(pool: PgPool) {
    let t = tenants(pool).await;
    let scores_url = t.app.url(&format!(
        "/api/security/compliance/scores/?enterprise={}",
        t.a
    ));
    let (status, empty) = read(t.viewer.get(&scores_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["score"], Value::Null);
    assert_eq!(empty["frameworks"], json!([]));

    let url = t.app.url("/api/security/compliance/");
    for (framework, status) in [
        ("pci-dss", "completed"),
        ("pci-dss", "completed"),
        ("pci-dss", "in_progress"),
        ("pci-dss", "not_applicable"),
        ("gdpr", "not_applicable"),
    ] {
        let response = t
            .member
            .post(&url)
            .json(&json!({"enterprise_id": t.a, "framework": framework, "title": format!("{framework} {status}"), "status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let (_, scores) = read(t.viewer.get(&scores_url).send().await.unwrap()).await;
    let framework = |slug: &str| {
        scores["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["slug"] == slug)
            .cloned()
            .unwrap()
    };
    // 2 completed of (4 − 1 not applicable) = 66.7 %.
    let pci = framework("pci-dss");
    assert_eq!(pci["score"], 66.7);
    assert_eq!(pci["band"], "warning");
    assert_eq!(
        (
            pci["total"].as_i64(),
            pci["completed"].as_i64(),
            pci["in_progress"].as_i64()
        ),
        (Some(4), Some(2), Some(1))
    );
    // Everything not applicable: no score rather than 0 or 100.
    assert_eq!(framework("gdpr")["score"], Value::Null);
    // Overall: 2 of (5 − 2).
    assert_eq!(scores["score"], 66.7);
    let (status, _) = read(t.other_admin.get(&scores_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = false)]
async fn completing_records_who_and_when(pool: PgPool) {
    let t = tenants(pool).await;
    let (_, item) = read(
        t.member
            .post(t.app.url("/api/security/compliance/"))
            .json(&json!({"enterprise_id": t.a, "framework": "nist-csf-2", "requirement_ref": "GV.OC-01"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        item["title"].as_str().unwrap().len() > 3,
        "title taken from the catalogue: {item}"
    );
    assert_eq!(item["requirement_ref"], "GV.OC-01");
    let id = item["id"].as_str().unwrap();
    let complete = t
        .app
        .url(&format!("/api/security/compliance/{id}/complete/"));
    assert_eq!(
        t.viewer.post(&complete).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (status, done) = read(t.member.post(&complete).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    let member_id: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'member@acme.test'")
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(done["completed_by"], member_id.as_str());
    assert_eq!(done["version"], 2);
    let (status, _) = read(t.member.post(&complete).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "already completed");

    // Reopening clears the completion.
    let item_url = t.app.url(&format!("/api/security/compliance/{id}/"));
    let (_, reopened) = read(
        t.member
            .patch(&item_url)
            .json(&json!({"status": "in_progress", "version": 2}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reopened["completed_at"], Value::Null);
    assert_eq!(reopened["completed_by"], Value::Null);
}

#[sqlx::test(migrations = false)]
async fn writes_are_validated_versioned_and_audited(pool: PgPool) {
    let t = tenants(pool).await;
    let url = t.app.url("/api/security/compliance/");
    let before = audit_rows(&t.app, "compliance_requirement").await;
    let (status, body) = read(
        t.member
            .post(&url)
            .json(&json!({"enterprise_id": t.a, "framework": "nope", "title": "", "deadline": "31/12/2026", "status": "done", "owner_id": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["framework", "title", "deadline", "status", "owner_id"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(audit_rows(&t.app, "compliance_requirement").await, before);

    // An owner from another enterprise is refused.
    let outsider: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'admin@globex.test'")
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    let (status, body) = read(
        t.member
            .post(&url)
            .json(&json!({"enterprise_id": t.a, "framework": "gdpr", "title": "DPIA", "owner_id": outsider}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["owner_id"].is_string());

    let (_, item) = read(
        t.member
            .post(&url)
            .json(&json!({"enterprise_id": t.a, "framework": "gdpr", "title": "DPIA"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let item_url = t.app.url(&format!(
        "/api/security/compliance/{}/",
        item["id"].as_str().unwrap()
    ));
    let (status, _) = read(
        t.member
            .patch(&item_url)
            .json(&json!({"title": "DPIA v2", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let audited = audit_rows(&t.app, "compliance_requirement").await;
    let (status, body) = read(
        t.member
            .patch(&item_url)
            .json(&json!({"title": "DPIA v3", "version": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["title"], "DPIA v2");
    assert_eq!(audit_rows(&t.app, "compliance_requirement").await, audited);

    // Another tenant sees nothing, on every verb and action.
    for request in [
        t.other_admin.get(&item_url),
        t.other_admin.patch(&item_url).json(&json!({"title": "x"})),
        t.other_admin.put(&item_url).json(&json!({"title": "x"})),
        t.other_admin.delete(&item_url),
        t.other_admin.post(format!("{item_url}complete/")),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        t.viewer
            .patch(&item_url)
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.viewer.delete(&item_url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = read(
        t.other_admin
            .get(format!("{url}?enterprise={}", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = read(super::common::client().get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.member.delete(&item_url).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        audit_rows(&t.app, "compliance_requirement").await,
        audited + 1
    );
}

#[sqlx::test(migrations = false)]
async fn a_whole_catalogue_can_be_tracked_once(pool: PgPool) {
    let t = tenants(pool).await;
    let url = t.app.url("/api/security/compliance/track-catalogue/");
    let body = json!({"enterprise_id": t.a, "framework": "owasp-top-10"});
    let (status, created) = read(t.member.post(&url).json(&body).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["created"], 10);
    let (_, again) = read(t.member.post(&url).json(&body).send().await.unwrap()).await;
    assert_eq!(again["created"], 0);
    let (_, page) = read(
        t.viewer
            .get(t.app.url(&format!("/api/security/compliance/?enterprise={}&framework=owasp-top-10&ordering=title&page_size=3", t.a)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 10);
    assert_eq!(page["results"].as_array().unwrap().len(), 3);
    let titles: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    let (status, body) = read(
        t.viewer
            .get(t.app.url(&format!(
                "/api/security/compliance/?enterprise={}&ordering=password",
                t.a
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["ordering"].is_string());
    assert_eq!(
        t.viewer
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
}

//! Security controls: the status workflow, verify, requirement links across
//! frameworks, evidence (links and files), staleness, grouping by framework,
//! optimistic concurrency, tenancy and the audit trail.

use chrono::{Duration, Utc};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::{client, read, TestApp};
use super::policies::{audit_rows, tenants, Tenants};

const ENTITY: &str = "security_control";

fn controls_url(t: &Tenants) -> String {
    t.app.url("/api/security/controls/")
}

fn control_url(t: &Tenants, id: &str) -> String {
    t.app.url(&format!("/api/security/controls/{id}/"))
}

fn action_url(t: &Tenants, id: &str, action: &str) -> String {
    t.app.url(&format!("/api/security/controls/{id}/{action}/"))
}

async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    read(request.send().await.unwrap()).await
}

/// Creates a control in A as the member and returns it.
async fn create(t: &Tenants, extra: Value) -> Value {
    let mut body = json!({
        "enterprise_id": t.a,
        "framework": "iso-27001",
        "reference": "A.8.5",
        "title": "Secure authentication",
        "priority": "high",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let (status, control) = send(t.member.post(controls_url(t)).json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{control}");
    control
}

fn id_of(control: &Value) -> String {
    control["id"].as_str().unwrap().to_string()
}

async fn patch(t: &Tenants, who: &Client, id: &str, body: Value) -> (StatusCode, Value) {
    send(who.patch(control_url(t, id)).json(&body)).await
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn requirement(app: &TestApp, slug: &str, reference: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT r.id FROM requirements r JOIN frameworks f ON f.id = r.framework_id WHERE f.slug = $1 AND r.reference = $2",
    )
    .bind(slug)
    .bind(reference)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// A multipart/form-data body built by hand: text fields, then an optional
/// file part (filename, the client's claimed type, bytes).
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "rampart-test-boundary-5b1c9e";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content_type, data)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(
    who: &Client,
    url: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> RequestBuilder {
    let (content_type, body) = multipart(fields, file);
    who.post(url)
        .header("content-type", content_type)
        .body(body)
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

#[sqlx::test(migrations = false)]
async fn status_workflow_allows_and_refuses_moves(pool: PgPool) {
    let t = tenants(pool).await;
    let control = create(
        &t,
        json!({"description": "Passwords plus a second factor."}),
    )
    .await;
    assert_eq!(control["status"], "not_implemented");
    assert_eq!(control["version"], 1);
    assert_eq!(control["framework_slug"], "iso-27001");
    assert_eq!(control["enterprise_id"], t.a.to_string());
    assert_eq!(control["stale"], false);
    let id = id_of(&control);
    assert_eq!(audit_rows(&t.app, ENTITY).await, 1);

    // Forward, backward and sideways among the open statuses.
    let mut version = 1;
    for status in [
        "in_progress",
        "implemented",
        "in_progress",
        "not_implemented",
        "implemented",
    ] {
        let (code, body) = patch(&t, &t.member, &id, json!({"status": status})).await;
        assert_eq!(code, StatusCode::OK, "{status}: {body}");
        assert_eq!(body["status"], status);
        version += 1;
        assert_eq!(body["version"], version);
    }
    assert_eq!(audit_rows(&t.app, ENTITY).await, 6);

    // Setting verified through an edit is refused: that is the verify action.
    let (code, body) = patch(&t, &t.member, &id, json!({"status": "verified"})).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    // Not applicable needs a justification.
    let (code, body) = patch(&t, &t.member, &id, json!({"status": "not_applicable"})).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["fields"]["justification"].is_string(),
        "{body}"
    );
    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"status": "not_applicable", "justification": "   "}),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["justification"].is_string());
    // Unknown values and unknown fields are named.
    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"status": "done", "colour": "red"}),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["status"].is_string());
    assert!(body["error"]["fields"]["colour"].is_string());
    assert_eq!(audit_rows(&t.app, ENTITY).await, 6, "refusals leave no row");
    let (_, now) = send(t.viewer.get(control_url(&t, &id))).await;
    assert_eq!(now["status"], "implemented");
    assert_eq!(now["version"], 6);

    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"status": "not_applicable", "justification": "No card data is stored."}),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "not_applicable");
    assert_eq!(body["justification"], "No card data is stored.");
    // Staying not applicable while clearing the reason is refused too.
    let (code, body) = patch(&t, &t.member, &id, json!({"justification": null})).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["justification"].is_string());
    // And back into the workflow.
    let (code, body) = patch(&t, &t.member, &id, json!({"status": "in_progress"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(audit_rows(&t.app, ENTITY).await, 8);

    // Creation follows the same rules.
    let base = json!({"enterprise_id": t.a, "framework": "iso-27001", "reference": "A.5.1", "title": "Policies", "priority": "low"});
    let mut verified = base.clone();
    verified["status"] = json!("verified");
    let (code, _) = send(t.member.post(controls_url(&t)).json(&verified)).await;
    assert_eq!(code, StatusCode::CONFLICT);
    let mut not_applicable = base.clone();
    not_applicable["status"] = json!("not_applicable");
    let (code, body) = send(t.member.post(controls_url(&t)).json(&not_applicable)).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["justification"].is_string());
    let (code, body) = send(t.member.post(controls_url(&t)).json(
        &json!({"enterprise_id": t.a, "framework": "no-such", "title": "", "priority": "urgent"}),
    ))
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    for field in ["framework", "reference", "title", "priority"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    not_applicable["justification"] = json!("Out of scope.");
    let (code, body) = send(t.member.post(controls_url(&t)).json(&not_applicable)).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "not_applicable");
    assert_eq!(audit_rows(&t.app, ENTITY).await, 9);

    // The audit row of an update names what changed, before and after.
    let changes: Value = sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE entity_type = 'security_control' AND entity_id = $1 AND action = 'update' ORDER BY id LIMIT 1",
    )
    .bind(&id)
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(
        changes["status"],
        json!({"before": "not_implemented", "after": "in_progress"})
    );
}

#[sqlx::test(migrations = false)]
async fn verify_only_from_implemented(pool: PgPool) {
    let t = tenants(pool).await;
    let id = id_of(&create(&t, json!({"status": "in_progress"})).await);
    let verify = action_url(&t, &id, "verify");
    let before = audit_rows(&t.app, ENTITY).await;
    let (code, body) = send(t.member.post(&verify)).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("In progress"));
    assert_eq!(
        audit_rows(&t.app, ENTITY).await,
        before,
        "no row for a refusal"
    );

    let (code, _) = patch(&t, &t.member, &id, json!({"status": "implemented"})).await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = send(t.member.post(&verify).json(&json!({"version": 2}))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "verified");
    assert_eq!(body["version"], 3);
    let member = user_id(&t.app, "member@acme.test").await;
    assert_eq!(body["verified_by"], member.to_string());
    let at: chrono::DateTime<Utc> = body["verified_at"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - at).num_seconds().abs() < 60);
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 2);
    let action: String = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = 'security_control' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(action, "verify");

    // Already verified: refused, nothing written.
    let (code, _) = send(t.member.post(&verify)).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 2);
}

#[sqlx::test(migrations = false)]
async fn implementation_edits_drop_verification(pool: PgPool) {
    let t = tenants(pool).await;
    let id = id_of(
        &create(
            &t,
            json!({"status": "implemented", "description": "TOTP for all staff."}),
        )
        .await,
    );
    let (code, verified) = send(t.admin.post(action_url(&t, &id, "verify"))).await;
    assert_eq!(code, StatusCode::OK);
    let admin = user_id(&t.app, "admin@acme.test").await;
    assert_eq!(verified["verified_by"], admin.to_string());

    // Renaming and re-prioritising keep the sign-off.
    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"title": "Strong authentication", "priority": "critical"}),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "verified");
    assert_eq!(body["verified_by"], admin.to_string());
    assert_eq!(body["verified_at"], verified["verified_at"]);
    // A PUT of the record as read, status included, changes nothing either.
    let mut echo = body.clone();
    echo["title"] = json!("Strong authentication (MFA)");
    let (code, body) = send(t.member.put(control_url(&t, &id)).json(&echo)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "verified");

    // Changing what the control does drops it back to implemented.
    let mut echo = body.clone();
    echo["description"] = json!("TOTP or WebAuthn for all staff.");
    let (code, body) = send(t.member.put(control_url(&t, &id)).json(&echo)).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "implemented");
    assert_eq!(body["verified_by"], Value::Null);
    assert_eq!(body["verified_at"], Value::Null);
    let (_, stored) = send(t.viewer.get(control_url(&t, &id))).await;
    assert_eq!(stored["status"], "implemented");
    assert_eq!(stored["verified_at"], Value::Null);

    // So does new proof: test results, and evidence.
    let (code, _) = send(t.admin.post(action_url(&t, &id, "verify"))).await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = patch(&t, &t.member, &id, json!({"test_results": "Bypass found."})).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["status"], "implemented");
    let (code, _) = send(t.admin.post(action_url(&t, &id, "verify"))).await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = send(
        t.member
            .post(action_url(&t, &id, "evidence"))
            .json(&json!({"name": "MFA report", "url": "https://wiki.acme.test/mfa", "collected_on": today().to_string()})),
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "implemented");
    assert_eq!(body["verified_by"], Value::Null);
}

#[sqlx::test(migrations = false)]
async fn one_control_maps_to_requirements_of_several_frameworks(pool: PgPool) {
    let t = tenants(pool).await;
    let iso = requirement(&t.app, "iso-27001", "A.8.5").await;
    let csf = requirement(&t.app, "nist-csf-2", "PR.AA-03").await;
    let owner = user_id(&t.app, "viewer@acme.test").await;
    let control = create(
        &t,
        json!({"requirement_ids": [iso, csf], "owner_id": owner, "framework_id": "iso-27001", "framework": null}),
    )
    .await;
    let id = id_of(&control);
    let (_, read_back) = send(t.viewer.get(control_url(&t, &id))).await;
    let mut ids: Vec<&str> = read_back["requirement_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![iso.to_string(), csf.to_string()];
    expected.sort();
    assert_eq!(ids, expected);
    let links: Vec<(String, String)> = read_back["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["framework_slug"].as_str().unwrap().to_string(),
                r["reference"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        links,
        vec![
            ("iso-27001".to_string(), "A.8.5".to_string()),
            ("nist-csf-2".to_string(), "PR.AA-03".to_string())
        ]
    );
    assert!(read_back["requirements"][0]["title"].is_string());
    assert_eq!(read_back["owner_id"], owner.to_string());

    // Unknown requirements and owners from elsewhere are named, nothing changes.
    let stranger = user_id(&t.app, "admin@globex.test").await;
    let before = audit_rows(&t.app, ENTITY).await;
    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"requirement_ids": [iso, Uuid::now_v7()], "owner_id": stranger}),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["fields"]["requirement_ids"].is_string(),
        "{body}"
    );
    assert!(body["error"]["fields"]["owner_id"].is_string(), "{body}");
    let (code, body) = patch(
        &t,
        &t.member,
        &id,
        json!({"requirement_ids": ["not-a-uuid"]}),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["requirement_ids"].is_string());
    assert_eq!(audit_rows(&t.app, ENTITY).await, before);

    // Narrowing the mapping.
    let (code, body) = patch(&t, &t.member, &id, json!({"requirement_ids": [csf]})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["requirement_ids"], json!([csf]));
    assert_eq!(body["requirements"][0]["framework_slug"], "nist-csf-2");
    let links: i64 =
        sqlx::query_scalar("SELECT count(*) FROM control_requirements WHERE control_id = $1::uuid")
            .bind(&id)
            .fetch_one(&t.app.pool)
            .await
            .unwrap();
    assert_eq!(links, 1);
}

#[sqlx::test(migrations = false)]
async fn evidence_links_and_staleness(pool: PgPool) {
    let t = tenants(pool).await;
    let id = id_of(&create(&t, json!({})).await);
    let other = id_of(&create(&t, json!({"reference": "A.8.6"})).await);
    let evidence_url = action_url(&t, &id, "evidence");
    let (_, control) = send(t.viewer.get(control_url(&t, &id))).await;
    assert_eq!(control["stale"], false, "no evidence is not stale");
    assert_eq!(control["evidence"], json!([]));

    let yesterday = (today() - Duration::days(1)).to_string();
    let tomorrow = (today() + Duration::days(1)).to_string();
    let month_ago = (today() - Duration::days(30)).to_string();
    let before = audit_rows(&t.app, ENTITY).await;
    let (code, body) = send(t.member.post(&evidence_url).json(&json!({
        "name": "Pen test 2024", "url": "https://docs.acme.test/pentest.pdf",
        "collected_on": month_ago, "valid_until": yesterday,
    })))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(body["stale"], true);
    assert_eq!(body["version"], 2);
    assert_eq!(body["evidence"][0]["expired"], true);
    assert_eq!(
        body["evidence"][0]["url"],
        "https://docs.acme.test/pentest.pdf"
    );
    assert_eq!(body["evidence"][0]["file_id"], Value::Null);
    let expired_id = body["evidence"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 1);

    // The list filter agrees with the flag.
    let list = |stale: &str| {
        t.viewer.get(format!(
            "{}?enterprise={}&stale={stale}",
            controls_url(&t),
            t.a
        ))
    };
    let (_, page) = send(list("true")).await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["results"][0]["id"], id.as_str());
    let (_, page) = send(list("false")).await;
    assert_eq!(page["count"], 1);
    assert_eq!(page["results"][0]["id"], other.as_str());
    let (code, body) = send(list("maybe")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

    let (code, body) = send(t.member.post(&evidence_url).json(&json!({
        "name": "Pen test 2025", "url": "https://docs.acme.test/pentest-2025.pdf",
        "collected_on": today().to_string(), "valid_until": tomorrow,
    })))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(body["stale"], false);
    assert_eq!(body["evidence"].as_array().unwrap().len(), 2);
    let (_, page) = send(list("true")).await;
    assert_eq!(page["count"], 0);

    // Dangerous or malformed links and dates are refused, nothing written.
    let rows = audit_rows(&t.app, ENTITY).await;
    for (body, field) in [
        (
            json!({"name": "x", "url": "javascript:alert(1)", "collected_on": today().to_string()}),
            "url",
        ),
        (
            json!({"name": "x", "url": "data:text/html,<script>", "collected_on": today().to_string()}),
            "url",
        ),
        (
            json!({"name": "x", "url": "https://a.test", "collected_on": tomorrow}),
            "collected_on",
        ),
        (
            json!({"name": "x", "url": "https://a.test", "collected_on": "15/06/2025"}),
            "collected_on",
        ),
        (
            json!({"name": "x", "url": "https://a.test", "collected_on": today().to_string(), "valid_until": month_ago}),
            "valid_until",
        ),
        (
            json!({"url": "https://a.test", "collected_on": today().to_string()}),
            "name",
        ),
    ] {
        let (code, answer) = send(t.member.post(&evidence_url).json(&body)).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field}: {answer}"
        );
    }
    assert_eq!(audit_rows(&t.app, ENTITY).await, rows);

    // Removing the current evidence leaves only the expired one: stale again.
    let (_, control) = send(t.viewer.get(control_url(&t, &id))).await;
    let current_id = control["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] != expired_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, body) = send(t.member.delete(t.app.url(&format!(
        "/api/security/controls/{id}/evidence/{current_id}/"
    ))))
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["stale"], true);
    assert_eq!(body["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(audit_rows(&t.app, ENTITY).await, rows + 1);
    // Deleting it again: it is gone.
    let (code, _) = send(t.member.delete(t.app.url(&format!(
        "/api/security/controls/{id}/evidence/{current_id}/"
    ))))
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn uploaded_evidence_is_stored_and_served_as_attachment(pool: PgPool) {
    let t = tenants(pool).await;
    let id = id_of(&create(&t, json!({})).await);
    let evidence_url = action_url(&t, &id, "evidence");
    let pdf: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    let collected = today().to_string();
    let before = audit_rows(&t.app, ENTITY).await;
    let (code, body) = send(upload(
        &t.member,
        &evidence_url,
        &[("name", "Firewall review"), ("collected_on", &collected)],
        // The client claims HTML; the bytes say PDF.
        Some(("../../firewall<review> v2.pdf", "text/html", pdf)),
    ))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 1);
    let evidence = &body["evidence"][0];
    assert_eq!(evidence["name"], "Firewall review");
    assert_eq!(evidence["url"], Value::Null);
    let file_id = evidence["file_id"].as_str().unwrap();
    let evidence_id = evidence["id"].as_str().unwrap().to_string();
    let (size, sha, stored_type): (i32, String, String) = sqlx::query_as(
        "SELECT size_bytes, sha256, content_type FROM evidence_files WHERE id = $1::uuid",
    )
    .bind(file_id)
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(size as usize, pdf.len());
    assert_eq!(sha.len(), 64);
    assert_eq!(stored_type, "application/pdf");

    let download_url = t.app.url(&format!(
        "/api/security/controls/{id}/evidence/{evidence_id}/download/"
    ));
    let response = t.viewer.get(&download_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"firewall_review_ v2.pdf\""
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf);

    // HTML is never served as HTML: it is stored and served as plain text.
    let html: &[u8] = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let (code, body) = send(upload(
        &t.member,
        &evidence_url,
        &[("collected_on", &collected)],
        Some(("report.html", "text/html", html)),
    ))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let html_evidence = &body["evidence"][1];
    assert_eq!(
        html_evidence["name"], "report.html",
        "the name defaults to the file's"
    );
    let response = t
        .viewer
        .get(t.app.url(&format!(
            "/api/security/controls/{id}/evidence/{}/download/",
            html_evidence["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(response.bytes().await.unwrap().as_ref(), html);

    // Over 10 MiB → 413, nothing stored.
    let rows = audit_rows(&t.app, ENTITY).await;
    let files: i64 = sqlx::query_scalar("SELECT count(*) FROM evidence_files")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let (code, body) = send(upload(
        &t.member,
        &evidence_url,
        &[("name", "Huge"), ("collected_on", &collected)],
        Some(("huge.txt", "text/plain", &big)),
    ))
    .await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(audit_rows(&t.app, ENTITY).await, rows);
    let files_after: i64 = sqlx::query_scalar("SELECT count(*) FROM evidence_files")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    assert_eq!(files_after, files);
    // Exactly 10 MiB is fine (the API's 1 MiB limit does not apply here).
    let (code, body) = send(upload(
        &t.member,
        &evidence_url,
        &[("name", "Big"), ("collected_on", &collected)],
        Some(("big.txt", "text/plain", &big[1..])),
    ))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{}", body["error"]);

    // A form without a file and without a link names what is missing.
    let (code, body) = send(upload(
        &t.member,
        &evidence_url,
        &[("name", "x"), ("collected_on", &collected)],
        None,
    ))
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["url"].is_string(), "{body}");
    // Neither JSON nor a form.
    let (code, _) = send(
        t.member
            .post(&evidence_url)
            .header("content-type", "text/plain")
            .body("hello"),
    )
    .await;
    assert_eq!(code, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Deleting the control removes its files.
    let (code, _) = send(t.member.delete(control_url(&t, &id))).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM evidence_files")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        t.viewer.get(&download_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrations = false)]
async fn controls_grouped_by_framework(pool: PgPool) {
    let t = tenants(pool).await;
    let verified = id_of(&create(&t, json!({"reference": "A.5.1", "status": "implemented"})).await);
    let (code, _) = send(t.member.post(action_url(&t, &verified, "verify"))).await;
    assert_eq!(code, StatusCode::OK);
    create(
        &t,
        json!({"reference": "A.5.2", "status": "not_applicable", "justification": "No suppliers."}),
    )
    .await;
    create(&t, json!({"reference": "A.5.3", "status": "in_progress"})).await;
    create(
        &t,
        json!({"reference": "1", "framework": "pci-dss", "status": "implemented"}),
    )
    .await;
    // Another tenant's control counts only there.
    let (code, _) = send(t.other_admin.post(controls_url(&t)).json(&json!({
        "enterprise_id": t.b, "framework": "iso-27001", "reference": "A.5.9", "title": "Inventory", "priority": "low",
    })))
    .await;
    assert_eq!(code, StatusCode::CREATED);

    let (code, groups) = send(t.viewer.get(t.app.url(&format!(
        "/api/security/controls/by-framework/?enterprise={}",
        t.a
    ))))
    .await;
    assert_eq!(code, StatusCode::OK, "{groups}");
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let group = |slug: &str| groups.iter().find(|g| g["slug"] == slug).unwrap().clone();
    let iso = group("iso-27001");
    assert_eq!(iso["name"], "ISO/IEC 27001");
    assert_eq!(
        (
            iso["total"].as_i64(),
            iso["verified"].as_i64(),
            iso["not_applicable"].as_i64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(iso["verified_ratio"], 50.0);
    let references: Vec<&str> = iso["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, vec!["A.5.1", "A.5.2", "A.5.3"]);
    let pci = group("pci-dss");
    assert_eq!(
        (pci["total"].as_i64(), pci["verified"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(pci["verified_ratio"], 0.0);
    assert!(pci["framework_id"].is_string());

    let (code, _) = send(t.other_admin.get(t.app.url(&format!(
        "/api/security/controls/by-framework/?enterprise={}",
        t.a
    ))))
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = send(
        t.member
            .get(t.app.url("/api/security/controls/by-framework/")),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrations = false)]
async fn stale_version_is_refused_and_changes_nothing(pool: PgPool) {
    let t = tenants(pool).await;
    let id = id_of(&create(&t, json!({"status": "implemented"})).await);
    let (code, _) = patch(&t, &t.member, &id, json!({"version": 1, "title": "Second"})).await;
    assert_eq!(code, StatusCode::OK);
    let before = audit_rows(&t.app, ENTITY).await;

    let (code, body) = patch(
        &t,
        &t.admin,
        &id,
        json!({"version": 1, "title": "Lost update"}),
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["title"], "Second");
    assert_eq!(body["error"]["current"]["version"], 2);
    let (code, _) = send(
        t.admin
            .put(control_url(&t, &id))
            .header("if-match", "\"1\"")
            .json(&json!({"title": "Lost update"})),
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT, "If-Match works like version");
    for request in [
        t.admin
            .post(action_url(&t, &id, "verify"))
            .json(&json!({"version": 1})),
        t.admin
            .post(action_url(&t, &id, "evidence"))
            .header("if-match", "1")
            .json(
                &json!({"name": "x", "url": "https://a.test", "collected_on": today().to_string()}),
            ),
        t.admin.delete(control_url(&t, &id)).header("if-match", "1"),
    ] {
        assert_eq!(send(request).await.0, StatusCode::CONFLICT);
    }
    let (code, body) = patch(&t, &t.admin, &id, json!({"version": 2, "title": "x"})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 1);
    let (_, now) = send(t.viewer.get(control_url(&t, &id))).await;
    assert_eq!(now["title"], "x");
    assert_eq!(now["version"], 3);
    assert_eq!(now["status"], "implemented");
    assert_eq!(now["evidence"], json!([]));
    // Body and If-Match naming different versions is a client error.
    let (code, body) = send(
        t.admin
            .patch(control_url(&t, &id))
            .header("if-match", "3")
            .json(&json!({"version": 2})),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
}

#[sqlx::test(migrations = false)]
async fn control_access_matrix(pool: PgPool) {
    let t = tenants(pool).await;
    let control = create(&t, json!({"status": "implemented"})).await;
    let id = id_of(&control);
    let (code, body) = send(upload(
        &t.member,
        &action_url(&t, &id, "evidence"),
        &[("name", "Scan"), ("collected_on", &today().to_string())],
        Some(("scan.png", "image/png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")),
    ))
    .await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    let evidence_id = body["evidence"][0]["id"].as_str().unwrap().to_string();
    let evidence_item = t.app.url(&format!(
        "/api/security/controls/{id}/evidence/{evidence_id}/"
    ));
    let download = t.app.url(&format!(
        "/api/security/controls/{id}/evidence/{evidence_id}/download/"
    ));
    let before = audit_rows(&t.app, ENTITY).await;
    let link = json!({"name": "x", "url": "https://a.test", "collected_on": today().to_string()});

    // Another enterprise's admin: the control does not exist for them.
    let b = &t.other_admin;
    let requests = [
        b.get(control_url(&t, &id)),
        b.patch(control_url(&t, &id))
            .json(&json!({"title": "Mine"})),
        b.put(control_url(&t, &id)).json(&json!({"title": "Mine"})),
        b.delete(control_url(&t, &id)),
        b.post(action_url(&t, &id, "verify")),
        b.post(action_url(&t, &id, "evidence")).json(&link),
        upload(
            b,
            &action_url(&t, &id, "evidence"),
            &[("collected_on", &today().to_string())],
            Some(("x.txt", "text/plain", b"hello")),
        ),
        b.delete(&evidence_item),
        b.get(&download),
    ];
    for request in requests {
        let (code, body) = send(request).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
    }
    // An id that does not exist answers the same.
    let (code, _) = send(t.member.get(control_url(&t, &Uuid::now_v7().to_string()))).await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // A viewer reads everything and changes nothing.
    let (code, _) = send(t.viewer.get(control_url(&t, &id))).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        t.viewer.get(&download).send().await.unwrap().status(),
        StatusCode::OK
    );
    let requests = [
        t.viewer.post(controls_url(&t)).json(&json!({
            "enterprise_id": t.a, "framework": "iso-27001", "reference": "A.5.1", "title": "t", "priority": "low",
        })),
        t.viewer.patch(control_url(&t, &id)).json(&json!({"title": "Mine"})),
        t.viewer.put(control_url(&t, &id)).json(&json!({"title": "Mine"})),
        t.viewer.delete(control_url(&t, &id)),
        t.viewer.post(action_url(&t, &id, "verify")),
        t.viewer.post(action_url(&t, &id, "evidence")).json(&link),
        t.viewer.delete(&evidence_item),
    ];
    for request in requests {
        let (code, body) = send(request).await;
        assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
    }
    // Creating in an enterprise one is not a member of is forbidden.
    let (code, _) = send(t.other_admin.post(controls_url(&t)).json(&json!({
        "enterprise_id": t.a, "framework": "iso-27001", "reference": "A.5.1", "title": "t", "priority": "low",
    })))
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_rows(&t.app, ENTITY).await,
        before,
        "no row for refusals"
    );

    // Lists: the enterprise must be named, and be one's own.
    let (code, _) = send(
        t.other_admin
            .get(format!("{}?enterprise={}", controls_url(&t), t.a)),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, body) = send(t.member.get(controls_url(&t))).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["enterprise"].is_string());
    let (_, page) = send(
        t.other_admin
            .get(format!("{}?enterprise={}", controls_url(&t), t.b)),
    )
    .await;
    assert_eq!(page["count"], 0);
    let (_, page) = send(t.staff.get(controls_url(&t))).await;
    assert_eq!(page["count"], 1);

    // Anonymous callers get 401 everywhere.
    let anonymous = client();
    for request in [
        anonymous.get(format!("{}?enterprise={}", controls_url(&t), t.a)),
        anonymous.get(control_url(&t, &id)),
        anonymous.post(controls_url(&t)).json(&json!({})),
        anonymous.post(action_url(&t, &id, "verify")),
        anonymous.get(&download),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }

    // The member may do all of it; each write leaves one row.
    let (code, _) = send(t.member.post(action_url(&t, &id, "verify"))).await;
    assert_eq!(code, StatusCode::OK);
    let (code, body) = send(t.member.delete(&evidence_item)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["evidence"], json!([]));
    assert_eq!(
        body["status"], "implemented",
        "removing evidence drops the sign-off"
    );
    let (code, _) = send(t.member.delete(control_url(&t, &id))).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    assert_eq!(audit_rows(&t.app, ENTITY).await, before + 3);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity_type = 'security_control' AND entity_id = $1 ORDER BY id",
    )
    .bind(&id)
    .fetch_all(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec![
            "create",
            "add_evidence",
            "verify",
            "delete_evidence",
            "delete"
        ]
    );
    let (code, _) = send(t.member.get(control_url(&t, &id))).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn list_filters_ordering_and_paging(pool: PgPool) {
    let t = tenants(pool).await;
    create(
        &t,
        json!({"reference": "A.5.2", "title": "beta", "priority": "low", "status": "in_progress"}),
    )
    .await;
    create(
        &t,
        json!({"reference": "A.5.10", "title": "Alpha", "priority": "critical"}),
    )
    .await;
    create(&t, json!({"reference": "1", "title": "gamma", "priority": "medium", "framework": "pci-dss", "status": "implemented"})).await;
    let page = |query: &str| {
        t.viewer
            .get(format!("{}?enterprise={}&{query}", controls_url(&t), t.a))
    };
    let titles = |body: &Value| -> Vec<String> {
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_string())
            .collect()
    };

    let (_, body) = send(page("")).await;
    assert_eq!(body["count"], 3);
    assert_eq!(
        titles(&body),
        vec!["gamma", "Alpha", "beta"],
        "newest first"
    );
    let (_, body) = send(page("ordering=title")).await;
    assert_eq!(titles(&body), vec!["Alpha", "beta", "gamma"]);
    let (_, body) = send(page("ordering=-title")).await;
    assert_eq!(titles(&body), vec!["gamma", "beta", "Alpha"]);
    let (_, body) = send(page("ordering=priority")).await;
    assert_eq!(
        titles(&body),
        vec!["Alpha", "gamma", "beta"],
        "most urgent first"
    );
    let (_, body) = send(page("ordering=-status")).await;
    assert_eq!(titles(&body), vec!["gamma", "beta", "Alpha"]);
    let (_, body) = send(page("ordering=created_at")).await;
    assert_eq!(titles(&body), vec!["beta", "Alpha", "gamma"]);
    let (code, body) = send(page("ordering=password_hash")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["ordering"].is_string());

    let (_, body) = send(page("framework=pci-dss")).await;
    assert_eq!(titles(&body), vec!["gamma"]);
    let pci: Uuid = sqlx::query_scalar("SELECT id FROM frameworks WHERE slug = 'pci-dss'")
        .fetch_one(&t.app.pool)
        .await
        .unwrap();
    let (_, body) = send(page(&format!("framework={pci}"))).await;
    assert_eq!(titles(&body), vec!["gamma"]);
    let (_, body) = send(page("priority=low")).await;
    assert_eq!(titles(&body), vec!["beta"]);
    let (_, body) = send(page("status=not_implemented")).await;
    assert_eq!(titles(&body), vec!["Alpha"]);
    let (code, body) = send(page("status=done&priority=urgent")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["status"].is_string());
    assert!(body["error"]["fields"]["priority"].is_string());
    let (code, _) = send(page("framework=made-up")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    let (_, body) = send(page("ordering=title&page_size=2")).await;
    assert_eq!(titles(&body), vec!["Alpha", "beta"]);
    assert_eq!(body["count"], 3);
    let next = body["next"].as_str().unwrap().to_string();
    assert!(
        next.contains("ordering=title") && next.contains("page=2"),
        "{next}"
    );
    let (_, body) = send(t.viewer.get(t.app.url(&next))).await;
    assert_eq!(titles(&body), vec!["gamma"]);
    assert!(body["previous"].is_string());
}

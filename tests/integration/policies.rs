//! Frameworks (reference data) and the security policy with its
//! compliance summary.

use rampart::domain::enterprise::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::{client, read, spawn_app, TestApp};

/// Two enterprises; in A an admin, a member and a viewer; an admin of B.
pub struct Tenants {
    pub app: TestApp,
    pub a: Uuid,
    pub b: Uuid,
    pub admin: Client,
    pub member: Client,
    pub viewer: Client,
    pub other_admin: Client,
    pub staff: Client,
}

pub async fn tenants(pool: PgPool) -> Tenants {
    let app = spawn_app(pool).await;
    let a = app.enterprise("acme").await;
    let b = app.enterprise("globex").await;
    for (email, enterprise, role) in [
        ("admin@acme.test", a, Role::Admin),
        ("member@acme.test", a, Role::Member),
        ("viewer@acme.test", a, Role::Viewer),
        ("admin@globex.test", b, Role::Admin),
    ] {
        let user = app.user(email, false).await;
        app.member(enterprise, user, role).await;
    }
    app.user("staff@rampart.test", true).await;
    Tenants {
        admin: app.login("admin@acme.test").await,
        member: app.login("member@acme.test").await,
        viewer: app.login("viewer@acme.test").await,
        other_admin: app.login("admin@globex.test").await,
        staff: app.login("staff@rampart.test").await,
        app,
        a,
        b,
    }
}

pub async fn audit_rows(app: &TestApp, entity_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = $1")
        .bind(entity_type)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn nine_frameworks_with_their_catalogues(pool: PgPool) {
    let t = tenants(pool).await;
    let (status, list) = read(
        t.viewer
            .get(t.app.url("/api/security/frameworks/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let counts: Vec<(String, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["slug"].as_str().unwrap().to_string(),
                f["requirement_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts.len(), 9);
    for (slug, expected) in [
        ("nist-csf", 108),
        ("nist-csf-2", 106),
        ("iso-27001", 93),
        ("owasp-top-10", 10),
        ("cis-controls", 18),
        ("pci-dss", 12),
        ("hipaa", 22),
        ("soc2", 20),
    ] {
        assert!(
            counts.contains(&(slug.to_string(), expected)),
            "{slug}: {counts:?}"
        );
    }
    let (status, csf) = read(
        t.viewer
            .get(t.app.url("/api/security/frameworks/nist-csf-2/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csf["version"], "2.0");
    let by_id = t.viewer.get(t.app.url(&format!(
        "/api/security/frameworks/{}",
        csf["id"].as_str().unwrap()
    )));
    assert_eq!(
        read(by_id.send().await.unwrap()).await.1["slug"],
        "nist-csf-2"
    );

    let (_, tree) = read(
        t.viewer
            .get(
                t.app
                    .url("/api/security/frameworks/nist-csf-2/requirements/"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let tree = tree.as_array().unwrap();
    let at_depth = |d: i64| tree.iter().filter(|r| r["depth"] == d).count();
    assert_eq!((at_depth(1), at_depth(2), at_depth(3)), (6, 22, 106));
    assert_eq!(tree[0]["reference"], "GV");
    // Tree order: every parent comes before its children.
    let mut seen = std::collections::HashSet::new();
    for r in tree {
        if let Some(parent) = r["parent_reference"].as_str() {
            assert!(
                seen.contains(parent),
                "{} before its parent",
                r["reference"]
            );
        }
        seen.insert(r["reference"].as_str().unwrap().to_string());
    }
    let missing = client()
        .get(t.app.url("/api/security/frameworks/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = read(
        t.viewer
            .get(t.app.url("/api/security/frameworks/no-such/"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = false)]
async fn catalogue_import_is_idempotent_and_never_rewrites(pool: PgPool) {
    use rampart::domain::framework::CatalogueFile;
    use rampart::domain::server::frameworks;
    let app = spawn_app(pool).await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM requirements")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Start-up already imported the shipped files; doing it again adds nothing.
    frameworks::sync_builtin(&app.pool).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM requirements")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(before, after);

    let custom = r#"{"slug": "acme-baseline", "name": "Acme baseline", "version": "1", "issuing_body": "Acme",
        "description": "In-house rules.", "reference_url": "https://acme.test/baseline",
        "requirements": [{"reference": "AB-1", "title": "Inventory", "parent_reference": null, "depth": 1, "assessable": true}]}"#;
    let file = CatalogueFile::parse_json(custom).unwrap();
    let first = frameworks::import(&app.pool, &file).await.unwrap();
    assert!(first.created);
    assert_eq!(first.requirements_added, 1);
    let second = frameworks::import(&app.pool, &file).await.unwrap();
    assert!(!second.created);
    assert_eq!(second.requirements_added, 0);

    // The same slug with another version is refused: versions get new slugs.
    let v2 = custom.replace(r#""version": "1""#, r#""version": "2""#);
    let error = frameworks::import(&app.pool, &CatalogueFile::parse_json(&v2).unwrap())
        .await
        .unwrap_err()
        .into_app_error();
    assert_eq!(error.status(), reqwest::StatusCode::CONFLICT);
    // Dropping an existing requirement is refused too.
    let emptied = custom.replace("AB-1", "AB-2");
    let error = frameworks::import(&app.pool, &CatalogueFile::parse_json(&emptied).unwrap())
        .await
        .unwrap_err()
        .into_app_error();
    assert!(
        error.message.contains("AB-1 would be removed"),
        "{}",
        error.message
    );
    // A broken file never reaches the database.
    let broken = custom.replace(
        r#""parent_reference": null"#,
        r#""parent_reference": "NOPE""#,
    );
    assert!(CatalogueFile::parse_json(&broken)
        .and_then(|f| f.validate())
        .is_err());
}

fn policy_body(enterprise: Uuid) -> Value {
    json!({"enterprise_id": enterprise, "frameworks": ["pci-dss", "iso-27001"], "password_min_length": 6})
}

#[sqlx::test(migrations = false)]
async fn policy_lifecycle_and_compliance_summary(pool: PgPool) {
    let t = tenants(pool).await;
    let url = t.app.url("/api/security/policies/");
    // Members and viewers do not manage the policy; admins do.
    for who in [&t.member, &t.viewer] {
        let (status, _) = read(who.post(&url).json(&policy_body(t.a)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = read(
        t.other_admin
            .post(&url)
            .json(&policy_body(t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, policy) = read(
        t.admin
            .post(&url)
            .json(&policy_body(t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
    assert_eq!(policy["version"], 1);
    assert_eq!(policy["password_min_length"], 6);
    assert_eq!(policy["frameworks"], json!(["iso-27001", "pci-dss"]));
    assert_eq!(policy["enterprise_id"], t.a.to_string());
    let id = policy["id"].as_str().unwrap().to_string();

    let (status, _) = read(
        t.admin
            .post(&url)
            .json(&policy_body(t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "one policy per enterprise");

    // Six characters is accepted but fails the frameworks that ask for more.
    let summary_url = t
        .app
        .url(&format!("/api/security/policies/{id}/compliance-summary/"));
    let (status, summary) = read(t.viewer.get(&summary_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let rule = |id: &str| {
        summary["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let pci = rule("pci-dss.password-length");
    assert_eq!(pci["passed"], false);
    assert_eq!(pci["setting"], "password_min_length");
    assert!(summary["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["slug"] == "pci-dss"));
    assert!(summary["overall_ratio"].as_f64().unwrap() < 1.0);

    // Fixing the setting flips the rule; the version moves on.
    let policy_url = t.app.url(&format!("/api/security/policies/{id}/"));
    let (status, updated) = read(
        t.admin
            .patch(&policy_url)
            .json(&json!({"version": 1, "password_min_length": 14}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);
    let (_, summary) = read(t.viewer.get(&summary_url).send().await.unwrap()).await;
    let pci = summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule_id"] == "pci-dss.password-length")
        .unwrap()
        .clone();
    assert_eq!(pci["passed"], true);

    // A stale version is refused with the current record, and nothing changes.
    let audits_before = audit_rows(&t.app, "security_policy").await;
    let (status, body) = read(
        t.admin
            .patch(&policy_url)
            .json(&json!({"version": 1, "password_min_length": 20}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["current"]["password_min_length"], 14);
    let (status, _) = read(
        t.admin
            .patch(&policy_url)
            .header("if-match", "\"1\"")
            .json(&json!({"password_min_length": 20}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "If-Match works like version");
    assert_eq!(audit_rows(&t.app, "security_policy").await, audits_before);
    let (_, now) = read(t.viewer.get(&policy_url).send().await.unwrap()).await;
    assert_eq!(now["password_min_length"], 14);

    // Bad input names each field and changes nothing.
    let (status, body) = read(
        t.admin
            .patch(&policy_url)
            .json(&json!({"password_min_length": 5, "session_timeout_minutes": 2, "ip_allowlist": ["10.0.0.0/33"], "frameworks": ["made-up"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in [
        "password_min_length",
        "session_timeout_minutes",
        "ip_allowlist",
    ] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    assert_eq!(audit_rows(&t.app, "security_policy").await, audits_before);

    // The audit trail holds the change with before/after.
    let changes: Value = sqlx::query_scalar(
        "SELECT changes FROM audit_log WHERE entity_type = 'security_policy' AND action = 'update'",
    )
    .fetch_one(&t.app.pool)
    .await
    .unwrap();
    assert_eq!(
        changes["password_min_length"],
        json!({"before": 6, "after": 14})
    );

    // Listing needs the enterprise for non-staff; the framework filter works.
    let (status, body) = read(t.member.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["enterprise"].is_string());
    let (status, _) = read(
        t.other_admin
            .get(format!("{url}?enterprise={}", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = read(
        t.member
            .get(format!("{url}?enterprise={}&framework=pci-dss", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 1);
    let (_, page) = read(
        t.member
            .get(format!("{url}?enterprise={}&framework=hipaa", t.a))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["count"], 0);
    let (_, all) = read(
        t.staff
            .get(format!("{url}?ordering=-updated_at"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(all["count"], 1);
    let (status, body) = read(
        t.staff
            .get(format!("{url}?ordering=settings"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["fields"]["ordering"].is_string());

    // Another tenant's admin cannot see it: 404 on every verb.
    for request in [
        t.other_admin.get(&policy_url),
        t.other_admin
            .patch(&policy_url)
            .json(&json!({"mfa_required": false})),
        t.other_admin
            .put(&policy_url)
            .json(&json!({"mfa_required": false})),
        t.other_admin.delete(&policy_url),
        t.other_admin.get(&summary_url),
    ] {
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        t.member.delete(&policy_url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.admin.delete(&policy_url).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.admin.get(&policy_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let _ = t.b;
}
